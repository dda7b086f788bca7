import pytest


@pytest.fixture(autouse=True)
def isolated_files(settings, tmp_path):
    """Keep uploads out of the project, and serve static files without a collectstatic run."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
