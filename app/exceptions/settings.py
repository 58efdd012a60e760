"""Each shop's ladder settings: stored where the shop changed them, the product's defaults elsewhere."""

from __future__ import annotations

from dataclasses import asdict, fields

from sqlalchemy import select

from app.exceptions.ladder import LadderRules
from app.extensions import db
from app.models import LadderSettings

RULE_FIELDS = tuple(field.name for field in fields(LadderRules))


def rules_of(row: LadderSettings | None) -> LadderRules:
    """Return the rules a settings row holds (the defaults for a shop without one)."""
    if row is None:
        return LadderRules()
    return LadderRules(**{name: getattr(row, name) for name in RULE_FIELDS})


def shop_rules(shop_id: str) -> LadderRules:
    """Return one shop's ladder rules."""
    return rules_of(db.session.get(LadderSettings, shop_id))


def custom_rules() -> dict[str, LadderRules]:
    """Return the rules of every shop that changed them (shops not listed use the defaults)."""
    return {row.shop_id: rules_of(row) for row in db.session.execute(select(LadderSettings)).scalars()}


def settings_row(shop_id: str) -> LadderSettings:
    """Return the shop's settings row, creating it with the defaults (flushed, not committed)."""
    row = db.session.get(LadderSettings, shop_id)
    if row is None:
        row = LadderSettings(shop_id=shop_id, pool_low_warned=False, **asdict(LadderRules()))
        db.session.add(row)
        db.session.flush()
    return row


def update_rules(shop_id: str, changes: dict) -> LadderRules:
    """Apply a shop's changes to its ladder settings and commit; return the rules now in force."""
    row = settings_row(shop_id)
    for name, value in changes.items():
        setattr(row, name, value)
    db.session.commit()
    return rules_of(row)
