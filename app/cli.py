"""Operator commands: `flask shops create`, `flask carriers create`, `flask demo seed`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from marshmallow import ValidationError
from sqlalchemy import select

from app.auth import hash_secret, new_secret
from app.extensions import db
from app.models import Carrier, Shop
from app.notify.statuses import CANONICAL
from app.shops.schemas import ShopPatch
from app.shops.service import update_shop

DEMO_SHOP = "Demo Shop"
DEMO_CARRIER = "simcarrier"


def create_shop(name: str, **settings) -> tuple[Shop, str]:
    """Create a shop and return it with its API key (the only time the key is known)."""
    key = new_secret("bj_shop")
    shop = Shop(name=name, api_key_hash=hash_secret(key), **settings)
    db.session.add(shop)
    db.session.commit()
    return shop, key


def create_carrier(code: str, name: str, **settings) -> tuple[Carrier, str]:
    """Create a carrier and return it with its token (the only time the token is known)."""
    token = new_secret("bj_carrier")
    carrier = Carrier(code=code, name=name, token_hash=hash_secret(token), **settings)
    db.session.add(carrier)
    db.session.commit()
    return carrier, token


@click.group("shops")
def shops_cli():
    """Manage shops."""


@shops_cli.command("create")
@click.option("--name", required=True)
@click.option("--country", default="NL", show_default=True)
@click.option("--language", default="nl", show_default=True)
@click.option("--sender", default=None, help="A phone number (two-way) or an alphanumeric ID (one-way).")
@click.option("--webhook-url", default=None)
def shops_create(name, country, language, sender, webhook_url):
    """Create a shop and print its API key (and webhook secret) once."""
    settings = {"name": name, "country": country, "language": language, "sender": sender, "webhook_url": webhook_url}
    try:  # the same rules as the shop API
        checked = ShopPatch().load({key: value for key, value in settings.items() if value is not None})
    except ValidationError as error:
        raise click.BadParameter(json.dumps(error.messages)) from None
    shop, key = create_shop(checked.pop("name"), **{**checked, "country": country.upper()})
    secret = update_shop(shop, {}, production=current_app.config["ENV"] == "production") if webhook_url else None
    click.echo(f"shop {shop.id} created\nAPI key (shown once): {key}")
    if secret:
        click.echo(f"webhook secret (shown once): {secret}")


@click.group("carriers")
def carriers_cli():
    """Manage carriers."""


@carriers_cli.command("create")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--api-base-url", default=None)
@click.option("--signing-secret", default=None)
@click.option("--status-map", default="{}", show_default=True,
              help='The carrier\'s raw codes → canonical statuses, as JSON: \'{"A01": "delivered"}\'.')
def carriers_create(code, name, api_base_url, signing_secret, status_map):
    """Create a carrier and print its token once."""
    try:
        mapping = json.loads(status_map)
    except json.JSONDecodeError:
        raise click.BadParameter("not JSON", param_hint="--status-map") from None
    values = mapping.values() if isinstance(mapping, dict) else [mapping]
    wrong = sorted(str(value) for value in values if value not in CANONICAL)
    if not isinstance(mapping, dict) or wrong:
        raise click.BadParameter(f"statuses must be among {', '.join(CANONICAL)}; got {wrong}",
                                 param_hint="--status-map")
    carrier, token = create_carrier(code, name, api_base_url=api_base_url, status_map=mapping,
                                    signing_secret=signing_secret or new_secret("cs"))
    click.echo(f"carrier {carrier.code} created\ncarrier token (shown once): {token}")


@click.group("demo")
def demo_cli():
    """Demo data for `make run`."""


@demo_cli.command("seed")
@click.option("--carrier-url", default="http://127.0.0.1:5055", show_default=True)
@click.option("--carrier-secret", default="dev-carrier-secret", show_default=True)
@click.option("--shop-webhook-url", default=None)
def demo_seed(carrier_url, carrier_secret, shop_webhook_url):
    """Create (or refresh) the demo shop and carrier and print fresh credentials."""
    key, token = new_secret("bj_shop"), new_secret("bj_carrier")
    shop = db.session.execute(select(Shop).where(Shop.name == DEMO_SHOP)).scalar()
    if shop is None:
        shop = Shop(name=DEMO_SHOP, sender="+3197010203040", branding={"primary_color": "#0b6e4f"})
        db.session.add(shop)
    shop.api_key_hash = hash_secret(key)
    shop.webhook_url = shop_webhook_url or shop.webhook_url
    shop.webhook_secret = shop.webhook_secret or new_secret("whsec")
    carrier = db.session.execute(select(Carrier).where(Carrier.code == DEMO_CARRIER)).scalar()
    if carrier is None:
        carrier = Carrier(code=DEMO_CARRIER, name="Simulated Carrier")
        db.session.add(carrier)
    carrier.token_hash, carrier.api_base_url, carrier.signing_secret = hash_secret(token), carrier_url, carrier_secret
    db.session.commit()
    # Development only: lets scripts/demo-route find today's credentials.
    Path(current_app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(current_app.instance_path, "demo-credentials.json").write_text(json.dumps(
        {"shop_api_key": key, "carrier_code": DEMO_CARRIER, "carrier_token": token}))
    click.echo(f"demo shop API key:      {key}\ndemo carrier code:      {DEMO_CARRIER}\n"
               f"demo carrier token:     {token}\ndemo shop webhook secret: {shop.webhook_secret}")


def init_app(app: Flask) -> None:
    """Register the operator commands."""
    from app.rebooking.cli import rebookings_cli
    from app.replies.cli import replies_cli
    from app.shops.cli import CARRIER_COMMANDS, SHOP_COMMANDS  # assign-sender, rotate and revoke credentials

    for group, commands in ((shops_cli, SHOP_COMMANDS), (carriers_cli, CARRIER_COMMANDS)):
        for command in commands:
            group.add_command(command)

    for group in (shops_cli, carriers_cli, demo_cli, replies_cli, rebookings_cli):
        app.cli.add_command(group)
