"""The site around the communiqués: its settings, categories, languages and error pages."""

import io
import re

import PIL.Image
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from communiques.context_processors import site_settings
from communiques.models import Communique, SiteSettings
from tests.factories import CategoryFactory, CommuniqueFactory, ImageFactory, SourceLinkFactory

NAMES = {
    "fa-af": "سفارت فرانسه در افغانستان",
    "ps": "په افغانستان کې د فرانسې سفارت",
    "fr": "Ambassade de France en Afghanistan",
    "en": "Embassy of France in Afghanistan",
}
# The interface's own name for the site, in each language, when the settings give none.
DEFAULT_NAMES = {
    "fa-af": "دفتر مطبوعاتی سفارت",
    "ps": "د سفارت مطبوعاتي دفتر",
    "fr": "Service de presse de l’ambassade",
    "en": "Embassy press office",
}
ROOTS = {
    "fa-af": '<html lang="fa-AF" dir="rtl">',
    "ps": '<html lang="ps" dir="rtl">',
    "fr": '<html lang="fr" dir="ltr">',
    "en": '<html lang="en" dir="ltr">',
}


def url(name, language="fa-af", **kwargs):
    with translation.override(language):
        return reverse(f"communiques:{name}", kwargs=kwargs or None)


def named_site(**kwargs):
    names = {f"name_{code.replace('-', '_')}": name for code, name in NAMES.items()}
    site = SiteSettings(**{**names, **kwargs})
    site.save()
    return site


def png_upload(name="logo.png", size=(240, 120), **info):
    """Return a PNG upload; info becomes text chunks, as image editors write them."""
    from PIL.PngImagePlugin import PngInfo

    metadata = PngInfo()
    for key, value in info.items():
        metadata.add_text(key, value)
    buffer = io.BytesIO()
    PIL.Image.new("RGBA", size, (15, 61, 94, 255)).save(buffer, "PNG", pnginfo=metadata)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def title_of(response):
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


# --- Site settings: one row, edited in every language ------------------------------------------


@pytest.mark.django_db
class TestSiteSettingsModel:
    def test_saving_another_instance_replaces_the_one_row_instead_of_adding_a_second(self):
        named_site(name_fr="Première")

        SiteSettings(name_fa_af="دوم", name_fr="Seconde").save()

        assert SiteSettings.objects.count() == 1
        assert SiteSettings.load().name_fr == "Seconde"

    def test_load_answers_none_before_anyone_saved_the_settings(self):
        assert SiteSettings.load() is None


