"""Versions of communiqués: every save keeps the communiqué in all its languages, with its images'
texts and its links; the admin lists the versions, compares any two, and restores any of them.

A version is one historical record of the communiqué (django-simple-history), together with the
historical records of its images and links as they stood until the next version: a version lasts
from one save of the communiqué to the next. Where it ends is told by two marks on the next
record, image_history_before and link_history_before: the highest history ids of the communiqué's
images and links when that save began. The admin saves the communiqué before its images and
links, so those marks close the previous version after everything saved with it, and after any
image or link written since outside a save of the communiqué (an import adds its photos after
the communiqué). The latest version lasts until now.

Ids rather than dates, because ids stay in order when two saves share a timestamp (a frozen or
coarse clock), and because the saves of one communiqué are serialised by its row lock
(admin.VersionHistoryMixin, restore_version): no other save of it can slip an id in between.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import simple_history
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info, gettext, to_locale
from modeltranslation.utils import build_localized_fieldname

from . import text
from .models import (
    WRITTEN_TEXTS,
    AuditEntry,
    Category,
    Communique,
    Image,
    SourceLink,
    language_codes,
)

# What a version shows and compares, per model: the texts of every language (for a communiqué,
# WRITTEN_TEXTS), then what the languages share.
COMMUNIQUE_SHARED = (
    "original_language",
    "category",
    "event_date",
    "published_at",
    "status",
    "slug",
    "withdrawal_kind",
)
IMAGE_TEXTS = ("alt_text", "caption")
IMAGE_SHARED = ("file", "is_decorative", "credit", "placement", "after_paragraph", "order")
LINK_TEXTS = ("label",)
LINK_SHARED = ("url", "kind", "order")

# What a restore brings back: the content. The status, the publication time, the slug and the
# withdrawal belong to the workflow, with its own permissions, and keep their current values; an
# image's file is never restored (its stored files went when it was replaced or deleted).
RESTORED_TEXTS = ("title", "subtitle", "lead", "body", "place", "is_demo_translation")
RESTORED_SHARED = ("original_language", "category", "event_date")
RESTORED_IMAGE_SHARED = ("is_decorative", "credit", "placement", "after_paragraph", "order")

HISTORY_MANAGER = "history"


# --- Registration --------------------------------------------------------------------------------


class VersionMarks(models.Model):
    """What the historical records of communiqués add to simple-history's: a version's marks."""

    # The highest history ids of the communiqué's images and links when this save began (0 if
    # none): where the previous version ends. None for records written in bulk
    # (populate_history), whose versions end by date instead.
    image_history_before = models.PositiveBigIntegerField(null=True, editable=False)
    link_history_before = models.PositiveBigIntegerField(null=True, editable=False)
    # The history id of the version this one restored, if it is a restore.
    restored_from = models.PositiveBigIntegerField(null=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding:
            for model in (Image, SourceLink):
                record_unversioned_rows(model, self.id)
            self.image_history_before = highest_history_id(Image, self.id)
            self.link_history_before = highest_history_id(SourceLink, self.id)
        super().save(*args, **kwargs)


def record_unversioned_rows(model: type[models.Model], communique_id: int) -> None:
    """Record the communiqué's rows of a model that have no history yet, as they stand.

    Rows written before versions were kept, or by paths that bypass save() (loaddata, bulk
    writes), would otherwise be missing from every version: a comparison would show them as
    added, a restore would not know their texts. Recorded as changes ("~"), not creations: a
    restore never deletes a link whose creation it did not see.
    """
    history = getattr(model, HISTORY_MANAGER)
    unrecorded = list(
        model.objects.filter(communique_id=communique_id).exclude(
            pk__in=history.filter(communique_id=communique_id).values("id")
        )
    )
    if unrecorded:
        history.bulk_history_create(unrecorded, update=True)


def highest_history_id(model: type[models.Model], communique_id: int) -> int:
    history = getattr(model, HISTORY_MANAGER)
    top = history.filter(communique_id=communique_id).aggregate(top=Max("history_id"))["top"]
    return top or 0


def register_history() -> None:
    """Give communiqués, their images and their links a historical model each.

    Called once modeltranslation has added the per-language fields (apps.ready): the historical
    model copies the fields its model has when it is made, and HistoricalRecords() declared in
    the model's body would be made before them, missing every title_fa_af.
    """
    derived = [
        build_localized_fieldname(name, code)
        for name in ("search_text", "search_vector")
        for code in language_codes()
    ]
    simple_history.register(
        Communique,
        manager_name=HISTORY_MANAGER,
        bases=[VersionMarks],
        excluded_fields=["search_text", *derived],
        # A change note may be long, and is written in every language the communiqué has.
        history_change_reason_field=models.TextField(null=True),
    )
    simple_history.register(Image, manager_name=HISTORY_MANAGER)
    simple_history.register(SourceLink, manager_name=HISTORY_MANAGER)


# --- Word-level differences ---------------------------------------------------------------------


def field_diff(old: str, new: str) -> SafeString:
    """Return new as a word-level diff from old: removed words in <del>, added ones in <ins>.

    The one diff of the project is text.word_diff, which the outdated translations show too; it
    escapes every word, so what a field holds is shown, never interpreted.
    """
    return mark_safe(text.word_diff(old or "", new or ""))


# --- Snapshots: a version, or the communiqué as it is now, in one shape ---------------------------


@dataclass(frozen=True)
class FieldSpec:
    """A compared field: its localized name, its model field's, its language ("" if shared)."""

    name: str
    base: str
    language: str = ""


