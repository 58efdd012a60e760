"""Rebooking commands: a recipient's choice, committed, then carried to the carrier by a worker.

`request_rebooking` is the one way in, for an SMS reply and for the tracking page alike:

    command = request_rebooking(shipment, "neighbour", {"note": "nr 12"}, source="page", now=now)
    command = request_rebooking(shipment, "reschedule", slot_params(slot), source="page", now=now)
    command = request_rebooking(shipment, "pickup_point", {"pickup_point_id": point.id or None}, ...)

It returns None when the change is not possible (the parcel is no longer on its way, the
carrier has no API, or a different change is still pending); `blocker` says why, and
`can_rebook` is the same rule for whoever offers the choices (SMS replies, the page). Asking
again for a change that is pending (same action) or already accepted (same action and
params) returns that command instead of making a second one.
The command's id is its idempotency key at the carrier; the worker retries with it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from app.carriers.adapter import CarrierAdapter, PickupPoint, Slot
from app.carriers.http_json import adapter_for
from app.errors import not_found
from app.extensions import db
from app.models import RebookingCommand, Shipment, Shop
from app.notify.statuses import LIVE

log = logging.getLogger(__name__)

ACTIONS = ("neighbour", "reschedule", "pickup_point")
SOURCES = ("sms", "page")
MAX_NOTE = 160
MAX_SLOTS = 5  # letters A-E keep a slot offer in one or two SMS segments


class RebookingError(ValueError):
    """The params of a rebooking are malformed (a programming error, not a recipient's)."""


def carrier_adapter(shipment: Shipment, timeout: float) -> CarrierAdapter:
    """Return the adapter for the shipment's carrier, waiting at most `timeout` seconds per call.

    The caller says how long it can wait: a job the configured CARRIER_TIMEOUT_SECONDS, a web
    request less.
    """
    return adapter_for(shipment.carrier, timeout=timeout)


def available_slots_for(shipment: Shipment, after: datetime | None = None, *,
                        timeout: float, limit: int | None = MAX_SLOTS) -> list[Slot]:
    """Return the carrier's free delivery windows for the parcel, earliest first (at most `limit`).

    Raises CarrierUnavailable (retry later; also on `timeout`) or CarrierRefused (e.g. unknown_parcel).
    """
    adapter = carrier_adapter(shipment, timeout)
    return adapter.available_slots(shipment.tracking_number, after=after)[:limit]


def pickup_points_for(shipment: Shipment, *, timeout: float) -> list[PickupPoint]:
    """Return the pickup points near the parcel's address, nearest first (same errors as slots)."""
    return carrier_adapter(shipment, timeout).pickup_points(shipment.tracking_number)


def slot_params(slot: Slot) -> dict:
    """Return the reschedule params for an offered slot."""
    return {"slot_id": slot.id, "starts_at": slot.starts_at.isoformat(), "ends_at": slot.ends_at.isoformat()}


def clean_params(action: str, params: dict) -> dict:
    """Return the params an action needs, checked; raise RebookingError when malformed."""
    if action == "neighbour":
        note = (params.get("note") or "").strip()[:MAX_NOTE]
        return {"note": note or None}
    if action == "reschedule":
        try:
            window = [datetime.fromisoformat(str(params[key])) for key in ("starts_at", "ends_at")]
        except (KeyError, ValueError):
            raise RebookingError("reschedule needs slot_id, starts_at and ends_at (ISO 8601)") from None
        if not params.get("slot_id") or any(moment.tzinfo is None for moment in window):
            raise RebookingError("reschedule needs a slot_id and times with a UTC offset")
        return {"slot_id": str(params["slot_id"]), "starts_at": window[0].isoformat(),
                "ends_at": window[1].isoformat()}
    if action == "pickup_point":
        cleaned = {"pickup_point_id": params.get("pickup_point_id") or None}
        for key in ("name", "address"):
            if params.get(key):
                cleaned[key] = str(params[key])[:200]
        return cleaned
    raise RebookingError(f"unknown rebooking action {action!r}; expected one of {ACTIONS}")


def pending_command(shipment_id: str) -> RebookingCommand | None:
    """Return the shipment's command still waiting for the carrier, if any."""
    return db.session.execute(select(RebookingCommand).where(
        RebookingCommand.shipment_id == shipment_id, RebookingCommand.status == "pending")
        .order_by(RebookingCommand.created_at)).scalars().first()


def _done_before(shipment_id: str, action: str, params: dict) -> RebookingCommand | None:
    """Return the accepted command that already made this very change (a repeated "1" is not a new one)."""
    latest = db.session.execute(select(RebookingCommand).where(
        RebookingCommand.shipment_id == shipment_id, RebookingCommand.status == "accepted")
        .order_by(RebookingCommand.created_at.desc())).scalars().first()
    if latest is None or latest.action != action:
        return None
    wanted = {key: value for key, value in params.items() if value is not None}
    return latest if all((latest.params or {}).get(key) == value for key, value in wanted.items()) else None


def blocker(shipment: Shipment, action: str | None = None) -> str | None:
    """Return why this change (None: any change) cannot be requested now; None when it can."""
    if shipment.status not in LIVE:
        return "not_live"
    carrier = shipment.carrier
    if not (carrier.api_base_url and carrier.signing_secret):
        return "carrier_without_api"
    pending = pending_command(shipment.id)
    if pending is not None and pending.action != action:
        return "other_rebooking_pending"
    return None


def can_rebook(shipment: Shipment, action: str | None = None) -> bool:
    """Tell whether this change (None: any change) can be requested now: SMS and page offer choices by it."""
    return blocker(shipment, action) is None


def create_rebooking(shipment: Shipment, action: str, params: dict, source: str,
                     now: datetime) -> RebookingCommand | None:
    """Add a pending command unless it is impossible, pending or done (that one is returned). Does not commit."""
    if source not in SOURCES:
        raise RebookingError(f"unknown source {source!r}; expected one of {SOURCES}")
    params = clean_params(action, params)
    # Serialise choices for one parcel: two replies at once must not make two commands.
    db.session.execute(select(Shipment.id).where(Shipment.id == shipment.id).with_for_update())
    reason = blocker(shipment, action)
    if reason is not None:
        log.info("rebooking %s for shipment %s not requested: %s", action, shipment.id, reason)
        return None
    existing = pending_command(shipment.id) or _done_before(shipment.id, action, params)
    if existing is not None:
        return existing
    command = RebookingCommand(shipment_id=shipment.id, action=action, params=params, source=source,
                               status="pending", attempts=0, next_attempt_at=now, created_at=now, updated_at=now)
    db.session.add(command)
    db.session.flush()
    return command


def request_rebooking(shipment: Shipment, action: str, params: dict, source: str,
                      now: datetime) -> RebookingCommand | None:
    """Commit a rebooking command and hand it to the carrier worker; None when it is not possible."""
    command = create_rebooking(shipment, action, params, source, now)
    db.session.commit()
    if command is not None:
        enqueue_after_commit([command.id])
    return command


def enqueue_after_commit(command_ids: list[str]) -> None:
    """Enqueue committed commands (imported late: app code must not import the workers at load)."""
    from workers.rebooking import enqueue_rebookings

    enqueue_rebookings(command_ids)


def list_rebookings(shop: Shop, status: str | None = None, action: str | None = None,
                    limit: int = 100) -> list[RebookingCommand]:
    """Return the shop's rebooking commands, newest first, optionally only e.g. the dead ones."""
    statement = select(RebookingCommand).join(Shipment).where(Shipment.shop_id == shop.id)
    if status:
        statement = statement.where(RebookingCommand.status == status)
    if action:
        statement = statement.where(RebookingCommand.action == action)
    return list(db.session.execute(statement.order_by(RebookingCommand.created_at.desc()).limit(limit)).scalars())


def get_rebooking(shop: Shop, rebooking_id: str) -> RebookingCommand:
    """Return one of the shop's rebooking commands; another shop's is as missing as a wrong id."""
    command = db.session.get(RebookingCommand, rebooking_id)
    shipment = db.session.get(Shipment, command.shipment_id) if command else None
    if shipment is None or shipment.shop_id != shop.id:
        raise not_found("rebooking")
    return command


def rebookings_of(shipment: Shipment) -> list[RebookingCommand]:
    """Return a shipment's rebooking commands, oldest first."""
    return list(db.session.execute(select(RebookingCommand).where(RebookingCommand.shipment_id == shipment.id)
                                   .order_by(RebookingCommand.created_at)).scalars())