@pytest.mark.django_db
class TestSiteSettingsAdmin:
    def test_the_list_opens_the_add_form_while_there_are_no_settings(self, admin_client):
        response = admin_client.get(reverse("admin:communiques_sitesettings_changelist"))

        assertRedirects(response, reverse("admin:communiques_sitesettings_add"))

    def test_the_list_opens_the_one_rows_form_once_it_exists(self, admin_client):
        site = named_site()

        response = admin_client.get(reverse("admin:communiques_sitesettings_changelist"))

        assertRedirects(response, reverse("admin:communiques_sitesettings_change", args=[site.pk]))

    def test_settings_can_be_added_while_there_are_none_and_not_once_they_exist(self, admin_client):
        add = reverse("admin:communiques_sitesettings_add")
        assert admin_client.get(add).status_code == 200

        named_site()

        assert admin_client.get(add).status_code == 403

    def test_settings_can_never_be_deleted(self, admin_client):
        site = named_site()

        response = admin_client.post(
            reverse("admin:communiques_sitesettings_delete", args=[site.pk]), {"post": "yes"}
        )

        assert response.status_code == 403
        assert SiteSettings.objects.count() == 1

    @pytest.mark.parametrize(
        ("field", "lang", "direction"),
        [
            ("name_fa_af", "fa-AF", "rtl"),
            ("name_ps", "ps", "rtl"),
            ("name_fr", "fr", "ltr"),
            ("name_en", "en", "ltr"),
            ("tagline_fa_af", "fa-AF", "rtl"),
            ("tagline_fr", "fr", "ltr"),
        ],
    )
    def test_the_form_has_an_input_per_language_in_its_direction(
        self, admin_client, field, lang, direction
    ):
        response = admin_client.get(reverse("admin:communiques_sitesettings_add"))

        html = response.content.decode()
        tag = re.search(rf'<input[^>]+name="{field}"[^>]*>', html).group(0)
        assert f'lang="{lang}"' in tag
        assert f'dir="{direction}"' in tag

    def test_the_press_office_names_the_embassy_in_every_language(self, admin_client):
        data = {f"name_{code.replace('-', '_')}": name for code, name in NAMES.items()}
        data.update(tagline_fr="Service de presse", contact_email="presse@embassy.example")

        response = admin_client.post(reverse("admin:communiques_sitesettings_add"), data)

        assert response.status_code == 302
        site = SiteSettings.load()
        assert (site.name_fa_af, site.name_ps, site.name_fr, site.name_en) == tuple(NAMES.values())
        assert site.tagline_fr == "Service de presse"
        assert site.contact_email == "presse@embassy.example"

    def test_the_dari_name_is_required_and_the_others_are_not(self, admin_client):
        response = admin_client.post(
            reverse("admin:communiques_sitesettings_add"), {"name_fr": NAMES["fr"]}
        )

        assert response.status_code == 200
        assert "name_fa_af" in response.context["adminform"].form.errors
        assert SiteSettings.objects.count() == 0

    def test_an_uploaded_logo_is_stored_re_encoded_without_its_metadata(self, admin_client):
        data = {"name_fa_af": NAMES["fa-af"], "logo": png_upload(Author="Photographer's name")}

        response = admin_client.post(reverse("admin:communiques_sitesettings_add"), data)

        assert response.status_code == 302
        site = SiteSettings.load()
        assert site.logo.name.startswith("site/logo")
        assert (site.logo_width, site.logo_height) == (240, 120)
        with PIL.Image.open(site.logo.path) as stored:
            assert stored.format == "PNG"
            assert "Author" not in stored.info

    def test_a_file_that_is_not_an_image_is_refused_as_a_logo(self, admin_client):
        upload = SimpleUploadedFile("logo.png", b"not a picture", content_type="image/png")
        data = {"name_fa_af": NAMES["fa-af"], "logo": upload}

        response = admin_client.post(reverse("admin:communiques_sitesettings_add"), data)

        assert response.status_code == 200
        assert "logo" in response.context["adminform"].form.errors
        assert SiteSettings.objects.count() == 0

    def test_a_replaced_logo_file_is_removed_once_the_change_is_saved(
        self, admin_client, django_capture_on_commit_callbacks
    ):
        site = named_site()
        change = reverse("admin:communiques_sitesettings_change", args=[site.pk])
        admin_client.post(change, {"name_fa_af": NAMES["fa-af"], "logo": png_upload()})
        first = SiteSettings.load().logo
        assert first.storage.exists(first.name)

        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(
                change, {"name_fa_af": NAMES["fa-af"], "logo": png_upload(size=(300, 100))}
            )

        second = SiteSettings.load().logo
        assert second.name != first.name
        assert second.storage.exists(second.name)
        assert not first.storage.exists(first.name)


# --- Site settings on every page ----------------------------------------------------------------


@pytest.mark.django_db
class TestSiteSettingsOnPages:
    @pytest.mark.parametrize("language", NAMES)
    def test_the_header_and_the_title_name_the_embassy_in_the_page_language(self, client, language):
        named_site()

        response = client.get(url("index", language))

        assertContains(
            response, f'<span class="site-name-text">{NAMES[language]}</span>', html=True
        )
        assert title_of(response).endswith(f" · {NAMES[language]}")
        assertContains(response, f'<p class="site-footer-name">{NAMES[language]}</p>', html=True)

    @pytest.mark.parametrize("language", NAMES)
    def test_without_settings_pages_use_the_interfaces_own_name(self, client, language):
        response = client.get(url("index", language))

        expected = DEFAULT_NAMES[language]
        assertContains(response, f'<span class="site-name-text">{expected}</span>', html=True)
        assert title_of(response).endswith(f" · {expected}")

    def test_a_language_without_a_name_gets_the_interfaces_name_not_another_languages(self, client):
        named_site(name_fr="")

        response = client.get(url("index", "fr"))

        assertContains(
            response,
            f'<span class="site-name-text">{DEFAULT_NAMES["fr"]}</span>',
            html=True,
        )
        assertNotContains(response, NAMES["fa-af"])

    def test_the_tagline_and_the_logo_show_beside_the_name(self, client, admin_client):
        named_site(tagline_fr="Service de presse")
        site = SiteSettings.load()
        site.logo.save("logo.png", png_upload())

        response = client.get(url("index", "fr"))

        assertContains(response, '<span class="site-tagline">Service de presse</span>', html=True)
        assertContains(
            response,
            f'<img class="site-logo" src="{site.logo.url}" width="240" height="120" alt="">',
            html=True,
        )

    def test_the_footer_gives_the_press_contact_isolated_left_to_right(self, client):
        named_site(contact_email="press@embassy.example")

        response = client.get(url("index", "fa-af"))

        assertContains(
            response,
            '<a href="mailto:press@embassy.example"><bdi dir="ltr">press@embassy.example</bdi></a>',
            html=True,
        )

    def test_the_context_processor_reads_the_settings_once_however_often_used(
        self, django_assert_num_queries
    ):
        named_site()
        request = RequestFactory().get("/")

        with django_assert_num_queries(1), translation.override("fr"):
            for _ in range(3):
                identity = site_settings(request)["site_settings"]
                assert identity.name == NAMES["fr"]
                assert identity.logo_url == ""

    def test_a_page_reads_the_settings_in_one_query(self, client, django_assert_num_queries):
        named_site()

        # The not-found page reads nothing else; its header, title and footer share one query.
        with django_assert_num_queries(1):
            response = client.get("/fr/nothing-here/")

        assert response.status_code == 404
        assertContains(response, NAMES["fr"], count=3, status_code=404)

    def test_a_page_that_never_shows_the_settings_never_reads_them(
        self, client, django_assert_num_queries
    ):
        named_site()

        with django_assert_num_queries(0):
            response = client.get(reverse("admin:login"))

        assert response.status_code == 200


