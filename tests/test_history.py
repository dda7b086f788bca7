"""Versions, restores, concurrent edits and presence, through the real admin."""

from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from communiques.history import field_diff, version_snapshot
from communiques.importers import communique_import
from communiques.models import AuditEntry, Communique, Image, SourceLink
from communiques.permissions import EDITOR, PRESS_OFFICER, assign_role, translator_group_name
from tests.factories import CommuniqueFactory, ImageFactory, SourceLinkFactory
from tests.test_admin import add_inline_form, change_url, form_data, submitted
from tests.test_importers import SAMPLE
from tests.test_search import search_url
from tests.test_views import detail_url

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
TEXTS = ("title", "subtitle", "lead", "body", "place")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def history_url(communique):
    return reverse("admin:communiques_communique_history", args=[communique.pk])


def compare_url(communique, old, new=None):
    url = reverse("admin:communiques_communique_version_compare", args=[communique.pk])
    query = f"?old={old.history_id}" + (f"&new={new.history_id}" if new else "")
    return url + query


def restore_url(communique, record):
    return reverse(
        "admin:communiques_communique_version_restore", args=[communique.pk, record.history_id]
    )


def versions(communique):
    """The communiqué's versions, oldest first."""
    return list(communique.history.order_by("history_id"))


@pytest.fixture(autouse=True)
def empty_cache():
    """Presence lives in the cache, which outlives a test's database."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(django_user_model, roles):
    """Log in a new user with a role ("editor", "officer", "translator-<language>") on a client
    of their own, in English, so that several people can edit at once."""
    groups = {"editor": EDITOR, "officer": PRESS_OFFICER}

    def staff(username, role="editor"):
        user = django_user_model.objects.create_user(username, password="x", is_staff=True)
        group = groups.get(role) or translator_group_name(role.removeprefix("translator-"))
        assign_role(user, group)
        client = Client()
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return staff


@pytest.fixture
def communique():
    """A published communiqué in Dari and French, with a photo and two links."""
    communique = CommuniqueFactory(
        title_fr="Réunion de la coalition à Paris",
        body_fa_af="<p>نشست ائتلاف در پاریس برگزار شد.</p>",
        body_fr="<p>La réunion de la coalition a eu lieu à Paris.</p>",
    )
    ImageFactory(communique=communique, caption_fr="Les ministres à Paris")
    SourceLinkFactory(communique=communique, url="https://example.org/one", label_fr="Un")
    SourceLinkFactory(communique=communique, url="https://example.org/two", label_fr="Deux")
    return communique


def edit(client, communique, **values):
    """Load the change form, change what is given, and save it as a minor correction."""
    data = form_data(client.get(change_url(communique)))
    data["minor_change"] = "on"
    data.update(values)
    return client.post(change_url(communique), data)


def shown_data(response):
    """Return what a browser posts again from a form shown after a refused save: its values as
    typed, which form_data would read as stored values."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for bound_field in form:
            value = bound_field.value()
            if isinstance(value, list):
                widget = bound_field.field.widget
                for suffix, part in zip(widget.widgets_names, value, strict=False):
                    data[f"{bound_field.html_name}{suffix}"] = part
            else:
                data.update(submitted(bound_field))
    return data


def errors_of(response):
    form = response.context["adminform"].form
    return [str(error) for errors in form.errors.values() for error in errors]


# --- Versions ------------------------------------------------------------------------------------


def test_the_historical_models_have_a_column_for_every_language():
    localized = {
        Communique: TEXTS,
        Image: ("alt_text", "caption"),
        SourceLink: ("label",),
    }
    for model, fields in localized.items():
        names = {field.name for field in model.history.model._meta.get_fields()}
        expected = {f"{field}_{code.replace('-', '_')}" for field in fields for code in LANGUAGES}
        assert expected <= names, model
    assert "title_fa_af" in {field.name for field in Communique.history.model._meta.fields}


