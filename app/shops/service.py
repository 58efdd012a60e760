"""Shop settings use cases, shared by the shop API and the operator CLI."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from marshmallow import ValidationError
from sqlalchemy import select

from app.auth import new_secret, rotate_secret
from app.errors import ApiError
from app.extensions import db
from app.models import AssignedSender, Shop
from app.shops.webhook_url import UnsafeWebhookUrl, check_webhook_url
from app.sms.provider import SmsProvider

log = logging.getLogger(__name__)


def check_sender(shop: Shop, sender: str | None, provider: SmsProvider) -> None:
    """Refuse a sender this shop may not use: only one the operator assigned it or the account owns.

    Texts go out with the shop's sender as From, so free text from a tenant would let it
    pose as another shop or a bank. None means Bijna's own sender and is always fine.
    """
    if sender is None or sender == shop.sender:
        return
    assigned = db.session.get(AssignedSender, sender)
    if assigned is not None and assigned.shop_id == shop.id:
        return
    taken = assigned is not None or db.session.execute(
        select(Shop.id).where(Shop.sender == sender, Shop.id != shop.id).limit(1)).first() is not None
    if taken:
        raise ApiError(409, "sender_taken", "This sender belongs to another shop.",
                       {"sender": ["Assigned to another shop."]})
    try:
        owned = provider.owns_sender(sender)
    except Exception as error:  # noqa: BLE001 - any provider failure means "cannot confirm now"
        log.warning("could not ask the SMS provider about a sender: %s", type(error).__name__)
        raise ApiError(503, "provider_unavailable", "The SMS provider cannot confirm the sender just now.",
                       headers={"Retry-After": "30"}) from None
    if not owned:
        raise ValidationError({"sender": ["Not a sender of Bijna's SMS account. Ask the operator to assign it "
                                          "(alphanumeric sender IDs are always assigned by the operator)."]})


def assign_sender(shop: Shop, sender: str) -> None:
    """Give a shop a sender (the operator's call) and make it the shop's sender. Commits."""
    assigned = db.session.get(AssignedSender, sender)
    if assigned is not None and assigned.shop_id != shop.id:
        raise ValueError("this sender is assigned to another shop")
    other = db.session.execute(select(Shop).where(Shop.sender == sender, Shop.id != shop.id)).scalar()
    if other is not None:
        raise ValueError("another shop sends with this sender")
    if assigned is None:
        db.session.add(AssignedSender(sender=sender, shop_id=shop.id))
    shop.sender = sender
    db.session.commit()


def rotate_api_key(shop: Shop, now: datetime, grace: timedelta, expires_at: datetime | None) -> dict:
    """Issue a new API key (shown once); the old one works `grace` longer. Commits."""
    key, old_until = rotate_secret(shop, "bj_shop", now, grace, expires_at)
    return {"api_key": key, "expires_at": expires_at, "previous_key_valid_until": old_until}


def update_shop(shop: Shop, changes: dict, production: bool, provider: SmsProvider | None = None) -> str | None:
    """Apply validated settings; return a webhook secret when one was just created for a new endpoint."""
    if "sender" in changes:
        if provider is None:
            raise ValueError("changing the sender needs the SMS provider to confirm it")
        check_sender(shop, changes["sender"], provider)
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
