import datetime as dt
import re
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.contrib.staticfiles import finders
from django.db import connection
from django.db.models.fields.files import FieldFile
from django.forms import CheckboxInput, MultiWidget
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from modeltranslation.utils import build_css_class
from pytest_django.asserts import assertContains, assertNotContains

from communiques.admin import CommuniqueAdmin
from communiques.models import Category, Communique, SourceLink
from tests.factories import CategoryFactory, CommuniqueFactory, ImageFactory, SourceLinkFactory

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
ADD_URL = reverse("admin:communiques_communique_add")
CHANGELIST_URL = reverse("admin:communiques_communique_changelist")
JQUERY_UI = "vendor/jquery-ui/jquery-ui.tabs.min.js"
KABUL = ZoneInfo("Asia/Kabul")


def change_url(communique):
    return reverse("admin:communiques_communique_change", args=[communique.pk])


def speak(client, language):
    """Choose the admin's language the way a browser does: the admin is not under i18n_patterns."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def english_admin(admin_client):
    return speak(admin_client, "en")


class _Markup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.root = {}
        self.controls = {}
        self.scripts = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.root = attributes
        elif tag in {"input", "textarea", "select"} and "name" in attributes:
            self.controls[attributes["name"]] = attributes
        elif tag == "script" and "src" in attributes:
            self.scripts.append(attributes["src"])


def markup(response):
    parser = _Markup()
    parser.feed(response.content.decode())
    return parser


def submitted(bound_field):
    """Return what a browser sends for a form field left as the page shows it."""
    value = bound_field.value()
    widget = bound_field.field.widget
    if isinstance(widget, CheckboxInput):
        return {bound_field.html_name: "on"} if value else {}
    if isinstance(widget, MultiWidget):
        parts = widget.decompress(value) if value else []
        return {
            f"{bound_field.html_name}{suffix}": str(part)
            for suffix, part in zip(widget.widgets_names, parts, strict=False)
            if part is not None
        }
    if value is None or isinstance(value, FieldFile):
        return {}
    return {bound_field.html_name: str(value)}


def form_data(response):
    """Return the POST data of the admin form on this page, as it is shown."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for bound_field in form:
            data.update(submitted(bound_field))
    return data


