"""Shop API v1: carrier KPIs as JSON and CSV, the weekly summary per carrier, and the parcels behind a figure."""

from __future__ import annotations

from flask import Blueprint, Response, g, request
from marshmallow import ValidationError, fields, validate

from app.auth import shop_required
from app.kpis import service
from app.kpis.periods import PERIODS, week_start
from app.kpis.summary import as_markdown
from app.schemas import StrictSchema, load_query

bp = Blueprint("shop_kpis", __name__, url_prefix="/api/v1/shop")
bp.before_request(shop_required(lambda: None))


class KpiQuery(StrictSchema):
    carrier = fields.String(load_default=None, metadata={"description": "A carrier code; all carriers if left out."})
    start = fields.Date(required=True, data_key="from", metadata={
        "description": "First local day (the shop's time zone) of registration, inclusive."})
    end = fields.Date(required=True, data_key="to", metadata={"description": "Local day after the last, exclusive."})
    period = fields.String(load_default="week", validate=validate.OneOf(PERIODS))
    by = fields.String(load_default=None, validate=validate.OneOf(("region", "total")), metadata={
        "description": "region: one group per postcode area (or city); total: all carriers together."})


class DrillQuery(KpiQuery):
    drill = fields.String(required=True, validate=validate.OneOf(tuple(service.DRILLS)))
    region = fields.String(load_default=None)
    period = fields.String(load_default="week", validate=validate.OneOf(PERIODS))


class WeeklySummaryQuery(StrictSchema):
    carrier = fields.String(required=True)
    week = fields.String(required=True, metadata={"description": "An ISO week, e.g. 2026-W13."})
    format = fields.String(load_default=None, validate=validate.OneOf(("json", "markdown")))


class KpiGroupOut(StrictSchema):
    carrier = fields.String()
    period = fields.String(metadata={"description": "2026-03-29, 2026-W13, 2026-03 or 2026-Q1."})
    period_start = fields.String()
    region = fields.String(metadata={"description": "Postcode area or city; 'all' unless by=region."})
    figures = fields.Dict(metadata={"description": "Every KPI and the counts behind it (see docs/kpis.md)."})


class KpiReportOut(StrictSchema):
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    period = fields.String()
    by = fields.String(allow_none=True)
    timezone = fields.String()
    carriers = fields.List(fields.String())
    kpis = fields.List(fields.Dict(), metadata={"description": "Each KPI's label, unit, target and direction."})
    groups = fields.List(fields.Nested(KpiGroupOut))


@bp.get("/kpis")
def kpis():
    """Show the shop's carrier KPIs by period (and region), each with its target."""
    query = load_query(KpiQuery())
    return KpiReportOut().dump(service.kpi_report(g.shop, **query))


@bp.get("/kpis.csv")
def kpis_csv():
    """Export the same KPIs as CSV."""
    query = load_query(KpiQuery())
    return Response(service.kpi_csv(g.shop, **query), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=carrier-kpis.csv"})


@bp.get("/kpis/parcels")
def kpi_parcels():
    """List the parcels behind a figure (at most 200, newest first)."""
    query = load_query(DrillQuery())
    query.pop("period"), query.pop("by")
    return {"parcels": service.parcels_behind(g.shop, **query)}


@bp.get("/kpis/weekly-summary")
def weekly_summary():
    """Summarise one carrier's week (figures and worst regions) as Markdown or JSON."""
    query = load_query(WeeklySummaryQuery())
    summary = service.carrier_week(g.shop, query["carrier"], _monday(query["week"]))
    wants = query["format"] or ("json" if request.accept_mimetypes.best_match(
        ["text/markdown", "application/json"]) == "application/json" else "markdown")
    if wants == "json":
        return summary
    return Response(as_markdown(summary), mimetype="text/markdown")


def _monday(week: str):
    try:
        return week_start(week)
    except ValueError as error:
        raise ValidationError({"week": [str(error)]}) from error
