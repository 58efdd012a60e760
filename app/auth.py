"""Bearer credentials: shop API keys and carrier tokens, stored only as hashes.

The shop's (carrier's) row holds the hash of its current secret. An ApiCredential row can
give that secret an expiry, or keep a rotated-out secret working until its grace ends:
rotation hands out a new secret once and the old one stops at the end of the grace.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import wraps

from flask import g, request
from sqlalchemy import delete, select

from app.clock import now as clock_now
from app.errors import ApiError
from app.extensions import db


def hash_secret(secret: str) -> str:
    """Hash an API key or token for storage and lookup (they are long and random: no salt needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    """Return a new credential such as "bj_shop_…", shown once to its owner."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise ApiError(401, "unauthorized", "Send your key as 'Authorization: Bearer <key>'.")
    return credential.strip()


def _kind(model) -> str:
    return "shop" if hasattr(model, "api_key_hash") else "carrier"


def _column(model):
    return model.api_key_hash if hasattr(model, "api_key_hash") else model.token_hash


def resolve_secret(model, secret: str, now: datetime):
    """Return the shop or carrier a bearer secret belongs to, if it is current or in its grace."""
    from app.models import ApiCredential

    digest = hash_secret(secret)
    row = db.session.execute(select(model).where(_column(model) == digest)).scalar()
    limit = db.session.execute(select(ApiCredential).where(ApiCredential.secret_hash == digest)).scalar()
    if limit is not None and (limit.owner_kind != _kind(model) or (limit.expires_at and limit.expires_at <= now)):
        return None
    if row is not None:
        return row
    if limit is not None and limit.expires_at is not None:  # a rotated-out secret, still in its grace
        return db.session.get(model, limit.owner_id)
    return None


def rotate_secret(owner, prefix: str, now: datetime, grace: timedelta = timedelta(0),
                  expires_at: datetime | None = None) -> tuple[str, datetime | None]:
    """Give a shop or carrier a new secret (returned once); the old one works `grace` longer. Commits.

    Return the new secret and until when the old one works (None: it stopped at once).
    """
    from app.models import ApiCredential

    model, kind = type(owner), _kind(type(owner))
    attribute = _column(model).key
    old_hash = getattr(owner, attribute)
    db.session.execute(delete(ApiCredential).where(ApiCredential.secret_hash == old_hash))
    db.session.execute(delete(ApiCredential).where(ApiCredential.owner_kind == kind,
                                                   ApiCredential.owner_id == owner.id,
                                                   ApiCredential.expires_at <= now))
    secret = new_secret(prefix)
    setattr(owner, attribute, hash_secret(secret))
    old_until = now + grace if grace > timedelta(0) else None
    if old_until:
        db.session.add(ApiCredential(owner_kind=kind, owner_id=owner.id, secret_hash=old_hash,
                                     expires_at=old_until, created_at=now))
    if expires_at:
        db.session.add(ApiCredential(owner_kind=kind, owner_id=owner.id, secret_hash=hash_secret(secret),
                                     expires_at=expires_at, created_at=now))
    db.session.commit()
    return secret, old_until


def revoke_secrets(owner) -> None:
    """Revoke every secret of a shop or carrier at once (a new one must be issued by rotation). Commits."""
    from app.models import ApiCredential

    kind = _kind(type(owner))
    db.session.execute(delete(ApiCredential).where(ApiCredential.owner_kind == kind,
                                                   ApiCredential.owner_id == owner.id))
    setattr(owner, _column(type(owner)).key, hash_secret(new_secret("revoked")))  # a secret nobody knows
    db.session.commit()


def require(model, attribute: str, what: str):
    """Build a decorator that resolves the bearer credential to a row of `model` in g.<attribute>."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            row = resolve_secret(model, _bearer(), clock_now())
            if row is None or not getattr(row, "active", True):
                raise ApiError(401, "unauthorized", f"Unknown or revoked {what}.")
            setattr(g, attribute, row)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def shop_required(view):
    """Resolve the shop's API key into g.shop, or answer 401."""
    from app.models import Shop

    return require(Shop, "shop", "API key")(view)


def carrier_required(view):
    """Resolve the carrier token into g.carrier, or answer 401."""
    from app.models import Carrier

    return require(Carrier, "carrier", "carrier token")(view)
