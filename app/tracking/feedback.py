"""What recipients thought of a delivery: one row per shipment, from the page or by SMS.

A second rating updates the first (whichever channel it came by), so the shop sees the
recipient's latest opinion once, not a tally of clicks. A rating by SMS carries no
comment; it leaves a comment given earlier on the page in place.

Feedback opens once the parcel was delivered, and stays open if a stray carrier scan moves
the status on afterwards: a score answering the delivered text is about that delivery.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Feedback, Message, Shipment, StatusEvent

RATINGS = range(1, 6)
MAX_COMMENT = 1000
SOURCES = ("sms", "page")


class FeedbackRefused(ValueError):
    """The rating cannot be stored: out of range, or the parcel was never delivered."""


def clean_comment(comment: str | None) -> str | None:
    """Trim a comment to what we keep; an empty one is no comment."""
    text = (comment or "").replace("\x00", "").strip()  # PostgreSQL cannot store a NUL
    return text[:MAX_COMMENT] or None


def was_delivered(shipment: Shipment) -> bool:
    """Tell whether the parcel was delivered at some point, whatever its status says now.

    Its status, the delivered text Bijna recorded on it, a carrier's delivered scan, or the
    delivered text itself (the question an SMS rating answers) all count.
    """
    if shipment.status == "delivered" or "delivered" in (shipment.sent_kinds or ()):
        return True
    scanned = exists().where(StatusEvent.shipment_id == shipment.id, StatusEvent.status == "delivered")
    told = exists().where(Message.shipment_id == shipment.id, Message.direction == "out",
                          Message.kind == "delivered")
    return bool(db.session.execute(select(or_(scanned, told))).scalar())


def store_feedback(shipment: Shipment, rating: int, comment: str | None, source: str, now: datetime,
                   *, keep_comment: bool | None = None) -> Feedback:
    """Store or update the recipient's rating of a delivered parcel in the current transaction (no commit).

    `keep_comment` (default: for SMS, whose rating is often a bare digit) keeps an earlier comment when
    none is given. Callers with their own transaction (the SMS reply worker) use this one.
    """
    if rating not in RATINGS:
        raise FeedbackRefused("rating must be a whole number from 1 to 5")
    if source not in SOURCES:
        raise ValueError(f"unknown feedback source {source!r}")
    if not was_delivered(shipment):
        raise FeedbackRefused("feedback opens once the parcel is delivered")
    comment = clean_comment(comment)
    keep = source == "sms" if keep_comment is None else keep_comment
    row = db.session.get(Feedback, shipment.id)
    if row is None:
        row = Feedback(shipment_id=shipment.id, rating=rating, comment=comment, source=source,
                       created_at=now, updated_at=now)
        db.session.add(row)
    else:
        row.rating, row.source, row.updated_at = rating, source, now
        if comment is not None or not keep:
            row.comment = comment
    db.session.flush()
    return row


def record_feedback(shipment: Shipment, rating: int, comment: str | None, source: str, now: datetime,
                    *, keep_comment: bool | None = None) -> Feedback:
    """Store or update the rating and commit (the tracking page's way in)."""
    try:
        row = store_feedback(shipment, rating, comment, source, now, keep_comment=keep_comment)
    except IntegrityError:  # a first rating arrived at the same moment from elsewhere: update that one
        db.session.rollback()
        row = store_feedback(shipment, rating, comment, source, now, keep_comment=keep_comment)
    db.session.commit()
    return row


def feedback_for(shipment_id: str) -> Feedback | None:
    """Return a shipment's feedback, if the recipient gave any."""
    return db.session.get(Feedback, shipment_id)


def list_feedback(shop_id: str, *, limit: int, rating: int | None = None,
                  since: datetime | None = None) -> list[tuple[Feedback, Shipment]]:
    """Return the shop's feedback, most recently given first, with each shipment."""
    statement = (select(Feedback, Shipment).join(Shipment, Shipment.id == Feedback.shipment_id)
                 .where(Shipment.shop_id == shop_id))
    if rating is not None:
        statement = statement.where(Feedback.rating == rating)
    if since is not None:
        statement = statement.where(Feedback.updated_at >= since)
    rows = db.session.execute(statement.order_by(Feedback.updated_at.desc(), Feedback.shipment_id).limit(limit))
    return [(feedback, shipment) for feedback, shipment in rows]
