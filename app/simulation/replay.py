"""Replay a day through the real app under a virtual clock: web side, workers and sweeper alike
(the worker side is handed in as an Engine, so app/ does not import workers/).

Every request goes through the app's own HTTP API (the test client, with a real carrier token and
shop key), the RQ jobs it enqueues run in a burst worker in-process, and the sweeper runs every
`sweep_every` of virtual time. The clock jumps from request to request, so a five-hour day replays in
seconds. What the recipients received is read back from the database, with the window and the minutes
each text told as its message recorded them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Carrier, Message, Shipment, Shop
from app.simulation.day import SHIPMENTS_PATH, Request, arrivals_from_events
from app.simulation.record import told_window
from app.simulation.scorecard import Scorecard, StopDay, score

SWEEP_EVERY = timedelta(seconds=60)
IDLE_SWEEPS = 5  # in a long quiet gap (the night, the hours before the van leaves) sweep this often, then skip
REPLAY_SHOP = "Replay shop"
REPLAY_SENDER = "+3197010203040"
RECEIVED = frozenset({"accepted", "scheduled", "queued", "sending", "sent", "delivered", "read"})


class VirtualClock:
    """The clock the app reads during a replay (config CLOCK); the replay moves it."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Received:
    """A text as its recipient saw it (or as it was dropped: `status` says which)."""

    at: datetime
    kind: str
    body: str
    status: str
    window: tuple[datetime, datetime] | None = None
    minutes: int | None = None

    @property
    def received(self) -> bool:
        return self.status in RECEIVED


@dataclass
class Replayed:
    """A replayed day: the texts per tracking number (in order), the truth, the scorecard."""

    texts: dict[str, list[Received]] = field(default_factory=dict)
    phones: dict[str, str] = field(default_factory=dict)
    arrivals: dict[str, datetime] = field(default_factory=dict)
    first_push: dict[str, datetime] = field(default_factory=dict)
    refused: list[tuple[datetime, str, int, dict]] = field(default_factory=list)
    scorecard: Scorecard = field(default_factory=Scorecard)

    def stop_days(self) -> list[StopDay]:
        """Return each stop's day as the scorecard reads it: only texts that reached the recipient."""
        from app.simulation.scorecard import TextSeen

        return [StopDay(self.arrivals.get(number), tuple(
            TextSeen(text.at, text.kind, text.window, text.minutes) for text in texts if text.received),
            self.first_push.get(number)) for number, texts in self.texts.items()]


@dataclass
class Participants:
    """The shop and carrier a replay speaks as, with their credentials."""

    shop_key: str
    carrier_token: str
    carrier_code: str


def participants(shop_settings: dict | None = None, carrier_code: str = "simcarrier") -> Participants:
    """Create (or re-key) the replay's shop and carrier; apply the shop settings to try. Needs an app context."""
    from app.auth import hash_secret, new_secret
    from app.shops.schemas import ShopPatch
    from app.shops.service import update_shop

    key, token = new_secret("bj_shop"), new_secret("bj_carrier")
    shop = db.session.execute(select(Shop).where(Shop.name == REPLAY_SHOP)).scalar()
    if shop is None:
        shop = Shop(name=REPLAY_SHOP, sender=REPLAY_SENDER, api_key_hash=hash_secret(key))
        db.session.add(shop)
    carrier = db.session.execute(select(Carrier).where(Carrier.code == carrier_code)).scalar()
    if carrier is None:
        carrier = Carrier(code=carrier_code, name=f"Replayed {carrier_code}", api_base_url="http://127.0.0.1:9",
                          signing_secret=new_secret("cs"))
        db.session.add(carrier)
    shop.api_key_hash, carrier.token_hash = hash_secret(key), hash_secret(token)
    db.session.commit()
    update_shop(shop, ShopPatch().load(shop_settings or {}), production=False)
    return Participants(key, token, carrier_code)


