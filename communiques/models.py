from __future__ import annotations

import datetime as dt
import hashlib
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import connections, models, transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from . import text
from .cache import address, content_changed
from .images import Picture, ProcessedImage, delete_files, describe_renditions, store

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

# The fields a language version needs before the public may see it.
REQUIRED_FOR_PUBLIC = ("title", "body")
# The texts a press officer or a translator writes in each language: what a version of the
# communiqué records and compares (history.py), and what a user who may not change them still
# reads on its change form (admin.py). Not the texts derived from them (search_text,
# text_fingerprint).
WRITTEN_TEXTS = (
    "title",
    "subtitle",
    "lead",
    "body",
    "place",
    "is_demo_translation",
    "withdrawal_reason",
)
# The fields of a language version that search looks through (search.py), in search_text.
SEARCHED_FIELDS = ("title", "subtitle", "lead", "body", "place")
# The texts a translation follows, per model: when the original language's change after a
# translation was marked ready, that translation is outdated (Communique.is_outdated_in).
FOLLOWED_FIELDS = {
    "communique": ("title", "subtitle", "lead", "body", "place"),
    "image": ("alt_text", "caption"),
    "link": ("label",),
}


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def translate_codename(code: str) -> str:
    """Return the codename of the permission to translate into a language: translate_fa_af."""
    return "translate_" + code.replace("-", "_")


def english_language_name(code: str) -> str:
    """Return a language's English name without the translation machinery (safe at import)."""
    try:
        return str(get_language_info(code)["name"])
    except KeyError:
        return code


def communique_permissions() -> list[tuple[str, str]]:
    """Return the custom permissions of communiqués, with one to translate into each language."""
    # Permission names are stored in the database as written, in English, like Django's own.
    return [
        ("publish_communique", "Can publish, schedule and reinstate communiqués"),
        ("withdraw_communique", "Can withdraw communiqués"),
        *(
            (
                translate_codename(code),
                f"Can translate communiqués into {english_language_name(code)}",
            )
            for code in language_codes()
        ),
    ]


class PageContentQuerySet(models.QuerySet):
    """Rows the public pages show: bulk writes, which bypass save() and delete(), make the cached
    pages stale too."""

    def update(self, **kwargs) -> int:
        count = super().update(**kwargs)
        content_changed()
        return count

    def delete(self) -> tuple[int, dict[str, int]]:
        result = super().delete()
        content_changed()
        return result

    def bulk_create(self, objs, *args, **kwargs) -> list[models.Model]:
        created = super().bulk_create(objs, *args, **kwargs)
        content_changed()
        return created

    def bulk_update(self, objs, fields, *args, **kwargs) -> int:
        count = super().bulk_update(objs, fields, *args, **kwargs)
        content_changed()
        return count


class PageContent(models.Model):
    """A model whose rows the public pages show: saving or deleting one makes the cached pages
    stale (communiques/cache.py)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        content_changed()

    def delete(self, *args, **kwargs) -> tuple[int, dict[str, int]]:
        result = super().delete(*args, **kwargs)
        content_changed()
        return result


class Category(PageContent):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)

    objects = PageContentQuerySet.as_manager()

    class Meta:
        ordering = ("slug",)
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name or self.slug


@dataclass(frozen=True)
class Neighbours:
    """The communiqués published just before and just after one."""

    older: Communique | None = None
    newer: Communique | None = None


def written_in(language: str) -> Q:
    """Return the condition that a communiqué has a title and a body in a language."""
    condition = Q()
    for field in REQUIRED_FOR_PUBLIC:
        name = build_localized_fieldname(field, language)
        condition &= Q(**{f"{name}__isnull": False}) & ~Q(**{name: ""})
    return condition


def search_vector_name(language: str) -> str:
    """Return the name of a language's stored search vector (Communique.search_vector_fa_af)."""
    return build_localized_fieldname("search_vector", language)


# Where the public pages put what they read of a communiqué's images, links and change notes:
# plain lists, cheaper than the querysets prefetch_related makes. Communique.public_images(),
# sources() and notes() read them, and the related managers where they are not set.
PREFETCHED_IMAGES = "prefetched_images"
PREFETCHED_LINKS = "prefetched_links"
PREFETCHED_NOTES = "prefetched_notes"

# Whether any translation of a communiqué is outdated: the annotation of
# CommuniqueQuerySet.with_outdated_flag(), or set by a caller that knows (views).
ANY_OUTDATED = "has_outdated_translation"


def outdated_in(language: str) -> Q:
    """Return the condition that a communiqué's translation into a language is outdated.

    A plain comparison of fingerprints, so that lists, feeds, search and the sitemap filter in
    SQL: the original's, kept by Communique.save(), and the one the version recorded when it was
    marked ready.
    """
    changed = (
        TranslationVersion.objects.filter(
            communique=OuterRef("pk"), language=language, ready_at__isnull=False
        )
        # Marked ready before fingerprints were kept: nothing to compare with.
        .exclude(source_fingerprint="")
        .exclude(source_fingerprint=OuterRef("original_fingerprint"))
    )
    return ~Q(original_language=language) & Exists(changed)


