import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import get_script_prefix, reverse, set_script_prefix
from django.utils import timezone, translation
from django.utils.translation import gettext
from pytest_django.asserts import assertContains, assertNotContains

from communiques import workflow
from communiques.cache import address
from communiques.models import Communique, Image, PreviewLink, SiteSettings, hash_preview_token
from tests.factories import CommuniqueFactory, ImageFactory, SourceLinkFactory

pytestmark = pytest.mark.django_db

KABUL = ZoneInfo("Asia/Kabul")
PUBLISHED = Communique.Status.PUBLISHED
DRAFT = Communique.Status.DRAFT
WITHDRAWN = Communique.Status.WITHDRAWN


def url(name, language="fa-af", **kwargs):
    with translation.override(language):
        return reverse(f"communiques:{name}", kwargs=kwargs or None)


def detail_url(communique, language="fa-af"):
    return url("detail", language, slug=communique.slug)


def in_every_language(**kwargs):
    return CommuniqueFactory(
        title_ps="د اعلامیې سرلیک",
        body_ps="<p>لومړی پراګراف.</p>",
        title_en="A communiqué",
        body_en="<p>First paragraph.</p>",
        **kwargs,
    )


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_communique"))
    client.force_login(user)
    return user


@pytest.fixture
def staff_without_permission(client, django_user_model):
    user = django_user_model.objects.create_user("reader", password="x", is_staff=True)
    client.force_login(user)
    return user


# --- Who sees what ---------------------------------------------------------------------------

VISIBILITY = [
    # status, hours from now, public answer
    (PUBLISHED, -1, 200),
    (PUBLISHED, +1, 404),
    (DRAFT, -1, 404),
    (WITHDRAWN, -1, 404),
]


def test_list_shows_exactly_the_published_and_due_communiques(client):
    for status, hours, _answer in VISIBILITY:
        CommuniqueFactory(
            title_fa_af=f"{status} {hours}",
            status=status,
            published_at=timezone.now() + dt.timedelta(hours=hours),
        )

    response = client.get(url("index"))

    assert [c.title for c in response.context["communiques"]] == ["published -1"]


@pytest.mark.parametrize(("status", "hours", "answer"), VISIBILITY)
def test_detail_answers_the_public_only_when_published_and_due(client, status, hours, answer):
    communique = CommuniqueFactory(
        status=status, published_at=timezone.now() + dt.timedelta(hours=hours)
    )

    assert client.get(detail_url(communique)).status_code == answer


@pytest.mark.parametrize(("status", "hours", "_answer"), VISIBILITY[1:])
def test_editor_previews_unpublished_communique_with_banner_and_no_caching(
    client, editor, status, hours, _answer
):
    communique = CommuniqueFactory(
        status=status, published_at=timezone.now() + dt.timedelta(hours=hours)
    )

    response = client.get(detail_url(communique))

    assert response.status_code == 200
    assertContains(response, "پیش‌نمایش — در دسترس عموم نیست")
    assertContains(response, '<meta name="robots" content="noindex">', html=True)
    assert "no-store" in response["Cache-Control"]


def test_editor_sees_a_published_communique_as_the_public_does(client, editor):
    communique = CommuniqueFactory()

    response = client.get(detail_url(communique))

    assert response.status_code == 200
    assertNotContains(response, "Preview — not public")
    # Not from the public's cached copy, and kept by no cache: staff pages are private.
    assert "private" in response["Cache-Control"]


def test_staff_without_change_permission_cannot_see_unpublished_detail_view(
    client, staff_without_permission
):
    draft = CommuniqueFactory(status=DRAFT)

    assert client.get(detail_url(draft)).status_code == 404


def test_editor_does_not_see_drafts_in_the_list(client, editor):
    CommuniqueFactory(title_fa_af="منتشر شده")
    CommuniqueFactory(title_fa_af="پیش نویس", status=DRAFT)

    response = client.get(url("index"))

    assert [c.title for c in response.context["communiques"]] == ["منتشر شده"]


