import datetime as dt
import logging
import socket
import uuid
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import http_date
from pytest_django.asserts import assertContains, assertNotContains

from communiques import workflow
from communiques.cache import STATE_KEY, PageCacheMiddleware, content_changed, release
from communiques.models import (
    Category,
    ChangeNote,
    Communique,
    Image,
    SiteSettings,
    SourceLink,
)
from communiques.search import rebuild_search_text
from tests.factories import CommuniqueFactory, ImageFactory, SourceLinkFactory

pytestmark = pytest.mark.django_db

KABUL = ZoneInfo("Asia/Kabul")
PUBLIC_CACHE_CONTROL = {"public", "max-age=60", "s-maxage=300"}


def url(name, language="fr", **kwargs):
    with translation.override(language):
        return reverse(f"communiques:{name}", kwargs=kwargs or None)


def detail_url(communique, language="fr"):
    return url("detail", language, slug=communique.slug)


def directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def vary(response):
    return {part.strip() for part in response.get("Vary", "").split(",")}


def assert_served_from_cache(client, path, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response.status_code == 200
    return response


@pytest.fixture
def communique():
    communique = CommuniqueFactory(title_fr="Titre d’origine", lead_fr="Un chapeau.")
    ImageFactory(communique=communique, caption_fr="Légende d’origine")
    SourceLinkFactory(communique=communique, label_fr="Lien d’origine")
    return communique


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_communique"))
    client.force_login(user)
    return client


def public_addresses(communique):
    category = communique.category.slug
    year = timezone.localtime(communique.published_at).year
    return [
        url("index"),
        detail_url(communique),
        url("archive-year", year=year),
        url("category", slug=category),
        url("search") + "?q=origine",
        url("feed-rss"),
        url("feed-atom"),
        url("category-feed-rss", category=category),
        reverse("sitemap"),
        reverse("robots"),
    ]


# --- Hits ----------------------------------------------------------------------------------------


def test_every_public_page_is_served_from_the_cache_without_a_query(
    client, communique, django_assert_num_queries
):
    for path in public_addresses(communique):
        first = client.get(path)
        assert first.status_code == 200, path

        with django_assert_num_queries(0):
            again = client.get(path)

        assert again.status_code == 200
        assert again.content == first.content, path
        assert again["Content-Type"] == first["Content-Type"]
        assert again["ETag"] == first["ETag"]


def test_each_language_and_address_has_its_own_page(client, communique):
    french = client.get(detail_url(communique, "fr"))
    dari = client.get(detail_url(communique, "fa-af"))
    second_page = client.get(url("index") + "?page=1")

    assertContains(client.get(detail_url(communique, "fr")), "Titre d’origine")
    assertContains(client.get(detail_url(communique, "fa-af")), communique.title_fa_af)
    assert french.content != dari.content
    assert '<html lang="fa-AF" dir="rtl">' in dari.content.decode()
    assert second_page.content != french.content


def test_the_host_is_part_of_the_key_as_the_pages_name_it(client, communique):
    path = detail_url(communique)

    client.get(path)
    other = client.get(path, headers={"host": "localhost"})

    assertContains(other, "http://localhost/fa-af/")
    assertNotContains(other, "http://testserver/")


@pytest.mark.parametrize(("communiques", "images", "links"), [(1, 1, 1), (12, 4, 3)])
def test_list_and_detail_keep_their_query_budget_and_need_none_once_cached(
    client, settings, django_assert_num_queries, communiques, images, links
):
    created = []
    for _ in range(communiques):
        communique = CommuniqueFactory()
        for number in range(images):
            ImageFactory(communique=communique, after_paragraph=number + 1)
        SourceLinkFactory.create_batch(links, communique=communique)
        workflow.change_note_create(communique=communique, notes={"fr": "Corrigé."}, user=None)
        created.append(communique)

    for path in (url("index"), detail_url(created[0])):
        settings.COMMUNIQUES_PAGE_CACHE = False
        # The first page after a change also computes what pages share (the archive index, the
        # site settings): the view's own budget is that of the pages after it.
        client.get(path)
        with CaptureQueriesContext(connection) as own:
            assert client.get(path).status_code == 200
        settings.COMMUNIQUES_PAGE_CACHE = True

        # The view's own budget, which tests/test_views.py asserts: the saves above started the
        # generation, so the page cache adds no query to the first answer, and needs none after.
        with django_assert_num_queries(len(own)):
            assert client.get(path).status_code == 200
        with django_assert_num_queries(0):
            assert client.get(path).status_code == 200


def test_the_first_page_after_the_cache_is_emptied_starts_a_generation_in_one_query(
    client, communique, django_assert_num_queries
):
    with CaptureQueriesContext(connection) as own:
        client.get(detail_url(communique, "fa-af"))
    cache.clear()

    # The page's own queries, and the next scheduled publication.
    with django_assert_num_queries(len(own) + 1):
        client.get(detail_url(communique))

    assert cache.get(STATE_KEY) is not None
    with django_assert_num_queries(0):
        client.get(detail_url(communique))


def test_a_head_request_is_answered_from_the_page_a_get_stored(
    client, communique, django_assert_num_queries
):
    get = client.get(detail_url(communique))

    with django_assert_num_queries(0):
        head = client.head(detail_url(communique))

    assert head.status_code == 200
    assert head["ETag"] == get["ETag"]
    assert head.content == b""


# --- Invalidation ----------------------------------------------------------------------------


def edit_title(communique):
    communique.title_fr = "Titre corrigé"
    communique.save()


def edit_translation(communique):
    communique.lead_fr = "Un chapeau corrigé."
    communique.save(update_fields=["lead_fr"])


def edit_image_caption(communique):
    image = communique.images.get()
    image.caption_fr = "Légende corrigée"
    image.save()


def delete_image(communique):
    communique.images.get().delete()


def edit_link_label(communique):
    link = communique.links.get()
    link.label_fr = "Lien corrigé"
    link.save()


def add_link(communique):
    SourceLink.objects.create(communique=communique, url="https://example.org/", label_fr="Ajout")


def withdraw_with_notice(communique):
    communique.status = Communique.Status.WITHDRAWN
    communique.withdrawal_kind = Communique.WithdrawalKind.NOTICE
    communique.withdrawal_reason_fr = "Retiré pour correction."
    communique.save()


def withdraw_in_error(communique):
    communique.status = Communique.Status.WITHDRAWN
    communique.withdrawal_kind = Communique.WithdrawalKind.IN_ERROR
    communique.save()


def add_change_note(communique):
    workflow.change_note_create(
        communique=communique, notes={"fr": "Note de mise à jour."}, user=None
    )


def rename_category(communique):
    category = communique.category
    category.name_fr = "Catégorie renommée"
    category.save()


def rename_site(communique):
    SiteSettings.objects.update_or_create(
        pk=SiteSettings.SINGLETON_PK, defaults={"name_fr": "Ambassade renommée"}
    )


def bulk_update_title(communique):
    Communique.objects.filter(pk=communique.pk).update(title_fr="Titre corrigé en masse")


def bulk_delete_images(communique):
    Image.objects.filter(communique=communique).delete()


def bulk_rename_categories(communique):
    Category.objects.update(name_fr="Catégorie renommée en masse")


def bulk_add_notes(communique):
    ChangeNote.objects.bulk_create([ChangeNote(communique=communique, note_fr="Note en masse.")])


def add_communique(communique):
    CommuniqueFactory(title_fr="Un nouveau communiqué", category=communique.category)


GONE = 404
CHANGES = [
    # change, page, a text the change removes, a text it adds (GONE: the page answers 404)
    (edit_title, "detail", "Titre d’origine", "Titre corrigé"),
    (edit_title, "index", "Titre d’origine", "Titre corrigé"),
    (edit_title, "feed-rss", "Titre d’origine", "Titre corrigé"),
    (edit_translation, "detail", "Un chapeau.", "Un chapeau corrigé."),
    (edit_image_caption, "detail", "Légende d’origine", "Légende corrigée"),
    (delete_image, "detail", "Légende d’origine", None),
    (edit_link_label, "detail", "Lien d’origine", "Lien corrigé"),
    (add_link, "detail", None, "Ajout"),
    (withdraw_with_notice, "detail", None, "Retiré pour correction."),
    (withdraw_with_notice, "index", "Titre d’origine", None),
    (withdraw_in_error, "detail", None, GONE),
    (add_change_note, "detail", None, "Note de mise à jour."),
    (rename_category, "detail", "Communiqué de presse", "Catégorie renommée"),
    (rename_category, "category", "Communiqué de presse", "Catégorie renommée"),
    (rename_site, "detail", None, "Ambassade renommée"),
    (rename_site, "feed-atom", None, "Ambassade renommée"),
    (bulk_update_title, "detail", "Titre d’origine", "Titre corrigé en masse"),
    (bulk_delete_images, "detail", "Légende d’origine", None),
    (bulk_rename_categories, "detail", "Communiqué de presse", "Catégorie renommée en masse"),
    (bulk_add_notes, "detail", None, "Note en masse."),
    (add_communique, "index", None, "Un nouveau communiqué"),
    (add_communique, "category", None, "Un nouveau communiqué"),
]


def address(page, communique):
    if page == "detail":
        return detail_url(communique)
    if page == "category":
        return url("category", slug=communique.category.slug)
    return url(page)


@pytest.mark.parametrize(
    ("change", "page", "removed", "added"),
    CHANGES,
    ids=[f"{change.__name__}-{page}" for change, page, _removed, _added in CHANGES],
)
def test_a_change_makes_the_cached_page_stale(
    client, communique, django_assert_num_queries, change, page, removed, added
):
    path = address(page, communique)
    client.get(path)
    cached = assert_served_from_cache(client, path, django_assert_num_queries)
    if removed:
        assertContains(cached, removed)
    if isinstance(added, str):
        assertNotContains(cached, added)

    change(communique)

    response = client.get(path)
    if added == GONE:
        assert response.status_code == 404
        return
    if removed:
        assertNotContains(response, removed)
    if added:
        assertContains(response, added)
    assert response["ETag"] != cached["ETag"]
    assert_served_from_cache(client, path, django_assert_num_queries)


def test_a_change_is_not_visible_in_a_cached_page_without_a_new_generation(client, communique):
    """The positive control of the table above: what makes the page fresh is content_changed()."""
    path = detail_url(communique)
    client.get(path)

    with mock.patch("communiques.models.content_changed"):
        edit_title(communique)

    assertContains(client.get(path), "Titre d’origine")
    content_changed()
    assertContains(client.get(path), "Titre corrigé")


def archive_count(response):
    return sum(year.count for year in response.context["archive_index"])


def test_what_pages_share_is_kept_until_a_new_generation_with_the_page_cache_off_too(
    client, communique, settings, django_assert_num_queries
):
    """The archive index and the site settings, which every list page shows, are computed once
    per generation: with whole pages not cached, a change still reaches them at once."""
    settings.COMMUNIQUES_PAGE_CACHE = False
    assert archive_count(client.get(url("index"))) == 1

    with mock.patch("communiques.models.content_changed"):
        CommuniqueFactory()
    stale = client.get(url("index"))
    CommuniqueFactory()
    fresh = client.get(url("index"))

    assert archive_count(stale) == 1
    assert archive_count(fresh) == 3
    # Only whole pages are never stored: every request renders its page.
    with django_assert_num_queries(2):
        client.get(url("index"))


def test_a_new_generation_starts_again_once_the_transaction_commits(
    communique, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        edit_title(communique)
    during = cache.get(STATE_KEY)

    for callback in callbacks:
        callback()

    # Pages rendered by other requests before the commit, from the rows as they were, carry the
    # generation started during the transaction: they are never served.
    assert cache.get(STATE_KEY)[0] != during[0]


def test_rebuilding_the_search_text_makes_search_results_stale(client, communique):
    path = url("search") + "?q=introuvable"
    client.get(path)
    with mock.patch("communiques.models.content_changed"):
        Communique.objects.filter(pk=communique.pk).update(title_fr="Introuvable")

    assertNotContains(client.get(path), "Introuvable")
    rebuild_search_text()

    assertContains(client.get(path), "Introuvable")


# --- Scheduled publication -------------------------------------------------------------------


def test_a_scheduled_communique_goes_live_at_its_time_with_nothing_written(
    client, django_assert_num_queries
):
    ten = dt.datetime(2024, 3, 4, 10, 0, tzinfo=KABUL)
    # Within the pages' timeout of five minutes: nothing else would make them stale.
    before = ten - dt.timedelta(minutes=3)
    with time_machine.travel(before, tick=False) as traveller:
        CommuniqueFactory(title_fr="Déjà publié", published_at=before - dt.timedelta(days=1))
        scheduled = CommuniqueFactory(title_fr="Prévu pour dix heures", published_at=ten)
        list_path, detail_path = url("index"), detail_url(scheduled)

        assertNotContains(client.get(list_path), "Prévu pour dix heures")
        assert client.get(detail_path).status_code == 404
        traveller.move_to(ten - dt.timedelta(seconds=1))
        with django_assert_num_queries(0):
            assertNotContains(client.get(list_path), "Prévu pour dix heures")

        traveller.move_to(ten)
        with mock.patch("communiques.models.content_changed") as changed:
            listed = client.get(list_path)
            shown = client.get(detail_path)

        assert not changed.called
        assertContains(listed, "Prévu pour dix heures")
        assertContains(shown, "Prévu pour dix heures")
        # The content changed at ten, when the communiqué went live, whoever noticed it later.
        assert listed["Last-Modified"] == http_date(ten.timestamp())
        with django_assert_num_queries(0):
            assertContains(client.get(list_path), "Prévu pour dix heures")


def test_the_next_publication_is_the_earliest_scheduled_one(client):
    now = timezone.now()
    CommuniqueFactory(published_at=now + dt.timedelta(hours=3))
    CommuniqueFactory(published_at=now + dt.timedelta(hours=2))
    CommuniqueFactory(status=Communique.Status.DRAFT, published_at=now + dt.timedelta(hours=1))
    CommuniqueFactory(published_at=now - dt.timedelta(hours=1))

    _generation, _changed_at, next_publication = cache.get(STATE_KEY)

    assert next_publication == (now + dt.timedelta(hours=2)).timestamp()


# --- Staff, previews, drafts, cookies --------------------------------------------------------


def test_staff_neither_read_nor_write_the_cache(client, communique, editor):
    path = detail_url(communique)
    anonymous = type(client)()
    anonymous.get(path)
    with mock.patch("communiques.models.content_changed"):
        edit_title(communique)

    # The stale page stays for the public (no new generation was started), not for staff.
    assertContains(editor.get(path), "Titre corrigé")
    assertContains(anonymous.get(path), "Titre d’origine")


def test_a_page_staff_read_is_not_stored_for_the_public(
    communique, editor, django_assert_num_queries
):
    path = detail_url(communique)
    editor.get(path)

    with CaptureQueriesContext(connection) as queries:
        Client().get(path)

    assert len(queries) > 0


def test_staff_pages_are_never_kept_by_any_cache(communique, editor):
    response = editor.get(detail_url(communique))

    assert {"private", "no-store"} <= directives(response)
    assert "public" not in directives(response)
    assert "Cookie" in vary(response)
    assert not response.has_header("ETag")


def test_a_draft_shown_to_staff_is_never_cached_and_never_reaches_the_public(client, editor):
    draft = CommuniqueFactory(status=Communique.Status.DRAFT, title_fr="Brouillon secret")

    response = editor.get(detail_url(draft))
    public = Client().get(detail_url(draft))

    assertContains(response, "Brouillon secret")
    assert {"private", "no-store"} <= directives(response)
    assert public.status_code == 404
    assert "public" not in directives(public)


def test_a_preview_link_is_never_cached(client, django_assert_num_queries):
    draft = CommuniqueFactory(status=Communique.Status.DRAFT, title_fr="Brouillon à relire")
    link, token = workflow.preview_link_create(communique=draft, user=None)
    path = url("preview", token=token)

    first = client.get(path)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(path)
    workflow.preview_link_revoke(link=link, user=None)

    assert len(queries) > 0

    assertContains(first, "Brouillon à relire")
    assertContains(again, "Brouillon à relire")
    assert {"private", "no-store"} <= directives(again)
    assert client.get(path).status_code == 404


def test_an_anonymous_page_carries_no_cookie_and_no_csrf_token(client, communique):
    for path in public_addresses(communique):
        response = client.get(path)

        assert not response.cookies, path
        assert b"csrfmiddlewaretoken" not in response.content


def test_a_public_page_that_sets_a_cookie_is_neither_stored_nor_public():
    def render(text, cookie=None):
        def view(request):
            response = HttpResponse(text)
            if cookie:
                response.set_cookie("csrftoken", cookie)
            return response

        return mock.Mock(side_effect=view)

    request = RequestFactory().get(url("index"))
    request.LANGUAGE_CODE = "fr"
    personal, plain = render("Pour vous seul", cookie="secret"), render("Pour tous")

    with translation.override("fr"):
        answers = [PageCacheMiddleware(personal)(request) for _ in range(2)]
        controls = [PageCacheMiddleware(plain)(request) for _ in range(2)]

    assert personal.call_count == 2
    assert all({"private", "no-store"} <= directives(answer) for answer in answers)
    # The same page without its cookie is stored at once, and public.
    assert plain.call_count == 1
    assert all("public" in directives(control) for control in controls)


# --- HTTP headers ----------------------------------------------------------------------------


def test_anonymous_public_pages_may_be_kept_briefly_by_browsers_and_cdns(client, communique):
    for path in public_addresses(communique):
        for response in (client.get(path), client.get(path)):
            assert directives(response) == PUBLIC_CACHE_CONTROL, path
            assert "Cookie" in vary(response)
            assert response.has_header("ETag")
            assert response.has_header("Last-Modified")


def test_the_addresses_without_a_language_vary_on_the_browsers(client):
    assert "Accept-Language" in vary(client.get(reverse("robots")))
    home = client.get("/", headers={"accept-language": "fr"})

    assert home.status_code == 302
    assert {"Accept-Language", "Cookie"} <= vary(home)
    assert "public" not in directives(home)


def test_the_max_ages_are_settings(client, communique, settings):
    settings.COMMUNIQUES_PAGE_MAX_AGE = 30
    settings.COMMUNIQUES_PAGE_S_MAXAGE = 600

    response = client.get(detail_url(communique))

    assert directives(response) == {"public", "max-age=30", "s-maxage=600"}


@pytest.mark.parametrize("name", ["admin:login", "health-live", "health-ready"])
def test_admin_and_probes_are_never_cached(client, name):
    response = client.get(reverse(name))

    assert "no-store" in directives(response)
    assert "public" not in directives(response)


def test_the_admin_is_never_cached_for_staff(editor):
    response = editor.get(reverse("admin:communiques_communique_changelist"))

    assert {"private", "no-store"} <= directives(response)


def test_a_missing_page_is_not_made_public(client):
    response = client.get(url("detail", slug="no-such-communique"))

    assert response.status_code == 404
    assert "public" not in directives(response)


# --- Conditional GET -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["detail", "feed-rss"])
def test_a_revalidation_with_the_etag_is_answered_not_modified(client, communique, name):
    path = address(name, communique)
    first = client.get(path)

    again = client.get(path, headers={"if-none-match": first["ETag"]})
    other = client.get(path, headers={"if-none-match": '"another"'})

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert directives(again) == PUBLIC_CACHE_CONTROL
    assert other.status_code == 200


@pytest.mark.parametrize("name", ["detail", "feed-atom"])
def test_a_revalidation_with_the_date_is_answered_not_modified_until_a_change(
    client, communique, name
):
    path = address(name, communique)
    first = client.get(path)
    since = first["Last-Modified"]

    assert client.get(path, headers={"if-modified-since": since}).status_code == 304
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)):
        edit_title(communique)
        changed = client.get(path, headers={"if-modified-since": since})

    assert changed.status_code == 200
    assertContains(changed, "Titre corrigé")
    assert changed["ETag"] != first["ETag"]