def add_inline_form(response, data, prefix, **values):
    """Add one more form to an inline, built from the inline's empty form, as "Add another" does."""
    (inline,) = [i for i in response.context["inline_admin_formsets"] if i.formset.prefix == prefix]
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for bound_field in inline.formset.empty_form:
        for name, value in submitted(bound_field).items():
            data[name.replace("__prefix__", str(index))] = value
    for field, value in values.items():
        data[f"{prefix}-{index}-{field}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    return data


def new_communique_data(response, **values):
    data = form_data(response)
    data.update(
        {
            "title_fa_af": "نشست ائتلاف بین‌المللی",
            "body_fa_af": "<p>متن اعلامیه.</p><script>alert(1)</script>",
            "title_fr": "Réunion de la coalition",
            "body_fr": "<p>Texte du communiqué.</p>",
            "slug": "reunion-de-la-coalition",
            "event_date": "2019-06-25",
            "published_at_0": "2019-06-25",
            "published_at_1": "10:00:00",
            "status": Communique.Status.PUBLISHED,
        }
    )
    data.update(values)
    return data


class TestPagesInEveryLanguage:
    @pytest.mark.parametrize(
        ("language", "direction"),
        [("fa-af", "rtl"), ("ps", "rtl"), ("fr", "ltr"), ("en", "ltr")],
    )
    @pytest.mark.parametrize("form", ["add", "change"])
    def test_communique_form_answers_in_the_language_and_its_direction(
        self, admin_client, language, direction, form
    ):
        communique = CommuniqueFactory()
        SourceLinkFactory(communique=communique)
        url = ADD_URL if form == "add" else change_url(communique)

        response = speak(admin_client, language).get(url)

        assert response.status_code == 200
        assert markup(response).root == {"lang": language, "dir": direction}

    @pytest.mark.parametrize(
        ("accept_language", "language", "direction"),
        [("ps", "ps", "rtl"), ("fa-AF,fa;q=0.8", "fa-af", "rtl"), ("fr-FR,fr;q=0.9", "fr", "ltr")],
    )
    def test_the_admin_follows_the_browser_language_when_no_language_was_chosen(
        self, admin_client, accept_language, language, direction
    ):
        response = admin_client.get(ADD_URL, headers={"accept-language": accept_language})

        assert response.status_code == 200
        assert markup(response).root == {"lang": language, "dir": direction}

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_category_add_page_answers_in_every_language(self, admin_client, language):
        response = speak(admin_client, language).get(reverse("admin:communiques_category_add"))

        assert response.status_code == 200

    @pytest.mark.parametrize("language", ["fa-af", "ps", "fr"])
    def test_the_workflow_of_a_published_communique_speaks_the_admins_language(
        self, login, language
    ):
        communique = CommuniqueFactory()
        editor = login("editor")
        on_form = (
            "Publication record",
            "First published",
            "Withdrawal",
            "Kind of withdrawal",
            "Change note",
            "Minor correction",
            "Preview links",
            "Manage preview links",
        )
        on_changelist = ("Scheduled", "By state", "Audit log")
        # The positive control: in English, the page shows them all.
        for url, texts in ((change_url(communique), on_form), (CHANGELIST_URL, on_changelist)):
            response = speak(editor, "en").get(url)
            for text in texts:
                assertContains(response, text)

        for url, texts in ((change_url(communique), on_form), (CHANGELIST_URL, on_changelist)):
            response = speak(editor, language).get(url)
            for text in texts:
                assertNotContains(response, text)


class TestChangelist:
    @pytest.mark.parametrize(
        "query",
        [
            {},
            {"status__exact": "published"},
            {"status__exact": "draft"},
            {"category__isnull": "True"},
            {"published_at__year": "2019"},
            {"q": "اعلامیه"},
            {"q": "۲۰۱۹/۰۰۱"},
            *(
                {"language": f"{state}-{code}"}
                for state in ("complete", "missing")
                for code in LANGUAGES
            ),
        ],
    )
    @pytest.mark.parametrize("language", ["en", "fa-af"])
    def test_changelist_answers_with_each_filter_and_search(self, admin_client, query, language):
        CommuniqueFactory()

        response = speak(admin_client, language).get(CHANGELIST_URL, query)

        assert response.status_code == 200
        assert response.context["cl"].result_count == len(response.context["cl"].result_list)

    def test_changelist_answers_with_a_category_filter(self, english_admin):
        communique = CommuniqueFactory()

        response = english_admin.get(
            CHANGELIST_URL, {"category__id__exact": communique.category_id}
        )

        assert list(response.context["cl"].result_list) == [communique]

    @pytest.mark.parametrize(
        ("choice", "expected"),
        [
            ("complete-fa-af", ["dari-french", "dari-only"]),
            ("missing-fa-af", []),
            ("complete-fr", ["dari-french"]),
            ("missing-fr", ["dari-only"]),
            ("complete-ps", []),
            ("missing-ps", ["dari-french", "dari-only"]),
            ("complete-en", []),
            ("missing-en", ["dari-french", "dari-only"]),
        ],
    )
    def test_language_filter_keeps_exactly_the_matching_communiques(
        self, english_admin, choice, expected
    ):
        CommuniqueFactory(slug="dari-only", title_fr=None, body_fr=None)
        CommuniqueFactory(slug="dari-french")

        response = english_admin.get(CHANGELIST_URL, {"language": choice})

        assert sorted(c.slug for c in response.context["cl"].result_list) == expected

    def test_an_unknown_language_choice_is_refused(self, english_admin):
        response = english_admin.get(CHANGELIST_URL, {"language": "complete-de"})

        assert response.status_code == 302
        assert response.url.endswith("?e=1")

    @pytest.mark.parametrize(
        ("term", "expected"),
        [
            ("ائتلاف", ["coalition"]),
            ("coalition", ["coalition"]),
            ("visite", ["visit"]),
            ("2019/002", ["visit"]),
            ("۲۰۱۹/۰۰۱", ["coalition"]),
            ("2019/003", []),
        ],
    )
    def test_search_finds_titles_in_any_language_and_references(
        self, english_admin, term, expected
    ):
        CommuniqueFactory(
            slug="coalition",
            title_fa_af="نشست ائتلاف",
            title_fr="La coalition",
            published_at=dt.datetime(2019, 6, 25, tzinfo=dt.UTC),
        )
        CommuniqueFactory(
            slug="visit",
            title_fa_af="سفر وزیر",
            title_fr="La visite du ministre",
            published_at=dt.datetime(2019, 7, 1, tzinfo=dt.UTC),
        )

        response = english_admin.get(CHANGELIST_URL, {"q": term})

        assert [c.slug for c in response.context["cl"].result_list] == expected

    def test_title_column_shows_the_original_title_marked_with_its_language(self, english_admin):
        CommuniqueFactory(title_fa_af="نشست ائتلاف", title_fr=None, body_fr=None)

        response = english_admin.get(CHANGELIST_URL)

        assert '<span lang="fa-AF" dir="rtl">نشست ائتلاف</span>' in response.content.decode()

    def test_changelist_query_count_does_not_grow_with_the_rows(self, english_admin):
        CommuniqueFactory.create_batch(2)
        with CaptureQueriesContext(connection) as few:
            english_admin.get(CHANGELIST_URL)
        CommuniqueFactory.create_batch(8)
        with CaptureQueriesContext(connection) as many:
            response = english_admin.get(CHANGELIST_URL)

        assert response.context["cl"].result_count == 10
        assert len(many) == len(few)


class TestAdding:
    def test_adding_records_the_author_sanitises_the_body_and_assigns_a_reference(
        self, english_admin, admin_user
    ):
        page = english_admin.get(ADD_URL)

        response = english_admin.post(ADD_URL, new_communique_data(page))

        assert response.status_code == 302
        communique = Communique.objects.get()
        assert communique.created_by == admin_user
        assert communique.updated_by == admin_user
        assert communique.body_fa_af == "<p>متن اعلامیه.</p>"
        assert communique.reference == "2019/001"
        assert communique.title_fr == "Réunion de la coalition"

    def test_adding_saves_the_source_links_typed_with_it(self, english_admin):
        page = english_admin.get(ADD_URL)
        data = add_inline_form(
            page,
            new_communique_data(page),
            "links",
            url="https://www.diplomatie.gouv.fr/fr/",
            label_fr="Pour en savoir plus",
        )

        response = english_admin.post(ADD_URL, data)

        assert response.status_code == 302
        link = SourceLink.objects.get()
        assert (link.url, link.label_fr) == (
            "https://www.diplomatie.gouv.fr/fr/",
            "Pour en savoir plus",
        )

    @pytest.mark.parametrize(
        ("titles", "saved"),
        [
            ({"title_fr": "Réunion de la coalition"}, True),
            ({"title_ps": "د ایتلاف غونډه"}, True),
            ({}, False),
        ],
    )
    def test_a_draft_needs_a_title_in_some_language_not_necessarily_dari(
        self, english_admin, titles, saved
    ):
        page = english_admin.get(ADD_URL)
        data = new_communique_data(
            page, status=Communique.Status.DRAFT, title_fa_af="", title_fr="", body_fa_af=""
        )
        data.update(titles)

        response = english_admin.post(ADD_URL, data)

        assert Communique.objects.exists() == saved
        if not saved:
            assert (
                "Give the communiqué a title in at least one language." in response.content.decode()
            )

    @pytest.mark.parametrize(
        ("mistake", "error_field"),
        [
            ({"published_at_0": "", "published_at_1": ""}, "published_at"),
            ({"links": "ftp://ftp.example.org/communique.pdf"}, "url"),
            ({"links": "javascript:alert(1)"}, "url"),
        ],
    )
    def test_a_failed_save_shows_the_error_keeps_the_typing_and_writes_nothing(
        self, english_admin, mistake, error_field
    ):
        page = english_admin.get(ADD_URL)
        data = new_communique_data(page)
        if "links" in mistake:
            add_inline_form(page, data, "links", url=mistake["links"], label_fr="Le document")
        else:
            data.update(mistake)

        response = english_admin.post(ADD_URL, data)

        assert response.status_code == 200
        errors = [response.context["adminform"].form.errors] + [
            error
            for inline in response.context["inline_admin_formsets"]
            for error in inline.formset.errors
        ]
        assert any(error_field in error for error in errors)
        content = response.content.decode()
        assert "Réunion de la coalition" in content
        assert "نشست ائتلاف بین‌المللی" in content
        assert Communique.objects.count() == 0
        assert SourceLink.objects.count() == 0


class TestEditing:
    def test_editing_records_who_changed_it_and_keeps_who_created_it(
        self, client, admin_user, django_user_model
    ):
        communique = CommuniqueFactory(created_by=admin_user, updated_by=admin_user)
        editor = django_user_model.objects.create_superuser("editor", "editor@example.org", "x")
        client.force_login(editor)
        speak(client, "en")
        page = client.get(change_url(communique))
        data = form_data(page)
        data["title_en"] = "Coalition meeting"
        data["body_en"] = "<p>Text.</p>"
        data["change_note_en"] = "Added the English version."

        response = client.post(change_url(communique), data)

        assert response.status_code == 302
        communique.refresh_from_db()
        assert communique.title_en == "Coalition meeting"
        assert communique.created_by == admin_user
        assert communique.updated_by == editor

    def test_an_invalid_link_on_edit_writes_nothing(self, english_admin):
        communique = CommuniqueFactory(title_fr="Avant")
        link = SourceLinkFactory(communique=communique)
        page = english_admin.get(change_url(communique))
        data = form_data(page)
        data["title_fr"] = "Après"
        data["links-0-url"] = "javascript:alert(1)"

        response = english_admin.post(change_url(communique), data)

        assert response.status_code == 200
        assert "Après" in response.content.decode()
        communique.refresh_from_db()
        link.refresh_from_db()
        assert communique.title_fr == "Avant"
        assert link.url == "https://www.diplomatie.gouv.fr/fr/"


class TestLanguageOfInputs:
    TRANSLATED_INPUTS = (
        "title",
        "subtitle",
        "lead",
        "body",
        "place",
        "is_demo_translation",
        "images-0-alt_text",
        "images-0-caption",
        "links-0-label",
        "links-__prefix__-label",
    )

    @pytest.mark.parametrize("admin_language", ["en", "fr"])
    @pytest.mark.parametrize(
        ("code", "lang", "direction"),
        [("fa_af", "fa-AF", "rtl"), ("ps", "ps", "rtl"), ("fr", "fr", "ltr"), ("en", "en", "ltr")],
    )
    def test_each_translated_input_carries_its_language_and_direction(
        self, admin_client, admin_language, code, lang, direction
    ):
        communique = CommuniqueFactory()
        ImageFactory(communique=communique)
        SourceLinkFactory(communique=communique)

        response = speak(admin_client, admin_language).get(change_url(communique))

        controls = markup(response).controls
        marks = {
            field: (controls[f"{field}_{code}"]["lang"], controls[f"{field}_{code}"]["dir"])
            for field in self.TRANSLATED_INPUTS
        }
        assert marks == dict.fromkeys(self.TRANSLATED_INPUTS, (lang, direction))

    @pytest.mark.parametrize(
        ("name", "direction"),
        [("status", None), ("event_date", None), ("slug", "ltr"), ("links-0-url", "ltr")],
    )
    def test_untranslated_inputs_follow_the_page_but_addresses_stay_left_to_right(
        self, admin_client, name, direction
    ):
        communique = CommuniqueFactory(status=Communique.Status.DRAFT)
        SourceLinkFactory(communique=communique)

        response = speak(admin_client, "fa-af").get(change_url(communique))

        control = markup(response).controls[name]
        assert control.get("dir") == direction
        assert "lang" not in control

    @pytest.mark.parametrize(
        ("code", "lang", "direction"),
        [("fa_af", "fa-AF", "rtl"), ("ps", "ps", "rtl"), ("fr", "fr", "ltr"), ("en", "en", "ltr")],
    )
    def test_category_name_inputs_carry_their_language_and_direction(
        self, english_admin, code, lang, direction
    ):
        response = english_admin.get(reverse("admin:communiques_category_add"))

        control = markup(response).controls[f"name_{code}"]
        assert (control["lang"], control["dir"]) == (lang, direction)


class TestTranslatorsReadTheOtherLanguages:
    """A translator edits their language's texts and reads the others' in the same tabs."""

    def readable(self, name, lang, direction, content):
        mt_class = build_css_class(name, "mt-field")
        return (
            f'<div class="mt {mt_class} readable-text" id="id_{name}" lang="{lang}" '
            f'dir="{direction}">{content}</div>'
        )

    @pytest.mark.parametrize(
        ("translator", "code", "lang", "direction"),
        [
            ("translator-fa-af", "fa_af", "fa-AF", "rtl"),
            ("translator-ps", "ps", "ps", "rtl"),
            ("translator-fr", "fr", "fr", "ltr"),
        ],
    )
    def test_their_own_inputs_are_editable_in_their_language_and_direction(
        self, login, translator, code, lang, direction
    ):
        communique = CommuniqueFactory(title_ps="سرلیک", body_ps="<p>متن.</p>")

        response = login(translator).get(change_url(communique))

        controls = markup(response).controls
        for field in ("title", "subtitle", "lead", "body", "place"):
            control = controls[f"{field}_{code}"]
            assert (control["lang"], control["dir"]) == (lang, direction)
            assert "readonly" not in control and "disabled" not in control
        # Nothing of the other languages can be typed into.
        assert not [name for name in controls if name.startswith("title_") and code not in name]

    def test_the_other_languages_bodies_are_rendered_in_their_language_and_direction(self, login):
        communique = CommuniqueFactory(
            body_fa_af="<p>پاراگراف <strong>اول</strong>.</p><ul><li>یک</li></ul>",
            title_en="Coalition meeting",
            body_en="<p>First paragraph.</p>",
        )

        response = login("translator-fr").get(change_url(communique))

        assertContains(
            response,
            self.readable(
                "body_fa_af",
                "fa-AF",
                "rtl",
                "<p>پاراگراف <strong>اول</strong>.</p><ul><li>یک</li></ul>",
            ),
            html=True,
        )
        assertContains(
            response,
            self.readable("body_en", "en", "ltr", "<p>First paragraph.</p>"),
            html=True,
        )
        assertContains(
            response, self.readable("title_en", "en", "ltr", "Coalition meeting"), html=True
        )
        # Never the markup as text (the French body's editor holds its own, escaped).
        assertNotContains(response, "&lt;p&gt;پاراگراف")
        assertNotContains(response, "&lt;p&gt;First")

    def test_a_body_written_around_the_sanitiser_is_sanitised_when_shown(self, login):
        communique = CommuniqueFactory()
        # A bulk update skips save(), and with it the sanitiser.
        Communique.objects.filter(pk=communique.pk).update(
            body_ps='<p onclick="alert(1)">متن</p><script>alert(2)</script>'
        )

        response = login("translator-fr").get(change_url(communique))

        assertContains(response, self.readable("body_ps", "ps", "rtl", "<p>متن</p>"), html=True)
        assertNotContains(response, "alert(")

    def test_their_own_language_comes_first_in_each_fields_tabs(self, login):
        communique = CommuniqueFactory()

        page = login("translator-fr").get(change_url(communique)).content.decode()

        order = [page.index(f'id="id_body_{code}"') for code in ("fr", "fa_af", "ps", "en")]
        assert order == sorted(order)

    def test_a_press_officer_reads_a_published_communique_rendered_too(self, login):
        communique = CommuniqueFactory()

        response = login("officer").get(change_url(communique))

        assert response.status_code == 200
        assertContains(
            response,
            self.readable(
                "body_fr", "fr", "ltr", "<p>Premier paragraphe.</p><p>Second paragraphe.</p>"
            ),
            html=True,
        )
        assertNotContains(response, "&lt;p&gt;Premier")

    def test_an_editor_still_edits_every_language(self, login):
        communique = CommuniqueFactory()

        response = login("editor").get(change_url(communique))

        controls = markup(response).controls
        assert {f"body_{code.replace('-', '_')}" for code in LANGUAGES} <= set(controls)
        assertNotContains(response, "readable-text")


class TestChangeForm:
    @pytest.mark.parametrize(
        ("status", "slug_editable"),
        [
            (Communique.Status.DRAFT, True),
            (Communique.Status.PUBLISHED, False),
            (Communique.Status.WITHDRAWN, False),
        ],
    )
    def test_the_slug_is_read_only_once_published(self, english_admin, status, slug_editable):
        communique = CommuniqueFactory(slug="coalition-meeting", status=status)

        response = english_admin.get(change_url(communique))

        assert ("slug" in markup(response).controls) == slug_editable
        assert "coalition-meeting" in response.content.decode()

    def test_a_published_slug_cannot_be_changed_by_posting_it(self, english_admin):
        communique = CommuniqueFactory(slug="coalition-meeting")
        data = form_data(english_admin.get(change_url(communique)))
        data["slug"] = "another-address"

        english_admin.post(change_url(communique), data)

        communique.refresh_from_db()
        assert communique.slug == "coalition-meeting"

    @pytest.mark.parametrize(
        ("path", "sources"),
        [
            (ADD_URL, '["id_title_en", "id_title_fr"]'),
            (reverse("admin:communiques_category_add"), '["id_name_en", "id_name_fr"]'),
        ],
    )
    def test_a_new_slug_is_filled_from_the_english_or_french_title(
        self, english_admin, path, sources
    ):
        response = english_admin.get(path)

        assert markup(response).controls["slug"]["data-slug-sources"] == sources
        assert "/static/communiques/admin/prepopulate_slug.js" in markup(response).scripts

    def test_each_language_tab_has_its_demo_translation_flag(self, english_admin):
        response = english_admin.get(ADD_URL)

        controls = markup(response).controls
        for code in ("fa_af", "ps", "fr", "en"):
            assert controls[f"is_demo_translation_{code}"]["type"] == "checkbox"

    @pytest.mark.parametrize(
        ("language", "event_date", "published_at"),
        [
            ("en", "25 June 2019 (4 Saratan 1398)", "1 July 2019 (10 Saratan 1398)"),
            ("fr", "25 juin 2019 (4 Saratan 1398)", "1er juillet 2019 (10 Saratan 1398)"),
            ("fa-af", "۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸", "۱ جولای ۲۰۱۹ / ۱۰ سرطان ۱۳۹۸"),
            ("ps", "۲۵ جون ۲۰۱۹ / ۴ چنګاښ ۱۳۹۸", "۱ جولای ۲۰۱۹ / ۱۰ چنګاښ ۱۳۹۸"),
        ],
    )
    def test_dates_are_also_shown_in_the_solar_hijri_calendar_in_the_admin_language(
        self, admin_client, language, event_date, published_at
    ):
        communique = CommuniqueFactory(
            event_date=dt.date(2019, 6, 25),
            # 22:00 UTC on 30 June is 1 July in Kabul.
            published_at=dt.datetime(2019, 6, 30, 22, 0, tzinfo=dt.UTC),
        )

        response = speak(admin_client, language).get(change_url(communique))

        content = response.content.decode()
        assert event_date in content
        assert published_at in content

    def test_images_show_their_size_read_only_and_a_thumbnail(self, english_admin):
        image = ImageFactory()

        response = english_admin.get(change_url(image.communique))

        controls = markup(response).controls
        assert "images-0-file" in controls
        assert "images-0-width" not in controls
        assert "images-0-height" not in controls
        content = response.content.decode()
        assert (
            f'<img src="{image.file.url}" width="128" height="96" alt="" loading="lazy">' in content
        )
        assert '<div class="readonly">640</div>' in content
        assert '<div class="readonly">480</div>' in content

    def test_empty_read_only_values_show_as_a_dash_not_none(self, english_admin):
        communique = CommuniqueFactory(event_date=None, status=Communique.Status.DRAFT)
        ImageFactory(communique=communique, file=None)

        responses = [english_admin.get(ADD_URL), english_admin.get(change_url(communique))]

        for response in responses:
            content = response.content.decode()
            assert '<div class="readonly">None</div>' not in content
            assert '<div class="readonly">-</div>' in content

    def test_reference_and_record_are_read_only(self, english_admin, admin_user):
        communique = CommuniqueFactory(
            created_by=admin_user, published_at=dt.datetime(2019, 6, 25, tzinfo=dt.UTC)
        )

        response = english_admin.get(change_url(communique))

        controls = markup(response).controls
        for name in ("reference_year", "reference_number", "created_by", "updated_by"):
            assert name not in controls
        assert "2019/001" in response.content.decode()


class TestStaticAssets:
    def test_the_change_page_loads_no_script_from_another_site(self, english_admin):
        communique = CommuniqueFactory()

        response = english_admin.get(change_url(communique))

        content = response.content.decode()
        assert "googleapis" not in content
        assert "//ajax" not in content
        scripts = markup(response).scripts
        assert f"/static/{JQUERY_UI}" in scripts
        assert all(re.match(r"/(static|admin)/", src) for src in scripts)

    def test_the_tabs_only_jquery_ui_build_is_shipped_with_its_licence(self):
        bundle = finders.find(JQUERY_UI)

        assert bundle is not None
        text = open(bundle, encoding="utf-8").read()
        assert "jQuery UI Tabs 1.14.2" in text
        assert finders.find("vendor/jquery-ui/LICENSE.txt") is not None
        assert finders.find("vendor/jquery-ui/README.md") is not None


class TestCategoryAdmin:
    def test_adding_a_category_saves_every_language(self, english_admin):
        response = english_admin.post(
            reverse("admin:communiques_category_add"),
            {
                "name_fa_af": "سفر",
                "name_ps": "سفر",
                "name_fr": "Visite",
                "name_en": "Visit",
                "slug": "visit",
            },
        )

        assert response.status_code == 302
        category = Category.objects.get(slug="visit")
        assert (category.name_fa_af, category.name_en) == ("سفر", "Visit")

    def test_category_changelist_searches_names_in_any_language(self, english_admin):
        CategoryFactory()

        response = english_admin.get(
            reverse("admin:communiques_category_changelist"), {"q": "مطبوعاتی"}
        )

        assert response.context["cl"].result_count == 1


def test_the_changelist_tells_demo_versions_from_translated_ones(english_admin):
    CommuniqueFactory(is_demo_translation_fa_af=False, is_demo_translation_fr=True)

    response = english_admin.get(CHANGELIST_URL)

    assert "Dari, French (demo)" in response.content.decode()


# --- Dates in both calendars --------------------------------------------------------------------

DUAL_DATE_URL = reverse("admin:communiques_communique_dual_date")


class TestDatesInTheChangeForm:
    @pytest.mark.parametrize(
        ("event_date", "published_at_0"),
        [("1398/04/04", "1398/04/04"), ("۱۳۹۸/۰۴/۰۴", "۱۳۹۸-۰۴-۰۴"), ("2019-06-25", "2019-06-25")],
    )
    def test_a_solar_hijri_date_typed_in_the_add_form_is_stored_as_the_gregorian_date(
        self, english_admin, event_date, published_at_0
    ):
        page = english_admin.get(ADD_URL)
        data = new_communique_data(
            page, event_date=event_date, published_at_0=published_at_0, published_at_1="10:00"
        )

        response = english_admin.post(ADD_URL, data)

        assert response.status_code == 302
        communique = Communique.objects.get()
        assert communique.event_date == dt.date(2019, 6, 25)
        assert communique.published_at == dt.datetime(2019, 6, 25, 10, 0, tzinfo=KABUL)

    def test_an_impossible_solar_date_is_refused_in_the_admin_language_and_kept(self, admin_client):
        dari_admin = speak(admin_client, "fa-af")
        page = dari_admin.get(ADD_URL)

        response = dari_admin.post(ADD_URL, new_communique_data(page, event_date="۱۳۹۸/۱۲/۳۱"))

        assert response.status_code == 200
        assert Communique.objects.count() == 0
        assert response.context["adminform"].form.errors["event_date"] == [
            "تاریخ هجری شمسی ۱۳۹۸/۱۲/۳۱ وجود ندارد: ماه و روز را بررسی کنید."
        ]
        assert markup(response).controls["event_date"]["value"] == "۱۳۹۸/۱۲/۳۱"

    def test_the_change_form_shows_each_date_in_both_calendars_beside_its_input(self, admin_client):
        communique = CommuniqueFactory(
            event_date=dt.date(2019, 6, 25),
            published_at=dt.datetime(2019, 6, 30, 22, 0, tzinfo=dt.UTC),
        )

        response = speak(admin_client, "fa-af").get(change_url(communique))

        for input_id, text in [
            ("id_event_date", "۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸"),
            ("id_published_at_0", "۱ جولای ۲۰۱۹ / ۱۰ سرطان ۱۳۹۸"),
        ]:
            assertContains(
                response,
                f'<output class="dual-date" for="{input_id}" data-lookup-url="{DUAL_DATE_URL}" '
                f'aria-live="polite">{text}</output>',
                html=True,
            )
        controls = markup(response).controls
        assert controls["event_date"]["class"] == "vDateField"
        assert controls["published_at_0"]["class"] == "vDateField"
        assert controls["published_at_1"]["class"] == "vTimeField"
        scripts = markup(response).scripts
        assert "/static/admin/js/admin/DateTimeShortcuts.js" in scripts
        assert "/static/communiques/admin/dual_date.js" in scripts

    def test_the_record_dates_are_shown_in_both_calendars_with_the_time_in_kabul(
        self, admin_client
    ):
        # 05:30 UTC is 10:00 in Kabul.
        with time_machine.travel(dt.datetime(2019, 6, 25, 5, 30, tzinfo=dt.UTC), tick=False):
            communique = CommuniqueFactory()

        response = speak(admin_client, "fa-af").get(change_url(communique))

        assertContains(
            response,
            '<div class="readonly"><span class="nowrap">۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸</span><br>'
            "۱۰:۰۰</div>",
            count=2,
            html=True,
        )


class TestDualDateLookup:
    def test_anonymous_visitors_are_sent_to_the_login_page(self, client):
        response = client.get(DUAL_DATE_URL, {"value": "1398/04/04"})

        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))

    def test_staff_who_may_neither_add_nor_change_communiques_are_refused(
        self, client, django_user_model
    ):
        user = django_user_model.objects.create_user("reader", password="x", is_staff=True)
        client.force_login(user)

        assert client.get(DUAL_DATE_URL, {"value": "1398/04/04"}).status_code == 403

    @pytest.mark.parametrize(
        ("language", "value", "display"),
        [
            ("fa-af", "1398/04/04", "۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸"),
            ("fa-af", "۱۳۹۸/۰۴/۰۴", "۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸"),
            ("ps", "2019-06-25", "۲۵ جون ۲۰۱۹ / ۴ چنګاښ ۱۳۹۸"),
            ("en", "2019-06-25", "25 June 2019 (4 Saratan 1398)"),
            ("fr", "25/06/2019", "25 juin 2019 (4 Saratan 1398)"),
        ],
    )
    def test_a_typed_date_is_answered_in_both_calendars_and_in_iso(
        self, admin_client, language, value, display
    ):
        response = speak(admin_client, language).get(DUAL_DATE_URL, {"value": value})

        assert response.status_code == 200
        assert response.json() == {"value": value, "date": "2019-06-25", "display": display}

    @pytest.mark.parametrize(
        ("language", "error"),
        [
            ("en", "There is no Solar Hijri date 1398/12/31: check the month and the day."),
            ("fa-af", "تاریخ هجری شمسی 1398/12/31 وجود ندارد: ماه و روز را بررسی کنید."),
        ],
    )
    def test_an_impossible_date_is_answered_with_the_translated_error(
        self, admin_client, language, error
    ):
        response = speak(admin_client, language).get(DUAL_DATE_URL, {"value": "1398/12/31"})

        assert response.json() == {"value": "1398/12/31", "error": error}

    def test_nothing_typed_is_answered_with_nothing(self, english_admin):
        response = english_admin.get(DUAL_DATE_URL)

        assert response.json() == {"value": "", "date": "", "display": ""}

    def test_answers_are_never_cached(self, english_admin):
        response = english_admin.get(DUAL_DATE_URL, {"value": "1398/04/04"})

        assert "no-cache" in response["Cache-Control"]


