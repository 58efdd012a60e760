"""`flask replies parse --context CONTEXT`: what the parser makes of real replies, one per line."""

from __future__ import annotations

import json

import click

from app.replies.parser import CONTEXTS, parse_reply


@click.group("replies")
def replies_cli():
    """Inspect how recipients' replies are read."""


@replies_cli.command("parse")
@click.option("--context", "context", type=click.Choice(CONTEXTS), default="none", show_default=True,
              help="The last question the number was asked.")
@click.option("--choices", type=click.IntRange(1, 26), default=None,
              help="How many lettered options were offered (slot_offer, disambiguation).")
@click.argument("replies", type=click.File("r", encoding="utf-8"), default="-")
def parse(context: str, choices: int | None, replies) -> None:
    """Read one reply per line (stdin, or REPLIES); print one JSON object per line."""
    for line in replies:
        text = line.rstrip("\r\n")
        reply = parse_reply(text, context, choices)
        result = {"text": text, "intent": reply.intent}
        if reply.choice is not None:
            result["choice"] = reply.choice
        if reply.rating is not None:
            result["rating"] = reply.rating
        click.echo(json.dumps(result, ensure_ascii=False))