def test_every_admin_save_adds_a_version_with_its_images_texts_and_links(staff, communique):
    editor = staff("amina")
    first = edit(editor, communique)
    assert first.status_code == 302, errors_of(first)

    second = edit(
        editor,
        communique,
        title_fr="Réunion des ministres à Paris",
        **{"images-0-caption_fa_af": "وزیران در پاریس", "links-1-label_fr": "Deux bis"},
    )

    assert second.status_code == 302, errors_of(second)
    *_, before, after = versions(communique)
    old, new = version_snapshot(before), version_snapshot(after)
    (image,) = communique.images.all()
    one, two = communique.links.all()
    assert old.communique["title_fr"] == "Réunion de la coalition à Paris"
    assert new.communique["title_fr"] == "Réunion des ministres à Paris"
    assert old.images[image.pk]["caption_fa_af"] == "جلسهٔ ائتلاف در پاریس"
    assert new.images[image.pk]["caption_fa_af"] == "وزیران در پاریس"
    assert (old.links[two.pk]["label_fr"], new.links[two.pk]["label_fr"]) == ("Deux", "Deux bis")
    assert new.links[one.pk]["url"] == "https://example.org/one"
    assert after.history_user.username == "amina"
    assert after.lock_version == before.lock_version + 1


def test_the_history_page_lists_the_versions_with_who_and_the_change_note(staff, communique):
    editor = staff("amina")
    edit(editor, communique, minor_change="", change_note_fr="Titre corrigé.")

    response = editor.get(history_url(communique))

    assert response.status_code == 200
    assertContains(response, "<bdi>amina</bdi>", html=True)
    assertContains(response, "<bdi>Titre corrigé.</bdi>", html=True)
    assertContains(response, "Restore this version")


def test_the_history_page_numbers_versions_in_the_admins_digits(staff, communique):
    editor = staff("amina")
    edit(editor, communique)
    editor.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa-af"

    response = editor.get(history_url(communique))

    count = len(versions(communique))
    assertContains(response, f'<th scope="row">{count}</th>'.translate(PERSIAN), html=True)
    assertNotContains(response, f'<th scope="row">{count}</th>')


def test_the_diff_shows_the_changed_words_in_dari_and_french(staff, communique):
    editor = staff("amina")
    edit(editor, communique)
    loaded = versions(communique)[-1]
    edit(
        editor,
        communique,
        title_fr="Réunion de la coalition à Bruxelles",
        body_fa_af="<p>نشست ائتلاف در بروکسل برگزار شد.</p>",
    )

    response = editor.get(compare_url(communique, loaded))

    assert response.status_code == 200
    assertContains(response, "<del>Paris</del>")
    assertContains(response, "<ins>Bruxelles</ins>")
    assertContains(response, "<del>پاریس</del>")
    assertContains(response, "<ins>بروکسل</ins>")
    assertContains(response, 'lang="fa-AF" dir="rtl"')
    # Between two versions, the same changes.
    between = editor.get(compare_url(communique, loaded, versions(communique)[-1]))
    assertContains(between, "<ins>Bruxelles</ins>")


def test_field_diff_escapes_what_it_shows():
    diff = field_diff("<b>old</b> text", "<script>new</script> text")

    assert "<script>" not in diff
    assert escape("<script>new</script>") in diff