def test_the_first_answer_of_a_page_already_honours_a_revalidation(client, communique):
    etag = client.get(detail_url(communique))["ETag"]
    cache.clear()

    assert client.get(detail_url(communique), headers={"if-none-match": etag}).status_code == 304


def test_a_feed_is_not_told_unchanged_when_its_newest_entry_is_withdrawn(client):
    older = CommuniqueFactory(published_at=timezone.now() - dt.timedelta(days=3))
    newest = CommuniqueFactory(published_at=timezone.now() - dt.timedelta(days=1))
    since = client.get(url("feed-rss"))["Last-Modified"]

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)):
        withdraw_in_error(newest)
        response = client.get(url("feed-rss"), headers={"if-modified-since": since})

    assert response.status_code == 200
    assertContains(response, older.title_fr)
    assertNotContains(response, newest.title_fr)


# --- Without the cache -----------------------------------------------------------------------

UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "embassy.caches.ReusedClientRedisCache",
        # Nothing listens on port 1.
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def test_pages_are_served_uncached_when_redis_is_unreachable(client, communique, settings, caplog):
    settings.CACHES = UNREACHABLE_REDIS
    caplog.set_level(logging.WARNING, logger="communiques.cache")
    first = client.get(detail_url(communique))
    edit_title(communique)
    second = client.get(detail_url(communique))

    assertContains(first, "Titre d’origine")
    assertContains(second, "Titre corrigé")
    assert directives(second) == PUBLIC_CACHE_CONTROL
    assert second.has_header("ETag")
    # One attempt, hence one line, per request and one for the save that could not reach it: a
    # page never waits on Redis more than once (a count, not a clock, so that it cannot flake).
    warnings = [record for record in caplog.records if record.name == "communiques.cache"]
    assert len(warnings) == 3
    assert all("unreachable" in record.getMessage() for record in warnings)