def last_updated() -> Coalesce:
    """Return the expression of a communiqué's public "last updated" moment: its latest change
    note, or else its first publication. The twin of Communique.last_updated_at.

    Not updated_at: a minor correction or a staff-only change must not tell feed readers and
    search engines that the page changed.
    """
    latest_note = (
        ChangeNote.objects.filter(communique=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return Coalesce(
        Subquery(latest_note), "first_published_at", output_field=models.DateTimeField()
    )


class CommuniqueQuerySet(PageContentQuerySet):
    def published(self) -> CommuniqueQuerySet:
        """Return the communiqués the public may see: published, and due.

        This is what lists, archives, feeds, the sitemap and search show. A communiqué withdrawn
        with a notice is not among them: see public().
        """
        return self.filter(status=Communique.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self) -> CommuniqueQuerySet:
        """Return the communiqués published for a time still to come: the twin of is_scheduled()."""
        return self.filter(status=Communique.Status.PUBLISHED, published_at__gt=timezone.now())

    def public(self) -> CommuniqueQuerySet:
        """Return the communiqués whose page the public may open at its address.

        The published ones, and those withdrawn with a notice after they were public: their page
        stays online with the notice (as GOV.UK does), though no list links to it any more.
        """
        now = timezone.now()
        return self.filter(
            Q(status=Communique.Status.PUBLISHED, published_at__lte=now)
            | Q(
                status=Communique.Status.WITHDRAWN,
                withdrawal_kind=Communique.WithdrawalKind.NOTICE,
                first_published_at__lte=now,
            )
        )

    def in_language(self, language: str) -> CommuniqueQuerySet:
        """Return the communiqués whose version in this language the public may read.

        Written (a title and a body), and not an outdated translation that the editor chose to
        hold back until it is marked ready again. The twin of Communique.has_language().
        """
        held_back = Q(outdated_translations=Communique.OutdatedTranslations.WAIT) & outdated_in(
            language
        )
        return self.filter(written_in(language) & ~held_back)

    def written_in(self, language: str) -> CommuniqueQuerySet:
        """Return the communiqués that have a title and a body in this language."""
        return self.filter(written_in(language))

    def missing_language(self, language: str) -> CommuniqueQuerySet:
        return self.exclude(written_in(language))

    def outdated_in(self, language: str) -> CommuniqueQuerySet:
        """Return the communiqués whose original changed since their translation into this
        language was marked ready. The twin of Communique.is_outdated_in()."""
        return self.filter(outdated_in(language))

    def needing_translation(self, language: str) -> CommuniqueQuerySet:
        """Return the communiqués whose translation into this language is missing or in progress:
        never marked ready, or changed since it was."""
        ready = TranslationVersion.objects.filter(
            Q(text_fingerprint=OuterRef(build_localized_fieldname("text_fingerprint", language)))
            # Marked ready before fingerprints were kept: taken as unchanged.
            | Q(text_fingerprint=""),
            communique=OuterRef("pk"),
            language=language,
            ready_at__isnull=False,
        )
        return self.exclude(original_language=language).filter(
            ~written_in(language) | ~Exists(ready)
        )

    def with_outdated_flag(self) -> CommuniqueQuerySet:
        """Fetch with each communiqué whether any of its translations is outdated.

        Communique.is_outdated_in() then answers a communiqué that has none, the usual case,
        without reading its translation versions: outdated_in() for every language at once.
        """
        outdated = (
            TranslationVersion.objects.filter(communique=OuterRef("pk"), ready_at__isnull=False)
            .exclude(language=OuterRef("original_language"))
            .exclude(source_fingerprint="")
            .exclude(source_fingerprint=OuterRef("original_fingerprint"))
        )
        return self.annotate(**{ANY_OUTDATED: Exists(outdated)})

    def neighbours(self, communique: Communique) -> Neighbours:
        """Return the communiqués of this queryset published just before and just after one.

        In the order of the lists: by publication date, then by id between communiqués published
        at the same moment. One query, whatever the number of communiqués.
        """
        moment = communique.published_at
        if moment is None:
            return Neighbours()
        # The bounds on published_at alone repeat the conditions beside them, for the database:
        # each side's index scan (Meta.indexes) starts at the communiqué and stops at the first
        # row that qualifies, instead of reading the list from its far end.
        older = self.filter(
            Q(published_at__lt=moment) | Q(published_at=moment, pk__lt=communique.pk),
            published_at__lte=moment,
        ).order_by("-published_at", "-pk")
        newer = self.filter(
            Q(published_at__gt=moment) | Q(published_at=moment, pk__gt=communique.pk),
            published_at__gte=moment,
        ).order_by("published_at", "pk")
        shown = ("slug", "title", "published_at")
        if connections[self.db].features.supports_slicing_ordering_in_compound:
            # PostgreSQL: the first row of each side, in one statement.
            rows = older.only(*shown)[:1].union(newer.only(*shown)[:1], all=True)
        else:
            # SQLite cannot order and slice inside a union: two scalar subqueries instead, which
            # filter already, so that the rows they name are read by their key alone.
            rows = Communique.objects.filter(
                Q(pk=Subquery(older.values("pk")[:1])) | Q(pk=Subquery(newer.values("pk")[:1]))
            ).only(*shown)
        # Keyed by "published before": True for the older one, False for the newer.
        found = {(row.published_at, row.pk) < (moment, communique.pk): row for row in rows}
        return Neighbours(older=found.get(True), newer=found.get(False))

    def delete(self) -> tuple[int, dict[str, int]]:
        # The images go by cascade in SQL, which never calls Image.delete().
        doomed = list(Image.objects.filter(communique__in=self))
        result = super().delete()
        remove_files_on_commit(doomed)
        return result


class CommuniqueManager(models.Manager.from_queryset(CommuniqueQuerySet)):
    def get_queryset(self) -> CommuniqueQuerySet:
        # The stored search vectors, each larger than the text it is made of, are read by the
        # database alone (search.py): no query loads them unless it names them.
        vectors = [search_vector_name(code) for code in language_codes()]
        return super().get_queryset().defer(*vectors)


class Communique(PageContent):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class WithdrawalKind(models.TextChoices):
        NOTICE = "notice", _("With a notice: the page stays online")
        IN_ERROR = "in_error", _("Published in error: removed from the public")

    class OutdatedTranslations(models.TextChoices):
        STAY_ONLINE = "stay_online", _("Stay online, with a notice that an update is pending")
        WAIT = "wait", _("Wait: hidden from the public until marked ready again")

    title = models.CharField(_("title"), max_length=500)
    subtitle = models.CharField(_("subtitle"), max_length=500, blank=True)
    lead = models.TextField(
        _("lead"), blank=True, help_text=_("A one-paragraph summary shown in lists and feeds.")
    )
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_("The text of the communiqué. Unsafe markup is removed when it is saved."),
    )
    place = models.CharField(
        _("place"),
        max_length=100,
        blank=True,
        help_text=_("The place of the dateline, e.g. Kabul."),
    )
    # A language version imported or written as demonstration content, not by a translator.
    is_demo_translation = models.BooleanField(_("demo translation"), default=False)
    # The searched fields of the version, folded by text.normalize_for_search, so that both
    # databases compare the folded query with folded text in SQL. Written by save().
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)
    # The SHA-256 of the version's followed texts (FOLLOWED_FIELDS, as text.comparable_text
    # reads them), so that "changed since it was marked ready" is a comparison in SQL. Written
    # by save() and, once photos and links are saved, by update_fingerprints().
    text_fingerprint = models.CharField(
        _("text fingerprint"), max_length=64, blank=True, default="", editable=False
    )
    # The text fingerprint of the original language, in a column of its own so that "outdated"
    # compares two columns whatever the original language is.
    original_fingerprint = models.CharField(
        _("fingerprint of the original"), max_length=64, blank=True, default="", editable=False
    )

    original_language = models.CharField(
        _("original language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="communiques",
        null=True,
        blank=True,
    )
    event_date = models.DateField(
        _("event date"), null=True, blank=True, help_text=_("The date of the event reported.")
    )
    published_at = models.DateTimeField(
        _("publication date"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "For a communiqué to be public, its status must be published and this date must be "
            "in the past."
        ),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # The moment the public could first read it: the publication time until that has passed,
    # then never changed again (note_publication_moments). "First published" on the page.
    first_published_at = models.DateTimeField(
        _("first published"), null=True, blank=True, editable=False
    )
    withdrawal_kind = models.CharField(
        _("kind of withdrawal"),
        max_length=20,
        choices=WithdrawalKind.choices,
        blank=True,
        help_text=_(
            "With a notice, the page stays at its address with the reason; published in error, "
            "it is removed from the public entirely."
        ),
    )
    withdrawal_reason = models.TextField(
        _("reason for the withdrawal"),
        blank=True,
        help_text=_("Shown to readers on the page of a communiqué withdrawn with a notice."),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)
    outdated_translations = models.CharField(
        _("outdated translations"),
        max_length=20,
        choices=OutdatedTranslations.choices,
        default=OutdatedTranslations.STAY_ONLINE,
        help_text=_(
            "When the original text changes after a translation was marked ready, that "
            "translation is outdated: it either stays online with a notice that an update is "
            "pending, or waits, hidden from the public, until its translator marks it ready again."
        ),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_(
            "The readable part of the address, in Latin letters. It never changes once published."
        ),
    )
    reference_year = models.PositiveSmallIntegerField(_("reference year"), editable=False)
    reference_number = models.PositiveSmallIntegerField(_("reference number"), editable=False)
    # Raised by every save. A change form carries the value it was loaded with, and a save from a
    # form loaded before someone else's save is refused (admin.VersionHistoryMixin), so that two
    # people editing at once never overwrite each other unknowingly.
    lock_version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = CommuniqueManager()

    class Meta:
        ordering = ("-published_at", "-id")
        get_latest_by = "published_at"
        verbose_name = _("communiqué")
        verbose_name_plural = _("communiqués")
        constraints = [
            models.UniqueConstraint(
                fields=("reference_year", "reference_number"), name="unique_reference_per_year"
            )
        ]
        indexes = [
            # published(), in the lists' order: a page of a list, and the communiqués before and
            # after one (neighbours), are read from it in order and stop at their last row.
            models.Index(
                fields=("status", "published_at", "id"), name="communique_status_published"
            ),
        ]
        # From settings.LANGUAGES: changing the languages needs a migration anyway.
        permissions = communique_permissions()

    def __str__(self) -> str:
        return self.title or self.reference

    def save(self, *args, **kwargs) -> None:
        for code in language_codes():
            name = build_localized_fieldname("body", code)
            value = getattr(self, name)
            if value:
                setattr(self, name, text.sanitize_html(value))
            # Forms and the importer clean these too; saves from the shell, a restore or a bulk
            # script do not go through them, and a control character in a title breaks the feeds.
            for field in ("title", "subtitle", "lead", "place", "withdrawal_reason"):
                name = build_localized_fieldname(field, code)
                value = getattr(self, name, None)
                if value:
                    setattr(self, name, text.strip_hidden_characters(value))
        if not self.reference_year:
            self.assign_reference()
        self.note_publication_moments()
        if kwargs.get("update_fields") is not None and {"status", "published_at"}.intersection(
            kwargs["update_fields"]
        ):
            # The moments follow the status and the time: a partial save of those writes them.
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "first_published_at",
                "withdrawn_at",
            }
        search_fields = self.update_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and searched_field_names().intersection(update_fields):
            # A partial save of a searched field must also write the document made from it.
            kwargs["update_fields"] = {*update_fields, *search_fields}
        update_fields = kwargs.get("update_fields")
        if update_fields is None or followed_field_names().intersection(update_fields):
            fingerprint_fields = self.set_fingerprints(self.followed_texts())
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, *fingerprint_fields}
        if not self._state.adding:
            self.lock_version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "lock_version"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return address("communiques:detail", slug=self.slug)

    def delete(self, *args, **kwargs) -> tuple[int, dict[str, int]]:
        # The images go by cascade in SQL, which never calls Image.delete().
        doomed = list(self.images.all())
        result = super().delete(*args, **kwargs)
        remove_files_on_commit(doomed)
        return result

    def clean(self) -> None:
        super().clean()
        errors = self.date_token_errors()
        if self.status == self.Status.PUBLISHED and not self.published_at:
            errors["published_at"] = [_("A published communiqué needs a publication date.")]
        if errors:
            raise ValidationError(errors)
        if self.status == self.Status.PUBLISHED and not self.available_languages:
            raise ValidationError(
                _("A published communiqué needs a title and a body in at least one language.")
            )

    def date_token_errors(self) -> dict[str, list[ValidationError]]:
        """Return, by field, the date tokens of the leads and bodies that cannot be rendered."""
        errors = {}
        for code in language_codes():
            for field in ("lead", "body"):
                name = build_localized_fieldname(field, code)
                invalid = text.find_invalid_date_tokens(getattr(self, name) or "")
                if invalid:
                    errors[name] = [
                        ValidationError(
                            _(
                                "«%(token)s» is not a date token: write a real date as "
                                "[[YYYY-MM-DD]], optionally followed by |long, |gregorian or "
                                "|solar."
                            ),
                            code="invalid_date_token",
                            params={"token": token},
                        )
                        for token in invalid
                    ]
        return errors

    @property
    def reference(self) -> str:
        if not self.reference_year:
            return ""
        return f"{self.reference_year}/{self.reference_number:03d}"

    def is_published(self) -> bool:
        """Return True if the communiqué is in the public lists: published and due."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    def is_scheduled(self) -> bool:
        """Return True if the communiqué is published for a time still to come."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    def was_public(self) -> bool:
        """Return True if the public has been able to read the communiqué at some point."""
        return self.first_published_at is not None and self.first_published_at <= timezone.now()

    def is_withdrawn_with_notice(self) -> bool:
        return (
            self.status == self.Status.WITHDRAWN
            and self.withdrawal_kind == self.WithdrawalKind.NOTICE
            and self.was_public()
        )

    def is_public(self) -> bool:
        """Return True if the public may open the communiqué's page: the twin of public()."""
        return self.is_published() or self.is_withdrawn_with_notice()

    @property
    def state(self) -> str:
        """Return the status as the press office speaks of it: a future publication is scheduled."""
        return "scheduled" if self.is_scheduled() else self.status

    @property
    def last_updated_at(self) -> dt.datetime | None:
        """Return the date of the latest change note, or else of the first publication."""
        notes = self.notes()
        return max((note.created_at for note in notes), default=self.first_published_at)

    def note_publication_moments(self) -> None:
        """Keep first_published_at and withdrawn_at true to the status and publication time."""
        now = timezone.now()
        # Until the public has seen it, "first published" is the time it is scheduled for.
        if self.first_published_at is None or self.first_published_at > now:
            published = self.status == self.Status.PUBLISHED and self.published_at is not None
            self.first_published_at = self.published_at if published else None
        if self.status != self.Status.WITHDRAWN:
            self.withdrawn_at = None
        elif self.withdrawn_at is None:
            self.withdrawn_at = now

    def is_written_in(self, language: str) -> bool:
        """Return True if the communiqué has a title and a body in this language."""
        return all(
            getattr(self, build_localized_fieldname(field, language), None)
            for field in REQUIRED_FOR_PUBLIC
        )

    def has_language(self, language: str) -> bool:
        """Return True if the public may read this language version: the twin of in_language()."""
        if not self.is_written_in(language):
            return False
        # Only a translation the editor holds back needs its version read.
        return not (
            self.outdated_translations == self.OutdatedTranslations.WAIT
            and self.is_outdated_in(language)
        )

    @property
    def available_languages(self) -> list[str]:
        """The languages, in settings order, whose version the public may read."""
        return [code for code in language_codes() if self.has_language(code)]

    @property
    def written_languages(self) -> list[str]:
        """The languages, in settings order, that have a title and a body."""
        return [code for code in language_codes() if self.is_written_in(code)]

    # --- Translation versions: what the translators follow

    def translation_version(self, language: str) -> TranslationVersion | None:
        if self._state.adding:
            return None
        # Through all(), so that prefetched versions are reused.
        versions = self.translation_versions.all()
        return next((version for version in versions if version.language == language), None)

    def is_outdated_in(self, language: str) -> bool:
        """Return True if the original changed since the translation into this language was
        marked ready: the twin of outdated_in()."""
        if language == self.original_language:
            return False
        # Known with the communiqué (ANY_OUTDATED): none is.
        if getattr(self, ANY_OUTDATED, None) is False:
            return False
        version = self.translation_version(language)
        return (
            version is not None
            and version.ready_at is not None
            and version.source_fingerprint != ""
            and version.source_fingerprint != self.original_fingerprint
        )

    @property
    def translation_update_pending(self) -> bool:
        """Return True if the version in the active language is outdated (its page says so)."""
        return self.is_outdated_in(translation.get_language() or settings.LANGUAGE_CODE)

    def translation_status(self, language: str) -> TranslationVersion.Status:
        """Return where a language version stands: missing, in progress, ready or published.

        Whether it is outdated besides is is_outdated_in().
        """
        Status = TranslationVersion.Status
        if not self.is_written_in(language):
            return Status.MISSING
        public = self.is_public() and self.has_language(language)
        if language == self.original_language:
            # The original is the press office's: it is ready when submitted for review.
            if public:
                return Status.PUBLISHED
            return Status.IN_PROGRESS if self.status == self.Status.DRAFT else Status.READY
        version = self.translation_version(language)
        if version is None or version.ready_at is None or version.edited_since_ready(self):
            return Status.IN_PROGRESS
        return Status.PUBLISHED if public else Status.READY

    def followed_texts(self) -> dict[str, dict[str, str]]:
        """Return each language's followed texts, by name, as compared: title, body,
        image-12-caption, link-7-label… Empty texts are left out.

        Photos and links are read from the database, never from a prefetch that may leave some
        out.
        """
        localized = build_localized_fieldname
        adding = self._state.adding
        images = [] if adding else list(Image.objects.filter(communique=self))
        links = [] if adding else list(SourceLink.objects.filter(communique=self))
        texts: dict[str, dict[str, str]] = {}
        for code in language_codes():
            named = [
                (field, getattr(self, localized(field, code)))
                for field in FOLLOWED_FIELDS["communique"]
            ]
            for kind, rows in (("image", images), ("link", links)):
                named.extend(
                    (f"{kind}-{row.pk}-{field}", getattr(row, localized(field, code)))
                    for row in rows
                    for field in FOLLOWED_FIELDS[kind]
                )
            texts[code] = {
                name: comparable
                for name, value in named
                if (comparable := text.comparable_text(value or "", is_html=name == "body"))
            }
        return texts

    def set_fingerprints(self, texts: dict[str, dict[str, str]]) -> list[str]:
        """Set each language's text fingerprint and the original's; return the fields set."""
        names = []
        for code, values in texts.items():
            name = build_localized_fieldname("text_fingerprint", code)
            setattr(self, name, text.texts_fingerprint(values))
            names.append(name)
        self.original_fingerprint = text.texts_fingerprint(texts.get(self.original_language, {}))
        return [*names, "original_fingerprint"]

    def update_fingerprints(self) -> dict[str, dict[str, str]]:
        """Bring the stored fingerprints up to date with the texts, photos and links as stored;
        return the followed texts.

        For writes that change photos or links after the communiqué itself was saved (the
        admin's inlines, the importer). The fingerprints are derived, not edited: an update
        writes them, which neither raises lock_version nor records a version of its own.
        """
        texts = self.followed_texts()
        names = self.set_fingerprints(texts)
        values = {name: getattr(self, name) for name in names}
        Communique.objects.filter(pk=self.pk).update(**values)
        return texts

    def sources(self) -> list[SourceLink]:
        """Return the communiqué's links to its sources, in their order."""
        prefetched = getattr(self, PREFETCHED_LINKS, None)
        # Through all(), so that links prefetched by prefetch_related are reused.
        return prefetched if prefetched is not None else list(self.links.all())

    def notes(self) -> list[ChangeNote]:
        """Return the notes of the communiqué's public updates, newest first."""
        prefetched = getattr(self, PREFETCHED_NOTES, None)
        return prefetched if prefetched is not None else list(self.change_notes.all())

    def public_images(self) -> list[Image]:
        """Return the images the public may see, in the order the page shows them."""
        # Filtered here rather than in SQL so that prefetched images are reused: as a plain list
        # where a page prefetched them to PREFETCHED_IMAGES, else through the related manager.
        prefetched = getattr(self, PREFETCHED_IMAGES, None)
        stored = prefetched if prefetched is not None else self.images.all()
        images = (image for image in stored if not image.is_missing)
        return sorted(images, key=Image.page_position)

    def thumbnail(self) -> Image | None:
        """Return the first image the page shows, if any."""
        images = self.public_images()
        return images[0] if images else None

    def body_with_images(self) -> list[SafeString | Image]:
        """Return the body's blocks in the active language, with the images at their places.

        Gallery images are not among them: see gallery_images().
        """
        blocks = text.split_blocks(self.body)
        paragraph_count = sum(1 for tag, _html in blocks if text.is_paragraph(tag))
        top: list[Image] = []
        after: defaultdict[int, list[Image]] = defaultdict(list)
        for image in self.public_images():
            if image.placement == Image.Placement.TOP:
                top.append(image)
            elif image.placement == Image.Placement.AFTER_PARAGRAPH:
                # A paragraph beyond the end (the text was shortened) means the last one.
                number = min(image.after_paragraph or paragraph_count, paragraph_count)
                after[number].append(image)

        result: list[SafeString | Image] = [*top, *after[0]]
        number = 0
        language = translation.get_language() or settings.LANGUAGE_CODE
        for tag, block in blocks:
            # The body was sanitised by nh3 in save(): this is the one place it is trusted. Date
            # tokens add only escaped text in <time> elements.
            result.append(mark_safe(text.render_date_tokens(block, language)))
            if text.is_paragraph(tag):
                number += 1
                result.extend(after[number])
        return result

    def gallery_images(self) -> list[Image]:
        return [
            image for image in self.public_images() if image.placement == Image.Placement.GALLERY
        ]

    def assign_reference(self) -> None:
        """Give the communiqué the next reference number of its year (e.g. 2019/031)."""
        moment = self.published_at or timezone.now()
        self.reference_year = timezone.localtime(moment).year
        last = Communique.objects.filter(reference_year=self.reference_year).aggregate(
            last=Max("reference_number")
        )["last"]
        self.reference_number = (last or 0) + 1

    def update_search_text(self) -> list[str]:
        """Rebuild each language's search document from its text; return the fields written."""
        names = []
        for code in language_codes():
            parts = [
                getattr(self, build_localized_fieldname(field, code)) or ""
                for field in SEARCHED_FIELDS
            ]
            # Dates are found as the reader sees them: [[2019-06-25]] is «۲۵ جون ۲۰۱۹ …».
            parts = [text.render_date_tokens_as_text(part, code) for part in parts]
            name = build_localized_fieldname("search_text", code)
            setattr(self, name, text.search_document(parts, code))
            names.append(name)
        return names