def test_hidden_communique_answers_the_site_not_found_page(client):
    draft = CommuniqueFactory(status=DRAFT)

    response = client.get(detail_url(draft))

    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    assertContains(response, '<html lang="fa-AF" dir="rtl">', status_code=404)
    assertNotContains(response, draft.title_fa_af, status_code=404)


# --- Languages and directions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "root"),
    [
        ("fa-af", '<html lang="fa-AF" dir="rtl">'),
        ("ps", '<html lang="ps" dir="rtl">'),
        ("fr", '<html lang="fr" dir="ltr">'),
        ("en", '<html lang="en" dir="ltr">'),
    ],
)
@pytest.mark.parametrize("page", ["index", "detail"])
def test_root_element_declares_language_and_direction(client, language, root, page):
    communique = in_every_language()
    address = detail_url(communique, language) if page == "detail" else url("index", language)

    response = client.get(address)

    assert response.status_code == 200
    assertContains(response, root)


def test_list_shows_only_communiques_that_exist_in_the_language(client):
    CommuniqueFactory(title_fr="Aussi en français")
    CommuniqueFactory(title_fa_af="فقط دری", title_fr="", body_fr="")

    dari = client.get(url("index", "fa-af")).context["communiques"]
    french = client.get(url("index", "fr")).context["communiques"]

    assert len(dari) == 2
    assert [c.title for c in french] == ["Aussi en français"]


def test_language_switcher_offers_only_the_languages_of_the_communique(client):
    communique = CommuniqueFactory()

    response = client.get(detail_url(communique))

    assertContains(
        response, '<span aria-current="true" lang="fa-AF" dir="rtl">دری</span>', html=True
    )
    assertContains(
        response,
        f'<a href="{detail_url(communique, "fr")}" hreflang="fr" lang="fr" dir="ltr">Français</a>',
        html=True,
    )
    assertNotContains(response, detail_url(communique, "ps"))
    assertNotContains(response, detail_url(communique, "en"))


def test_language_switcher_of_the_list_offers_every_language(client):
    response = client.get(url("index", "fr"))

    for language, name, direction in [
        ("fa-af", "دری", "rtl"),
        ("ps", "پښتو", "rtl"),
        ("en", "English", "ltr"),
    ]:
        lang = "fa-AF" if language == "fa-af" else language
        assertContains(
            response,
            f'<a href="{url("index", language)}" hreflang="{lang}" lang="{lang}" '
            f'dir="{direction}">{name}</a>',
            html=True,
        )


def test_communique_missing_in_a_language_offers_the_versions_it_has(client):
    communique = CommuniqueFactory()

    response = client.get(detail_url(communique, "en"))

    assert response.status_code == 404
    assertContains(response, '<html lang="en" dir="ltr">', status_code=404)
    assertContains(
        response,
        f'<a href="{detail_url(communique, "fa-af")}" hreflang="fa-AF" lang="fa-AF" dir="rtl">'
        "دری</a>",
        html=True,
        status_code=404,
    )
    assertContains(
        response,
        f'<a href="{detail_url(communique, "fr")}" hreflang="fr" lang="fr" dir="ltr">Français</a>',
        html=True,
        status_code=404,
    )
    # Never a page mixing languages: nothing of the Dari or French text.
    for text in (communique.title_fa_af, "پاراگراف", communique.title_fr, "paragraphe"):
        assertNotContains(response, text, status_code=404)


def test_communique_in_a_language_is_served_where_the_missing_one_is_not(client):
    communique = CommuniqueFactory()

    assert client.get(detail_url(communique, "fr")).status_code == 200
    assert client.get(detail_url(communique, "ps")).status_code == 404


# --- What a communiqué page shows ----------------------------------------------------------


@pytest.fixture
def coalition():
    """The reference communiqué: event on 25 June 2019, published 8 July 2019 in Kabul."""
    return CommuniqueFactory(
        title_fa_af="ائتلاف بین المللی برضد «داعش»",
        subtitle_fa_af="جلسهء روئسای سیاسی",
        lead_fa_af="جمهوری فرانسه از جلسهء متخصصین ارشد استقبال کرد.",
        event_date=dt.date(2019, 6, 25),
        published_at=dt.datetime(2019, 7, 8, 9, 0, tzinfo=KABUL),
    )


