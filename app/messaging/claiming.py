"""Claiming messages from the outbox: pending -> dispatching in one UPDATE, only while due and first in line.

A claimed row is this job's alone, so two workers never send the same row (app/messaging/ordering.py says
what "first in line" is). The UPDATEs are built once with their values as parameters: a job of one or two
texts (live ingestion enqueues one per route push) ran three of them, and building, aliasing and keying the
statements cost more CPU than running them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import Integer, bindparam, select, update

from app.extensions import db
from app.messaging import ordering
from app.models import Message

BATCH = 50  # messages per job: RQ costs milliseconds per job, a send well under one
JOB_TIMEOUT = 120


def batch_size() -> int:
    """Messages per job: BATCH, fewer for a slow sender so a job never waits out its timeout on the rate limit."""
    return max(1, min(BATCH, current_app.config["SENDER_RATE_PER_SECOND"] * JOB_TIMEOUT // 6))


def claim(message_ids: list[str], now: datetime) -> list[Message]:
    """Take the given messages, and on PostgreSQL other due ones up to a batch, so one job drains many pushes."""
    claimed_ids = _take(_claims().given, now=now, ids=list(message_ids))
    room = batch_size() - len(claimed_ids)
    if room > 0 and db.engine.dialect.name == "postgresql":
        claimed_ids += _take(_claims().others, now=now, room=room)
    return _load(claimed_ids, message_ids)


def claim_successors(numbers: set[str], now: datetime) -> list[Message]:
    """Take the messages that waited behind the ones just recorded, now first in line for their numbers."""
    return _load(_take(_claims().successors, now=now, numbers=sorted(numbers)), [])


@dataclass(frozen=True)
class _Claims:
    given: Any
    others: Any
    successors: Any


@cache
def _claims() -> _Claims:
    """The claiming UPDATEs, built once (see the module's doc). The rows are loaded afresh after (`_load`), so
    the session is not synchronized here."""
    now = bindparam("now", type_=Message.__table__.c.updated_at.type)
    claimable = (*ordering.due(now), ordering.first_in_line(now))

    def take(*where):
        return (update(Message).values(status="dispatching", attempts=Message.attempts + 1, updated_at=now)
                .where(*where).returning(Message.id).execution_options(synchronize_session=False))

    others = (select(Message.id).where(*claimable).order_by(Message.created_at)
              .limit(bindparam("room", type_=Integer)).with_for_update(skip_locked=True))
    return _Claims(given=take(Message.id.in_(bindparam("ids", expanding=True)), *claimable),
                   others=take(Message.id.in_(others)),
                   successors=take(Message.to_number.in_(bindparam("numbers", expanding=True)), *claimable))


def _take(statement, **params) -> list[str]:
    claimed_ids = list(db.session.execute(statement, params).scalars())
    db.session.commit()
    return claimed_ids


def _load(claimed_ids: list[str], asked: list[str]) -> list[Message]:
    if not claimed_ids:
        return []
    rows = db.session.execute(select(Message).where(Message.id.in_(claimed_ids))
                              .execution_options(populate_existing=True)).scalars()
    order = {message_id: i for i, message_id in enumerate(asked)}
    return sorted(rows, key=lambda m: (order.get(m.id, len(order)), m.created_at, m.id))
