"""Carrier KPIs for one shop: the figures by period, region and carrier, the CSV, the weekly summary, and the
parcels behind a figure. Plain functions with explicit arguments, called by the shop API and the console."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app.errors import ApiError
from app.extensions import db
from app.kpis.definitions import KPIS
from app.kpis.report import group, to_csv
from app.kpis.store import day_rows, refresh_days
from app.kpis.summary import weekly_summary
from app.models import Carrier, KpiDay, KpiParcel, Shipment, Shop

MAX_DAYS = 400
DRILL_LIMIT = 200
# The parcels behind a figure: the filter on their stored facts.
DRILLS = {
    "late_first_scan": KpiParcel.first_scan_minutes >= 120,
    "no_scan": KpiParcel.first_scan_minutes.is_(None),
    "incomplete_scans": KpiParcel.scans_complete.is_(False),
    "exception": KpiParcel.exception.is_(True),
    "late": KpiParcel.on_time.is_(False),
    "window_missed": KpiParcel.window_held.is_(False),
    "failed_attempt": KpiParcel.first_attempt_ok.is_(False),
    "avoided": KpiParcel.avoided.is_not(None),
    "replied": KpiParcel.replied.is_(True),
    "rebooked": KpiParcel.rebooked.is_(True),
    "opted_out": KpiParcel.opted_out.is_(True),
    "open": KpiParcel.finished.is_(False),
    "all": KpiParcel.counted.is_(True),
}


def carriers_of(shop: Shop) -> dict[str, str]:
    """Return {carrier id: code} of the carriers that carried the shop's parcels."""
    ids = select(KpiDay.carrier_id).where(KpiDay.shop_id == shop.id).distinct()
    return dict(db.session.execute(select(Carrier.id, Carrier.code).where(Carrier.id.in_(ids))
                                   .order_by(Carrier.code)).all())


def carrier_id(code: str | None) -> str | None:
    """Return the id of a carrier code (None for all carriers); 404 for an unknown code."""
    if not code:
        return None
    found = db.session.execute(select(Carrier.id).where(Carrier.code == code)).scalar()
    if found is None:
        raise ApiError(404, "not_found", f"No carrier {code!r}.")
    return found


def _rows(shop: Shop, start: date, end: date, carrier: str | None):
    if end <= start or (end - start).days > MAX_DAYS:
        raise ApiError(422, "validation_failed", f"'to' must come after 'from', at most {MAX_DAYS} days later.",
                       {"to": ["Out of range."]})
    return day_rows(shop.id, start, end - timedelta(days=1), carrier_id(carrier))


def kpi_report(shop: Shop, start: date, end: date, period: str, carrier: str | None = None,
               by: str | None = None) -> dict:
    """Return the KPIs of the shop's parcels registered from `start` to `end` (exclusive), grouped."""
    codes = carriers_of(shop)
    groups = group(_rows(shop, start, end, carrier), period, by_region=by == "region", by_carrier=by != "total")
    for item in groups:
        item["carrier"] = codes.get(item["carrier"], item["carrier"])
    return {"from": start, "to": end, "period": period, "by": by, "timezone": shop.timezone,
            "carriers": sorted(codes.values()), "groups": groups,
            "kpis": [{"key": kpi.key, "label": kpi.label, "unit": kpi.unit, "target": kpi.target,
                      "better": kpi.better, "drill": kpi.drill} for kpi in KPIS]}


def kpi_csv(shop: Shop, start: date, end: date, period: str, carrier: str | None = None,
            by: str | None = None) -> str:
    """Return the same figures as CSV, one line per group."""
    groups = group(_rows(shop, start, end, carrier), period, by_region=by == "region", by_carrier=by != "total")
    return to_csv(groups, carriers_of(shop))


def carrier_week(shop: Shop, carrier: str, monday: date) -> dict:
    """Return one carrier's weekly summary for the shop."""
    found = carrier_id(carrier)
    name = db.session.get(Carrier, found).name
    return weekly_summary(name, monday, day_rows(shop.id, monday, monday + timedelta(days=6), found))


def parcels_behind(shop: Shop, drill: str, start: date, end: date, carrier: str | None = None,
                   region: str | None = None) -> list[dict]:
    """Return (at most DRILL_LIMIT of) the parcels behind a figure, newest first."""
    if drill not in DRILLS:
        raise ApiError(422, "validation_failed", "Unknown figure.", {"drill": [f"One of {sorted(DRILLS)}."]})
    query = (select(Shipment.id, Shipment.order_ref, Shipment.tracking_number, Shipment.status, KpiParcel.region,
                    KpiParcel.day).join(Shipment, Shipment.id == KpiParcel.shipment_id)
             .where(KpiParcel.shop_id == shop.id, KpiParcel.day >= start, KpiParcel.day < end,
                    KpiParcel.counted.is_(True), DRILLS[drill])
             .order_by(KpiParcel.day.desc(), Shipment.id).limit(DRILL_LIMIT))
    found = carrier_id(carrier)
    if found:
        query = query.where(KpiParcel.carrier_id == found)
    if region:
        query = query.where(KpiParcel.region == region)
    return [row._asdict() for row in db.session.execute(query)]


def rebuild(shop: Shop, start: date, end: date, now: datetime) -> int:
    """Recompute the shop's cohorts from `start` to `end` (exclusive); return parcels computed."""
    return refresh_days(shop, [start + timedelta(days=i) for i in range((end - start).days)], now)


def last_refresh() -> datetime | None:
    """When the KPIs were last recomputed."""
    return db.session.execute(select(func.max(KpiDay.computed_at))).scalar()

