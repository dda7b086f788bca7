"""The photos' and links' texts a user reads but may not change, in their language and direction.

A translator changes their own language's alternative texts, captions and link labels, and reads
the other languages' as read-only rows of the communiqué's change form: each must be marked with
its language, or a Dari caption shown in a French admin runs left to right.
"""

import lxml.html
import pytest

from communiques.models import Communique
from tests.factories import CommuniqueFactory, ImageFactory, SourceLinkFactory
from tests.test_admin import change_url

pytestmark = pytest.mark.django_db

# Each language's HTML tag and direction, by the suffix of its fields.
LANGUAGES = {
    "fa_af": ("fa-AF", "rtl"),
    "ps": ("ps", "rtl"),
    "fr": ("fr", "ltr"),
    "en": ("en", "ltr"),
}
TEXTS = {
    "alt_text": {
        "fa_af": "عکس وزیران در جلسه",
        "ps": "په غونډه کې د وزیرانو انځور",
        "fr": "Photo des ministres en réunion",
        "en": "Photo of the ministers meeting",
    },
    "caption": {
        "fa_af": "جلسهٔ ائتلاف در پاریس.",
        "ps": "په پاریس کې د ائتلاف غونډه.",
        "fr": "La réunion de la coalition à Paris.",
        "en": "The coalition meeting in Paris.",
    },
    "label": {
        "fa_af": "جهت دریافت معلومات مزید",
        "ps": "د نورو معلوماتو لپاره",
        "fr": "Pour en savoir plus",
        "en": "Further information",
    },
}


def field_values(field):
    return {f"{field}_{code}": text for code, text in TEXTS[field].items()}


@pytest.fixture
def communique():
    communique = CommuniqueFactory(status=Communique.Status.DRAFT, published_at=None)
    ImageFactory(communique=communique, **field_values("alt_text"), **field_values("caption"))
    SourceLinkFactory(communique=communique, **field_values("label"))
    return communique


def page_of(response):
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def shown_as_text(page, text):
    """Return the element of the inlines' rows whose text this is; never an input's value.

    A link's row is titled with its label in the admin's own language (modeltranslation's
    fallbacks are off), which the page's own lang and dir are right for: the title is left out.
    """
    found = page.xpath(
        "//*[@id='images-group' or @id='links-group']//*[text()[normalize-space(.) = $text]]"
        "[not(ancestor-or-self::*[contains(concat(' ', @class, ' '), ' original ')])]",
        text=text,
    )
    assert len(found) == 1, f"{text!r} is shown {len(found)} times as text"
    return found[0]


def language_and_direction(element):
    """Return the language and the direction the element is read in: its own or inherited."""
    (lang,) = element.xpath("ancestor-or-self::*[@lang][1]/@lang")
    (direction,) = element.xpath("ancestor-or-self::*[@dir][1]/@dir")
    return lang, direction


def input_named(page, name):
    (control,) = page.xpath("//input[@name=$name]", name=name)
    return control


@pytest.mark.parametrize("own", ["fa_af", "ps", "fr", "en"])
def test_a_translator_reads_the_other_languages_photo_and_link_texts_in_their_direction(
    login, communique, own
):
    page = page_of(login(f"translator-{own.replace('_', '-')}").get(change_url(communique)))

    for field in TEXTS:
        prefix = "links-0" if field == "label" else "images-0"
        for code, text in TEXTS[field].items():
            if code == own:
                # Their own language's is typed into an input, in its language and direction.
                control = input_named(page, f"{prefix}-{field}_{code}")
                assert control.get("value") == text
                assert language_and_direction(control) == LANGUAGES[code]
                continue
            element = shown_as_text(page, text)
            assert element.tag != "input"
            assert language_and_direction(element) == LANGUAGES[code], (field, code)


def test_a_read_only_text_is_escaped_and_keeps_its_line_breaks(login, communique):
    image = communique.images.get()
    image.caption_ps = "د ائتلاف غونډه\nپه پاریس کې <b>نن</b>"
    image.save()
    link = communique.links.get()
    link.label_fa_af = '<img src=x onerror="alert(1)">معلومات'
    link.save()

    page = page_of(login("translator-fr").get(change_url(communique)))

    first_line = shown_as_text(page, "د ائتلاف غونډه")
    assert language_and_direction(first_line) == ("ps", "rtl")
    (line_break,) = first_line
    assert line_break.tag == "br"
    assert line_break.tail == "په پاریس کې <b>نن</b>"
    label = shown_as_text(page, '<img src=x onerror="alert(1)">معلومات')
    assert language_and_direction(label) == ("fa-AF", "rtl")
    assert not page.xpath("//*[@onerror] | //b[text() = 'نن']")


def test_a_photos_empty_text_shows_the_admins_placeholder_unmarked(login, communique):
    image = communique.images.get()
    image.caption_en = ""
    image.save()

    page = page_of(login("translator-fa-af").get(change_url(communique)))

    (row,) = page.xpath("//*[@id='images-group']//*[contains(@class, 'caption_en')]")
    (placeholder,) = row.xpath(".//*[contains(@class, 'readonly')]")
    assert placeholder.text_content().strip() == "-"
    assert not placeholder.xpath(".//*[@lang]")


def test_a_press_officer_reads_a_published_communiques_photo_texts_in_their_direction(login):
    # Published, the communiqué is read-only to a press officer: every language's texts are.
    communique = CommuniqueFactory()
    ImageFactory(communique=communique, **field_values("alt_text"), **field_values("caption"))
    SourceLinkFactory(communique=communique, **field_values("label"))

    page = page_of(login("officer").get(change_url(communique)))

    assert not page.xpath("//input[starts-with(@name, 'images-0-') and contains(@name, '_fa_af')]")
    for field in TEXTS:
        for code, text in TEXTS[field].items():
            element = shown_as_text(page, text)
            assert language_and_direction(element) == LANGUAGES[code], (field, code)


def test_an_editor_still_types_every_languages_photo_and_link_texts(login, communique):
    page = page_of(login("editor").get(change_url(communique)))

    for field in TEXTS:
        prefix = "links-0" if field == "label" else "images-0"
        for code, text in TEXTS[field].items():
            control = input_named(page, f"{prefix}-{field}_{code}")
            assert control.get("value") == text
            assert language_and_direction(control) == LANGUAGES[code]
