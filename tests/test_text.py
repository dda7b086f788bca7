import pytest

from communiques import text


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<svg><script>alert(1)</script></svg>",
        '<iframe src="https://example.org"></iframe>',
    ],
)
def test_active_content_does_not_survive_sanitising(payload):
    cleaned = text.sanitize_html(payload).lower()

    for marker in ("<script", "onerror", "javascript:", "data:", "style=", "<svg", "<iframe"):
        assert marker not in cleaned


def test_editorial_markup_survives_and_links_open_safely():
    cleaned = text.sanitize_html(
        '<h2>Titre</h2><p><strong>Gras</strong> <em>it</em> <span lang="fr" dir="ltr">Paris</span>'
        ' <a href="https://www.diplomatie.gouv.fr/">lien</a></p><blockquote>q</blockquote>'
    )

    assert "<h2>Titre</h2>" in cleaned
    assert '<span lang="fr" dir="ltr">Paris</span>' in cleaned
    assert 'href="https://www.diplomatie.gouv.fr/"' in cleaned
    assert 'rel="noopener noreferrer"' in cleaned
    assert "<blockquote>q</blockquote>" in cleaned


def test_plain_paragraphs_become_escaped_html_paragraphs():
    assert text.paragraphs_to_html(["a < b", " «داعش» "]) == "<p>a &lt; b</p><p>«داعش»</p>"


def test_a_body_splits_into_its_top_level_blocks_in_order():
    blocks = text.split_blocks(
        "<p>یک <b>دو</b></p>\n<h2>سر</h2><ul><li>a</li><li>b</li></ul>loose &amp; text<p>end</p>"
    )

    assert blocks == [
        ("p", "<p>یک <b>دو</b></p>"),
        ("h2", "<h2>سر</h2>"),
        ("ul", "<ul><li>a</li><li>b</li></ul>"),
        ("p", "<p>loose &amp; text</p>"),
        ("p", "<p>end</p>"),
    ]
    assert [text.is_paragraph(tag) for tag, _html in blocks] == [True, False, True, True, True]


# --- Date tokens ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [
        (
            "fa-af",
            "۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸",
            "سه شنبه ۲۵ جون ۲۰۱۹ میلادی (۴ سرطان ۱۳۹۸ هجری شمسی)",
        ),
        ("ps", "۲۵ جون ۲۰۱۹ / ۴ چنګاښ ۱۳۹۸", "درېنۍ ۲۵ جون ۲۰۱۹ میلادي (۴ چنګاښ ۱۳۹۸ لمریز)"),
        (
            "fr",
            "25 juin 2019 (4 Saratan 1398)",
            "mardi 25 juin 2019 (4 Saratan 1398 de l’hégire solaire)",
        ),
        ("en", "25 June 2019 (4 Saratan 1398)", "Tuesday 25 June 2019 (4 Saratan 1398 SH)"),
    ],
)
def test_date_tokens_render_as_time_elements_in_each_language(language, short, long):
    rendered = text.render_date_tokens("<p>[[2019-06-25]] — [[2019-06-25|long]]</p>", language)

    assert rendered == (
        f'<p><time datetime="2019-06-25">{short}</time> — '
        f'<time datetime="2019-06-25">{long}</time></p>'
    )


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("[[2019-06-25|gregorian]]", "25 June 2019"),
        ("[[2019-06-25|solar]]", "4 Saratan 1398"),
        ("[[2019-06-25|solar|long]]", "Tuesday 4 Saratan 1398 SH"),
        ("[[2019-06-25|long|gregorian]]", "Tuesday 25 June 2019"),
        ("[[2019-06-25|dual|short]]", "25 June 2019 (4 Saratan 1398)"),
        # As an editor or a translator may type it: spaces, capitals, Persian digits, &nbsp;.
        ("[[ 2019-06-25 | Long ]]", "Tuesday 25 June 2019 (4 Saratan 1398 SH)"),
        ("[[۲۰۱۹-۰۶-۲۵]]", "25 June 2019 (4 Saratan 1398)"),
        ("[[2019-06-25&nbsp;|gregorian]]", "25 June 2019"),
    ],
)
def test_a_token_chooses_calendar_and_style_in_any_order_and_any_digits(token, expected):
    assert text.render_date_tokens(f"<p>{token}</p>", "en") == (
        f'<p><time datetime="2019-06-25">{expected}</time></p>'
    )
    assert text.find_invalid_date_tokens(token) == []


