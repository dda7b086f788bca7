import json
import logging
import sys

import pytest
from django.urls import reverse

from embassy.logs import JsonFormatter, RequestIdFilter, current_request_id

pytestmark = pytest.mark.django_db


def request_lines(caplog):
    """Return the request log lines, as the JSON formatter writes them, parsed."""
    formatter = JsonFormatter()
    return [
        json.loads(formatter.format(record))
        for record in caplog.records
        if record.name == "embassy.requests"
    ]


def test_a_request_emits_one_json_line_with_its_status_and_duration(client, caplog):
    caplog.set_level(logging.INFO, logger="embassy.requests")

    response = client.get("/fr/")

    [line] = request_lines(caplog)
    assert line["method"] == "GET"
    assert line["path"] == "/fr/"
    assert line["status"] == response.status_code == 200
    assert line["duration_ms"] > 0
    assert line["language"] == "fr"
    assert line["user_id"] is None
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32
    assert line["level"] == "INFO"
    assert line["logger"] == "embassy.requests"


def test_the_status_of_a_missing_page_is_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="embassy.requests")

    client.get("/fr/communiques/no-such-communique/")

    [line] = request_lines(caplog)
    assert line["status"] == 404


def test_the_search_terms_stay_out_of_the_logs(client, caplog):
    caplog.set_level(logging.INFO, logger="embassy.requests")

    client.get("/fr/?q=private+words")

    [line] = request_lines(caplog)
    assert line["path"] == "/fr/"
    assert "private" not in json.dumps(line)


def test_a_signed_in_user_is_identified(client, caplog, django_user_model):
    user = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    client.force_login(user)
    caplog.set_level(logging.INFO, logger="embassy.requests")

    client.get(reverse("admin:index"))

    [line] = request_lines(caplog)
    assert line["user_id"] == user.pk


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("3f2a9c-proxy.42", True), ("not valid; rm -rf", False), ("x" * 65, False)],
    ids=["from the proxy", "forged", "too long"],
)
def test_a_request_id_from_the_proxy_is_kept_and_anything_else_replaced(client, caplog, sent, kept):
    caplog.set_level(logging.INFO, logger="embassy.requests")

    response = client.get("/health/live", headers={"X-Request-ID": sent})

    [line] = request_lines(caplog)
    assert (line["request_id"] == sent) is kept
    assert response["X-Request-ID"] == line["request_id"]


def test_records_logged_during_a_request_carry_its_id():
    record = logging.LogRecord("communiques", logging.WARNING, __file__, 1, "Saved", None, None)
    outside = logging.LogRecord("communiques", logging.WARNING, __file__, 1, "Saved", None, None)
    token = current_request_id.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        current_request_id.reset(token)
    RequestIdFilter().filter(outside)

    assert json.loads(JsonFormatter().format(record))["request_id"] == "abc123"
    assert "request_id" not in json.loads(JsonFormatter().format(outside))


def test_djangos_own_record_of_an_error_answer_carries_the_request_id(client, caplog):
    caplog.set_level(logging.INFO)

    response = client.get("/fr/communiques/no-such-communique/")

    [record] = [record for record in caplog.records if record.name == "django.request"]
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == response["X-Request-ID"]
    assert line["status_code"] == 404


def test_an_exception_is_formatted_inside_its_json_line():
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "Failed", None, sys.exc_info()
        )

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "Failed"
    assert "ValueError: broken" in line["exception"]
    assert "\n" not in JsonFormatter().format(record)