def field_specs(texts: Sequence[str], shared: Sequence[str]) -> tuple[FieldSpec, ...]:
    """Return the texts of every language, language by language, then the shared fields."""
    localized = tuple(
        FieldSpec(build_localized_fieldname(name, code), name, code)
        for code in language_codes()
        for name in texts
    )
    return (*localized, *(FieldSpec(name, name) for name in shared))


def communique_specs() -> tuple[FieldSpec, ...]:
    return field_specs(WRITTEN_TEXTS, COMMUNIQUE_SHARED)


def image_specs() -> tuple[FieldSpec, ...]:
    return field_specs(IMAGE_TEXTS, IMAGE_SHARED)


def link_specs() -> tuple[FieldSpec, ...]:
    return field_specs(LINK_TEXTS, LINK_SHARED)


def values_of(model: type[models.Model], specs: Iterable[FieldSpec], source: Any) -> dict:
    """Return the fields' values of a row or of its historical record, which share attributes."""
    values = {}
    for spec in specs:
        value = model._meta.get_field(spec.name).value_from_object(source)
        values[spec.name] = value.name if isinstance(value, FieldFile) else value
    return values


@dataclass(frozen=True)
class Snapshot:
    """A communiqué's compared fields, and its images' and links', by id."""

    communique: dict[str, Any]
    images: dict[int, dict[str, Any]]
    links: dict[int, dict[str, Any]]


def current_snapshot(communique: Communique) -> Snapshot:
    """Return the communiqué as it is stored now."""
    return Snapshot(
        communique=values_of(Communique, communique_specs(), communique),
        images={
            image.pk: values_of(Image, image_specs(), image)
            for image in Image.objects.filter(communique=communique)
        },
        links={
            link.pk: values_of(SourceLink, link_specs(), link)
            for link in SourceLink.objects.filter(communique=communique)
        },
    )


def next_version(record: Any) -> Any:
    """Return the version after this one, or None if it is the latest."""
    later = record.__class__.objects.filter(id=record.id, history_id__gt=record.history_id)
    return later.order_by("history_id").first()


def version_rows(model: type[models.Model], record: Any, following: Any) -> Any:
    """Return the history of the communiqué's rows of a model until the end of a version."""
    history = getattr(model, HISTORY_MANAGER).filter(communique_id=record.id)
    if following is None:
        return history
    mark = "image_history_before" if model is Image else "link_history_before"
    end = getattr(following, mark)
    if end is None:
        return history.filter(history_date__lt=following.history_date)
    return history.filter(history_id__lte=end)


