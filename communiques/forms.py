"""Forms of the admin: what every form removes or refuses of hostile input, date fields that read
both calendars, the image inline, and the body's rich-text editor.

Date fields read Solar Hijri as well as Gregorian, and show both.

A press officer may type `2019-06-25`, `1398/04/04` or `۱۳۹۸/۰۴/۰۴`: each is stored as the same
Gregorian date. Beside the input, an <output> shows the date in both calendars, written by the
server in the admin's language (so it is there with JavaScript off) and refreshed while typing
by static/communiques/admin/dual_date.js, which asks the server rather than converting itself.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminDateWidget, AdminSplitDateTime
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.forms.models import BaseInlineFormSet
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import AdminProseEditorWidget
from modeltranslation.utils import build_localized_fieldname

from . import text
from .dates import format_dual, from_solar_hijri, normalize_digits
from .images import ProcessedImage, process_upload
from .models import Communique, Image

# Year, month and day, year first, separated by slashes or hyphens: 1398/04/04, 2019-06-25.
YEAR_FIRST_DATE = re.compile(r"(\d{1,4})[/-](\d{1,2})[/-](\d{1,2})")

# Solar Hijri 1700 is Gregorian 2321: until then, a year below 1700 can only be a Solar Hijri one.
SOLAR_YEAR_LIMIT = 1700

SOLAR_INPUT_HINT = _("A Solar Hijri date such as 1398/04/04 is converted when it is saved.")


def with_solar_hint(help_text: Any) -> Any:
    """Return the field's help text followed by the hint that Solar Hijri dates are accepted."""
    return format_lazy("{} {}", help_text, SOLAR_INPUT_HINT) if help_text else SOLAR_INPUT_HINT


