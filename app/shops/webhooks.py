"""Signed webhooks to shops: stored first, delivered by a worker, retried with backoff, dead at last.

Each delivery is a POST of canonical JSON to the shop's `webhook_url`:

    {"id": "<webhook id>", "event": "rebooking.accepted", "created_at": "...", "data": {...}}

with `X-Bijna-Signature: t=<unix>,v1=<hmac-sha256>` made by `app.carriers.signing.sign`
with the shop's `webhook_secret` over the exact body bytes, `Idempotency-Key: <webhook id>`
(the same on every retry: a shop that saw it before can ignore it) and `X-Bijna-Event`.
Any 2xx is delivered; anything else is retried with exponential backoff until MAX_ATTEMPTS,
then the webhook is dead (visible to the operator, `flask rebookings webhooks`).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import requests
from flask import current_app
from sqlalchemy import select, update

from app.carriers.signing import SIGNATURE_HEADER, sign
from app.extensions import db
from app.models import Shop, ShopWebhook
from app.shops.webhook_url import UnsafeWebhookUrl, check_webhook_url, post_pinned

log = logging.getLogger(__name__)

EVENTS = ("rebooking.accepted", "rebooking.refused", "rebooking.dead",
          "ticket.opened", "compensation.pool_low")  # the last two: the exception ladder (app/exceptions)
MAX_ATTEMPTS = 10  # about 3 hours of backoff in all
LEASE = timedelta(minutes=1)  # a delivery in flight is not picked up again before this
TIMEOUT_SECONDS = 5.0
USER_AGENT = "Bijna-webhooks/1"


def queue_webhook(shop: Shop, event: str, data: dict, now: datetime) -> ShopWebhook | None:
    """Store an event for the shop's endpoint (None when it has none). Does not commit."""
    if event not in EVENTS:
        raise ValueError(f"unknown shop webhook event {event!r}")
    if not (shop.webhook_url and shop.webhook_secret):
        return None
    webhook = ShopWebhook(shop_id=shop.id, event=event, payload=data, status="pending", attempts=0,
                          next_attempt_at=now, created_at=now)
    db.session.add(webhook)
    db.session.flush()
    return webhook


def webhook_body(webhook: ShopWebhook) -> bytes:
    """Return the exact bytes posted (and signed): the same on every retry."""
    document = {"id": webhook.id, "event": webhook.event, "created_at": webhook.created_at.isoformat(),
                "data": webhook.payload}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def backoff(attempts: int) -> timedelta:
    """Return the wait after the n-th failed attempt: 30 s, 1 min, 2 min ... at most an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def claim(webhook_id: str, now: datetime) -> ShopWebhook | None:
    """Take a due webhook for one delivery attempt (no other worker gets it meanwhile); commit."""
    claimed = db.session.execute(
        update(ShopWebhook).where(ShopWebhook.id == webhook_id, ShopWebhook.status == "pending",
                                  ShopWebhook.next_attempt_at <= now)
        .values(attempts=ShopWebhook.attempts + 1, next_attempt_at=now + LEASE)
        .returning(ShopWebhook.id)).scalar()
    db.session.commit()
    return db.session.get(ShopWebhook, claimed) if claimed else None


def deliver(webhook_id: str, now: datetime, session: requests.Session | None = None,
            timeout: float = TIMEOUT_SECONDS) -> str | None:
    """Post one due webhook to its shop; return its new status (None when it was not due)."""
    webhook = claim(webhook_id, now)
    if webhook is None:
        return None
    shop = db.session.get(Shop, webhook.shop_id)
    if not (shop.webhook_url and shop.webhook_secret):
        return _finish(webhook, "dead", "The shop has no webhook endpoint any more.")
    try:  # checked again now: the name may point somewhere else than when it was saved
        address = check_webhook_url(shop.webhook_url, production=current_app.config["ENV"] == "production",
                                    resolve_host=True)
    except UnsafeWebhookUrl as error:
        return _finish(webhook, "dead", f"Refused to post there: {error}")
    body = webhook_body(webhook)
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "Idempotency-Key": webhook.id,
               "X-Bijna-Event": webhook.event, SIGNATURE_HEADER: sign(shop.webhook_secret, body, int(now.timestamp()))}
    try:
        if address is not None and session is None:  # production: connect to the address just checked
            response = post_pinned(shop.webhook_url, address, data=body, headers=headers, timeout=timeout)
        else:
            response = (session or requests).post(shop.webhook_url, data=body, headers=headers, timeout=timeout,
                                                  allow_redirects=False)
    except requests.RequestException as error:
        return _failed(webhook, now, f"unreachable: {error}")
    if 200 <= response.status_code < 300:
        return _finish(webhook, "delivered", None)
    return _failed(webhook, now, f"answered {response.status_code}")


def _failed(webhook: ShopWebhook, now: datetime, error: str) -> str:
    if webhook.attempts >= MAX_ATTEMPTS:
        log.error("shop webhook %s (%s) dead after %d attempts: %s", webhook.id, webhook.event,
                  webhook.attempts, error)
        return _finish(webhook, "dead", error)
    webhook.next_attempt_at = now + backoff(webhook.attempts)
    return _finish(webhook, "pending", error)


def _finish(webhook: ShopWebhook, status: str, error: str | None) -> str:
    webhook.status, webhook.last_error = status, (error or "")[:500] or None
    db.session.commit()
    return status


def due_webhooks(now: datetime, grace: timedelta, limit: int = 1000) -> list[str]:
    """Return pending webhooks due for a while that no job took: lost jobs and retries."""
    return list(db.session.execute(select(ShopWebhook.id).where(
        ShopWebhook.status == "pending", ShopWebhook.next_attempt_at <= now - grace)
        .order_by(ShopWebhook.next_attempt_at).limit(limit)).scalars())


def list_webhooks(status: str | None = None, limit: int = 100) -> list[ShopWebhook]:
    """Return webhooks, newest first, for the operator."""
    statement = select(ShopWebhook)
    if status:
        statement = statement.where(ShopWebhook.status == status)
    return list(db.session.execute(statement.order_by(ShopWebhook.created_at.desc()).limit(limit)).scalars())


def revive_webhook(webhook_id: str, now: datetime) -> bool:
    """Give a dead webhook a fresh set of attempts (after the shop fixed its endpoint); commit."""
    revived = db.session.execute(update(ShopWebhook).where(ShopWebhook.id == webhook_id,
                                                           ShopWebhook.status == "dead")
                                 .values(status="pending", attempts=0, next_attempt_at=now)
                                 .returning(ShopWebhook.id)).scalar()
    db.session.commit()
    return revived is not None