def test_dari_page_writes_the_event_date_in_both_calendars(client, coalition):
    response = client.get(detail_url(coalition))

    assertContains(
        response, '<time datetime="2019-06-25">۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸</time>', html=True
    )
    assertContains(response, '<span class="dateline-place">کابل</span>', html=True)


def test_dari_page_writes_the_publication_date_in_both_calendars_with_an_iso_datetime(
    client, coalition
):
    response = client.get(detail_url(coalition))

    assertContains(
        response,
        '<time datetime="2019-07-08T09:00:00+04:30">۸ جولای ۲۰۱۹ / ۱۷ سرطان ۱۳۹۸</time>',
        html=True,
    )


def test_french_page_writes_dates_the_french_way(client, coalition):
    response = client.get(detail_url(coalition, "fr"))

    assertContains(
        response, '<time datetime="2019-06-25">25 juin 2019 (4 Saratan 1398)</time>', html=True
    )
    assertContains(
        response,
        '<time datetime="2019-07-08T09:00:00+04:30">8 juillet 2019 (17 Saratan 1398)</time>',
        html=True,
    )


def test_detail_shows_title_subtitle_lead_category_and_isolated_reference(client, coalition):
    response = client.get(detail_url(coalition))

    assertContains(response, "<h1>ائتلاف بین المللی برضد «داعش»</h1>", html=True)
    assertContains(response, '<p class="subtitle">جلسهء روئسای سیاسی</p>', html=True)
    assertContains(
        response, '<p class="lead">جمهوری فرانسه از جلسهء متخصصین ارشد استقبال کرد.</p>', html=True
    )
    assertContains(
        response,
        f'<p class="category"><a href="{url("category", slug="press-release")}">'
        "اعلامیهٔ مطبوعاتی</a></p>",
        html=True,
    )
    assertContains(response, '<bdi dir="ltr">2019/001</bdi>', html=True)


def test_detail_without_lead_or_subtitle_leaves_them_out(client):
    communique = CommuniqueFactory(lead_fa_af="", subtitle_fa_af="")

    response = client.get(detail_url(communique))

    assertNotContains(response, 'class="lead"')
    assertNotContains(response, 'class="subtitle"')


def test_detail_links_its_sources_without_leaking_the_referrer(client):
    link = SourceLinkFactory()

    response = client.get(detail_url(link.communique))

    assertContains(
        response,
        '<a class="source-link" href="https://www.diplomatie.gouv.fr/fr/" '
        'rel="noopener noreferrer">جهت دریافت معلومات مزید</a>',
        html=True,
    )


def test_source_without_a_label_in_the_language_shows_its_isolated_address(client):
    link = SourceLinkFactory(label_fa_af="")

    response = client.get(detail_url(link.communique))

    assertContains(
        response,
        '<a class="source-link" href="https://www.diplomatie.gouv.fr/fr/" '
        'rel="noopener noreferrer"><bdi dir="ltr">https://www.diplomatie.gouv.fr/fr/</bdi></a>',
        html=True,
    )


def image(communique, marker, **kwargs):
    return ImageFactory(communique=communique, alt_text_fa_af=marker, **kwargs)


def test_images_appear_at_their_places_and_missing_ones_never(client):
    communique = CommuniqueFactory(
        body_fa_af="<p>PARA-1</p><h2>HEADING</h2><p>PARA-2</p><p>PARA-3</p>"
    )
    image(communique, "IMG-GALLERY", placement=Image.Placement.GALLERY, after_paragraph=None)
    image(communique, "IMG-AFTER-9", after_paragraph=9)
    image(communique, "IMG-AFTER-1", after_paragraph=1)
    image(communique, "IMG-MISSING", after_paragraph=2, file="")
    image(communique, "IMG-AFTER-2", after_paragraph=2)
    image(communique, "IMG-TOP", placement=Image.Placement.TOP, after_paragraph=None)

    html = client.get(detail_url(communique)).content.decode()

    expected = [
        "IMG-TOP",
        "PARA-1",
        "IMG-AFTER-1",
        "HEADING",
        "PARA-2",
        "IMG-AFTER-2",
        "PARA-3",
        "IMG-AFTER-9",
        "IMG-GALLERY",
    ]
    assert sorted(expected, key=html.index) == expected
    assert "IMG-MISSING" not in html


