"""Property-based tests (Hypothesis): random hostile text through sanitising and rendering, and
random or damaged files through the importer.

Every test draws its examples from a fixed seed (derandomize) and keeps no database of failures,
so that every run, on every machine, tries the same examples; the counts stay modest so that the
suite stays fast. To search wider for a while, raise FUZZ_EXAMPLES in the environment.
"""

import os
from pathlib import Path

import pytest
from django.apps import apps
from django.db import transaction
from django.utils import translation
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communiques import text
from communiques.importers import CommuniqueImportError, communique_import
from communiques.models import Communique
from tests.active_content import active_content, page_active_content, parse, url_scheme
from tests.factories import CommuniqueFactory
from tests.test_xss_fields import feed_texts

SCALE = int(os.environ.get("FUZZ_EXAMPLES", "1"))


def fuzz(examples):
    return settings(
        max_examples=examples * SCALE,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


# --- Hostile HTML, built from the pieces attacks are made of ------------------------------------

DANGEROUS_TAGS = [
    "script", "iframe", "object", "embed", "svg", "math", "style", "img", "form", "input",
    "button", "base", "link", "meta", "video", "audio", "source", "details", "marquee",
    "template", "noscript", "textarea", "title", "xmp", "plaintext", "frameset", "applet",
    "body", "table", "image", "animate", "set", "foreignObject", "annotation-xml", "SCRIPT",
]  # fmt: skip
TAGS = DANGEROUS_TAGS + sorted(text.ALLOWED_TAGS) + ["time", "div", "time"]
EVENTS = ["onerror", "onload", "onclick", "onmouseover", "onfocus", "OnErRoR", "onbegin"]
URL_ATTRIBUTES = [
    "href", "src", "srcset", "action", "formaction", "xlink:href", "cite", "data", "poster",
    "background", "ping",
]  # fmt: skip
OTHER_ATTRIBUTES = ["lang", "dir", "title", "hreflang", "class", "id", "rel", "target", "datetime"]
SCHEMES = [
    "javascript:", "JaVaScRiPt:", "vbscript:", "data:text/html,", "data:image/svg+xml;base64,",
    "livescript:", "https:", "http:", "mailto:", "//", "",
]  # fmt: skip
STYLES = [
    "expression(alert(1))",
    "background:url(javascript:alert(1))",
    "behavior:url(#default#time2)",
    "-moz-binding:url(https://example.org/x.xml#x)",
    "width:e\\xpression(alert(1))",
    "background-image:url(&#106;avascript:alert(1))",
]
LOOSE = [
    "<", ">", "&", "&#", "&#x", '"', "'", "`", "=", "/", "<!--", "-->", "<![CDATA[", "]]>",
    "</script>", "<scr<script>ipt>", "<?xml", "<!DOCTYPE html>", "[[2019-06-25]]",
    "[[2019-06-25|long|solar]]", "[[", "]]", "\u202e", "\u200b", "\u200c", "\x00", "\x01",
    "&#8238;", "&#1;", "&#0;", "&lt;script&gt;", "javascript:alert(1)",
]  # fmt: skip


@st.composite
def obfuscated_scheme(draw):
    """A scheme as attackers hide it: entities, tabs and newlines inside, spaces and controls
    before, &colon; for its colon."""
    scheme = draw(st.sampled_from(SCHEMES))
    pieces = []
    for char in scheme:
        how = draw(st.sampled_from(["plain", "plain", "plain", "decimal", "hex", "padded"]))
        if how == "decimal":
            pieces.append(f"&#{ord(char)};")
        elif how == "hex":
            pieces.append(f"&#x{ord(char):x};")
        elif how == "padded":
            pieces.append(f"&#{ord(char):07d}")
        else:
            pieces.append(char)
        pieces.append(draw(st.sampled_from(["", "", "", "\t", "\n", "&#x09;", "&#10;", "&Tab;"])))
    value = "".join(pieces)
    if value.endswith(":") and draw(st.booleans()):
        value = value[:-1] + "&colon;"
    prefix = draw(st.sampled_from(["", "", " ", "\x01", "\x00", "&#0;", "\u200b"]))
    return prefix + value + draw(st.sampled_from(["alert(1)", "//example.org/", "x"]))


@st.composite
def attribute(draw):
    kind = draw(st.sampled_from(["event", "url", "url", "style", "other"]))
    if kind == "event":
        name, value = draw(st.sampled_from(EVENTS)), "alert(1)"
    elif kind == "url":
        name, value = draw(st.sampled_from(URL_ATTRIBUTES)), draw(obfuscated_scheme())
    elif kind == "style":
        name, value = "style", draw(st.sampled_from(STYLES))
    else:
        name, value = draw(st.sampled_from(OTHER_ATTRIBUTES)), draw(st.text(max_size=12))
    quote = draw(st.sampled_from(['"', "'", "", "`"]))
    if quote == "":
        value = value.replace(" ", "")
    separator = draw(st.sampled_from([" ", "\n", "/", "\t"]))
    return f"{separator}{name}={quote}{value}{quote}"


def element(children):
    @st.composite
    def build(draw):
        tag = draw(st.sampled_from(TAGS))
        attributes = "".join(draw(st.lists(attribute(), max_size=3)))
        inner = "".join(draw(st.lists(children, max_size=3)))
        closing = draw(st.sampled_from([f"</{tag}>", f"</{tag}>", "", f"</{tag} >"]))
        return f"<{tag}{attributes}>{inner}{closing}"

    return build()


def html_fragments():
    leaves = st.one_of(st.sampled_from(LOOSE), st.text(max_size=20))
    return st.lists(st.recursive(leaves, element, max_leaves=12), max_size=6).map("".join)


# --- What sanitised markup may hold -----------------------------------------------------------


def assert_only_allowed_markup(html, extra_tags=frozenset()):
    """Every element and attribute is of the policy; every address is a web or mail one."""
    for tag, attributes in parse(html).elements:
        assert tag in text.ALLOWED_TAGS | extra_tags, html
        allowed = (
            text.ALLOWED_ATTRIBUTES.get(tag, set())
            | text.GENERIC_ATTRIBUTES
            | ({"rel"} if tag == "a" else set())
            | ({"datetime"} if tag == "time" else set())
        )
        assert set(attributes) <= allowed, html
        for name in ("href", "cite"):
            if attributes.get(name):
                assert url_scheme(attributes[name]) in (None, "http", "https", "mailto"), html
    assert active_content(html) == []
    assert text.HIDDEN_CHARACTERS.search(html) is None


@fuzz(200)
@given(html_fragments())
def test_sanitised_html_holds_only_the_allowed_markup_and_web_addresses(fragment):
    cleaned = text.sanitize_html(fragment)

    assert_only_allowed_markup(cleaned)
    # Communique.save() sanitises every time: a second pass must change nothing.
    assert text.sanitize_html(cleaned) == cleaned


@fuzz(100)
@given(html_fragments(), st.sampled_from(["fa-af", "ps", "fr", "en"]))
def test_date_tokens_rendered_into_sanitised_html_add_only_time_elements(fragment, language):
    rendered = text.render_date_tokens(text.sanitize_html(fragment), language)

    assert_only_allowed_markup(rendered, extra_tags={"time"})


@fuzz(200)
@given(st.text())
def test_removing_hidden_characters_only_removes_them_and_takes_one_pass(value):
    cleaned = text.strip_hidden_characters(value)

    assert text.HIDDEN_CHARACTERS.search(cleaned) is None
    assert text.strip_hidden_characters(cleaned) == cleaned
    # Only characters are removed: what is left reads in the same order.
    remaining = iter(value)
    assert all(char in remaining for char in cleaned)


# --- Through the pages: a saved body, a saved title ----------------------------------------------


@pytest.fixture
def baseline(client):
    """A published communiqué, and what its French page holds of its own scripts and icons."""
    communique = CommuniqueFactory(lead_fr="Chapô [[2019-06-25]].")
    response = client.get(communique.get_absolute_url().replace("/fa-af/", "/fr/", 1))
    return communique, page_active_content(response.content.decode())


@pytest.mark.django_db
@fuzz(25)
@given(body=html_fragments())
def test_a_hostile_body_saved_and_shown_on_its_page_and_feed_runs_nothing(client, baseline, body):
    communique, own = baseline
    communique.body_fr = f"<p>Premier.</p>{body}"
    communique.save()
    with translation.override("fr"):
        page = client.get(communique.get_absolute_url())
        feed = client.get("/fr/feeds/atom/")

    assert page.status_code == 200
    assert page_active_content(page.content.decode()) == own
    assert feed.status_code == 200
    for html, is_html in feed_texts(feed.content, atom=True):
        if is_html:
            assert active_content(html) == []


def plain_titles():
    pieces = st.one_of(st.sampled_from(LOOSE), st.text(max_size=30), html_fragments())
    return (
        st.lists(pieces, min_size=1, max_size=4)
        .map("".join)
        # A NUL is refused by every form before it is stored, and hidden characters are removed
        # on every save: what is left is what the page must show.
        .map(lambda title: text.strip_hidden_characters(title.replace("\x00", ""))[:500])
        .filter(str.strip)
    )


@pytest.mark.django_db
@fuzz(25)
@given(title=plain_titles(), lead=plain_titles())
def test_a_hostile_title_and_lead_are_shown_escaped_and_run_nothing(client, baseline, title, lead):
    communique, own = baseline
    communique.title_fr, communique.lead_fr = title, lead
    communique.save()
    with translation.override("fr"):
        page = client.get(communique.get_absolute_url())

    content = page.content.decode()
    assert page.status_code == 200
    assert page_active_content(content) == own
    assert escape(title) in content


# --- The importer: random and damaged files --------------------------------------------------

DEMO = Path(__file__).resolve().parent.parent / "demo"
SAMPLES = sorted(DEMO.glob("*.txt"))
SAMPLE_BYTES = {path: path.read_bytes() for path in SAMPLES}
INSERTIONS = [
    b"\x00", b"\xff", b"\xc3", b"\xe2\x80", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\x1b[31m", b"\r",
    b"\n\n", b"\x0c", b"\xc2\x85", "\u202e".encode(), b"JPEG\n", b"\n(31/02/2019)\n",
    b"<script>alert(1)</script>", b"javascript:alert(1)\n", b"https://user:pw@10.0.0.1/\n",
    b"[[2019-02-30]]", b"[[", "تاریخ نشر 99/99/99999\n".encode(), "(۴۰ سرطان ۹۹۹۹)".encode(),
]  # fmt: skip


def language_of(path):
    """Return the language of a demo file from its name: x.fa-AF.txt is fa-af."""
    return path.stem.rpartition(".")[2].lower()


@st.composite
def truncated_sample(draw):
    path = draw(st.sampled_from(SAMPLES))
    data = SAMPLE_BYTES[path]
    return language_of(path), data[: draw(st.integers(0, len(data)))]


@st.composite
def damaged_sample(draw):
    path = draw(st.sampled_from(SAMPLES))
    data = bytearray(SAMPLE_BYTES[path])
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        insertion = draw(st.one_of(st.sampled_from(INSERTIONS), st.binary(min_size=1, max_size=8)))
        if draw(st.booleans()):
            data[position : position + len(insertion)] = insertion
        else:
            data[position:position] = insertion
    return language_of(path), bytes(data)


@st.composite
def random_file(draw):
    language = draw(st.sampled_from(["fa-af", "ps", "fr", "en"]))
    data = draw(st.one_of(st.binary(max_size=3000), st.text(max_size=600).map(str.encode)))
    return language, data


def database_rows():
    """Return every row of every model, in order: what a refused import must leave as it was."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
    }


@pytest.fixture
def stored(tmp_path):
    """The reference communiqué, published, at the slug every fuzzed file is imported to."""
    with translation.override("en"):
        communique_import(
            path=DEMO / "coalition-against-daesh-2019-06-25.fa-AF.txt",
            language="fa-af",
            slug="fuzzed",
            publish=True,
        )
    return tmp_path


def import_or_refuse(folder, language, data):
    """Import a file at the stored communiqué's slug: it imports, or it refuses changing nothing.

    Each attempt is undone afterwards, so that every example starts from the same database.
    """
    path = folder / f"fuzzed.{language}.txt"
    path.write_bytes(data)
    with transaction.atomic(), translation.override("en"):
        before = database_rows()
        try:
            result = communique_import(path=path, language=language, slug="fuzzed")
        except CommuniqueImportError:
            assert database_rows() == before
        else:
            communique = Communique.objects.get(pk=result.communique.pk)
            suffix = language.replace("-", "_")
            for field in ("title", "subtitle", "body"):
                value = getattr(communique, f"{field}_{suffix}") or ""
                assert text.HIDDEN_CHARACTERS.search(value) is None
            body = getattr(communique, f"body_{suffix}") or ""
            assert text.sanitize_html(body) == body
        transaction.set_rollback(True)


@pytest.mark.django_db
@fuzz(40)
@given(truncated_sample())
def test_a_truncated_file_is_imported_or_refused_leaving_nothing_half_written(stored, file):
    import_or_refuse(stored, *file)


@pytest.mark.django_db
@fuzz(60)
@given(damaged_sample())
def test_a_file_damaged_with_bad_bytes_is_imported_or_refused_atomically(stored, file):
    import_or_refuse(stored, *file)


@pytest.mark.django_db
@fuzz(40)
@given(random_file())
def test_random_bytes_are_imported_or_refused_atomically(stored, file):
    import_or_refuse(stored, *file)