def with_shipments(requests: list[Request], carrier_code: str) -> list[Request]:
    """Add a shipment for every parcel a recorded carrier day mentions without one (no promised window)."""
    known = {r.body.get("tracking_number") for r in requests if r.path == SHIPMENTS_PATH}
    missing = []
    for request in requests:
        for item in request.body.get("events", request.body.get("stops", [])):
            number = item.get("tracking_number")
            if number and number not in known:
                known.add(number)
                missing.append(number)
    start = requests[0].at - timedelta(minutes=1)
    added = [Request(start, SHIPMENTS_PATH, {
        "order_ref": f"REPLAY-{number}", "carrier": carrier_code, "tracking_number": number, "notify": True,
        "recipient": {"phone": f"+316{30_000_000 + i}", "name": f"Klant {i}"}}) for i, number in enumerate(missing)]
    return added + requests


class Engine(Protocol):
    """The worker side a replay drives between requests (workers/simulate.py provides the real one)."""

    def run_jobs(self, app: Flask) -> None:
        """Run every queued job to completion."""

    def sweep(self, now: datetime) -> object:
        """Run every periodic sweep once, inside an app context."""


def replay(app: Flask, requests: list[Request], engine: Engine, *, shop_settings: dict | None = None,
           sweep_every: timedelta = SWEEP_EVERY, carrier_code: str | None = None) -> Replayed:
    """Replay the requests (in arrival order) into the app's database and Redis; return what happened."""
    sweep, _run_jobs = engine.sweep, engine.run_jobs
    requests = sorted(requests, key=lambda r: r.at)
    code = carrier_code or next((r.body["carrier"] for r in requests if r.path == SHIPMENTS_PATH), "simcarrier")
    requests = with_shipments(requests, code)
    clock, saved = VirtualClock(requests[0].at), app.config.get("CLOCK")
    app.config["CLOCK"] = clock
    result = Replayed(arrivals=arrivals_from_events(requests), first_push=_first_pushes(requests))
    try:
        with app.app_context():
            who = participants(shop_settings, code)
        client = app.test_client()
        headers = {"shop": {"Authorization": f"Bearer {who.shop_key}"},
                   "carrier": {"Authorization": f"Bearer {who.carrier_token}"}}
        next_sweep = requests[0].at
        for request in requests:
            quiet_until = clock.now + IDLE_SWEEPS * sweep_every
            while next_sweep <= request.at:
                if next_sweep <= quiet_until:
                    clock.now = next_sweep
                    with app.app_context():
                        sweep(next_sweep)
                    _run_jobs(app)
                next_sweep += sweep_every
            clock.now = request.at
            answer = client.post(request.path, json=request.body,
                                 headers=headers["shop" if request.path == SHIPMENTS_PATH else "carrier"])
            if answer.status_code >= 400:
                result.refused.append((request.at, request.path, answer.status_code, answer.get_json(silent=True)))
            _run_jobs(app)
        for _ in range(IDLE_SWEEPS):  # let the last texts go (or expire)
            clock.now = next_sweep
            with app.app_context():
                sweep(clock.now)
            _run_jobs(app)
            next_sweep += sweep_every
        with app.app_context():
            _collect(result, {r.body["tracking_number"] for r in requests if r.path == SHIPMENTS_PATH})
    finally:
        if saved is None:
            app.config.pop("CLOCK", None)
        else:
            app.config["CLOCK"] = saved
    result.scorecard = score(result.stop_days())
    return result


def _first_pushes(requests: list[Request]) -> dict[str, datetime]:
    """When each parcel's first route ETA reached us."""
    first: dict[str, datetime] = {}
    for request in requests:
        for stop in request.body.get("stops", []) if "/routes/" in request.path else []:
            first.setdefault(stop["tracking_number"], request.at)
    return first


def _collect(result: Replayed, numbers: set[str]) -> None:
    """Read every text decided for the day's parcels, in the order decided, with what each told."""
    shipments = {row.id: row for row in db.session.execute(
        select(Shipment.id, Shipment.tracking_number, Shipment.recipient_phone)
        .where(Shipment.tracking_number.in_(numbers))).all()}
    for row in shipments.values():
        result.texts.setdefault(row.tracking_number, [])
        result.phones[row.tracking_number] = row.recipient_phone
    messages = db.session.execute(select(Message).where(
        Message.direction == "out", Message.shipment_id.in_(shipments)).order_by(Message.created_at)).scalars()
    for message in messages:
        result.texts[shipments[message.shipment_id].tracking_number].append(Received(
            message.sent_at or message.created_at, message.kind, message.body, message.status,
            told_window(message), message.minutes))