BODY_SIZES = "(min-width: 44.5rem) 42rem, calc(100vw - 2.5rem)"
SUMMARY_SIZES = "(min-width: 40rem) 11rem, calc(100vw - 2.5rem)"


def picture_markup(image, *, alt, loading, sizes=BODY_SIZES, css_class=None):
    """Return the <picture> a page should show for an image, from its stored renditions."""

    def srcset(image_format):
        return ", ".join(
            f"{settings.MEDIA_URL}{r['name']} {r['width']}w"
            for r in sorted(image.renditions, key=lambda r: r["width"])
            if r["format"] == image_format
        )

    largest = max((r for r in image.renditions if r["format"] == "jpeg"), key=lambda r: r["width"])
    css = f' class="{css_class}"' if css_class else ""
    return (
        f'<picture><source type="image/webp" srcset="{srcset("webp")}" sizes="{sizes}">'
        f'<img{css} src="{settings.MEDIA_URL}{largest["name"]}" srcset="{srcset("jpeg")}" '
        f'sizes="{sizes}" width="{largest["width"]}" height="{largest["height"]}" alt="{alt}" '
        f'loading="{loading}" decoding="async"></picture>'
    )


def test_each_image_is_a_figure_with_dimensions_and_only_the_first_loads_eagerly(client):
    communique = CommuniqueFactory()
    first = image(communique, "عکس اول", after_paragraph=1, caption_fa_af="شرح عکس")
    second = image(communique, "عکس دوم", after_paragraph=2, credit="")

    response = client.get(detail_url(communique))

    assertContains(
        response,
        '<figure class="figure">'
        + picture_markup(first, alt="عکس اول", loading="eager")
        + "<figcaption>"
        '<span class="figure-caption">شرح عکس</span>'
        '<span class="figure-credit"><span class="label">عکس:</span> <bdi>MEAE</bdi></span>'
        "</figcaption></figure>",
        html=True,
    )
    assertContains(response, picture_markup(second, alt="عکس دوم", loading="lazy"), html=True)


def test_list_shows_one_thumbnail_the_first_image_with_a_file(client):
    communique = CommuniqueFactory(lead_fa_af="خلاصهٔ اعلامیه")
    image(communique, "MISSING-TOP", placement=Image.Placement.TOP, file="")
    image(communique, "SECOND", after_paragraph=2)
    first = image(communique, "FIRST", after_paragraph=1)

    response = client.get(url("index"))

    assertContains(response, "<img", count=1)
    assertContains(
        response,
        picture_markup(
            first, alt="FIRST", loading="eager", sizes=SUMMARY_SIZES, css_class="summary-image"
        ),
        html=True,
    )
    assertContains(response, '<p class="summary-lead">خلاصهٔ اعلامیه</p>', html=True)
    assertContains(
        response,
        f'<a href="{detail_url(communique)}">{communique.title_fa_af}</a>',
        html=True,
    )


def test_list_is_newest_first_and_paginated(client, settings):
    settings.COMMUNIQUES_PER_PAGE = 2
    now = timezone.now()
    for days in (3, 1, 2):
        CommuniqueFactory(title_fa_af=f"{days}", published_at=now - dt.timedelta(days=days))

    first = client.get(url("index"))
    second = client.get(url("index"), {"page": 2})

    assert [c.title for c in first.context["communiques"]] == ["1", "2"]
    assert [c.title for c in second.context["communiques"]] == ["3"]
    assertContains(first, '<a class="pagination-older" rel="next" href="?page=2">', count=1)
    assertContains(first, "صفحهٔ ۱ از ۲")
    assertContains(second, '<a class="pagination-newer" rel="prev" href="?page=1">', count=1)


def test_list_without_communiques_says_so(client):
    response = client.get(url("index", "en"))

    assertContains(response, "No communiqué has been published in this language yet.")


