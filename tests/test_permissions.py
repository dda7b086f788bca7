"""Roles and their boundaries, through the real admin: what each role may do, and forged requests.

Every forged request is shown beside its positive control: the same form, without the forged
field, saves.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from communiques.demo import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME, demo_roles
from communiques.models import AuditEntry, Communique, Image, SourceLink, TranslationVersion
from communiques.permissions import (
    EDITOR,
    PRESS_OFFICER,
    role_permissions,
    setup_roles,
    translator_group_name,
)
from tests.factories import CommuniqueFactory, ImageFactory, SourceLinkFactory
from tests.test_admin import (
    ADD_URL,
    CHANGELIST_URL,
    change_url,
    form_data,
    markup,
    new_communique_data,
)

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
DRAFT = Communique.Status.DRAFT
IN_REVIEW = Communique.Status.IN_REVIEW
PUBLISHED = Communique.Status.PUBLISHED
WITHDRAWN = Communique.Status.WITHDRAWN
AUDIT_URL = reverse("admin:communiques_auditentry_changelist")


def communique_in(status, **kwargs):
    """A communiqué in a status, public for a day if published or withdrawn."""
    published_at = timezone.now() - dt.timedelta(days=1)
    if status == WITHDRAWN:
        communique = CommuniqueFactory(published_at=published_at, **kwargs)
        communique.status = WITHDRAWN
        communique.withdrawal_kind = Communique.WithdrawalKind.NOTICE
        for code in communique.available_languages:
            setattr(communique, f"withdrawal_reason_{code.replace('-', '_')}", "Erreur.")
        communique.save()
        return communique
    if status in (DRAFT, IN_REVIEW):
        kwargs.setdefault("published_at", None)
    else:
        kwargs.setdefault("published_at", published_at)
    return CommuniqueFactory(status=status, **kwargs)


def errors_of(response):
    form = response.context["adminform"].form
    return [str(error) for errors in form.errors.values() for error in errors]


# --- Setting the roles up ------------------------------------------------------------------


def test_setup_roles_creates_one_group_per_role_and_language_and_is_idempotent():
    call_command("setup_roles")
    first = {group.name: set(group.permissions.all()) for group in Group.objects.all()}
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.ROLES_SET_UP).count()

    changes = setup_roles()
    call_command("setup_roles")

    assert changes == {}
    assert {group.name: set(group.permissions.all()) for group in Group.objects.all()} == first
    assert sorted(first) == sorted(
        [PRESS_OFFICER, EDITOR, *(translator_group_name(code) for code in LANGUAGES)]
    )
    assert entries == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ROLES_SET_UP).count() == 1


def test_setup_roles_puts_back_a_permission_given_or_taken_by_hand():
    setup_roles()
    officers = Group.objects.get(name=PRESS_OFFICER)
    publish = officers.permissions.model.objects.get(codename="publish_communique")
    officers.permissions.add(publish)

    changes = setup_roles()

    assert changes[PRESS_OFFICER].added == [] and changes[PRESS_OFFICER].removed == [
        "publish_communique"
    ]
    assert not officers.permissions.filter(codename="publish_communique").exists()


def test_there_is_one_translate_permission_per_configured_language():
    codenames = {codename for role in role_permissions().values() for codename in role}

    assert {f"translate_{code.replace('-', '_')}" for code in LANGUAGES} <= codenames


def test_load_demo_creates_one_demo_user_per_role_and_prints_every_credential(
    settings, capsys, django_user_model
):
    settings.DEBUG = True

    call_command("load_demo")
    call_command("load_demo")

    output = capsys.readouterr().out
    assert django_user_model.objects.get(username=DEMO_ADMIN_USERNAME).is_superuser
    expected = {
        "editor": EDITOR,
        "officer": PRESS_OFFICER,
        **{f"translator-{code}": translator_group_name(code) for code in LANGUAGES},
    }
    assert dict(demo_roles()) == expected
    for username, group in expected.items():
        user = django_user_model.objects.get(username=username)
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert user.check_password(DEMO_ADMIN_PASSWORD)
        assert f"«{username}»" in output
    assert output.count(f"«{DEMO_ADMIN_PASSWORD}»") >= len(expected) + 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ROLE_ASSIGNED).count() == len(
        expected
    )


# --- The truth table -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "answer"),
    [("officer", 200), ("editor", 200), ("translator-ps", 403), ("nobody", 403)],
)
def test_who_may_open_the_add_form(login, role, answer):
    assert login(role).get(ADD_URL).status_code == answer


@pytest.mark.parametrize(
    ("role", "status", "saved"),
    [
        ("officer", DRAFT, True),
        ("officer", IN_REVIEW, True),
        ("officer", PUBLISHED, False),
        ("officer", WITHDRAWN, False),
        ("editor", DRAFT, True),
        ("editor", IN_REVIEW, True),
        ("editor", PUBLISHED, True),
        ("editor", WITHDRAWN, True),
        ("translator-ps", DRAFT, True),
        ("translator-ps", PUBLISHED, True),
        ("translator-fr", IN_REVIEW, True),
        ("translator-fr", WITHDRAWN, True),
        ("nobody", DRAFT, False),
    ],
)
def test_who_may_change_a_communique_in_each_status(login, role, status, saved):
    client = login(role)
    communique = communique_in(status, title_fr="Avant", title_ps="مخکې", body_ps="<p>متن.</p>")
    field = "title_ps" if role == "translator-ps" else "title_fr"
    page = client.get(change_url(communique))
    if role == "nobody":
        assert page.status_code == 403
        return
    data = form_data(page)
    data[field] = "Après"
    data["minor_change"] = "on"

    response = client.post(change_url(communique), data)

    communique.refresh_from_db()
    if saved:
        assert response.status_code == 302, errors_of(response)
        assert getattr(communique, field) == "Après"
    else:
        assert response.status_code == 403
        assert (communique.title_fr, communique.title_ps) == ("Avant", "مخکې")


@pytest.mark.parametrize(
    ("role", "published"),
    [("officer", False), ("editor", True)],
)
def test_only_editors_may_publish_a_new_communique(login, role, published):
    client = login(role)
    page = client.get(ADD_URL)
    data = new_communique_data(page)
    for name in ("published_at_0", "published_at_1"):
        if f"{name}" not in markup(page).controls:
            data.pop(name)

    response = client.post(ADD_URL, data)

    assert Communique.objects.filter(status=PUBLISHED).exists() == published
    if not published:
        assert response.status_code == 200
        assert "status" in response.context["adminform"].form.errors
        assert not Communique.objects.exists()


@pytest.mark.parametrize(
    ("role", "choices"),
    [
        ("officer", [DRAFT, IN_REVIEW]),
        ("editor", [DRAFT, IN_REVIEW, PUBLISHED]),
    ],
)
def test_the_status_offers_each_role_its_own_choices_for_a_new_communique(login, role, choices):
    response = login(role).get(ADD_URL)

    field = response.context["adminform"].form.fields["status"]
    assert [value for value, _label in field.choices] == choices


@pytest.mark.parametrize(
    ("status", "choices"),
    [
        (DRAFT, [DRAFT, IN_REVIEW, PUBLISHED]),
        (PUBLISHED, [PUBLISHED, WITHDRAWN]),
        (WITHDRAWN, [PUBLISHED, WITHDRAWN]),
    ],
)
def test_a_communique_once_public_never_goes_back_to_draft(login, status, choices):
    communique = communique_in(status)

    response = login("editor").get(change_url(communique))

    field = response.context["adminform"].form.fields["status"]
    assert [value for value, _label in field.choices] == choices


def test_a_press_officer_sees_a_published_communique_read_only(login):
    communique = communique_in(PUBLISHED)

    response = login("officer").get(change_url(communique))

    assert response.status_code == 200
    controls = markup(response).controls
    assert "title_fr" not in controls
    assert "status" not in controls
    assert "_save" not in controls


@pytest.mark.parametrize(
    ("role", "status", "answer"),
    [
        ("editor", DRAFT, 200),
        ("editor", IN_REVIEW, 200),
        ("editor", PUBLISHED, 403),
        ("editor", WITHDRAWN, 403),
        ("officer", DRAFT, 403),
        ("translator-fr", DRAFT, 403),
    ],
)
def test_who_may_delete_which_communique(login, role, status, answer):
    communique = communique_in(status)
    url = reverse("admin:communiques_communique_delete", args=[communique.pk])
    client = login(role)

    assert client.get(url).status_code == answer
    response = client.post(url, {"post": "yes"})

    assert Communique.objects.filter(pk=communique.pk).exists() == (answer != 200)
    if answer == 200:
        assert response.status_code == 302
        entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETED)
        assert entry.details["reference"] == communique.reference


def test_superusers_cannot_delete_a_published_communique_either(admin_client):
    communique = communique_in(PUBLISHED)
    url = reverse("admin:communiques_communique_delete", args=[communique.pk])

    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Communique.objects.filter(pk=communique.pk).exists()


def test_bulk_deletion_is_refused_whole_when_a_public_communique_is_selected(login):
    client = login("editor")
    draft = communique_in(DRAFT)
    published = communique_in(PUBLISHED)
    selection = {"action": "delete_selected", "_selected_action": [draft.pk, published.pk]}

    refused = client.post(CHANGELIST_URL, {**selection, "post": "yes"}, follow=True)

    assert Communique.objects.count() == 2
    assert "cannot be deleted, only withdrawn" in refused.content.decode()
    # The positive control: drafts alone are deleted.
    selection["_selected_action"] = [draft.pk]
    client.post(CHANGELIST_URL, {**selection, "post": "yes"})
    assert list(Communique.objects.all()) == [published]


# --- Translators: one language each, enforced on the server -------------------------------------


def translator_controls(client, communique):
    return markup(client.get(change_url(communique))).controls


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_translator_form_holds_only_the_texts_of_their_language(login, language):
    client = login(f"translator-{language}")
    communique = communique_in(DRAFT)
    ImageFactory(communique=communique)
    SourceLinkFactory(communique=communique)
    suffix = language.replace("-", "_")
    others = [code.replace("-", "_") for code in LANGUAGES if code != language]

    controls = translator_controls(client, communique)

    for field in ("title", "subtitle", "lead", "body", "place", "is_demo_translation"):
        assert f"{field}_{suffix}" in controls
        assert not any(f"{field}_{other}" in controls for other in others)
    assert f"images-0-alt_text_{suffix}" in controls
    assert f"images-0-caption_{suffix}" in controls
    assert f"links-0-label_{suffix}" in controls
    for shared in (
        "status",
        "slug",
        "category",
        "event_date",
        "published_at_0",
        "original_language",
        "images-0-credit",
        "images-0-file",
        "images-0-placement",
        "images-0-DELETE",
        "links-0-url",
        *(f"images-0-alt_text_{other}" for other in others),
        *(f"links-0-label_{other}" for other in others),
    ):
        assert shared not in controls


def test_a_translator_saves_their_language_and_the_other_texts_stay(login):
    communique = communique_in(DRAFT, title_fr="Avant", title_ps="")
    image = ImageFactory(communique=communique, credit="MEAE")
    client = login("translator-ps")
    data = form_data(client.get(change_url(communique)))
    data.update(
        {
            "title_ps": "د ایتلاف غونډه",
            "body_ps": "<p>متن.</p>",
            "images-0-alt_text_ps": "د غونډې انځور",
        }
    )

    response = client.post(change_url(communique), data)

    assert response.status_code == 302, errors_of(response)
    communique.refresh_from_db()
    image.refresh_from_db()
    assert (communique.title_ps, communique.title_fr) == ("د ایتلاف غونډه", "Avant")
    assert (image.alt_text_ps, image.credit) == ("د غونډې انځور", "MEAE")


FORGERIES = {
    "another language's title": {"title_fr": "Titre forgé"},
    "the status": {"status": PUBLISHED},
    "the slug": {"slug": "forged"},
    "the publication date": {"published_at_0": "2030-01-01", "published_at_1": "10:00"},
    "a photo's credit": {"images-0-credit": "Forged"},
    "another language's alternative text": {"images-0-alt_text_fr": "Forgé"},
    "a link's address": {"links-0-url": "https://evil.example/"},
    "a photo's deletion": {"images-0-DELETE": "on"},
    "a field never in any form": {"reference_number": "999"},
}


@pytest.mark.parametrize("forgery", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_translator_posting_any_other_field_is_refused_and_nothing_is_saved(login, forgery):
    communique = communique_in(DRAFT, title_fr="Avant", title_ps="مخکې", slug="original")
    image = ImageFactory(communique=communique, credit="MEAE", alt_text_fr="Photo")
    link = SourceLinkFactory(communique=communique)
    client = login("translator-ps")
    data = form_data(client.get(change_url(communique)))
    data["title_ps"] = "وروسته"

    response = client.post(change_url(communique), {**data, **forgery})

    assert response.status_code == 200
    assert any("You may not change" in error for error in errors_of(response))
    communique.refresh_from_db()
    image.refresh_from_db()
    link.refresh_from_db()
    assert (communique.title_ps, communique.title_fr) == ("مخکې", "Avant")
    assert (communique.status, communique.slug, communique.published_at) == (
        DRAFT,
        "original",
        None,
    )
    assert (image.credit, image.alt_text_fr) == ("MEAE", "Photo")
    assert link.url == "https://www.diplomatie.gouv.fr/fr/"
    assert Image.objects.count() == 1
    # The positive control: the same form without the forged field saves.
    assert client.post(change_url(communique), data).status_code == 302
    communique.refresh_from_db()
    assert communique.title_ps == "وروسته"


def test_a_translator_cannot_add_a_photo_or_a_link_by_forging_a_new_inline_row(login):
    communique = communique_in(DRAFT, title_ps="مخکې")
    client = login("translator-ps")
    page = client.get(change_url(communique))
    data = form_data(page)
    data["links-TOTAL_FORMS"] = "1"
    data["links-0-url"] = "https://evil.example/"
    data["links-0-label_ps"] = "لینک"

    response = client.post(change_url(communique), data)

    assert response.status_code == 200
    assert any("You may not change" in error for error in errors_of(response))
    assert not SourceLink.objects.exists()


def test_a_translator_cannot_open_the_add_form_nor_save_as_new(login):
    communique = communique_in(DRAFT)
    client = login("translator-ps")
    data = form_data(client.get(change_url(communique)))

    response = client.post(change_url(communique), {**data, "_saveasnew": "Save as new"})

    assert response.status_code == 403
    assert Communique.objects.count() == 1


def test_a_translator_marks_their_version_ready_once_it_has_a_title_and_a_body(login):
    communique = communique_in(DRAFT, title_ps="", body_ps="")
    client = login("translator-ps")
    data = form_data(client.get(change_url(communique)))
    data["ready_ps"] = "on"

    refused = client.post(change_url(communique), data)
    data.update({"title_ps": "سرلیک", "body_ps": "<p>متن.</p>"})
    accepted = client.post(change_url(communique), data)

    assert refused.status_code == 200
    assert "A version needs a title and a body before it is ready." in errors_of(refused)
    assert accepted.status_code == 302
    version = TranslationVersion.objects.get(communique=communique)
    assert (version.language, version.ready_by.username) == ("ps", "translator-ps")
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.TRANSLATION_READY, details__language="ps"
    ).exists()


def test_a_translator_may_not_mark_another_language_ready(login):
    communique = communique_in(DRAFT)
    client = login("translator-ps")
    page = client.get(change_url(communique))
    data = form_data(page)

    response = client.post(change_url(communique), {**data, "ready_fr": "on"})

    assert "ready_fr" not in markup(page).controls
    assert response.status_code == 302
    assert not TranslationVersion.objects.exists()


# --- Press officers: no publication, by any request ---------------------------------------------


@pytest.mark.parametrize(
    ("forgery", "error"),
    [
        ({"status": PUBLISHED}, "status"),
        ({"status": WITHDRAWN}, "status"),
        ({"published_at_0": "2019-06-25", "published_at_1": "10:00"}, None),
    ],
    ids=["publish", "withdraw", "publication time"],
)
def test_a_press_officer_cannot_publish_or_set_a_time_by_forging_the_request(login, forgery, error):
    communique = communique_in(IN_REVIEW, title_fr="Avant")
    client = login("officer")
    data = form_data(client.get(change_url(communique)))
    data["title_fr"] = "Après"

    response = client.post(change_url(communique), {**data, **forgery})

    assert response.status_code == 200
    form = response.context["adminform"].form
    if error:
        assert error in form.errors
    else:
        assert any("You may not change" in message for message in errors_of(response))
    communique.refresh_from_db()
    assert (communique.status, communique.published_at, communique.title_fr) == (
        IN_REVIEW,
        None,
        "Avant",
    )
    # The positive control: submitting for review's neighbour, back to draft, is theirs.
    data["status"] = DRAFT
    assert client.post(change_url(communique), data).status_code == 302
    communique.refresh_from_db()
    assert (communique.status, communique.title_fr) == (DRAFT, "Après")


def test_a_press_officer_posting_to_a_published_communique_is_refused(login):
    communique = communique_in(PUBLISHED, title_fr="Avant")
    editor_data = form_data(login("editor").get(change_url(communique)))
    client = login("officer")

    response = client.post(change_url(communique), {**editor_data, "title_fr": "Forgé"})

    assert response.status_code == 403
    communique.refresh_from_db()
    assert communique.title_fr == "Avant"


# --- The audit log ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "answer"),
    [("editor", 200), ("officer", 403), ("translator-ps", 403), ("nobody", 403)],
)
def test_only_editors_read_the_audit_log(login, role, answer):
    AuditEntry.record(AuditEntry.Action.ROLES_SET_UP)

    assert login(role).get(AUDIT_URL).status_code == answer


def test_no_one_adds_changes_or_deletes_an_audit_entry(admin_client):
    entry = AuditEntry.record(AuditEntry.Action.PUBLISHED, details_note="kept")

    add = admin_client.get(reverse("admin:communiques_auditentry_add"))
    change = admin_client.post(
        reverse("admin:communiques_auditentry_change", args=[entry.pk]), {"action": "deleted"}
    )
    delete = admin_client.post(
        reverse("admin:communiques_auditentry_delete", args=[entry.pk]), {"post": "yes"}
    )

    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    entry.refresh_from_db()
    assert entry.action == AuditEntry.Action.PUBLISHED


def test_the_audit_log_filters_by_action(login):
    AuditEntry.record(AuditEntry.Action.ROLES_SET_UP)
    client = login("editor")

    response = client.get(AUDIT_URL, {"action__exact": AuditEntry.Action.ROLE_ASSIGNED})

    assert response.status_code == 200
    assert {entry.action for entry in response.context["cl"].result_list} == {"role_assigned"}


def test_giving_a_user_a_role_through_the_admin_is_audited(admin_client, django_user_model, roles):
    member = django_user_model.objects.create_user("amina", password="x", is_staff=True)
    url = reverse("admin:auth_user_change", args=[member.pk])
    data = form_data(admin_client.get(url))
    data["groups"] = [Group.objects.get(name=translator_group_name("ps")).pk]
    data["user_permissions"] = []

    response = admin_client.post(url, data)

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ROLE_ASSIGNED)
    assert entry.details == {"member": "amina", "group": translator_group_name("ps")}
    assert entry.user.username == "admin"


def test_an_inline_row_naming_another_communiques_photo_is_refused(login):
    communique = communique_in(DRAFT)
    own = ImageFactory(communique=communique, caption_fr="La nôtre")
    other = ImageFactory(caption_fr="Celle d’un autre")
    client = login("editor")
    data = form_data(client.get(change_url(communique)))
    data["images-0-id"] = str(other.pk)
    data["images-0-caption_fr"] = "Volée"

    response = client.post(change_url(communique), data)

    assert response.status_code == 200
    assert any("You may not change images-0-id" in error for error in errors_of(response))
    other.refresh_from_db()
    own.refresh_from_db()
    assert other.communique_id != communique.pk
    assert other.caption_fr == "Celle d’un autre"
    assert own.caption_fr == "La nôtre"