# PostgreSQL has no Persian or Pashto dictionary: words are compared as folded, never stemmed.
SEARCH_CONFIG = "simple"


class SearchDocument(SearchVector):
    """A language version's search_text as PostgreSQL's full-text search reads it: a tsvector.

    Other databases search search_text by containment (search.py): they store nothing.
    """

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: object
    ) -> tuple[str, list[object]]:
        if connection.vendor != "postgresql":
            return "NULL", []
        return super().as_sql(compiler, connection, **extra)


# One stored, indexed tsvector per language (migration 0006 adds a GIN index on PostgreSQL),
# kept by the database itself in step with search_text, whoever writes it (save(), a bulk
# update, update_search_text): ranking a search then parses no text. Never shown nor edited.
for _code in language_codes():
    Communique.add_to_class(
        search_vector_name(_code),
        models.GeneratedField(
            expression=SearchDocument(
                build_localized_fieldname("search_text", _code), config=SEARCH_CONFIG
            ),
            output_field=SearchVectorField(null=True),
            db_persist=True,
        ),
    )


def followed_field_names() -> set[str]:
    """Return the names of the communiqué's followed fields, plain and in every language, and of
    the field that says which of them are the original."""
    return {
        "original_language",
        *(
            name
            for field in FOLLOWED_FIELDS["communique"]
            for name in (
                field,
                *(build_localized_fieldname(field, code) for code in language_codes()),
            )
        ),
    }


