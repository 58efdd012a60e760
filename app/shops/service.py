"""Shop settings use cases, shared by the shop API and the operator CLI."""

from __future__ import annotations

from marshmallow import ValidationError

from app.auth import new_secret
from app.extensions import db
from app.models import Shop
from app.shops.webhook_url import UnsafeWebhookUrl, check_webhook_url


def update_shop(shop: Shop, changes: dict, production: bool) -> str | None:
    """Apply validated settings; return a webhook secret when one was just created for a new endpoint."""
    if changes.get("webhook_url"):
        try:
            check_webhook_url(changes["webhook_url"], production)
        except UnsafeWebhookUrl as error:
            raise ValidationError({"webhook_url": [str(error)]}) from None
    for name, value in changes.items():
        if name in ("branding", "extras"):
            value = {**(getattr(shop, name) or {}), **value}
        setattr(shop, name, value.upper() if name == "country" else value)
    created = None
    if shop.webhook_url and not shop.webhook_secret:
        created = shop.webhook_secret = new_secret("whsec")
    db.session.commit()
    return created


def rotate_webhook_secret(shop: Shop) -> str:
    """Replace the shop's webhook signing secret and return the new one."""
    shop.webhook_secret = new_secret("whsec")
    db.session.commit()
    return shop.webhook_secret
