import time

import pytest
from django.conf import settings
from django.template.backends import jinja2 as jinja2_backend
from django.test.signals import template_rendered
from django.utils import translation


def jinja2_render_told_to_the_test_client(render):
    """Tell Django's test client of each Jinja2 template rendered, as its own templates do, so
    that response.context and response.templates name the public pages' (Django ticket #24622).
    """

    def instrumented(template, context=None, request=None):
        template_rendered.send(sender=template, template=template, context=dict(context or {}))
        return render(template, context, request)

    return instrumented


jinja2_backend.Template.render = jinja2_render_told_to_the_test_client(
    jinja2_backend.Template.render
)
jinja2_backend.Template.name = property(lambda template: template.origin.template_name)


@pytest.fixture(autouse=True)
def isolated_files(settings, tmp_path):
    """Keep uploads out of the project, and serve static files without a collectstatic run."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def empty_cache():
    """Start every test with an empty cache: no page cached by another test is served."""
    from django.core.cache import cache

    from communiques.cache import STATE_KEY, PageState

    cache.clear()
    # A test's database starts empty, with nothing scheduled: the page cache's generation starts
    # here, rather than costing the first page of each test the query that finds that out.
    cache.set(STATE_KEY, tuple(PageState("new", time.time(), None)), timeout=None)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Spare every test the deliberately slow hashing of its users' passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def roles():
    """The press office's groups, as setup_roles makes them."""
    from communiques.permissions import setup_roles

    setup_roles()


@pytest.fixture
def login(client, django_user_model, roles):
    """Log the client in, in English, as a new user with one role: "officer", "editor",
    "translator-<language>", or "nobody" (staff without a role)."""
    from communiques.permissions import EDITOR, PRESS_OFFICER, assign_role, translator_group_name

    groups = {"officer": PRESS_OFFICER, "editor": EDITOR}

    def login(role):
        user = django_user_model.objects.create_user(role, password="x", is_staff=True)
        if role != "nobody":
            group = groups.get(role) or translator_group_name(role.removeprefix("translator-"))
            assign_role(user, group)
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


@pytest.fixture(autouse=True)
def default_language():
    """Start every test in the default language: a request leaves its language active."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
