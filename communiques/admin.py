from __future__ import annotations

import datetime as dt
import json
import logging
import posixpath
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import display_for_value, flatten_fieldsets, unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.core.files.storage import Storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import InterfaceError, OperationalError, connections, models, router, transaction
from django.db.models import F, Prefetch, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import redirect
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import (
    get_language,
    get_language_info,
    gettext,
    gettext_noop,
    ngettext,
    to_locale,
)
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from modeltranslation.utils import build_css_class, build_localized_fieldname

from . import dates, history, permissions, presence, text, workflow
from .dates import ASCII_DIGITS, convention_for, format_dual, normalize_digits
from .forms import (
    BodyEditorWidget,
    DualCalendarDateField,
    DualCalendarDateWidget,
    DualCalendarSplitDateTimeField,
    DualCalendarSplitDateTimeWidget,
    ImageInlineForm,
    ImageInlineFormSet,
    LockVersionFormMixin,
    PlainTextFormMixin,
    PlainTextModelForm,
    SourceLinkForm,
    VersionConflict,
    WorkflowFormMixin,
    change_note_name,
    field_data,
    field_keys,
    read_date,
    ready_name,
)
from .images import process_upload, removed_on_failure
from .models import (
    FOLLOWED_FIELDS,
    WRITTEN_TEXTS,
    AuditEntry,
    Category,
    Communique,
    Image,
    PreviewLink,
    SiteSettings,
    SourceLink,
    TranslationVersion,
    delete_files_on_commit,
    language_codes,
)

# Slugs are in Latin letters, so they come from a Latin-script version, in this order of choice.
SLUG_LANGUAGES = ("en", "fr")

REFERENCE_PATTERN = re.compile(r"(\d{4})/(\d{1,5})")

THUMBNAIL_HEIGHT = 96

logger = logging.getLogger(__name__)

# What a failing storage raises: a full or read-only disk, or an S3-compatible service's errors.
try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:  # pragma: no cover - boto3 is a dependency, for DJANGO_MEDIA_STORAGE=s3
    STORAGE_ERRORS: tuple[type[Exception], ...] = (OSError,)
else:
    STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)

# What a lost or refused connection raises, as embassy/middleware.py answers with its 503 page.
# Other database errors (an integrity error, a bad query) are bugs, not an outage to wait out.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


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


class LanguageStateFilter(admin.SimpleListFilter):
    """Filter by the state of one language version, with values such as `missing-fr`."""

    # state → (label with %(language)s, marked for translation; the queryset method to call)
    states: dict[str, tuple[str, str]] = {}

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        names = dict(settings.LANGUAGES)
        return [
            (f"{state}-{code}", gettext(label) % {"language": names[code]})
            for code in language_codes()
            for state, (label, _method) in self.states.items()
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        if not self.value():
            return None
        state, _sep, code = self.value().partition("-")
        if code not in language_codes() or state not in self.states:
            raise IncorrectLookupParameters(f"Unknown language state: {self.value()}")
        return getattr(queryset, self.states[state][1])(code)


class LanguageCompletenessFilter(LanguageStateFilter):
    title = _("language version")
    parameter_name = "language"
    states = {
        "complete": (gettext_noop("complete in %(language)s"), "written_in"),
        "missing": (gettext_noop("missing %(language)s"), "missing_language"),
    }


class TranslationFilter(LanguageStateFilter):
    """Find the translators' work: versions missing or in progress, and outdated ones."""

    title = _("translation")
    parameter_name = "translation"
    states = {
        "needed": (gettext_noop("needs translation into %(language)s"), "needing_translation"),
        "outdated": (gettext_noop("outdated in %(language)s"), "outdated_in"),
    }


class CommuniqueAdminForm(PlainTextFormMixin, forms.ModelForm):
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
        titles = localized_fieldnames("title")
        # A translator's form has only their language's title: the others count as stored.
        if any(name in self.fields for name in titles) and not any(
            cleaned_data.get(name) if name in self.fields else getattr(self.instance, name)
            for name in titles
        ):
            raise forms.ValidationError(_("Give the communiqué a title in at least one language."))
        return cleaned_data


# --- The editorial workflow: roles, statuses, change notes, readiness, preview links ------------

# Shown on the change form, never edited.
WORKFLOW_DISPLAY_FIELDS = (
    "first_published_at_dual",
    "change_notes_list",
    "withdrawn_at_dual",
    "preview_links_summary",
    "translation_versions_summary",
    "original_changes",
)


def dual_moment(value: dt.datetime | None, empty: str = "-") -> SafeString | str:
    """Write a moment as its date in both calendars and its time, in the embassy."""
    if value is None:
        return empty
    language = get_language() or settings.LANGUAGE_CODE
    moment = timezone.localtime(value)
    time = moment.strftime("%H:%M").translate(
        str.maketrans(ASCII_DIGITS, convention_for(language).digits)
    )
    return format_html('<span class="nowrap">{}</span> {}', format_dual(moment, language), time)


class OutsideFieldErrorsMixin:
    """Report the model's errors on fields this form does not hold as errors of the form.

    A translator's row holds only texts. A forged row naming another communiqué's photo is built
    on a blank photo, whose model checks fail on fields the translator cannot post: Django would
    raise ValueError (a 500) instead of showing the refusal (permissions.InlineGuard).
    """

    def add_error(self, field: str | None, error: Any) -> None:
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            errors: dict[str, list] = {}
            for name, messages in error.error_dict.items():
                known = name == NON_FIELD_ERRORS or name in self.fields
                errors.setdefault(name if known else NON_FIELD_ERRORS, []).extend(messages)
            error = ValidationError(errors)
        super().add_error(field, error)


class TranslatorInlineMixin:
    """Let translators change their languages' texts of photos and links, and nothing else.

    Translators have no permission on images or links themselves: these grant what the inline
    needs, no more. Rows are neither added nor deleted by them.

    The texts a user reads but may not change (the other languages', or all of them when the
    communiqué is read-only to them) are shown through display methods (readable_caption_ps…)
    that give each its language and direction (readable_value): Django's read-only rows have
    neither, and a Dari caption read in a French admin ran left to right.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        model = getattr(cls, "model", None)
        if model is None:
            return
        for model_field in model._meta.fields:
            if hasattr(model_field, "translated_field"):
                name = READABLE_PREFIX + model_field.name
                setattr(cls, name, readable_value_display(model, model_field.name))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:
        fieldsets = super().get_fieldsets(request, obj)
        editable = self.editable_translations(request, obj)
        if editable is None:
            return fieldsets
        return [
            (
                title,
                {
                    **options,
                    "fields": readable_inline_fields(self.model, options["fields"], editable),
                },
            )
            for title, options in fieldsets
        ]

    def editable_translations(self, request: HttpRequest, obj: Any) -> set[str] | None:
        """Return the localized names of the translated fields this user may change in this
        inline's rows; None for every one of them."""
        parent_admin = self.admin_site.get_model_admin(self.parent_model)
        if obj is not None and not parent_admin.has_change_permission(request, obj):
            # The admin shows every row read-only (ModelAdmin.get_inline_formsets).
            return set()
        languages = permissions.restricted_languages(request.user)
        if languages is None:
            return None
        return permissions.translatable_field_names(self.model, languages)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        restricted = bool(permissions.restricted_languages(request.user))
        return restricted or super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        languages = permissions.restricted_languages(request.user)
        if languages is not None:
            return bool(languages)
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any) -> bool:
        if permissions.restricted_languages(request.user) is not None:
            return False
        return super().has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if permissions.restricted_languages(request.user) is not None:
            return False
        return super().has_delete_permission(request, obj)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        if permissions.restricted_languages(request.user) is not None:
            formset.form = type(formset.form.__name__, (OutsideFieldErrorsMixin, formset.form), {})
        return formset

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        names = flatten_fieldsets(self.get_fieldsets(request, obj))
        languages = permissions.restricted_languages(request.user)
        if languages is None:
            # Display methods are no form fields: the form must be told to leave them out.
            return readonly + tuple(
                name for name in names if name.startswith(READABLE_PREFIX) and name not in readonly
            )
        editable = permissions.translatable_field_names(self.model, languages)
        return readonly + tuple(
            name for name in names if name not in editable and name not in readonly
        )

    def field_guard(self, request: HttpRequest, obj: Communique | None) -> permissions.InlineGuard:
        """Return what this inline's forms may post for this user."""
        formset = self.get_formset(request, obj)
        existing = (
            self.model._default_manager.filter(**{formset.fk.name: obj}).values_list(
                "pk", flat=True
            )
            if obj is not None
            else []
        )
        return permissions.InlineGuard(
            prefix=formset.get_default_prefix(),
            model=self.model,
            editable=frozenset(formset.form.base_fields),
            can_add=self.has_add_permission(request, obj),
            can_delete=formset.can_delete,
            parent_link=formset.fk.name,
            existing=frozenset(str(pk) for pk in existing),
        )


