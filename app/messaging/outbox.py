"""The outbox: every text is a committed row before any worker hears of it.

Views, ingestion and conversations call `queue_texts`; the send job and the sweeper do the rest.
A dedupe key per (shipment, kind) makes a second attempt to queue the same text a no-op,
whichever process tries it, which is what keeps "exactly one arriving-soon text" true.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Message
from app.models.base import insert_ignoring_duplicates, new_id
from app.notify.segments import count_segments


@dataclass(frozen=True)
class MessageDraft:
    """One text to queue."""

    to: str
    kind: str
    body: str
    shop_id: str | None = None
    shipment_id: str | None = None
    dedupe_key: str | None = None
    send_after: datetime | None = None  # quiet hours: hold until then
    valid_for: timedelta | None = None  # after created + valid_for it expires unsent
    note: str | None = None  # kept as the message's error_message: e.g. the shop's template failed, default used
    # What the text promised, kept as data (the scorecard reads it, not the wording).
    window_start: datetime | None = None
    window_end: datetime | None = None
    minutes: int | None = None


def store_texts(texts: list[MessageDraft], now: datetime) -> list[dict]:
    """Insert the texts not queued before (by dedupe key); return the rows that landed. Does not commit."""
    if not texts:
        return []
    rows = []
    for text in texts:
        encoding, segments = count_segments(text.body)
        start = text.send_after or now
        rows.append({
            "id": new_id(), "direction": "out", "kind": text.kind, "to_number": text.to, "body": text.body,
            "shop_id": text.shop_id, "shipment_id": text.shipment_id, "dedupe_key": text.dedupe_key,
            "encoding": encoding, "segments": segments, "status": "pending", "attempts": 0,
            "created_at": now, "updated_at": now, "send_after": text.send_after,
            "expires_at": start + text.valid_for if text.valid_for else None,
            "error_message": text.note[:300] if text.note else None,
            "window_start": text.window_start, "window_end": text.window_end, "minutes": text.minutes,
        })
    insert_ignoring_duplicates(Message, rows, ["dedupe_key"])
    keyed = [row["id"] for row in rows if row["dedupe_key"]]
    if not keyed:
        return rows
    # Rows whose key existed were skipped by the insert: keep only the ones that landed.
    landed = set(db.session.execute(select(Message.id).where(Message.id.in_(keyed))).scalars())
    return [row for row in rows if not row["dedupe_key"] or row["id"] in landed]


def enqueue_due(rows: list[dict], now: datetime) -> None:
    """Enqueue the stored texts that may go now; held ones wait for the sweeper. Call after commit."""
    from workers.sending import enqueue_sends

    enqueue_sends([row["id"] for row in rows if not row["send_after"] or row["send_after"] <= now])


def queue_texts(texts: list[MessageDraft], now: datetime) -> list[str]:
    """Store texts, commit, then enqueue the ones due now; return the ids of the new texts."""
    rows = store_texts(texts, now)
    db.session.commit()
    enqueue_due(rows, now)
    return [row["id"] for row in rows]
