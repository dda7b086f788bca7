"""Signing in to the admin: failed attempts lock an account out from an address, editors lift
the lockout, the admin lives at its configured address, and its cookies travel over HTTPS only.

Through the real sign-in form (django-axes needs the request that Django's admin login passes to
authenticate()), never force_login.
"""

import datetime as dt
import importlib

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import clear_url_caches, reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains

from communiques.permissions import EDITOR, setup_roles

pytestmark = pytest.mark.django_db

PASSWORD = "the-right-password"
WRONG = "a-wrong-guess"
ATTEMPTS_URL = reverse("admin:axes_accessattempt_changelist")


@pytest.fixture
def amina(django_user_model):
    return django_user_model.objects.create_user("amina", password=PASSWORD, is_staff=True)


def sign_in(client, username, password, **extra):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        **extra,
    )


def is_signed_in(client):
    return "_auth_user_id" in client.session


def fail(client, username, times, **extra):
    return [sign_in(client, username, WRONG, **extra).status_code for _ in range(times)]


def test_the_limit_of_failed_sign_ins_locks_the_account_even_with_the_right_password(amina):
    client = Client()
    limit = settings.AXES_FAILURE_LIMIT

    answers = fail(client, "amina", limit)
    locked = sign_in(client, "amina", PASSWORD)

    # Each failure before the limit shows the form again; the one that reaches it, the lockout.
    assert answers == [200] * (limit - 1) + [429]
    assert locked.status_code == 429
    assert not is_signed_in(client)


def test_failures_below_the_limit_and_a_success_start_the_count_again(amina):
    client = Client()
    limit = settings.AXES_FAILURE_LIMIT
    fail(client, "amina", limit - 1)
    assert sign_in(client, "amina", PASSWORD).status_code == 302
    client.logout()

    fail(client, "amina", limit - 1)

    assert sign_in(client, "amina", PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_a_lockout_leaves_other_accounts_and_other_addresses_alone(amina, django_user_model):
    django_user_model.objects.create_user("bashir", password=PASSWORD, is_staff=True)
    fail(Client(), "amina", settings.AXES_FAILURE_LIMIT)

    colleague = Client()
    owner_at_home = Client(REMOTE_ADDR="198.51.100.7")

    # A colleague on the same network, and the owner from elsewhere: the guesser locked out only
    # their own pair of account and address.
    assert sign_in(colleague, "bashir", PASSWORD).status_code == 302
    assert sign_in(owner_at_home, "amina", PASSWORD).status_code == 302
    assert sign_in(Client(), "amina", PASSWORD).status_code == 429


def test_a_lockout_ends_by_itself_a_cool_off_after_the_last_attempt(amina):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(Client(), "amina", settings.AXES_FAILURE_LIMIT)
    cool_off = settings.AXES_COOLOFF_TIME
    still_locked = start + cool_off - dt.timedelta(seconds=1)

    with time_machine.travel(still_locked, tick=False):
        assert sign_in(Client(), "amina", PASSWORD).status_code == 429
    # That attempt, refused, started the cool-off again: a guesser who keeps trying stays out.
    with time_machine.travel(start + cool_off + dt.timedelta(seconds=1), tick=False):
        assert sign_in(Client(), "amina", PASSWORD).status_code == 429
    last_attempt = start + cool_off + dt.timedelta(seconds=1)
    with time_machine.travel(last_attempt + cool_off + dt.timedelta(seconds=1), tick=False):
        assert sign_in(Client(), "amina", PASSWORD).status_code == 302


def test_an_editor_lifts_a_lockout_in_the_admin(amina, login):
    locked_out = Client()
    fail(locked_out, "amina", settings.AXES_FAILURE_LIMIT)
    assert sign_in(locked_out, "amina", PASSWORD).status_code == 429
    editor = login("editor")

    listing = editor.get(ATTEMPTS_URL)
    assertContains(listing, "amina")
    [attempt] = listing.context["cl"].result_list
    response = editor.post(
        ATTEMPTS_URL,
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert sign_in(locked_out, "amina", PASSWORD).status_code == 302
    assert is_signed_in(locked_out)


@pytest.mark.parametrize("role", ["officer", "translator-fr", "nobody"])
def test_only_editors_see_and_lift_lockouts(amina, login, role):
    fail(Client(), "amina", settings.AXES_FAILURE_LIMIT)
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.get()
    client = login(role)

    assert client.get(ATTEMPTS_URL).status_code == 403
    deletion = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert client.post(deletion, {"post": "yes"}).status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert sign_in(Client(), "amina", PASSWORD).status_code == 429


def test_setup_roles_gives_editors_the_lockouts_and_nothing_else_of_the_sign_in_records():
    setup_roles()

    editors = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.filter(group__name=EDITOR, content_type__app_label="axes")
    }
    assert editors == {"axes.view_accessattempt", "axes.delete_accessattempt"}
    assert not Permission.objects.filter(
        content_type__app_label="axes", group__name__in=["Press officer", "Translator (French)"]
    ).exists()


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("fr", ["Connexion bloquée", "Réessayez dans 30 minutes"]),
        ("fa-af", ["ورود مسدود شد", "پس از ۳۰ دقیقه دوباره تلاش کنید"]),
        ("ps", ["ننوتل بند شول", "۳۰ دقیقې وروسته بیا هڅه وکړئ"]),
        ("en", ["Sign-in blocked", "Try again in 30 minutes"]),
    ],
)
def test_the_lockout_page_speaks_the_language_of_the_person_signing_in(
    amina, settings, language, texts
):
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    fail(client, "amina", settings.AXES_FAILURE_LIMIT)

    response = sign_in(client, "amina", PASSWORD)

    assert response.status_code == 429
    with translation.override(language):
        assertContains(response, f'lang="{language}"', status_code=429)
        for text in texts:
            assertContains(response, text, status_code=429)