def test_a_token_inside_a_tag_becomes_plain_text_there_and_markup_only_in_the_text():
    value = (
        '<p><abbr title="x>y [[2019-06-25|solar]]">[[2019-06-25|gregorian]]</abbr>'
        " <a href=\"https://example.org/?[[2019-06-25]]\" title='[[2019-06-25]]'>a</a></p>"
    )

    assert text.render_date_tokens(value, "fr") == (
        '<p><abbr title="x>y 4 Saratan 1398"><time datetime="2019-06-25">25 juin 2019</time>'
        '</abbr> <a href="https://example.org/?25 juin 2019 (4 Saratan 1398)" '
        "title='25 juin 2019 (4 Saratan 1398)'>a</a></p>"
    )


def test_rendering_tokens_escapes_nothing_back_and_adds_no_markup_of_its_own():
    value = "<p>&lt;script&gt;[[2019-06-25]]&lt;/script&gt; &amp;lt;b&amp;gt;</p>"

    rendered = text.render_date_tokens(value, "en")

    assert rendered == (
        '<p>&lt;script&gt;<time datetime="2019-06-25">25 June 2019 (4 Saratan 1398)</time>'
        "&lt;/script&gt; &amp;lt;b&amp;gt;</p>"
    )


@pytest.mark.parametrize(
    "token",
    [
        "[[2019-02-30]]",  # no such day
        "[[2019-13-01]]",
        "[[2019-6-25]]",  # not YYYY-MM-DD
        "[[25/06/2019]]",
        "[[<script>alert(1)</script>]]",
        '[[2019-06-25" onmouseover="alert(1)]]',
        "[[2019-06-25|big]]",  # unknown option
        "[[2019-06-25|long|short]]",  # two styles
        "[[2019-06-25|solar|gregorian]]",
        "[[2019-06-25|]]",
        "[[]]",
        "[[2019-06-<b>25</b>]]",  # the editor split it
    ],
)
def test_an_invalid_token_is_found_and_left_as_written(token):
    value = f"<p>Avant {token} après [[2019-06-25]]</p>"

    assert text.find_invalid_date_tokens(value) == [token]
    rendered = text.render_date_tokens(value, "fr")
    assert rendered.count("<time") == 1
    assert rendered.startswith(f"<p>Avant {token} après <time")


def test_invalid_tokens_are_listed_in_the_order_written_with_one_never_closed():
    value = "[[2019-06-25 a [[2019-02-30]] b [[2019-06-25]] c [[2019-06-25|big]] d [[x"

    assert text.find_invalid_date_tokens(value) == [
        "[[2019-06-25",
        "[[2019-02-30]]",
        "[[2019-06-25|big]]",
        "[[x",
    ]


def test_text_without_tokens_is_returned_as_it_is():
    value = "<p>[2019-06-25] [ [2019-06-25] ] 2019-06-25</p>"

    assert text.render_date_tokens(value, "en") is value
    assert text.find_invalid_date_tokens(value) == []


def test_tokens_render_as_plain_text_for_a_meta_description():
    assert text.render_date_tokens_as_text("Le [[2019-06-25|long]] <b>, [[2019-02-30]]", "fr") == (
        "Le mardi 25 juin 2019 (4 Saratan 1398 de l’hégire solaire) <b>, [[2019-02-30]]"
    )


def test_the_text_of_html_has_a_line_per_block_and_no_entities():
    assert text.html_to_text("<p>a &amp; <b>b</b></p><ul><li>c</li></ul>x<br>y") == (
        "\na & b\n\n\nc\n\nx\ny"
    )