class TestDatesInTheChangelist:
    def test_the_changelist_shows_dates_in_both_calendars_in_dari(self, admin_client):
        CommuniqueFactory(
            event_date=dt.date(2019, 6, 25),
            published_at=dt.datetime(2019, 7, 8, 9, 0, tzinfo=KABUL),
        )

        response = speak(admin_client, "fa-af").get(CHANGELIST_URL)

        assertContains(
            response,
            '<td class="field-event_date_dual">'
            '<span class="nowrap">۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸</span></td>',
            html=True,
        )
        assertContains(
            response,
            '<td class="field-published_at_dual">'
            '<span class="nowrap">۸ جولای ۲۰۱۹ / ۱۷ سرطان ۱۳۹۸</span><br>۰۹:۰۰</td>',
            html=True,
        )

    @pytest.mark.parametrize(
        ("column", "order", "expected"),
        [
            ("published_at_dual", "", ["old", "middle", "new"]),
            ("published_at_dual", "-", ["new", "middle", "old"]),
            ("event_date_dual", "", ["middle", "new", "old"]),
            ("event_date_dual", "-", ["old", "new", "middle"]),
        ],
    )
    def test_the_date_columns_sort_by_their_dates(self, english_admin, column, order, expected):
        for slug, published_on, event_date in [
            ("old", dt.datetime(2019, 1, 1, tzinfo=KABUL), dt.date(2019, 12, 1)),
            ("middle", dt.datetime(2019, 6, 1, tzinfo=KABUL), dt.date(2018, 1, 1)),
            ("new", dt.datetime(2019, 9, 1, tzinfo=KABUL), dt.date(2019, 2, 1)),
        ]:
            CommuniqueFactory(slug=slug, published_at=published_on, event_date=event_date)
        index = CommuniqueAdmin.list_display.index(column) + 1

        response = english_admin.get(CHANGELIST_URL, {"o": f"{order}{index}"})

        assert [c.slug for c in response.context["cl"].result_list] == expected

    def test_an_empty_date_shows_as_a_dash(self, english_admin):
        CommuniqueFactory(event_date=None, published_at=None, status=Communique.Status.DRAFT)

        response = english_admin.get(CHANGELIST_URL)

        assertContains(response, '<td class="field-event_date_dual">-</td>', html=True)
        assertContains(response, '<td class="field-published_at_dual">-</td>', html=True)


