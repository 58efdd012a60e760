"""Read a shop's parcels into plain records, keep kpi_parcels and kpi_days current, read them back.

The refresh recomputes whole (shop, local day) cohorts: every parcel registered that day, from its
shipment row, events, texts, replies, rebookings, ETA observations, feedback and opt-out. A cohort is
recomputed when anything about one of its parcels changed since the last run (with an overlap, so a
change committed while the last run was reading is not missed); recomputing twice changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, union

from app.extensions import db
from app.kpis.facts import ParcelFacts, parcel_facts
from app.kpis.periods import day_bounds, local_day, region_of
from app.kpis.records import EtaSeen, ParcelRecord, Rebooking, Reply, Scan
from app.kpis.report import DayRow
from app.kpis.tally import Tally
from app.models import (
    EtaObservation,
    Feedback,
    KpiDay,
    KpiParcel,
    Message,
    OptOut,
    RebookingCommand,
    Shipment,
    Shop,
    StatusEvent,
)

OVERLAP = timedelta(minutes=10)
FIRST_RUN_LOOKBACK = timedelta(days=400)  # an empty kpi_days: build the last year and a bit
OPT_OUT_GRACE = timedelta(days=1)  # an opt-out within a day of the parcel's last news counts for it


def _cohort(shop_id: str, start: datetime, end: datetime):
    return select(Shipment.id).where(Shipment.shop_id == shop_id, Shipment.created_at >= start,
                                     Shipment.created_at < end)


def load_records(shop: Shop, start: datetime, end: datetime) -> list[ParcelRecord]:
    """Return the plain records of the shop's parcels registered in [start, end)."""
    ids = _cohort(shop.id, start, end)
    scans, rebookings, replies, etas = (defaultdict(list) for _ in range(4))
    for row in db.session.execute(select(StatusEvent.shipment_id, StatusEvent.status, StatusEvent.occurred_at)
                                  .where(StatusEvent.shipment_id.in_(ids))):
        scans[row.shipment_id].append(Scan(row.status, row.occurred_at))
    for row in db.session.execute(select(RebookingCommand).where(RebookingCommand.shipment_id.in_(ids))).scalars():
        answered = row.updated_at if row.status in ("accepted", "refused") else None
        rebookings[row.shipment_id].append(Rebooking(row.action, row.status, row.created_at, answered))
    texts = {row.shipment_id: (row.n, row.segments or 0) for row in db.session.execute(
        select(Message.shipment_id, func.count().label("n"), func.sum(Message.segments).label("segments"))
        .where(Message.shipment_id.in_(ids), Message.direction == "out", Message.sent_at.is_not(None))
        .group_by(Message.shipment_id))}
    for row in db.session.execute(select(Message.shipment_id, Message.understood_as, Message.confidence)
                                  .where(Message.shipment_id.in_(ids), Message.direction == "in")):
        replies[row.shipment_id].append(Reply(row.understood_as, row.confidence))
    for row in db.session.execute(select(EtaObservation.shipment_id, EtaObservation.lead_minutes, EtaObservation.eta,
                                         EtaObservation.arrived_at).where(EtaObservation.shipment_id.in_(ids))):
        etas[row.shipment_id].append(EtaSeen(row.lead_minutes, row.eta, row.arrived_at))
    ratings = dict(db.session.execute(select(Feedback.shipment_id, Feedback.rating)
                                      .where(Feedback.shipment_id.in_(ids))).all())
    shipments = db.session.execute(select(
        Shipment.id, Shipment.carrier_id, Shipment.recipient_city, Shipment.recipient_phone, Shipment.created_at,
        Shipment.status, Shipment.status_at, Shipment.window_start, Shipment.window_end, Shipment.announced_start,
        Shipment.announced_end).where(Shipment.id.in_(ids))).all()
    phones = {row.recipient_phone for row in shipments}
    opted = dict(db.session.execute(select(OptOut.phone, OptOut.created_at)
                                    .where(OptOut.phone.in_(phones))).all()) if phones else {}
    records = []
    for row in shipments:
        parcel_scans = tuple(scans[row.id])
        last_news = max([row.created_at, *(scan.occurred_at for scan in parcel_scans)])
        opted_at = opted.get(row.recipient_phone)
        records.append(ParcelRecord(
            shipment_id=row.id, carrier=row.carrier_id, region=region_of(None, row.recipient_city),
            registered_at=row.created_at, status=row.status, status_at=row.status_at,
            window=(row.window_start, row.window_end) if row.window_start and row.window_end else None,
            announced=(row.announced_start, row.announced_end) if row.announced_start and row.announced_end else None,
            scans=parcel_scans, rebookings=tuple(rebookings[row.id]), texts_sent=texts.get(row.id, (0, 0))[0],
            segments_sent=texts.get(row.id, (0, 0))[1], replies=tuple(replies[row.id]), etas=tuple(etas[row.id]),
            rating=ratings.get(row.id),
            opted_out=opted_at is not None and row.created_at <= opted_at <= last_news + OPT_OUT_GRACE))
    return records