# --- Older and newer communiqués ------------------------------------------------------------


def in_language(language, text):
    with translation.override(language):
        return gettext(text)


def neighbours_nav(language, older=None, newer=None):
    """Return the markup of the links to the communiqués around one, as a reader sees it."""
    links = []
    for communique, side, rel, label in (
        (older, "older", "prev", "Older communiqué"),
        (newer, "newer", "next", "Newer communiqué"),
    ):
        if communique is not None:
            title = getattr(communique, f"title_{language.replace('-', '_')}")
            links.append(
                f'<a class="neighbour neighbour-{side}" href="{detail_url(communique, language)}"'
                f' rel="{rel}"><span class="neighbour-label">{in_language(language, label)}</span>'
                f' <span class="neighbour-title">{title}</span></a>'
            )
    label = in_language(language, "Older and newer communiqués")
    return f'<nav class="neighbours" aria-label="{label}">{"".join(links)}</nav>'


@pytest.fixture
def three_days():
    """Three communiqués on three days, with what is never listed published between them."""
    now = timezone.now()

    def on(days, **kwargs):
        return in_every_language(published_at=now - dt.timedelta(days=days), **kwargs)

    older, middle, newer = on(3), on(2), on(1)
    on(2.5, status=DRAFT)
    on(1.5, status=WITHDRAWN, withdrawal_kind=Communique.WithdrawalKind.NOTICE)
    return older, middle, newer


@pytest.mark.parametrize("language", ["fa-af", "fr"])
def test_detail_links_the_older_and_newer_communiques_of_its_language(client, three_days, language):
    older, middle, newer = three_days

    response = client.get(detail_url(middle, language))

    assertContains(response, neighbours_nav(language, older=older, newer=newer), html=True)


def test_the_oldest_and_the_newest_communiques_have_one_neighbour(client, three_days):
    older, middle, newer = three_days

    oldest_page = client.get(detail_url(older, "fr"))
    newest_page = client.get(detail_url(newer, "fr"))

    assertContains(oldest_page, neighbours_nav("fr", newer=middle), html=True)
    assertContains(newest_page, neighbours_nav("fr", older=middle), html=True)


def test_a_french_only_neighbour_is_skipped_on_a_dari_page_not_on_a_french_one(client):
    now = timezone.now()
    older, french_only, newer = (
        CommuniqueFactory(published_at=now - dt.timedelta(days=days)) for days in (3, 2, 1)
    )
    french_only.title_fa_af = french_only.body_fa_af = ""
    french_only.save()

    dari = client.get(detail_url(newer, "fa-af"))
    french = client.get(detail_url(newer, "fr"))

    assertContains(dari, neighbours_nav("fa-af", older=older), html=True)
    assertContains(french, neighbours_nav("fr", older=french_only), html=True)


def test_every_page_links_the_neighbours_its_queryset_finds_ties_included(client):
    moment = timezone.now() - dt.timedelta(days=1)
    # Three published at the same moment, one of them French only, around a draft and others.
    for days, kwargs in [
        (0, {}),
        (0, {"title_fa_af": "", "body_fa_af": ""}),
        (0, {}),
        (1, {"status": DRAFT}),
        (1, {}),
        (2, {}),
    ]:
        CommuniqueFactory(published_at=moment - dt.timedelta(days=days), **kwargs)

    for language in ("fa-af", "fr"):
        listed = Communique.objects.published().in_language(language)
        for communique in listed:
            expected = listed.neighbours(communique)
            shown = client.get(detail_url(communique, language)).context["neighbours"]
            assert shown == expected, (language, communique.slug)


def open_withdrawn_with_notice(client, communique):
    communique.status = WITHDRAWN
    communique.withdrawal_kind = Communique.WithdrawalKind.NOTICE
    communique.withdrawal_reason_fa_af = "اشتباه در متن."
    communique.save()
    return client.get(detail_url(communique))


def open_as_editor_preview(client, communique):
    communique.status = DRAFT
    communique.save()
    editor = get_user_model().objects.create_user("editor", password="x", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="change_communique"))
    client.force_login(editor)
    return client.get(detail_url(communique))