def test_lists_keep_their_archive_index_when_redis_is_unreachable(
    client, communique, settings, caplog
):
    settings.CACHES = UNREACHABLE_REDIS
    settings.COMMUNIQUES_PAGE_CACHE = False
    caplog.set_level(logging.WARNING, logger="communiques.cache")
    first = client.get(url("index"))
    CommuniqueFactory()
    second = client.get(url("index"))

    # The index and the site settings give up together: one attempt per request.
    assert (archive_count(first), archive_count(second)) == (1, 2)
    warnings = [record for record in caplog.records if record.name == "communiques.cache"]
    assert len(warnings) == 3


def test_the_page_cache_can_be_switched_off(client, communique, settings):
    settings.COMMUNIQUES_PAGE_CACHE = False
    client.get(detail_url(communique))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(detail_url(communique))

    assert len(queries) > 0

    assert directives(response) == PUBLIC_CACHE_CONTROL
    assert response.has_header("ETag")


def redis_is_running():
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.mark.skipif(not redis_is_running(), reason="no Redis on 127.0.0.1:6379")
def test_the_redis_backend_reuses_one_client_and_serves_pages(client, communique, settings):
    # A prefix of its own: other test runs may use the same Redis at the same time, and a
    # FLUSHDB (cache.clear()) would empty theirs too.
    prefix = f"communiques-tests-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "embassy.caches.ReusedClientRedisCache",
            # The benchmark's database is 15; this one is the tests'.
            "LOCATION": "redis://127.0.0.1:6379/13",
            "KEY_PREFIX": prefix,
        }
    }
    backend = cache._cache
    try:
        first = client.get(detail_url(communique))
        again = client.get(detail_url(communique), headers={"if-none-match": first["ETag"]})
    finally:
        redis_client = backend.get_client(write=True)
        for key in redis_client.scan_iter(match=f"{prefix}:*"):
            redis_client.delete(key)

    assert backend.get_client() is backend.get_client(write=True)
    assert first["ETag"]
    assert again.status_code == 304


def test_a_changed_security_policy_is_not_served_from_pages_stored_under_the_old_one(
    client, communique, settings
):
    # Public pages are stored with their Content-Security-Policy header: a deployment that
    # changes the policy must not go on sending the old one with the pages stored before it.
    path = detail_url(communique)
    release.cache_clear()
    before = client.get(path)
    assert "img-src 'self' https://photos.example" not in before["Content-Security-Policy"]

    policy = settings.CONTENT_SECURITY_POLICY
    directives = {**policy["DIRECTIVES"], "img-src": ["'self'", "https://photos.example"]}
    settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}
    release.cache_clear()
    try:
        after = client.get(path)
    finally:
        release.cache_clear()

    assert "img-src 'self' https://photos.example" in after["Content-Security-Policy"]
