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

from . import permissions
from .importers import communique_import
from .models import Category, SiteSettings

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
# The one text that was really published; every other version is written for the demo.
ORIGINAL_SAMPLE = ("coalition-against-daesh-2019-06-25", "fa-af")
DEMO_ADMIN_USERNAME = "admin"
DEMO_ADMIN_PASSWORD = "communiques-demo"
# The embassy the demo communiqués come from, as its site settings name it in every language.
DEMO_SITE_SETTINGS = {
    "name": {
        "fa-af": "سفارت فرانسه در افغانستان",
        "ps": "په افغانستان کې د فرانسې سفارت",
        "fr": "Ambassade de France en Afghanistan",
        "en": "Embassy of France in Afghanistan",
    },
    "tagline": {
        "fa-af": "دفتر مطبوعاتی",
        "ps": "مطبوعاتي دفتر",
        "fr": "Service de presse",
        "en": "Press office",
    },
}
# A reserved domain (RFC 2606): the demo must not send journalists to a real mailbox.
DEMO_CONTACT_EMAIL = "press@embassy.example"


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


def load_site_settings() -> SiteSettings:
    """Name the demo embassy in every language, unless the site settings exist already."""
    defaults = {
        build_localized_fieldname(field, code): names.get(code, "")
        for field, names in DEMO_SITE_SETTINGS.items()
        for code, _name in settings.LANGUAGES
    }
    defaults["contact_email"] = DEMO_CONTACT_EMAIL
    # Created, never updated: what the press office has written in the admin since is kept.
    site_settings, _created = SiteSettings.objects.get_or_create(
        pk=SiteSettings.SINGLETON_PK, defaults=defaults
    )
    return site_settings


@transaction.atomic
def load_demo(directory: Path = DEMO_DIR) -> DemoReport:
    """Import every demo file, published, and mark the versions written for the demo."""
    report = DemoReport()
    load_site_settings()
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


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    password: str


def demo_roles() -> list[tuple[str, str]]:
    """Return (username, group) for each demo account that has a role: one per role."""
    return [
        ("editor", permissions.EDITOR),
        ("officer", permissions.PRESS_OFFICER),
        *(
            (f"translator-{code}", permissions.translator_group_name(code))
            for code, _name in settings.LANGUAGES
        ),
    ]


@transaction.atomic
def ensure_demo_users() -> list[DemoAccount]:
    """Set up the roles, create the demo superuser and one account per role; return them all.

    Accounts that exist are left as they are (their passwords too) but put back in their role.
    Every demo account shares the public DEMO_ADMIN_PASSWORD: load_demo runs only with DEBUG.
    """
    permissions.setup_roles()
    User = get_user_model()
    if not User.objects.filter(username=DEMO_ADMIN_USERNAME).exists():
        User.objects.create_superuser(DEMO_ADMIN_USERNAME, email="", password=DEMO_ADMIN_PASSWORD)
    accounts = [DemoAccount("Administrator", DEMO_ADMIN_USERNAME, DEMO_ADMIN_PASSWORD)]
    for username, group in demo_roles():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username, email="", password=DEMO_ADMIN_PASSWORD, is_staff=True
            )
        permissions.assign_role(user, group)
        accounts.append(DemoAccount(group, username, DEMO_ADMIN_PASSWORD))
    return accounts
