"""Shop API v1: the shop's own settings."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, g

from app.auth import shop_required
from app.clock import now
from app.errors import ApiError
from app.schemas import load_json
from app.shops import schemas, service
from app.sms.factory import current_provider

bp = Blueprint("shop_settings", __name__, url_prefix="/api/v1/shop")
bp.before_request(shop_required(lambda: None))


@bp.get("")
def show():
    """Show the shop's settings, including whether recipients can reply."""
    return schemas.ShopOut().dump(g.shop)


@bp.patch("")
def update():
    """Change branding, sender, lead time, quiet hours, caps, status texts or webhook."""
    changes = load_json(schemas.ShopPatch())
    return _answer(service.update_shop(g.shop, changes, production=current_app.config["ENV"] == "production",
                                       provider=current_provider()))


@bp.post("/keys/rotate")
def rotate_key():
    """Issue a new API key (shown once); the current one stops now or after a grace period."""
    wanted = load_json(schemas.KeyRotation())
    moment = now()
    if wanted["expires_at"] is not None and wanted["expires_at"] <= moment:
        raise ApiError(422, "validation_failed", "The request has invalid fields.",
                       {"expires_at": ["Must be in the future."]})
    rotated = service.rotate_api_key(g.shop, moment, timedelta(seconds=wanted["grace_seconds"]),
                                     wanted["expires_at"])
    return schemas.KeyRotated().dump(rotated), 201


@bp.post("/webhook-secret")
def rotate_webhook_secret():
    """Issue a new webhook signing secret (shown once); the old one stops signing at once."""
    return _answer(service.rotate_webhook_secret(g.shop))


def _answer(new_secret: str | None):
    body = schemas.ShopOut().dump(g.shop)
    if new_secret:
        body["webhook_secret"] = new_secret  # the only time it is shown
    return body
