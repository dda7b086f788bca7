"""Write the whole site, its database and the media files it refers to, into one archive.

The archive (`.tar.gz`) holds:
- `data.json`: every row, as `dumpdata --natural-foreign` writes them, but content types,
  permissions (which `migrate` makes again, under other ids: rows refer to them by natural key)
  and sessions (sign-ins, not content);
- `media/…`: every file a row refers to (photos with their renditions, the logo), by its name in
  the storage;
- `manifest.json`: the format, the versions of Python, Django and the migrations applied, the
  number of rows of each model, and the SHA-256 of `data.json` and of every file.

Consistency: the rows are read in one transaction, REPEATABLE READ on PostgreSQL, so a save that
commits while the backup runs is either wholly in it or not at all; on SQLite the transaction's
read lock has the same effect. The files are read after the rows: a photo added meanwhile is not
referred to, and one replaced meanwhile is reported missing (its row in the backup names a file
that is gone), which the next backup corrects.

`restore` puts an archive back into an empty installation. For a large site on PostgreSQL,
`pg_dump` and a copy of the media folder are the faster alternative (README, "Backups").
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import django
from django.apps import apps
from django.core.files.storage import Storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalChanges

# The format of the archive: restore refuses one it cannot read.
FORMAT = 1
DATA_NAME = "data.json"
MANIFEST_NAME = "manifest.json"
MEDIA_FOLDER = "media"
# Made again by migrate (content types, permissions), or not content at all (sessions).
EXCLUDED = ("contenttypes", "auth.permission", "sessions")
CHUNK = 1 << 20


def backed_up_models(database: str) -> list[type[models.Model]]:
    """Return the models whose rows the backup holds, as dumpdata chooses them."""
    excluded_apps = {label for label in EXCLUDED if "." not in label}
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label not in excluded_apps
        and model._meta.label_lower not in EXCLUDED
        and not model._meta.proxy
        and router.allow_migrate_model(database, model)
    ]


def referenced_files(database: str) -> dict[str, Storage]:
    """Return every media file a row refers to, with its storage, by name."""
    files: dict[str, Storage] = {}
    for model in backed_up_models(database):
        # A version in the history names the photo of its time, deleted since by design.
        if issubclass(model, HistoricalChanges):
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        if not fields:
            continue
        for row in model._base_manager.using(database).iterator():
            for field in fields:
                value = getattr(row, field.attname)
                if value:
                    files[value.name] = field.storage
            # An image's renditions are files too, named in a JSON field (communiques.Image).
            for name in getattr(row, "stored_names", lambda: [])():
                files[name] = fields[0].storage
    return files


def applied_migrations(database: str) -> dict[str, list[str]]:
    recorder = MigrationRecorder(connections[database])
    applied: dict[str, list[str]] = {}
    if recorder.has_table():
        for app_label, name in sorted(recorder.applied_migrations()):
            applied.setdefault(app_label, []).append(name)
    return applied


@contextmanager
def consistent_read(database: str) -> Iterator[str]:
    """Read every table as of one moment; yield how that is ensured, for the manifest."""
    connection = connections[database]
    if connection.in_atomic_block:
        # Called inside a transaction already begun (a test): its view is the one read.
        with transaction.atomic(using=database):
            yield "the caller's transaction"
        return
    # Connected (and health-checked) now, so that the isolation is the transaction's first
    # statement, as PostgreSQL requires.
    connection.ensure_connection()
    with connection.cursor():
        pass
    with transaction.atomic(using=database):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield "repeatable read"
        else:
            # SQLite: the transaction's read lock holds writers off until it ends.
            yield "one transaction"


class HashingReader(io.RawIOBase):
    """Read a file while computing its SHA-256 and size, for the manifest."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # argparse cannot format a lazy string; the parser is built once the language is active.
        return _(
            "Write a consistent backup of the database and of every media file it refers to, "
            "as one archive."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            help=gettext_lazy(
                "The archive to write (default: communiques-backup-DATE.tar.gz here); - writes "
                "it to the standard output."
            ),
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, output: str | None, database: str, **options: Any) -> None:
        started = timezone.now()
        if output is None:
            output = f"communiques-backup-{timezone.localtime(started):%Y%m%d-%H%M%S}.tar.gz"
        with tempfile.TemporaryDirectory(prefix="communiques-backup-") as folder:
            data_path = Path(folder) / DATA_NAME
            with consistent_read(database) as isolation:
                call_command(
                    "dumpdata",
                    exclude=list(EXCLUDED),
                    use_natural_foreign_keys=True,
                    use_base_manager=True,
                    database=database,
                    output=str(data_path),
                    verbosity=0,
                )
                counts = {
                    model._meta.label_lower: model._base_manager.using(database).count()
                    for model in backed_up_models(database)
                }
                files = referenced_files(database)
                migrations = applied_migrations(database)
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "created_at": started.isoformat(),
                "versions": {
                    "python": platform.python_version(),
                    "django": django.get_version(),
                },
                "database": {"vendor": connections[database].vendor, "isolation": isolation},
                "migrations": migrations,
                "objects": counts,
                "data": {"name": DATA_NAME, "sha256": sha256_of(data_path)},
                "files": [],
                "missing_files": [],
            }
            if output == "-":
                self.write_archive(sys.stdout.buffer, "w|gz", data_path, files, manifest)
            else:
                # Under another name until complete: an interrupted backup never looks whole.
                partial = f"{output}.partial"
                try:
                    with open(partial, "wb") as file:
                        self.write_archive(file, "w:gz", data_path, files, manifest)
                    os.replace(partial, output)
                except BaseException:
                    Path(partial).unlink(missing_ok=True)
                    raise
        if manifest["missing_files"]:
            self.stderr.write(
                _(
                    "Files the database refers to are missing from the storage, so they are "
                    "not in the backup: %(names)s"
                )
                % {"names": ", ".join(manifest["missing_files"])}
            )
        # With -, the archive is the standard output: the report goes to the error output.
        report = self.stderr if output == "-" else self.stdout
        report.write(
            _("Backup written to %(path)s: %(objects)d objects and %(files)d files.")
            % {
                "path": output,
                "objects": sum(counts.values()),
                "files": len(manifest["files"]),
            }
        )

    def write_archive(
        self,
        target: IO[bytes],
        mode: str,
        data_path: Path,
        files: dict[str, Storage],
        manifest: dict[str, Any],
    ) -> None:
        with tarfile.open(fileobj=target, mode=mode) as archive:
            archive.add(data_path, arcname=DATA_NAME)
            for name in sorted(files):
                storage = files[name]
                try:
                    size = storage.size(name)
                    source = storage.open(name, "rb")
                except (FileNotFoundError, OSError):
                    manifest["missing_files"].append(name)
                    continue
                with source:
                    info = tarfile.TarInfo(f"{MEDIA_FOLDER}/{name}")
                    info.size = size
                    info.mtime = int(timezone.now().timestamp())
                    reader = HashingReader(source)
                    archive.addfile(info, reader)
                manifest["files"].append(
                    {"name": name, "size": reader.size, "sha256": reader.digest.hexdigest()}
                )
            add_bytes(
                archive,
                MANIFEST_NAME,
                json.dumps(manifest, indent=2, ensure_ascii=False).encode(),
            )