# --- Search normalisation ------------------------------------------------------------------------

ZWNJ = "\u200c"


@pytest.mark.parametrize(
    ("language", "written", "folded"),
    [
        # Arabic ي and ك are the Persian ی and ک typed on an Arabic keyboard.
        ("fa-af", "كيف", "کیف"),
        ("fa-af", "على", "علی"),
        # Pashto keeps ي, a letter of its own there; ك still becomes ک.
        ("ps", "كيف", "کيف"),
        ("ps", "ئ ي ې ۍ ی", "ئ ي ې ۍ ی"),
        # A non-joiner is a space: می‌گردد is می گردد.
        ("fa-af", f"می{ZWNJ}گردد", "می گردد"),
        # The ezafe after heh, in its three spellings, is the bare heh.
        ("fa-af", "جلسهء", "جلسه"),
        ("fa-af", "جلسهٔ", "جلسه"),
        ("fa-af", "جلسۀ", "جلسه"),
        # Harakat, tanwin, shadda and the superscript alef go, and so does tatweel.
        ("fa-af", "مُحَمَّدٌ", "محمد"),
        ("fa-af", "رحمٰن", "رحمن"),
        ("fa-af", "کتـــاب", "کتاب"),
        # Alef with madda or hamza is the bare alef: آمریکا is امریکا.
        ("fa-af", "آمریکا أحمد إسلام", "امریکا احمد اسلام"),
        # Persian, Arabic-Indic and ASCII digits are one.
        ("fa-af", "۲۰۱۹ ٢٠١٩ 2019", "2019 2019 2019"),
        # Latin letters lose case and accents.
        ("fr", "Le MINISTÈRE de l'Été", "le ministere de l'ete"),
        ("en", "Straße", "strasse"),
        # Tags go, entities are read, spaces collapse.
        ("fr", "<p>Paris &amp;\n\n <b>Kaboul</b> </p>", "paris & kaboul"),
        # Presentation forms from old documents are plain letters.
        ("fa-af", "ﻻ ﺏ", "لا ب"),
        # Direction marks and joiners are invisible, and stay so.
        ("fa-af", "\u200fداعش\u200d", "داعش"),
    ],
)
def test_search_folds_each_spelling_to_one(language, written, folded):
    assert text.normalize_for_search(written, language) == folded


def test_search_folds_query_and_text_alike():
    written = f"ائتلاف برضد «داعش» ۲۰۱۹ می{ZWNJ}گردد"
    typed = "داعش 2019 می گردد"

    document = text.normalize_for_search(written, "fa-af")

    assert all(term in document for term in text.search_terms(typed, "fa-af"))


def test_search_terms_are_words_only_without_repeats():
    query = "داعش '; DROP TABLE x-- (داعش) .* <b>۲۰۱۹</b>"

    assert text.search_terms(query, "fa-af") == ["داعش", "drop", "table", "x", "2019"]


def test_highlight_marks_the_words_as_written_and_escapes_the_rest():
    written = f"<b> «داعش» در سال ۲۰۱۹ می{ZWNJ}گردد"

    marked = text.highlight(written, text.search_terms("داعش 2019 گردد", "fa-af"), "fa-af")

    assert marked == (
        f"&lt;b&gt; «<mark>داعش</mark>» در سال <mark>۲۰۱۹</mark> می{ZWNJ}<mark>گردد</mark>"
    )


def test_highlight_cuts_an_excerpt_around_the_first_match_at_spaces():
    written = " ".join(["avant"] * 100 + ["Kaboul"] + ["après"] * 100)

    marked = text.highlight(written, ["kaboul"], "fr", length=60)

    assert marked.startswith("…avant ")
    assert marked.endswith(" après…")
    assert "<mark>Kaboul</mark>" in marked
    assert len(marked) < 60 + len("<mark></mark>…………")


def test_highlight_without_a_match_shows_the_beginning():
    assert text.highlight("un deux trois quatre", ["cinq"], "fr", length=10) == "un deux…"
