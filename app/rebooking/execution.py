"""Carry one rebooking command to the carrier: claim it, call the adapter once, record what happened.

The command's id is the idempotency key, so a retry after a timeout can never execute twice
at the carrier: it gets the stored answer instead. A carrier that cannot answer (down,
throttling, slow, "still working on that key") is asked again with exponential backoff
(30 s doubling to 30 min; about three hours in all), after which the command is dead:
visible to the shop (GET /api/v1/rebookings?status=dead) and the operator
(`flask rebookings list --status dead`, `flask rebookings retry ID`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.carriers.adapter import (
    CarrierAdapter,
    CarrierError,
    CarrierRefused,
    CarrierUnavailable,
    RebookingResult,
)
from app.extensions import db
from app.models import RebookingCommand, Shipment
from app.observability import metrics
from app.rebooking import outcome
from app.rebooking.service import carrier_adapter

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
LEASE = timedelta(minutes=2)  # longer than any carrier call may take: no second worker meanwhile


def backoff(attempts: int) -> timedelta:
    """Return the wait after the n-th failed attempt: 30 s, 1, 2, 4 ... at most 30 min."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 1800))


def claim(command_id: str, now: datetime) -> RebookingCommand | None:
    """Take a due pending command for one attempt, leased so no other worker runs it; commit."""
    claimed = db.session.execute(
        update(RebookingCommand).where(RebookingCommand.id == command_id, RebookingCommand.status == "pending",
                                       RebookingCommand.next_attempt_at <= now)
        .values(attempts=RebookingCommand.attempts + 1, next_attempt_at=now + LEASE, updated_at=now)
        .returning(RebookingCommand.id)).scalar()
    db.session.commit()
    return db.session.get(RebookingCommand, claimed) if claimed else None


def execute(command_id: str, now: datetime, timeout: float) -> str | None:
    """Send one due command to the carrier (waiting at most `timeout` s a call) and record the answer;
    return its status (None: not due)."""
    command = claim(command_id, now)
    if command is None:
        return None
    shipment = db.session.get(Shipment, command.shipment_id)
    try:
        try:
            adapter = carrier_adapter(shipment, timeout)
            _choose_pickup_point(adapter, command, shipment)
            result = _send(adapter, command, shipment)
        except CarrierRefused as refusal:  # a read before the command said no (e.g. unknown_parcel)
            result = RebookingResult(False, refusal.code, refusal.message)
        except CarrierUnavailable as error:
            return metrics.command_outcome(_retry_later(command, shipment, now, error))
        except (CarrierError, ValueError) as error:
            # Our configuration or code is wrong: retrying will not help, and the recipient must
            # not hear "not possible" for it. An operator fixes it and revives the command.
            return outcome.give_up(command, shipment, now, f"contract error: {error}", tell_recipient=False)
        return metrics.command_outcome(outcome.record(command, shipment, result, now, timeout))
    except Exception as error:
        _after_crash(command_id, now, error)
        raise  # RQ's failed registry shows the traceback


def _after_crash(command_id: str, now: datetime, error: Exception) -> None:
    """Back off after an unexpected error (our bug or the database), dead when out of attempts."""
    db.session.rollback()
    command = db.session.get(RebookingCommand, command_id)
    if command is None or command.status != "pending":
        return
    command.last_error = f"{type(error).__name__}: {error}"[:500]
    if command.attempts >= MAX_ATTEMPTS:
        command.status = "dead"
    else:
        command.next_attempt_at = now + backoff(command.attempts)
    db.session.commit()


def _choose_pickup_point(adapter: CarrierAdapter, command: RebookingCommand, shipment: Shipment) -> None:
    """Fix the pickup point (the nearest, unless one was chosen) before the first call; commit.

    The choice is stored before the command goes out: a retry must send the very same body
    under its idempotency key, and the confirmation text needs the point's name.
    """
    params = command.params or {}
    if command.action != "pickup_point" or params.get("name"):
        return
    points = adapter.pickup_points(shipment.tracking_number)
    chosen = next((p for p in points if p.id == params.get("pickup_point_id")), None)
    if chosen is None and not params.get("pickup_point_id") and points:
        chosen = points[0]
    if chosen is not None:
        command.params = {**params, "pickup_point_id": chosen.id, "name": chosen.name, "address": chosen.address}
        db.session.commit()


def _send(adapter: CarrierAdapter, command: RebookingCommand, shipment: Shipment) -> RebookingResult:
    params, key, number = command.params or {}, command.id, shipment.tracking_number
    if command.action == "neighbour":
        return adapter.redirect_to_neighbour(number, params.get("note"), idempotency_key=key)
    if command.action == "reschedule":
        return adapter.reschedule(number, params["slot_id"], idempotency_key=key)
    return adapter.redirect_to_pickup_point(number, params.get("pickup_point_id"), idempotency_key=key)


def _retry_later(command: RebookingCommand, shipment: Shipment, now: datetime, error: CarrierUnavailable) -> str:
    message = f"carrier unavailable: {error}"
    if command.attempts >= MAX_ATTEMPTS:
        return outcome.give_up(command, shipment, now, message, tell_recipient=True)
    wait = backoff(command.attempts)
    if error.retry_after:
        wait = max(wait, timedelta(seconds=error.retry_after))
    command.next_attempt_at, command.last_error, command.updated_at = now + wait, message[:500], now
    db.session.commit()
    log.warning("rebooking %s: attempt %d failed (%s); next at %s", command.id, command.attempts, error,
                command.next_attempt_at.isoformat())
    return "pending"


def due_commands(now: datetime, grace: timedelta, limit: int = 1000) -> list[str]:
    """Return pending commands due for a while that no job took: lost jobs, retries, expired leases."""
    return list(db.session.execute(select(RebookingCommand.id).where(
        RebookingCommand.status == "pending", RebookingCommand.next_attempt_at <= now - grace)
        .order_by(RebookingCommand.next_attempt_at).limit(limit)).scalars())


def revive(command_id: str, now: datetime) -> bool:
    """Give a dead command a fresh set of attempts under the same idempotency key; commit."""
    revived = db.session.execute(update(RebookingCommand).where(RebookingCommand.id == command_id,
                                                                RebookingCommand.status == "dead")
                                 .values(status="pending", attempts=0, next_attempt_at=now, updated_at=now)
                                 .returning(RebookingCommand.id)).scalar()
    db.session.commit()
    return revived is not None
