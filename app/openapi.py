"""The OpenAPI 3 document, generated from the same marshmallow schemas the views use."""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, jsonify, render_template_string

bp = Blueprint("openapi", __name__)

# (method, path, summary, request schema, response schema, success status)
OPERATIONS: list[tuple[str, str, str, str | None, str | None, int]] = []


def operation(method: str, path: str, summary: str, body: str | None = None, response: str | None = None,
              status: int = 200) -> None:
    """Declare one documented operation; schema names refer to registered components."""
    OPERATIONS.append((method, path, summary, body, response, status))


def build_spec() -> dict:
    """Build the document from the registered schemas and operations."""
    from app.carrier_api import schemas as carrier_schemas
    from app.exceptions import schemas as ladder_schemas
    from app.kpis import api as kpi_api
    from app.rebooking import schemas as rebooking_schemas
    from app.shipments import messages as message_schemas
    from app.shipments import schemas as shipment_schemas
    from app.shops import schemas as shop_schemas
    from app.shops import templates_api
    from app.simulation import scorecard_api
    from app.tracking import feedback_api

    spec = APISpec(title="Bijna API", version="1.0.0", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   info={"description": "Shop API (Bearer API key) and carrier API (Bearer carrier token)."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", {"type": "object", "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "fields": {"type": "object"}}}}})
    for module in (shipment_schemas, shop_schemas, carrier_schemas, message_schemas, templates_api, feedback_api,
                   rebooking_schemas, scorecard_api, kpi_api, ladder_schemas, *EXTRA_SCHEMA_MODULES):
        for name in getattr(module, "DOCUMENTED", None) or _public_schemas(module):
            if name not in spec.components.schemas:
                spec.components.schema(name, schema=getattr(module, name))
    paths: dict[str, dict] = {}
    for method, path, summary, body, response, status in OPERATIONS:
        op: dict = {"summary": summary, "security": [{"bearer": []}], "responses": {
            str(status): {"description": "OK", **({"content": {"application/json": {"schema": response}}}
                                                  if response else {})},
            "default": {"description": "Error", "content": {"application/json": {"schema": "Error"}}}}}
        if body:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        paths.setdefault(path, {})[method] = op
    for path, ops in paths.items():
        spec.path(path=path, operations=ops)
    return spec.to_dict()


EXTRA_SCHEMA_MODULES: list = []


def _public_schemas(module) -> list[str]:
    from marshmallow import Schema

    return [name for name, value in vars(module).items()
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module.__name__]


operation("post", "/api/v1/shipments", "Create a shipment (Idempotency-Key honoured)", "ShipmentCreate",
          "ShipmentOut", 201)
operation("get", "/api/v1/shipments", "List shipments (filters, cursor pagination)", None, "ShipmentPage")
operation("get", "/api/v1/shipments/{shipment_id}", "Fetch a shipment", None, "ShipmentOut")
operation("patch", "/api/v1/shipments/{shipment_id}", "Update notify, recipient or window", "ShipmentPatch",
          "ShipmentOut")
operation("post", "/api/v1/shipments/{shipment_id}/cancel", "Cancel a shipment", None, "ShipmentOut")
operation("post", "/api/v1/carrier/events", "Push status events (carrier token)", "EventsIn", "EventsOut")
operation("post", "/api/v1/carrier/routes/{route_id}/etas", "Push a driver's route of ETAs (carrier token)",
          "RouteEtasIn", "IngestOut")
operation("post", "/api/v1/carrier/etas", "Push one stop's ETA (carrier token)", "StopEtaIn", "IngestOut")
operation("get", "/api/v1/shipments/{shipment_id}/messages", "List a shipment's texts with their status", None,
          "MessageList")
operation("get", "/api/v1/messages", "List the shop's latest texts", None, "MessageList")
operation("get", "/api/v1/shop/templates", "List the shop's own templates", None, "TemplateList")
operation("get", "/api/v1/shop/templates/{kind}/{language}", "Show the template in use, with a preview", None,
          "TemplateOut")
operation("put", "/api/v1/shop/templates/{kind}/{language}", "Save the shop's wording (checked now)", "TemplateIn",
          "TemplateOut")
operation("delete", "/api/v1/shop/templates/{kind}/{language}", "Go back to Bijna's wording", None, None, 204)
operation("get", "/api/v1/shipments/{shipment_id}/feedback",
          "Show the recipient's 1-5 rating and comment (tracking page or SMS); 404 while none", None, "FeedbackOut")
operation("get", "/api/v1/feedback", "List the shop's delivery ratings, latest first (filters: rating, since)",
          None, "FeedbackList")
operation("get", "/api/v1/shipments/{shipment_id}/rebookings", "List a shipment's rebookings (SMS or page)", None,
          "RebookingList")
