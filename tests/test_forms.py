import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.utils import translation
from pytest_django.asserts import assertHTMLEqual, assertInHTML

from communiques.forms import (
    DualCalendarDateField,
    DualCalendarDateWidget,
    DualCalendarSplitDateTimeField,
    DualCalendarSplitDateTimeWidget,
    read_date,
)

KABUL = ZoneInfo("Asia/Kabul")
LOOKUP = "/admin/communiques/communique/dual-date/"


class DatesForm(forms.Form):
    event_date = DualCalendarDateField(
        required=False,
        help_text="The date of the event reported.",
        widget=DualCalendarDateWidget(lookup_url=LOOKUP),
    )
    published_at = DualCalendarSplitDateTimeField(
        required=False, widget=DualCalendarSplitDateTimeWidget(lookup_url=LOOKUP)
    )


def output(input_id, text=""):
    return (
        f'<output class="dual-date" for="{input_id}" data-lookup-url="{LOOKUP}" '
        f'aria-live="polite">{text}</output>'
    )


# --- Reading what is typed -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "1398/04/04",
        "۱۳۹۸/۰۴/۰۴",
        "1398-04-04",
        "۱۳۹۸-۰۴-۰۴",
        "١٣٩٨/٠٤/٠٤",
        " 1398/4/4 ",
        "2019-06-25",
        "۲۰۱۹-۰۶-۲۵",
        "2019/06/25",
    ],
)
def test_a_date_typed_in_either_calendar_and_either_digits_is_the_same_gregorian_date(typed):
    assert read_date(typed) == dt.date(2019, 6, 25)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1403/12/30", dt.date(2025, 3, 20)),  # the last day of a leap year
        ("1404/01/01", dt.date(2025, 3, 21)),
        ("1399/12/30", dt.date(2021, 3, 20)),
        ("1699/01/01", dt.date(2320, 3, 21)),  # the highest year still read as Solar Hijri
        ("1700/01/01", dt.date(1700, 1, 1)),
    ],
)
def test_the_year_tells_the_calendar(typed, expected):
    assert read_date(typed) == expected


def test_nothing_typed_is_no_date():
    assert read_date("") is None
    assert read_date("  ") is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1398/12/31", "There is no Solar Hijri date 1398/12/31: check the month and the day."),
        # 1398 is a common year: Hut has 29 days. 1399/12/30 is accepted above.
        ("1398/12/30", "There is no Solar Hijri date 1398/12/30: check the month and the day."),
        ("۱۳۹۸/۱۳/۰۱", "There is no Solar Hijri date ۱۳۹۸/۱۳/۰۱: check the month and the day."),
        ("2019/02/30", "Enter a valid date."),
        ("25 juin 2019", "Enter a valid date."),
    ],
)
def test_a_date_that_does_not_exist_is_refused_with_what_was_typed(typed, message):
    with translation.override("en"):
        form = DatesForm(data={"event_date": typed})

        assert not form.is_valid()
        assert form.errors["event_date"] == [message]


def test_the_solar_date_error_is_translated():
    with translation.override("fa-af"):
        form = DatesForm(data={"event_date": "1398/12/31"})
        form.is_valid()

        [message] = form.errors["event_date"]
    assert "1398/12/31" in message
    assert "There is no" not in message


def test_a_refused_date_stays_in_the_input_as_typed():
    with translation.override("fa-af"):
        form = DatesForm(data={"event_date": "۱۳۹۸/۱۲/۳۱"})
        form.is_valid()

        html = str(form["event_date"])

    assert 'value="۱۳۹۸/۱۲/۳۱"' in html
    assertInHTML(output("id_event_date"), html)


@pytest.mark.parametrize(
    ("date", "time"), [("1398/04/04", "10:30"), ("۱۳۹۸/۰۴/۰۴", "۱۰:۳۰"), ("2019-06-25", "10:30:00")]
)
def test_a_date_and_time_may_be_typed_in_solar_hijri_with_persian_digits(date, time):
    form = DatesForm(data={"published_at_0": date, "published_at_1": time})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["published_at"] == dt.datetime(2019, 6, 25, 10, 30, tzinfo=KABUL)


def test_a_date_and_time_with_an_impossible_solar_date_is_refused():
    with translation.override("en"):
        form = DatesForm(data={"published_at_0": "1398/12/31", "published_at_1": "10:30"})

        assert not form.is_valid()
        assert form.errors["published_at"] == [
            "There is no Solar Hijri date 1398/12/31: check the month and the day."
        ]


# --- Showing both calendars ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fa-af", "۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸"),
        ("ps", "۲۵ جون ۲۰۱۹ / ۴ چنګاښ ۱۳۹۸"),
        ("fr", "25 juin 2019 (4 Saratan 1398)"),
        ("en", "25 June 2019 (4 Saratan 1398)"),
    ],
)
def test_a_stored_date_is_shown_in_both_calendars_by_the_server(language, text):
    with translation.override(language):
        html = str(DatesForm(initial={"event_date": dt.date(2019, 6, 25)})["event_date"])

    assertInHTML(output("id_event_date", text), html)


@pytest.mark.parametrize("typed", ["1398/04/04", "۱۳۹۸/۰۴/۰۴", "2019-06-25"])
def test_a_typed_date_is_shown_in_both_calendars_when_the_form_comes_back(typed):
    with translation.override("fa-af"):
        form = DatesForm(data={"event_date": typed, "published_at_0": "", "published_at_1": "x"})
        assert not form.is_valid()

        html = str(form["event_date"])

    assert f'value="{typed}"' in html
    assertInHTML(output("id_event_date", "۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸"), html)


def test_the_publication_date_is_shown_as_dated_in_kabul():
    # 22:00 UTC on 30 June is 02:30 on 1 July in Kabul.
    moment = dt.datetime(2019, 6, 30, 22, 0, tzinfo=dt.UTC)

    with translation.override("fa-af"):
        html = str(DatesForm(initial={"published_at": moment})["published_at"])

    assert 'value="2019-07-01"' in html
    assert 'value="02:30:00"' in html
    assertInHTML(output("id_published_at_0", "۱ جولای ۲۰۱۹ / ۱۰ سرطان ۱۳۹۸"), html)


def test_the_admin_date_widget_keeps_its_calendar_and_shortcuts():
    form = DatesForm()

    html = str(form["event_date"])

    assertHTMLEqual(
        html,
        '<p class="date"><input type="text" name="event_date" class="vDateField" size="10" '
        'aria-describedby="id_event_date_helptext" id="id_event_date">'
        f"{output('id_event_date')}</p>",
    )
    scripts = form.media._js
    assert {"admin/js/calendar.js", "admin/js/admin/DateTimeShortcuts.js"} <= set(scripts)
    assert "communiques/admin/dual_date.js" in scripts
    assert "communiques/admin/dual_date.css" in form.media._css["all"]


def test_the_help_text_tells_that_a_solar_date_may_be_typed():
    with translation.override("en"):
        help_text = str(DatesForm()["event_date"].help_text)

    assert help_text == (
        "The date of the event reported. "
        "A Solar Hijri date such as 1398/04/04 is converted when it is saved."
    )
