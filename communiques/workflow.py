"""The editorial workflow: which status a user may give a communiqué, and the writes it entails.

    draft ⇄ in review → published (shown as "scheduled" while its time is to come) → withdrawn

Scheduling needs no job: published() compares the publication time with the clock. Once the
public has read a communiqué it never goes back to draft: it is withdrawn, with a notice (the
page stays, with the reason) or as published in error (the page goes).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from modeltranslation.utils import build_localized_fieldname

from . import permissions
from .models import (
    AuditEntry,
    ChangeNote,
    Communique,
    PreviewLink,
    TranslationVersion,
    hash_preview_token,
)

Status = Communique.Status


def allowed_statuses(user: permissions.User, communique: Communique | None) -> list[str]:
    """Return the statuses the user may give the communiqué (None: a new one), in order."""
    current = communique.status if communique is not None else Status.DRAFT
    allowed = {current}
    if permissions.can_edit_every_language(user):
        was_public = communique is not None and communique.was_public()
        if not was_public:
            allowed |= {Status.DRAFT, Status.IN_REVIEW}
        if permissions.can_publish(user):
            allowed.add(Status.PUBLISHED)
        if was_public and permissions.can_withdraw(user):
            allowed.add(Status.WITHDRAWN)
    return [status for status in Status.values if status in allowed]


def record_status_change(
    *,
    communique: Communique,
    previous_status: str | None,
    previous_published_at: dt.datetime | None,
    user: permissions.User,
) -> AuditEntry | None:
    """Write the audit entry for what a save did to the status or publication time, if anything."""
    status = communique.status
    moment = communique.published_at
    if status == Status.PUBLISHED and (
        previous_status != Status.PUBLISHED or previous_published_at != moment
    ):
        action = (
            AuditEntry.Action.SCHEDULED
            if moment is not None and moment > timezone.now()
            else AuditEntry.Action.PUBLISHED
        )
        return AuditEntry.record(
            action,
            user=user,
            communique=communique,
            previous_status=previous_status,
            published_at=moment,
            previous_published_at=previous_published_at,
        )
    if status == Status.WITHDRAWN and previous_status != Status.WITHDRAWN:
        return AuditEntry.record(
            AuditEntry.Action.WITHDRAWN,
            user=user,
            communique=communique,
            previous_status=previous_status,
            kind=communique.withdrawal_kind,
        )
    if previous_status is not None and status != previous_status:
        return AuditEntry.record(
            AuditEntry.Action.STATUS_CHANGED,
            user=user,
            communique=communique,
            previous_status=previous_status,
            status=status,
        )
    return None


def change_note_create(
    *, communique: Communique, notes: dict[str, str], user: permissions.User
) -> ChangeNote:
    """Add a public change note, given by language code."""
    note = ChangeNote(communique=communique, created_by=user)
    for code, value in notes.items():
        setattr(note, build_localized_fieldname("note", code), value)
    note.save()
    return note


def translation_ready_mark(
    *, communique: Communique, language: str, user: permissions.User
) -> TranslationVersion:
    """Record that a language version is ready, by whom and when, and what the original said
    then: from now on, a change to the original makes it outdated."""
    was_outdated = communique.is_outdated_in(language)
    # From the texts, photos and links as stored now, which the fingerprints then match.
    texts = communique.update_fingerprints()
    version, _created = TranslationVersion.objects.update_or_create(
        communique=communique,
        language=language,
        defaults={
            "ready_at": timezone.now(),
            "ready_by": user,
            "translator": user,
            "source_snapshot": texts.get(communique.original_language, {}),
            "source_fingerprint": communique.original_fingerprint,
            "text_fingerprint": getattr(
                communique, build_localized_fieldname("text_fingerprint", language)
            ),
        },
    )
    AuditEntry.record(
        AuditEntry.Action.TRANSLATION_READY,
        user=user,
        communique=communique,
        language=language,
        was_outdated=was_outdated,
    )
    return version


def translator_record(
    *, communique: Communique, languages: Iterable[str], user: permissions.User
) -> None:
    """Record the user as the translator of these language versions, which they just edited."""
    for language in languages:
        TranslationVersion.objects.update_or_create(
            communique=communique, language=language, defaults={"translator": user}
        )


def outdated_translations_record(
    *, communique: Communique, previous: str, user: permissions.User
) -> AuditEntry:
    """Write the audit entry of a change to what happens to the communiqué's outdated
    translations: whether they stay online or wait."""
    return AuditEntry.record(
        AuditEntry.Action.OUTDATED_TRANSLATIONS_CHANGED,
        user=user,
        communique=communique,
        previous=previous,
        outdated_translations=communique.outdated_translations,
    )


@transaction.atomic
def preview_link_create(
    *, communique: Communique, user: permissions.User
) -> tuple[PreviewLink, str]:
    """Create a preview link; return it with its token, which is never stored nor shown again."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = PreviewLink.objects.create(
        communique=communique,
        token_hash=hash_preview_token(token),
        created_by=user,
        created_at=now,
        expires_at=now + PreviewLink.LIFETIME,
    )
    AuditEntry.record(
        AuditEntry.Action.PREVIEW_LINK_CREATED,
        user=user,
        communique=communique,
        link=link.pk,
        expires_at=link.expires_at,
    )
    return link, token


@transaction.atomic
def preview_link_revoke(*, link: PreviewLink, user: permissions.User) -> bool:
    """Revoke a preview link at once; False if it was already revoked."""
    if link.revoked_at is not None:
        return False
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    AuditEntry.record(
        AuditEntry.Action.PREVIEW_LINK_REVOKED,
        user=user,
        communique=link.communique,
        link=link.pk,
    )
    return True