def rows_of_version(model: type[models.Model], record: Any, following: Any) -> dict[int, Any]:
    """Return the historical records of the communiqué's rows of a model as of a version, by id."""
    history = version_rows(model, record, following)
    latest: dict[int, Any] = {}
    for row in history.order_by("history_id"):
        latest[row.id] = row
    return {pk: row for pk, row in latest.items() if row.history_type != "-"}


def version_snapshot(record: Any) -> Snapshot:
    """Return a version: the communiqué's record, with its images and links as they then stood."""
    following = next_version(record)
    images = rows_of_version(Image, record, following)
    links = rows_of_version(SourceLink, record, following)
    return Snapshot(
        communique=values_of(Communique, communique_specs(), record),
        images={pk: values_of(Image, image_specs(), row) for pk, row in images.items()},
        links={pk: values_of(SourceLink, link_specs(), row) for pk, row in links.items()},
    )


def describe_version(
    communique: Communique, *, reason: str = "", restored_from: int | None = None
) -> Any:
    """Give the communiqué's latest version its change note, or the version it restored.

    Return the version, or None if the last save kept none.
    """
    record = getattr(communique, HISTORY_MANAGER).order_by("-history_id").first()
    if record is None or record.lock_version != communique.lock_version:
        return None
    fields = []
    if reason:
        record.history_change_reason = reason
        fields.append("history_change_reason")
    if restored_from is not None:
        record.restored_from = restored_from
        fields.append("restored_from")
    if fields:
        record.save(update_fields=fields)
    return record


# --- Differences between two snapshots -----------------------------------------------------------


def language_attributes(code: str) -> tuple[str, str]:
    """Return the lang and dir attributes of a language's text: ("fa-AF", "rtl")."""
    if not code:
        return "", ""
    direction = "rtl" if get_language_info(code)["bidi"] else "ltr"
    return to_locale(code).replace("_", "-"), direction


@dataclass(frozen=True)
class Change:
    """One field that differs between two snapshots, as the admin shows it."""

    label: str
    language: str
    old: str
    new: str

    @property
    def language_name(self) -> str:
        return str(dict(settings.LANGUAGES).get(self.language, "")) if self.language else ""

    @property
    def lang(self) -> str:
        return language_attributes(self.language)[0]

    @property
    def dir(self) -> str:
        return language_attributes(self.language)[1]

    @property
    def diff(self) -> SafeString:
        return field_diff(self.old, self.new)


@dataclass(frozen=True)
class Section:
    """The changes of the communiqué itself, or of one of its images or links."""

    title: str
    name: str = ""
    # "added" or "deleted" for a row that exists on one side only.
    state: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return {"added": gettext("added"), "deleted": gettext("deleted")}.get(self.state, "")


