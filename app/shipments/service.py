"""Shipment use cases for the shop API: explicit arguments, no request objects."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from marshmallow import ValidationError
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from app.clock import now as clock_now
from app.errors import ApiError, not_found
from app.extensions import db
from app.models import Carrier, Shipment, Shop
from app.notify.statuses import TERMINAL
from app.phones import PhoneError, to_e164
from app.schemas import check_moment


def _phone(raw: str, country: str) -> str:
    try:
        return to_e164(raw, country)
    except PhoneError as error:
        raise ValidationError({"recipient": {"phone": [str(error)]}}) from None


def _carrier(code: str) -> Carrier:
    carrier = db.session.execute(select(Carrier).where(Carrier.code == code)).scalar()
    if carrier is None:
        raise ValidationError({"carrier": [f"Unknown carrier {code!r}."]})
    return carrier


def _existing(shop: Shop, data: dict, idempotency_key: str | None) -> Shipment | None:
    query = select(Shipment).where(Shipment.shop_id == shop.id)
    if idempotency_key:
        found = db.session.execute(query.where(Shipment.idempotency_key == idempotency_key)).scalar()
        if found is not None:
            differs = _differences(found, data, shop)
            if differs:
                raise ApiError(409, "idempotency_key_reused",
                               "This Idempotency-Key was used for another shipment.",
                               {"Idempotency-Key": [f"Already used with a different {', '.join(differs)}."]})
            return found
    return db.session.execute(query.where(
        Shipment.order_ref == data["order_ref"], Shipment.tracking_number == data["tracking_number"])).scalar()


def _differences(found: Shipment, data: dict, shop: Shop) -> list[str]:
    """Name what a request replayed under an Idempotency-Key changes: any difference is another request."""
    differs = [name for name in ("order_ref", "tracking_number", "notify") if getattr(found, name) != data[name]]
    if found.carrier.code != data["carrier"]:
        differs.append("carrier")
    if found.recipient_phone != _phone(data["recipient"]["phone"], shop.country):
        differs.append("recipient.phone")
    return differs


def create_shipment(shop: Shop, data: dict, idempotency_key: str | None = None) -> tuple[Shipment, bool]:
    """Create a shipment, or return the one this key or (order ref, tracking number) made before."""
    if idempotency_key is not None and len(idempotency_key) > 200:
        raise ValidationError({"Idempotency-Key": ["At most 200 characters."]})
    found = _existing(shop, data, idempotency_key)
    if found is not None:
        return found, False
    recipient = data["recipient"]
    window = data.get("window") or {}
    shipment = Shipment(
        shop_id=shop.id, carrier_id=_carrier(data["carrier"]).id, order_ref=data["order_ref"],
        tracking_number=data["tracking_number"], idempotency_key=idempotency_key,
        recipient_phone=_phone(recipient["phone"], shop.country), recipient_name=recipient.get("name"),
        recipient_language=recipient.get("language") or shop.language, recipient_city=recipient.get("city"),
        window_start=window.get("start"), window_end=window.get("end"), notify=data["notify"],
    )
    db.session.add(shipment)
    try:
        db.session.commit()
    except IntegrityError:
        # A concurrent twin of this request won the race: answer with its shipment.
        db.session.rollback()
        found = _existing(shop, data, idempotency_key)
        if found is None:
            raise
        return found, False
    return shipment, True


def get_shipment(shop: Shop, shipment_id: str) -> Shipment:
    """Return one of this shop's shipments; another shop's is as missing as a wrong id."""
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None or shipment.shop_id != shop.id:
        raise not_found("shipment")
    return shipment


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        created, shipment_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        moment = datetime.fromisoformat(created)
        # A forged cursor at year 1 or 9999 would overflow when turned into UTC for the query.
        if check_moment(moment) or not isinstance(shipment_id, str) or "\x00" in shipment_id:
            raise ValueError(cursor)
        return moment, shipment_id
    except (ValueError, TypeError, OverflowError, binascii.Error):
        raise ValidationError({"cursor": ["Not a cursor this API returned."]}) from None


def _encode_cursor(shipment: Shipment) -> str:
    raw = json.dumps([shipment.created_at.isoformat(), shipment.id]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def list_shipments(shop: Shop, filters: dict) -> tuple[list[Shipment], str | None]:
    """Return a page of the shop's shipments, newest first, and the cursor of the next page."""
    query = select(Shipment).where(Shipment.shop_id == shop.id)
    for name in ("status", "order_ref", "tracking_number", "notify"):
        if name in filters:
            query = query.where(getattr(Shipment, name) == filters[name])
    if "created_after" in filters:
        query = query.where(Shipment.created_at >= filters["created_after"])
    if "created_before" in filters:
        query = query.where(Shipment.created_at < filters["created_before"])
    if "cursor" in filters:
        created, shipment_id = _decode_cursor(filters["cursor"])
        query = query.where(or_(Shipment.created_at < created,
                                and_(Shipment.created_at == created, Shipment.id < shipment_id)))
    limit = filters["limit"]
    rows = list(db.session.execute(
        query.order_by(Shipment.created_at.desc(), Shipment.id.desc()).limit(limit + 1)).scalars())
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def update_shipment(shop: Shop, shipment_id: str, changes: dict) -> Shipment:
    """Switch notifications, correct the recipient or move the promised window."""
    shipment = get_shipment(shop, shipment_id)
    if shipment.status in TERMINAL and changes:
        raise ApiError(409, "shipment_closed", f"The shipment is {shipment.status}; it can no longer change.")
    recipient = changes.get("recipient") or {}
    if "phone" in recipient:  # validated before anything changes
        shipment.recipient_phone = _phone(recipient["phone"], shop.country)
    if "notify" in changes:
        shipment.notify = changes["notify"]
    for field in ("name", "language", "city"):
        if recipient.get(field) is not None:
            setattr(shipment, f"recipient_{field}", recipient[field])
    if "window" in changes:
        window = changes["window"] or {}
        shipment.window_start, shipment.window_end = window.get("start"), window.get("end")
    db.session.commit()
    return shipment


def cancel_shipment(shop: Shop, shipment_id: str, now: datetime | None = None) -> Shipment:
    """Cancel a shipment: no text goes out for it any more. Cancelling twice is fine."""
    shipment = get_shipment(shop, shipment_id)
    if shipment.status == "cancelled":
        return shipment
    if shipment.status in TERMINAL:
        raise ApiError(409, "shipment_closed", f"The shipment is already {shipment.status}.")
    shipment.status, shipment.cancelled_at = "cancelled", now or clock_now()
    db.session.commit()
    return shipment
