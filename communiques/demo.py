"""Demo content: the reference communiqué, its translations and a dozen more, for `make run`.

Loading is idempotent: every file goes through the importer, which updates what exists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from modeltranslation.utils import build_localized_fieldname

from .importers import communique_import
from .models import Category

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
# The one text that was really published; every other version is written for the demo.
ORIGINAL_SAMPLE = ("coalition-against-daesh-2019-06-25", "fa-af")
DEMO_ADMIN_USERNAME = "admin"
DEMO_ADMIN_PASSWORD = "communiques-demo"


@dataclass
class DemoReport:
    communiques: set[str] = field(default_factory=set)
    versions: int = 0
    created: int = 0
    warnings: list[str] = field(default_factory=list)


def language_of(path: Path) -> str:
    """Return the Django language code of a demo file named `<slug>.<language>.txt`."""
    return path.suffixes[-2].lstrip(".").lower()


def demo_files(directory: Path = DEMO_DIR) -> list[Path]:
    """Return the demo files, each communiqué's original (Dari) version first."""
    default = settings.LANGUAGE_CODE
    return sorted(
        directory.glob("*.txt"),
        key=lambda path: (path.name.split(".")[0], language_of(path) != default, path.name),
    )


def load_categories(directory: Path = DEMO_DIR) -> dict[str, Category]:
    """Create or update the demo categories; return them by communiqué slug."""
    data = json.loads((directory / "categories.json").read_text(encoding="utf-8"))
    categories = {}
    for slug, names in data.pop("categories").items():
        defaults = {
            build_localized_fieldname("name", code): names.get(code, "")
            for code, _name in settings.LANGUAGES
        }
        categories[slug], _created = Category.objects.update_or_create(slug=slug, defaults=defaults)
    return {communique: categories[category] for communique, category in data.items()}


@transaction.atomic
def load_demo(directory: Path = DEMO_DIR) -> DemoReport:
    """Import every demo file, published, and mark the versions written for the demo."""
    report = DemoReport()
    categories = load_categories(directory)
    languages = {code for code, _name in settings.LANGUAGES}
    for path in demo_files(directory):
        language = language_of(path)
        if language not in languages:
            continue
        result = communique_import(path=path, language=language, publish=True)
        communique = result.communique
        report.communiques.add(communique.slug)
        report.versions += 1
        report.created += int(result.created)
        report.warnings.extend(f"{path.name}: {warning}" for warning in result.warnings)
        updates = {
            "category": categories.get(communique.slug),
            build_localized_fieldname("is_demo_translation", language): (
                (communique.slug, language) != ORIGINAL_SAMPLE
            ),
        }
        changed = [name for name, value in updates.items() if getattr(communique, name) != value]
        if changed:
            for name in changed:
                setattr(communique, name, updates[name])
            communique.save(update_fields=changed)
    return report


def ensure_demo_admin() -> tuple[str, str]:
    """Create the demo superuser if it does not exist; return its credentials."""
    User = get_user_model()
    if not User.objects.filter(username=DEMO_ADMIN_USERNAME).exists():
        User.objects.create_superuser(DEMO_ADMIN_USERNAME, email="", password=DEMO_ADMIN_PASSWORD)
    return DEMO_ADMIN_USERNAME, DEMO_ADMIN_PASSWORD
