"""Forged requests against the editorial boundaries that tests/test_permissions.py and
tests/test_workflow.py leave out: rows of another communiqué named in an inline, preview links
of another communiqué, revoked or expired preview tokens in every language, deletions by a role
that has none. Each refusal is shown beside its positive control.
"""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from communiques.models import Communique, Image, PreviewLink
from tests.factories import CommuniqueFactory, ImageFactory, SourceLinkFactory
from tests.test_admin import CHANGELIST_URL, change_url, form_data
from tests.test_permissions import communique_in, errors_of
from tests.test_workflow import create_preview_link, preview_links_url

pytestmark = pytest.mark.django_db

DRAFT = Communique.Status.DRAFT
LANGUAGE_NAMES = {"fa-af": "Dari", "ps": "Pashto", "fr": "French", "en": "English"}


def in_every_language(**kwargs):
    return communique_in(
        DRAFT,
        title_ps="د غونډې سرلیک",
        body_ps="<p>متن.</p>",
        title_en="The meeting",
        body_en="<p>Text.</p>",
        **kwargs,
    )


# --- Rows of another communiqué named in an inline -------------------------------------------


def test_an_inline_row_naming_another_communiques_link_is_refused(login):
    communique = communique_in(DRAFT)
    own = SourceLinkFactory(communique=communique, label_fr="Le nôtre")
    other = SourceLinkFactory(label_fr="Celui d’un autre", url="https://example.org/other")
    client = login("editor")
    data = form_data(client.get(change_url(communique)))
    data["links-0-id"] = str(other.pk)
    data["links-0-url"] = "https://evil.example/"

    response = client.post(change_url(communique), data)

    assert response.status_code == 200
    assert any("You may not change links-0-id" in error for error in errors_of(response))
    other.refresh_from_db()
    assert other.url == "https://example.org/other"
    assert other.communique_id != communique.pk
    own.refresh_from_db()
    assert own.url == "https://www.diplomatie.gouv.fr/fr/"
    # The positive control: the same change to its own link saves.
    data = form_data(client.get(change_url(communique)))
    data["links-0-url"] = "https://example.org/ours"
    assert client.post(change_url(communique), data).status_code == 302
    own.refresh_from_db()
    assert own.url == "https://example.org/ours"


def test_deleting_another_communiques_photo_through_an_inline_is_refused(login):
    communique = communique_in(DRAFT)
    ImageFactory(communique=communique)
    other = ImageFactory()
    client = login("editor")
    data = form_data(client.get(change_url(communique)))
    data["images-0-id"] = str(other.pk)
    data["images-0-DELETE"] = "on"

    response = client.post(change_url(communique), data)

    assert response.status_code == 200
    assert any("You may not change images-0-id" in error for error in errors_of(response))
    assert Image.objects.filter(pk=other.pk).exists()
    assert Image.objects.count() == 2
    for name in other.stored_names():
        assert other.file.storage.exists(name)


def test_a_translator_naming_another_communiques_photo_is_refused(login):
    communique = communique_in(DRAFT)
    ImageFactory(communique=communique, alt_text_ps="زموږ انځور")
    other = ImageFactory(alt_text_ps="د بل انځور")
    client = login("translator-ps")
    data = form_data(client.get(change_url(communique)))
    data["images-0-id"] = str(other.pk)
    data["images-0-alt_text_ps"] = "جعلي"

    response = client.post(change_url(communique), data)

    assert response.status_code == 200
    assert any("You may not change images-0-id" in error for error in errors_of(response))
    other.refresh_from_db()
    assert other.alt_text_ps == "د بل انځور"
    # The positive control: their own photo's text, in their language, saves.
    data = form_data(client.get(change_url(communique)))
    data["images-0-alt_text_ps"] = "نوی متن"
    assert client.post(change_url(communique), data).status_code == 302
    assert Image.objects.get(communique=communique).alt_text_ps == "نوی متن"


# --- Deletions by a role without them ------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "translator-fr"])
def test_the_bulk_deletion_forged_by_a_role_without_it_deletes_nothing(login, role):
    draft = communique_in(DRAFT)
    client = login(role)

    response = client.post(
        CHANGELIST_URL,
        {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"},
    )

    assert response.status_code != 200 or "Are you sure" not in response.text
    assert Communique.objects.filter(pk=draft.pk).exists()
    # The positive control: the same request by an editor deletes it.
    editor = login("editor")
    editor.post(
        CHANGELIST_URL,
        {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"},
    )
    assert not Communique.objects.filter(pk=draft.pk).exists()


def test_a_request_without_an_account_changes_nothing(login):
    communique = communique_in(DRAFT, title_fr="Avant")
    data = form_data(login("editor").get(change_url(communique)))
    data["title_fr"] = "Forgé"

    response = Client().post(change_url(communique), data)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    communique.refresh_from_db()
    assert communique.title_fr == "Avant"


# --- Preview links ---------------------------------------------------------------------------


def test_revoking_another_communiques_preview_link_through_this_one_does_nothing(login):
    mine = CommuniqueFactory(status=DRAFT, published_at=None)
    theirs = CommuniqueFactory(status=DRAFT, published_at=None)
    editor = login("editor")
    their_links = create_preview_link(editor, theirs)
    their_link = PreviewLink.objects.get(communique=theirs)

    editor.post(preview_links_url(mine), {"revoke": str(their_link.pk)})

    their_link.refresh_from_db()
    assert their_link.revoked_at is None
    assert Client().get(their_links["French"]).status_code == 200
    # The positive control: through its own communiqué, it is revoked.
    editor.post(preview_links_url(theirs), {"revoke": str(their_link.pk)})
    assert Client().get(their_links["French"]).status_code == 404


def assert_dead_everywhere(links, communique):
    """A dead token opens no language, and its 404 names neither the communiqué nor the link."""
    for language in settings.LANGUAGES:
        address = links[LANGUAGE_NAMES[language[0]]]
        response = Client().get(address)
        assert response.status_code == 404, address
        text = response.content.decode()
        assert communique.title_fr not in text and communique.title_ps not in text
        token = address.rstrip("/").rsplit("/", 1)[1]
        assert token not in text


def test_a_revoked_preview_token_opens_nothing_in_any_language(login):
    communique = in_every_language(title_fr="Titre secret")
    editor = login("editor")
    links = create_preview_link(editor, communique)
    assert all(Client().get(address).status_code == 200 for address in links.values())

    editor.post(preview_links_url(communique), {"revoke": str(PreviewLink.objects.get().pk)})

    assert_dead_everywhere(links, communique)


def test_an_expired_preview_token_opens_nothing_in_any_language(login):
    communique = in_every_language(title_fr="Titre secret")
    created = timezone.now()
    with time_machine.travel(created, tick=False):
        links = create_preview_link(login("editor"), communique)

    with time_machine.travel(created + dt.timedelta(days=7), tick=False):
        assert_dead_everywhere(links, communique)


def test_a_new_preview_link_does_not_bring_a_revoked_token_back(login):
    communique = CommuniqueFactory(status=DRAFT, published_at=None)
    editor = login("editor")
    first = create_preview_link(editor, communique)
    editor.post(preview_links_url(communique), {"revoke": str(PreviewLink.objects.get().pk)})

    second = create_preview_link(editor, communique)

    assert Client().get(second["French"]).status_code == 200
    assert Client().get(first["French"]).status_code == 404
