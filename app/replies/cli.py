"""`flask replies parse --context CONTEXT`: what the parser makes of real replies, one per line.

Told what a live conversation knows — the slots on offer (`--slot A=START/END`, ISO intervals,
repeatable) and the moment of the reply (`--now`) — it resolves "dinsdag", "maandagavond", "17-20",
"de laatste" or "Monday evening" to a letter exactly as the conversation does (`choose_from_offer`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from app.replies.parser import CONTEXTS, parse_reply
from app.replies.slot_wishes import Offered, choose_from_offer


def _slot(_ctx, _param, values: tuple[str, ...]) -> list[Offered]:
    """Read A=2026-12-07T10:00+01:00/2026-12-07T14:00+01:00 into an offered slot."""
    offered = []
    for value in values:
        letter, _, interval = value.partition("=")
        start, _, end = interval.partition("/")
        try:
            slot = Offered(letter.strip().upper(), datetime.fromisoformat(start), datetime.fromisoformat(end))
        except ValueError as error:
            raise click.BadParameter(f"{value!r}: expected LETTER=START/END in ISO 8601 ({error})") from error
        if len(slot.letter) != 1 or not slot.letter.isalpha() or slot.starts_at.tzinfo is None:
            raise click.BadParameter(f"{value!r}: expected one letter and times with an offset")
        offered.append(slot)
    return offered


def _moment(_ctx, _param, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 moment") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.group("replies")
def replies_cli():
    """Inspect how recipients' replies are read."""


@replies_cli.command("parse")
@click.option("--context", "context", type=click.Choice(CONTEXTS), default="none", show_default=True,
              help="The last question the number was asked.")
@click.option("--choices", type=click.IntRange(1, 26), default=None,
              help="How many lettered options were offered (slot_offer, disambiguation).")
@click.option("--slot", "slots", multiple=True, callback=_slot, metavar="A=START/END",
              help="An offered slot as an ISO interval (repeatable); implies --context slot_offer.")
@click.option("--now", callback=_moment, default=None, metavar="ISO",
              help="When the reply arrived (\"dinsdag\" is the Tuesday from then on); default: the app's clock.")
@click.option("--tz", default="Europe/Amsterdam", show_default=True, help="The shop's time zone, for days.")
@click.argument("replies", type=click.File("r", encoding="utf-8"), default="-")
def parse(context: str, choices: int | None, slots: list[Offered], now: datetime | None, tz: str, replies) -> None:
    """Read one reply per line (stdin, or REPLIES); print one JSON object per line."""
    if slots:
        from app.clock import now as clock_now

        context, choices, now = "slot_offer", choices or len(slots), now or clock_now()
    for line in replies:
        text = line.rstrip("\r\n")
        reply = parse_reply(text, context, choices)
        if slots:
            reply = choose_from_offer(reply, text, slots, now, tz)
        result = {"text": text, "intent": reply.intent}
        if reply.choice is not None:
            result["choice"] = reply.choice
        if reply.rating is not None:
            result["rating"] = reply.rating
        result["confidence"] = round(reply.confidence, 2)
        click.echo(json.dumps(result, ensure_ascii=False))
