"""Forms of the admin: date fields that read both calendars, and the image inline.

Date fields read Solar Hijri as well as Gregorian, and show both.

A press officer may type `2019-06-25`, `1398/04/04` or `۱۳۹۸/۰۴/۰۴`: each is stored as the same
Gregorian date. Beside the input, an <output> shows the date in both calendars, written by the
server in the admin's language (so it is there with JavaScript off) and refreshed while typing
by static/communiques/admin/dual_date.js, which asks the server rather than converting itself.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminDateWidget, AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import BaseInlineFormSet
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

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


class ImageInlineForm(forms.ModelForm):
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
