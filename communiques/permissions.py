"""Roles of the press office and what each may do, enforced on the server.

Three kinds of group (setup_roles makes them, and makes their permissions exactly these):

- **Press officer**: writes communiqués in every language and submits them for review; never
  publishes, never sets a publication time, never changes a communiqué once it is published.
- **Editor**: everything a press officer does, plus publish, schedule, withdraw, delete what was
  never public, create and revoke preview links, read the audit log, and lift a sign-in lockout
  (django-axes' access attempts: deleting one lets its account in again from its address).
- **Translator (<language>)**, one per language: reads every communiqué, changes only that
  language's texts (TRANSLATABLE_FIELDS) and marks that language version ready.

A user with `change_communique` edits every language; a user without it but with some
`translate_<code>` permissions is a translator, restricted to those languages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.db import models, transaction
from modeltranslation.utils import build_localized_fieldname

from .models import (
    AuditEntry,
    Communique,
    Image,
    SourceLink,
    english_language_name,
    language_codes,
    translate_codename,
)

User = AbstractBaseUser | AnonymousUser

PRESS_OFFICER = "Press officer"
EDITOR = "Editor"

# What a translator may change, per model: texts of one language, nothing that every language
# shares (dates, status, photos' files and credits, addresses).
TRANSLATABLE_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Communique: ("title", "subtitle", "lead", "body", "place", "is_demo_translation"),
    Image: ("alt_text", "caption"),
    SourceLink: ("label",),
}

# A communiqué the public never saw may be deleted; one that was public is withdrawn instead.
DELETABLE_STATUSES = (Communique.Status.DRAFT, Communique.Status.IN_REVIEW)

PRESS_OFFICER_PERMISSIONS = (
    "view_communique",
    "add_communique",
    "change_communique",
    "view_image",
    "add_image",
    "change_image",
    "delete_image",
    "view_sourcelink",
    "add_sourcelink",
    "change_sourcelink",
    "delete_sourcelink",
    "view_category",
)
EDITOR_PERMISSIONS = (
    *PRESS_OFFICER_PERMISSIONS,
    "delete_communique",
    "publish_communique",
    "withdraw_communique",
    "add_category",
    "change_category",
    "view_previewlink",
    "add_previewlink",
    "change_previewlink",
    "view_changenote",
    "view_auditentry",
    # Permissions of another app are named with its label.
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
)
TRANSLATOR_PERMISSIONS = ("view_communique", "view_image", "view_sourcelink", "view_category")


def translator_group_name(code: str) -> str:
    """Return the name of the group of a language's translators: Translator (Pashto)."""
    return f"Translator ({english_language_name(code)})"


# The apps whose permissions the roles are made of; a group's permissions of any other app are
# taken away by setup_roles.
ROLE_APPS = ("communiques", "axes")


def permission_name(permission: Permission) -> str:
    """Name a permission as role_permissions() does: bare in this app, else app.codename."""
    app_label = permission.content_type.app_label
    return (
        permission.codename if app_label == "communiques" else f"{app_label}.{permission.codename}"
    )


def role_permissions() -> dict[str, tuple[str, ...]]:
    """Return each group's permissions: codenames of this app, app.codename of another."""
    roles = {PRESS_OFFICER: PRESS_OFFICER_PERMISSIONS, EDITOR: EDITOR_PERMISSIONS}
    for code in language_codes():
        roles[translator_group_name(code)] = (*TRANSLATOR_PERMISSIONS, translate_codename(code))
    return roles


# --- What a user may do -------------------------------------------------------------------------


def perm(codename: str) -> str:
    return f"communiques.{codename}"


def can_edit_every_language(user: User) -> bool:
    return user.has_perm(perm("change_communique"))


def translation_languages(user: User) -> list[str]:
    """Return the languages the user may translate into, in settings order."""
    return [code for code in language_codes() if user.has_perm(perm(translate_codename(code)))]


def restricted_languages(user: User) -> list[str] | None:
    """Return the only languages whose texts the user may change; None if not restricted."""
    if can_edit_every_language(user):
        return None
    return translation_languages(user)


def can_publish(user: User) -> bool:
    return user.has_perm(perm("publish_communique"))


def can_withdraw(user: User) -> bool:
    return user.has_perm(perm("withdraw_communique"))


def can_preview(user: User) -> bool:
    """Tell whether the user may read communiqués that are not public on the public site."""
    return user.has_perm(perm("view_communique")) or user.has_perm(perm("change_communique"))


def can_change(user: User, communique: Communique | None) -> bool:
    """Tell whether the user may save changes to this communiqué (None: to some communiqué)."""
    if can_edit_every_language(user):
        if communique is None or communique.status in DELETABLE_STATUSES:
            return True
        # Once published (or scheduled, or withdrawn), what the public reads is the editors'.
        return can_publish(user) or can_withdraw(user)
    return bool(translation_languages(user))


def can_delete(user: User, communique: Communique | None) -> bool:
    if not user.has_perm(perm("delete_communique")):
        return False
    return communique is None or communique.status in DELETABLE_STATUSES


def translatable_field_names(model: type[models.Model], languages: Iterable[str]) -> set[str]:
    """Return the localized names of a model's translatable fields in these languages."""
    return {
        build_localized_fieldname(name, code)
        for name in TRANSLATABLE_FIELDS.get(model, ())
        for code in languages
    }


