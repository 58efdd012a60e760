"""Request ids, JSON log lines, redaction, /metrics access and the 503 answer for an outage (one process)."""

from __future__ import annotations

import json
import logging

import pytest

from app import create_app
from app.observability.logs import JsonFormatter, RedactingFilter, redact
from bijna_testing import app_config


def test_a_request_id_is_taken_or_made_and_echoed(client):
    given = client.get("/healthz", headers={"X-Request-ID": "carrier-req-42"})
    assert given.headers["X-Request-ID"] == "carrier-req-42"
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/healthz").headers["X-Request-ID"]
    hostile = client.get("/healthz", headers={"X-Request-ID": "x\" injected {" + "a" * 80})
    assert hostile.headers["X-Request-ID"].isalnum()  # a forged id is replaced, never logged as given


@pytest.mark.parametrize(("line", "hidden", "kept"), [
    ("GET /t/Qm9vbXRva2VuMTIzNDU2Nzg5MGFiY2RlZg HTTP/1.1", "Qm9vbXRva2Vu", "/t/[token]"),
    ("send to +31612345678 failed", "12345678", "+31…78"),
    ("GET /lookup?To=%2B31612345678", "612345678", "%2B31…78"),
    ("Authorization: Bearer bj_shop_abcdefghijklmnop", "abcdefghijklmnop", "Bearer [redacted]"),
    ("key bj_carrier_abcdefghijklmnopqrs leaked", "abcdefghijklmnopqrs", "bj_carrier_[redacted]"),
    ("the recipient typed 0612345678", "0612345678", "0…"),
])
def test_redaction_masks_tokens_credentials_and_numbers(line, hidden, kept):
    masked = redact(line)
    assert hidden not in masked and kept in masked


def test_an_exception_logged_with_a_number_is_masked_in_its_traceback_too():
    try:
        raise ValueError("duplicate key (to_number)=(+31612345678)")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed for %s", ("+31687654321",), sys.exc_info())
    RedactingFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert "87654321" not in entry["message"] and "12345678" not in entry["exception"]
    assert entry["level"] == "error" and entry["ts"].endswith("Z")


def test_metrics_need_the_token_outside_development(app, client):
    assert client.get("/metrics").status_code == 401
    app.config["METRICS_TOKEN"] = "a-metrics-token-of-some-length"
    try:
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        scrape = client.get("/metrics", headers={"Authorization": "Bearer a-metrics-token-of-some-length"})
        assert scrape.status_code == 200 and b"bijna_redis_up 1.0" in scrape.data
    finally:
        app.config["METRICS_TOKEN"] = ""


def test_metrics_answer_loopback_in_development_without_a_token(app, client):
    app.config["ENV"] = "development"
    try:
        assert client.get("/metrics").status_code == 200
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 401
    finally:
        app.config["ENV"] = "test"


def test_a_database_outage_answers_503_with_retry_after_in_the_error_contract(carrier_headers):
    away = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere"  # nothing listens on port 9
    client = create_app(app_config(SQLALCHEMY_DATABASE_URI=away)).test_client()
    answer = client.post("/api/v1/carrier/events", json={"events": []}, headers=carrier_headers)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"].isdigit()
    assert answer.get_json()["error"]["code"] == "unavailable"


def test_pooled_connections_are_checked_and_sql_errors_carry_no_parameters(app):
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_pre_ping"] is True and options["hide_parameters"] is True