class TestDatesInTheText:
    """Dates typed by hand in both calendars are checked, and date tokens refused if invalid."""

    WRONG_PAIR = "۲۵ جون ۲۰۱۹ میلادی (۵ سرطان ۱۳۹۸ هجری شمسی)"

    @staticmethod
    def warnings(response):
        return [
            str(message)
            for message in get_messages(response.wsgi_request)
            if message.level == messages.WARNING
        ]

    @pytest.mark.parametrize(
        ("body", "warnings"),
        [
            ("<p>بروز ۲۵ جون ۲۰۱۹ میلادی (۴ سرطان ۱۳۹۸ هجری شمسی) در پاریس.</p>", []),
            (
                f"<p>بروز <b>{WRONG_PAIR}</b> در پاریس.</p>",
                [
                    f"Dates that disagree in Dari, body: «{WRONG_PAIR}»: «۲۵ جون ۲۰۱۹» is "
                    "2019-06-25 but «۵ سرطان ۱۳۹۸» is 2019-06-26; it should read «۴ سرطان ۱۳۹۸»."
                ],
            ),
        ],
        ids=["right", "wrong"],
    )
    def test_adding_a_communique_warns_about_a_pair_whose_dates_disagree(
        self, english_admin, body, warnings
    ):
        page = english_admin.get(ADD_URL)

        response = english_admin.post(ADD_URL, new_communique_data(page, body_fa_af=body))

        assert response.status_code == 302
        assert Communique.objects.get().body_fa_af == body
        assert self.warnings(response) == warnings

    def test_changing_a_communique_warns_in_the_admins_language_about_each_version(
        self, admin_client
    ):
        communique = CommuniqueFactory()
        french = speak(admin_client, "fr")
        data = form_data(french.get(change_url(communique)))
        data["lead_en"] = "On 25 June 2019 (5 Saratan 1398 SH), in Paris."
        data["subtitle_ps"] = "د ۲۰۱۴ میلادي کال (۱۳۹۱ لمریز کال) راهیسې"
        data["minor_change"] = "on"

        response = french.post(change_url(communique), data)

        assert response.status_code == 302
        with translation.override("fr"):
            names = {code: str(name) for code, name in settings.LANGUAGES}
            subtitle = str(Communique._meta.get_field("subtitle").verbose_name)
            lead = str(Communique._meta.get_field("lead").verbose_name)
        # French sets guillemets and colons off with no-break spaces.
        pashto, english = (warning.replace("\xa0", "") for warning in self.warnings(response))
        assert names["ps"] in pashto and subtitle in pashto
        assert "«۲۰۱۴ میلادي کال (۱۳۹۱ لمریز کال)»" in pashto
        assert "۱۳۹۲" in pashto and "۱۳۹۳" in pashto
        assert names["en"] in english and lead in english
        assert "«25 June 2019 (5 Saratan 1398 SH)»" in english
        assert "«4 Saratan 1398»" in english

    @pytest.mark.parametrize(
        ("field", "value", "token"),
        [
            ("body_fa_af", "<p>جلسه [[2019-02-30]] در پاریس.</p>", "[[2019-02-30]]"),
            ("lead_fr", "Réunion du [[2019-06-25|grand]].", "[[2019-06-25|grand]]"),
        ],
    )
    def test_an_invalid_date_token_is_refused_on_its_field_and_the_typing_is_kept(
        self, english_admin, field, value, token
    ):
        page = english_admin.get(ADD_URL)
        valid = english_admin.post(
            ADD_URL, new_communique_data(page, slug="valid", **{field: "[[2019-06-25|long]]"})
        )
        assert valid.status_code == 302

        response = english_admin.post(ADD_URL, new_communique_data(page, **{field: value}))

        assert response.status_code == 200
        [error] = response.context["adminform"].form.errors[field]
        assert f"«{token}» is not a date token" in error
        assert response.context["adminform"].form[field].value() == value
        assert escape(value) in response.content.decode()
        assert Communique.objects.count() == 1
