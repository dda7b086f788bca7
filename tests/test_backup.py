"""`backup` writes the site into one archive; `restore` puts it back into an empty installation."""

import hashlib
import io
import json
import tarfile
import threading
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.core.serializers import python as python_serializer
from django.db import connection, connections
from django.test import Client
from django.utils import translation

from communiques.demo import ensure_demo_users, load_demo
from communiques.models import Communique, SiteSettings, SourceLink
from tests.factories import CommuniqueFactory, ImageFactory, SourceLinkFactory
from tests.test_failures import (
    OwnDatabase,
    database_url,
    requires_postgresql,
    run_python,
    site_environment,
)
from tests.test_images import photo, stored_files

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def english():
    return translation.override("en")


def read_archive(path):
    with tarfile.open(path) as archive:
        members = {
            member.name: archive.extractfile(member).read()
            for member in archive.getmembers()
            if member.isfile()
        }
    return members


def write_archive(path, members):
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def backup(path):
    call_command("backup", output=str(path), stdout=io.StringIO())
    return read_archive(path)


def public_addresses(communique):
    addresses = ["/sitemap.xml"]
    for language in LANGUAGES:
        addresses += [
            f"/{language}/",
            f"/{language}/feeds/rss/",
            f"/{language}/feeds/atom/",
            f"/{language}/communiques/{communique.slug}/",
        ]
    return addresses


# A page of the site as a reader gets it, from the process it runs in.
PAGES_SCRIPT = """
import hashlib
import json

import django

django.setup()
from django.test import Client
from django.test.utils import setup_test_environment

setup_test_environment()
client = Client()
pages = {}
for address in ADDRESSES:
    response = client.get(address)
    pages[address] = [response.status_code, hashlib.sha256(response.content).hexdigest()]
print(json.dumps(pages))
"""


def pages_of(client, addresses):
    pages = {}
    for address in addresses:
        response = client.get(address)
        pages[address] = [response.status_code, hashlib.sha256(response.content).hexdigest()]
    return pages


class EmptyInstallation:
    """A new database (SQLite file, or a PostgreSQL database of its own) and media folder."""

    def __init__(self, folder):
        self.folder = folder
        self.own = None

    def __enter__(self):
        if connection.vendor == "postgresql":
            self.own = OwnDatabase("fail_restore").__enter__()
            url = database_url(self.own.name)
        else:
            url = f"sqlite:///{self.folder / 'restored.sqlite3'}"
        self.environment = site_environment(self.folder, url)
        return self

    def __exit__(self, *exc_info):
        if self.own is not None:
            self.own.__exit__(*exc_info)

    @property
    def media(self):
        return Path(self.environment["DJANGO_MEDIA_ROOT"])


@pytest.mark.django_db(transaction=True)
def test_a_restored_site_serves_the_same_pages_as_the_original(tmp_path):
    load_demo()
    ensure_demo_users()
    # One in every language, with a photo and a link.
    communique = Communique.objects.published().in_language("ps").in_language("en").first()
    ImageFactory(communique=communique)
    SourceLinkFactory(communique=communique)
    site = SiteSettings.objects.get()
    site.logo.save("emblem.png", ContentFile(photo((200, 120))), save=True)
    addresses = public_addresses(communique)
    original = pages_of(Client(), addresses)
    not_found = [address for address, (status, _digest) in original.items() if status != 200]
    assert not_found == []
    archive = tmp_path / "site.tar.gz"
    backup(archive)

    with EmptyInstallation(tmp_path) as installation:
        restored = run_python(
            "import django; django.setup(); from django.core.management import call_command; "
            "from django.utils import translation; translation.activate('en'); "
            f"call_command('restore', {str(archive)!r})",
            installation.environment,
        )
        pages = json.loads(
            run_python(PAGES_SCRIPT.replace("ADDRESSES", repr(addresses)), installation.environment)
        )
        restored_files = sorted(
            str(path.relative_to(installation.media))
            for path in installation.media.rglob("*")
            if path.is_file()
        )

    assert "Restored from" in restored
    assert pages == original
    assert restored_files == stored_files()
    for name in restored_files:
        assert (installation.media / name).read_bytes() == (
            Path(settings.MEDIA_ROOT) / name
        ).read_bytes()


@pytest.mark.django_db
def test_the_archive_holds_every_file_the_rows_refer_to_and_no_other(tmp_path):
    image = ImageFactory()
    (Path(settings.MEDIA_ROOT) / "stray.txt").write_bytes(b"not referred to by any row")

    members = backup(tmp_path / "site.tar.gz")

    manifest = json.loads(members["manifest.json"])
    assert sorted(name.removeprefix("media/") for name in members if name.startswith("media/")) == (
        sorted(image.stored_names())
    )
    for entry in manifest["files"]:
        assert entry["sha256"] == hashlib.sha256(members[f"media/{entry['name']}"]).hexdigest()
    assert manifest["data"]["sha256"] == hashlib.sha256(members["data.json"]).hexdigest()
    assert manifest["objects"]["communiques.communique"] == 1
    assert manifest["objects"]["communiques.image"] == 1
    labels = {row["model"] for row in json.loads(members["data.json"])}
    assert {"communiques.category", "communiques.communique", "communiques.image"} <= labels
    # Made again by migrate, under ids of their own: rows refer to them by natural key.
    assert not labels & {"contenttypes.contenttype", "auth.permission", "sessions.session"}