def test_restoring_a_version_brings_back_every_language_image_texts_and_links(staff, communique):
    editor = staff("amina")
    first = edit(
        editor,
        communique,
        title_ps="د ائتلاف غونډه",
        body_ps="<p>لومړی متن.</p>",
        **{"images-0-alt_text_ps": "د غونډې انځور"},
    )
    assert first.status_code == 302, errors_of(first)
    restored = versions(communique)[-1]
    (image,) = communique.images.all()
    one, two = communique.links.all()
    page = editor.get(change_url(communique))
    data = form_data(page)
    data = add_inline_form(page, data, "links", url="https://example.org/three", label_fr="Trois")
    data.update(
        {
            "minor_change": "on",
            "title_fa_af": "عنوان دیگر",
            "title_ps": "بل عنوان",
            "body_fr": "<p>Un autre texte.</p>",
            "title_en": "Another title",
            "images-0-alt_text_fr": "Une autre photo",
            "links-0-DELETE": "on",
        }
    )
    assert editor.post(change_url(communique), data).status_code == 302
    assert communique.links.count() == 2

    response = editor.post(restore_url(communique, restored))

    assert response.status_code == 302
    communique.refresh_from_db()
    assert communique.title_fa_af == restored.title_fa_af
    assert communique.title_ps == "د ائتلاف غونډه"
    assert communique.body_fr == "<p>La réunion de la coalition a eu lieu à Paris.</p>"
    assert communique.title_en is None or communique.title_en == ""
    image.refresh_from_db()
    assert image.alt_text_fr == "Photo de la réunion"
    links = list(communique.links.all())
    assert [(link.pk, link.url, link.label_fr) for link in links] == [
        (one.pk, "https://example.org/one", "Un"),
        (two.pk, "https://example.org/two", "Deux"),
    ]
    latest = versions(communique)[-1]
    assert latest.restored_from == restored.history_id
    assert latest.lock_version == communique.lock_version
    entry = AuditEntry.objects.get(action=AuditEntry.Action.RESTORED)
    assert (entry.communique, entry.user.username) == (communique, "amina")
    assert entry.details["version"] == restored.history_id


def test_a_restore_is_itself_a_version_that_can_be_undone(staff, communique):
    editor = staff("amina")
    edit(editor, communique)
    first = versions(communique)[-1]
    edit(editor, communique, title_fr="Titre changé")
    changed = versions(communique)[-1]
    editor.post(restore_url(communique, first))

    editor.post(restore_url(communique, changed))

    communique.refresh_from_db()
    assert communique.title_fr == "Titre changé"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RESTORED).count() == 2


def test_a_restore_leaves_translations_search_and_cached_pages_consistent(staff, communique):
    editor = staff("amina")
    # A version whose original is French, with a caption the Dari translation never followed.
    assert (
        edit(
            editor, communique, original_language="fr", **{"images-0-caption_fr": "Vieille légende"}
        ).status_code
        == 302
    )
    french_original = versions(communique)[-1]
    edit(editor, communique, **{"images-0-caption_fr": "Les ministres à Paris"})
    assert edit(staff("farid", "translator-fa-af"), communique, ready_fa_af="on").status_code == 302
    # Then Dari becomes the original, and the French title changes.
    edit(editor, communique, original_language="fa-af", title_fr="Sommet de Bruxelles")
    public = Client()
    assertContains(public.get(detail_url(communique, "fr")), "Sommet de Bruxelles")
    assertNotContains(public.get(detail_url(communique, "fa-af")), 'class="translation-notice"')

    response = editor.post(restore_url(communique, french_original))

    assert response.status_code == 302
    communique.refresh_from_db()
    assert communique.original_language == "fr"
    # The restored caption differs from the one the Dari translation was marked ready against.
    assert list(Communique.objects.outdated_in("fa-af")) == [communique]
    assertContains(public.get(detail_url(communique, "fa-af")), 'class="translation-notice"')
    # The cached French page and the search documents follow the restored texts.
    assertContains(public.get(detail_url(communique, "fr")), "Réunion de la coalition à Paris")
    found = public.get(search_url("fr"), {"q": "coalition"})
    assertContains(found, f'href="{detail_url(communique, "fr")}"')
    assertNotContains(
        public.get(search_url("fr"), {"q": "Bruxelles"}), detail_url(communique, "fr")
    )
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RESTORED).count() == 1


def test_the_restore_page_shows_what_restoring_changes(staff, communique):
    editor = staff("amina")
    edit(editor, communique)
    first = versions(communique)[-1]
    edit(editor, communique, title_fr="Titre changé")

    response = editor.get(restore_url(communique, first))

    assert response.status_code == 200
    assertContains(response, "<del>Titre changé</del>")
    communique.refresh_from_db()
    assert communique.title_fr == "Titre changé"


