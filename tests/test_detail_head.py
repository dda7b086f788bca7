"""What a communiqué page tells search engines and link previews, in its head."""

import datetime as dt
import json
import re
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from communiques.models import ChangeNote
from tests.factories import CommuniqueFactory, ImageFactory

pytestmark = pytest.mark.django_db

KABUL = ZoneInfo("Asia/Kabul")


def detail_url(communique, language="fa-af"):
    with translation.override(language):
        return reverse("communiques:detail", kwargs={"slug": communique.slug})


def json_ld(html):
    [script] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(script)


def largest_jpeg_url(image):
    jpegs = [r for r in image.renditions if r["format"] == "jpeg"]
    return "http://testserver/media/" + max(jpegs, key=lambda r: r["width"])["name"]


@pytest.fixture
def coalition():
    communique = CommuniqueFactory(
        title_fa_af="ائتلاف بین المللی برضد «داعش»",
        subtitle_fa_af="جلسهء روئسای سیاسی",
        lead_fa_af="جلسهٔ [[2019-06-25]] در پاریس.",
        published_at=dt.datetime(2019, 7, 8, 9, 0, tzinfo=KABUL),
    )
    ImageFactory(communique=communique, alt_text_fa_af="عکس جلسه")
    return communique


def test_page_names_its_one_address(client, coalition):
    response = client.get(detail_url(coalition), {"utm_source": "newsletter"})

    assertContains(
        response,
        f'<link rel="canonical" href="http://testserver{detail_url(coalition)}">',
        html=True,
    )


def test_page_names_its_versions_in_other_languages_and_no_others(client, coalition):
    response = client.get(detail_url(coalition))

    for language, tag in (("fa-af", "fa-AF"), ("fr", "fr")):
        assertContains(
            response,
            f'<link rel="alternate" hreflang="{tag}" '
            f'href="http://testserver{detail_url(coalition, language)}">',
            html=True,
        )
    assertNotContains(response, 'hreflang="ps"')
    assertNotContains(response, 'hreflang="en"')


@pytest.mark.parametrize(
    ("prop", "content"),
    [
        ("og:type", "article"),
        ("og:title", "ائتلاف بین المللی برضد «داعش»"),
        ("og:description", "جلسهٔ ۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸ در پاریس."),
        ("og:locale", "fa_AF"),
        ("og:locale:alternate", "fr"),
        ("og:image:alt", "عکس جلسه"),
        ("article:published_time", "2019-07-08T09:00:00+04:30"),
    ],
)
def test_open_graph_describes_the_version(client, coalition, prop, content):
    response = client.get(detail_url(coalition))

    assertContains(response, f'<meta property="{prop}" content="{content}">', html=True)


def test_open_graph_and_twitter_show_the_largest_jpeg_of_the_lead_photo(client, coalition):
    [image] = coalition.images.all()

    response = client.get(detail_url(coalition))

    url = largest_jpeg_url(image)
    assertContains(response, f'<meta property="og:image" content="{url}">', html=True)
    assertContains(response, f'<meta name="twitter:image" content="{url}">', html=True)
    assertContains(response, '<meta name="twitter:card" content="summary_large_image">', html=True)
    assertContains(
        response, '<meta name="twitter:title" content="ائتلاف بین المللی برضد «داعش»">', html=True
    )


def test_a_page_without_photos_has_a_small_card_and_no_image(client):
    communique = CommuniqueFactory()

    response = client.get(detail_url(communique))

    assertContains(response, '<meta name="twitter:card" content="summary">', html=True)
    assertNotContains(response, "og:image")
    assert "image" not in json_ld(response.content.decode())


def test_json_ld_describes_a_news_article(client, coalition):
    [image] = coalition.images.all()

    data = json_ld(client.get(detail_url(coalition)).content.decode())

    address = f"http://testserver{detail_url(coalition)}"
    assert data == {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": address,
        "url": address,
        "headline": "ائتلاف بین المللی برضد «داعش»",
        "alternativeHeadline": "جلسهء روئسای سیاسی",
        "description": "جلسهٔ ۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸ در پاریس.",
        "datePublished": "2019-07-08T09:00:00+04:30",
        # Never changed since: modified when first published.
        "dateModified": "2019-07-08T09:00:00+04:30",
        "inLanguage": "fa-AF",
        "image": [largest_jpeg_url(image)],
        "author": {"@type": "Organization", "name": "دفتر مطبوعاتی سفارت"},
        "publisher": {"@type": "Organization", "name": "دفتر مطبوعاتی سفارت"},
    }


def modified_times(response):
    """Return the page's dateModified (JSON-LD), article:modified_time and "last updated"."""
    html = response.content.decode()
    last_updated = re.search(r'class="last-updated">.*?<time datetime="([^"]+)"', html, re.S)
    return (
        json_ld(html)["dateModified"],
        re.search(r'"article:modified_time" content="([^"]+)"', html)[1],
        last_updated[1] if last_updated else None,
    )


def test_the_date_modified_is_the_latest_change_note_not_the_latest_save(client, coalition):
    # A save without a note (a typo fixed) is no change for readers; a note is.
    coalition.save()
    before = client.get(detail_url(coalition))
    for day, hour in ((10, 14), (9, 11)):
        ChangeNote.objects.create(
            communique=coalition, created_at=dt.datetime(2019, 7, day, hour, 0, tzinfo=KABUL)
        )

    after = client.get(detail_url(coalition))

    # Saved today, yet never updated: modified when first published, no "last updated" line.
    assert modified_times(before) == ("2019-07-08T09:00:00+04:30",) * 2 + (None,)
    assert modified_times(after) == ("2019-07-10T14:00:00+04:30",) * 3


@pytest.mark.parametrize(
    ("language", "name"),
    [("fa-af", "دفتر مطبوعاتی سفارت"), ("fr", "Service de presse de l’ambassade")],
)
def test_json_ld_publisher_defaults_to_the_press_office_in_the_language(
    client, coalition, language, name
):
    data = json_ld(client.get(detail_url(coalition, language)).content.decode())

    assert data["publisher"] == {"@type": "Organization", "name": name}
    assert data["inLanguage"] == {"fa-af": "fa-AF", "fr": "fr"}[language]


def test_json_ld_publisher_is_the_embassy_of_the_site_settings():
    communique = CommuniqueFactory()
    request = RequestFactory().get("/")
    site_settings = SimpleNamespace(name="سفارت فرانسه", logo_url="/media/site/logo.png")

    with translation.override("fa-af"):
        html = (
            engines["jinja2"]
            .from_string("{{ news_article_json_ld(communique) }}")
            .render({"communique": communique, "request": request, "site_settings": site_settings})
        )

    assert json_ld(html)["publisher"] == {
        "@type": "Organization",
        "name": "سفارت فرانسه",
        "logo": {"@type": "ImageObject", "url": "http://testserver/media/site/logo.png"},
    }


def test_a_title_cannot_close_the_json_ld_script(client):
    title = "</script><script>alert(1)</script> & <!-- ائتلاف"
    communique = CommuniqueFactory(title_fa_af=title)

    html = client.get(detail_url(communique)).content.decode()

    assert "<script>alert(1)" not in html
    assert json_ld(html)["headline"] == title
