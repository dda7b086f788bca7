"""The reference communiqué, imported as the press office would and read as the public does."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.asserts import assertContains, assertNotContains

from communiques.models import Communique

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parent.parent / "demo"
SLUG = "coalition-against-daesh-2019-06-25"
SOURCE = (
    "https://www.diplomatie.gouv.fr/fr/politique-etrangere-de-la-france/securite-desarmement-et-"
    "non-proliferation/actualites/actualites-et-evenements-lies-a-la-defense-et-la-securite/2019/"
    "article/coalition-internationale-contre-daech-reunion-d-experts-de-haut-niveau-au"
)


@pytest.fixture
def published_sample():
    call_command(
        "import_communique", str(DEMO / f"{SLUG}.fa-AF.txt"), "--language", "fa-af", "--publish"
    )
    return Communique.objects.get(slug=SLUG)


def article_text(html: str) -> str:
    return re.search(r"<article.*?</article>", html, re.S).group(0)


def test_the_dari_page_of_the_sample_reads_as_the_embassy_wrote_it(client, published_sample):
    response = client.get(f"/fa-af/communiques/{SLUG}/")
    html = response.content.decode()

    assert response.status_code == 200
    assert re.search(r'<html[^>]*\blang="fa-AF"[^>]*\bdir="rtl"', html)
    assert "ائتلاف بین المللی برضد" in html
    assert "۲۵ جون ۲۰۱۹" in html and "۴ سرطان ۱۳۹۸" in html
    assert "۸ جولای ۲۰۱۹ / ۱۷ سرطان ۱۳۹۸" in html
    assertContains(response, f'href="{SOURCE}"')
    assertContains(response, "جهت دریافت معلومات مزید")
    assert "قسمت بالایی صفحه" not in article_text(html)
    assert "JPEG" not in html


def test_the_title_of_the_sample_page_has_no_dateline(client, published_sample):
    response = client.get(f"/fa-af/communiques/{SLUG}/")

    title = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S).group(1)
    assert "سرطان" not in title and "(" not in title


def test_the_french_version_of_the_sample_is_left_to_right(client, published_sample):
    call_command("import_communique", str(DEMO / f"{SLUG}.fr.txt"), "--language", "fr")

    response = client.get(f"/fr/communiques/{SLUG}/")

    assert response.status_code == 200
    assert re.search(r'<html[^>]*\blang="fr"[^>]*\bdir="ltr"', response.content.decode())
    assertContains(response, "25 juin 2019 (4 Saratan 1398)")
    assertNotContains(response, "جهت دریافت معلومات مزید")


def test_the_sample_stays_hidden_until_it_is_published(client):
    call_command("import_communique", str(DEMO / f"{SLUG}.fa-AF.txt"), "--language", "fa-af")

    assert client.get(f"/fa-af/communiques/{SLUG}/").status_code == 404
    assertNotContains(client.get("/fa-af/"), "ائتلاف بین المللی")
