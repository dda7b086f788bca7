"""Django's own admin words (buttons, menus, the action bar, error notes) in Pashto and Dari:
Django has no Pashto catalogue and its Persian one lacks some, so ours translates them
(communiques/django_strings.py)."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories import CommuniqueFactory
from tests.test_admin import ADD_URL, CHANGELIST_URL, change_url, speak

pytestmark = pytest.mark.django_db


class _Words(HTMLParser):
    """What a reader sees: text outside scripts, and the labels of buttons and search boxes."""

    def __init__(self):
        super().__init__()
        self.words = set()
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "template"}:
            self._hidden += 1
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            self.words.add(attributes.get("value", "").strip())
        for name in ("title", "placeholder", "aria-label"):
            if attributes.get(name):
                self.words.add(attributes[name].strip())

    def handle_endtag(self, tag):
        if tag in {"script", "style", "template"}:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.words.add(" ".join(data.split()))


def words(response):
    assert response.status_code == 200
    parser = _Words()
    parser.feed(response.content.decode())
    return parser.words


# English as Django writes it, and what a Pashto and a Dari reader see instead.
CHANGE_FORM = {
    "Save": ("خوندي کول", "ذخیره"),
    "Save and continue editing": ("خوندي کړئ او سمون ته دوام ورکړئ", "ذخیره و ادامهٔ ویرایش"),
    "Save and add another": ("خوندي کړئ او بل زیات کړئ", "ذخیره و افزودن یکی دیگر"),
    "Log out": ("وتل", "خروج"),
    "View site": ("وېبپاڼه وګورئ", "مشاهدهٔ ویب‌سایت"),
    "Change password": ("پټنوم بدل کړئ", "تغییر گذرواژه"),
    "Date:": ("نېټه:", "تاریخ:"),
}
CHANGELIST = {
    "Filter": ("چاڼ", "فیلتر"),
    "Action:": ("کړنه:", "اقدام:"),
    "Go": ("ترسره کړئ", "اجرا"),
    "Search": ("لټون", "جستجو"),
    "Log out": ("وتل", "خروج"),
}
LANGUAGES = {"ps": 0, "fa-af": 1}


def assert_translated(seen, expected, language):
    column = LANGUAGES[language]
    english = {text for text in expected if text in seen}
    missing = {words[column] for words in expected.values() if words[column] not in seen}
    assert not english, f"still in English in {language}: {english}"
    assert not missing, f"missing in {language}: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_change_form_buttons_and_menus_are_translated(admin_client, language):
    communique = CommuniqueFactory()

    seen = words(speak(admin_client, language).get(change_url(communique)))

    assert_translated(seen, CHANGE_FORM, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_changelist_filter_and_action_bar_are_translated(admin_client, language):
    CommuniqueFactory()

    seen = words(speak(admin_client, language).get(CHANGELIST_URL))

    assert_translated(seen, CHANGELIST, language)


@pytest.mark.parametrize(
    ("language", "note"),
    [("ps", "لطفاً لاندې تېروتنې سمې کړئ."), ("fa-af", "لطفاً خطاهای زیر را اصلاح کنید.")],
)
def test_an_invalid_form_says_to_correct_the_errors_in_the_readers_language(
    admin_client, language, note
):
    """Django's Persian catalogue has no translation of this note: Dari readers saw English."""
    empty_inlines = {
        f"{prefix}-{field}": "0"
        for prefix in ("images", "links")
        for field in ("TOTAL_FORMS", "INITIAL_FORMS")
    }

    seen = words(speak(admin_client, language).post(ADD_URL, empty_inlines))

    assert note in seen
    assert "Please correct the errors below." not in seen
    assert "Please correct the error below." not in seen


def test_the_login_page_is_in_pashto(client):
    seen = words(speak(client, "ps").get(reverse("admin:login")))

    assert {"ننوتل", "کارن نوم:", "پټنوم:"} <= seen
    assert not {"Log in", "Username:", "Password:"} & seen


@pytest.mark.parametrize(
    ("language", "header", "title"),
    [
        ("ps", "د سفارت مطبوعاتي دفتر", "اعلامیې"),
        ("fa-af", "دفتر مطبوعاتی سفارت", "اعلامیه‌ها"),
        ("fr", "Service de presse de l’ambassade", "Communiqués"),
    ],
)
def test_every_admin_page_names_the_press_office_not_django(admin_client, language, header, title):
    response = speak(admin_client, language).get(CHANGELIST_URL)

    seen = words(response)
    assert header in seen
    assert not {word for word in seen if "Django" in word}
    assert re.search(rf"<title>[^<]*{re.escape(title)}</title>", response.content.decode())
