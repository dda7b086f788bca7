"""The Jinja2 engine of the public pages (communiques/templating.py), and how their strings reach
the translation catalogues (management/commands/makemessages.py)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.utils import translation
from jinja2 import DebugUndefined, DictLoader

from communiques.management.commands.makemessages import jinja_messages_as_python
from communiques.templating import environment

TRANSLATE = {
    "_": translation.gettext,
    "gettext": translation.gettext,
    "pgettext": translation.pgettext,
    "ngettext": translation.ngettext,
}
ENGLISH = {
    "_": lambda message: message,
    "gettext": lambda message: message,
    "pgettext": lambda context, message: message,
    "ngettext": lambda singular, plural, count: singular if count == 1 else plural,
}


def render(source, **context):
    return (
        environment(loader=DictLoader({}), autoescape=True, undefined=DebugUndefined)
        .from_string(source)
        .render(context)
    )


def test_a_missing_name_writes_nothing_even_in_debug():
    # Django asks for DebugUndefined in debug, which would write "{{ query }}" into a page.
    assert render('<input value="{{ query }}">') == '<input value="">'


def test_values_are_escaped_as_django_escapes_them():
    assert render("{{ value }}", value="\"<b>'&") == "&quot;&lt;b&gt;&#x27;&amp;"


def test_a_translation_holding_markup_escapes_only_the_values_put_in_it():
    with translation.override("fr"):
        written = render(
            '{{ markup(_("No communiqué in this language matches <bdi>%(query)s</bdi>."))'
            ' % {"query": query} }}',
            query="<script>",
        )
    assert written == (
        "Aucun communiqué dans cette langue ne correspond à <bdi>&lt;script&gt;</bdi>."
    )


def test_the_public_pages_are_jinja2_templates_and_the_admin_s_django_s():
    assert engines["jinja2"].get_template("communiques/communique_detail.html")
    assert engines["django"].get_template("admin/communiques/communique/change_form.html")


def test_makemessages_finds_every_kind_of_translated_string_in_a_jinja2_page():
    source = (
        b'<p>{{ _("Skip to content") }}</p>'
        b'{{ pgettext("print this page", "Print") }}'
        b'{{ ngettext("%(number)s communiqu\xc3\xa9 found",'
        b' "%(number)s communiqu\xc3\xa9s found", n) }}'
        b'{{ gettext("Search") }}'
    )
    assert jinja_messages_as_python(source).splitlines() == [
        "_('Skip to content')",
        "pgettext('print this page', 'Print')",
        "ngettext('%(number)s communiqué found', '%(number)s communiqués found', 1)",
        "gettext('Search')",
    ]


def test_makemessages_refuses_a_string_it_cannot_read():
    with pytest.raises(ValueError, match="string literal"):
        jinja_messages_as_python(b"{{ _(label) }}")


@pytest.mark.parametrize("language", ["fa-af", "ps"])
@pytest.mark.parametrize(
    "template", sorted(Path(settings.BASE_DIR, "jinja2").rglob("*.html")), ids=lambda p: p.name
)
def test_every_string_of_every_public_page_is_translated(template, language):
    """What makemessages finds in a page, Dari and Pashto translate: their words differ from the
    English of every msgid."""
    calls = jinja_messages_as_python(template.read_bytes()).splitlines()
    untranslated = []
    with translation.override(language):
        for call in calls:
            # Each line is a call of literals, made by jinja_messages_as_python.
            english = eval(call, {**ENGLISH})
            # Punctuation (":" between a date and its note) may be the same in both.
            if eval(call, {**TRANSLATE}) == english and any(c.isalpha() for c in english):
                untranslated.append(english)
    assert untranslated == []
