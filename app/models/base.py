"""Column helpers shared by the models."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC

from sqlalchemy import DateTime, TypeDecorator


def new_id() -> str:
    """Return a new opaque, unguessable primary key."""
    return uuid.uuid4().hex


def new_token() -> str:
    """Return a URL-safe token with 192 bits of randomness (tracking links, keys)."""
    return secrets.token_urlsafe(24)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on both PostgreSQL and SQLite (which drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; Bijna stores aware UTC times only")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def insert_ignoring_duplicates(model, rows: list[dict], unique_columns: list[str]) -> None:
    """INSERT rows, silently skipping those that clash on a unique key (PostgreSQL and SQLite)."""
    from app.extensions import db

    if not rows:
        return
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(model).on_conflict_do_nothing(index_elements=unique_columns), rows)