def test_a_restore_that_would_publish_a_communique_without_text_is_refused(staff):
    communique = CommuniqueFactory(
        status=Communique.Status.DRAFT, published_at=None, body_fa_af="", body_fr=""
    )
    editor = staff("amina")
    assert edit(editor, communique).status_code == 302
    textless = versions(communique)[-1]
    published = edit(
        editor,
        communique,
        body_fr="<p>Texte.</p>",
        status=Communique.Status.PUBLISHED,
        published_at_0="2019-06-25",
        published_at_1="10:00:00",
    )
    assert published.status_code == 302, errors_of(published)

    response = editor.post(restore_url(communique, textless))

    assert response.status_code == 200
    assertContains(response, "needs a title and a body in at least one language")
    communique.refresh_from_db()
    assert communique.body_fr == "<p>Texte.</p>"
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.RESTORED).exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("editor", 302), ("translator-fr", 403), ("translator-fa-af", 403), ("officer", 403)],
)
def test_only_those_who_edit_every_language_may_restore(staff, communique, role, status):
    editor = staff("amina")
    edit(editor, communique)
    first = versions(communique)[-1]
    edit(editor, communique, title_fr="Titre changé")
    client = staff("other", role)
    allowed = status == 302

    page = client.get(restore_url(communique, first))
    response = client.post(restore_url(communique, first))

    assert (page.status_code, response.status_code) == (200 if allowed else 403, status)
    communique.refresh_from_db()
    expected = "Réunion de la coalition à Paris" if allowed else "Titre changé"
    assert communique.title_fr == expected


def test_translators_see_the_history_without_restore_links(staff, communique):
    edit(staff("amina"), communique)
    translator = staff("farid", "translator-fr")

    response = translator.get(history_url(communique))

    assert response.status_code == 200
    assertNotContains(response, "Restore this version")


# --- Communiqués written without versions --------------------------------------------------------


def forget_history(communique):
    """Leave the communiqué as rows written before versions were kept, or by loaddata."""
    for model in (Communique, Image, SourceLink):
        key = "id" if model is Communique else "communique_id"
        model.history.filter(**{key: communique.pk}).delete()


def test_an_imported_communique_has_a_first_version(staff):
    result = communique_import(path=SAMPLE, language="fa-af")

    response = staff("amina").get(history_url(result.communique))

    assertContains(response, "Created")
    assert response.context["rows"][0]["entry"].number >= 1


def test_a_communique_without_versions_says_so_and_still_opens(staff, communique):
    forget_history(communique)
    editor = staff("amina")

    history_page = editor.get(history_url(communique))

    assert history_page.status_code == 200
    assertContains(history_page, "No version of this communiqué has been recorded yet")
    assertNotContains(history_page, "Restore this version")
    assert editor.get(change_url(communique)).status_code == 200


def test_its_first_save_records_its_photos_and_links_as_they_were(staff, communique):
    forget_history(communique)
    editor = staff("amina")
    (image,) = communique.images.all()

    assert edit(editor, communique, title_fr="Premier titre suivi").status_code == 302
    first = versions(communique)[-1]
    edit(editor, communique, title_fr="Autre titre", **{"images-0-caption_fr": "Autre légende"})

    # Compared with now, the photo and the links are the same rows, not "added".
    comparison = editor.get(compare_url(communique, first))
    assert [section.state for section in comparison.context["sections"]] == ["", ""]
    assert editor.post(restore_url(communique, first)).status_code == 302
    communique.refresh_from_db()
    image.refresh_from_db()
    assert (communique.title_fr, image.caption_fr) == (
        "Premier titre suivi",
        "Les ministres à Paris",
    )
    assert communique.links.count() == 2


