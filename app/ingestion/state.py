"""Turn shipment rows into the policy's ShipmentState, and the policy's decisions into texts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update

from app.eta import Calibration
from app.eta.smoothing import texts_eta_of
from app.extensions import db
from app.messaging.compose import compose
from app.messaging.outbox import store_texts
from app.models import Message, OptOut, Shipment, Shop
from app.notify.policy import Decision, ShipmentState
from app.notify.templates import KINDS

log = logging.getLogger(__name__)


def shipment_state(row, shop: Shop, *, opted_out: bool = False, texts_today: int = 0,
                   calibration: Calibration | None = None) -> ShipmentState:
    """Build the policy's view of a shipment row (ORM object or Core row with the same names)."""
    # Lateness is judged against the window the recipient was told, else the one the shop promised.
    told = row.announced_start is not None
    return ShipmentState(
        # A parcel the service desk paused is decided as if texts were off (resuming lets them come again).
        status=row.status, notify=row.notify and not getattr(row, "texts_paused", False), opted_out=opted_out,
        window_start=row.announced_start if told else row.window_start,
        window_end=row.announced_end if told else row.window_end,
        eta=texts_eta_of(row, calibration),
        lead_minutes=shop.lead_minutes,
        sent=frozenset(row.sent_kinds or ()),
        last_delay_eta=row.last_delay_eta, texts_today=texts_today, daily_cap=shop.daily_cap,
        enabled_statuses=frozenset(shop.status_texts or ()), two_way=shop.two_way, timezone=shop.timezone,
        calibration=calibration, status_at=row.status_at, held_for_eta=getattr(row, "held_for_eta", False),
        previous_eta=getattr(row, "previous_eta", None))


def opted_out_numbers(phones: set[str]) -> set[str]:
    """Return which of these numbers opted out."""
    if not phones:
        return set()
    return set(db.session.execute(select(OptOut.phone).where(OptOut.phone.in_(phones))).scalars())


def _midnight(shop: Shop, now: datetime) -> datetime:
    zone = ZoneInfo(shop.timezone)
    return datetime.combine(now.astimezone(zone).date(), time(0), zone)


def texts_today(candidates: list[Due], now: datetime) -> dict[str, int]:
    """Count, per shipment, the texts it got since midnight in its shop's time zone (one query)."""
    since = {due.row.id: _midnight(due.shop, now) for due in candidates}
    rows = db.session.execute(select(Message.shipment_id, Message.created_at).where(
        Message.shipment_id.in_(since), Message.direction == "out",
        Message.status.notin_(("expired", "skipped", "failed")), Message.created_at >= min(since.values())))
    counts: dict[str, int] = {}
    for shipment_id, created_at in rows:
        if created_at >= since[shipment_id]:
            counts[shipment_id] = counts.get(shipment_id, 0) + 1
    return counts


PER_ATTEMPT = ("out_for_delivery", "arriving_soon", "delay", "held_up", "window_update")


def dedupe_key(shipment: Shipment, decision: Decision, stamp: datetime | None = None) -> str:
    """Key one text per shipment, kind and delivery attempt (delays and failed attempts also per moment)."""
    key = f"{shipment.id}:{decision.kind}"
    if decision.kind in PER_ATTEMPT:
        key += f":{shipment.attempt}"
    if decision.kind == "delay":
        return f"{key}:{decision.context['new_eta'].isoformat()}"
    if decision.kind == "failed_attempt" and stamp is not None:
        return f"{key}:{stamp.isoformat()}"
    return key


def start_new_attempt(shipment: Shipment) -> None:
    """After a failed attempt the next delivery day is news again: forget what was said about the last."""
    shipment.attempt = (shipment.attempt or 1) + 1
    shipment.sent_kinds = [kind for kind in shipment.sent_kinds or () if kind not in PER_ATTEMPT]
    shipment.last_delay_eta = shipment.announced_start = shipment.announced_end = None


def _announced(decision: Decision) -> tuple[datetime, datetime] | None:
    context = decision.context
    if decision.kind == "out_for_delivery" and context.get("window_source") == "eta":
        return context["window_from"], context["window_to"]
    if decision.kind == "arriving_soon" and context.get("window_from"):
        return context["window_from"], context["window_to"]
    if decision.kind == "delay":
        return context["new_window_from"], context["new_window_to"]
    if decision.kind == "window_update":
        return context["window_from"], context["window_to"]
    return None


