"""Every route of the URL map is either public on purpose or refuses strangers and other tenants."""

from __future__ import annotations

import re

import pytest

# Public on purpose: probes, docs, assets, the console's login; the tracking page (its 192-bit token is
# the credential), Twilio's webhooks (signed) and the simulator's phone (never registered in production).
PUBLIC = {"health.healthz", "health.readyz", "openapi.docs", "openapi.openapi_json", "favicon", "static",
          "console.login", "console.static", "console_kpis.static", "devphone.phone", "devphone.latest",
          "devphone.reply"}
TOKEN_IN_PATH = re.compile(r"^(tracking|problem_report)\.")
SIGNED = re.compile(r"^twilio_webhooks\.")
OBJECT_ARGUMENTS = ("shipment_id", "rebooking_id", "user_id", "ticket_id")


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _path(rule, values: dict) -> str:
    path = rule.rule
    for argument in rule.arguments:
        path = re.sub(rf"<(?:[^:<>]+:)?{argument}>", values.get(argument, "x"), path)
    return path


def _call(client, method: str, path: str, headers: dict | None = None):
    kwargs = {"headers": headers or {}}
    if method in ("POST", "PATCH", "PUT"):
        kwargs["json"] = {}
    return client.open(path, method=method, **kwargs)


@pytest.fixture
def tenants(db, make_shipment, carrier_headers):
    """Shop A with a shipment, and shop B's key."""
    from app.cli import create_shop

    shipment = make_shipment()
    _, other_key = create_shop("Other shop", sender="+3197010209999")
    return shipment, {"Authorization": f"Bearer {other_key}"}


def test_every_non_public_route_refuses_a_request_without_credentials(app, client, tenants):
    shipment, _ = tenants
    values = {"shipment_id": shipment["id"], "token": "x" * 32, "kind": "delivered", "language": "nl",
              "filename": "x", "route_id": "R1"}
    let_in = []
    for rule, method in _routes(app):
        if rule.endpoint in PUBLIC:
            continue
        response = _call(client, method, _path(rule, values))
        if rule.endpoint.startswith("console"):
            refused = response.status_code in (400, 401, 403) or (
                response.status_code in (302, 303) and "/console/login" in response.headers.get("Location", ""))
        elif TOKEN_IN_PATH.match(rule.endpoint):
            refused = response.status_code == 404  # an unknown token is as good as no page
        elif SIGNED.match(rule.endpoint):
            refused = response.status_code == 403
        else:
            refused = response.status_code in (401, 403)
        if not refused:
            let_in.append(f"{method} {rule.rule} -> {response.status_code}")
    assert not let_in, let_in


def test_no_api_route_serves_another_tenant(app, client, tenants, shop_headers, carrier_headers):
    shipment, other_shop = tenants
    values = {"shipment_id": shipment["id"], "kind": "delivered", "language": "nl", "route_id": "R1",
              "rebooking_id": "x", "user_id": "x"}
    let_in = []
    for rule, method in _routes(app):
        if not rule.rule.startswith("/api/v1/") or rule.endpoint in PUBLIC:
            continue
        path = _path(rule, values)
        carrier_route = rule.rule.startswith("/api/v1/carrier/")
        # The other kind of tenant: a shop's key never opens the carrier API, nor a carrier's token the shop API.
        wrong_kind = _call(client, method, path, shop_headers if carrier_route else carrier_headers)
        if wrong_kind.status_code != 401:
            let_in.append(f"{method} {rule.rule} with the wrong kind of credential -> {wrong_kind.status_code}")
        # Another shop: A's objects are as missing to B as a wrong id.
        if not carrier_route and any(argument in rule.arguments for argument in OBJECT_ARGUMENTS):
            other = _call(client, method, path, other_shop)
            if other.status_code not in (403, 404):
                let_in.append(f"{method} {rule.rule} with another shop's key -> {other.status_code}")
    assert not let_in, let_in
    assert client.get(f"/api/v1/shipments/{shipment['id']}", headers=shop_headers).status_code == 200