@pytest.mark.django_db
def test_a_file_missing_from_the_storage_is_reported_and_the_backup_still_written(tmp_path):
    image = ImageFactory()
    (Path(settings.MEDIA_ROOT) / image.file.name).unlink()
    errors = io.StringIO()

    call_command(
        "backup", output=str(tmp_path / "site.tar.gz"), stdout=io.StringIO(), stderr=errors
    )

    manifest = json.loads(read_archive(tmp_path / "site.tar.gz")["manifest.json"])
    assert manifest["missing_files"] == [image.file.name]
    assert image.file.name in errors.getvalue()


@pytest.mark.django_db
def test_restoring_into_an_installation_that_holds_data_is_refused_and_changes_nothing(tmp_path):
    ImageFactory()
    archive = tmp_path / "site.tar.gz"
    backup(archive)
    files_before = stored_files()

    with english(), pytest.raises(CommandError, match="The installation is not empty"):
        call_command("restore", str(archive))

    assert Communique.objects.count() == 1
    assert stored_files() == files_before


def tamper_with_a_photo(members):
    name = next(name for name in members if name.startswith("media/"))
    members[name] = members[name][:-1] + b"\0"


def tamper_with_the_data(members):
    rows = json.loads(members["data.json"])
    rows[0]["fields"]["title_fr"] = "Titre falsifié"
    members["data.json"] = json.dumps(rows).encode()


def drop_a_photo(members):
    del members[next(name for name in members if name.startswith("media/"))]


@pytest.mark.parametrize("damage", [tamper_with_a_photo, tamper_with_the_data, drop_a_photo])
@pytest.mark.django_db
def test_a_damaged_archive_is_refused_before_anything_is_touched(tmp_path, damage):
    ImageFactory()
    archive = tmp_path / "site.tar.gz"
    members = backup(archive)
    damage(members)
    write_archive(archive, members)

    with (
        mock.patch("django.core.management.commands.migrate.Command.handle") as migrate,
        english(),
        pytest.raises(CommandError, match="The archive is damaged or incomplete"),
    ):
        call_command("restore", str(archive))

    migrate.assert_not_called()


@pytest.mark.django_db
def test_a_backup_made_under_migrations_unknown_here_is_refused(tmp_path, settings):
    # The project's migrations, even where the test database was made without them.
    settings.MIGRATION_MODULES = {}
    archive = tmp_path / "site.tar.gz"
    members = backup(archive)
    manifest = json.loads(members["manifest.json"])
    manifest["migrations"].setdefault("communiques", []).append("9999_from_the_future")
    members["manifest.json"] = json.dumps(manifest).encode()
    write_archive(archive, members)

    with english(), pytest.raises(CommandError, match="newer release.*9999_from_the_future"):
        call_command("restore", str(archive))


def test_a_file_that_is_not_an_archive_is_refused(tmp_path):
    archive = tmp_path / "notes.tar.gz"
    archive.write_text("Meeting notes, not a backup.")

    with english(), pytest.raises(CommandError, match="The archive is damaged or incomplete"):
        call_command("restore", str(archive))


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_save_committed_while_the_backup_runs_is_not_half_in_it(tmp_path):
    """A communiqué and its link, committed by another connection during the dump, are wholly
    absent from it: its rows are read as of the moment the backup began."""
    CommuniqueFactory(slug="before")
    original_start_object = python_serializer.Serializer.start_object
    written = threading.Event()

    def concurrent_save():
        try:
            SourceLinkFactory(communique=CommuniqueFactory(slug="during"))
        finally:
            connections.close_all()
            written.set()

    def start_object(serializer, obj):
        # The communiqués are being read; their links will be read after them.
        if isinstance(obj, Communique) and not written.is_set():
            thread = threading.Thread(target=concurrent_save)
            thread.start()
            thread.join()
        return original_start_object(serializer, obj)

    with mock.patch.object(python_serializer.Serializer, "start_object", start_object):
        members = backup(tmp_path / "site.tar.gz")

    assert written.is_set()
    assert SourceLink.objects.filter(communique__slug="during").exists()
    rows = json.loads(members["data.json"])
    slugs = {row["fields"]["slug"] for row in rows if row["model"] == "communiques.communique"}
    communique_ids = {row["pk"] for row in rows if row["model"] == "communiques.communique"}
    link_owners = {
        row["fields"]["communique"] for row in rows if row["model"] == "communiques.sourcelink"
    }
    assert slugs == {"before"}
    assert link_owners <= communique_ids
    manifest = json.loads(members["manifest.json"])
    assert manifest["database"]["isolation"] == "repeatable read"
    assert manifest["objects"]["communiques.sourcelink"] == len(link_owners)
