"""Operator commands for tenant safety: assign senders, rotate or revoke shop keys and carrier tokens.

app/cli.py adds them to its `flask shops` and `flask carriers` groups (SHOP_COMMANDS, CARRIER_COMMANDS).
"""

from __future__ import annotations

from datetime import timedelta

import click
from sqlalchemy import select

from app.auth import revoke_secrets, rotate_secret
from app.clock import now
from app.extensions import db
from app.models import Carrier, Shop
from app.shops.schemas import ShopPatch
from app.shops.service import assign_sender


def _shop(shop_id: str) -> Shop:
    shop = db.session.get(Shop, shop_id) or db.session.execute(select(Shop).where(Shop.name == shop_id)).scalar()
    if shop is None:
        raise click.BadParameter(f"no shop with id or name {shop_id!r}", param_hint="SHOP")
    return shop


def _carrier(code: str) -> Carrier:
    carrier = db.session.execute(select(Carrier).where(Carrier.code == code)).scalar()
    if carrier is None:
        raise click.BadParameter(f"no carrier {code!r}", param_hint="CARRIER")
    return carrier


@click.command("assign-sender")
@click.argument("shop_id", metavar="SHOP")
@click.argument("sender")
def shops_assign_sender(shop_id: str, sender: str):
    """Give SHOP (id or name) the SENDER (E.164 number or alphanumeric ID) and make it the shop's sender."""
    errors = ShopPatch().validate({"sender": sender})
    if errors:
        raise click.BadParameter("; ".join(errors["sender"]), param_hint="SENDER")
    try:
        assign_sender(_shop(shop_id), sender)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo("sender assigned")


@click.command("rotate-key")
@click.argument("shop_id", metavar="SHOP")
@click.option("--grace-hours", type=click.IntRange(0, 168), default=0, show_default=True,
              help="How long the current key keeps working.")
@click.option("--expires-in-days", type=click.IntRange(1, 3650), default=None, help="When the new key expires.")
def shops_rotate_key(shop_id: str, grace_hours: int, expires_in_days: int | None):
    """Issue a new API key for SHOP and print it once; the old one stops after the grace."""
    click.echo(f"API key (shown once): {_rotate(_shop(shop_id), 'bj_shop', grace_hours, expires_in_days)}")


@click.command("revoke-keys")
@click.argument("shop_id", metavar="SHOP")
def shops_revoke_keys(shop_id: str):
    """Revoke every API key of SHOP at once (issue a new one with rotate-key)."""
    revoke_secrets(_shop(shop_id))
    click.echo("keys revoked")


@click.command("rotate-token")
@click.argument("code", metavar="CARRIER")
@click.option("--grace-hours", type=click.IntRange(0, 168), default=0, show_default=True,
              help="How long the current token keeps working.")
@click.option("--expires-in-days", type=click.IntRange(1, 3650), default=None, help="When the new token expires.")
def carriers_rotate_token(code: str, grace_hours: int, expires_in_days: int | None):
    """Issue a new token for CARRIER and print it once; the old one stops after the grace."""
    click.echo(f"carrier token (shown once): {_rotate(_carrier(code), 'bj_carrier', grace_hours, expires_in_days)}")


def _rotate(owner, prefix: str, grace_hours: int, expires_in_days: int | None) -> str:
    moment = now()
    expires = moment + timedelta(days=expires_in_days) if expires_in_days else None
    secret, _ = rotate_secret(owner, prefix, moment, timedelta(hours=grace_hours), expires)
    return secret


@click.command("revoke-token")
@click.argument("code", metavar="CARRIER")
def carriers_revoke_token(code: str):
    """Revoke every token of CARRIER at once (issue a new one with rotate-token)."""
    revoke_secrets(_carrier(code))
    click.echo("tokens revoked")


SHOP_COMMANDS = (shops_assign_sender, shops_rotate_key, shops_revoke_keys)
CARRIER_COMMANDS = (carriers_rotate_token, carriers_revoke_token)
