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
