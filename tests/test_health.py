import json
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down():
    with mock.patch.object(
        connection, "cursor", side_effect=OperationalError("could not connect to server")
    ):
        yield


def test_live_answers_ok_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-store" in response["Cache-Control"]


def test_live_answers_while_the_database_is_down(client, database_down):
    assert client.get("/health/live").status_code == 200


def test_ready_reports_the_database_and_the_cache(client):
    response = client.get("/health/ready")

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ready", "database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_ready_answers_503_while_the_database_is_unreachable(client, database_down):
    response = client.get("/health/ready")

    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "unavailable",
        "database": "unreachable",
        "cache": "ok",
    }
    assert "no-store" in response["Cache-Control"]


def test_ready_answers_again_once_the_database_is_back(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        assert client.get("/health/ready").status_code == 503

    assert client.get("/health/ready").status_code == 200


def test_an_unreachable_cache_is_reported_but_not_fatal(client):
    with mock.patch.object(cache, "set", side_effect=ConnectionError("Connection refused")):
        response = client.get("/health/ready")

    assert response.status_code == 200
    assert json.loads(response.content)["cache"] == "unreachable"


def test_probes_over_plain_http_are_answered_when_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/fr/").status_code == 301
    assert client.get("/health/live").status_code == 200
    assert client.get("/health/ready").status_code == 200


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
def test_probes_have_no_language_prefix(client, path):
    assert client.get(f"/fr{path}").status_code == 404
