"""The site settings and the categories, when the database or the storage fails during a save.

As for the communiqués (test_failures.py): the form comes back with what was typed and the
reason, in the admin's language; nothing is saved, and no file the save stored is left behind.
"""

import errno
from unittest import mock

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from pytest_django.asserts import assertContains

from communiques.models import Category, SiteSettings
from tests.factories import CategoryFactory
from tests.test_admin import form_data, speak
from tests.test_failures import fail_query
from tests.test_images import stored_files
from tests.test_site import named_site, png_upload

pytestmark = pytest.mark.django_db

SETTINGS_DATABASE_FAILED = (
    "تنظیمات سایت ذخیره نشد: به پایگاه داده دسترسی نبود. هیچ چیزی تغییر نکرد؛ دوباره کوشش کنید."
)
SETTINGS_STORAGE_FAILED = (
    "تنظیمات سایت ذخیره نشد: لوگو ذخیره نشد (شاید دیسک پر باشد). هیچ چیزی تغییر نکرد؛ لوگو را "
    "دوباره انتخاب و ذخیره کنید، یا بعداً کوشش کنید."
)
CATEGORY_DATABASE_FAILED = (
    "کتگوری ذخیره نشد: به پایگاه داده دسترسی نبود. هیچ چیزی تغییر نکرد؛ دوباره کوشش کنید."
)
# The admin's own template writes the language code as Django spells it.
DARI_ROOT = '<html lang="fa-af" dir="rtl">'

SETTINGS_ADD_URL = reverse("admin:communiques_sitesettings_add")
CATEGORY_ADD_URL = reverse("admin:communiques_category_add")


def settings_url(site):
    return reverse("admin:communiques_sitesettings_change", args=[site.pk])


def category_url(category):
    return reverse("admin:communiques_category_change", args=[category.pk])


def disk_filling_up(begun):
    """Let the storage begin writing a file, then fail as a full disk does.

    Django's FileSystemStorage leaves what it wrote of the file: each name it began is added to
    `begun` if that part was there when the write failed.
    """
    original = FileSystemStorage._save

    def save(storage, name, content):
        def chunks(chunk_size=None):
            content.seek(0)
            yield content.read(16)
            raise OSError(errno.ENOSPC, "No space left on device")

        content.chunks = chunks
        try:
            return original(storage, name, content)
        except OSError:
            if storage.exists(name):
                begun.append(name)
            raise

    return save


def error_note(response):
    return response.context["adminform"].form.non_field_errors()


def said_nothing_else(response):
    """Tell whether the page carries no message of the failed attempt ("changed successfully")."""
    return not list(response.context["messages"])


@pytest.fixture
def dari_admin(admin_client):
    """A superuser, whose admin speaks Dari: the site settings are theirs alone to change."""
    return speak(admin_client, "fa-af")


@pytest.fixture
def dari_editor(login):
    """An editor, whose admin speaks Dari: editors add and change the categories."""
    return speak(login("editor"), "fa-af")


@pytest.fixture
def site_with_logo():
    site = named_site(tagline_fr="Service de presse")
    site.logo.save("logo.png", png_upload(), save=True)
    return site


def typed_settings(client, url):
    data = form_data(client.get(url))
    data.update(
        {
            "name_fr": "Nom tapé pendant la panne",
            "tagline_fa_af": "دفتر مطبوعاتی، تایپ‌شده در هنگام خرابی",
            "logo": png_upload(size=(300, 100)),
        }
    )
    return data


# --- The site settings --------------------------------------------------------------------------


def test_a_logo_the_disk_cannot_hold_is_refused_in_dari_and_leaves_no_file(
    dari_admin, site_with_logo
):
    url = settings_url(site_with_logo)
    files_before = stored_files()
    data = typed_settings(dari_admin, url)
    begun = []

    with mock.patch.object(FileSystemStorage, "_save", disk_filling_up(begun)):
        response = dari_admin.post(url, data)

    assert response.status_code == 200
    assert begun, "the disk filled up once part of the new logo was written"
    assert error_note(response) == [SETTINGS_STORAGE_FAILED]
    assertContains(response, DARI_ROOT)
    assertContains(response, SETTINGS_STORAGE_FAILED)
    assertContains(response, "Nom tapé pendant la panne")
    assertContains(response, "دفتر مطبوعاتی، تایپ‌شده در هنگام خرابی")
    assert said_nothing_else(response)
    site = SiteSettings.load()
    assert (site.name_fr, site.tagline_fa_af) == (
        site_with_logo.name_fr,
        site_with_logo.tagline_fa_af,
    )
    assert site.logo.name == site_with_logo.logo.name
    assert stored_files() == files_before
    assert not LogEntry.objects.exists()

    # The positive control: with room on the disk, the same post saves the new logo.
    data["logo"] = png_upload(size=(300, 100))
    assert dari_admin.post(url, data).status_code == 302
    site = SiteSettings.load()
    assert site.name_fr == "Nom tapé pendant la panne"
    assert (site.logo_width, site.logo_height) == (300, 100)


