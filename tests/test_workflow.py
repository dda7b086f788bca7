"""The editorial workflow through the real admin and the public pages: scheduling, withdrawal,
change notes, preview links, and the audit entries they leave."""

import datetime as dt
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from pytest_django.asserts import assertContains, assertNotContains

from communiques.models import AuditEntry, ChangeNote, Communique, PreviewLink
from tests.factories import CommuniqueFactory
from tests.test_admin import ADD_URL, CHANGELIST_URL, change_url, form_data, new_communique_data
from tests.test_permissions import errors_of
from tests.test_views import detail_url, url

pytestmark = pytest.mark.django_db

KABUL = ZoneInfo("Asia/Kabul")
DRAFT = Communique.Status.DRAFT
IN_REVIEW = Communique.Status.IN_REVIEW
PUBLISHED = Communique.Status.PUBLISHED
WITHDRAWN = Communique.Status.WITHDRAWN
# 8 July 2019, 09:00 in Kabul: 17 Saratan 1398.
MOMENT = dt.datetime(2019, 7, 8, 9, 0, tzinfo=KABUL)


@pytest.fixture
def public():
    """A reader without an account, beside the logged-in staff client."""
    return Client()


def listed_slugs(client, language="fa-af"):
    return [
        communique.slug for communique in client.get(url("index", language)).context["communiques"]
    ]


def in_french(text):
    with translation.override("fr"):
        return gettext(text)


# --- Scheduling ------------------------------------------------------------------------------


def test_a_scheduled_communique_appears_exactly_at_its_time_and_not_before(login, public):
    with time_machine.travel(MOMENT - dt.timedelta(days=2), tick=False):
        editor = login("editor")
        page = editor.get(ADD_URL)
        response = editor.post(
            ADD_URL,
            new_communique_data(
                page, slug="scheduled", published_at_0="2019-07-08", published_at_1="09:00:00"
            ),
        )
        assert response.status_code == 302, errors_of(response)
        communique = Communique.objects.get()
        changelist = editor.get(CHANGELIST_URL, {"state": "scheduled"})

    assert [c.slug for c in changelist.context["cl"].result_list] == ["scheduled"]
    assertContains(changelist, '<td class="field-workflow_state">Scheduled</td>', html=True)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SCHEDULED)
    assert (entry.communique, entry.user.username) == (communique, "editor")
    with time_machine.travel(MOMENT - dt.timedelta(seconds=1), tick=False):
        assert listed_slugs(public) == []
        assert public.get(detail_url(communique)).status_code == 404
    with time_machine.travel(MOMENT, tick=False):
        assert listed_slugs(public) == ["scheduled"]
        assert public.get(detail_url(communique)).status_code == 200
    communique.refresh_from_db()
    assert communique.first_published_at == MOMENT


def test_publishing_now_is_audited_as_a_publication(login):
    editor = login("editor")
    page = editor.get(ADD_URL)

    editor.post(ADD_URL, new_communique_data(page))

    entry = AuditEntry.objects.get(action=AuditEntry.Action.PUBLISHED)
    assert entry.details["previous_status"] == DRAFT
    assert entry.communique == Communique.objects.get()


def test_submitting_for_review_is_audited_as_a_status_change(login):
    communique = CommuniqueFactory(status=DRAFT, published_at=None)
    officer = login("officer")
    data = form_data(officer.get(change_url(communique)))
    data["status"] = IN_REVIEW

    assert officer.post(change_url(communique), data).status_code == 302

    entry = AuditEntry.objects.get(action=AuditEntry.Action.STATUS_CHANGED)
    assert (entry.details["previous_status"], entry.details["status"]) == (DRAFT, IN_REVIEW)


