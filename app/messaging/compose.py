"""Compose a text for a shipment: the shop's voice, the recipient's language, local times."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.messaging.outbox import MessageDraft
from app.models import Shipment, Shop, ShopTemplate
from app.notify.quiet_hours import defer_until
from app.notify.templates import render
from app.notify.windows import format_time, is_today, relative_day
from app.urls import tracking_url


def first_name(full_name: str | None) -> str:
    """Return the first word of a name: texts and pages never show more."""
    return (full_name or "").strip().split(" ")[0]


def shop_override(shop_id: str, kind: str, language: str) -> str | None:
    """Return the shop's own template for this kind and language, if it saved one."""
    return db.session.execute(select(ShopTemplate.body).where(
        ShopTemplate.shop_id == shop_id, ShopTemplate.kind == kind, ShopTemplate.language == language)).scalar()


def template_context(shipment: Shipment, shop: Shop, extra: dict, now: datetime, language: str) -> dict:
    """Build a template context: the shop, the recipient, the link, and times and days in the shop's zone."""
    context = {"shop_name": shop.name, "first_name": first_name(shipment.recipient_name),
               "tracking_url": tracking_url(shipment.tracking_token), "two_way": shop.two_way,
               "order_ref": shipment.order_ref}
    window = extra.get("new_window_from") or extra.get("window_from")
    if isinstance(window, datetime):  # "komt vandaag" must not be said the evening before
        context["day"] = relative_day(window, now, shop.timezone, language)
        context["today"] = is_today(window, now, shop.timezone)
    else:
        context["day"], context["today"] = relative_day(now, now, shop.timezone, language), True
    for key, value in extra.items():
        context[key] = format_time(value, shop.timezone) if isinstance(value, datetime) else value
    return context


def compose(shipment: Shipment, shop: Shop, kind: str, extra: dict, *, now: datetime, urgent: bool = True,
            valid_for: timedelta | None = None, dedupe_key: str | None = None,
            overrides: dict | None = None) -> MessageDraft:
    """Return the text of `kind` for a shipment, held until quiet hours end when not urgent."""
    language = shipment.recipient_language or shop.language
    send_after = None if urgent else defer_until(now, shop.timezone, *quiet_hours(shop))
    # Worded for the moment it goes out: held overnight, "tomorrow" has become "today".
    context = template_context(shipment, shop, extra, send_after or now, language)
    overrides = {} if overrides is None else overrides  # a batch shares one look-up per template
    key = (shop.id, kind, language)
    if key not in overrides:
        overrides[key] = shop_override(shop.id, kind, language)
    body, note = render_with_fallback(kind, language, context, overrides[key])
    return MessageDraft(to=shipment.recipient_phone, kind=kind, body=body, shop_id=shop.id, shipment_id=shipment.id,
                dedupe_key=dedupe_key, send_after=send_after, valid_for=valid_for, note=note)


def render_with_fallback(kind: str, language: str, context: dict, override: str | None) -> tuple[str, str | None]:
    """Render the shop's template, or Bijna's when the shop's fails or comes out empty for these values.

    A shop template was checked against many shapes of data when saved, but a real name or
    value can still break it: that text then goes out in Bijna's wording (and says so on the
    message), instead of failing the route push or event that holds many other parcels.
    """
    if override is not None:
        try:
            body = render(kind, language, context, override)
        except Exception as error:  # noqa: BLE001 - the shop's template is code we did not write
            return render(kind, language, context), f"shop template failed: {_short(error)}; default used"
        if body:
            return body, None
        return render(kind, language, context), "shop template rendered empty; default used"
    return render(kind, language, context), None


def _short(error: Exception) -> str:
    return (str(error) or type(error).__name__)[:200]


def quiet_hours(shop: Shop):
    """Return the shop's quiet hours as two times of day."""
    from datetime import time

    return time.fromisoformat(shop.quiet_start), time.fromisoformat(shop.quiet_end)