# --- Refusing posted fields outside the form ------------------------------------------------------

# How widgets name the parts of a field: published_at_0 and _1 (split date and time), file-clear
# (ClearableFileInput), title_ps_clear (modeltranslation's ClearableWidgetWrapper).
WIDGET_SUFFIX = re.compile(r"(?:_\d+|-clear|_clear)$")
INLINE_KEY = re.compile(r"(?P<index>\d+)-(?P<name>.+)")
FORMSET_MANAGEMENT = {"TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"}


def model_field_names(model: type[models.Model]) -> set[str]:
    return {
        item.name
        for item in model._meta.get_fields()
        if item.concrete and not item.auto_created and not item.many_to_many
    }


def field_of(key: str, names: set[str]) -> str | None:
    """Return the model field a posted key fills, if any: published_at_0 fills published_at."""
    if key in names:
        return key
    stripped = WIDGET_SUFFIX.sub("", key)
    return stripped if stripped in names else None


@dataclass(frozen=True)
class InlineGuard:
    """What an inline's forms may post: the editable fields, whether rows come and go, and
    which rows there are (an id naming another communiqué's photo is refused, not ignored)."""

    prefix: str
    model: type[models.Model]
    editable: frozenset[str]
    can_add: bool
    can_delete: bool
    parent_link: str
    existing: frozenset[str] = frozenset()

    def refused(self, data: Mapping[str, object], files: Iterable[str] = ()) -> list[str]:
        names = model_field_names(self.model) - {"id", self.parent_link}
        initial = _as_int(data.get(f"{self.prefix}-INITIAL_FORMS"))
        refused = []
        for key in [*data, *files]:
            if not key.startswith(f"{self.prefix}-"):
                continue
            rest = key[len(self.prefix) + 1 :]
            if rest in FORMSET_MANAGEMENT:
                if rest == "TOTAL_FORMS" and not self.can_add:
                    if _as_int(data.get(key)) > initial:
                        refused.append(key)
                continue
            match = INLINE_KEY.fullmatch(rest)
            if match is None:
                continue
            index, name = int(match["index"]), match["name"]
            if not self.can_add and index >= initial:
                refused.append(key)
            elif name == "DELETE":
                if not self.can_delete:
                    refused.append(key)
            elif name == "id":
                if (value := data.get(key)) and str(value) not in self.existing:
                    refused.append(key)
            elif (posted := field_of(name, names)) and posted not in self.editable:
                refused.append(key)
        return refused


def _as_int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True)
class FieldGuard:
    """The fields a user's change form may post, to refuse a request that posts any other.

    Django ignores posted keys that are not fields of the form, so a forged field would simply
    not be saved. Refusing the request instead tells the user, and the test suite, that the
    boundary held: the save is refused with a form error and nothing is written.
    """

    model: type[models.Model]
    editable: frozenset[str]
    inlines: tuple[InlineGuard, ...] = field(default=())

    def refused(self, data: Mapping[str, object], files: Iterable[str] = ()) -> list[str]:
        """Return the posted names (data, then files) that this user's form may not post."""
        names = model_field_names(self.model)
        refused = [
            key
            for key in [*data, *files]
            if (posted := field_of(key, names)) is not None and posted not in self.editable
        ]
        for inline in self.inlines:
            refused.extend(inline.refused(data, files))
        return refused


# --- Groups ------------------------------------------------------------------------------------


@dataclass
class RoleChange:
    created: bool = False
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@transaction.atomic
def setup_roles(*, user: User | None = None) -> dict[str, RoleChange]:
    """Create the groups and give each exactly its permissions; return what changed.

    Running it again changes nothing and records nothing.
    """
    # Permissions are created after migrate; a language added since needs them now.
    for app_label in ROLE_APPS:
        create_permissions(apps.get_app_config(app_label), verbosity=0)
    available = {
        permission_name(permission): permission
        for permission in Permission.objects.filter(
            content_type__app_label__in=ROLE_APPS
        ).select_related("content_type")
    }
    changes: dict[str, RoleChange] = {}
    for name, codenames in role_permissions().items():
        group, created = Group.objects.get_or_create(name=name)
        wanted = {available[codename] for codename in codenames}
        held = set(group.permissions.select_related("content_type"))
        current = {p for p in held if p.content_type.app_label in ROLE_APPS}
        other_apps = held - current
        if created or wanted != current or other_apps:
            group.permissions.set(wanted)
            changes[name] = RoleChange(
                created=created,
                added=sorted(permission_name(p) for p in wanted - current),
                removed=sorted(permission_name(p) for p in (current - wanted) | other_apps),
            )
    if changes:
        AuditEntry.record(
            AuditEntry.Action.ROLES_SET_UP,
            user=user,
            groups={
                name: {"created": change.created, "added": change.added, "removed": change.removed}
                for name, change in changes.items()
            },
        )
    return changes


def assign_role(user: AbstractBaseUser, group_name: str, *, by: User | None = None) -> bool:
    """Put a user in a role's group, recording it in the audit log; False if already there."""
    group = Group.objects.get(name=group_name)
    if user.groups.filter(pk=group.pk).exists():
        return False
    user.groups.add(group)
    AuditEntry.record(
        AuditEntry.Action.ROLE_ASSIGNED, user=by, member=user.get_username(), group=group.name
    )
    return True