class StateFilter(admin.SimpleListFilter):
    """Filter by status, telling the scheduled communiqués from those already public."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        Status = Communique.Status
        return [
            (Status.DRAFT, Status.DRAFT.label),
            (Status.IN_REVIEW, Status.IN_REVIEW.label),
            ("scheduled", _("Scheduled")),
            (Status.PUBLISHED, Status.PUBLISHED.label),
            (Status.WITHDRAWN, Status.WITHDRAWN.label),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        value = self.value()
        if not value:
            return None
        now = timezone.now()
        if value == "scheduled":
            return queryset.filter(status=Communique.Status.PUBLISHED, published_at__gt=now)
        if value == Communique.Status.PUBLISHED:
            return queryset.filter(status=value).exclude(published_at__gt=now)
        if value in Communique.Status.values:
            return queryset.filter(status=value)
        raise IncorrectLookupParameters(f"Unknown state: {value}")


READABLE_PREFIX = "readable_"


def readable_text(obj: Communique, name: str, empty: str) -> SafeString:
    """Return a language version's text as a reader reads it, in its language and direction.

    The body is rendered, through the sanitiser that save() already applied: what a translator
    reads is the communiqué's text, never its markup. The classes and id are those
    modeltranslation's tabs gather a field's languages by (tabbed_translation_fields.js).
    """
    model_field = Communique._meta.get_field(name)
    language = model_field.language
    value = getattr(obj, name)
    if isinstance(value, bool):
        content = display_for_value(value, empty, boolean=True)
    elif not value:
        content = empty
    elif model_field.translated_field.name == "body":
        content = mark_safe(text.sanitize_html(value))
    else:
        content = linebreaksbr(value)
    return format_html(
        '<div class="mt {} readable-text" id="id_{}" lang="{}" dir="{}">{}</div>',
        build_css_class(name, "mt-field"),
        name,
        language_tag(language),
        text_direction(language),
        content,
    )


def readable_value(obj: models.Model, name: str, empty: str) -> SafeString | str:
    """Return a photo's or a link's text in one language, read-only, in that language and
    direction; escaped, its line breaks kept, as Django shows a read-only value."""
    value = getattr(obj, name)
    if not value:
        # The admin's own placeholder, in the admin's language.
        return empty
    language = type(obj)._meta.get_field(name).language
    return format_html(
        '<span class="readable-text" lang="{}" dir="{}">{}</span>',
        language_tag(language),
        text_direction(language),
        linebreaksbr(value),
    )


def readable_value_display(model: type[models.Model], name: str) -> Any:
    def display(self: admin.options.InlineModelAdmin, obj: models.Model) -> SafeString | str:
        return readable_value(obj, name, self.get_empty_value_display())

    display.__name__ = READABLE_PREFIX + name
    return admin.display(description=model._meta.get_field(name).verbose_name)(display)


def readable_inline_fields(model: type[models.Model], names: Any, editable: set[str]) -> tuple:
    """Return an inline's field names, with the translated fields the user may not change as
    their display methods; rows of fields (tuples) keep their shape."""
    shown = []
    for name in names:
        if isinstance(name, (list, tuple)):
            shown.append(readable_inline_fields(model, name, editable))
            continue
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            shown.append(name)
            continue
        readable = hasattr(model_field, "translated_field") and name not in editable
        shown.append(READABLE_PREFIX + name if readable else name)
    return tuple(shown)


def readable_display(name: str) -> Any:
    def display(self: admin.ModelAdmin, obj: Communique) -> SafeString:
        return readable_text(obj, name, self.get_empty_value_display())

    display.__name__ = READABLE_PREFIX + name
    return admin.display(description=Communique._meta.get_field(name).verbose_name)(display)


def readable_fields(names: Any, editable: set[str], own: list[str]) -> tuple:
    """Return a fieldset's names with its read-only texts as their display methods, and each
    field's languages in the user's own first."""
    readable = {
        build_localized_fieldname(field, code)
        for field in WRITTEN_TEXTS
        for code in language_codes()
    }
    keyed = []
    first_of: dict[str, int] = {}
    for index, name in enumerate(names):
        if not isinstance(name, str) or name not in readable:
            keyed.append(((index, False, index), name))
            continue
        model_field = Communique._meta.get_field(name)
        first = first_of.setdefault(model_field.translated_field.name, index)
        shown = name if name in editable else READABLE_PREFIX + name
        keyed.append(((first, model_field.language not in own, index), shown))
    return tuple(name for _key, name in sorted(keyed, key=lambda item: item[0]))


class ReadableTranslationsMixin:
    """Show the texts a user may read but not change inside the language tabs, readable.

    Django shows a read-only field as escaped text, in the admin's direction and outside
    modeltranslation's tabs: a translator read the other languages' bodies as raw markup. Each
    such field is shown instead through a display method (readable_title_fa_af…) that renders it
    in its language (readable_text). A translator's own languages come first in each field's
    tabs, and are the ones open (static/communiques/admin/translator_tabs.js).
    """

    def get_fieldsets(self, request: HttpRequest, obj: Communique | None = None) -> list:
        fieldsets = super().get_fieldsets(request, obj)
        languages = permissions.restricted_languages(request.user)
        if obj is not None and not self.has_change_permission(request, obj):
            editable: set[str] = set()
        elif languages is not None:
            editable = permissions.translatable_field_names(Communique, languages)
        else:
            return fieldsets
        own = languages or []
        return [
            (title, {**options, "fields": readable_fields(options["fields"], editable, own)})
            for title, options in fieldsets
        ]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Communique | None = None
    ) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        shown = flatten_fieldsets(self.get_fieldsets(request, obj))
        return readonly + tuple(
            name for name in shown if name.startswith(READABLE_PREFIX) and name not in readonly
        )


for _field in WRITTEN_TEXTS:
    for _code in language_codes():
        _name = build_localized_fieldname(_field, _code)
        setattr(ReadableTranslationsMixin, READABLE_PREFIX + _name, readable_display(_name))


class EditorialWorkflowMixin:
    """Roles and the workflow in the communiqué admin, enforced on the server.

    - Press officers' status choices are draft and in review; the publication time is read-only
      for them, and a communiqué once published is read-only too.
    - Translators' forms hold their languages' texts only (the rest is read-only), in the
      communiqué and in its inlines.
    - A save that posts a field outside the user's form is refused with a form error, and
      nothing is saved (forms.WorkflowFormMixin, permissions.FieldGuard).
    - A communiqué the public has seen is withdrawn, never deleted.
    """

    def has_change_permission(self, request: HttpRequest, obj: Communique | None = None) -> bool:
        return permissions.can_change(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Communique | None = None) -> bool:
        return permissions.can_delete(request.user, obj)

    def change_note_languages(self, request: HttpRequest, obj: Communique | None) -> list[str]:
        """Return the languages of the change note a save of this communiqué calls for."""
        if obj is None or not obj.is_published() or not self.has_change_permission(request, obj):
            return []
        languages = permissions.restricted_languages(request.user)
        if languages is None:
            return language_codes()
        # A translator's first version in a language changes nothing the public has read.
        return [code for code in languages if obj.has_language(code)]

    def ready_languages(self, request: HttpRequest, obj: Communique | None) -> list[str]:
        if obj is None or not self.has_change_permission(request, obj):
            return []
        # The original is what the translations follow: its readiness is the workflow's.
        return [
            code
            for code in permissions.translation_languages(request.user)
            if code != obj.original_language
        ]

    def shows_original_changes(self, request: HttpRequest, obj: Communique | None) -> bool:
        """Tell whether the change form shows what changed in the original since translations
        were marked ready: to their translators, and to those who edit every language."""
        if obj is None:
            return False
        outdated = [code for code in language_codes() if obj.is_outdated_in(code)]
        if not outdated:
            return False
        user = request.user
        languages = permissions.translation_languages(user)
        return permissions.can_edit_every_language(user) or bool(set(outdated) & set(languages))

    def get_fieldsets(self, request: HttpRequest, obj: Communique | None = None) -> list:
        fieldsets = list(super().get_fieldsets(request, obj))
        if self.shows_original_changes(request, obj):
            # First: the translator opens the form to follow these changes.
            fieldsets.insert(
                0,
                (
                    _("Changes in the original since the translation was marked ready"),
                    {"fields": ("original_changes",)},
                ),
            )
        if obj is not None and obj.first_published_at is not None:
            fieldsets.append(
                (
                    _("Publication record"),
                    {"fields": ("first_published_at_dual", "change_notes_list")},
                )
            )
        if obj is not None and (obj.was_public() or obj.status == Communique.Status.WITHDRAWN):
            withdrawal = (
                "withdrawal_kind",
                *localized_fieldnames("withdrawal_reason"),
                "withdrawn_at_dual",
            )
            fieldsets.append((_("Withdrawal"), {"fields": withdrawal}))
        if notes := self.change_note_languages(request, obj):
            fieldsets.append(
                (
                    _("Change note"),
                    {
                        "fields": ("minor_change", *(change_note_name(code) for code in notes)),
                        "description": _(
                            "This communiqué is public: the page will show the note, dated, "
                            "in each language it is written in."
                        ),
                    },
                )
            )
        if ready := self.ready_languages(request, obj):
            fieldsets.append(
                (_("Translation"), {"fields": tuple(ready_name(code) for code in ready)})
            )
        if obj is not None:
            fieldsets.append(
                (_("Translation versions"), {"fields": ("translation_versions_summary",)})
            )
        if obj is not None and request.user.has_perm("communiques.view_previewlink"):
            fieldsets.append((_("Preview links"), {"fields": ("preview_links_summary",)}))
        return fieldsets

    def get_readonly_fields(
        self, request: HttpRequest, obj: Communique | None = None
    ) -> tuple[str, ...]:
        readonly = [*super().get_readonly_fields(request, obj), *WORKFLOW_DISPLAY_FIELDS]
        user = request.user
        languages = permissions.restricted_languages(user)
        if languages is not None:
            editable = permissions.translatable_field_names(Communique, languages)
            fields = permissions.model_field_names(Communique)
            readonly += [
                name
                for name in flatten_fieldsets(self.get_fieldsets(request, obj))
                if name in fields and name not in editable
            ]
        else:
            if not permissions.can_publish(user):
                # Like the publication time, it decides what the public reads.
                readonly += ["published_at", "outdated_translations"]
            if not permissions.can_withdraw(user):
                readonly += ["withdrawal_kind", *localized_fieldnames("withdrawal_reason")]
        return tuple(dict.fromkeys(readonly))

    def get_form(
        self,
        request: HttpRequest,
        obj: Communique | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm]:
        note_languages = self.change_note_languages(request, obj)
        ready_languages = self.ready_languages(request, obj)
        declared: dict[str, Any] = {
            "change_note_languages": tuple(note_languages),
            "ready_languages": tuple(ready_languages),
        }
        if note_languages:
            declared["minor_change"] = forms.BooleanField(
                label=_("Minor correction"),
                required=False,
                help_text=_("A typo or a formatting fix: the page shows no change note."),
            )
        for code in note_languages:
            declared[change_note_name(code)] = forms.CharField(
                label=gettext("Change note (%(language)s)") % {"language": language_name(code)},
                required=False,
                max_length=1000,
                widget=forms.Textarea(
                    attrs={"rows": 2, "lang": language_tag(code), "dir": text_direction(code)}
                ),
            )
        versions = (
            {version.language: version for version in obj.translation_versions.all()}
            if obj is not None and ready_languages
            else {}
        )
        for code in ready_languages:
            version = versions.get(code)
            help_text = gettext("Last marked ready: %(moment)s") % {
                "moment": dual_moment(version.ready_at) if version else "-"
            }
            if obj is not None and obj.is_outdated_in(code):
                help_text = format_html(
                    "{} {}",
                    help_text,
                    gettext(
                        "The original has changed since: mark it ready again once the "
                        "translation follows it."
                    ),
                )
            declared[ready_name(code)] = forms.BooleanField(
                label=gettext("The %(language)s version is ready")
                % {"language": language_name(code)},
                required=False,
                help_text=help_text,
            )
        base = kwargs.get("form", self.form)
        kwargs["form"] = type(base.__name__, (WorkflowFormMixin, base), declared)
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if "status" in form_class.base_fields:
            allowed = workflow.allowed_statuses(request.user, obj)
            form_class.base_fields["status"].choices = [
                choice for choice in Communique.Status.choices if choice[0] in allowed
            ]
        if request.method == "POST":
            form_class.field_guard = permissions.FieldGuard(
                model=Communique,
                editable=frozenset(form_class.base_fields),
                inlines=tuple(
                    inline.field_guard(request, obj)
                    for inline in self.get_inline_instances(request, obj)
                    if isinstance(inline, TranslatorInlineMixin)
                ),
            )
        return form_class

    def save_model(
        self, request: HttpRequest, obj: Communique, form: forms.ModelForm, change: bool
    ) -> None:
        previous = None
        if change:
            previous = (
                Communique.objects.filter(pk=obj.pk).values_list("status", "published_at").first()
            )
        super().save_model(request, obj, form, change)
        previous_status, previous_published_at = previous or (Communique.Status.DRAFT, None)
        workflow.record_status_change(
            communique=obj,
            previous_status=previous_status,
            previous_published_at=previous_published_at,
            user=request.user,
        )
        if notes := getattr(form, "change_notes", None):
            workflow.change_note_create(communique=obj, notes=notes, user=request.user)
        if "outdated_translations" in form.changed_data:
            workflow.outdated_translations_record(
                communique=obj,
                previous=form.initial.get("outdated_translations", ""),
                user=request.user,
            )

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        # Photos' and links' texts are saved only now: the fingerprints, and then the versions
        # marked ready, must include them.
        obj.update_fingerprints()
        user = request.user
        if edited := edited_languages(form, formsets, self.ready_languages(request, obj)):
            workflow.translator_record(communique=obj, languages=edited, user=user)
        for code in getattr(form, "ready_languages", ()):
            if form.cleaned_data.get(ready_name(code)):
                workflow.translation_ready_mark(communique=obj, language=code, user=user)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The changelist's translation column and the change form read every language's version.
        versions = TranslationVersion.objects.select_related("translator", "ready_by")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("translation_versions", queryset=versions))
        )

    # --- Deleting: only what the public never saw

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _func, name, description = actions["delete_selected"]
            actions[name] = (type(self).delete_selected_unpublished, name, description)
        return actions

    def delete_selected_unpublished(
        self, request: HttpRequest, queryset: QuerySet
    ) -> HttpResponse | None:
        """Django's bulk deletion, refused whole if a selected communiqué was ever public."""
        kept = queryset.exclude(status__in=permissions.DELETABLE_STATUSES).count()
        if kept:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected communiqué is published or withdrawn: it cannot be "
                    "deleted, only withdrawn. Nothing was deleted.",
                    "%(count)d selected communiqués are published or withdrawn: they cannot be "
                    "deleted, only withdrawn. Nothing was deleted.",
                    kept,
                )
                % {"count": kept},
                messages.ERROR,
            )
            return None
        return delete_selected(self, request, queryset)

    def delete_model(self, request: HttpRequest, obj: Communique) -> None:
        if not permissions.can_delete(request.user, obj):
            raise PermissionDenied
        self.record_deletion(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        if queryset.exclude(status__in=permissions.DELETABLE_STATUSES).exists():
            raise PermissionDenied
        for obj in queryset:
            self.record_deletion(request, obj)
        super().delete_queryset(request, queryset)

    def record_deletion(self, request: HttpRequest, obj: Communique) -> None:
        # The entry outlives the communiqué (its link becomes empty): it names it.
        AuditEntry.record(
            AuditEntry.Action.DELETED,
            user=request.user,
            communique=obj,
            reference=obj.reference,
            title=str(obj),
            status=obj.status,
        )

    # --- Preview links

    def get_urls(self) -> list[URLPattern]:
        # Before the admin's own, whose "<object_id>/" would take "5/preview-links/" for an id.
        links = path(
            "<path:object_id>/preview-links/",
            self.admin_site.admin_view(self.preview_links_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_preview_links",
        )
        return [links, *super().get_urls()]

    def preview_links_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """List a communiqué's preview links; create one (shown once) or revoke one."""
        user = request.user
        if not user.has_perm("communiques.view_previewlink"):
            raise PermissionDenied
        communique = self.get_object(request, unquote(object_id))
        if communique is None:
            raise Http404
        created = None
        if request.method == "POST":
            revoke = request.POST.get("revoke")
            if revoke is not None:
                if not user.has_perm("communiques.change_previewlink"):
                    raise PermissionDenied
                link = (
                    communique.preview_links.filter(pk=revoke).first() if revoke.isdigit() else None
                )
                if link is None:
                    raise Http404
                if workflow.preview_link_revoke(link=link, user=user):
                    self.message_user(request, gettext("The preview link was revoked."))
                return HttpResponseRedirect(request.path)
            if not user.has_perm("communiques.add_previewlink"):
                raise PermissionDenied
            link, token = workflow.preview_link_create(communique=communique, user=user)
            created = []
            for code in communique.available_languages or language_codes():
                with translation.override(code):
                    address = reverse("communiques:preview", kwargs={"token": token})
                created.append((language_name(code), request.build_absolute_uri(address)))
        links = [
            {
                "link": link,
                "created_at": dual_moment(link.created_at),
                "expires_at": dual_moment(link.expires_at),
                "revoked_at": dual_moment(link.revoked_at, ""),
                "is_live": link.is_live(),
            }
            for link in communique.preview_links.select_related("created_by")
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Preview links"),
            "subtitle": str(communique),
            "opts": self.opts,
            "original": communique,
            "links": links,
            "created": created,
            "lifetime_days": PreviewLink.LIFETIME.days,
            "can_create": user.has_perm("communiques.add_previewlink"),
            "can_revoke": user.has_perm("communiques.change_previewlink"),
        }
        return TemplateResponse(request, "admin/communiques/communique/preview_links.html", context)

    # --- What the change form shows

    @admin.display(description=_("state"), ordering="status")
    def workflow_state(self, obj: Communique) -> str:
        return gettext("Scheduled") if obj.is_scheduled() else obj.get_status_display()

    @admin.display(description=_("first published"))
    def first_published_at_dual(self, obj: Communique) -> SafeString | str:
        return dual_moment(obj.first_published_at)

    @admin.display(description=_("withdrawn"))
    def withdrawn_at_dual(self, obj: Communique) -> SafeString | str:
        return dual_moment(obj.withdrawn_at)

    @admin.display(description=_("change notes"))
    def change_notes_list(self, obj: Communique) -> SafeString | str:
        """List the change notes, newest first, each in every language it was written in."""
        notes = obj.change_notes.all()
        if not notes:
            return "-"
        lines = []
        for note in notes:
            texts = format_html_join(
                " · ",
                '<span lang="{}" dir="{}">{}</span>',
                (
                    (language_tag(code), text_direction(code), value)
                    for code in language_codes()
                    if (value := getattr(note, build_localized_fieldname("note", code)))
                ),
            )
            lines.append(format_html("<p>{} — {}</p>", dual_moment(note.created_at), texts))
        return format_html_join("", "{}", ((line,) for line in lines))

    @admin.display(description=_("preview links"))
    def preview_links_summary(self, obj: Communique) -> SafeString | str:
        live = [link for link in obj.preview_links.all() if link.is_live()]
        if live:
            summary = ngettext(
                "%(count)d active link, expiring on %(moment)s.",
                "%(count)d active links, the last expiring on %(moment)s.",
                len(live),
            ) % {"count": len(live), "moment": dual_moment(max(link.expires_at for link in live))}
        else:
            summary = gettext("No active link.")
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_preview_links", args=[obj.pk]
        )
        return format_html('{} <a href="{}">{}</a>', summary, url, gettext("Manage preview links"))

    @admin.display(description=_("translation versions"))
    def translation_versions_summary(self, obj: Communique) -> SafeString:
        """Show where each language version stands, who translates it, when it was ready."""
        rows = []
        for code in language_codes():
            version = obj.translation_version(code)
            ready = "-"
            if version is not None and version.ready_at is not None:
                ready = interpolate(
                    gettext("%(moment)s by %(user)s"),
                    moment=dual_moment(version.ready_at),
                    user=user_name(version.ready_by) if version.ready_by else "-",
                )
            rows.append(
                format_html(
                    '<tr><th scope="row">{}</th><td class="translation-status-{}">{}</td>'
                    "<td>{}</td><td>{}</td></tr>",
                    gettext("%(language)s (original)") % {"language": language_name(code)}
                    if code == obj.original_language
                    else language_name(code),
                    status_key(obj, code),
                    status_label(obj, code),
                    user_name(version.translator) if version and version.translator else "-",
                    ready,
                )
            )
        return format_html(
            '<table class="translation-versions"><thead><tr><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            gettext("Language"),
            gettext("Status"),
            gettext("Translator"),
            gettext("Last marked ready"),
            format_html_join("", "{}", ((row,) for row in rows)),
        )

    @admin.display(description=_("changes in the original"))
    def original_changes(self, obj: Communique) -> SafeString:
        """Show, for each outdated translation, what changed in the original since it was marked
        ready: field by field, word by word, in the original's language and direction."""
        current = obj.followed_texts().get(obj.original_language, {})
        labels = TextLabels(obj)
        code_of_original = obj.original_language
        sections = []
        for code in language_codes():
            if not obj.is_outdated_in(code):
                continue
            version = obj.translation_version(code)
            snapshot = version.source_snapshot if version else {}
            rows = format_html_join(
                "",
                '<tr><th scope="row">{}</th><td><div class="text-diff" lang="{}" dir="{}">{}'
                "</div></td></tr>",
                (
                    (
                        labels.label(key),
                        language_tag(code_of_original),
                        text_direction(code_of_original),
                        # word_diff escapes every word: only its <del>, <ins> and <br> are markup.
                        mark_safe(text.word_diff(snapshot.get(key, ""), current.get(key, ""))),
                    )
                    for key in labels.ordered(snapshot.keys() | current.keys())
                    if snapshot.get(key, "") != current.get(key, "")
                ),
            )
            ready = interpolate(
                gettext("%(language)s, marked ready on %(moment)s by %(user)s"),
                language=language_name(code),
                moment=dual_moment(version.ready_at if version else None),
                user=user_name(version.ready_by) if version and version.ready_by else "-",
            )
            sections.append(
                format_html(
                    '<section class="original-changes"><h3>{}</h3><table>{}</table></section>',
                    ready,
                    rows,
                )
            )
        return format_html_join("", "{}", ((section,) for section in sections))


def interpolate(message: str, **values: Any) -> SafeString:
    """Return a translated message with its values put in, everything escaped but SafeStrings."""
    escaped = {name: conditional_escape(value) for name, value in values.items()}
    return mark_safe(conditional_escape(message) % escaped)


def status_key(obj: Communique, code: str) -> str:
    """Return a language version's status as a key (outdated before anything else)."""
    return "outdated" if obj.is_outdated_in(code) else obj.translation_status(code).value


def status_label(obj: Communique, code: str) -> str:
    """Return a language version's status in words: outdated, or else missing, in progress…"""
    return gettext("outdated") if obj.is_outdated_in(code) else obj.translation_status(code).label


def edited_languages(form: forms.ModelForm, formsets: Any, languages: list[str]) -> list[str]:
    """Return those of these languages whose texts a save changed, in the communiqué or its
    photos and links."""
    changed = [(Communique, set(form.changed_data))]
    for formset in formsets:
        changed.extend((formset.model, set(row.changed_data)) for row in formset.forms)
    return [
        code
        for code in languages
        if any(
            permissions.translatable_field_names(model, [code]) & names for model, names in changed
        )
    ]


class TextLabels:
    """Name a communiqué's followed texts (Communique.followed_texts) as its editors see them
    («Body», «Photo 2, Caption», «Link 1, Label»), and order them as the change form does."""

    KINDS = ("communique", "image", "link")

    def __init__(self, communique: Communique) -> None:
        self.positions = {
            "image": {image.pk: number for number, image in enumerate(communique.images.all(), 1)},
            "link": {link.pk: number for number, link in enumerate(communique.links.all(), 1)},
        }

    def parse(self, key: str) -> tuple[str, int | None, str]:
        """Return the kind, the row's id (None for the communiqué) and the field of a key."""
        kind, _sep, rest = key.partition("-")
        if kind not in self.positions:
            return "communique", None, key
        pk, _sep, field = rest.partition("-")
        return kind, int(pk), field

    def ordered(self, keys: set[str]) -> list[str]:
        def position(key: str) -> tuple[int, float, int]:
            kind, pk, field = self.parse(key)
            fields = FOLLOWED_FIELDS[kind]
            row = 0 if pk is None else self.positions[kind].get(pk, float("inf"))
            return (self.KINDS.index(kind), row, fields.index(field) if field in fields else 0)

        return sorted(keys, key=position)

    def label(self, key: str) -> str:
        kind, pk, field = self.parse(key)
        model = {"communique": Communique, "image": Image, "link": SourceLink}[kind]
        name = capfirst(model._meta.get_field(field).verbose_name)
        if pk is None:
            return name
        position = self.positions[kind].get(pk)
        # In the admin language's digits, as its dates are.
        convention = convention_for(get_language() or settings.LANGUAGE_CODE)
        number = convention.number(position) if position is not None else None
        if kind == "image":
            if number is None:
                return gettext("A photo removed since, %(field)s") % {"field": name}
            return gettext("Photo %(number)s, %(field)s") % {"number": number, "field": name}
        if number is None:
            return gettext("A link removed since, %(field)s") % {"field": name}
        return gettext("Link %(number)s, %(field)s") % {"number": number, "field": name}


# --- History, conflicts, presence ---------------------------------------------------------------


class VersionHistoryMixin:
    """Versions, optimistic concurrency and presence in the communiqué admin (history.py).

    - The history page lists the versions (who, when, what happened, the change note), compares
      any version with the current state or with another version, and restores a version. A
      restore changes every language: it needs the change permission on every language, which
      translators do not have.
    - The change form carries the version it was loaded with (lock_version). A save from a form
      loaded before someone else's save is refused, showing what they changed; the form comes
      back with what was typed, and with their changes in the fields this user had not changed,
      and now carries the current version, so that saving again is a deliberate choice.
    - The change form says who else opened it within the last minutes (presence.py).
    """

    def can_restore(self, request: HttpRequest, obj: Communique) -> bool:
        return permissions.can_edit_every_language(request.user) and bool(
            self.has_change_permission(request, obj)
        )

    def get_urls(self) -> list[URLPattern]:
        # Before the admin's own, whose "<object_id>/" would take "5/history/compare/" for an id.
        info = self.opts.app_label, self.opts.model_name
        urls = [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.version_compare_view),
                name="{}_{}_version_compare".format(*info),
            ),
            path(
                "<path:object_id>/history/<int:history_id>/restore/",
                self.admin_site.admin_view(self.version_restore_view),
                name="{}_{}_version_restore".format(*info),
            ),
        ]
        return [*urls, *super().get_urls()]

    def viewable_object(self, request: HttpRequest, object_id: str) -> Communique:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def version_or_404(self, obj: Communique, history_id: object) -> Any:
        """Return the communiqué's version of that history id, or answer 404."""
        if not str(history_id).isdigit():
            raise Http404
        record = obj.history.filter(history_id=int(str(history_id))).first()
        if record is None:
            raise Http404
        return record

    def version_context(self, request: HttpRequest, obj: Communique, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": str(obj),
            "opts": self.opts,
            "original": obj,
            "history_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_history", args=[obj.pk]
            ),
        }

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        """List the communiqué's versions, newest first, to compare and restore."""
        obj = self.viewable_object(request, object_id)
        compare_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_version_compare", args=[obj.pk]
        )
        entries = history.version_entries(obj)
        rows = []
        for index, entry in enumerate(entries):
            history_id = entry.record.history_id
            previous = entries[index + 1] if index + 1 < len(entries) else None
            rows.append(
                {
                    "entry": entry,
                    "moment": dual_moment(entry.record.history_date),
                    "user": user_name(entry.user),
                    "compare_current": f"{compare_url}?{urlencode({'old': history_id})}",
                    "compare_previous": (
                        f"{compare_url}?"
                        + urlencode({"old": previous.record.history_id, "new": history_id})
                        if previous
                        else ""
                    ),
                    "restore": (
                        reverse(
                            f"admin:{self.opts.app_label}_{self.opts.model_name}_version_restore",
                            args=[obj.pk, history_id],
                        )
                        if index
                        else ""
                    ),
                }
            )
        context = {
            **self.version_context(request, obj, gettext("History")),
            "rows": rows,
            "can_restore": self.can_restore(request, obj),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/communiques/communique/history.html", context)

    def version_compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Show what changed, field by field, from a version to another, or to the current state."""
        obj = self.viewable_object(request, object_id)
        old = self.version_or_404(obj, request.GET.get("old", ""))
        new = self.version_or_404(obj, request.GET["new"]) if request.GET.get("new") else None
        sections = history.compare(
            history.version_snapshot(old),
            history.version_snapshot(new) if new else history.current_snapshot(obj),
        )
        context = {
            **self.version_context(request, obj, gettext("Compare versions")),
            "old": dual_moment(old.history_date),
            "new": dual_moment(new.history_date) if new else "",
            "sections": sections,
        }
        return TemplateResponse(
            request, "admin/communiques/communique/version_compare.html", context
        )

    def version_restore_view(
        self, request: HttpRequest, object_id: str, history_id: int
    ) -> HttpResponse:
        """Show what restoring a version changes; restore it on POST, as a new version."""
        obj = self.viewable_object(request, object_id)
        if not self.can_restore(request, obj):
            raise PermissionDenied
        record = self.version_or_404(obj, history_id)
        errors: list[str] = []
        if request.method == "POST":
            try:
                restored = history.restore_version(communique=obj, record=record, user=request.user)
            except ValidationError as error:
                errors = error.messages
            else:
                self.message_restored(request, record, restored)
                return redirect(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_change", obj.pk
                )
        sections = history.compare(history.current_snapshot(obj), history.version_snapshot(record))
        context = {
            **self.version_context(request, obj, gettext("Restore a version")),
            "version": dual_moment(record.history_date),
            "sections": sections,
            "errors": errors,
        }
        return TemplateResponse(
            request, "admin/communiques/communique/version_restore.html", context
        )

    def message_restored(
        self, request: HttpRequest, record: Any, restored: history.Restored
    ) -> None:
        self.message_user(
            request,
            format_html(
                "{}",
                gettext(
                    "The version of %(moment)s was restored in every language, with its images' "
                    "texts and its links. The restore is itself a version: it can be undone."
                )
                % {"moment": timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M")},
            ),
        )
        if restored.recreated_images:
            self.message_user(
                request,
                ngettext(
                    "%(count)d image deleted since came back with its texts but without its "
                    "file: upload the photo again.",
                    "%(count)d images deleted since came back with their texts but without their "
                    "files: upload the photos again.",
                    restored.recreated_images,
                )
                % {"count": restored.recreated_images},
                messages.WARNING,
            )
        if restored.kept_images:
            self.message_user(
                request,
                ngettext(
                    "%(count)d image added since was kept: delete it if the communiqué should "
                    "not show it.",
                    "%(count)d images added since were kept: delete them if the communiqué "
                    "should not show them.",
                    restored.kept_images,
                )
                % {"count": restored.kept_images},
                messages.WARNING,
            )

    # --- The change form: the version it was loaded with, and who else opened it

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if object_id is None or "_saveasnew" in request.POST:
            return super().changeform_view(request, object_id, form_url, extra_context)
        key = unquote(object_id)
        extra_context = {
            **(extra_context or {}),
            "presence": [
                opening.describe() for opening in presence.others_recently(key, request.user)
            ],
        }
        if request.method != "POST":
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if response.status_code == 200:
                presence.note_opened(key, request.user)
            return response
        # The version is checked, and the row locked, in the transaction of the save itself.
        with transaction.atomic(using=router.db_for_write(self.model)):
            self.check_version(request, key)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self,
        request: HttpRequest,
        obj: Communique | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm]:
        if obj is not None:
            base = kwargs.get("form", self.form)
            declared = {
                "lock_version": forms.IntegerField(
                    widget=forms.HiddenInput, required=False, min_value=0
                ),
                "conflict": getattr(request, "version_conflict", None),
            }
            kwargs["form"] = type(base.__name__, (LockVersionFormMixin, base), declared)
        return super().get_form(request, obj, change=change, **kwargs)

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        notes = getattr(form, "change_notes", None) or {}
        history.describe_version(form.instance, reason="\n".join(notes.values()))

    def check_version(self, request: HttpRequest, object_id: str) -> None:
        """Refuse a save from a form loaded before the communiqué's latest save.

        The row stays locked until the save commits, so no other save comes in between. On a
        stale version, what was posted is merged with the current state (merge_stale_post) and
        the form is told to refuse the save (LockVersionFormMixin).
        """
        posted = request.POST.get("lock_version", "")
        # A client that posts no version, such as a script, is not checked: browsers always do.
        if not posted.isdigit():
            return
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_change_permission(request, obj):
            return
        stored = (
            Communique.objects.select_for_update()
            .filter(pk=obj.pk)
            .values_list("lock_version", flat=True)
            .get()
        )
        if int(posted) == stored:
            return
        # Read again under the lock: the other save may have come after get_object.
        obj = self.get_object(request, object_id)
        request.version_conflict, request.POST = self.merge_stale_post(request, obj, int(posted))

    def merge_stale_post(
        self, request: HttpRequest, obj: Communique, loaded: int
    ) -> tuple[VersionConflict, QueryDict]:
        """Return what the others changed since the version loaded, and the data to show again.

        A field this user left as it was loaded takes the others' value; a field they changed
        keeps theirs. An image or link deleted meanwhile leaves the form (its texts typed here
        are listed in the conflict). The data carries the current version.
        """
        since = obj.history.filter(lock_version__gt=loaded).select_related("history_user")
        names = list(dict.fromkeys(user_name(record.history_user) for record in since))
        data = request.POST.copy()
        data["lock_version"] = str(obj.lock_version)
        base = obj.history.filter(lock_version=loaded).order_by("-history_id").first()
        if base is None:
            # Loaded before the history began: what was posted stays as it is.
            return VersionConflict(names=names, sections=[], both_changed=[], dropped=[]), data
        loaded_state = history.version_snapshot(base)
        current_state = history.current_snapshot(obj)
        fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        form_class = self.get_form(request, obj, change=True, fields=fields)
        both_changed = merge_fields(
            form_class,
            data,
            request.FILES,
            obj,
            loaded_state.communique,
            current_state.communique,
            prefix=None,
        )
        dropped: list[tuple[str, str, str]] = []
        rows = {Image: "images", SourceLink: "links"}
        for inline in self.get_inline_instances(request, obj):
            if inline.model not in rows:
                continue
            attribute = rows[inline.model]
            both, lost = merge_inline(
                inline.get_formset(request, obj),
                data,
                request.FILES,
                obj,
                getattr(loaded_state, attribute),
                getattr(current_state, attribute),
            )
            both_changed += both
            dropped += lost
        conflict = VersionConflict(
            names=names,
            sections=history.compare(loaded_state, current_state),
            both_changed=both_changed,
            dropped=dropped,
        )
        return conflict, data


def user_name(user: Any) -> str:
    if user is None:
        return gettext("someone")
    return user.get_full_name() or user.get_username()


def merge_fields(
    form_class: type[forms.ModelForm],
    data: QueryDict,
    files: Any,
    instance: models.Model,
    loaded: dict[str, Any],
    current: dict[str, Any],
    *,
    prefix: str | None,
) -> list[str]:
    """Give the fields this user did not change their current value in data; return the labels
    of those both this user and the others changed, which keep this user's value."""
    model = type(instance)
    initial = {name: loaded[name] for name in form_class.base_fields if name in loaded}
    posted = form_class(data, files, instance=instance, initial=initial, prefix=prefix)
    changed_here = set(posted.changed_data)
    fresh = form_class(instance=instance, prefix=prefix)
    both_changed = []
    for name in initial:
        # A file is never merged: the page cannot fill in a file input.
        if name == "file" or loaded[name] == current.get(name):
            continue
        if name in changed_here:
            both_changed.append(history.field_title(model, name))
            continue
        for key in field_keys(posted[name]):
            data.pop(key, None)
        for key, value in field_data(fresh[name]).items():
            data[key] = value
    return both_changed


def merge_inline(
    formset_class: type[forms.BaseModelFormSet],
    data: QueryDict,
    files: Any,
    parent: Communique,
    loaded: dict[int, dict[str, Any]],
    current: dict[int, dict[str, Any]],
) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Merge an inline's rows as merge_fields does the communiqué's; drop the rows deleted
    meanwhile, numbering the others again. Return the labels both changed, and what was typed
    in the dropped rows."""
    prefix = formset_class.get_default_prefix()
    model = formset_class.model
    total = int(data.get(f"{prefix}-TOTAL_FORMS") or 0)
    initial_count = int(data.get(f"{prefix}-INITIAL_FORMS") or 0)
    live = {str(row.pk): row for row in model._default_manager.filter(communique=parent)}
    both_changed: list[str] = []
    dropped: list[tuple[str, str, str]] = []
    kept: list[int] = []
    for index in range(total):
        row_prefix = f"{prefix}-{index}"
        pk = data.get(f"{row_prefix}-id", "")
        if index >= initial_count or not pk:
            kept.append(index)
            continue
        loaded_row = loaded.get(int(pk)) if pk.isdigit() else None
        if pk not in live:
            form = formset_class.form(data, files, prefix=row_prefix, initial=loaded_row or {})
            title = str((loaded_row or {}).get("url") or (loaded_row or {}).get("file") or pk)
            for name in form.changed_data:
                if name in (loaded_row or {}):
                    typed = ", ".join(data.getlist(form[name].html_name))
                    dropped.append((title, history.field_title(model, name), typed))
            continue
        kept.append(index)
        if loaded_row is not None:
            labels = merge_fields(
                formset_class.form,
                data,
                files,
                live[pk],
                loaded_row,
                current.get(int(pk), {}),
                prefix=row_prefix,
            )
            title = str(live[pk])
            both_changed += [f"{title}: {label}" for label in labels]
    if len(kept) < total:
        renumber_rows(data, prefix, kept, initial_count)
    return both_changed, dropped


def renumber_rows(data: QueryDict, prefix: str, kept: list[int], initial_count: int) -> None:
    """Keep only these rows of a formset in data, numbered again from 0."""
    rows = []
    for index in kept:
        start = f"{prefix}-{index}-"
        rows.append({key[len(start) :]: data.getlist(key) for key in data if key.startswith(start)})
    row_key = re.compile(rf"{re.escape(prefix)}-\d+-")
    for key in [key for key in data if row_key.match(key)]:
        del data[key]
    for new_index, row in enumerate(rows):
        for name, values in row.items():
            data.setlist(f"{prefix}-{new_index}-{name}", values)
    data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
    data[f"{prefix}-INITIAL_FORMS"] = str(sum(1 for index in kept if index < initial_count))


class ImageInline(TranslatorInlineMixin, LanguageDirectionMixin, TranslationStackedInline):
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


class SourceLinkInline(TranslatorInlineMixin, LanguageDirectionMixin, TranslationTabularInline):
    model = SourceLink
    form = SourceLinkForm
    extra = 0
    fields = ("url", "label", "kind", "order")
    # An address typed without a scheme is far more likely to be https today.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class SaveFailureMixin:
    """Show the form again, with everything typed, when a save fails for want of the database or
    of the storage (a full disk): nothing was saved, and the user is told so.

    The save runs in one transaction, which the failure rolls back; the files it had stored (the
    communiqué's photos, images.removed_on_failure; a file stored through store_new_file) are
    removed. The form is then validated again from what was posted and refused with the reason.
    Should the database still be out of reach, the 503 page lists what was typed
    (embassy/middleware.py).

    Each admin says what was not saved: database_failure_message, and storage_failure_message if
    it stores files. Without the latter a storage error is not caught: it is a bug, not a full disk.
    """

    database_failure_message: Any
    storage_failure_message: Any = None

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        queued = list(getattr(messages.get_messages(request), "_queued_messages", []))
        storage_errors = STORAGE_ERRORS if self.storage_failure_message else ()
        model_name = self.model._meta.model_name
        try:
            with removed_on_failure(), stored_files_removed_on_failure(request):
                return super().changeform_view(request, object_id, form_url, extra_context)
        except DATABASE_UNAVAILABLE:
            logger.exception("The database failed during the save of a %s.", model_name)
            # Read now, in the language this request is answered in.
            request.save_failure = str(self.database_failure_message)
            discard_broken_connection(router.db_for_write(self.model))
        except storage_errors:
            logger.exception("The storage failed during the save of a %s.", model_name)
            request.save_failure = str(self.storage_failure_message)
        # What the failed attempt said ("changed successfully", warnings) was not so.
        storage = messages.get_messages(request)
        if hasattr(storage, "_queued_messages"):
            storage._queued_messages[:] = queued
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self,
        request: HttpRequest,
        obj: Communique | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm]:
        failure = getattr(request, "save_failure", None)
        if failure is not None:
            base = kwargs.get("form", self.form)
            kwargs["form"] = type(base.__name__, (SaveFailureFormMixin, base), {"failure": failure})
        return super().get_form(request, obj, change=change, **kwargs)

    def store_new_file(self, request: HttpRequest, file: FieldFile) -> None:
        """Store a file field's new upload now, under a name of its own, so that it is removed
        should the save fail (the model's save then finds it stored).

        The name is this save's alone: Django's FileSystemStorage leaves what it wrote of a file
        when the disk fills up, and that part can then be removed without the risk of taking
        another save's file.
        """
        stem, extension = posixpath.splitext(posixpath.basename(file.name))
        own = f"{stem}-{secrets.token_urlsafe(9)}{extension}"
        name = file.field.generate_filename(file.instance, own)
        stored = getattr(request, "files_stored_by_save", None)
        if stored is not None:
            stored.append((file.storage, name))
        file.save(own, file.file, save=False)
        if stored is not None and file.name != name:
            stored.append((file.storage, file.name))


@contextmanager
def stored_files_removed_on_failure(request: HttpRequest) -> Iterator[None]:
    """Remove the files stored during the block (SaveFailureMixin.store_new_file) if it fails:
    the change that was to refer to them is lost."""
    stored: list[tuple[Storage, str]] = []
    request.files_stored_by_save = stored
    try:
        yield
    except BaseException:
        for storage, name in stored:
            try:
                # Nothing there (the write failed before it began) is no error.
                storage.delete(name)
            except STORAGE_ERRORS:
                logger.warning("The stored file %s could not be deleted.", name, exc_info=True)
        raise
    finally:
        del request.files_stored_by_save


class SaveFailureFormMixin:
    """Refuse the form, for the reason a first attempt to save it failed."""

    failure: str = ""

    def clean(self) -> dict[str, Any]:
        self.add_error(None, self.failure)
        return super().clean()


def discard_broken_connection(alias: str) -> None:
    """Close a connection the failure broke, so that the form is shown again through a new one.

    Django checks a connection only when a request begins; this one is still being answered.
    """
    connection = connections[alias]
    if (
        not connection.in_atomic_block
        and connection.connection is not None
        and not connection.is_usable()
    ):
        connection.close()


@admin.register(Communique)
class CommuniqueAdmin(
    SaveFailureMixin,
    VersionHistoryMixin,
    ReadableTranslationsMixin,
    EditorialWorkflowMixin,
    SlugFromTitleMixin,
    LanguageDirectionMixin,
    TabbedTranslationAdmin,
):
    form = CommuniqueAdminForm
    database_failure_message = _(
        "The communiqué was not saved: the database could not be reached. Nothing was changed; "
        "try again."
    )
    storage_failure_message = _(
        "The communiqué was not saved: its photos could not be stored (the disk may be full). "
        "Nothing was changed; choose the photos again and save, or try later."
    )
    list_display = (
        "display_title",
        "reference",
        "workflow_state",
        "category",
        "published_at_dual",
        "event_date_dual",
        "complete_languages",
        "translation_statuses",
        "is_published",
    )
    list_filter = (StateFilter, "category", LanguageCompletenessFilter, TranslationFilter)
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
        (_("Publication"), {"fields": ("status", "slug", "outdated_translations")}),
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
        js = (
            "communiques/admin/prepopulate_slug.js",
            # Named here so that the merged media load it before the script that follows it.
            "modeltranslation/js/tabbed_translation_fields.js",
            "communiques/admin/translator_tabs.js",
        )
        css = {"all": ("communiques/admin/translations.css", "communiques/admin/languages.css")}

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        # modeltranslation gives body_fa_af, body_ps… copies of the widget of body itself, so the
        # editor is set there. The lead stays plain text: one paragraph, which lists and feeds
        # show as a summary and the page gives as its meta description, where markup has no place.
        if db_field.name == "body":
            kwargs["widget"] = BodyEditorWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)

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
            for code in obj.written_languages
        ]
        return gettext(", ").join(versions) or self.get_empty_value_display()

    @admin.display(description=_("translations"))
    def translation_statuses(self, obj: Communique) -> SafeString:
        """Show each language version's status in a word: «fr: ready», «ps: outdated»."""
        return format_html_join(
            mark_safe("<br>"),
            '<span class="translation-status translation-status-{}">{}</span>',
            (
                (
                    status_key(obj, code),
                    gettext("%(language)s: %(status)s")
                    % {"language": code, "status": status_label(obj, code)},
                )
                for code in language_codes()
            ),
        )

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
class CategoryAdmin(SaveFailureMixin, SlugFromTitleMixin, LanguageDirectionMixin, TranslationAdmin):
    form = PlainTextModelForm
    database_failure_message = _(
        "The category was not saved: the database could not be reached. Nothing was changed; "
        "try again."
    )
    list_display = ("name", "slug")
    search_fields = (*localized_fieldnames("name"), "slug")
    slug_source = "name"

    class Media:
        js = ("communiques/admin/prepopulate_slug.js",)


class SiteSettingsAdminForm(PlainTextFormMixin, forms.ModelForm):
    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        # Only a new upload is processed: the stored logo, or False to remove it, passes as it is.
        if not isinstance(logo, UploadedFile):
            return logo
        # Checked and cleaned as the communiqués' photos are (decoded, metadata dropped,
        # re-encoded); their renditions are not kept: a logo is shown at one small size.
        original = process_upload(logo).original
        return SimpleUploadedFile(f"logo{original.extension}", original.data)


@admin.register(SiteSettings)
class SiteSettingsAdmin(SaveFailureMixin, LanguageDirectionMixin, TabbedTranslationAdmin):
    form = SiteSettingsAdminForm
    fields = ("name", "tagline", "logo", "contact_email")
    database_failure_message = _(
        "The site settings were not saved: the database could not be reached. Nothing was "
        "changed; try again."
    )
    storage_failure_message = _(
        "The site settings were not saved: the logo could not be stored (the disk may be full). "
        "Nothing was changed; choose the logo again and save, or try later."
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row: once it exists, it is changed, never added again.
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: SiteSettings | None = None) -> bool:
        # Every page shows the name: it may be changed, never removed.
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Open the one row's form, or the form that creates it: a list of one is a detour."""
        site_settings = SiteSettings.load()
        if site_settings is not None and self.has_view_or_change_permission(request, site_settings):
            return redirect("admin:communiques_sitesettings_change", site_settings.pk)
        if site_settings is None and self.has_add_permission(request):
            return redirect("admin:communiques_sitesettings_add")
        return super().changelist_view(request, extra_context)

    def save_model(
        self, request: HttpRequest, obj: SiteSettings, form: forms.ModelForm, change: bool
    ) -> None:
        replaced = form.initial.get("logo") if change and "logo" in form.changed_data else None
        if obj.logo and not obj.logo._committed:
            self.store_new_file(request, obj.logo)
        super().save_model(request, obj, form, change)
        if replaced:
            delete_files_on_commit([replaced.name])


# --- The audit log, and who gains or loses a role ----------------------------------------------


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log, read-only for everyone: editors read it (view_auditentry), no one writes."""

    list_display = ("at_dual", "action", "communique", "user", "summary")
    list_filter = ("action", ("user", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("communique", "user")
    date_hierarchy = "at"
    fields = ("at_dual", "action", "communique", "user", "summary")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    @admin.display(description=_("moment"), ordering="at")
    def at_dual(self, obj: AuditEntry) -> SafeString | str:
        return dual_moment(obj.at)

    @admin.display(description=_("details"))
    def summary(self, obj: AuditEntry) -> SafeString | str:
        if not obj.details:
            return self.get_empty_value_display()
        # Stored as JSON: shown as such, escaped, one entry a line.
        return format_html_join(
            "",
            '<div><span class="quiet">{}</span> {}</div>',
            (
                (key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
                for key, value in obj.details.items()
            ),
        )


def group_names(user: Any) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def permission_codenames(queryset: QuerySet) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in queryset.values_list("content_type__app_label", "codename")
    }


class AuditedUserAdmin(UserAdmin):
    """Django's user admin, recording in the audit log every role and permission given or taken."""

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        flags = [
            name for name in ("is_superuser", "is_staff", "is_active") if name in form.changed_data
        ]
        if flags:
            AuditEntry.record(
                AuditEntry.Action.PERMISSIONS_CHANGED,
                user=request.user,
                member=obj.get_username(),
                **{name: getattr(obj, name) for name in flags},
            )

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        member = form.instance
        # Before save_related the many-to-many relations are still those stored.
        groups_before = group_names(member) if change else set()
        permissions_before = permission_codenames(member.user_permissions) if change else set()
        super().save_related(request, form, formsets, change)
        groups_after = group_names(member)
        for name in sorted(groups_after - groups_before):
            AuditEntry.record(
                AuditEntry.Action.ROLE_ASSIGNED,
                user=request.user,
                member=member.get_username(),
                group=name,
            )
        for name in sorted(groups_before - groups_after):
            AuditEntry.record(
                AuditEntry.Action.ROLE_REMOVED,
                user=request.user,
                member=member.get_username(),
                group=name,
            )
        permissions_after = permission_codenames(member.user_permissions)
        if permissions_after != permissions_before:
            AuditEntry.record(
                AuditEntry.Action.PERMISSIONS_CHANGED,
                user=request.user,
                member=member.get_username(),
                added=sorted(permissions_after - permissions_before),
                removed=sorted(permissions_before - permissions_after),
            )


class AuditedGroupAdmin(GroupAdmin):
    """Django's group admin, recording in the audit log every change to a role's permissions."""

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        group = form.instance
        before = permission_codenames(group.permissions) if change else set()
        super().save_related(request, form, formsets, change)
        after = permission_codenames(group.permissions)
        if after != before:
            AuditEntry.record(
                AuditEntry.Action.PERMISSIONS_CHANGED,
                user=request.user,
                group=group.name,
                added=sorted(after - before),
                removed=sorted(before - after),
            )


for _model, _model_admin in ((get_user_model(), AuditedUserAdmin), (Group, AuditedGroupAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _model_admin)

# Every admin page names the press office, in the reader's language, rather than Django.
admin.site.site_header = _("Embassy press office")
admin.site.site_title = _("Communiqués")
admin.site.index_title = _("Communiqués")
