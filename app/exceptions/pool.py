"""The shop's pool of compensation codes: uploaded by the shop, each issued once, a warning when it runs low.

Issuing is race-free on PostgreSQL without a queue of waiters: each process locks the first free
code no other process holds (FOR UPDATE SKIP LOCKED) and marks it issued in the same statement.
SQLite has one writer at a time, so the same statement is atomic there as it stands.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import CompensationCode, LadderSettings
from app.models.base import insert_ignoring_duplicates

MAX_UPLOAD = 10_000  # codes per request


def upload_codes(shop_id: str, codes: list[str], now: datetime) -> dict[str, int]:
    """Add codes to the shop's pool (one already there is skipped); commit; return the counts."""
    from app.exceptions.settings import settings_row

    unique = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    before = free_codes(shop_id)
    insert_ignoring_duplicates(CompensationCode, [{"shop_id": shop_id, "code": code, "created_at": now}
                                                  for code in unique], ["shop_id", "code"])
    remaining = free_codes(shop_id)
    settings = settings_row(shop_id)
    if remaining > settings.pool_low_level:
        settings.pool_low_warned = False  # refilled: the next time it runs low is a new warning
    db.session.commit()
    return {"received": len(codes), "added": remaining - before, "duplicates": len(codes) - (remaining - before),
            "remaining": remaining}


def free_codes(shop_id: str) -> int:
    """Count the shop's codes not issued yet."""
    return db.session.execute(select(func.count()).select_from(CompensationCode).where(
        CompensationCode.shop_id == shop_id, CompensationCode.shipment_id.is_(None))).scalar_one()


def pool_counts(shop_id: str) -> dict[str, int]:
    """Count the shop's free and issued codes."""
    total = db.session.execute(select(func.count()).select_from(CompensationCode).where(
        CompensationCode.shop_id == shop_id)).scalar_one()
    remaining = free_codes(shop_id)
    return {"remaining": remaining, "issued": total - remaining}


def shops_with_codes() -> set[str]:
    """Return the shops whose pool still holds a code (the others have nothing to compensate with)."""
    return set(db.session.execute(select(CompensationCode.shop_id).where(
        CompensationCode.shipment_id.is_(None)).distinct()).scalars())


def issue_code(shop_id: str, shipment_id: str, now: datetime) -> str | None:
    """Give the parcel the shop's next free code (None when the pool is empty). Does not commit."""
    free = (select(CompensationCode.id).where(CompensationCode.shop_id == shop_id,
                                              CompensationCode.shipment_id.is_(None))
            .order_by(CompensationCode.id).limit(1).with_for_update(skip_locked=True).scalar_subquery())
    return db.session.execute(update(CompensationCode).where(
        CompensationCode.id == free, CompensationCode.shipment_id.is_(None))
        .values(shipment_id=shipment_id, issued_at=now).returning(CompensationCode.code)).scalar()


def issued_code(shipment_id: str) -> str | None:
    """Return the code the parcel was given, if any."""
    return db.session.execute(select(CompensationCode.code).where(
        CompensationCode.shipment_id == shipment_id)).scalar()


def claim_low_warning(shop_id: str) -> int | None:
    """Return the codes left when the pool just fell to the shop's warning level (once a crossing), else None.

    The flag flips in one conditional UPDATE, so of several processes issuing the last codes
    exactly one warns. Does not commit.
    """
    remaining = free_codes(shop_id)
    flipped = db.session.execute(update(LadderSettings).where(
        LadderSettings.shop_id == shop_id, LadderSettings.pool_low_warned.is_(False),
        LadderSettings.pool_low_level >= remaining).values(pool_low_warned=True)
        .returning(LadderSettings.shop_id)).scalar()
    return remaining if flipped else None
