import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from communiques.demo import DEMO_ADMIN_USERNAME, ORIGINAL_SAMPLE, demo_files, load_demo
from communiques.models import Category, Communique, Image, SiteSettings, SourceLink

pytestmark = pytest.mark.django_db

SAMPLE_SLUG = ORIGINAL_SAMPLE[0]


def counts() -> tuple[int, int, int, int]:
    return (
        Communique.objects.count(),
        Image.objects.count(),
        SourceLink.objects.count(),
        Category.objects.count(),
    )


def test_demo_content_is_the_sample_in_four_languages_and_a_dozen_more():
    load_demo()

    sample = Communique.objects.get(slug=SAMPLE_SLUG)
    assert sample.available_languages == ["fa-af", "ps", "fr", "en"]
    assert sample.original_language == "fa-af"
    assert sample.category.slug == "press-release"
    assert Communique.objects.published().count() == Communique.objects.count() >= 13
    assert Communique.objects.published().in_language("fa-af").count() >= 13


def test_only_the_real_dari_text_is_not_marked_as_a_demo_translation():
    load_demo()

    sample = Communique.objects.get(slug=SAMPLE_SLUG)
    assert sample.is_demo_translation_fa_af is False
    assert (sample.is_demo_translation_ps, sample.is_demo_translation_fr) == (True, True)
    assert sample.is_demo_translation_en is True


def test_loading_the_demo_twice_duplicates_nothing():
    load_demo()
    before = counts()
    updated = Communique.objects.get(slug=SAMPLE_SLUG).updated_at

    report = load_demo()

    assert counts() == before
    assert report.created == 0
    assert Communique.objects.get(slug=SAMPLE_SLUG).updated_at == updated


def test_every_demo_file_imports_without_a_warning():
    report = load_demo()

    assert report.warnings == []
    assert report.versions == len(demo_files())


def test_the_command_refuses_to_create_a_public_password_outside_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("load_demo")
    assert Communique.objects.count() == 0


def test_the_command_prints_the_demo_admin_credentials(settings, capsys, django_user_model):
    settings.DEBUG = True

    call_command("load_demo")

    output = capsys.readouterr().out
    assert "communiques-demo" in output
    assert django_user_model.objects.get(username=DEMO_ADMIN_USERNAME).is_superuser


def test_the_demo_names_the_embassy_in_every_language():
    load_demo()

    site = SiteSettings.load()
    assert (site.name_fa_af, site.name_ps, site.name_fr, site.name_en) == (
        "سفارت فرانسه در افغانستان",
        "په افغانستان کې د فرانسې سفارت",
        "Ambassade de France en Afghanistan",
        "Embassy of France in Afghanistan",
    )
    assert site.contact_email.endswith(".example")


def test_loading_the_demo_again_keeps_the_site_settings_the_press_office_changed():
    load_demo()
    site = SiteSettings.load()
    site.name_fr = "Ambassade de France à Kaboul"
    site.save()

    load_demo()

    assert SiteSettings.objects.count() == 1
    assert SiteSettings.load().name_fr == "Ambassade de France à Kaboul"
