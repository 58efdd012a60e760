"""Turn shipment rows into the policy's ShipmentState, and the policy's decisions into texts."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Message, OptOut, Shipment, Shop
from app.notify.policy import Decision, ShipmentState
from app.outbox import Text, store_texts
from app.texts import compose


def shipment_state(row, shop: Shop, *, opted_out: bool = False, texts_today: int = 0) -> ShipmentState:
    """Build the policy's view of a shipment row (ORM object or Core row with the same names)."""
    # Lateness is judged against the window the recipient was told, else the one the shop promised.
    told = row.announced_start is not None
    return ShipmentState(
        status=row.status, notify=row.notify, opted_out=opted_out,
        window_start=row.announced_start if told else row.window_start,
        window_end=row.announced_end if told else row.window_end, eta=row.eta, lead_minutes=shop.lead_minutes,
        sent=frozenset(row.sent_kinds or ()),
        last_delay_eta=row.last_delay_eta, texts_today=texts_today, daily_cap=shop.daily_cap,
        enabled_statuses=frozenset(shop.status_texts or ()), two_way=shop.two_way, timezone=shop.timezone)


def opted_out_numbers(phones: set[str]) -> set[str]:
    """Return which of these numbers opted out."""
    if not phones:
        return set()
    return set(db.session.execute(select(OptOut.phone).where(OptOut.phone.in_(phones))).scalars())


def texts_today(shipment_id: str, shop: Shop, now: datetime) -> int:
    """Count the texts a shipment got since midnight in the shop's time zone."""
    zone = ZoneInfo(shop.timezone)
    midnight = datetime.combine(now.astimezone(zone).date(), time(0), zone)
    return db.session.execute(select(func.count()).select_from(Message).where(
        Message.shipment_id == shipment_id, Message.direction == "out",
        Message.status.notin_(("expired", "skipped", "failed")), Message.created_at >= midnight)).scalar_one()


PER_ATTEMPT = ("out_for_delivery", "arriving_soon", "delay")


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
    if decision.kind == "delay":
        return context["new_window_from"], context["new_window_to"]
    return None


def record_decisions(shipment: Shipment, shop: Shop, decisions: list[Decision], now: datetime,
                     stamp: datetime | None = None) -> list[dict]:
    """Store the texts decided for one shipment and remember them on it. Does not commit."""
    texts: list[Text] = [
        compose(shipment, shop, d.kind, d.context, now=now, urgent=d.urgent, valid_for=d.valid_for,
                dedupe_key=dedupe_key(shipment, d, stamp)) for d in decisions]
    landed = store_texts(texts, now)
    kinds = {row["kind"] for row in landed}
    if kinds:
        values: dict = {"sent_kinds": sorted(set(shipment.sent_kinds or ()) | kinds)}
        for decision in decisions:
            if decision.kind not in kinds:
                continue
            if decision.kind == "delay":
                values["last_delay_eta"] = decision.context["new_eta"]
            window = _announced(decision)
            if window:
                values["announced_start"], values["announced_end"] = window
        db.session.execute(update(Shipment).where(Shipment.id == shipment.id).values(**values)
                           .execution_options(synchronize_session="fetch"))
    return landed


def decide_with_limits(row, shop: Shop, decide, now: datetime) -> list[Decision]:
    """Decide first on the cheap view, then again with opt-out and the daily cap when a text is due.

    Most updates call for no text; only those that do pay for the two extra look-ups.
    """
    decisions = decide(shipment_state(row, shop))
    if not decisions:
        return []
    opted_out = bool(opted_out_numbers({row.recipient_phone}))
    count = texts_today(row.id, shop, now)
    return decide(shipment_state(row, shop, opted_out=opted_out, texts_today=count))