operation("get", "/api/v1/rebookings", "List the shop's rebookings; ?status=dead for the dead letters", None,
          "RebookingList")
operation("get", "/api/v1/rebookings/{rebooking_id}", "Fetch one rebooking", None, "RebookingOut")
operation("get", "/api/v1/shop", "Show the shop's settings", None, "ShopOut")
operation("patch", "/api/v1/shop", "Change the shop's settings (a new webhook endpoint gets a secret, shown once)",
          "ShopPatch", "ShopOut")
operation("post", "/api/v1/shop/webhook-secret", "Rotate the webhook signing secret (shown once)", None, "ShopOut")
operation("post", "/api/v1/shop/keys/rotate", "Issue a new API key (shown once); the current one stops now or "
          "after grace_seconds", "KeyRotation", "KeyRotated", 201)
operation("get", "/api/v1/shop/eta-scorecard", "How well the texts' promises held for parcels delivered "
          "?from= ?to= (at most 31 days): windows held, false delay texts, arriving-soon timing", None,
          "EtaScorecardOut")
operation("get", "/api/v1/shop/kpis", "Carrier KPIs against their targets ?from= ?to= (local dates) ?carrier= "
          "?period=day|week|month|quarter ?by=region|total", None, "KpiReportOut")
operation("get", "/api/v1/shop/kpis.csv", "The same carrier KPIs as CSV (same filters)", None, None)
operation("get", "/api/v1/shop/kpis/parcels", "The parcels behind a figure ?drill= (same filters, ?region=)",
          None, None)
operation("get", "/api/v1/shop/kpis/weekly-summary", "One carrier's week ?carrier= ?week=2026-W13: figures and "
          "worst regions, as Markdown (or ?format=json)", None, None)
# The exception ladder (app/exceptions/api.py).
operation("get", "/api/v1/shop/exception-ladder", "Show the exception ladder's thresholds and switches", None,
          "LadderSettingsOut")
operation("patch", "/api/v1/shop/exception-ladder", "Change thresholds (hours; ticket <= apology <= compensation), "
          "switch steps off, set the compensation delay limit or the low-pool level", "LadderSettingsPatch",
          "LadderSettingsOut")
operation("post", "/api/v1/shop/compensation-codes", "Upload compensation codes (each issued once, to one parcel)",
          "CompensationCodesIn", "CompensationCodesOut", 201)
operation("get", "/api/v1/shop/compensation-codes", "How many compensation codes are left and issued", None,
          "CompensationCodesOut")
operation("get", "/api/v1/shop/tickets", "List the shop's tickets ?status=open|closed|all ?kind= ?limit= "
          "(silences, the recipients' problem reports; open urgent ones first)", None, "TicketList")

# Paths like /api/v1/shop/templates/{kind}/{language} are one unbreakable word: on a phone they
# break before a {parameter} (<wbr>), else anywhere (overflow-wrap): nothing wider than the screen.
_DOCS_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bijna API</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="{{ url_for('static', filename='favicon.svg') }}" type="image/svg+xml">
<style>*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;overflow-wrap:anywhere}
code{background:#f3f3f3;padding:0 .3em;overflow-wrap:anywhere}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:2rem;border-top:1px solid #ddd;padding-top:1rem}
h3{font-size:1rem}ul{padding-left:1.2rem}</style>
</head><body><h1>Bijna API v1</h1><p>Machine-readable: <a href="/api/v1/openapi.json">openapi.json</a>.
Authenticate with <code>Authorization: Bearer &lt;key&gt;</code>. Errors are
<code>{"error": {"code", "message", "fields"}}</code>.</p>
{% for path, ops in spec.paths.items() %}{% for method, op in ops.items() %}
<h2><code>{{ method|upper }} {{ path|e|replace('/{', '/<wbr>{'|safe) }}</code></h2><p>{{ op.summary }}</p>
{% if op.requestBody %}<p>Body:
<code>{{ op.requestBody.content['application/json'].schema['$ref'].rsplit('/', 1)[-1] }}</code></p>{% endif %}
{% endfor %}{% endfor %}
<h2>Schemas</h2>{% for name, schema in spec.components.schemas.items() %}<h3>{{ name }}</h3><ul>
{% for field, prop in (schema.properties or {}).items() %}<li><code>{{ field }}</code> {{ prop.type or '' }}
{% if field in (schema.required or []) %}<b>required</b>{% endif %} {{ prop.description or '' }}</li>{% endfor %}
</ul>{% endfor %}</body></html>"""


@bp.get("/api/v1/openapi.json")
def openapi_json():
    """Serve the OpenAPI 3 document."""
    return jsonify(build_spec())


@bp.get("/api/v1/docs")
def docs():
    """Serve a human-readable page of the same document."""
    return render_template_string(_DOCS_PAGE, spec=build_spec())
