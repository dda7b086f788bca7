"""What readers and the press office see when the database, the cache or the storage fails."""

import base64
import errno
import hashlib
import http.cookiejar
import json
import logging
import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import Client
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from communiques.cache import STATE_KEY
from communiques.models import Communique, Image, SourceLink
from tests.factories import CommuniqueFactory, ImageFactory, SourceLinkFactory
from tests.test_admin import ADD_URL, add_inline_form, change_url, form_data, speak
from tests.test_cache import UNREACHABLE_REDIS
from tests.test_images import photo, post_new_communique, stored_files
from tests.test_views import detail_url, url

pytestmark = pytest.mark.django_db

DATABASE_FAILED = (
    "The communiqué was not saved: the database could not be reached. Nothing was changed; "
    "try again."
)
STORAGE_FAILED = (
    "The communiqué was not saved: its photos could not be stored (the disk may be full). "
    "Nothing was changed; choose the photos again and save, or try later."
)


@pytest.fixture
def english_admin(admin_client):
    return speak(admin_client, "en")


@pytest.fixture
def database_down():
    """Refuse every query, as a database that went away does."""
    with mock.patch.object(
        connection, "cursor", side_effect=OperationalError("server closed the connection")
    ):
        yield


def fail_query(pattern):
    """Make the database fail at the first query matching the pattern, as an outage mid-save."""

    def wrapper(execute, sql, params, many, context):
        if re.search(pattern, sql):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    return connection.execute_wrapper(wrapper)


def root_element(response):
    return re.search(r"<html[^>]*>", response.content.decode())[0]


# --- Readers, while the database is unreachable ----------------------------------------------


@pytest.mark.parametrize(
    ("language", "root", "heading"),
    [
        ("fa-af", '<html lang="fa-AF" dir="rtl">', "سایت موقتاً در دسترس نیست"),
        ("ps", '<html lang="ps" dir="rtl">', "وېبپاڼه لنډمهاله د لاسرسي وړ نه ده"),
        ("fr", '<html lang="fr" dir="ltr">', "Le site est temporairement indisponible"),
        ("en", '<html lang="en" dir="ltr">', "The site is temporarily unavailable"),
    ],
)
def test_a_public_page_answers_503_in_the_language_of_its_address(
    client, database_down, language, root, heading
):
    response = client.get(url("index", language))

    assert response.status_code == 503
    assert root_element(response) == root
    assertContains(response, f"<h1>{heading}</h1>", status_code=503)
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Language"] == language
    assert not re.search(r"<link|<script|<img", response.content.decode())


@pytest.mark.parametrize(
    ("accept_language", "root"),
    [("fr-FR,fr;q=0.9", '<html lang="fr" dir="ltr">'), ("", '<html lang="fa-AF" dir="rtl">')],
)
def test_an_address_without_a_language_answers_in_the_browsers_or_in_dari(
    client, database_down, accept_language, root
):
    response = client.get("/sitemap.xml", headers={"accept-language": accept_language})

    assert response.status_code == 503
    assert root_element(response) == root


def test_the_503_page_inline_style_is_allowed_by_the_content_security_policy(client, database_down):
    response = client.get(url("index", "fr"))

    style = re.search(r"<style>(.*?)</style>", response.content.decode(), re.DOTALL)[1]
    policy = response.get("Content-Security-Policy")
    if policy is None:
        pytest.skip("no Content-Security-Policy middleware installed")
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy


def test_a_database_lost_in_a_middleware_answers_503_too(database_down):
    # The page cache's state is gone (Redis restarted): finding the next scheduled publication
    # is the first query, made by the page cache's middleware before any view.
    from django.core.cache import cache

    cache.delete(STATE_KEY)
    client = Client(raise_request_exception=False)

    response = client.get(url("index", "fr"))

    assert response.status_code == 503
    assertContains(response, "Le site est temporairement indisponible", status_code=503)


def test_a_page_cached_before_the_outage_is_still_served(client):
    communique = CommuniqueFactory()
    before = client.get(detail_url(communique, "fr"))

    with mock.patch.object(connection, "cursor", side_effect=OperationalError("gone")):
        during = client.get(detail_url(communique, "fr"))

    assert during.status_code == 200
    assert during.content == before.content


def test_the_outage_is_logged_with_its_cause(client, database_down, caplog):
    caplog.set_level(logging.ERROR, logger="embassy.failures")

    client.get(url("index", "fr"))

    [record] = [r for r in caplog.records if r.name == "embassy.failures"]
    assert "GET /fr/" in record.getMessage()
    assert "server closed the connection" in str(record.exc_info[1])


