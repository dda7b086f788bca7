import datetime as dt
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from communiques.models import Communique
from tests.factories import CommuniqueFactory
from tests.test_workflow import edit_published

pytestmark = pytest.mark.django_db

KABUL = ZoneInfo("Asia/Kabul")
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def read_sitemap(client):
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{NS['s']}}}urlset"
    return {
        url.findtext("s:loc", namespaces=NS): {
            "lastmod": url.findtext("s:lastmod", namespaces=NS),
            "alternates": {
                link.get("hreflang"): link.get("href")
                for link in url.findall("x:link", namespaces=NS)
                if link.get("rel") == "alternate"
            },
        }
        for url in root.findall("s:url", namespaces=NS)
    }


def version(slug, language):
    return f"http://testserver/{language}/communiques/{slug}/"


def test_sitemap_lists_every_published_version_with_the_others_as_alternates(client):
    # In Dari, French and English; not in Pashto.
    CommuniqueFactory(slug="coalition", title_en="Coalition", body_en="<p>Text.</p>")

    urls = read_sitemap(client)

    expected = {
        "fa-AF": version("coalition", "fa-af"),
        "fr": version("coalition", "fr"),
        "en": version("coalition", "en"),
    }
    for address in expected.values():
        assert urls[address]["alternates"] == expected
    assert version("coalition", "ps") not in urls


def test_sitemap_leaves_out_what_the_public_cannot_see(client):
    now = timezone.now()
    CommuniqueFactory(slug="published")
    CommuniqueFactory(slug="draft", status=Communique.Status.DRAFT)
    CommuniqueFactory(slug="withdrawn", status=Communique.Status.WITHDRAWN)
    CommuniqueFactory(slug="future", published_at=now + dt.timedelta(hours=1))

    addresses = [address for address in read_sitemap(client) if "/communiques/" in address]

    assert sorted(addresses) == [version("published", "fa-af"), version("published", "fr")]


def test_sitemap_addresses_are_absolute_and_lastmod_is_iso_8601(client):
    communique = CommuniqueFactory(slug="coalition")

    entry = read_sitemap(client)[version("coalition", "fr")]

    assert dt.datetime.fromisoformat(entry["lastmod"]) == communique.first_published_at
    assert entry["lastmod"].isascii()


def test_only_a_change_note_moves_a_versions_lastmod(login):
    with time_machine.travel(dt.datetime(2019, 7, 8, 9, 0, tzinfo=KABUL), tick=False):
        communique = CommuniqueFactory(slug="coalition", published_at=timezone.now())
    editor = login("editor")

    def lastmods():
        urls = read_sitemap(Client())
        return {urls[version("coalition", code)]["lastmod"] for code in ("fa-af", "fr")}

    with time_machine.travel(dt.datetime(2019, 7, 10, 10, 0, tzinfo=KABUL), tick=False):
        assert edit_published(editor, communique, minor_change="on").status_code == 302
    assert lastmods() == {"2019-07-08T09:00:00+04:30"}

    with time_machine.travel(dt.datetime(2019, 7, 20, 11, 0, tzinfo=KABUL), tick=False):
        noted = edit_published(editor, communique, change_note_fr="Titre corrigé.")
    assert noted.status_code == 302
    assert lastmods() == {"2019-07-20T11:00:00+04:30"}


def test_sitemap_lists_the_list_page_in_every_language_with_a_negotiating_default(client):
    urls = read_sitemap(client)

    alternates = urls["http://testserver/fr/"]["alternates"]
    assert alternates == {
        "fa-AF": "http://testserver/fa-af/",
        "ps": "http://testserver/ps/",
        "fr": "http://testserver/fr/",
        "en": "http://testserver/en/",
        "x-default": "http://testserver/",
    }


@pytest.mark.parametrize("communiques", [1, 15])
def test_sitemap_uses_one_query_however_many_communiques(
    client, django_assert_num_queries, communiques
):
    CommuniqueFactory.create_batch(communiques)

    # The communiqués, with which of their versions exist.
    with django_assert_num_queries(1):
        urls = read_sitemap(client)

    assert sum("/communiques/" in address for address in urls) == 2 * communiques


def test_robots_txt_points_to_the_sitemap_and_away_from_search(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "User-agent: *" in lines
    for language in ("fa-af", "ps", "fr", "en"):
        assert f"Disallow: /{language}/search/" in lines