def test_the_changelist_filters_every_state(login):
    now = timezone.now()
    CommuniqueFactory(slug="draft", status=DRAFT, published_at=None)
    CommuniqueFactory(slug="review", status=IN_REVIEW, published_at=None)
    CommuniqueFactory(slug="scheduled", published_at=now + dt.timedelta(days=1))
    CommuniqueFactory(slug="published", published_at=now - dt.timedelta(days=1))
    CommuniqueFactory(slug="withdrawn", status=WITHDRAWN)
    editor = login("editor")

    states = {
        state: [
            c.slug for c in editor.get(CHANGELIST_URL, {"state": state}).context["cl"].result_list
        ]
        for state in ("draft", "in_review", "scheduled", "published", "withdrawn")
    }

    assert states == {
        "draft": ["draft"],
        "in_review": ["review"],
        "scheduled": ["scheduled"],
        "published": ["published"],
        "withdrawn": ["withdrawn"],
    }


def test_a_public_communique_cannot_be_scheduled_again_into_the_future(login, public):
    communique = CommuniqueFactory()
    editor = login("editor")
    data = form_data(editor.get(change_url(communique)))
    data.update({"published_at_0": "2100-01-01", "published_at_1": "10:00", "minor_change": "on"})

    response = editor.post(change_url(communique), data)

    assert response.status_code == 200
    assert "published_at" in response.context["adminform"].form.errors
    assert public.get(detail_url(communique)).status_code == 200


def test_the_first_publication_date_never_changes_once_public(login):
    with time_machine.travel(MOMENT, tick=False):
        communique = CommuniqueFactory(published_at=MOMENT - dt.timedelta(hours=1))
        editor = login("editor")
        data = form_data(editor.get(change_url(communique)))
        data.update(
            {"published_at_0": "2019-07-01", "published_at_1": "08:00", "minor_change": "on"}
        )
        assert editor.post(change_url(communique), data).status_code == 302

    communique.refresh_from_db()
    assert communique.published_at == dt.datetime(2019, 7, 1, 8, 0, tzinfo=KABUL)
    assert communique.first_published_at == MOMENT - dt.timedelta(hours=1)


# --- Withdrawal ------------------------------------------------------------------------------


def withdraw(editor, communique, **values):
    data = form_data(editor.get(change_url(communique)))
    data.update({"status": WITHDRAWN, **values})
    return editor.post(change_url(communique), data)


REASONS = {
    "withdrawal_reason_fa_af": "این اعلامیه دیگر معتبر نیست.",
    "withdrawal_reason_fr": "Ce communiqué n’est plus d’actualité.",
}


def test_a_communique_withdrawn_with_a_notice_keeps_its_page_with_the_reason(login, public):
    communique = CommuniqueFactory(slug="withdrawn", published_at=MOMENT - dt.timedelta(days=7))
    CommuniqueFactory(slug="other", published_at=MOMENT - dt.timedelta(days=8))
    with time_machine.travel(MOMENT, tick=False):
        response = withdraw(login("editor"), communique, withdrawal_kind="notice", **REASONS)
        assert response.status_code == 302, errors_of(response)
        page = public.get(detail_url(communique, "fr"))
        listed = listed_slugs(public, "fr")

    assert page.status_code == 200
    assertContains(page, 'class="withdrawal-notice" role="note"')
    assertContains(page, '<aside class="withdrawal-notice"')
    assertContains(page, "Ce communiqué n’est plus d’actualité.")
    assertNotContains(page, "این اعلامیه")
    assertContains(
        page, '<time datetime="2019-07-08T09:00:00+04:30">8 juillet 2019 (17 Saratan 1398)</time>'
    )
    assertContains(page, 'lang="fr" dir="ltr"')
    assertNotContains(page, "noindex")
    assert listed == ["other"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.WITHDRAWN)
    assert (entry.communique, entry.details["kind"]) == (communique, "notice")


def test_the_dari_notice_is_right_to_left_with_the_dari_reason(login, public):
    communique = CommuniqueFactory()
    withdraw(login("editor"), communique, withdrawal_kind="notice", **REASONS)

    page = public.get(detail_url(communique, "fa-af"))

    assertContains(page, 'lang="fa-AF" dir="rtl"')
    assertContains(page, "این اعلامیه دیگر معتبر نیست.")
    assertNotContains(page, "Ce communiqué n’est plus d’actualité.")


