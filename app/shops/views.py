"""Shop API v1: the shop's own settings."""

from __future__ import annotations

from flask import Blueprint, g

from app.auth import shop_required
from app.extensions import db
from app.schemas import load_json
from app.shops import schemas

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
    for name, value in changes.items():
        if name in ("branding", "extras"):
            value = {**(getattr(g.shop, name) or {}), **value}
        setattr(g.shop, name, value.upper() if name == "country" else value)
    db.session.commit()
    return schemas.ShopOut().dump(g.shop)
