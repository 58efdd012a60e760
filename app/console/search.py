"""Find a shop's parcels by order reference, tracking number, recipient name prefix or phone number.

Each lookup is one range scan of a per-shop index (see app/models/ticket.py), so the answer stays
fast on a shop with a million parcels.
"""

from __future__ import annotations

import phonenumbers
from sqlalchemy import func, select

from app.extensions import db
from app.models import Shipment

LIMIT = 50


def as_phone(query: str, country: str) -> str | None:
    """Return the E.164 form of a query that reads as a phone number in the shop's country, else None."""
    if sum(ch.isdigit() for ch in query) < 6:
        return None
    try:
        number = phonenumbers.parse(query, country.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def find_parcels(shop_id: str, country: str, query: str, limit: int = LIMIT) -> list[Shipment]:
    """Return the shop's parcels matching the query: exact references and phones first, then names."""
    query = (query or "").strip()[:120]
    if not query:
        return []
    base = select(Shipment).where(Shipment.shop_id == shop_id)
    found: dict[str, Shipment] = {}
    phone = as_phone(query, country)
    lookups = [base.where(Shipment.order_ref == query).limit(limit),
               base.where(Shipment.tracking_number.in_({query, query.upper()})).limit(limit)]
    if phone:
        lookups.append(base.where(Shipment.recipient_phone == phone)
                       .order_by(Shipment.created_at.desc()).limit(limit))
    if len(query) >= 2 and not phone:
        name = func.lower(Shipment.recipient_name)
        # No ORDER BY: the pattern-ops index cannot return rows sorted, and sorting the ~40,000 "ann..."
        # of a million parcels costs half a second; the first `limit` rows of the index scan are sorted below.
        lookups.append(base.where(name.like(_like_prefix(query.lower()), escape="\\")).limit(limit))
    for lookup in lookups:
        for shipment in db.session.execute(lookup).scalars():
            found.setdefault(shipment.id, shipment)
    exact = [s for s in found.values() if s.order_ref == query or s.tracking_number in (query, query.upper())
             or s.recipient_phone == phone]
    by_name = sorted((s for s in found.values() if s not in exact),
                     key=lambda s: ((s.recipient_name or "").lower(), s.id))
    return (exact + by_name)[:limit]


def shop_parcel(shop_id: str, shipment_id: str) -> Shipment | None:
    """Return one of the shop's parcels, or None for an unknown id or another shop's."""
    return db.session.execute(
        select(Shipment).where(Shipment.id == shipment_id, Shipment.shop_id == shop_id)).scalar()
