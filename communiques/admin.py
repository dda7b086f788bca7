from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import F, QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_info, gettext, to_locale
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from modeltranslation.utils import build_localized_fieldname

from . import dates, text
from .dates import ASCII_DIGITS, convention_for, format_dual, normalize_digits
from .forms import (
    DualCalendarDateField,
    DualCalendarDateWidget,
    DualCalendarSplitDateTimeField,
    DualCalendarSplitDateTimeWidget,
    ImageInlineForm,
    ImageInlineFormSet,
    read_date,
)
from .models import Category, Communique, Image, SourceLink, language_codes

# Slugs are in Latin letters, so they come from a Latin-script version, in this order of choice.
SLUG_LANGUAGES = ("en", "fr")

REFERENCE_PATTERN = re.compile(r"(\d{4})/(\d{1,5})")

THUMBNAIL_HEIGHT = 96


def language_tag(code: str) -> str:
    """Return the BCP 47 tag of a language code, as HTML's lang attribute wants it: fa-AF."""
    return to_locale(code).replace("_", "-")


def language_name(code: str) -> str:
    """Return a language's name in the admin's own language."""
    return str(get_language_info(code)["name_translated"])


def text_direction(code: str) -> str:
    return "rtl" if get_language_info(code)["bidi"] else "ltr"


def localized_fieldnames(field: str) -> tuple[str, ...]:
    return tuple(build_localized_fieldname(field, code) for code in language_codes())


def innermost_widget(widget: forms.Widget) -> forms.Widget:
    # The admin wraps foreign keys in RelatedFieldWidgetWrapper, modeltranslation wraps
    # nullable text in ClearableWidgetWrapper: attributes belong on the input inside.
    while hasattr(widget, "widget"):
        widget = widget.widget
    return widget


class LanguageDirectionMixin:
    """Give every translated field's input the lang and dir of its language.

    Without them a Dari or Pashto input is left to right whenever the admin itself is in a
    left-to-right language, and a French one right to left in a Dari admin.
    """

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is None:
            return None
        widget = innermost_widget(formfield.widget)
        language = getattr(db_field, "language", None)
        if language and hasattr(db_field, "translated_field"):
            widget.attrs.update(lang=language_tag(language), dir=text_direction(language))
        elif isinstance(db_field, (models.URLField, models.SlugField)):
            # Addresses are Latin text: in a right-to-left admin, "https://a.org/b/" would
            # otherwise show as "/https://a.org/b".
            widget.attrs["dir"] = "ltr"
        return formfield


class SlugFromTitleMixin:
    """Fill an empty slug from the English title, or else the French one, as it is typed.

    Django's prepopulated_fields would join every source field, giving a slug made of both
    titles; static/communiques/admin/prepopulate_slug.js takes the first that has text.
    """

    slug_source = "title"

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name == "slug":
            sources = [
                f"id_{build_localized_fieldname(self.slug_source, code)}"
                for code in SLUG_LANGUAGES
                if code in language_codes()
            ]
            formfield.widget.attrs["data-slug-sources"] = json.dumps(sources)
        return formfield


class LanguageCompletenessFilter(admin.SimpleListFilter):
    title = _("language version")
    parameter_name = "language"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        names = dict(settings.LANGUAGES)
        choices = []
        for code in language_codes():
            language = {"language": names[code]}
            choices.append((f"complete-{code}", gettext("complete in %(language)s") % language))
            choices.append((f"missing-{code}", gettext("missing %(language)s") % language))
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        if not self.value():
            return None
        state, _sep, code = self.value().partition("-")
        if code not in language_codes():
            raise IncorrectLookupParameters(f"Unknown language: {code}")
        if state == "complete":
            return queryset.in_language(code)
        if state == "missing":
            return queryset.missing_language(code)
        raise IncorrectLookupParameters(f"Unknown language state: {state}")