def test_a_notice_needs_the_reason_in_every_language_the_communique_is_public_in(login, public):
    communique = CommuniqueFactory()
    editor = login("editor")

    refused = withdraw(editor, communique, withdrawal_kind="notice", withdrawal_reason_fa_af="دلیل")

    assert refused.status_code == 200
    assert "withdrawal_reason_fr" in refused.context["adminform"].form.errors
    communique.refresh_from_db()
    assert communique.status == PUBLISHED
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.WITHDRAWN).exists()


def test_a_withdrawal_must_say_which_kind_it_is(login):
    communique = CommuniqueFactory()

    response = withdraw(login("editor"), communique, **REASONS)

    assert "withdrawal_kind" in response.context["adminform"].form.errors
    communique.refresh_from_db()
    assert communique.status == PUBLISHED


def test_a_communique_published_in_error_is_removed_from_the_public(login, public):
    communique = CommuniqueFactory(slug="in-error")
    editor = login("editor")

    response = withdraw(editor, communique, withdrawal_kind="in_error")

    assert response.status_code == 302, errors_of(response)
    assert public.get(detail_url(communique)).status_code == 404
    assert public.get(detail_url(communique, "fr")).status_code == 404
    assert listed_slugs(public) == []
    # Staff still see it, as a preview that is never cached.
    preview = editor.get(detail_url(communique))
    assert preview.status_code == 200
    assert "no-store" in preview["Cache-Control"]


def test_a_withdrawn_communique_is_reinstated_by_publishing_it_again(login, public):
    communique = CommuniqueFactory()
    editor = login("editor")
    withdraw(editor, communique, withdrawal_kind="in_error")
    data = form_data(editor.get(change_url(communique)))
    data["status"] = PUBLISHED

    assert editor.post(change_url(communique), data).status_code == 302

    communique.refresh_from_db()
    assert (communique.status, communique.withdrawn_at) == (PUBLISHED, None)
    assert public.get(detail_url(communique)).status_code == 200


# --- Change notes ------------------------------------------------------------------------------


def edit_published(editor, communique, **values):
    data = form_data(editor.get(change_url(communique)))
    data["title_fr"] = "Nouveau titre"
    data.update(values)
    return editor.post(change_url(communique), data)


def test_a_change_to_a_public_communique_without_a_note_is_refused(login):
    communique = CommuniqueFactory(title_fr="Ancien titre")

    response = edit_published(login("editor"), communique)

    assert response.status_code == 200
    assert any("write a change note" in error for error in errors_of(response))
    communique.refresh_from_db()
    assert communique.title_fr == "Ancien titre"
    assert not ChangeNote.objects.exists()


def test_a_change_note_is_shown_with_both_dates_in_the_page_language(login, public):
    with time_machine.travel(MOMENT - dt.timedelta(days=10), tick=False):
        communique = CommuniqueFactory()
    with time_machine.travel(MOMENT, tick=False):
        response = edit_published(
            login("editor"),
            communique,
            change_note_fr="Le titre a été corrigé.",
            change_note_fa_af="عنوان اصلاح شد.",
        )
    assert response.status_code == 302, errors_of(response)

    french = public.get(detail_url(communique, "fr"))
    dari = public.get(detail_url(communique, "fa-af"))

    assertContains(
        french,
        f'<p class="last-updated"><span class="label">{in_french("Last updated")}</span> '
        '<time datetime="2019-07-08T09:00:00+04:30">8 juillet 2019 (17 Saratan 1398)</time>'
        f'{in_french(":")} <span class="change-note-text">Le titre a été corrigé.</span></p>',
        html=True,
    )
    assertContains(
        french,
        # The factory publishes a day before its creation.
        '<time datetime="2019-06-27T09:00:00+04:30">27 juin 2019 (6 Saratan 1398)</time>',
        count=2,  # "First published" and the first line of the history.
    )
    assertContains(dari, "عنوان اصلاح شد.")
    assertContains(dari, "۱۷ سرطان ۱۳۹۸")
    assertNotContains(dari, "Le titre a été corrigé.")
    note = ChangeNote.objects.get()
    assert (note.note_fr, note.note_en, note.created_by.username) == (
        "Le titre a été corrigé.",
        None,
        "editor",
    )
    assert communique.last_updated_at == MOMENT


