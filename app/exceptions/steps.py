"""What each ladder step does for one parcel, recorded under the (parcel, silence, step) key.

A step's work (a ticket, a queued text, an issued code, a webhook) and its row are written in
one savepoint: if another process recorded the step first, the row clashes and the work is
undone with it. Nothing here commits; the sweep commits per parcel, then enqueues.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.console.tickets import open_ticket_once
from app.exceptions.estimate import estimate_for
from app.exceptions.ladder import APOLOGY, COMPENSATION, TICKET, LadderRules, Step
from app.exceptions.pool import claim_low_warning, issue_code
from app.exceptions.tickets import announce_ticket
from app.extensions import db
from app.messaging.compose import compose
from app.messaging.opt_outs import blocks
from app.messaging.outbox import store_texts
from app.models import LadderStep, Note, OptOut, Shipment
from app.shops.webhooks import queue_webhook

APOLOGY_VALID_FOR = timedelta(hours=12)  # held over quiet hours at most; stale comfort is no comfort
COMPENSATION_VALID_FOR = timedelta(days=2)  # the code is on the tracking page either way
AUTHOR = "Bijna (automatic)"  # the author of the story lines the ladder writes


@dataclass
class Taken:
    """One step taken: its line on the parcel's story, and what to enqueue after the commit."""

    step: str
    outcome: str  # done | skipped
    detail: str
    texts: list[dict] = field(default_factory=list)
    webhooks: list[str] = field(default_factory=list)


def take(shipment: Shipment, step: Step, started: datetime, rules: LadderRules, now: datetime) -> Taken | None:
    """Take one due step and record it; None when another process took it first (or no code was left)."""
    savepoint = db.session.begin_nested()
    taken = _ACTIONS[step.name](shipment, step, started, rules, now)
    if taken is None or not _record(shipment, started, taken, now):
        savepoint.rollback()
        return None
    # The line on the parcel's story in the console, beside the staff's own notes.
    db.session.add(Note(shop_id=shipment.shop_id, shipment_id=shipment.id, staff_id=None, author=AUTHOR,
                        body=f"Exception ladder: {taken.detail}", created_at=now))
    savepoint.commit()
    return taken


def _record(shipment: Shipment, started: datetime, taken: Taken, now: datetime) -> bool:
    """Insert the step's row; False when the (parcel, silence, step) row exists already."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    row = {"shop_id": shipment.shop_id, "shipment_id": shipment.id, "silence_started_at": started,
           "step": taken.step, "outcome": taken.outcome, "detail": taken.detail[:300], "done_at": now}
    statement = insert(LadderStep).values(row).on_conflict_do_nothing(
        index_elements=["shipment_id", "silence_started_at", "step"]).returning(LadderStep.id)
    return db.session.execute(statement).scalar() is not None


def _ticket(shipment: Shipment, step: Step, started: datetime, rules: LadderRules, now: datetime) -> Taken:
    zone = ZoneInfo(shipment.shop.timezone)
    hours = int((now - started) / timedelta(hours=1))
    summary = (f"No news from the carrier for {hours} h: the last event ({shipment.status}) was on "
               f"{started.astimezone(zone):%d-%m %H:%M}.")
    if step.urgent:
        summary += f" VIP: call the recipient personally before {step.call_before.astimezone(zone):%d-%m %H:%M}."
    ticket, opened = open_ticket_once(shipment.shop_id, shipment.id, "silence", summary, now, urgent=step.urgent,
                                      due_at=step.call_before)
    if not opened:
        if step.urgent and not ticket.urgent:  # became VIP since: the open ticket asks for the call now
            ticket.urgent, ticket.due_at, ticket.updated_at = True, step.call_before, now
        return Taken(TICKET, "done", f"Quiet for {hours} h; the silence ticket was already open.")
    webhook = announce_ticket(shipment.shop, ticket, shipment, now)
    detail = f"Quiet for {hours} h: ticket opened" + (", urgent: call within 24 h." if step.urgent else ".")
    return Taken(TICKET, "done", detail, webhooks=[webhook.id] if webhook else [])


def _texts_blocked(shipment: Shipment, kind: str) -> str | None:
    """Say why no text may go to this parcel's recipient now (the send job checks again before sending)."""
    if not shipment.notify:
        return "texts are switched off for this parcel"
    if shipment.texts_paused:
        return "texts are paused for this parcel"
    source = db.session.execute(select(OptOut.source).where(OptOut.phone == shipment.recipient_phone)).scalar()
    return "the recipient opted out" if blocks(source, kind) else None


def _apology(shipment: Shipment, step: Step, started: datetime, rules: LadderRules, now: datetime) -> Taken:
    blocked = _texts_blocked(shipment, "silence_apology")
    if blocked:
        return Taken(APOLOGY, "skipped", f"No apology text: {blocked}.")
    quiet_for = now - started
    estimate = estimate_for(shipment.carrier_id, shipment.status, quiet_for, now)
    extra = {"quiet_days": max(1, quiet_for.days), "estimate_low_days": estimate.low_days if estimate else None,
             "estimate_high_days": estimate.high_days if estimate else None}
    draft = compose(shipment, shipment.shop, "silence_apology", extra, now=now, urgent=False,
                    valid_for=APOLOGY_VALID_FOR, dedupe_key=f"{shipment.id}:silence_apology:{started.isoformat()}")
    said = (f"new estimate {estimate.low_days}-{estimate.high_days} days" if estimate
            else "no estimate from the carrier's history")
    return Taken(APOLOGY, "done", f"Apology text queued ({said}).", texts=store_texts([draft], now))


def _compensation(shipment: Shipment, step: Step, started: datetime, rules: LadderRules,
                  now: datetime) -> Taken | None:
    code = issue_code(shipment.shop_id, shipment.id, now)
    if code is None:
        return None  # the pool ran dry since the parcel was found: it waits for the shop's next upload
    taken = Taken(COMPENSATION, "done", "Compensation code issued, shown on the tracking page")
    blocked = _texts_blocked(shipment, "compensation")
    if blocked:
        taken.detail += f"; not texted: {blocked}."
    else:
        draft = compose(shipment, shipment.shop, "compensation", {"code": code}, now=now, urgent=False,
                        valid_for=COMPENSATION_VALID_FOR, dedupe_key=f"{shipment.id}:compensation")
        taken.texts = store_texts([draft], now)
        taken.detail += " and sent by text."
    left = claim_low_warning(shipment.shop_id)
    if left is not None:
        webhook = queue_webhook(shipment.shop, "compensation.pool_low",
                                {"remaining": left, "pool_low_level": rules.pool_low_level}, now)
        taken.webhooks = [webhook.id] if webhook else []
    return taken


_ACTIONS = {TICKET: _ticket, APOLOGY: _apology, COMPENSATION: _compensation}