# --- Categories --------------------------------------------------------------------------------


@pytest.fixture
def statement():
    return CategoryFactory(
        slug="statement", name_fa_af="بیانیه", name_ps="بیانیه", name_fr="Déclaration", name_en=""
    )


@pytest.mark.django_db
class TestCategoryPages:
    def test_a_category_lists_exactly_its_published_communiques_in_the_language(
        self, client, statement
    ):
        CommuniqueFactory(category=statement, title_fr="Déclaration publiée")
        CommuniqueFactory(category=statement, title_fr="Brouillon", status=Communique.Status.DRAFT)
        CommuniqueFactory(category=statement, title_fr="", body_fr="", title_fa_af="فقط دری")
        CommuniqueFactory(title_fr="Autre catégorie")

        response = client.get(url("category", "fr", slug="statement"))

        assert [c.title for c in response.context["communiques"]] == ["Déclaration publiée"]
        assertContains(response, '<h1 class="page-title">Déclaration</h1>', html=True)
        assert title_of(response).startswith("Déclaration · ")

    def test_an_unknown_category_is_not_found(self, client):
        response = client.get(url("category", "fr", slug="no-such-category"))

        assert response.status_code == 404

    def test_a_category_without_communiques_in_the_language_says_so(self, client, statement):
        CommuniqueFactory(category=statement, title_en="", body_en="")

        response = client.get(url("category", "en", slug="statement"))

        assert response.status_code == 200
        assertContains(
            response, "No communiqué of this category has been published in this language yet."
        )

    def test_a_category_not_named_in_the_language_goes_by_its_isolated_slug(
        self, client, statement
    ):
        response = client.get(url("category", "en", slug="statement"))

        assertContains(
            response, '<h1 class="page-title"><bdi dir="ltr">statement</bdi></h1>', html=True
        )

    def test_the_category_page_exists_in_every_language(self, client, statement):
        response = client.get(url("category", "fa-af", slug="statement"))

        for language in ("ps", "fr", "en"):
            assertContains(response, f'href="{url("category", language, slug="statement")}"')

    @pytest.mark.parametrize("page", ["index", "detail"])
    def test_the_category_of_a_communique_leads_to_its_page(self, client, statement, page):
        communique = CommuniqueFactory(category=statement)
        address = url("detail", slug=communique.slug) if page == "detail" else url("index")

        response = client.get(address)

        assertContains(
            response,
            f'<p class="category"><a href="{url("category", slug="statement")}">بیانیه</a></p>',
            html=True,
        )

    def test_on_its_own_page_the_category_is_not_repeated_on_every_communique(
        self, client, statement
    ):
        CommuniqueFactory(category=statement, title_fa_af="بیانیهٔ سفارت")
        address = url("category", slug="statement")

        response = client.get(address)

        assertContains(response, "بیانیهٔ سفارت")
        assertNotContains(response, '<p class="category">')

    @pytest.mark.parametrize("communiques", [1, 12])
    def test_a_category_page_uses_a_constant_number_of_queries(
        self, client, statement, django_assert_num_queries, communiques
    ):
        for _ in range(communiques):
            communique = CommuniqueFactory(category=statement)
            ImageFactory.create_batch(2, communique=communique)

        # The category, the language's list (its communiqués of the category, their count, the
        # archive's months), the page, its images, the site settings, the categories.
        with django_assert_num_queries(6):
            response = client.get(url("category", slug="statement"))

        assert len(response.context["communiques"]) == min(communiques, 10)


# --- Language negotiation ----------------------------------------------------------------------