def test_settings_the_database_fails_to_save_keep_the_old_logo_and_store_no_new_one(
    dari_admin, site_with_logo
):
    url = settings_url(site_with_logo)
    files_before = stored_files()
    data = typed_settings(dari_admin, url)

    # The admin's log entry is the last write of a save: the new logo is stored by then.
    with fail_query(r'INSERT INTO "django_admin_log"'):
        response = dari_admin.post(url, data)

    assert response.status_code == 200
    assert error_note(response) == [SETTINGS_DATABASE_FAILED]
    assertContains(response, SETTINGS_DATABASE_FAILED)
    assertContains(response, "Nom tapé pendant la panne")
    assertContains(response, "دفتر مطبوعاتی، تایپ‌شده در هنگام خرابی")
    assert said_nothing_else(response)
    site = SiteSettings.load()
    assert site.name_fr == site_with_logo.name_fr
    assert site.logo.name == site_with_logo.logo.name
    assert site.logo.storage.exists(site.logo.name)
    assert stored_files() == files_before


def test_first_settings_the_database_fails_to_save_leave_no_row_and_no_file(dari_admin):
    data = {
        "name_fa_af": "سفارت فرانسه در افغانستان",
        "name_fr": "Nom tapé pendant la panne",
        "logo": png_upload(),
    }

    with fail_query(r'UPDATE "communiques_sitesettings"|INSERT INTO "communiques_sitesettings"'):
        response = dari_admin.post(SETTINGS_ADD_URL, data)

    assert response.status_code == 200
    assert error_note(response) == [SETTINGS_DATABASE_FAILED]
    assertContains(response, "سفارت فرانسه در افغانستان")
    assertContains(response, "Nom tapé pendant la panne")
    assert not SiteSettings.objects.exists()
    assert stored_files() == []


# --- The categories -----------------------------------------------------------------------------


def test_a_category_the_database_fails_to_add_is_said_unsaved_in_dari(dari_editor):
    data = {
        "name_fa_af": "دیدار رسمی",
        "name_ps": "رسمي لیدنه",
        "name_fr": "Visite officielle",
        "slug": "visite-officielle",
    }

    with fail_query(r'INSERT INTO "django_admin_log"'):
        response = dari_editor.post(CATEGORY_ADD_URL, data)

    assert response.status_code == 200
    assert error_note(response) == [CATEGORY_DATABASE_FAILED]
    assertContains(response, DARI_ROOT)
    assertContains(response, CATEGORY_DATABASE_FAILED)
    for typed in data.values():
        assertContains(response, typed)
    assert said_nothing_else(response)
    assert not Category.objects.exists()

    # The positive control: the same form saves once the database answers.
    assert dari_editor.post(CATEGORY_ADD_URL, data).status_code == 302
    assert Category.objects.get().name_fr == "Visite officielle"


def test_a_category_change_the_database_fails_to_save_leaves_the_category_as_it_was(
    dari_editor,
):
    category = CategoryFactory()
    before = (category.name_fa_af, category.name_fr, category.slug)
    data = form_data(dari_editor.get(category_url(category)))
    data.update({"name_fa_af": "نام تایپ‌شده", "name_fr": "Nom tapé", "slug": "nom-tape"})

    with fail_query(r'UPDATE "communiques_category"'):
        response = dari_editor.post(category_url(category), data)

    assert response.status_code == 200
    assert error_note(response) == [CATEGORY_DATABASE_FAILED]
    for typed in ("نام تایپ‌شده", "Nom tapé", "nom-tape"):
        assertContains(response, typed)
    category.refresh_from_db()
    assert (category.name_fa_af, category.name_fr, category.slug) == before