def test_a_note_missing_in_a_language_leaves_its_date_alone(login, public):
    communique = CommuniqueFactory()
    edit_published(login("editor"), communique, change_note_fr="Le titre a été corrigé.")

    dari = public.get(detail_url(communique, "fa-af"))

    assertContains(dari, 'class="last-updated"')
    assertNotContains(dari, 'change-note-text">Le titre')


def test_a_minor_correction_adds_no_note(login, public):
    communique = CommuniqueFactory()

    response = edit_published(login("editor"), communique, minor_change="on")

    assert response.status_code == 302
    assert not ChangeNote.objects.exists()
    page = public.get(detail_url(communique, "fr"))
    assertNotContains(page, 'class="last-updated"')
    assertContains(page, 'class="publication-date"')


def test_a_minor_correction_with_a_note_is_refused_as_ambiguous(login):
    communique = CommuniqueFactory(title_fr="Ancien titre")

    response = edit_published(
        login("editor"), communique, minor_change="on", change_note_fr="Corrigé."
    )

    assert "minor_change" in response.context["adminform"].form.errors
    communique.refresh_from_db()
    assert communique.title_fr == "Ancien titre"


def test_a_translator_adding_a_new_language_to_a_public_communique_writes_no_note(login):
    communique = CommuniqueFactory(title_ps="", body_ps="")
    translator = login("translator-ps")
    data = form_data(translator.get(change_url(communique)))
    data.update({"title_ps": "سرلیک", "body_ps": "<p>متن.</p>"})

    response = translator.post(change_url(communique), data)

    assert response.status_code == 302, errors_of(response)
    assert not ChangeNote.objects.exists()


def test_a_translator_changing_a_public_version_writes_a_note_in_their_language(login):
    communique = CommuniqueFactory(title_ps="سرلیک", body_ps="<p>متن.</p>")
    translator = login("translator-ps")
    page = translator.get(change_url(communique))
    data = form_data(page)
    data["title_ps"] = "نوی سرلیک"

    refused = translator.post(change_url(communique), data)
    data["change_note_ps"] = "سرلیک سم شو."
    accepted = translator.post(change_url(communique), data)

    assert "change_note_fr" not in page.context["adminform"].form.fields
    assert refused.status_code == 200
    assert accepted.status_code == 302
    assert ChangeNote.objects.get().note_ps == "سرلیک سم شو."


# --- Preview links ----------------------------------------------------------------------------


def preview_links_url(communique):
    return reverse("admin:communiques_communique_preview_links", args=[communique.pk])


def create_preview_link(editor, communique):
    """Create a link through the admin; return its address in each language, by language name."""
    response = editor.post(preview_links_url(communique), {"create": "1"})
    assert response.status_code == 200
    return {language: urlsplit(address).path for language, address in response.context["created"]}