def open_through_a_preview_link(client, communique):
    PreviewLink.objects.create(
        communique=communique,
        token_hash=hash_preview_token("secret"),
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return client.get(url("preview", token="secret"))


@pytest.mark.parametrize(
    "open_page",
    [open_withdrawn_with_notice, open_as_editor_preview, open_through_a_preview_link],
)
def test_a_page_outside_the_lists_links_no_neighbours(client, three_days, open_page):
    older, middle, newer = three_days
    # The positive control: the same communiqué, published, has both.
    assertContains(client.get(detail_url(middle)), 'class="neighbours"')

    response = open_page(client, middle)

    assert response.status_code == 200
    assertNotContains(response, 'class="neighbours"')
    assertNotContains(response, 'rel="prev"')


# --- Query budget --------------------------------------------------------------------------
# Measured with the page cache off: every request renders its page, as a page missing from the
# cache is. The first page read after a change of content also computes what pages share until
# the next change (the archive index, the site settings); the pages after it read it from the
# cache.


def populate(communiques, images, links, notes=0):
    created = []
    for _ in range(communiques):
        communique = in_every_language()
        for number in range(images):
            ImageFactory(communique=communique, after_paragraph=number + 1)
        ImageFactory(communique=communique, file="")
        SourceLinkFactory.create_batch(links, communique=communique)
        for number in range(notes):
            workflow.change_note_create(
                communique=communique, notes={"fa-af": f"اصلاح {number}"}, user=None
            )
        for language in ("ps", "fr", "en"):
            workflow.translation_ready_mark(communique=communique, language=language, user=None)
        created.append(communique)
    return created


@pytest.fixture
def rendered_every_time(settings):
    settings.COMMUNIQUES_PAGE_CACHE = False


@pytest.mark.parametrize(("communiques", "images", "links"), [(1, 1, 1), (25, 4, 3)])
def test_list_uses_a_constant_number_of_queries(
    client,
    rendered_every_time,
    django_assert_max_num_queries,
    django_assert_num_queries,
    communiques,
    images,
    links,
):
    populate(communiques, images, links)

    # The language's list (which gives the paginator its count, and the archive index), the site
    # settings and the categories, once per change; the page, by the ids of its communiqués;
    # their images.
    with django_assert_max_num_queries(5):
        first = client.get(url("index"))
    with django_assert_num_queries(2):
        again = client.get(url("index"))

    assert len(first.context["communiques"]) == min(communiques, 10)
    assert again.content == first.content


@pytest.mark.parametrize(("images", "links", "notes"), [(1, 1, 0), (6, 5, 3)])
def test_detail_uses_a_constant_number_of_queries(
    client,
    rendered_every_time,
    django_assert_max_num_queries,
    django_assert_num_queries,
    images,
    links,
    notes,
):
    older, communique, newer = populate(3, images, links, notes)
    for other, days in ((older, 3), (newer, 1)):
        other.published_at = communique.published_at + dt.timedelta(days=days - 2)
        other.save()

    # The communiqué and whether it has change notes, its images, its links, and its change notes
    # if it has any; its older and newer communiqués come from the language's list. Once per
    # change, that list, which communiqués have outdated translations, the site settings, the
    # categories.
    own = 3 + (1 if notes else 0)
    with django_assert_max_num_queries(own + 4):
        first = client.get(detail_url(communique, "ps"))
    with django_assert_num_queries(own):
        again = client.get(detail_url(communique, "ps"))

    assertContains(first, "<figure", count=images)
    assertContains(first, 'class="source-link"', count=links)
    assertContains(first, 'class="neighbour ', count=2)
    assert again.content == first.content


def test_list_reads_only_the_texts_of_its_language_that_it_shows(client):
    populate(2, 1, 1)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("index", "fr"))

    # The columns the page of the list reads, its communiqués' own (the public list, computed
    # for the generation, reads their slugs and titles only).
    [columns] = [
        columns
        for query in queries
        if '"communiques_communique"."lead_fr"' in (columns := query["sql"].split(" FROM ")[0])
    ]
    assert len(response.context["communiques"]) == 2
    assert '"title_fr"' in columns
    assert not any(f'"{name}' in columns for name in ("title_fa_af", "body", "search_"))


