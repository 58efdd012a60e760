"""`flask shops add-user SHOP EMAIL --role agent`: a console login, the password asked at the prompt."""

from __future__ import annotations

import click
from sqlalchemy import select

from app.cli import shops_cli
from app.clock import now
from app.console.accounts import AccountError, create_staff_user
from app.extensions import db
from app.models import Shop
from app.models.staff import ROLES


@shops_cli.command("add-user")
@click.argument("shop")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="agent", show_default=True)
@click.password_option(prompt="Password (at least 12 characters)")
def add_user(shop: str, email: str, role: str, password: str) -> None:
    """Create a console login for a shop (by id or name)."""
    row = db.session.get(Shop, shop) or db.session.execute(select(Shop).where(Shop.name == shop)).scalar()
    if row is None:
        raise click.BadParameter(f"no shop with id or name {shop!r}", param_hint="SHOP")
    try:
        user = create_staff_user(row.id, email, password, role, now())
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{user.role} {user.email} can log in at /console for {row.name}.")