@pytest.mark.parametrize(
    "state",
    [
        {"status": DRAFT, "published_at": None},
        {"status": IN_REVIEW, "published_at": None},
        {"status": PUBLISHED, "published_at": dt.datetime(2100, 1, 1, tzinfo=KABUL)},
        {"status": WITHDRAWN, "withdrawal_kind": "in_error"},
        {"status": PUBLISHED},
    ],
    ids=["draft", "in review", "scheduled", "withdrawn in error", "published"],
)
def test_a_preview_link_shows_the_communique_in_any_state_never_cached_nor_indexed(
    login, public, state
):
    communique = CommuniqueFactory(title_fr="Titre à relire", **state)
    links = create_preview_link(login("editor"), communique)

    response = public.get(links["French"])

    assert response.status_code == 200
    assertContains(response, "Titre à relire")
    assertContains(response, 'class="preview-banner"')
    assertContains(response, '<meta name="robots" content="noindex">', html=True)
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_a_preview_link_answers_in_the_language_of_its_address(login, public):
    communique = CommuniqueFactory(status=DRAFT, published_at=None)
    links = create_preview_link(login("editor"), communique)
    path = links["Dari"]

    dari = public.get(path)
    with translation.override("en"):
        english = public.get(
            reverse("communiques:preview", kwargs={"token": path.rstrip("/").rsplit("/", 1)[1]})
        )

    assertContains(dari, '<html lang="fa-AF" dir="rtl">')
    assertContains(dari, communique.title_fa_af)
    # No English version: the page offers the others, through the same secret link.
    assert english.status_code == 404
    assertContains(english, f'href="{links["French"]}"', status_code=404)


def test_a_preview_link_expires_after_seven_days(login, public):
    communique = CommuniqueFactory(status=DRAFT, published_at=None)
    with time_machine.travel(MOMENT, tick=False):
        links = create_preview_link(login("editor"), communique)

    with time_machine.travel(MOMENT + dt.timedelta(days=7) - dt.timedelta(seconds=1), tick=False):
        assert public.get(links["French"]).status_code == 200
    with time_machine.travel(MOMENT + dt.timedelta(days=7), tick=False):
        assert public.get(links["French"]).status_code == 404


def test_a_revoked_preview_link_answers_not_found(login, public):
    communique = CommuniqueFactory(status=DRAFT, published_at=None)
    editor = login("editor")
    links = create_preview_link(editor, communique)
    link = PreviewLink.objects.get()
    assert public.get(links["French"]).status_code == 200

    response = editor.post(preview_links_url(communique), {"revoke": str(link.pk)})

    assert response.status_code == 302
    assert public.get(links["French"]).status_code == 404
    actions = list(
        AuditEntry.objects.filter(communique=communique)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["preview_link_created", "preview_link_revoked"]
    listing = editor.get(preview_links_url(communique))
    assertContains(listing, "Revoked")


@pytest.mark.parametrize("token", ["unknown", "a" * 43, "-_-"])
def test_an_unknown_preview_token_answers_not_found(public, token):
    CommuniqueFactory(status=DRAFT, published_at=None)

    assert public.get(url("preview", token=token)).status_code == 404


def test_only_the_fingerprint_of_a_preview_token_is_stored(login):
    communique = CommuniqueFactory(status=DRAFT, published_at=None)
    links = create_preview_link(login("editor"), communique)
    token = links["French"].rstrip("/").rsplit("/", 1)[1]

    link = PreviewLink.objects.get()

    assert len(token) >= 43
    assert token not in link.token_hash
    assert list(PreviewLink.objects.for_token(token)) == [link]
    assert link.expires_at - link.created_at == dt.timedelta(days=7)


@pytest.mark.parametrize(
    ("role", "answer"), [("officer", 403), ("translator-fr", 403), ("nobody", 403)]
)
def test_only_editors_create_preview_links(login, role, answer):
    communique = CommuniqueFactory(status=DRAFT, published_at=None)
    client = login(role)

    assert client.get(preview_links_url(communique)).status_code == answer
    assert client.post(preview_links_url(communique), {"create": "1"}).status_code == answer
    assert not PreviewLink.objects.exists()


def test_the_change_form_shows_the_active_preview_links_to_editors(login):
    communique = CommuniqueFactory(status=DRAFT, published_at=None)
    editor = login("editor")
    create_preview_link(editor, communique)

    response = editor.get(change_url(communique))

    assertContains(response, "1 active link, expiring on")
    assertContains(response, f'href="{preview_links_url(communique)}"')
