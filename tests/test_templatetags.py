import datetime as dt

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from communiques.templatetags.communique_tags import dual_date, html_lang, language_dir
from tests.factories import CommuniqueFactory


def render(source, **context):
    return Template("{% load communique_tags %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("code", "tag"),
    [("fa-af", "fa-AF"), ("ps", "ps"), ("fr", "fr"), ("en", "en"), ("pt-br", "pt-BR"),
     ("zh-hans", "zh-Hans")],
)  # fmt: skip
def test_html_lang_turns_a_django_code_into_a_bcp47_tag(code, tag):
    assert html_lang(code) == tag


@pytest.mark.parametrize(
    ("code", "direction"), [("fa-af", "rtl"), ("ps", "rtl"), ("fa", "rtl"), ("fr", "ltr"),
                            ("en", "ltr")],
)  # fmt: skip
def test_language_dir_follows_the_script_of_the_language(code, direction):
    assert language_dir(code) == direction


EVENT = dt.date(2019, 6, 25)
# 8 July 2019, 09:00 in Kabul.
PUBLICATION = dt.datetime(2019, 7, 8, 4, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("language", "value", "style", "expected"),
    [
        ("fa-af", EVENT, "short", "۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸"),
        ("fa-af", EVENT, "long", "سه شنبه ۲۵ جون ۲۰۱۹ میلادی (۴ سرطان ۱۳۹۸ هجری شمسی)"),
        ("fa-af", PUBLICATION, "short", "۸ جولای ۲۰۱۹ / ۱۷ سرطان ۱۳۹۸"),
        ("ps", EVENT, "short", "۲۵ جون ۲۰۱۹ / ۴ چنګاښ ۱۳۹۸"),
        ("fr", EVENT, "short", "25 juin 2019 (4 Saratan 1398)"),
        ("en", PUBLICATION, "short", "8 July 2019 (17 Saratan 1398)"),
    ],
)
def test_dual_date_writes_both_calendars_in_the_active_language(language, value, style, expected):
    with translation.override(language):
        assert render("{{ value|dual_date:style }}", value=value, style=style) == expected


def test_dual_date_is_short_by_default():
    with translation.override("fa-af"):
        assert render("{{ value|dual_date }}", value=EVENT) == "۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸"


def test_dual_date_dates_a_moment_by_the_embassy_clock():
    evening_in_utc = dt.datetime(2019, 7, 7, 19, 29, tzinfo=dt.UTC)
    after_midnight_in_kabul = evening_in_utc + dt.timedelta(minutes=2)

    with translation.override("fa-af"):
        before, after = dual_date(evening_in_utc), dual_date(after_midnight_in_kabul)

    assert before == "۷ جولای ۲۰۱۹ / ۱۶ سرطان ۱۳۹۸"
    assert after == "۸ جولای ۲۰۱۹ / ۱۷ سرطان ۱۳۹۸"


def test_dual_date_of_nothing_is_empty():
    with translation.override("fa-af"):
        assert render("[{{ value|dual_date }}]", value=None) == "[]"


@pytest.mark.parametrize(("language", "expected"), [("fa-af", "۱۲"), ("ps", "۱۲"), ("fr", "12")])
def test_local_digits_writes_numbers_with_the_digits_of_the_language(language, expected):
    with translation.override(language):
        assert render("{{ value|local_digits }}", value=12) == expected


def test_language_filters_describe_a_link_to_another_language():
    with translation.override("fr"):
        html = render(
            "{% load i18n %}"
            '<a lang="{{ code|html_lang }}" dir="{{ code|language_dir }}">'
            "{{ code|language_name_local }}</a>",
            code="fa-af",
        )

    assert html == '<a lang="fa-AF" dir="rtl">دری</a>'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (EVENT, "2019-06-25"),
        (PUBLICATION, "2019-07-08T09:00:00+04:30"),
        (None, ""),
    ],
)
def test_iso_date_is_for_machines_whatever_the_language(value, expected):
    with translation.override("fa-af"):
        assert render("{{ value|iso_date }}", value=value) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fa-af", "۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸"),
        ("ps", "۲۵ جون ۲۰۱۹ / ۴ چنګاښ ۱۳۹۸"),
        ("fr", "25 juin 2019 (4 Saratan 1398)"),
        ("en", "25 June 2019 (4 Saratan 1398)"),
    ],
)
def test_date_tokens_writes_a_leads_tokens_as_dates_and_escapes_the_rest(language, expected):
    lead = 'A <b>"lead"</b> & [[2019-06-25]]'

    with translation.override(language):
        html = render("{{ lead|date_tokens }}", lead=lead)
        meta = render('<meta content="{{ lead|date_tokens_text }}">', lead=lead)

    assert html == (
        f'A &lt;b&gt;&quot;lead&quot;&lt;/b&gt; &amp; <time datetime="2019-06-25">{expected}</time>'
    )
    assert meta == f'<meta content="A &lt;b&gt;&quot;lead&quot;&lt;/b&gt; &amp; {expected}">'


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "body", "lead"),
    [
        ("fa-af", "سه شنبه ۲۵ جون ۲۰۱۹ میلادی (۴ سرطان ۱۳۹۸ هجری شمسی)", "۴ سرطان ۱۳۹۸"),
        ("ps", "درېنۍ ۲۵ جون ۲۰۱۹ میلادي (۴ چنګاښ ۱۳۹۸ لمریز)", "۴ چنګاښ ۱۳۹۸"),
        ("fr", "mardi 25 juin 2019 (4 Saratan 1398 de l’hégire solaire)", "4 Saratan 1398"),
        ("en", "Tuesday 25 June 2019 (4 Saratan 1398 SH)", "4 Saratan 1398"),
    ],
)
def test_public_pages_show_the_tokens_of_body_and_lead_in_their_language(
    client, language, body, lead
):
    versions = {}
    for code in ("fa_af", "ps", "fr", "en"):
        versions[f"title_{code}"] = f"Title {code}"
        versions[f"body_{code}"] = "<p>On [[2019-06-25|long]].</p>"
        versions[f"lead_{code}"] = "Lead [[2019-06-25|solar]]."
    communique = CommuniqueFactory(**versions)

    with translation.override(language):
        detail = client.get(communique.get_absolute_url())
        listing = client.get(reverse("communiques:index"))

    for response in (detail, listing):
        content = response.content.decode()
        assert "[[" not in content
        assert f'<time datetime="2019-06-25">{lead}</time>' in content
    assert f'<time datetime="2019-06-25">{body}</time>' in detail.content.decode()
    assert f'<meta name="description" content="Lead {lead}.">' in detail.content.decode()