NEGOTIATION = [
    # Accept-Language, where / sends the visitor
    ("fr", "/fr/"),
    ("ps", "/ps/"),
    ("en-US,en;q=0.9", "/en/"),
    ("fa-AF", "/fa-af/"),
    # Iranian Persian is not offered: Dari is the closest language that is.
    ("fa", "/fa-af/"),
    ("fa-IR,fa;q=0.9,en;q=0.5", "/fa-af/"),
    # Windows asks for Dari by its ISO 639-3 code.
    ("prs-AF, fr;q=0.9", "/fa-af/"),
    ("ps-AF", "/ps/"),
    ("de, fr;q=0.5", "/fr/"),
    ("de", "/fa-af/"),
    ("*", "/fa-af/"),
    (None, "/fa-af/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("accept_language", "destination"), NEGOTIATION)
def test_the_home_address_sends_visitors_to_their_best_language(
    client, accept_language, destination
):
    headers = {"accept-language": accept_language} if accept_language else {}

    response = client.get("/", headers=headers)

    assert response.status_code == 302
    assert response["Location"] == destination
    # A cache must not give one visitor's language to the next.
    assert "Accept-Language" in response["Vary"]


@pytest.mark.django_db
def test_a_chosen_language_wins_over_the_browsers(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ps"

    response = client.get("/", headers={"accept-language": "fr"})

    assert response["Location"] == "/ps/"


# --- Error pages ---------------------------------------------------------------------------------

NOT_FOUND = [
    # address, Accept-Language, language of the page
    ("/fa-af/nothing-here/", None, "fa-af"),
    ("/ps/nothing-here/", "fr", "ps"),
    ("/fr/nothing-here/", None, "fr"),
    ("/en/communiques/no-such-communique/", None, "en"),
    # No language in the address: the reader's, or else the default.
    ("/nothing-here", None, "fa-af"),
    ("/nothing-here/", "fr-FR,fr;q=0.9", "fr"),
    ("/nothing-here/", "fa", "fa-af"),
]
PAGE_NOT_FOUND = {
    "fa-af": "صفحه پیدا نشد",
    "ps": "پاڼه ونه موندل شوه",
    "fr": "Page introuvable",
    "en": "Page not found",
}


@pytest.mark.django_db
@pytest.mark.parametrize(("address", "accept_language", "language"), NOT_FOUND)
def test_the_not_found_page_speaks_the_language_of_the_address_or_of_the_reader(
    client, address, accept_language, language
):
    headers = {"accept-language": accept_language} if accept_language else {}

    response = client.get(address, headers=headers)

    assert response.status_code == 404
    assertContains(response, ROOTS[language], status_code=404)
    assertContains(
        response, f'<h1 class="page-title">{PAGE_NOT_FOUND[language]}</h1>', status_code=404
    )
    assertContains(response, f'href="{url("index", language)}"', status_code=404)


SERVER_ERROR = {
    "fa-af": "صفحه نمایش داده نشد",
    "fr": "La page n’a pas pu être affichée",
}


@pytest.mark.parametrize("language", SERVER_ERROR)
def test_a_failing_page_answers_the_static_error_page_in_its_language_without_the_database(
    client, language
):
    # No django_db mark: the list view's first query fails as with an unreachable database,
    # and nothing on the way to the error page may try the database again.
    client.raise_request_exception = False

    response = client.get(url("index", language))

    assert response.status_code == 500
    html = response.content.decode()
    assert ROOTS[language] in html
    assert SERVER_ERROR[language] in html
    assert not re.search(r"<link[^>]+stylesheet", html)


# --- Direction of the parts of a page ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda: CommuniqueFactory(), '<bdi dir="ltr">{reference}</bdi>'),
        (
            lambda: SourceLinkFactory(label_fa_af="").communique,
            '<bdi dir="ltr">https://www.diplomatie.gouv.fr/fr/</bdi>',
        ),
        (lambda: ImageFactory(credit="AFP").communique, "<bdi>AFP</bdi>"),
    ],
    ids=["reference", "source address", "photo credit"],
)
def test_latin_names_and_numbers_in_a_dari_page_are_isolated(client, make, fragment):
    communique = make()

    response = client.get(url("detail", slug=communique.slug))

    assertContains(response, fragment.format(reference=communique.reference))


@pytest.mark.django_db
def test_every_page_names_its_icon_so_browsers_do_not_ask_for_a_missing_favicon(client):
    from django.contrib.staticfiles import finders

    response = client.get(reverse("communiques:index"))

    icon = re.search(r'<link rel="icon" href="/static/([^"]+)"', response.content.decode())
    assert icon, "the page links no icon"
    assert finders.find(icon.group(1)), f"{icon.group(1)} is not among the static files"