def test_populate_history_gives_existing_communiques_a_version_to_restore(staff, communique):
    forget_history(communique)
    call_command("populate_history", "--auto", stdout=StringIO())
    editor = staff("amina")
    [populated] = versions(communique)
    edit(editor, communique, title_fr="Titre changé", **{"images-0-caption_fr": "Autre légende"})

    assertContains(editor.get(history_url(communique)), "Restore this version")
    assert editor.post(restore_url(communique, populated)).status_code == 302

    communique.refresh_from_db()
    (image,) = communique.images.all()
    assert (communique.title_fr, image.caption_fr) == (
        "Réunion de la coalition à Paris",
        "Les ministres à Paris",
    )


# --- Concurrent edits ----------------------------------------------------------------------------


def test_the_second_of_two_concurrent_saves_is_refused_and_loses_nothing(staff, communique):
    amina, bashir = staff("amina"), staff("bashir")
    amina_form = form_data(amina.get(change_url(communique)))
    bashir_form = form_data(bashir.get(change_url(communique)))
    amina_form.update(minor_change="on", title_fr="Réunion de la coalition à Bruxelles")
    bashir_form.update(minor_change="on", body_fa_af="<p>متن تازهٔ بشیر.</p>")

    assert amina.post(change_url(communique), amina_form).status_code == 302
    refused = bashir.post(change_url(communique), bashir_form)

    assert refused.status_code == 200
    assert any("amina saved this communiqué after you opened it" in e for e in errors_of(refused))
    assertContains(refused, "<ins>Bruxelles</ins>")
    form = refused.context["adminform"].form
    # What Bashir typed, and Amina's change in the field he had not touched.
    assert form["body_fa_af"].value() == "<p>متن تازهٔ بشیر.</p>"
    assert form["title_fr"].value() == "Réunion de la coalition à Bruxelles"
    communique.refresh_from_db()
    assert communique.title_fr == "Réunion de la coalition à Bruxelles"
    assert communique.body_fa_af == "<p>نشست ائتلاف در پاریس برگزار شد.</p>"

    again = bashir.post(change_url(communique), shown_data(refused))

    assert again.status_code == 302, errors_of(again)
    communique.refresh_from_db()
    assert communique.title_fr == "Réunion de la coalition à Bruxelles"
    assert communique.body_fa_af == "<p>متن تازهٔ بشیر.</p>"


def test_two_changes_to_the_same_field_keep_the_second_text_until_it_is_saved_again(
    staff, communique
):
    amina, bashir = staff("amina"), staff("bashir")
    amina_form = form_data(amina.get(change_url(communique)))
    bashir_form = form_data(bashir.get(change_url(communique)))
    amina_form.update(minor_change="on", title_fr="Titre d'Amina")
    bashir_form.update(minor_change="on", title_fr="Titre de Bashir")
    amina.post(change_url(communique), amina_form)

    refused = bashir.post(change_url(communique), bashir_form)

    assert refused.status_code == 200
    assert any("You both changed title (French)" in error for error in errors_of(refused))
    assertContains(refused, "Titre de Bashir")
    assertContains(refused, "<ins>Titre d&#x27;Amina</ins>")
    communique.refresh_from_db()
    assert communique.title_fr == "Titre d'Amina"
    again = bashir.post(change_url(communique), shown_data(refused))
    assert again.status_code == 302
    communique.refresh_from_db()
    assert communique.title_fr == "Titre de Bashir"


def test_a_change_to_an_image_or_a_link_alone_makes_other_forms_stale(staff, communique):
    amina, bashir = staff("amina"), staff("bashir")
    amina_form = form_data(amina.get(change_url(communique)))
    bashir_form = form_data(bashir.get(change_url(communique)))
    amina_form.update({"minor_change": "on", "links-0-label_fr": "Un bis"})
    bashir_form.update({"minor_change": "on", "images-0-caption_fr": "Légende de Bashir"})
    version = Communique.objects.get(pk=communique.pk).lock_version

    assert amina.post(change_url(communique), amina_form).status_code == 302
    refused = bashir.post(change_url(communique), bashir_form)

    assert Communique.objects.get(pk=communique.pk).lock_version == version + 1
    assert refused.status_code == 200
    assertContains(refused, "<ins>bis</ins>")
    data = shown_data(refused)
    assert data["links-0-label_fr"] == "Un bis"
    assert data["images-0-caption_fr"] == "Légende de Bashir"
    assert bashir.post(change_url(communique), data).status_code == 302
    assert communique.links.get(url="https://example.org/one").label_fr == "Un bis"
    assert communique.images.get().caption_fr == "Légende de Bashir"