def test_a_form_posted_during_the_outage_is_said_unsaved_with_what_was_typed(admin_client):
    communique = CommuniqueFactory()
    data = form_data(speak(admin_client, "fr").get(change_url(communique)))
    data["title_fr"] = "Titre <b>tapé</b> pendant la panne"
    data["minor_change"] = "on"
    data["csrfmiddlewaretoken"] = "secretTokenOfThisBrowser"

    with mock.patch.object(connection, "cursor", side_effect=OperationalError("gone")):
        response = admin_client.post(change_url(communique), data)

    assert response.status_code == 503
    assertContains(response, "<h1>Rien n’a été enregistré</h1>", status_code=503)
    # Escaped, in a text area to copy it from.
    assertContains(response, "Titre &lt;b&gt;tapé&lt;/b&gt; pendant la panne", status_code=503)
    assertNotContains(response, data["csrfmiddlewaretoken"], status_code=503)
    communique.refresh_from_db()
    assert communique.title_fr != data["title_fr"]


# --- The press office, when the database fails during a save ---------------------------------


def test_a_save_the_database_fails_midway_keeps_the_form_and_writes_nothing(english_admin):
    communique = CommuniqueFactory(title_fr="Avant")
    SourceLinkFactory(communique=communique, label_fr="Ancien libellé")
    versions = communique.history.count()
    data = form_data(english_admin.get(change_url(communique)))
    data.update({"title_fr": "Après", "links-0-label_fr": "Nouveau libellé", "minor_change": "on"})

    # The admin's log entry is the last write of a save: the communiqué, its links and its
    # version have been written in the transaction by then.
    with fail_query(r'INSERT INTO "django_admin_log"'):
        response = english_admin.post(change_url(communique), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [DATABASE_FAILED]
    assertContains(response, "Après")
    assertContains(response, "Nouveau libellé")
    assertNotContains(response, "was changed successfully")
    communique.refresh_from_db()
    assert communique.title_fr == "Avant"
    assert SourceLink.objects.get().label_fr == "Ancien libellé"
    assert communique.history.count() == versions
    assert not LogEntry.objects.exists()

    # The positive control: the same form saves once the database answers.
    response = english_admin.post(change_url(communique), data)
    assert response.status_code == 302
    communique.refresh_from_db()
    assert communique.title_fr == "Après"


def test_a_new_communique_the_database_fails_to_save_leaves_no_row_and_no_file(english_admin):
    upload = SimpleUploadedFile("photo.png", photo(), "image/png")

    with fail_query(r'INSERT INTO "django_admin_log"'):
        response = post_new_communique(english_admin, upload)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [DATABASE_FAILED]
    assertContains(response, "Réunion de la coalition")
    assert not Communique.objects.exists()
    assert not Image.objects.exists()
    assert stored_files() == []


def test_the_failure_is_said_in_the_language_of_the_admin(admin_client):
    communique = CommuniqueFactory()
    data = form_data(speak(admin_client, "fa-af").get(change_url(communique)))
    data["minor_change"] = "on"

    with fail_query(r'INSERT INTO "django_admin_log"'):
        response = admin_client.post(change_url(communique), data)

    with translation.override("fa-af"):
        assert response.context["adminform"].form.non_field_errors() == [
            translation.gettext(DATABASE_FAILED)
        ]
    assertContains(response, "اعلامیه ذخیره نشد")


# --- The press office, when the storage fails during an upload -------------------------------


def full_disk(succeeding, partway=False):
    """Let the storage write `succeeding` files, then fail as a full disk does: before the next
    file, or `partway` through it, whose first bytes FileSystemStorage then leaves behind."""
    original = FileSystemStorage._save
    left = [succeeding]

    def save(storage, name, content):
        if left[0] == 0:
            if not partway:
                raise OSError(errno.ENOSPC, "No space left on device")

            def chunks(chunk_size=None):
                content.seek(0)
                yield content.read(16)
                raise OSError(errno.ENOSPC, "No space left on device")

            content.chunks = chunks
        left[0] -= 1
        return original(storage, name, content)

    return save


@pytest.mark.parametrize(
    ("succeeding", "partway"),
    [
        pytest.param(0, False, id="the first photo's original"),
        pytest.param(0, True, id="part of the first photo's original"),
        pytest.param(1, False, id="one of the first photo's renditions"),
        pytest.param(1, True, id="part of one of the first photo's renditions"),
        # A 64-pixel photo is three files: the original, a WebP and a JPEG rendition.
        pytest.param(3, False, id="the second photo, once the first is stored"),
    ],
)
def test_an_upload_the_disk_cannot_hold_is_refused_and_leaves_nothing(
    english_admin, succeeding, partway
):
    communique = CommuniqueFactory(title_fr="Avant")
    kept = ImageFactory(communique=communique)
    files_before = stored_files()
    page = english_admin.get(change_url(communique))
    data = form_data(page)
    data.update({"title_fr": "Après", "minor_change": "on"})
    for number in (1, 2):
        add_inline_form(
            page,
            data,
            "images",
            file=SimpleUploadedFile(f"photo-{number}.png", photo(), "image/png"),
            alt_text_fa_af="عکس",
            alt_text_fr=f"Photo tapée {number}",
            after_paragraph="1",
        )

    with mock.patch.object(FileSystemStorage, "_save", full_disk(succeeding, partway)):
        response = english_admin.post(change_url(communique), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [STORAGE_FAILED]
    for typed in ("Après", "Photo tapée 1", "Photo tapée 2"):
        assertContains(response, typed)
    communique.refresh_from_db()
    assert communique.title_fr == "Avant"
    assert list(communique.images.all()) == [kept]
    assert stored_files() == files_before

    # The positive control: with room on the disk, the same post saves both photos.
    data["images-1-file"] = SimpleUploadedFile("photo-1.png", photo(), "image/png")
    data["images-2-file"] = SimpleUploadedFile("photo-2.png", photo(), "image/png")
    assert english_admin.post(change_url(communique), data).status_code == 302
    assert communique.images.count() == 3


def test_a_new_communique_whose_photo_cannot_be_stored_is_not_created(english_admin):
    upload = SimpleUploadedFile("photo.png", photo(), "image/png")

    with mock.patch.object(FileSystemStorage, "_save", full_disk(0)):
        response = post_new_communique(english_admin, upload)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [STORAGE_FAILED]
    assertContains(response, "Réunion de la coalition")
    assert not Communique.objects.exists()
    assert not Image.objects.exists()
    assert stored_files() == []


# --- Without the cache --------------------------------------------------------------------------


def test_without_redis_the_admin_opens_and_saves_and_readers_see_the_change(
    english_admin, client, settings, caplog
):
    communique = CommuniqueFactory(title_fr="Avant")
    settings.CACHES = UNREACHABLE_REDIS
    caplog.set_level(logging.WARNING)

    page = english_admin.get(change_url(communique))
    data = form_data(page)
    data.update({"title_fr": "Après", "minor_change": "on"})
    saved = english_admin.post(change_url(communique), data)
    public = client.get(detail_url(communique, "fr"))

    assert page.status_code == 200
    assert saved.status_code == 302
    assertContains(public, "Après")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings
    assert all("unreachable" in warning for warning in warnings)


def test_without_redis_the_readiness_probe_reports_it_and_stays_ready(client, settings):
    settings.CACHES = UNREACHABLE_REDIS

    response = client.get("/health/ready")

    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ready",
        "database": "ok",
        "cache": "unreachable",
    }


def test_the_add_form_needs_no_cache_either(english_admin, settings):
    settings.CACHES = UNREACHABLE_REDIS

    assert english_admin.get(ADD_URL).status_code == 200


# --- A real server whose database goes away ---------------------------------------------------
#
# The PostgreSQL server is shared (other test runs, CI): it is never stopped. The site under test
# reaches it through a relay of our own, which is cut and restored: the connections it carries
# are closed and new ones refused, as when the server or the network goes away.

requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (DATABASE_URL=postgres://…): the site is run against a database of "
    "its own, reached through a relay that the test cuts",
)

# Settings for a site run outside pytest: as the tests' own (conftest.py), tables made without
# migrations, so that a new database is ready in a second.
SITE_SETTINGS = """
from embassy.settings import *  # noqa: F403


class _NoMigrations(dict):
    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


MIGRATION_MODULES = _NoMigrations()
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
"""


class DatabaseRelay:
    """A TCP relay to the database that can be cut (and restored), or cut at a given query."""

    def __init__(self, host, port):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.refusing = False
        self.cut_at_pattern = None
        self.pairs = set()
        self.lock = threading.Lock()
        self.running = True
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while self.running:
            try:
                client, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.refusing:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            pair = (client, server)
            with self.lock:
                self.pairs.add(pair)
            threading.Thread(
                target=self.pipe, args=(pair, client, server, True), daemon=True
            ).start()
            threading.Thread(
                target=self.pipe, args=(pair, server, client, False), daemon=True
            ).start()

    def pipe(self, pair, source, destination, from_client):
        tail = b""
        try:
            while data := source.recv(65536):
                pattern = self.cut_at_pattern if from_client else None
                if pattern:
                    window = tail + data
                    if pattern in window:
                        # Before it reaches the server: the transaction is never committed.
                        self.cut_at_pattern = None
                        self.sever()
                        return
                    tail = window[-len(pattern) :]
                destination.sendall(data)
        except OSError:
            pass
        finally:
            self.close_pair(pair)

    def close_pair(self, pair):
        with self.lock:
            self.pairs.discard(pair)
        for end in pair:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()

    def sever(self):
        with self.lock:
            pairs = list(self.pairs)
        for pair in pairs:
            self.close_pair(pair)

    def cut(self):
        """The database goes away: live connections are closed, new ones refused."""
        self.refusing = True
        self.sever()

    def cut_at(self, pattern):
        """Close the connections when a query containing the pattern is sent; accept new ones."""
        self.cut_at_pattern = pattern

    def restore(self):
        self.refusing = False
        self.cut_at_pattern = None

    def close(self):
        self.running = False
        self.listener.close()
        self.sever()


def database_url(name, port=None):
    database = connection.settings_dict
    user = urllib.parse.quote(database["USER"] or "postgres")
    password = f":{urllib.parse.quote(database['PASSWORD'])}" if database["PASSWORD"] else ""
    address = f"{database['HOST'] or '127.0.0.1'}:{port or database['PORT'] or 5432}"
    # Without TLS, so that the relay can see the queries go by.
    return f"postgres://{user}{password}@{address}/{name}?sslmode=disable"


def connect(dbname):
    import psycopg2

    database = connection.settings_dict
    server = psycopg2.connect(
        dbname=dbname,
        user=database["USER"] or "postgres",
        password=database["PASSWORD"] or None,
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
    )
    server.autocommit = True
    return server


def execute(dbname, sql, params=()):
    server = connect(dbname)
    try:
        with server.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None
    finally:
        server.close()


class OwnDatabase:
    """A PostgreSQL database of the test's own on the shared server, dropped at the end."""

    def __init__(self, prefix):
        self.name = f"{prefix}_{uuid.uuid4().hex[:12]}"

    def __enter__(self):
        execute("postgres", f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *exc_info):
        execute("postgres", f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def query(self, sql, params=()):
        return execute(self.name, sql, params)


def site_environment(folder, database_url, **extra):
    """Return the environment of the project run outside pytest, on its own database and media."""
    (folder / "site_settings.py").write_text(SITE_SETTINGS)
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")},
        "PYTHONPATH": os.pathsep.join([str(folder), str(settings.BASE_DIR)]),
        "DJANGO_SETTINGS_MODULE": "site_settings",
        "DJANGO_SECRET_KEY": "failure-tests-secret-key",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_LOG_FORMAT": "text",
        "DJANGO_MEDIA_ROOT": str(folder / "media"),
        "DATABASE_URL": database_url,
        **extra,
    }


def run_python(script, environment):
    """Run a script in the project's environment; return its last line (logs go to stdout)."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Just enough of a browser: cookies, forms posted, answers read whatever their status."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(self, path, data=None, headers=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        # The admin speaks French to this browser, as its language is not in the address.
        headers = {"Accept-Language": "fr", **(headers or {})}
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            # The timeout only keeps a hung server from hanging the suite.
            with self.opener.open(request, timeout=20) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def csrf_token(self, path):
        _status, _headers, page = self.request(path)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]


@pytest.fixture(scope="module")
def site_behind_relay(tmp_path_factory):
    """A gunicorn serving the site from its own database, reached through a DatabaseRelay."""
    folder = tmp_path_factory.mktemp("site")
    database = connection.settings_dict
    relay = DatabaseRelay(database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432))
    with OwnDatabase("failures") as own:
        # Every page is rendered from the database: none is served from the page cache.
        direct = site_environment(folder, database_url(own.name), DJANGO_PAGE_CACHE="0")
        prepared = json.loads(
            run_python(
                """
                import json

                import django

                django.setup()
                from django.contrib.auth import get_user_model
                from django.core.management import call_command
                from django.test import Client
                from django.test.utils import setup_test_environment

                from tests.factories import CommuniqueFactory
                from tests.test_admin import change_url, form_data

                setup_test_environment()
                call_command("migrate", run_syncdb=True, verbosity=0)
                user = get_user_model().objects.create_superuser("chief", password="not-secret")
                communique = CommuniqueFactory(title_fr="Titre d’origine")
                client = Client()
                client.force_login(user)
                client.cookies["django_language"] = "fr"
                form = form_data(client.get(change_url(communique)))
                print(json.dumps({"path": change_url(communique), "form": form,
                                  "slug": communique.slug}))
                """,
                direct,
            )
        )
        # Bound here and handed over, rather than a free port looked up for gunicorn to bind: in
        # between, another process (a parallel test worker, a live server, any outgoing
        # connection) could take the port. Requests made before gunicorn accepts simply queue.
        with socket.create_server(("127.0.0.1", 0)) as listener:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "embassy.wsgi:application",
                    "--workers",
                    "1",
                    "--bind",
                    f"fd://{listener.fileno()}",
                    "--graceful-timeout",
                    "1",
                ],
                env={
                    **direct,
                    "DATABASE_URL": database_url(own.name, relay.port),
                    "DJANGO_DB_CONNECT_TIMEOUT": "2",
                },
                cwd=settings.BASE_DIR,
                pass_fds=[listener.fileno()],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            port = listener.getsockname()[1]
        browser = Browser(f"http://127.0.0.1:{port}")
        try:
            for _attempt in range(100):
                try:
                    if browser.request("/health/live")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            yield {
                "browser": browser,
                "relay": relay,
                "database": own,
                "server": server,
                **prepared,
            }
        finally:
            server.terminate()
            server.wait(timeout=10)
            relay.close()


def title_fr(own, slug):
    return own.query("SELECT title_fr FROM communiques_communique WHERE slug = %s", [slug])[0][0]


@requires_postgresql
def test_pages_answer_503_while_the_database_is_gone_and_again_once_it_is_back(
    site_behind_relay,
):
    site = site_behind_relay
    browser, relay = site["browser"], site["relay"]
    detail = f"/fa-af/communiques/{site['slug']}/"
    assert browser.request("/fr/")[0] == 200
    assert browser.request(detail)[0] == 200

    relay.cut()
    try:
        status, headers, page = browser.request("/fr/")
        dari_status, _headers, dari_page = browser.request(detail)
        ready = browser.request("/health/ready")
        live = browser.request("/health/live")
    finally:
        relay.restore()

    assert status == 503
    assert headers["Retry-After"] == "30"
    assert "no-store" in headers["Cache-Control"]
    assert '<html lang="fr" dir="ltr">' in page
    assert "Le site est temporairement indisponible" in page
    assert dari_status == 503
    assert '<html lang="fa-AF" dir="rtl">' in dari_page
    assert ready[0] == 503 and json.loads(ready[2])["database"] == "unreachable"
    assert live[0] == 200

    # Back without a restart: the same process reconnects on the next request.
    assert browser.request("/fr/")[0] == 200
    assert browser.request(detail)[0] == 200
    assert browser.request("/health/ready")[0] == 200
    assert site["server"].poll() is None


@requires_postgresql
def test_a_save_cut_off_midway_writes_nothing_and_the_form_comes_back(site_behind_relay):
    site = site_behind_relay
    browser, relay, own = site["browser"], site["relay"], site["database"]
    token = browser.csrf_token("/admin/login/")
    signed_in = browser.request(
        "/admin/login/",
        {"username": "chief", "password": "not-secret", "csrfmiddlewaretoken": token},
    )
    assert signed_in[0] == 302
    data = {
        **site["form"],
        "title_fr": "Titre corrigé pendant la panne",
        "minor_change": "on",
        "csrfmiddlewaretoken": browser.csrf_token(site["path"]),
    }

    # The connection drops as the admin's log entry is written, the last write of the save.
    relay.cut_at(b'INSERT INTO "django_admin_log"')
    status, _headers, page = browser.request(site["path"], data)

    assert status == 200
    assert "Le communiqué n’a pas été enregistré" in page
    assert "Titre corrigé pendant la panne" in page
    assert title_fr(own, site["slug"]) == "Titre d’origine"
    assert own.query("SELECT count(*) FROM django_admin_log") == [(0,)]

    # Still gone when the form is posted again: the 503 page keeps what was typed.
    relay.cut()
    try:
        status, _headers, page = browser.request(site["path"], data)
    finally:
        relay.restore()

    assert status == 503
    assert "Rien n’a été enregistré" in page
    assert "Titre corrigé pendant la panne" in page
    assert title_fr(own, site["slug"]) == "Titre d’origine"

    # Back: the same form saves.
    assert browser.request(site["path"], data)[0] == 302
    assert title_fr(own, site["slug"]) == "Titre corrigé pendant la panne"