def test_a_lockout_without_cool_off_waits_for_an_editor(amina, settings):
    settings.AXES_COOLOFF_TIME = None
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fail(client, "amina", settings.AXES_FAILURE_LIMIT)

    with time_machine.travel(timezone.now() + dt.timedelta(days=30)):
        response = sign_in(client, "amina", PASSWORD)

    assertContains(response, "Ask an editor of the press office", status_code=429)
    assert "Try again" not in response.text


def test_behind_the_proxy_the_address_is_the_one_the_proxy_wrote(amina, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    fail(Client(**proxy), "amina", settings.AXES_FAILURE_LIMIT, HTTP_X_FORWARDED_FOR="203.0.113.5")

    # The guesser cannot escape the count by naming another address before the proxy's.
    forged = sign_in(
        Client(**proxy), "amina", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5"
    )
    # Everyone comes through the same proxy: the owner elsewhere is not locked out.
    owner = sign_in(Client(**proxy), "amina", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert forged.status_code == 429
    assert owner.status_code == 302


# --- Cookies ---------------------------------------------------------------------------------


def test_the_session_and_csrf_cookies_are_sent_over_https_only(amina):
    client = Client()

    form = client.get(reverse("admin:login"), secure=True)
    signed_in = sign_in(client, "amina", PASSWORD, secure=True)

    csrf = form.cookies[settings.CSRF_COOKIE_NAME]
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME]
    assert csrf["secure"] and session["secure"]
    assert session["httponly"] and session["samesite"] == "Lax"


# --- The admin's address ------------------------------------------------------------------------


@pytest.fixture
def admin_at(settings):
    """Serve the admin at another DJANGO_ADMIN_PATH, as a restart with that setting would."""
    import embassy.urls

    original = settings.ADMIN_PATH

    def move(path):
        settings.ADMIN_PATH = path
        importlib.reload(embassy.urls)
        clear_url_caches()

    yield move
    move(original)


def test_the_admin_answers_at_its_configured_address_only(admin_at, login):
    admin_at("office-7f3k/")
    editor = login("editor")

    assert reverse("admin:index") == "/office-7f3k/"
    assert editor.get("/office-7f3k/").status_code == 200
    assert editor.get("/admin/").status_code == 404
    assert Client().get("/office-7f3k/")["Location"].startswith("/office-7f3k/login/")


def test_the_admin_at_its_configured_address_keeps_its_policy_and_its_lockout(
    admin_at, amina, login
):
    admin_at("office-7f3k/")
    client = Client()
    fail(client, "amina", settings.AXES_FAILURE_LIMIT)

    locked = sign_in(client, "amina", PASSWORD)
    add_form = login("editor").get(reverse("admin:communiques_communique_add"))

    assert reverse("admin:login") == "/office-7f3k/login/"
    assert locked.status_code == 429
    assert add_form.request["PATH_INFO"].startswith("/office-7f3k/")
    assert "'nonce-" in add_form["Content-Security-Policy"]
