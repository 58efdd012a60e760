"""Bearer credentials: shop API keys and carrier tokens, stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets
from functools import wraps

from flask import g, request

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


def require(model, attribute: str, what: str):
    """Build a decorator that resolves the bearer credential to a row of `model` in g.<attribute>."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            column = model.api_key_hash if hasattr(model, "api_key_hash") else model.token_hash
            row = db.session.execute(db.select(model).where(column == hash_secret(_bearer()))).scalar()
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