class CommuniqueAdminForm(forms.ModelForm):
    """Accept a title in any language, not only in the default one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # modeltranslation makes the default language's title required; a communiqué written
        # in French first must be savable before its Dari translation exists.
        for name in localized_fieldnames("title"):
            if name in self.fields:
                self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        titles = [name for name in localized_fieldnames("title") if name in self.fields]
        if titles and not any(cleaned_data.get(name) for name in titles):
            raise forms.ValidationError(_("Give the communiqué a title in at least one language."))
        return cleaned_data


class ImageInline(LanguageDirectionMixin, TranslationStackedInline):
    model = Image
    form = ImageInlineForm
    formset = ImageInlineFormSet
    extra = 0
    fields = (
        ("file", "preview"),
        ("width", "height"),
        "alt_text",
        "is_decorative",
        "caption",
        "credit",
        ("placement", "after_paragraph"),
        "order",
    )
    readonly_fields = ("preview", "width", "height")

    @admin.display(description=_("preview"))
    def preview(self, obj: Image) -> SafeString | str:
        if not obj.file:
            return self.get_empty_value_display()
        if obj.width and obj.height:
            width = max(1, round(obj.width * THUMBNAIL_HEIGHT / obj.height))
            return format_html(
                '<img src="{}" width="{}" height="{}" alt="" loading="lazy">',
                obj.file.url,
                width,
                THUMBNAIL_HEIGHT,
            )
        return format_html(
            '<img src="{}" height="{}" alt="" loading="lazy">', obj.file.url, THUMBNAIL_HEIGHT
        )


class SourceLinkInline(LanguageDirectionMixin, TranslationTabularInline):
    model = SourceLink
    extra = 0
    fields = ("url", "label", "kind", "order")
    # An address typed without a scheme is far more likely to be https today.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Communique)
class CommuniqueAdmin(SlugFromTitleMixin, LanguageDirectionMixin, TabbedTranslationAdmin):
    form = CommuniqueAdminForm
    list_display = (
        "display_title",
        "reference",
        "status",
        "category",
        "published_at_dual",
        "event_date_dual",
        "complete_languages",
        "is_published",
    )
    list_filter = ("status", "category", LanguageCompletenessFilter)
    list_select_related = ("category",)
    search_fields = localized_fieldnames("title")
    search_help_text = _("Search the titles in every language, or a reference such as 2019/031.")
    date_hierarchy = "published_at"
    fieldsets = (
        (None, {"fields": ("original_language", "category")}),
        (
            _("Text"),
            {"fields": ("title", "subtitle", "lead", "body", "place", "is_demo_translation")},
        ),
        (
            _("Dates"),
            {
                # Each date input shows its Solar Hijri equivalent itself (communiques/forms.py).
                "fields": ("event_date", "published_at")
            },
        ),
        (_("Publication"), {"fields": ("status", "slug")}),
        (
            _("Record"),
            {
                "classes": ("collapse",),
                "fields": (
                    "reference",
                    ("created_at_dual", "created_by"),
                    ("updated_at_dual", "updated_by"),
                ),
            },
        ),
    )
    readonly_fields = (
        "reference",
        "created_at_dual",
        "created_by",
        "updated_at_dual",
        "updated_by",
    )
    inlines = (ImageInline, SourceLinkInline)
    formfield_overrides = {
        models.DateField: {
            "form_class": DualCalendarDateField,
            "widget": DualCalendarDateWidget(
                lookup_url=reverse_lazy("admin:communiques_communique_dual_date")
            ),
        },
        models.DateTimeField: {
            "form_class": DualCalendarSplitDateTimeField,
            "widget": DualCalendarSplitDateTimeWidget(
                lookup_url=reverse_lazy("admin:communiques_communique_dual_date")
            ),
        },
    }

    class Media:
        js = ("communiques/admin/prepopulate_slug.js",)

    def get_urls(self) -> list[URLPattern]:
        # Before the admin's own, whose "<object_id>/" would take "dual-date/" for an object.
        lookup = path(
            "dual-date/",
            self.admin_site.admin_view(self.dual_date_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_dual_date",
        )
        return [lookup, *super().get_urls()]

    def dual_date_view(self, request: HttpRequest) -> JsonResponse:
        """Answer dual_date.js: a typed date in both calendars and in ISO 8601, or the error."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        value = request.GET.get("value", "")
        try:
            day = read_date(value)
        except ValidationError as error:
            # Not a failed request: the answer is that this is not a date (yet).
            return JsonResponse({"value": value, "error": " ".join(error.messages)})
        return JsonResponse(
            {
                "value": value,
                "date": day.isoformat() if day else "",
                "display": format_dual(day, get_language()) if day else "",
            }
        )

    def get_readonly_fields(
        self, request: HttpRequest, obj: Communique | None = None
    ) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        # Addresses of published communiqués are in feeds, links and archives: they must not move.
        if obj is not None and obj.status != Communique.Status.DRAFT:
            readonly += ("slug",)
        return readonly

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        match = REFERENCE_PATTERN.fullmatch(normalize_digits(search_term.strip()))
        if match:
            year, number = match.groups()
            results |= queryset.filter(reference_year=int(year), reference_number=int(number))
        return results, may_have_duplicates

    def save_model(
        self, request: HttpRequest, obj: Communique, form: forms.ModelForm, change: bool
    ) -> None:
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        self.warn_about_dual_dates(request, obj)

    def warn_about_dual_dates(self, request: HttpRequest, obj: Communique) -> None:
        """Warn about dates typed in both calendars whose halves disagree; the save stands."""
        names = dict(settings.LANGUAGES)
        for code in language_codes():
            for field in ("title", "subtitle", "lead", "body"):
                value = getattr(obj, build_localized_fieldname(field, code)) or ""
                if field == "body":
                    value = text.html_to_text(value)
                for finding in dates.check_dual_dates(value, code):
                    messages.warning(
                        request,
                        gettext("Dates that disagree in %(language)s, %(field)s: %(finding)s")
                        % {
                            "language": names[code],
                            "field": Communique._meta.get_field(field).verbose_name,
                            "finding": finding.describe(),
                        },
                    )

    @admin.display(description=_("title"))
    def display_title(self, obj: Communique) -> SafeString | str:
        """Show the title in the admin's language, or else in the language it was written in."""
        preferred = [get_language(), obj.original_language, *language_codes()]
        for code in preferred:
            if code not in language_codes():
                continue
            title = getattr(obj, build_localized_fieldname("title", code))
            if title:
                return format_html(
                    '<span lang="{}" dir="{}">{}</span>',
                    language_tag(code),
                    text_direction(code),
                    title,
                )
        return obj.reference

    @admin.display(
        description=_("reference"),
        ordering=F("reference_year") * 100_000 + F("reference_number"),
    )
    def reference(self, obj: Communique) -> str:
        return obj.reference or self.get_empty_value_display()

    @admin.display(description=_("complete in"))
    def complete_languages(self, obj: Communique) -> str:
        versions = [
            # Demo versions were not written by a translator: the press office must see which.
            gettext("%(language)s (demo)") % {"language": language_name(code)}
            if getattr(obj, build_localized_fieldname("is_demo_translation", code))
            else language_name(code)
            for code in obj.available_languages
        ]
        return gettext(", ").join(versions) or self.get_empty_value_display()

    @admin.display(description=_("on the public site"), boolean=True)
    def is_published(self, obj: Communique) -> bool:
        return obj.is_published()

    # Unbroken, as the admin keeps its own date columns: a date split over lines is hard to scan.
    @admin.display(description=_("event date"), ordering="event_date")
    def event_date_dual(self, obj: Communique) -> SafeString | str:
        if obj.event_date is None:
            return self.get_empty_value_display()
        dual = format_dual(obj.event_date, get_language() or settings.LANGUAGE_CODE)
        return format_html('<span class="nowrap">{}</span>', dual)

    @admin.display(description=_("publication date"), ordering="published_at")
    def published_at_dual(self, obj: Communique) -> SafeString | str:
        return self._dual_moment(obj.published_at)

    @admin.display(description=_("created"))
    def created_at_dual(self, obj: Communique) -> SafeString | str:
        return self._dual_moment(obj.created_at)

    @admin.display(description=_("updated"))
    def updated_at_dual(self, obj: Communique) -> SafeString | str:
        return self._dual_moment(obj.updated_at)

    def _dual_moment(self, value: dt.datetime | None) -> SafeString | str:
        """Write a moment as its date in both calendars over its time, in the embassy."""
        # Readonly fields of the change form show None as "None", unlike the changelist.
        if value is None:
            return self.get_empty_value_display()
        language = get_language() or settings.LANGUAGE_CODE
        moment = timezone.localtime(value)
        # The time matters for scheduled communiqués; written with the language's digits.
        time = moment.strftime("%H:%M").translate(
            str.maketrans(ASCII_DIGITS, convention_for(language).digits)
        )
        return format_html(
            '<span class="nowrap">{}</span><br>{}', format_dual(moment, language), time
        )


@admin.register(Category)
class CategoryAdmin(SlugFromTitleMixin, LanguageDirectionMixin, TranslationAdmin):
    list_display = ("name", "slug")
    search_fields = (*localized_fieldnames("name"), "slug")
    slug_source = "name"

    class Media:
        js = ("communiques/admin/prepopulate_slug.js",)