def _told(decision: Decision) -> dict:
    """Return what the text itself says, as data: the window it shows and the minutes it says."""
    context = decision.context
    if decision.kind == "delay":
        start, end = context["new_window_from"], context["new_window_to"]
    elif decision.kind in ("out_for_delivery", "window_update"):
        start, end = context.get("window_from"), context.get("window_to")
    else:
        start = end = None  # arriving_soon says minutes, not a window
    minutes = context.get("minutes") if decision.kind == "arriving_soon" else None
    return {"window_start": start, "window_end": end, "minutes": minutes}


def _has_template(kind: str) -> bool:
    """Tell whether a kind can be written: a kind without a template must not fail a whole route push."""
    if kind in KINDS:
        return True
    log.error("no template registered for message kind %r; text dropped", kind)
    return False


@dataclass
class Due:
    """A shipment (ORM object or a row with the same names) whose update may call for texts."""

    row: Any
    shop: Shop
    decide: Callable[[ShipmentState], list[Decision]]
    decisions: list[Decision] = field(default_factory=list)
    calibration: Calibration | None = None


def might_need_texts(row, shop: Shop, decide, calibration: Calibration | None = None) -> Due | None:
    """Decide on the cheap view (no opt-out, no count): most updates call for no text at all."""
    decisions = decide(shipment_state(row, shop, calibration=calibration))
    return Due(row, shop, decide, decisions, calibration) if decisions else None


def apply_limits(candidates: list[Due], now: datetime) -> list[Due]:
    """Decide again for the few candidates, now with opt-outs and the daily cap (two queries in all)."""
    if not candidates:
        return []
    opted_out = opted_out_numbers({due.row.recipient_phone for due in candidates})
    counts = texts_today(candidates, now)
    for due in candidates:
        due.decisions = due.decide(shipment_state(due.row, due.shop, opted_out=due.row.recipient_phone in opted_out,
                                                  texts_today=counts.get(due.row.id, 0),
                                                  calibration=due.calibration))
    return [due for due in candidates if due.decisions]


_REMEMBER = (update(Shipment.__table__).where(Shipment.__table__.c.id == bindparam("b_id"))
             .values(sent_kinds=bindparam("b_sent"), last_delay_eta=bindparam("b_delay"),
                     announced_start=bindparam("b_start"), announced_end=bindparam("b_end")))


def record_all(dues: list[Due], now: datetime, stamp: datetime | None = None) -> list[dict]:
    """Store the texts decided, in one insert, and remember on each shipment what it was told. No commit."""
    overrides: dict = {}
    keyed = [(due, decision, dedupe_key(due.row, decision, stamp)) for due in dues for decision in due.decisions
             if _has_template(decision.kind)]
    landed = store_texts([replace(
        compose(due.row, due.shop, d.kind, d.context, now=now, urgent=d.urgent, valid_for=d.valid_for,
                dedupe_key=key, overrides=overrides), **_told(d)) for due, d, key in keyed], now)
    keys = {row["dedupe_key"] for row in landed}
    told: dict[str, dict] = {}
    for due, decision, key in keyed:
        if key not in keys:
            continue  # queued by someone else first: theirs is the one that counts
        row = due.row
        values = told.setdefault(row.id, {
            "b_id": row.id, "b_sent": set(row.sent_kinds or ()), "b_delay": row.last_delay_eta,
            "b_start": row.announced_start, "b_end": row.announced_end})
        values["b_sent"].add(decision.kind)
        if decision.kind == "delay":
            values["b_delay"] = decision.context["new_eta"]
        window = _announced(decision)
        if decision.kind == "arriving_soon" and values["b_start"] is not None:
            window = None  # it says minutes: the window the texts showed stays the promise
        if window:
            values["b_start"], values["b_end"] = window
    if told:
        db.session.connection().execute(_REMEMBER, [{**v, "b_sent": sorted(v["b_sent"])} for v in told.values()])
    return landed


def record_decisions(shipment: Shipment, shop: Shop, decisions: list[Decision], now: datetime,
                     stamp: datetime | None = None) -> list[dict]:
    """Store the texts decided for one shipment and remember them on it. Does not commit."""
    return record_all([Due(shipment, shop, lambda state: decisions, decisions)], now, stamp)


def decide_with_limits(row, shop: Shop, decide, now: datetime,
                       calibration: Calibration | None = None) -> list[Decision]:
    """Decide for one shipment: cheaply first, then with opt-out and the daily cap when a text is due."""
    due = might_need_texts(row, shop, decide, calibration)
    limited = apply_limits([due], now) if due else []
    return limited[0].decisions if limited else []
