"""Translation versions through the real admin and the public pages: each language's status,
outdated translations and what changed in their original, and the editor's choice to keep an
outdated translation online with a notice or to hold it back until it is marked ready again."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from pytest_django.asserts import assertContains, assertNotContains

from communiques import workflow
from communiques.models import AuditEntry, Communique, TranslationVersion
from communiques.permissions import EDITOR, PRESS_OFFICER, assign_role, translator_group_name
from tests.factories import CommuniqueFactory, ImageFactory
from tests.test_admin import CHANGELIST_URL, change_url, form_data, markup
from tests.test_feeds import feed_url, read_feed
from tests.test_permissions import errors_of
from tests.test_search import search_url
from tests.test_sitemaps import read_sitemap, version
from tests.test_views import detail_url, url

pytestmark = pytest.mark.django_db

IN_REVIEW = Communique.Status.IN_REVIEW
STAY_ONLINE = Communique.OutdatedTranslations.STAY_ONLINE
WAIT = Communique.OutdatedTranslations.WAIT
# The factory's Dari body, and the same with its second paragraph's last word changed.
DARI_BODY = "<p>پاراگراف اول.</p><p>پاراگراف دوم.</p>"
NEW_DARI_BODY = "<p>پاراگراف اول.</p><p>پاراگراف سوم.</p>"
NEW_FRENCH_BODY = "<p>Premier paragraphe.</p><p>Troisième paragraphe.</p>"


@pytest.fixture
def staff(django_user_model, roles):
    """Return a client logged in, in English, as the one user of a role: several people work on
    the same communiqué, each in their own browser."""
    clients = {}

    def staff(role):
        if role not in clients:
            user = django_user_model.objects.create_user(role, password="x", is_staff=True)
            groups = {"officer": PRESS_OFFICER, "editor": EDITOR}
            assign_role(
                user, groups.get(role) or translator_group_name(role.removeprefix("translator-"))
            )
            client = Client()
            client.force_login(user)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            clients[role] = client
        return clients[role]

    return staff


@pytest.fixture
def public():
    return Client()


def save(client, communique, **values):
    """Post the change form as shown, with these values; a public communiqué's save is a minor
    correction. Return the response, asserting that it saved."""
    page = client.get(change_url(communique))
    data = form_data(page)
    if "minor_change" in page.context["adminform"].form.fields:
        data["minor_change"] = "on"
    data.update(values)
    response = client.post(change_url(communique), data)
    assert response.status_code == 302, errors_of(response)
    return response


def field(language):
    return language.replace("-", "_")


def in_language(language, message):
    with translation.override(language):
        return gettext(message)


# --- Outdated, and what changed --------------------------------------------------------------


def test_a_change_to_the_original_outdates_the_translation_and_shows_its_translator_the_words(
    staff,
):
    communique = CommuniqueFactory(status=IN_REVIEW, published_at=None)
    translator = staff("translator-fr")
    save(translator, communique, ready_fr="on")
    communique.refresh_from_db()
    version = TranslationVersion.objects.get(communique=communique, language="fr")
    assert (version.ready_by.username, version.translator.username) == ("translator-fr",) * 2
    assert version.source_snapshot["body"] == "پاراگراف اول.\nپاراگراف دوم."
    assert not communique.is_outdated_in("fr")
    assertNotContains(translator.get(change_url(communique)), 'class="text-diff"')

    save(staff("officer"), communique, body_fa_af=NEW_DARI_BODY)

    communique.refresh_from_db()
    assert communique.is_outdated_in("fr")
    assert list(Communique.objects.outdated_in("fr")) == [communique]
    page = translator.get(change_url(communique))
    assertContains(page, "Changes in the original since the translation was marked ready")
    assertContains(
        page,
        '<tr><th scope="row">Body</th><td><div class="text-diff" lang="fa-AF" dir="rtl">'
        "پاراگراف اول.<br>پاراگراف <del>دوم.</del> <ins>سوم.</ins></div></td></tr>",
        html=True,
    )
    # Only what changed: the title is the same.
    assertNotContains(page, '<th scope="row">Title</th>', html=True)

    save(translator, communique, ready_fr="on")

    communique.refresh_from_db()
    assert not communique.is_outdated_in("fr")
    assert not Communique.objects.outdated_in("fr").exists()
    version.refresh_from_db()
    assert version.source_snapshot["body"] == "پاراگراف اول.\nپاراگراف سوم."
    assertNotContains(translator.get(change_url(communique)), 'class="text-diff"')
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.TRANSLATION_READY)
    assert sorted(entry.details["was_outdated"] for entry in entries) == [False, True]


def test_a_changed_photo_caption_in_the_original_outdates_the_translation(staff):
    communique = CommuniqueFactory(status=IN_REVIEW, published_at=None)
    ImageFactory(communique=communique, caption_fa_af="جلسهٔ ائتلاف در پاریس")
    translator = staff("translator-fr")
    save(translator, communique, ready_fr="on")

    save(staff("officer"), communique, **{"images-0-caption_fa_af": "جلسهٔ ائتلاف در کابل"})

    communique.refresh_from_db()
    assert communique.is_outdated_in("fr")
    assertContains(
        translator.get(change_url(communique)),
        '<tr><th scope="row">Photo 1, Caption</th><td><div class="text-diff" lang="fa-AF" '
        'dir="rtl">جلسهٔ ائتلاف در <del>پاریس</del> <ins>کابل</ins></div></td></tr>',
        html=True,
    )


def test_markup_and_spacing_changes_to_the_original_outdate_nothing(staff):
    communique = CommuniqueFactory(status=IN_REVIEW, published_at=None)
    save(staff("translator-fr"), communique, ready_fr="on")

    save(
        staff("officer"),
        communique,
        body_fa_af="<p>پاراگراف   <strong>اول.</strong></p><p>پاراگراف دوم.</p>",
    )

    communique.refresh_from_db()
    assert not communique.is_outdated_in("fr")


def test_the_original_itself_is_never_marked_ready_nor_outdated(staff):
    dari_original = CommuniqueFactory(status=IN_REVIEW, published_at=None)
    french_original = CommuniqueFactory(status=IN_REVIEW, published_at=None, original_language="fr")
    translator = staff("translator-fa-af")

    assert "ready_fa_af" not in markup(translator.get(change_url(dari_original))).controls
    assert "ready_fa_af" in markup(translator.get(change_url(french_original))).controls
    save(staff("officer"), dari_original, body_fa_af=NEW_DARI_BODY)
    dari_original.refresh_from_db()
    assert not dari_original.is_outdated_in("fa-af")


# --- Statuses, filters and the changelist -----------------------------------------------------


def test_a_translator_editing_their_language_is_its_translator_and_it_is_in_progress_until_ready(
    staff,
):
    communique = CommuniqueFactory(status=IN_REVIEW, published_at=None, title_ps="", body_ps="")
    translator = staff("translator-ps")
    assert communique.translation_status("ps") == TranslationVersion.Status.MISSING

    save(translator, communique, title_ps="سرلیک", body_ps="<p>متن.</p>")

    communique.refresh_from_db()
    version = communique.translation_version("ps")
    assert (version.translator.username, version.ready_at) == ("translator-ps", None)
    assert communique.translation_status("ps") == TranslationVersion.Status.IN_PROGRESS

    save(translator, communique, ready_ps="on")

    communique.refresh_from_db()
    assert communique.translation_status("ps") == TranslationVersion.Status.READY

    save(translator, communique, body_ps="<p>نوی متن.</p>")

    communique.refresh_from_db()
    assert communique.translation_status("ps") == TranslationVersion.Status.IN_PROGRESS


def translated(slug, *, ready=True, **kwargs):
    """A communiqué whose French version is marked ready (by the workflow, as the admin does)."""
    communique = CommuniqueFactory(slug=slug, **kwargs)
    if ready:
        workflow.translation_ready_mark(communique=communique, language="fr", user=None)
    return communique


@pytest.fixture
def every_status():
    """One communiqué for each state of its French version."""
    translated("missing", ready=False, title_fr="", body_fr="")
    translated("in-progress", ready=False)
    translated("ready", status=IN_REVIEW, published_at=None)
    translated("published")
    edited = translated("edited")
    edited.title_fr = "Titre retouché"
    edited.save()
    outdated = translated("outdated")
    outdated.body_fa_af = NEW_DARI_BODY
    outdated.save()


def test_the_changelist_filters_what_needs_translation_and_what_is_outdated(staff, every_status):
    editor = staff("editor")

    def slugs(value):
        response = editor.get(CHANGELIST_URL, {"translation": value})
        return sorted(c.slug for c in response.context["cl"].result_list)

    assert slugs("needed-fr") == ["edited", "in-progress", "missing"]
    assert slugs("outdated-fr") == ["outdated"]
    # The original needs no translation into its own language, nor is outdated in it.
    assert slugs("needed-fa-af") == []
    assert slugs("outdated-fa-af") == []
    assert len(slugs("needed-ps")) == 6


def test_the_changelist_shows_each_language_status_in_a_word(staff, every_status):
    response = staff("editor").get(CHANGELIST_URL)

    def status(language, key, label):
        return (
            f'<span class="translation-status translation-status-{key}">{language}: {label}</span>'
        )

    for html, count in [
        (status("fr", "missing", "missing"), 1),
        (status("fr", "in_progress", "in progress"), 2),
        (status("fr", "ready", "ready"), 1),
        (status("fr", "published", "published"), 1),
        (status("fr", "outdated", "outdated"), 1),
        (status("fa-af", "published", "published"), 5),
        (status("fa-af", "ready", "ready"), 1),
        (status("ps", "missing", "missing"), 6),
    ]:
        assertContains(response, html, count=count, html=True)


def test_the_changelist_reads_the_versions_in_a_constant_number_of_queries(staff):
    editor = staff("editor")
    editor.get(CHANGELIST_URL)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert editor.get(CHANGELIST_URL).status_code == 200
        return len(context)

    for number in range(2):
        translated(f"first-{number}")
    few = queries()
    for number in range(6):
        translated(f"more-{number}").translation_versions.create(language="ps")

    assert queries() == few


def test_the_change_form_lists_each_version_with_its_translator_and_readiness(staff):
    communique = CommuniqueFactory(status=IN_REVIEW, published_at=None)
    save(staff("translator-fr"), communique, ready_fr="on")

    page = staff("editor").get(change_url(communique))

    assertContains(page, '<td class="translation-status-ready">ready</td>', html=True)
    assertContains(page, "<td>translator-fr</td>", html=True)
    assertContains(page, "Dari (original)")


# --- What the public reads: online with a notice, or held back ----------------------------------


NOTICE = "This translation is being updated: the original text has changed since it was translated."


@pytest.mark.parametrize(
    ("original", "translated_into", "new_body", "link"),
    [
        ("fa-af", "fr", NEW_DARI_BODY, 'hreflang="fa-AF" lang="fa-AF" dir="rtl">دری</a>'),
        ("fr", "fa-af", NEW_FRENCH_BODY, 'hreflang="fr" lang="fr" dir="ltr">Français</a>'),
    ],
)
def test_an_outdated_translation_stays_online_with_a_notice_in_its_language(
    staff, public, original, translated_into, new_body, link
):
    communique = CommuniqueFactory(original_language=original)
    save(
        staff(f"translator-{translated_into}"),
        communique,
        **{f"ready_{field(translated_into)}": "on"},
    )
    notice = in_language(translated_into, NOTICE)
    assertNotContains(public.get(detail_url(communique, translated_into)), notice)

    save(staff("editor"), communique, **{f"body_{field(original)}": new_body})

    page = public.get(detail_url(communique, translated_into))
    assertContains(page, notice)
    assertContains(page, f'<a href="{detail_url(communique, original)}" {link}', html=True)
    assertNotContains(public.get(detail_url(communique, original)), 'class="translation-notice"')


@pytest.mark.parametrize(
    ("language", "beginning"),
    [
        ("fa-af", "ترجمهٔ این نسخه در حال به‌روزرسانی است"),
        ("ps", "د دې نسخې ژباړه تازه کېږي"),
        ("fr", "La traduction de cette version est en cours de mise à jour"),
        ("en", "This translation is being updated"),
    ],
)
def test_the_notice_speaks_the_language_of_the_page(language, beginning):
    assert in_language(language, NOTICE).startswith(beginning)


def french_presence(client, communique):
    """Where the public finds the French version: its page, the list, feed, search, sitemap."""
    sitemap = read_sitemap(client)
    dari_alternates = sitemap.get(version(communique.slug, "fa-af"), {}).get("alternates", {})
    entries = read_feed(client, feed_url("rss", "fr")).entries
    return {
        "page": client.get(detail_url(communique, "fr")).status_code,
        "list": communique.slug
        in [c.slug for c in client.get(url("index", "fr")).context["communiques"]],
        "feed": any(communique.slug in entry.link for entry in entries),
        "search": communique.slug
        in [
            c.slug for c in client.get(search_url("fr"), {"q": "Communiqué"}).context["communiques"]
        ],
        "sitemap": version(communique.slug, "fr") in sitemap,
        "alternate": "fr" in dari_alternates,
    }


EVERYWHERE = {
    "page": 200,
    "list": True,
    "feed": True,
    "search": True,
    "sitemap": True,
    "alternate": True,
}
NOWHERE = {
    "page": 404,
    "list": False,
    "feed": False,
    "search": False,
    "sitemap": False,
    "alternate": False,
}


def test_an_outdated_translation_that_waits_is_hidden_until_marked_ready_again(staff, public):
    communique = CommuniqueFactory(slug="coalition")
    translator = staff("translator-fr")
    editor = staff("editor")
    save(translator, communique, ready_fr="on")
    save(editor, communique, outdated_translations=WAIT)
    # Not outdated yet: the choice alone hides nothing.
    assert french_presence(public, communique) == EVERYWHERE

    save(editor, communique, body_fa_af=NEW_DARI_BODY)

    assert french_presence(public, communique) == NOWHERE
    page = public.get(detail_url(communique, "fr"))
    assertContains(
        page,
        f'<a href="{detail_url(communique, "fa-af")}" hreflang="fa-AF" lang="fa-AF" dir="rtl">'
        "دری</a>",
        html=True,
        status_code=404,
    )
    assertNotContains(page, "Communiqué numéro", status_code=404)
    assert public.get(detail_url(communique, "fa-af")).status_code == 200
    # Staff still read it, as a preview that is never cached.
    preview = editor.get(detail_url(communique, "fr"))
    assertContains(preview, 'class="preview-banner"')
    assert "no-store" in preview["Cache-Control"]
    _link, token = workflow.preview_link_create(communique=communique, user=None)
    with translation.override("fr"):
        assert (
            public.get(reverse("communiques:preview", kwargs={"token": token})).status_code == 200
        )

    save(translator, communique, ready_fr="on")

    assert french_presence(public, communique) == EVERYWHERE


def test_the_choice_for_outdated_translations_is_the_editors_and_is_audited(staff):
    communique = CommuniqueFactory(status=IN_REVIEW, published_at=None)
    officer = staff("officer")
    data = form_data(officer.get(change_url(communique)))
    assert "outdated_translations" not in data

    refused = officer.post(change_url(communique), {**data, "outdated_translations": WAIT})
    save(staff("editor"), communique, outdated_translations=WAIT)

    assert refused.status_code == 200
    assert any("You may not change" in error for error in errors_of(refused))
    communique.refresh_from_db()
    assert communique.outdated_translations == WAIT
    entry = AuditEntry.objects.get(action=AuditEntry.Action.OUTDATED_TRANSLATIONS_CHANGED)
    assert (entry.user.username, entry.details) == (
        "editor",
        {"previous": STAY_ONLINE, "outdated_translations": WAIT},
    )
