"""Operator commands for rebookings and shop webhooks: see the dead letters, give them another go."""

from __future__ import annotations

import click

from app.clock import now
from app.extensions import db
from app.models import RebookingCommand
from app.rebooking.execution import revive
from app.rebooking.service import enqueue_after_commit
from app.shops.webhooks import list_webhooks, revive_webhook


@click.group("rebookings")
def rebookings_cli():
    """Inspect and retry rebooking commands and shop webhooks."""


@rebookings_cli.command("list")
@click.option("--status", type=click.Choice(("pending", "accepted", "refused", "dead")), default=None)
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
def list_commands(status: str | None, limit: int) -> None:
    """List rebooking commands, newest first (--status dead: the dead letters)."""
    statement = db.select(RebookingCommand)
    if status:
        statement = statement.where(RebookingCommand.status == status)
    rows = db.session.execute(statement.order_by(RebookingCommand.created_at.desc()).limit(limit)).scalars()
    for command in rows:
        click.echo(f"{command.id}  {command.status:8}  {command.action:12}  shipment {command.shipment_id}  "
                   f"attempts {command.attempts}  {command.last_error or ''}".rstrip())


@rebookings_cli.command("retry")
@click.argument("command_id")
def retry(command_id: str) -> None:
    """Send a dead command to the carrier again, under the same idempotency key."""
    if not revive(command_id, now()):
        raise click.ClickException(f"no dead rebooking {command_id}")
    enqueue_after_commit([command_id])
    click.echo(f"rebooking {command_id} queued again")


@rebookings_cli.command("webhooks")
@click.option("--status", type=click.Choice(("pending", "delivered", "dead")), default=None)
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
def webhooks(status: str | None, limit: int) -> None:
    """List shop webhooks, newest first (--status dead: the ones no shop accepted)."""
    for webhook in list_webhooks(status, limit):
        click.echo(f"{webhook.id}  {webhook.status:9}  {webhook.event:20}  shop {webhook.shop_id}  "
                   f"attempts {webhook.attempts}  {webhook.last_error or ''}".rstrip())


@rebookings_cli.command("retry-webhook")
@click.argument("webhook_id")
def retry_webhook(webhook_id: str) -> None:
    """Deliver a dead shop webhook again (same id, so the shop can spot a repeat)."""
    from workers.shop_webhooks import enqueue_webhooks

    if not revive_webhook(webhook_id, now()):
        raise click.ClickException(f"no dead webhook {webhook_id}")
    enqueue_webhooks([webhook_id])
    click.echo(f"webhook {webhook_id} queued again")