class DualCalendarDateField(forms.DateField):
    """A date typed in the Gregorian or the Solar Hijri calendar, with either set of digits."""

    default_error_messages = {
        "invalid_solar_date": _(
            "There is no Solar Hijri date %(value)s: check the month and the day."
        ),
    }

    def __init__(self, *, help_text: Any = "", **kwargs: Any) -> None:
        super().__init__(help_text=with_solar_hint(help_text), **kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if not isinstance(value, str):
            return super().to_python(value)
        typed = value.strip()
        value = normalize_digits(typed)
        match = YEAR_FIRST_DATE.fullmatch(value)
        if match is None:
            return super().to_python(value)
        year, month, day = (int(part) for part in match.groups())
        try:
            if year < SOLAR_YEAR_LIMIT:
                return from_solar_hijri(year, month, day)
            return dt.date(year, month, day)
        except ValueError:
            code = "invalid_solar_date" if year < SOLAR_YEAR_LIMIT else "invalid"
            raise ValidationError(
                self.error_messages[code], code=code, params={"value": typed}
            ) from None


class LocalDigitsTimeField(forms.TimeField):
    """A time that may be typed with Persian digits: ۱۰:۳۰."""

    def to_python(self, value: Any) -> dt.time | None:
        if isinstance(value, str):
            value = normalize_digits(value)
        return super().to_python(value)


class DualCalendarSplitDateTimeField(forms.SplitDateTimeField):
    """A date and a time, whose date may be typed in the Solar Hijri calendar."""

    def __init__(self, *, help_text: Any = "", **kwargs: Any) -> None:
        super().__init__(help_text=with_solar_hint(help_text), **kwargs)
        date_field, time_field = self.fields
        # The parts SplitDateTimeField built, with the same options (formats, messages, and
        # required=False: MultiValueField checks completeness itself), read more leniently.
        self.fields = (
            DualCalendarDateField(
                input_formats=date_field.input_formats,
                error_messages=date_field.error_messages,
                localize=date_field.localize,
                disabled=date_field.disabled,
                required=False,
            ),
            LocalDigitsTimeField(
                input_formats=time_field.input_formats,
                error_messages=time_field.error_messages,
                localize=time_field.localize,
                disabled=time_field.disabled,
                required=False,
            ),
        )


def read_date(text: str) -> dt.date | None:
    """Return the date a press officer typed, or None if nothing; raise ValidationError."""
    return DualCalendarDateField(required=False).clean(text)


def dual_date_text(value: Any) -> str:
    """Return a typed or stored date in both calendars, in the active language; "" if none."""
    if isinstance(value, str):
        try:
            value = read_date(value)
        except ValidationError:
            # The form shows the error beside the field; the display stays empty.
            return ""
    if not isinstance(value, dt.date):
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return format_dual(value, translation.get_language() or settings.LANGUAGE_CODE)


class DualDateOutputMixin:
    """Give a date widget's template what it needs to show the date in both calendars."""

    # Widget templates are found by the form renderer, which looks in the apps' template
    # folders only: these live in communiques/templates/, not in the project's templates/.
    output_template_name = "communiques/widgets/dual_date_output.html"

    class Media:
        js = ("communiques/admin/dual_date.js",)
        css = {"all": ("communiques/admin/dual_date.css",)}

    def dual_date_context(self, value: Any, input_id: str) -> dict[str, str]:
        return {
            "text": dual_date_text(value),
            "input_id": input_id,
            "lookup_url": str(self.lookup_url),
            "template_name": self.output_template_name,
        }


class DualCalendarDateWidget(DualDateOutputMixin, AdminDateWidget):
    """The admin's date input, with its shortcuts, and the date in both calendars beside it."""

    template_name = "communiques/widgets/dual_calendar_date.html"

    def __init__(
        self, attrs: dict[str, Any] | None = None, format: str | None = None, *, lookup_url: Any
    ) -> None:
        super().__init__(attrs, format)
        # The address dual_date.js asks for the dual date of what is typed.
        self.lookup_url = lookup_url

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["dual_date"] = self.dual_date_context(value, context["widget"]["attrs"].get("id"))
        return context


class DualCalendarSplitDateTimeWidget(DualDateOutputMixin, AdminSplitDateTime):
    """The admin's date and time inputs, with the date in both calendars beside the date."""

    template_name = "communiques/widgets/dual_calendar_split_datetime.html"

    def __init__(self, attrs: dict[str, Any] | None = None, *, lookup_url: Any) -> None:
        super().__init__(attrs)
        self.lookup_url = lookup_url

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        # Typed, the value is [date, time]; stored, an aware datetime, dated in the embassy.
        date = value[0] if isinstance(value, (list, tuple)) and value else value
        date_widget = context["widget"]["subwidgets"][0]
        context["dual_date"] = self.dual_date_context(date, date_widget["attrs"].get("id"))
        return context


# --- Hostile input: what every admin form removes or refuses, whatever its fields.


class PlainTextFormMixin:
    """Remove the characters that only hide or disguise text from every text field posted.

    Django's fields already refuse a NUL character and text longer than its column, with their
    translated messages. What is removed here (text.HIDDEN_CHARACTERS) no communiqué needs: it
    goes as it came, unseen. A required field left empty by the removal is refused as empty.
    """

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        for name, value in list(cleaned_data.items()):
            field = self.fields.get(name)
            if not isinstance(value, str) or not isinstance(field, forms.CharField):
                continue
            cleaned = text.strip_hidden_characters(value)
            if cleaned == value:
                continue
            if field.strip:
                cleaned = cleaned.strip()
            cleaned_data[name] = cleaned or field.empty_value
            if field.required and not cleaned:
                self.add_error(name, field.error_messages["required"])
        return cleaned_data


class PlainTextModelForm(PlainTextFormMixin, forms.ModelForm):
    """A model's admin form that removes hidden characters from what is typed."""


# Host names that only a local network resolves: a link to one leads readers nowhere.
PRIVATE_HOST_SUFFIXES = ("localhost", "local", "localdomain", "internal", "lan", "home.arpa")


def is_private_host(host: str) -> bool:
    """Tell whether a host name or address is one of a private network, or of the machine."""
    host = host.lower().rstrip(".")
    if any(host == suffix or host.endswith(f".{suffix}") for suffix in PRIVATE_HOST_SUFFIXES):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    # Loopback, private, link-local (169.254/16, the cloud metadata service), unspecified,
    # shared, reserved: everything but the public Internet.
    return not address.is_global


def validate_public_address(value: str) -> None:
    """Refuse a link's address that would publish a password, or lead to a private network.

    Such links are published, never fetched: the harm is a leaked password or a broken link.
    """
    parts = urlsplit(value)
    if "@" in parts.netloc:
        raise ValidationError(
            _(
                "Remove the user name and password from the address: the page would show them "
                "to every reader."
            ),
            code="credentials",
        )
    if is_private_host(parts.hostname or ""):
        raise ValidationError(
            _(
                "%(host)s is an address of a private network, which readers cannot reach: give "
                "the public address of the page."
            ),
            code="private_address",
            params={"host": parts.hostname},
        )


class SourceLinkForm(PlainTextModelForm):
    """A source link: a public address, with its label in each language."""

    def clean_url(self) -> str:
        url = self.cleaned_data.get("url")
        if url:
            validate_public_address(url)
        return url


# --- Images: uploads go through the image pipeline, and a published communiqué's images are
# described in every language it is published in.


class ImageUploadField(forms.FileField):
    """Accept an image by decoding it, whatever its name says; clean it into a ProcessedImage.

    forms.ImageField is not used: it judges by the file name's extension first.
    """

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        # Only a hint for the browser's file chooser: the server decides by decoding.
        attrs.setdefault("accept", "image/jpeg,image/png,image/webp,image/gif")
        return attrs

    def to_python(self, data: UploadedFile | None) -> ProcessedImage | None:
        upload = super().to_python(data)
        if upload is None:
            return None
        return process_upload(upload)


class ImageInlineForm(PlainTextFormMixin, forms.ModelForm):
    """Store an accepted upload, with its renditions, only when the whole change is saved."""

    class Meta:
        field_classes = {"file": ImageUploadField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.processed_image: ProcessedImage | None = None
        self.removes_file = False

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        upload = cleaned_data.get("file")
        # Taken out of cleaned_data so that the model form never writes the raw upload: save()
        # stores the re-encoded image, or removes the old one.
        if isinstance(upload, ProcessedImage):
            self.processed_image = cleaned_data.pop("file")
        elif upload is False:
            self.removes_file = True
            cleaned_data.pop("file")
        return cleaned_data

    def save(self, commit: bool = True) -> Image:
        if self.processed_image is not None:
            self.instance.attach(self.processed_image)
        elif self.removes_file:
            self.instance.detach()
        return super().save(commit)

    def has_file(self) -> bool:
        """Tell whether the image has a file once this form is saved."""
        if self.processed_image is not None:
            return True
        return bool(self.instance.file) and not self.removes_file


class ImageInlineFormSet(BaseInlineFormSet):
    """Refuse a published communiqué an image that is not described in one of its languages."""

    def clean(self) -> None:
        super().clean()
        # The communiqué as typed in the same request: its status and texts are those posted.
        communique: Communique = self.instance
        if communique.status != Communique.Status.PUBLISHED:
            return
        names = dict(settings.LANGUAGES)
        for form in self.forms:
            if self._should_delete_form(form) or not form.has_file() or form.instance.is_decorative:
                continue
            for code in communique.available_languages:
                field = build_localized_fieldname("alt_text", code)
                if getattr(form.instance, field, None):
                    continue
                form.add_error(
                    field if field in form.fields else None,
                    gettext(
                        "Describe the photo in %(language)s, or mark it as decorative: the "
                        "communiqué is published in %(language)s."
                    )
                    % {"language": names[code]},
                )


# --- The body's rich-text editor (django-prose-editor: Tiptap on ProseMirror).
#
# The sanitiser is the policy: text.sanitize_html runs in Communique.save() and is the one security
# boundary. The editor only follows it, offering the extensions whose every element nh3 keeps, so
# that what a press officer formats is what the page shows. Each extension, with what it writes:
BODY_EDITOR_EXTENSION_TAGS = {
    "HardBreak": {"br"},
    "Bold": {"strong"},
    "Italic": {"em"},
    "Underline": {"u"},
    "Strike": {"s"},
    "Subscript": {"sub"},
    "Superscript": {"sup"},
    "BulletList": {"ul", "li"},
    "OrderedList": {"ol", "li"},
    "ListItem": {"li"},
    "Blockquote": {"blockquote"},
    "Link": {"a"},
}
# Paragraphs are always on; headings take the levels the policy allows (h2 to h4: the page's title
# is the h1). Images, tables and colours have no entry: nh3 would strip them.
HEADING_TAG = re.compile(r"h([1-6])")


def body_editor_extensions() -> dict[str, Any]:
    """Return the editor's extensions and their options, as the sanitising policy allows them."""
    extensions: dict[str, Any] = {
        name: True for name, tags in BODY_EDITOR_EXTENSION_TAGS.items() if tags <= text.ALLOWED_TAGS
    }
    levels = sorted(
        int(match[1]) for tag in text.ALLOWED_TAGS if (match := HEADING_TAG.fullmatch(tag))
    )
    if levels:
        extensions["Heading"] = {"levels": levels}
    if "Link" in extensions:
        # A target attribute would be stripped: links open in the same window.
        extensions["Link"] = {"enableTarget": "target" in text.ALLOWED_ATTRIBUTES.get("a", set())}
    if "OrderedList" in extensions:
        # An ordered list's start and numbering style would be stripped: don't offer to set them.
        extensions["OrderedList"] = {"enableListAttributes": False}
    # The package turns the browser's spell checking off by default; a communiqué is published
    # prose, and the editable area carries its language, so the right dictionary is used.
    extensions["NoSpellCheck"] = False
    return extensions


class BodyEditorWidget(AdminProseEditorWidget):
    """The rich-text editor of a communiqué's body, in one language.

    The textarea it replaces keeps the lang and dir the admin gives each language's field;
    body_editor.js hands them to the editable area, so that Dari and Pashto are written right to
    left whatever the language of the admin.
    """

    class Media:
        js = ("communiques/admin/body_editor.js",)
        css = {"all": ("communiques/admin/body_editor.css",)}

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs, config={"extensions": body_editor_extensions()}, preset="configurable"
        )


# --- The editorial workflow: what the change form refuses, beyond the communiqué's own rules.


def change_note_name(code: str) -> str:
    """Return the name of the change form's note field in a language: change_note_fa_af."""
    return build_localized_fieldname("change_note", code)


def ready_name(code: str) -> str:
    """Return the name of the change form's "version ready" box of a language: ready_fa_af."""
    return build_localized_fieldname("ready", code)


class WorkflowFormMixin:
    """Refuse what a user may not post, and ask for a change note when the public sees a change.

    CommuniqueAdmin.get_form sets the class attributes below for the user who opened the form,
    and declares the change note and readiness fields they name.
    """

    # The fields the user's form may post, or None when the request is not a save.
    field_guard: Any = None
    # The languages of the change note a save must give (or tick "minor correction"): set only
    # when the communiqué is public.
    change_note_languages: tuple[str, ...] = ()
    # The languages the user may mark ready, as a translator.
    ready_languages: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        if self.field_guard is not None:
            refused = self.field_guard.refused(self.data, self.files)
            if refused:
                # Never from the form itself: a crafted request. Nothing is saved.
                raise ValidationError(
                    _(
                        "You may not change %(fields)s. Nothing was saved: reload the page and "
                        "change only the fields it offers you."
                    ),
                    code="refused_fields",
                    params={"fields": ", ".join(sorted(refused))},
                )
        cleaned_data = super().clean()
        self.clean_withdrawal(cleaned_data)
        self.clean_publication_time(cleaned_data)
        self.clean_change_note(cleaned_data)
        self.clean_readiness(cleaned_data)
        return cleaned_data

    def value(self, cleaned_data: dict[str, Any], name: str) -> Any:
        """Return a field's value as it will be saved: as posted, or as stored if not in a form."""
        return cleaned_data.get(name) if name in self.fields else getattr(self.instance, name)

    def clean_withdrawal(self, cleaned_data: dict[str, Any]) -> None:
        if "withdrawal_kind" not in self.fields:
            return
        if self.value(cleaned_data, "status") != Communique.Status.WITHDRAWN:
            return
        kind = cleaned_data.get("withdrawal_kind")
        if not kind:
            self.add_error(
                "withdrawal_kind",
                _("Say whether the page stays online with a notice or was published in error."),
            )
        elif kind == Communique.WithdrawalKind.NOTICE:
            names = dict(settings.LANGUAGES)
            # Every reader of the page must be told why, in the language they read it in.
            for code in self.instance.available_languages:
                name = build_localized_fieldname("withdrawal_reason", code)
                if not self.value(cleaned_data, name):
                    self.add_error(
                        name if name in self.fields else None,
                        gettext("Give the reason for the withdrawal in %(language)s.")
                        % {"language": names[code]},
                    )

    def clean_publication_time(self, cleaned_data: dict[str, Any]) -> None:
        moment = cleaned_data.get("published_at")
        if "published_at" not in self.fields or moment is None or moment <= timezone.now():
            return
        # A future time would take a page the public has read off line without a notice.
        if self.instance.pk and self.instance.was_public():
            self.add_error(
                "published_at",
                _(
                    "This communiqué has already been public: it cannot be scheduled again. "
                    "Withdraw it instead."
                ),
            )

    def clean_change_note(self, cleaned_data: dict[str, Any]) -> None:
        self.change_notes: dict[str, str] = {}
        if not self.change_note_languages:
            return
        # Withdrawing has its own notice; only a communiqué that stays published gets a note.
        if self.value(cleaned_data, "status") != Communique.Status.PUBLISHED:
            return
        notes = {
            code: (cleaned_data.get(change_note_name(code)) or "").strip()
            for code in self.change_note_languages
        }
        if cleaned_data.get("minor_change"):
            if any(notes.values()):
                self.add_error(
                    "minor_change",
                    _("A minor correction publishes no note: clear the note or untick this box."),
                )
            return
        if not any(notes.values()):
            self.add_error(
                None,
                _(
                    "This communiqué is public: write a change note telling readers what changed, "
                    "or tick «Minor correction» for a typo or a formatting fix."
                ),
            )
            return
        self.change_notes = {code: note for code, note in notes.items() if note}

    def clean_readiness(self, cleaned_data: dict[str, Any]) -> None:
        for code in self.ready_languages:
            if not cleaned_data.get(ready_name(code)):
                continue
            required = [build_localized_fieldname(name, code) for name in ("title", "body")]
            if not all(self.value(cleaned_data, name) for name in required):
                self.add_error(
                    ready_name(code), _("A version needs a title and a body before it is ready.")
                )

    def _update_errors(self, errors: ValidationError) -> None:
        # Communique.clean() judges the whole communiqué, including fields this user's form leaves
        # out (a translator's has only their language): Django would raise ValueError for those,
        # so their errors are shown at the top of the form instead.
        if hasattr(errors, "error_dict"):
            regrouped: dict[str, list[ValidationError]] = {}
            for name, messages in errors.error_dict.items():
                key = name if name in self.fields else NON_FIELD_ERRORS
                regrouped.setdefault(key, []).extend(messages)
            errors = ValidationError(regrouped)
        super()._update_errors(errors)


# --- Optimistic concurrency: a change form carries the version of the communiqué it was loaded
# with (lock_version, a hidden input); admin.VersionHistoryMixin compares it with the stored one.


def field_keys(bound_field: forms.BoundField) -> list[str]:
    """Return the posted names a field's widget reads: published_at_0 and _1, title_ps-clear."""
    name = bound_field.html_name
    widget = bound_field.field.widget
    keys = [name, f"{name}-clear"]
    if isinstance(widget, forms.MultiWidget):
        keys += [f"{name}{suffix}" for suffix in widget.widgets_names]
    return keys


def field_data(bound_field: forms.BoundField) -> dict[str, str]:
    """Return what a browser posts for a field of an unbound form, left as the page shows it."""
    value = bound_field.value()
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return {bound_field.html_name: "on"} if value else {}
    if isinstance(widget, forms.MultiWidget):
        parts = widget.decompress(value) if value else []
        return {
            f"{bound_field.html_name}{suffix}": str(part)
            for suffix, part in zip(widget.widgets_names, parts, strict=False)
            if part is not None
        }
    if value is None or isinstance(value, FieldFile):
        # A file input is never filled in by the page.
        return {}
    return {bound_field.html_name: str(value)}


@dataclass(frozen=True)
class VersionConflict:
    """Someone else saved the communiqué after this form was loaded: who, and what changed."""

    names: list[str]
    # history.Section: what they changed, from the version this form was loaded with.
    sections: list[Any]
    # The labels of the fields both changed: the form holds this user's text.
    both_changed: list[str]
    # What this user had typed in rows deleted meanwhile, which the form can no longer hold:
    # (the row, the field, the text).
    dropped: list[tuple[str, str, str]]


class LockVersionFormMixin:
    """Refuse the save of a change form loaded before someone else saved the communiqué.

    CommuniqueAdmin.get_form declares the hidden lock_version field and sets conflict when the
    posted version is not the stored one; the data posted was then already merged (admin).
    """

    conflict: VersionConflict | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "lock_version" in self.fields and self.instance.pk:
            self.fields["lock_version"].initial = self.instance.lock_version

    def clean(self) -> dict[str, Any]:
        if self.conflict is not None:
            errors = [
                ValidationError(
                    _(
                        "%(names)s saved this communiqué after you opened it, so nothing was "
                        "saved. Nothing you typed is lost: the form below holds your changes, "
                        "and theirs in the fields you had not changed. Review their changes, "
                        "then save again."
                    ),
                    code="stale_version",
                    params={"names": ", ".join(self.conflict.names)},
                )
            ]
            if self.conflict.both_changed:
                errors.append(
                    ValidationError(
                        _(
                            "You both changed %(fields)s: the form holds your text, and saving "
                            "again replaces theirs."
                        ),
                        code="stale_version_overlap",
                        params={"fields": ", ".join(self.conflict.both_changed)},
                    )
                )
            raise ValidationError(errors)
        return super().clean()