def refresh_days(shop: Shop, days: Iterable[date], now: datetime) -> int:
    """Recompute the facts and tallies of the shop's cohorts of these local days; return parcels computed."""
    zone = ZoneInfo(shop.timezone)
    done = 0
    for first, last in _runs(sorted(set(days))):
        start, end = day_bounds(first, zone)[0], day_bounds(last, zone)[1]
        facts = [parcel_facts(record, zone) for record in load_records(shop, start, end)]
        db.session.execute(delete(KpiParcel).where(KpiParcel.shop_id == shop.id, KpiParcel.day >= first,
                                                   KpiParcel.day <= last))
        db.session.execute(delete(KpiDay).where(KpiDay.shop_id == shop.id, KpiDay.day >= first, KpiDay.day <= last))
        _store(shop.id, facts, now)
        done += len(facts)
    db.session.commit()
    return done


def _runs(days: list[date], longest: int = 7) -> Iterable[tuple[date, date]]:
    """Split sorted days into runs of consecutive days (a week at most, to bound one read)."""
    run: list[date] = []
    for day in days:
        if run and (day != run[-1] + timedelta(days=1) or len(run) == longest):
            yield run[0], run[-1]
            run = []
        run.append(day)
    if run:
        yield run[0], run[-1]


def _store(shop_id: str, facts: list[ParcelFacts], now: datetime) -> None:
    tallies: dict[tuple, Tally] = {}
    rows = []
    for one in facts:
        tallies.setdefault((one.carrier, one.day, one.region), Tally()).add(one)
        rows.append({"shipment_id": one.shipment_id, "shop_id": shop_id, "carrier_id": one.carrier,
                     "region": one.region, "day": one.day, "counted": one.counted, "finished": one.finished,
                     "first_scan_minutes": one.first_scan_minutes, "scans_complete": one.scans_complete,
                     "exception": one.exception, "delivered": one.delivered, "on_time": one.on_time,
                     "window_held": one.window_held, "first_attempt_ok": one.first_attempt_ok,
                     "avoided": one.avoided, "replied": one.replies > 0 and one.texts_sent > 0,
                     "rebooked": one.rebookings_accepted + one.rebookings_refused > 0,
                     "opted_out": one.opted_out, "computed_at": now})
    if rows:
        db.session.execute(KpiParcel.__table__.insert(), rows)
    days = []
    for (carrier, day, region), tally in tallies.items():
        counts, histograms = tally.as_json()
        days.append({"shop_id": shop_id, "carrier_id": carrier, "day": day, "region": region, "counts": counts,
                     "histograms": histograms, "computed_at": now})
    if days:
        db.session.execute(KpiDay.__table__.insert(), days)


def changed_days(since: datetime) -> dict[str, set[date]]:
    """Return, per shop id, the local registration days of parcels that changed at or after `since`."""
    changed = union(
        select(Shipment.id.label("id")).where(Shipment.updated_at >= since),
        select(StatusEvent.shipment_id).where(StatusEvent.received_at >= since),
        select(Message.shipment_id).where(Message.updated_at >= since, Message.shipment_id.is_not(None)),
        select(RebookingCommand.shipment_id).where(RebookingCommand.updated_at >= since),
        select(Feedback.shipment_id).where(Feedback.updated_at >= since),
        select(Shipment.id).join(OptOut, OptOut.phone == Shipment.recipient_phone).where(OptOut.created_at >= since),
    ).subquery()
    rows = db.session.execute(select(Shipment.shop_id, Shop.timezone, Shipment.created_at).join(
        Shop, Shop.id == Shipment.shop_id).where(Shipment.id.in_(select(changed.c.id)))
        .execution_options(yield_per=10_000))
    days: dict[str, set[date]] = defaultdict(set)
    zones: dict[str, ZoneInfo] = {}
    for shop_id, timezone, created_at in rows:
        zone = zones.setdefault(timezone, ZoneInfo(timezone))
        days[shop_id].add(local_day(created_at, zone))
    return days


def refresh_changed(now: datetime) -> int:
    """Recompute every cohort with a change since the last run; return how many parcels were recomputed."""
    last = db.session.execute(select(func.max(KpiDay.computed_at))).scalar()
    since = (last - OVERLAP) if last else now - FIRST_RUN_LOOKBACK
    done = 0
    for shop_id, days in changed_days(since).items():
        done += refresh_days(db.session.get(Shop, shop_id), days, now)
    return done


def day_rows(shop_id: str, first: date, last: date, carrier_id: str | None = None) -> list[DayRow]:
    """Return the stored tallies of the shop's cohorts from `first` to `last` (inclusive)."""
    query = select(KpiDay.carrier_id, KpiDay.region, KpiDay.day, KpiDay.counts, KpiDay.histograms).where(
        KpiDay.shop_id == shop_id, KpiDay.day >= first, KpiDay.day <= last)
    if carrier_id:
        query = query.where(KpiDay.carrier_id == carrier_id)
    return [DayRow(row.carrier_id, row.region, row.day, Tally(row.counts, row.histograms))
            for row in db.session.execute(query)]


REFRESH_EVERY = timedelta(hours=1)


def refresh_carrier_kpis(now: datetime) -> int:
    """The sweep: hourly, recompute the cohorts that changed; between runs it costs one tiny query."""
    last = db.session.execute(select(func.max(KpiDay.computed_at))).scalar()
    if last is not None and now - last < REFRESH_EVERY:
        return 0
    return refresh_changed(now)