def searched_field_names() -> set[str]:
    """Return the names of the searched fields, plain and in every language."""
    return {
        name
        for field in SEARCHED_FIELDS
        for name in (field, *(build_localized_fieldname(field, code) for code in language_codes()))
    }


def delete_files_on_commit(names: list[str]) -> None:
    """Remove stored image files once the change that stopped using them is committed."""
    if names:
        storage = Image._meta.get_field("file").storage
        # After the commit: a rolled-back change must find its files where they were.
        transaction.on_commit(partial(delete_files, storage, names), robust=True)


def remove_files_on_commit(images: Iterable[Image]) -> None:
    delete_files_on_commit([name for image in images for name in image.stored_names()])


class ImageQuerySet(PageContentQuerySet):
    def delete(self) -> tuple[int, dict[str, int]]:
        doomed = list(self)
        result = super().delete()
        remove_files_on_commit(doomed)
        return result


class Image(PageContent):
    class Placement(models.TextChoices):
        TOP = "top", _("At the top")
        AFTER_PARAGRAPH = "after_paragraph", _("After a paragraph")
        GALLERY = "gallery", _("In the closing gallery")

    communique = models.ForeignKey(
        Communique, verbose_name=_("communiqué"), on_delete=models.CASCADE, related_name="images"
    )
    file = models.ImageField(
        _("file"),
        upload_to="communiques/%Y/%m/",
        width_field="width",
        height_field="height",
        blank=True,
        help_text=_("Leave empty to keep the place of a photo that is still to be uploaded."),
    )
    width = models.PositiveIntegerField(_("width"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True, editable=False)
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        blank=True,
        help_text=_("What the photo shows, for readers who cannot see it."),
    )
    is_decorative = models.BooleanField(
        _("decorative"),
        default=False,
        help_text=_(
            "Tick only if the photo adds nothing to the text: it then needs no alternative text, "
            "and screen readers pass over it."
        ),
    )
    caption = models.CharField(_("caption"), max_length=500, blank=True)
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    placement = models.CharField(
        _("placement"), max_length=20, choices=Placement.choices, default=Placement.AFTER_PARAGRAPH
    )
    after_paragraph = models.PositiveSmallIntegerField(
        _("after paragraph"),
        null=True,
        blank=True,
        help_text=_("The number of the paragraph the photo follows (1 for the first)."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Made once, at upload (images.process_upload): {"width", "height", "format", "name"} each.
    renditions = models.JSONField(_("renditions"), default=list, blank=True, editable=False)
    source_sha256 = models.CharField(
        _("fingerprint of the uploaded file"), max_length=64, blank=True, editable=False
    )

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ("order", "id")
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.file.name if self.file else str(_("Missing image"))

    def delete(self, *args, **kwargs) -> tuple[int, dict[str, int]]:
        result = super().delete(*args, **kwargs)
        remove_files_on_commit([self])
        return result

    @property
    def is_missing(self) -> bool:
        return not self.file

    @property
    def alt(self) -> str:
        """Return the alternative text a page gives, in the active language: none if decorative."""
        return "" if self.is_decorative else self.alt_text or ""

    @cached_property
    def picture(self) -> Picture:
        """Return what the page's <picture> needs, from the renditions made at upload."""
        described = describe_renditions(self.renditions, self.file.storage)
        # An image stored before renditions existed is shown as it was uploaded.
        return described or Picture(src=self.file.url, width=self.width, height=self.height)

    def stored_names(self) -> list[str]:
        """Return the names of every file stored for this image: the original, the renditions."""
        names = [rendition["name"] for rendition in self.renditions]
        return [self.file.name, *names] if self.file else names

    def attach(self, processed: ProcessedImage) -> None:
        """Store a processed upload as this image's file; the files it replaces go on commit."""
        replaced = self.stored_names()
        stored = store(processed, self.file.storage)
        self.file = stored.name
        self.width, self.height = processed.width, processed.height
        self.renditions = stored.renditions
        self.source_sha256 = processed.source_sha256
        self.__dict__.pop("picture", None)
        delete_files_on_commit(replaced)

    def detach(self) -> None:
        """Leave the image without a file; its stored files go on commit."""
        replaced = self.stored_names()
        self.file = ""
        self.width = self.height = None
        self.renditions = []
        self.source_sha256 = ""
        self.__dict__.pop("picture", None)
        delete_files_on_commit(replaced)

    def page_position(self) -> tuple[int, int, int, int]:
        """Return a sort key that orders images as a page shows them."""
        rank = PLACEMENT_RANKS[self.placement]
        paragraph = 0
        if self.placement == self.Placement.AFTER_PARAGRAPH:
            paragraph = self.after_paragraph or sys.maxsize
        return (rank, paragraph, self.order, self.pk or 0)

    def clean(self) -> None:
        super().clean()
        if self.placement == self.Placement.AFTER_PARAGRAPH and not self.after_paragraph:
            raise ValidationError({"after_paragraph": _("Say which paragraph the photo follows.")})


# Placement choices are declared in page order: top, after a paragraph, gallery.
PLACEMENT_RANKS = {placement: rank for rank, placement in enumerate(Image.Placement)}


class SourceLink(PageContent):
    class Kind(models.TextChoices):
        ORIGINAL = "original", _("Original source")
        RELATED = "related", _("Related")
        DOCUMENT = "document", _("Document")

    communique = models.ForeignKey(
        Communique, verbose_name=_("communiqué"), on_delete=models.CASCADE, related_name="links"
    )
    url = models.URLField(
        _("address"),
        max_length=2000,
        validators=[URLValidator(schemes=["http", "https"])],
    )
    label = models.CharField(_("label"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ORIGINAL)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = PageContentQuerySet.as_manager()

    class Meta:
        ordering = ("order", "id")
        verbose_name = _("source link")
        verbose_name_plural = _("source links")

    def __str__(self) -> str:
        return self.label or self.url


class SiteSettings(PageContent):
    """The embassy's identity on every page: one row, edited in the admin in every language."""

    # save() writes every instance to this one key, so there can never be a second row.
    SINGLETON_PK = 1

    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_(
            "The embassy's name as the site shows it, in the header, the page titles and to "
            "search engines, e.g. Ambassade de France en Afghanistan."
        ),
    )
    tagline = models.CharField(
        _("tagline"),
        max_length=300,
        blank=True,
        help_text=_("A short line shown under the name, e.g. Press office."),
    )
    logo = models.ImageField(
        _("logo"),
        upload_to="site/",
        width_field="logo_width",
        height_field="logo_height",
        blank=True,
        help_text=_(
            "The emblem shown beside the name and given to search engines as the publisher's "
            "logo: a PNG, JPEG or WebP image, at least 112 pixels high."
        ),
    )
    logo_width = models.PositiveIntegerField(_("logo width"), null=True, blank=True, editable=False)
    logo_height = models.PositiveIntegerField(
        _("logo height"), null=True, blank=True, editable=False
    )
    contact_email = models.EmailField(
        _("press contact email"),
        blank=True,
        help_text=_("Shown at the foot of every page, for journalists."),
    )

    objects = PageContentQuerySet.as_manager()

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self) -> str:
        return self.name or str(self._meta.verbose_name)

    def save(self, *args, **kwargs) -> None:
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> SiteSettings | None:
        """Return the site settings, or None before anyone has saved them."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).first()


# --- The editorial workflow: change notes, preview links, translation readiness, audit log ------


class ChangeNote(PageContent):
    """A public "updated" line of a published communiqué, in each language it was written in."""

    communique = models.ForeignKey(
        Communique,
        verbose_name=_("communiqué"),
        on_delete=models.CASCADE,
        related_name="change_notes",
    )
    note = models.TextField(_("change note"), blank=True)
    created_at = models.DateTimeField(
        _("date"), default=timezone.now, editable=False, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = PageContentQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        get_latest_by = "created_at"
        verbose_name = _("change note")
        verbose_name_plural = _("change notes")

    def __str__(self) -> str:
        return self.note or str(self._meta.verbose_name)


def hash_preview_token(token: str) -> str:
    """Return what is stored of a preview token: its SHA-256, so a leaked table opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


class PreviewLinkQuerySet(models.QuerySet):
    def live(self) -> PreviewLinkQuerySet:
        """Return the links that still open their communiqué: neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def for_token(self, token: str) -> PreviewLinkQuerySet:
        return self.filter(token_hash=hash_preview_token(token))


class PreviewLink(models.Model):
    """A secret address that shows a communiqué in any state to a reviewer without an account.

    Only the token's hash is stored: the whole address is shown once, when it is created.
    """

    LIFETIME = dt.timedelta(days=7)

    communique = models.ForeignKey(
        Communique,
        verbose_name=_("communiqué"),
        on_delete=models.CASCADE,
        related_name="preview_links",
    )
    token_hash = models.CharField(
        _("token fingerprint"), max_length=64, unique=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")

    def __str__(self) -> str:
        return str(_("Preview link of %(communique)s") % {"communique": self.communique})

    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class TranslationVersion(PageContent):
    """Where one language version of a communiqué stands: who translates it, when it was last
    marked ready, and what the original said then.

    Its status (missing, in progress, ready, published) and whether it is outdated are derived
    from the texts each time (Communique.translation_status, is_outdated_in), never stored.
    """

    class Status(models.TextChoices):
        MISSING = "missing", _("missing")
        IN_PROGRESS = "in_progress", _("in progress")
        READY = "ready", _("ready")
        PUBLISHED = "published", _("published")

    communique = models.ForeignKey(
        Communique,
        verbose_name=_("communiqué"),
        on_delete=models.CASCADE,
        related_name="translation_versions",
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    ready_at = models.DateTimeField(_("marked ready"), null=True, blank=True)
    ready_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked ready by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The last translator who changed this language's texts, or marked them ready.
    translator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("translator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the original said when this version was last marked ready (Communique.followed_texts
    # of the original language), to show its translator what changed since; and its fingerprint,
    # which Communique.original_fingerprint no longer equals once it has changed.
    source_snapshot = models.JSONField(
        _("original when marked ready"), default=dict, blank=True, editable=False
    )
    source_fingerprint = models.CharField(
        _("fingerprint of the original when marked ready"),
        max_length=64,
        blank=True,
        default="",
        editable=False,
    )
    # This version's own text fingerprint when marked ready: another one now means it was
    # edited since, and is in progress again.
    text_fingerprint = models.CharField(
        _("text fingerprint when marked ready"),
        max_length=64,
        blank=True,
        default="",
        editable=False,
    )

    objects = PageContentQuerySet.as_manager()

    class Meta:
        ordering = ("communique", "language")
        verbose_name = _("translation version")
        verbose_name_plural = _("translation versions")
        constraints = [
            models.UniqueConstraint(
                fields=("communique", "language"), name="one_version_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.communique} [{self.language}]"

    def edited_since_ready(self, communique: Communique) -> bool:
        """Return True if the version's texts changed since it was marked ready."""
        current = getattr(communique, build_localized_fieldname("text_fingerprint", self.language))
        # Marked ready before fingerprints were kept: taken as unchanged.
        return self.text_fingerprint != "" and self.text_fingerprint != current


class AuditEntry(models.Model):
    """One publication, withdrawal, schedule or permission-relevant act: who, when, what."""

    class Action(models.TextChoices):
        STATUS_CHANGED = "status_changed", _("Status changed")
        PUBLISHED = "published", _("Published")
        SCHEDULED = "scheduled", _("Scheduled")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DELETED = "deleted", _("Deleted")
        PREVIEW_LINK_CREATED = "preview_link_created", _("Preview link created")
        PREVIEW_LINK_REVOKED = "preview_link_revoked", _("Preview link revoked")
        TRANSLATION_READY = "translation_ready", _("Translation marked ready")
        OUTDATED_TRANSLATIONS_CHANGED = (
            "outdated_translations_changed",
            _("Choice for outdated translations changed"),
        )
        ROLES_SET_UP = "roles_set_up", _("Roles set up")
        ROLE_ASSIGNED = "role_assigned", _("Role given")
        ROLE_REMOVED = "role_removed", _("Role taken away")
        PERMISSIONS_CHANGED = "permissions_changed", _("Permissions changed")
        RESTORED = "restored", _("Earlier version restored")

    action = models.CharField(_("action"), max_length=40, choices=Action.choices, db_index=True)
    # Kept when the communiqué is deleted: the entry then names it in its details.
    communique = models.ForeignKey(
        Communique,
        verbose_name=_("communiqué"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("moment"), default=timezone.now, db_index=True)
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ("-at", "-id")
        get_latest_by = "at"
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"

    @classmethod
    def record(
        cls,
        action: str,
        *,
        user: models.Model | None = None,
        communique: Communique | None = None,
        **details: object,
    ) -> AuditEntry:
        # Command-line acts have no user; an anonymous one is none either.
        if user is not None and not user.is_authenticated:
            user = None
        return cls.objects.create(action=action, user=user, communique=communique, details=details)
