"""The app factory, probes, error contract and API docs."""

from __future__ import annotations

import pytest

from app import create_app
from app.config import ConfigError, Settings


def test_factory_applies_overrides(app):
    assert app.config["TESTING"] is True
    assert app.config["PUBLIC_BASE_URL"] == "https://bijna.test"


PROD_URLS = {"DATABASE_URL": "postgresql://db/bijna", "REDIS_URL": "redis://r:6379/0"}
PROD = {"ENV": "production", **PROD_URLS, "SECRET_KEY": "s" * 40, "SMS_PROVIDER": "twilio",
        "PUBLIC_BASE_URL": "https://b.example", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t",
        "TWILIO_FROM": "+3197010203040"}


@pytest.mark.parametrize("env, name", [
    ({"ENV": "production"}, "DATABASE_URL"),
    ({"ENV": "production", "DATABASE_URL": "postgresql://db/bijna"}, "REDIS_URL"),
    ({"ENV": "production", "DATABASE_URL": "sqlite:////tmp/x.sqlite3", "REDIS_URL": "redis://r:6379/0"},
     "DATABASE_URL"),
    ({"ENV": "production", **PROD_URLS}, "SECRET_KEY"),
    ({"ENV": "production", **PROD_URLS, "SECRET_KEY": "s" * 40}, "PUBLIC_BASE_URL"),
    ({"ENV": "production", **PROD_URLS, "SECRET_KEY": "s" * 40, "PUBLIC_BASE_URL": "https://b.example"},
     "SMS_PROVIDER"),
    ({"ENV": "production", **PROD_URLS, "SECRET_KEY": "s" * 40, "PUBLIC_BASE_URL": "https://b.example",
      "SMS_PROVIDER": "twilio"}, "TWILIO_ACCOUNT_SID"),
    ({**PROD, "TWILIO_FROM": ""}, "TWILIO_MESSAGING_SERVICE_SID"),
    ({**PROD, "TWILIO_FROM": "hello-world-this-is-long"}, "TWILIO_FROM"),
    ({**PROD, "TWILIO_MESSAGING_SERVICE_SID": "MG123"}, "TWILIO_MESSAGING_SERVICE_SID"),
    ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
    ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
    ({"SENDER_RATE_PER_SECOND": "fast"}, "SENDER_RATE_PER_SECOND"),
    ({"SMS_PROVIDER": "carrier-pigeon"}, "SMS_PROVIDER"),
])
def test_bad_settings_stop_startup_naming_the_setting(env, name):
    with pytest.raises(ConfigError) as error:
        Settings.from_env(env)
    assert name in str(error.value) and "\n" not in str(error.value)


def test_a_complete_production_config_is_accepted():
    assert Settings.from_env(PROD).production


def test_a_bad_setting_stops_the_entry_points_with_one_line(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "ENV": "production", "DATABASE_URL": "", "REDIS_URL": ""}
    for command in (["-c", "import wsgi"], ["-m", "workers.periodic"]):
        done = subprocess.run([sys.executable, *command], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 1
        assert done.stderr.strip() == ("bijna: configuration error: DATABASE_URL is missing: production does not "
                                       "fall back to the embedded default")


def test_healthz_and_readyz(client):
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["redis"] == "ok"


def test_readyz_names_redis_when_it_is_unreachable(db):
    from bijna_testing import app_config

    broken = create_app(app_config(REDIS_URL="redis://127.0.0.1:1/0"))
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503
    assert "redis" in response.get_json()["error"]["fields"]
    assert "database" not in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("method, path, status, code", [
    ("get", "/nowhere", 404, "not_found"),
    ("delete", "/api/v1/shipments", 405, "method_not_allowed"),
])
def test_every_error_is_json(client, method, path, status, code):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_oversized_bodies_are_refused(client, shop_headers, app):
    response = client.post("/api/v1/shipments", data="x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
                           headers={**shop_headers, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_unexpected_failures_are_json_500(db):
    from bijna_testing import app_config

    fresh = create_app(app_config())
    fresh.add_url_rule("/boom-for-test", "boom", lambda: 1 / 0)
    response = fresh.test_client().get("/boom-for-test")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"


def test_openapi_document_comes_from_the_schemas(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    create = spec["components"]["schemas"]["ShipmentCreate"]
    assert {"order_ref", "carrier", "tracking_number", "recipient"} <= set(create["required"])
    assert "post" in spec["paths"]["/api/v1/shipments"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and b"/api/v1/shipments" in page.data


def test_shop_settings_say_whether_replies_are_possible(client, shop, shop_headers, runner):
    assert client.get("/api/v1/shop", headers=shop_headers).get_json()["two_way"] is True
    assert runner.invoke(args=["shops", "assign-sender", shop.id, "Bloemen"]).exit_code == 0  # the operator's call
    one_way = client.patch("/api/v1/shop", json={"sender": "Bloemen"}, headers=shop_headers).get_json()
    assert one_way["two_way"] is False
    bad = client.patch("/api/v1/shop", json={"sender": "Way too long sender", "timezone": "Mars/Base"},
                       headers=shop_headers)
    assert bad.status_code == 422 and {"sender", "timezone"} <= set(bad.get_json()["error"]["fields"])


def test_a_webhook_endpoint_gets_a_secret_shown_once_and_rotatable(client, shop_headers):
    first = client.patch("/api/v1/shop", json={"webhook_url": "https://shop.example/hooks"}, headers=shop_headers)
    secret = first.get_json()["webhook_secret"]
    assert secret.startswith("whsec_")
    again = client.patch("/api/v1/shop", json={"webhook_url": "https://shop.example/hooks2"}, headers=shop_headers)
    assert "webhook_secret" not in again.get_json()
    rotated = client.post("/api/v1/shop/webhook-secret", headers=shop_headers).get_json()["webhook_secret"]
    assert rotated != secret


@pytest.mark.parametrize("url", ["http://shop.example/hooks", "https://169.254.169.254/latest/meta-data",
                                 "https://127.0.0.1:6379/", "https://10.0.0.8/", "https://localhost/x"])
def test_production_refuses_webhook_urls_into_our_own_network(app, client, shop_headers, url):
    app.config["ENV"] = "production"
    try:
        response = client.patch("/api/v1/shop", json={"webhook_url": url}, headers=shop_headers)
    finally:
        app.config["ENV"] = "test"
    assert response.status_code == 422 and "webhook_url" in response.get_json()["error"]["fields"]


def test_cli_refuses_what_the_api_refuses_and_prints_the_webhook_secret(runner):
    bad = runner.invoke(args=["shops", "create", "--name", "X", "--language", "xx"])
    assert bad.exit_code != 0 and "language" in bad.output
    good = runner.invoke(args=["shops", "create", "--name", "X", "--webhook-url", "https://x.example/h"])
    assert good.exit_code == 0 and "webhook secret (shown once): whsec_" in good.output


def test_every_api_route_is_in_the_openapi_document(app, client):
    import re

    spec = client.get("/api/v1/openapi.json").get_json()["paths"]
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("openapi."):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method.lower() not in spec.get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []
