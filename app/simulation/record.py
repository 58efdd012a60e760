"""Remember, as each text is decided during a replay, the window it told and the minutes it said.

Messages keep no structured context, so the window of a text is read from the shipment the moment
the text appears: the announced window when the text changed it (a narrowed morning window, a delay's
new window), else for the morning text the shop's promised window it then carried. The minutes of
an arriving-soon text are read from its body ("over ongeveer 15 minuten", "in about 15 minutes").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Message, Shipment

WINDOWLESS_KINDS = frozenset({"arriving_soon", "delivered", "failed_attempt", "rating_thanks", "stopped", "help"})
MINUTES = re.compile(r"(\d{1,3})\s*(?:minuut|minuten|minute|minutes|min)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Seen:
    """What the recorder learnt about one text when it appeared."""

    window: tuple[datetime, datetime] | None
    minutes: int | None


def spoken_minutes(body: str) -> int | None:
    """Return the number of minutes a text says, if it says one."""
    found = MINUTES.search(body)
    return int(found.group(1)) if found else None


class TextRecorder:
    """Snapshots the announced windows after every replay step and labels the texts that just appeared."""

    def __init__(self, app: Flask):
        self.app = app
        self.seen: dict[str, Seen] = {}
        self.announced: dict[str, tuple] = {}  # shipment id -> (start, end) at the last snapshot
        self.since: datetime | None = None

    def snapshot(self, now: datetime) -> None:
        """Label the texts decided since the last snapshot with the windows they told."""
        with self.app.app_context():
            query = select(Message.id, Message.shipment_id, Message.kind, Message.body).where(
                Message.direction == "out", Message.shipment_id.is_not(None))
            if self.since is not None:
                query = query.where(Message.created_at >= self.since)
            new = [row for row in db.session.execute(query) if row.id not in self.seen]
            windows = {row.id: row for row in db.session.execute(select(
                Shipment.id, Shipment.announced_start, Shipment.announced_end, Shipment.window_start,
                Shipment.window_end))} if new or not self.announced else None
        self.since = now
        if windows is None:
            return  # nothing new to label; the windows last seen stay the reference
        for message in new:
            self.seen[message.id] = Seen(self._window(message, windows.get(message.shipment_id)),
                                         spoken_minutes(message.body) if message.kind == "arriving_soon" else None)
        for shipment_id, row in windows.items():
            self.announced[shipment_id] = (row.announced_start, row.announced_end)

    def _window(self, message, shipment) -> tuple[datetime, datetime] | None:
        if shipment is None or message.kind in WINDOWLESS_KINDS:
            return None
        told = (shipment.announced_start, shipment.announced_end) if shipment.announced_start is not None else None
        if told and told != self.announced.get(message.shipment_id):
            return told  # this text is what changed the window
        if message.kind == "out_for_delivery":
            promised = (shipment.window_start, shipment.window_end) if shipment.window_start is not None else None
            return told or promised
        if message.kind == "delay":
            return told
        return None
