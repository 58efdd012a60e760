"""Times on the phone page, in the shop's own time zone: the texts say "between 14:00 and 15:00"
in local time, so the clock next to them must too.

The phone is not per shop, so each number's thread takes the zone of the shop of its newest
parcel; a number Bijna has no parcel for (a stray reply) gets the zone a new shop gets.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models import Shipment, Shop

DEFAULT_ZONE: str = Shop.__table__.c.timezone.default.arg  # what a shop gets unless it says otherwise


def thread_zones(numbers: Iterable[str]) -> dict[str, str]:
    """Return the time zone each number's thread is shown in."""
    numbers = list(numbers)
    if not numbers:
        return {}
    rows = db.session.execute(select(Shipment.recipient_phone, Shop.timezone)
                              .join(Shop, Shop.id == Shipment.shop_id)
                              .where(Shipment.recipient_phone.in_(numbers))
                              .order_by(Shipment.created_at, Shipment.id)).all()
    newest = {phone: zone for phone, zone in rows}  # later rows win: the newest parcel's shop
    return {number: newest.get(number, DEFAULT_ZONE) for number in numbers}


def local_time(created_at: str, zone: str, now: datetime) -> str:
    """Return "14:05 CET", with the day in front when it is not today there ("23 Nov 14:05 CET")."""
    tz = ZoneInfo(zone)
    moment = datetime.fromisoformat(created_at).astimezone(tz)
    stamp = f"{moment:%H:%M} {moment.tzname()}"
    return stamp if moment.date() == now.astimezone(tz).date() else f"{moment.day} {moment:%b} {stamp}"
