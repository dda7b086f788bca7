"""The soak test's judgement of admin saves (bench/soak.py): refusals recognised, lost writes found.

The soak runs for a quarter of an hour against gunicorn; these check, on the real admin and the
real history, the two judgements its verdict rests on.
"""

import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from communiques.history import HISTORY_MANAGER
from communiques.models import Communique
from communiques.permissions import EDITOR, assign_role
from tests.factories import CommuniqueFactory
from tests.test_admin import change_url, form_data

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import soak  # noqa: E402  (bench/soak.py)

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.fixture
def editor(django_user_model, roles):
    """Log in a new editor on a client of their own, with the admin in the given language."""

    def editor(username, language="en"):
        user = django_user_model.objects.create_user(username, password="x", is_staff=True)
        assign_role(user, EDITOR)
        client = Client()
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return editor


def writer(username, communique, field, language="en", rivals=()):
    return soak.Writer(
        username,
        "editor",
        language,
        communique.slug,
        field,
        shared=bool(rivals),
        pk=communique.pk,
        refusal_parts=soak.refusal_parts(language),
        rivals=list(rivals),
    )


def saved(user, communique, **values):
    """Save the communiqué as the admin would for that user, recording them in its history."""
    communique = Communique.objects.get(pk=communique.pk)
    for name, value in values.items():
        setattr(communique, name, value)
    communique._history_user = user
    communique.save()


def last_history_id():
    return getattr(Communique, HISTORY_MANAGER).order_by("-history_id").first().history_id


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_soak_recognises_the_admins_refusal_of_a_stale_save_in_each_language(editor, language):
    communique = CommuniqueFactory()
    amina, bashir = editor("amina", language), editor("bashir", language)
    amina_form = form_data(amina.get(change_url(communique)))
    bashir_form = form_data(bashir.get(change_url(communique)))
    amina_form.update(minor_change="on", title_fr="Titre d'Amina")
    bashir_form.update(minor_change="on", title_fr="Titre de Bashir")
    assert amina.post(change_url(communique), amina_form).status_code == 302

    refused = bashir.post(change_url(communique), bashir_form).content.decode()
    fresh = bashir.get(change_url(communique)).content.decode()

    bashir_writer = writer("bashir", communique, "title_fr", language, rivals=["amina"])
    assert soak.refused_for_conflict(bashir_writer, refused)
    assert not soak.refused_for_conflict(bashir_writer, fresh)
    # A refusal must name someone who saves that communiqué in the soak.
    stranger = writer("bashir", communique, "title_fr", language, rivals=["farid"])
    assert not soak.refused_for_conflict(stranger, refused)


def test_a_save_put_back_by_someone_elses_stale_form_is_counted_as_lost(django_user_model):
    communique = CommuniqueFactory(title_fr="Avant", title_en="Before")
    amina = django_user_model.objects.create_user("amina")
    bashir = django_user_model.objects.create_user("bashir")
    initial = {communique.pk: {"title_fr": "Avant", "title_en": "Before"}}
    start = last_history_id()
    amina_writer = writer("amina", communique, "title_fr", rivals=["bashir"])
    bashir_writer = writer("bashir", communique, "title_en", rivals=["amina"])
    amina_writer.saves = [soak.Save("amina", 1, "Amina 1", 0.0, outcome="ok")]
    bashir_writer.saves = [soak.Save("bashir", 1, "Bashir 1", 0.0, outcome="ok")]
    saved(amina, communique, title_fr="Amina 1")
    # Bashir's form was loaded before Amina's save: without the version check, it carries the
    # French title as it was and puts it back.
    saved(bashir, communique, title_fr="Avant", title_en="Bashir 1")

    result = soak.check_writes([amina_writer, bashir_writer], start, initial)

    assert (result["ok"], result["lost"]) == (2, 1)
    assert "bashir replaced amina's title_fr 'Amina 1' with 'Avant'" in " ".join(result["problems"])


def test_saves_that_each_keep_the_others_field_lose_nothing(django_user_model):
    communique = CommuniqueFactory(title_fr="Avant", title_en="Before")
    amina = django_user_model.objects.create_user("amina")
    bashir = django_user_model.objects.create_user("bashir")
    initial = {communique.pk: {"title_fr": "Avant", "title_en": "Before"}}
    start = last_history_id()
    amina_writer = writer("amina", communique, "title_fr", rivals=["bashir"])
    bashir_writer = writer("bashir", communique, "title_en", rivals=["amina"])
    amina_writer.saves = [soak.Save("amina", 1, "Amina 1", 0.0, outcome="ok")]
    bashir_writer.saves = [
        soak.Save("bashir", 1, "Bashir 1", 0.0, outcome="refused"),
        soak.Save("bashir", 2, "Bashir 2", 0.0, outcome="ok"),
    ]
    saved(amina, communique, title_fr="Amina 1")
    saved(bashir, communique, title_en="Bashir 2")

    result = soak.check_writes([amina_writer, bashir_writer], start, initial)

    assert (result["ok"], result["refused_conflict"], result["lost"]) == (2, 1, 0)
    assert (result["refused_but_saved"], result["problems"]) == (0, [])


def test_a_refused_save_whose_value_was_saved_is_reported(django_user_model):
    communique = CommuniqueFactory(title_fr="Avant")
    amina = django_user_model.objects.create_user("amina")
    start = last_history_id()
    amina_writer = writer("amina", communique, "title_fr")
    amina_writer.saves = [soak.Save("amina", 1, "Amina 1", 0.0, outcome="refused")]
    saved(amina, communique, title_fr="Amina 1")

    result = soak.check_writes([amina_writer], start, {communique.pk: {"title_fr": "Avant"}})

    assert result["refused_but_saved"] == 1
    assert "amina #1: refused, but saved" in result["problems"]
