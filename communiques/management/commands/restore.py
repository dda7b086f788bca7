"""Put an archive written by `backup` back, into an empty installation.

In this order, so that a refused restore changes nothing:
1. read the archive into a temporary folder and check it: its format, the SHA-256 of its data
   and of every file, and that this release knows every migration it was made under;
2. check that the installation is empty: no row in any table the archive fills, and no media
   file of the same name with other content;
3. apply the migrations (an empty database gets every table), copy the media files, then load
   the rows in one transaction and check their number against the manifest; a failure removes
   the files copied and loads nothing;
4. start a new generation of the page cache, so that no page cached before is served.

An installation that already holds data is refused: restore into a new database (and an empty
media folder). Nothing is ever overwritten.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files import File
from django.core.files.storage import Storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communiques.cache import content_changed
from communiques.images import delete_files

from .backup import (
    CHUNK,
    DATA_NAME,
    FORMAT,
    MANIFEST_NAME,
    MEDIA_FOLDER,
    backed_up_models,
    sha256_of,
)


def media_storage() -> Storage:
    """Return the storage of the media files (every file field of the project uses it)."""
    from communiques.models import Image

    return Image._meta.get_field("file").storage


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # argparse cannot format a lazy string; the parser is built once the language is active.
        return _("Restore an archive written by the backup command into an empty installation.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "archive", help=gettext_lazy("The archive; - reads it from the standard input.")
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, archive: str, database: str, **options: Any) -> None:
        with tempfile.TemporaryDirectory(prefix="communiques-restore-") as folder:
            root = Path(folder)
            manifest = self.extract(archive, root)
            self.check_migrations(manifest)
            self.check_empty(database)
            storage = media_storage()
            to_copy = self.check_media(manifest, root, storage)
            call_command(
                "migrate", database=database, interactive=False, verbosity=0, run_syncdb=True
            )
            # Checked again: migrate writes nothing but content types and permissions, which
            # the archive does not hold.
            self.check_empty(database)
            copied = self.copy_media(to_copy, root, storage)
            try:
                with transaction.atomic(using=database):
                    call_command("loaddata", str(root / DATA_NAME), database=database, verbosity=0)
                    self.check_counts(manifest, database)
            except (DatabaseError, CommandError, ValueError) as error:
                delete_files(storage, copied)
                raise CommandError(
                    _("The data could not be loaded (%(error)s): nothing was restored.")
                    % {"error": error}
                ) from error
        content_changed()
        self.stdout.write(
            _(
                "Restored from %(archive)s (backup of %(date)s): %(objects)d objects and "
                "%(files)d files."
            )
            % {
                "archive": archive,
                "date": manifest.get("created_at", "?"),
                "objects": sum(manifest["objects"].values()),
                "files": len(manifest["files"]),
            }
        )

    # --- 1. The archive -----------------------------------------------------------------------

    def extract(self, archive: str, root: Path) -> dict[str, Any]:
        """Extract the archive into root; return its manifest once every checksum matches."""
        try:
            if archive == "-":
                opened = tarfile.open(fileobj=sys.stdin.buffer, mode="r|gz")
            else:
                opened = tarfile.open(archive, mode="r:gz")
            with opened:
                # The "data" filter refuses absolute names, "..", links and devices: an archive
                # cannot write outside the folder.
                opened.extractall(root, filter="data")
            manifest = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
        except (OSError, tarfile.TarError, ValueError) as error:
            raise self.damaged(str(error)) from error
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise CommandError(
                _("%(archive)s is not a backup this release can read.") % {"archive": archive}
            )
        try:
            if sha256_of(root / DATA_NAME) != manifest["data"]["sha256"]:
                raise self.damaged(DATA_NAME)
            for entry in manifest["files"]:
                path = root / MEDIA_FOLDER / entry["name"]
                if not path.is_file() or sha256_of(path) != entry["sha256"]:
                    raise self.damaged(entry["name"])
            if not isinstance(manifest["objects"], dict):
                raise self.damaged(MANIFEST_NAME)
        except (OSError, KeyError, TypeError) as error:
            raise self.damaged(MANIFEST_NAME) from error
        return manifest

    def damaged(self, detail: str) -> CommandError:
        return CommandError(
            _("The archive is damaged or incomplete (%(detail)s): nothing was restored.")
            % {"detail": detail}
        )

    def check_migrations(self, manifest: dict[str, Any]) -> None:
        """Refuse an archive made under migrations this release does not have."""
        loader = MigrationLoader(None, ignore_no_migrations=True)
        unknown = [
            f"{app_label}.{name}"
            for app_label, names in manifest.get("migrations", {}).items()
            # An app whose migrations are switched off here gets its tables from its models.
            if app_label in loader.migrated_apps
            for name in names
            if (app_label, name) not in loader.disk_migrations
        ]
        if unknown:
            raise CommandError(
                _(
                    "The backup was made by a newer release (its migrations %(migrations)s are "
                    "unknown here): install that release first. Nothing was restored."
                )
                % {"migrations": ", ".join(unknown)}
            )

    # --- 2. An empty installation -------------------------------------------------------------

    def check_empty(self, database: str) -> None:
        connection = connections[database]
        existing = set(connection.introspection.table_names())
        filled = [
            model._meta.label
            for model in backed_up_models(database)
            if model._meta.db_table in existing and model._base_manager.using(database).exists()
        ]
        if filled:
            raise CommandError(
                _(
                    "The installation is not empty (%(tables)s hold data): restore into a new, "
                    "empty database. Nothing was restored."
                )
                % {"tables": ", ".join(filled)}
            )

    def check_media(
        self, manifest: dict[str, Any], root: Path, storage: Storage
    ) -> list[dict[str, Any]]:
        """Return the files to copy: those the storage does not already hold, identical."""
        to_copy = []
        for entry in manifest["files"]:
            name = entry["name"]
            if not storage.exists(name):
                to_copy.append(entry)
                continue
            digest = hashlib.sha256()
            with storage.open(name, "rb") as existing:
                while chunk := existing.read(CHUNK):
                    digest.update(chunk)
            if digest.hexdigest() != entry["sha256"]:
                raise CommandError(
                    _(
                        "The media file %(name)s already exists with other content: restore "
                        "into an empty media folder. Nothing was restored."
                    )
                    % {"name": name}
                )
        return to_copy

    # --- 3. Copying and loading ---------------------------------------------------------------

    def copy_media(self, entries: list[dict[str, Any]], root: Path, storage: Storage) -> list[str]:
        copied: list[str] = []
        try:
            for entry in entries:
                with (root / MEDIA_FOLDER / entry["name"]).open("rb") as source:
                    saved = storage.save(entry["name"], File(source))
                copied.append(saved)
                if saved != entry["name"]:
                    # The storage chose another name (one appeared meanwhile): the rows would
                    # refer to the wrong file.
                    raise CommandError(
                        _(
                            "The media file %(name)s already exists with other content: "
                            "restore into an empty media folder. Nothing was restored."
                        )
                        % {"name": entry["name"]}
                    )
        except BaseException:
            delete_files(storage, copied)
            raise
        return copied

    def check_counts(self, manifest: dict[str, Any], database: str) -> None:
        """Refuse a load whose rows are not those the backup counted (raises, rolling back)."""
        for label, expected in manifest["objects"].items():
            try:
                model: type[models.Model] = apps.get_model(label)
            except LookupError as error:
                raise ValueError(label) from error
            found = model._base_manager.using(database).count()
            if found != expected:
                raise ValueError(f"{label}: {found} ≠ {expected}")
