"""The console's carrier KPI dashboard: figures against targets, trends, carriers side by side, drill-down."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from markupsafe import Markup

from app.clock import now as clock_now
from app.console.auth import staff_required
from app.errors import ApiError
from app.extensions import db
from app.kpis import service
from app.kpis.charts import comparison, trend
from app.kpis.definitions import BY_KEY, figures
from app.kpis.periods import PERIODS, local_day, period_label, period_start, week_start
from app.kpis.report import judged, worst_regions
from app.kpis.store import day_rows
from app.kpis.summary import as_markdown, format_value
from app.kpis.tally import Tally
from app.models import Shop
from app.tracking.headers import add_page_headers

bp = Blueprint("console_kpis", __name__, url_prefix="/console/kpis", template_folder="templates",
               static_folder="static", static_url_path="/static")
bp.after_request(add_page_headers)
TREND_KPIS = ("on_time_rate", "first_attempt_rate", "scan_compliance", "exceptions_per_1000", "first_scan_median_h",
              "window_hit_rate")
DEFAULT_DAYS = 91


def _shop() -> Shop:
    return db.session.get(Shop, current_user.shop_id)


def _range(shop: Shop) -> tuple[date, date]:
    """Read ?from=&to= (local dates, `to` exclusive); by default the last 13 weeks up to today."""
    today = local_day(clock_now(), ZoneInfo(shop.timezone))
    try:
        end = date.fromisoformat(request.args["to"]) if request.args.get("to") else today + timedelta(days=1)
        start = date.fromisoformat(request.args["from"]) if request.args.get("from") else end - timedelta(
            days=DEFAULT_DAYS)
    except ValueError:
        abort(404)
    if end <= start or (end - start).days > service.MAX_DAYS:
        abort(404)
    return start, end


@bp.app_template_filter("kpi_value")
def kpi_value(value, unit: str) -> str:
    return format_value(value, unit)


@bp.get("")
@staff_required
def dashboard():
    """Show each KPI against its target per carrier, trends over time and the worst regions."""
    shop = _shop()
    start, end = _range(shop)
    period = request.args.get("period", "week") if request.args.get("period") in PERIODS else "week"
    codes = service.carriers_of(shop)
    chosen = request.args.get("carrier") or None
    rows = day_rows(shop.id, start, end - timedelta(days=1))
    per_carrier: dict[str, Tally] = {}
    for row in rows:
        per_carrier.setdefault(codes.get(row.carrier, row.carrier), Tally()).merge(row.tally)
    totals = {code: figures(tally) for code, tally in sorted(per_carrier.items())}
    periods = _periods(start, end, period)
    trends = []
    series_rows = [row for row in rows if chosen is None or codes.get(row.carrier) == chosen]
    by_period: dict[tuple[str, str], Tally] = {}
    for row in series_rows:
        key = (codes.get(row.carrier, row.carrier), period_label(period_start(row.day, period), period))
        by_period.setdefault(key, Tally()).merge(row.tally)
    for key in TREND_KPIS:
        kpi = BY_KEY[key]
        # Every carrier keeps its colour; one not chosen simply has no points.
        series = {code: [figures(by_period[(code, p)])[key] if (code, p) in by_period else None for p in periods]
                  for code in totals}
        trends.append({"kpi": kpi, "svg": Markup(trend(kpi.label, kpi.unit, periods, series, kpi.target)),
                       "bars": Markup(comparison(kpi.label, kpi.unit, {c: totals[c][key] for c in totals},
                                                 kpi.target))})
    table = [{"kpi": kpi, "cells": [{"carrier": code, **item} for code in totals
                                    for item in judged(totals[code]) if item["key"] == kpi.key]}
             for kpi in BY_KEY.values()]
    return render_template("kpis/dashboard.html", start=start, end=end, period=period, periods=PERIODS,
                           carriers=list(codes.values()), chosen=chosen, table=table, trends=trends, totals=totals,
                           worst=worst_regions(series_rows), last_refresh=service.last_refresh(),
                           week=period_label(period_start(end - timedelta(days=7), "week"), "week"))


def _periods(start: date, end: date, period: str) -> list[str]:
    """Every period label from `start` to `end`, in order (empty periods included: a gap is news)."""
    labels: dict[str, None] = {}
    for offset in range((end - start).days):
        labels[period_label(period_start(start + timedelta(days=offset), period), period)] = None
    return list(labels)


@bp.get("/parcels")
@staff_required
def parcels():
    """List the parcels behind a figure, each linking to its story."""
    shop = _shop()
    start, end = _range(shop)
    try:
        found = service.parcels_behind(shop, request.args.get("drill", "all"), start, end,
                                       request.args.get("carrier") or None, request.args.get("region") or None)
    except ApiError:
        abort(404)
    return render_template("kpis/parcels.html", parcels=found, drill=request.args.get("drill", "all"),
                           start=start, end=end, carrier=request.args.get("carrier"),
                           region=request.args.get("region"), limit=service.DRILL_LIMIT)


@bp.get("/weekly-summary")
@staff_required
def weekly_summary():
    """Give one carrier's weekly summary as Markdown, ready to forward."""
    try:
        summary = service.carrier_week(_shop(), request.args.get("carrier", ""), week_start(
            request.args.get("week", "")))
    except (ApiError, ValueError):
        abort(404)
    return Response(as_markdown(summary), mimetype="text/markdown")