def display_value(
    model: type[models.Model], spec: FieldSpec, value: Any, categories: dict[int, str]
) -> str:
    """Return a field's value as text to read, and to compare word by word."""
    if value is None or value == "":
        return ""
    model_field = model._meta.get_field(spec.name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        return categories.get(value, str(value))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if spec.base == "body":
        # Read as text, a paragraph a line: a formatting change alone shows as its markup.
        return text.comparable_text(value, is_html=True)
    return str(value)


def field_label(model: type[models.Model], spec: FieldSpec) -> str:
    return str(model._meta.get_field(spec.base).verbose_name)


def changes_between(
    model: type[models.Model],
    specs: Iterable[FieldSpec],
    old: dict[str, Any],
    new: dict[str, Any],
    categories: dict[int, str],
) -> list[Change]:
    changes = []
    for spec in specs:
        before, after = old.get(spec.name), new.get(spec.name)
        if (before in (None, "")) and (after in (None, "")) or before == after:
            continue
        old_text = display_value(model, spec, before, categories)
        new_text = display_value(model, spec, after, categories)
        if old_text == new_text:
            if spec.base != "body":
                # The same to read, such as a time to the microsecond.
                continue
            # Different markup for the same text: show the markup.
            old_text, new_text = str(before or ""), str(after or "")
        changes.append(Change(field_label(model, spec), spec.language, old_text, new_text))
    return changes


def compare(old: Snapshot, new: Snapshot) -> list[Section]:
    """Return what differs from old to new: the communiqué's fields, then each image and link."""
    category_ids = {snapshot.communique.get("category") for snapshot in (old, new)} - {None}
    categories = {
        category.pk: str(category) for category in Category.objects.filter(pk__in=category_ids)
    }
    sections = []
    changes = changes_between(
        Communique, communique_specs(), old.communique, new.communique, categories
    )
    if changes:
        sections.append(Section(title=str(Communique._meta.verbose_name), changes=changes))
    rows = (
        (Image, image_specs(), old.images, new.images, "file"),
        (SourceLink, link_specs(), old.links, new.links, "url"),
    )
    for model, specs, old_rows, new_rows, name_field in rows:
        for pk in sorted(old_rows.keys() | new_rows.keys()):
            before, after = old_rows.get(pk), new_rows.get(pk)
            changes = changes_between(model, specs, before or {}, after or {}, categories)
            state = "added" if before is None else "deleted" if after is None else ""
            if changes or state:
                name = (after or before or {}).get(name_field) or gettext("without a file")
                title = str(model._meta.verbose_name)
                sections.append(Section(title=title, name=name, state=state, changes=changes))
    return sections


# --- Restoring a version -------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    """What a restore did, to tell the user."""

    communique: Communique
    # Images deleted since the version: back with their texts, their file to upload again.
    recreated_images: int
    # Images added since the version: kept, as a restore never deletes a photo's files.
    kept_images: int


def created_after(model: type[models.Model], record: Any) -> set[int]:
    """Return the ids of the communiqué's rows of a model first saved after a version ended."""
    created = getattr(model, HISTORY_MANAGER).filter(communique_id=record.id, history_type="+")
    until = version_rows(model, record, next_version(record))
    return set(
        created.exclude(history_id__in=until.values("history_id")).values_list("id", flat=True)
    )


def missing_alt_texts(communique: Communique) -> list[str]:
    """Return the languages in which a published communiqué's photos lack an alternative text."""
    if communique.status != Communique.Status.PUBLISHED:
        return []
    names = dict(settings.LANGUAGES)
    missing = []
    images = [image for image in communique.images.all() if image.file and not image.is_decorative]
    for code in communique.available_languages:
        name = build_localized_fieldname("alt_text", code)
        if any(not getattr(image, name) for image in images):
            missing.append(str(names[code]))
    return missing


@transaction.atomic
def restore_version(*, communique: Communique, record: Any, user: Any) -> Restored:
    """Bring back a version's texts in every language, its images' texts and its links.

    The restore is saved as a new version, so it can itself be undone, and audited. Raise
    ValidationError, saving nothing, if the result would break the communiqué's own rules.
    """
    # Locked like an admin save, so that no form saves over the restore unknowingly.
    current = Communique.objects.select_for_update().get(pk=communique.pk)
    version = version_snapshot(record)
    for spec in field_specs(RESTORED_TEXTS, RESTORED_SHARED):
        value = version.communique.get(spec.name)
        if spec.name == "category" and value and not Category.objects.filter(pk=value).exists():
            # A category deleted since: the communiqué keeps its present one.
            continue
        setattr(current, Communique._meta.get_field(spec.name).attname, value)
    current.clean()
    current.updated_by = user
    current._history_user = user
    current.save()

    live_images = {image.pk: image for image in Image.objects.filter(communique=current)}
    recreated = 0
    image_fields = [
        *(spec.name for spec in field_specs(IMAGE_TEXTS, ())),
        *RESTORED_IMAGE_SHARED,
    ]
    for pk, values in version.images.items():
        image = live_images.get(pk)
        if image is None:
            # Its files went when it was deleted: it comes back as the place of a photo to upload.
            image = Image(pk=pk, communique=current)
            recreated += 1
        restore_row(image, image_fields, values, user, new=pk not in live_images)
    kept = len(live_images.keys() - version.images.keys())

    live_links = {link.pk: link for link in SourceLink.objects.filter(communique=current)}
    link_fields = [spec.name for spec in link_specs()]
    for pk, values in version.links.items():
        link = live_links.get(pk) or SourceLink(pk=pk, communique=current)
        restore_row(link, link_fields, values, user, new=pk not in live_links)
    added_since = created_after(SourceLink, record)
    for pk in live_links.keys() - version.links.keys():
        # A link with no record of its creation predates the history: it is kept.
        if pk in added_since:
            link = live_links[pk]
            link._history_user = user
            link.delete()

    # save() fingerprinted the photos and links as they were before the restore: the
    # translations' outdated flags must follow the restored ones, as after an admin save.
    current.update_fingerprints()
    if missing := missing_alt_texts(current):
        raise ValidationError(
            gettext(
                "This version cannot be restored while the communiqué is published: its photos "
                "would have no alternative text in %(languages)s."
            )
            % {"languages": ", ".join(missing)}
        )
    describe_version(current, restored_from=record.history_id)
    AuditEntry.record(
        AuditEntry.Action.RESTORED,
        user=user,
        communique=current,
        version=record.history_id,
        version_date=record.history_date,
    )
    return Restored(communique=current, recreated_images=recreated, kept_images=kept)


def restore_row(
    row: models.Model, names: Iterable[str], values: dict[str, Any], user: Any, *, new: bool
) -> None:
    """Give a row a version's values, saving it only if something changes."""
    changed = new
    for name in names:
        attname = row._meta.get_field(name).attname
        if getattr(row, attname) != values.get(name):
            setattr(row, attname, values.get(name))
            changed = True
    if changed:
        row._history_user = user
        row.save(force_insert=new)


# --- The list of versions ----------------------------------------------------------------------


@dataclass(frozen=True)
class VersionEntry:
    """A version as the list of versions shows it: its number, and what happened in it."""

    record: Any
    number: int
    events: list[str]
    # The change note written with the save, if any, in every language it was written in.
    note: str

    @property
    def user(self) -> Any:
        return self.record.history_user


def version_entries(communique: Communique) -> list[VersionEntry]:
    """Return the communiqué's versions, newest first, numbered from 1 for the first."""
    records = list(
        getattr(communique, HISTORY_MANAGER).select_related("history_user").order_by("history_id")
    )
    statuses = dict(Communique.Status.choices)
    moments = {record.history_id: record.history_date for record in records}
    entries = []
    previous = None
    for number, record in enumerate(records, start=1):
        events = []
        if record.history_type == "+":
            events.append(gettext("Created"))
        if record.restored_from is not None:
            moment = moments.get(record.restored_from)
            events.append(
                gettext("Restored the version of %(moment)s")
                % {"moment": timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")}
                if moment
                else gettext("Restored an earlier version")
            )
        if previous is not None and previous.status != record.status:
            events.append(
                gettext("Status: %(old)s → %(new)s")
                % {"old": statuses[previous.status], "new": statuses[record.status]}
            )
        entries.append(VersionEntry(record, number, events, record.history_change_reason or ""))
        previous = record
    return entries[::-1]


def field_title(model: type[models.Model], name: str) -> str:
    """Return a field's name for people, with its language if it has one: title (Dari)."""
    model_field = model._meta.get_field(name)
    language = getattr(model_field, "language", "")
    if not language:
        return str(model_field.verbose_name)
    label = model_field.translated_field.verbose_name
    return gettext("%(field)s (%(language)s)") % {
        "field": label,
        "language": dict(settings.LANGUAGES)[language],
    }
