"""Find a shipment by its tracking token and gather the facts its page may show."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from app.eta.smoothing import texts_eta_of
from app.extensions import db
from app.ingestion.eta_learning import carrier_calibration
from app.messaging.compose import first_name
from app.models import Feedback, RebookingCommand, Shipment, StatusEvent
from app.rebooking.service import can_rebook
from app.tracking.facts import ENDED, PageFacts, RebookingFacts
from app.tracking.service import page_expired

# Tokens are secrets.token_urlsafe(24): 32 characters, 192 bits. Anything that cannot be one
# is refused before it reaches the database.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,64}")


def shipment_by_token(token: str, now: datetime) -> Shipment | None:
    """Return the shipment a live tracking link points to; None for unknown, malformed or expired links."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    shipment = db.session.execute(select(Shipment).where(Shipment.tracking_token == token)).scalar()
    if shipment is None or page_expired(page_facts(shipment, light=True), now):
        return None
    return shipment


def page_facts(shipment: Shipment, *, light: bool = False) -> PageFacts:
    """Collect the page's facts: first name and town only, never the phone number or address.

    `light` skips the history, rebooking and feedback queries (enough to decide expiry). Whether
    choices are open is the rebooking service's rule, the one SMS replies follow.
    """
    shop = shipment.shop
    ended_at = None
    if shipment.status in ENDED:
        ended_at = shipment.cancelled_at or shipment.status_at or shipment.updated_at
    calibration = carrier_calibration(shipment.carrier_id) if shipment.eta else None
    # The ETA the texts read: the smoothed one where the carrier's pushes scatter (app/eta/smoothing.py).
    eta = texts_eta_of(shipment, calibration)
    facts = dict(status=shipment.status, shop_name=shop.name,
                 language=shipment.recipient_language or shop.language, timezone=shop.timezone,
                 first_name=first_name(shipment.recipient_name), city=shipment.recipient_city,
                 tone=(shop.branding or {}).get("tone") or "warm", eta=eta,
                 window_start=shipment.window_start, window_end=shipment.window_end,
                 announced_start=shipment.announced_start, announced_end=shipment.announced_end,
                 delay_announced=shipment.last_delay_eta is not None, instruction=shipment.instruction,
                 extras=shop.extras or {}, created_at=shipment.created_at, ended_at=ended_at,
                 calibration=calibration)
    if light:
        return PageFacts(**facts)
    history = db.session.execute(select(StatusEvent.status, StatusEvent.occurred_at).where(
        StatusEvent.shipment_id == shipment.id, StatusEvent.status.is_not(None))).all()
    command = db.session.execute(select(RebookingCommand).where(RebookingCommand.shipment_id == shipment.id)
                                 .order_by(RebookingCommand.created_at.desc()).limit(1)).scalar()
    feedback = db.session.get(Feedback, shipment.id)
    return PageFacts(
        **facts, can_rebook=can_rebook(shipment),
        history=tuple((status, occurred_at) for status, occurred_at in history),
        rebooking=RebookingFacts(command.action, command.status, command.params or {}) if command else None,
        rating=feedback.rating if feedback else None, comment=feedback.comment if feedback else None)