def test_list_counts_its_pages_from_the_archive_index(client, rendered_every_time, settings):
    settings.COMMUNIQUES_PER_PAGE = 2
    oldest, *_others, newest = populate(5, 0, 0)
    # Never listed, nor counted: a draft, a communiqué without a Dari version.
    draft = CommuniqueFactory(status=DRAFT)
    CommuniqueFactory(title_fa_af="", body_fa_af="")
    page_of = in_language("fa-af", "Page %(number)s of %(total)s")

    five = client.get(url("index"))
    newest.status = DRAFT
    newest.save()
    four = client.get(url("index"))
    draft.status = PUBLISHED
    draft.save()
    five_again = client.get(url("index"), {"page": 3})

    assertContains(five, page_of % {"number": "۱", "total": "۳"})
    assertContains(four, page_of % {"number": "۱", "total": "۲"})
    assertContains(five_again, page_of % {"number": "۳", "total": "۳"})
    assert list(five_again.context["communiques"]) == [oldest]


def test_archive_index_and_site_settings_follow_every_change(client, rendered_every_time):
    [communique] = populate(1, 0, 0)
    SiteSettings(name_fa_af="سفارت فرانسه").save()
    before = client.get(url("index"))
    assert before.context["archive_index"][0].count == 1

    CommuniqueFactory(published_at=communique.published_at)
    settings_row = SiteSettings.load()
    settings_row.name_fa_af = "سفارت فرانسه در کابل"
    settings_row.save()
    after = client.get(url("index"))

    assertContains(before, "سفارت فرانسه</span>")
    assertContains(after, "سفارت فرانسه در کابل</span>")
    assert after.context["archive_index"][0].count == 2


def test_a_scheduled_communique_is_listed_and_counted_once_due(client, rendered_every_time):
    [communique] = populate(1, 0, 0)
    scheduled = CommuniqueFactory(published_at=timezone.now() + dt.timedelta(minutes=1))
    before = client.get(url("index"))

    # Within the time the cache keeps what it computed before.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        after = client.get(url("index"))

    assert list(before.context["communiques"]) == [communique]
    assert list(after.context["communiques"]) == [scheduled, communique]
    assert after.context["paginator"].count == 2
    assert sum(year.count for year in after.context["archive_index"]) == 2


def test_editor_preview_uses_a_bounded_number_of_queries(
    client, editor, django_assert_max_num_queries
):
    [draft] = populate(1, 3, 3)
    draft.status = DRAFT
    draft.save(update_fields=["status"])

    # Session, user, permissions, then the public page's but the neighbours: a draft has none.
    with django_assert_max_num_queries(10):
        assert client.get(detail_url(draft)).status_code == 200


# --- Error pages ------------------------------------------------------------------------------


def test_server_error_page_needs_neither_request_nor_database(django_assert_num_queries):
    with django_assert_num_queries(0), translation.override("ps"):
        html = render_to_string("500.html")

    assert '<html lang="ps" dir="rtl">' in html
    assert not re.search(r"<link[^>]+stylesheet", html)


def test_addresses_worked_out_once_follow_the_language_and_the_script_prefix():
    # address() keeps what reverse() answered: a page of one language, or of a site served
    # under a path, must never link to another's.
    communique = CommuniqueFactory(slug="reunion")
    before = get_script_prefix()
    try:
        for prefix in ("/", "/press/"):
            set_script_prefix(prefix)
            for language in ("fa-af", "ps", "fr", "en"):
                with translation.override(language):
                    detail = reverse("communiques:detail", kwargs={"slug": "reunion"})
                    category = reverse("communiques:category", kwargs={"slug": "statement"})
                    assert communique.get_absolute_url() == detail
                    assert address("communiques:category", slug="statement") == category
                    assert detail.startswith(f"{prefix}{language}/")
    finally:
        set_script_prefix(before)