def test_a_link_deleted_meanwhile_leaves_the_refused_form(staff, communique):
    amina, bashir = staff("amina"), staff("bashir")
    amina_form = form_data(amina.get(change_url(communique)))
    bashir_form = form_data(bashir.get(change_url(communique)))
    amina_form.update({"minor_change": "on", "links-0-DELETE": "on"})
    bashir_form.update({"minor_change": "on", "links-0-label_fr": "Un, corrigé"})
    amina.post(change_url(communique), amina_form)

    refused = bashir.post(change_url(communique), bashir_form)

    assert refused.status_code == 200
    assertContains(refused, "Un, corrigé")
    data = shown_data(refused)
    assert (data["links-TOTAL_FORMS"], data["links-0-url"]) == ("1", "https://example.org/two")
    assert bashir.post(change_url(communique), data).status_code == 302
    assert [link.url for link in communique.links.all()] == ["https://example.org/two"]


def test_a_translators_save_after_an_editors_is_refused_too(staff, communique):
    editor, translator = staff("amina"), staff("farid", "translator-fa-af")
    editor_form = form_data(editor.get(change_url(communique)))
    translator_form = form_data(translator.get(change_url(communique)))
    editor_form.update(minor_change="on", title_fr="Titre d'Amina")
    translator_form.update(minor_change="on", title_fa_af="عنوان فرید")
    editor.post(change_url(communique), editor_form)

    refused = translator.post(change_url(communique), translator_form)

    assert refused.status_code == 200
    assert any("amina saved this communiqué" in error for error in errors_of(refused))
    communique.refresh_from_db()
    assert communique.title_fa_af != "عنوان فرید"
    again = translator.post(change_url(communique), shown_data(refused))
    assert again.status_code == 302, errors_of(again)
    communique.refresh_from_db()
    assert (communique.title_fa_af, communique.title_fr) == ("عنوان فرید", "Titre d'Amina")


def test_a_save_from_an_up_to_date_form_is_not_refused(staff, communique):
    amina = staff("amina")
    assert edit(amina, communique, title_fr="Un").status_code == 302

    assert edit(amina, communique, title_fr="Deux").status_code == 302


# --- Presence ------------------------------------------------------------------------------------


def test_the_change_form_says_who_else_opened_it_recently(staff, communique):
    amina, bashir = staff("amina"), staff("bashir")
    first = amina.get(change_url(communique))
    assertNotContains(first, "Also opened by")

    response = bashir.get(change_url(communique))

    assertContains(
        response,
        '<li class="info">Also opened by <bdi>amina</bdi> less than a minute ago.</li>',
        html=True,
    )
    assertNotContains(response, "<bdi>bashir</bdi>")
    assertContains(amina.get(change_url(communique)), "Also opened by <bdi>bashir</bdi>")


def test_presence_counts_minutes_and_forgets_after_ten(staff, communique):
    amina, bashir = staff("amina"), staff("bashir")
    with time_machine.travel("2024-03-01 10:00 +0000", tick=False):
        amina.get(change_url(communique))
    with time_machine.travel("2024-03-01 10:03 +0000", tick=False):
        assertContains(
            bashir.get(change_url(communique)), "Also opened by <bdi>amina</bdi> 3 minutes ago."
        )
    with time_machine.travel("2024-03-01 10:11 +0000", tick=False):
        response = bashir.get(change_url(communique))
    assertNotContains(response, "Also opened by <bdi>amina</bdi>")
