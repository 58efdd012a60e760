"""Rebooking commands survive a carrier that is down, slow or wrong, and a shop endpoint that is away.

Time moves through the app's clock; the sweeper (what the clock process runs every few
seconds) re-enqueues whatever is due, and a burst worker runs it.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import RebookingCommand, Shipment, ShopWebhook
from app.rebooking import execution
from app.rebooking.service import request_rebooking
from app.shops.webhooks import MAX_ATTEMPTS as WEBHOOK_ATTEMPTS
from replies_testing import (
    kinds_to,
    last_text,
    reply,
    route_push,
    shop_webhooks,
)
from workers.sweeper import sweep

NUMBER = "3SBIJ0001"

pytest_plugins = ("replies_fixtures",)  # the carrier simulator and clock fixtures


@pytest.fixture
def asked(client, db, make_shipment, carrier_headers, sim, t0, clock):
    """A parcel on route R1 whose recipient was just asked; the clock a minute later."""
    shipment = make_shipment()
    sim.add_parcel(NUMBER, "R1")
    route_push(client, carrier_headers, t0, [(NUMBER, 10)])
    clock.now = t0 + timedelta(minutes=1)
    return shipment


def _command(db) -> RebookingCommand:
    db.session.expire_all()
    return db.session.execute(select(RebookingCommand)).scalar_one()


def _later(clock, run_jobs, seconds: float) -> dict:
    """Let time pass, run the sweeper and the worker."""
    clock.now = clock.now + timedelta(seconds=seconds)
    done = sweep(clock.now)
    run_jobs()
    return done


def test_a_carrier_down_for_an_hour_loses_nothing_and_executes_once(app, client, db, asked, sim, clock, run_jobs):
    sim.fault("down")
    reply(client, app, "1 nr 12")
    run_jobs()
    command = _command(db)
    assert (command.status, command.attempts) == ("pending", 1)
    assert command.next_attempt_at == clock.now + timedelta(seconds=30)
    assert "503" in command.last_error or "unavailable" in command.last_error

    waited = timedelta(0)
    while waited < timedelta(hours=1):
        step = execution.backoff(command.attempts) + timedelta(seconds=10)
        waited += step
        _later(clock, run_jobs, step.total_seconds())
        command = _command(db)
    assert command.status == "pending" and 4 <= command.attempts < execution.MAX_ATTEMPTS
    assert kinds_to(db) == ["arriving_soon"]  # nothing told yet: nothing happened yet

    sim.fault("ok")
    _later(clock, run_jobs, execution.backoff(command.attempts).total_seconds() + 10)
    command = _command(db)
    assert command.status == "accepted"
    assert len(sim.commands(idempotency_key=command.id)) == 1
    assert kinds_to(db) == ["arriving_soon", "rebook_confirmed_neighbour"]
    assert sim.routes()["R1"][0]["instruction"] == "deliver to neighbour: nr 12"


def _executed(sim, idempotency_key: str, within: float = 5.0) -> list[dict]:
    """Return the commands the carrier executed under this key, waiting up to `within` s for the first."""
    deadline = time.monotonic() + within
    while not (executed := sim.commands(idempotency_key=idempotency_key)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return executed


def test_a_slow_carrier_is_asked_again_with_the_same_key_and_executes_once(app, client, db, asked, sim, clock,
                                                                           run_jobs):
    # The carrier answers seconds after we gave up waiting (a wide margin, however loaded the machine), but executes.
    sim.fault("slow", delay_ms=2000, count=1)
    usual, app.config["CARRIER_TIMEOUT_SECONDS"] = app.config["CARRIER_TIMEOUT_SECONDS"], 0.3
    try:
        reply(client, app, "buren")
        run_jobs()
    finally:
        app.config["CARRIER_TIMEOUT_SECONDS"] = usual  # the retry waits as long as usual
    command = _command(db)
    assert (command.status, command.attempts) == ("pending", 1) and "timed out" in command.last_error
    assert len(_executed(sim, command.id)) == 1  # the carrier finished the first request meanwhile
    _later(clock, run_jobs, 45)
    command = _command(db)
    assert (command.status, command.attempts) == ("accepted", 2)
    assert len(sim.commands(idempotency_key=command.id)) == 1
    assert kinds_to(db) == ["arriving_soon", "rebook_confirmed_neighbour"]


def test_a_command_the_carrier_never_takes_goes_dead_for_the_shop_and_operator(app, client, db, asked, sim, clock,
                                                                              run_jobs, runner, shop_headers):
    sim.fault("throttle")
    reply(client, app, "3")
    run_jobs()
    for _ in range(execution.MAX_ATTEMPTS + 2):
        _later(clock, run_jobs, 1800 + 10)
    command = _command(db)
    assert (command.status, command.attempts) == ("dead", execution.MAX_ATTEMPTS)
    assert kinds_to(db) == ["arriving_soon", "rebook_refused"]  # told the parcel comes as planned
    assert [w["event"] for w in shop_webhooks(sim)] == ["rebooking.dead"]

    dead = client.get("/api/v1/rebookings?status=dead", headers=shop_headers).get_json()["items"]
    assert [(d["id"], d["status"], d["action"]) for d in dead] == [(command.id, "dead", "pickup_point")]
    assert client.get("/api/v1/rebookings?status=accepted", headers=shop_headers).get_json()["items"] == []
    listed = runner.invoke(args=["rebookings", "list", "--status", "dead"])
    assert command.id in listed.output and "dead" in listed.output

    sim.fault("ok")
    revived = runner.invoke(args=["rebookings", "retry", command.id])
    assert revived.exit_code == 0, revived.output
    run_jobs()
    command = _command(db)
    assert command.status == "accepted" and len(sim.commands(idempotency_key=command.id)) == 1
    assert runner.invoke(args=["rebookings", "retry", command.id]).exit_code != 0  # only dead ones


def test_a_carrier_misconfiguration_goes_to_the_operator_without_telling_the_recipient_no(
        app, client, db, asked, sim, carrier, clock, run_jobs):
    carrier.signing_secret = "not-the-carriers-secret"
    db.session.commit()
    reply(client, app, "1")
    run_jobs()
    command = _command(db)
    assert command.status == "dead" and "contract error" in command.last_error
    assert kinds_to(db) == ["arriving_soon"]
    assert sim.commands() == []


def test_slots_asked_for_while_the_carrier_is_down_come_once_it_is_back(app, client, db, asked, sim, clock,
                                                                        run_jobs):
    sim.fault("down")
    reply(client, app, "2")
    run_jobs()
    assert kinds_to(db) == ["arriving_soon"]
    sim.fault("ok")
    _later(clock, run_jobs, 31)
    assert kinds_to(db) == ["arriving_soon", "slot_offer"]


def test_slots_the_carrier_cannot_give_for_minutes_end_in_a_kind_no(app, client, db, asked, sim, clock, run_jobs):
    sim.fault("down")
    reply(client, app, "2")
    run_jobs()
    for _ in range(8):
        _later(clock, run_jobs, 601)
    assert kinds_to(db) == ["arriving_soon", "rebook_refused"]


def test_the_tracking_page_requests_the_same_commands(app, client, db, asked, sim, clock, run_jobs, shop_headers):
    shipment = db.session.get(Shipment, asked["id"])
    command = request_rebooking(shipment, "neighbour", {"note": "  nr 14 "}, source="page", now=clock.now)
    again = request_rebooking(shipment, "neighbour", {"note": "nr 14"}, source="page", now=clock.now)
    assert again.id == command.id and command.params == {"note": "nr 14"}
    assert request_rebooking(shipment, "pickup_point", {}, source="page", now=clock.now) is None  # one at a time
    run_jobs()
    assert _command(db).status == "accepted" and sim.routes()["R1"][0]["instruction"] == "deliver to neighbour: nr 14"
    assert last_text(db).kind == "rebook_confirmed_neighbour"
    listed = client.get(f"/api/v1/shipments/{asked['id']}/rebookings", headers=shop_headers).get_json()["items"]
    assert [(c["id"], c["source"], c["status"]) for c in listed] == [(command.id, "page", "accepted")]
    one = client.get(f"/api/v1/rebookings/{command.id}", headers=shop_headers).get_json()
    assert one["carrier_reference"].startswith("sim-cmd-")


def test_a_delivered_parcel_cannot_be_rebooked(app, client, db, asked, carrier_headers, clock):
    event = {"tracking_number": NUMBER, "code": "DELIVERED", "occurred_at": clock.now.isoformat()}
    client.post("/api/v1/carrier/events", json={"events": [event]}, headers=carrier_headers)
    shipment = db.session.get(Shipment, asked["id"])
    assert request_rebooking(shipment, "neighbour", {}, source="page", now=clock.now) is None


def test_another_shops_rebooking_is_not_found(app, client, db, asked, clock, run_jobs):
    from app.cli import create_shop

    command = request_rebooking(db.session.get(Shipment, asked["id"]), "neighbour", {}, source="page", now=clock.now)
    _, key = create_shop("Other shop")
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get(f"/api/v1/rebookings/{command.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/rebookings", headers=headers).get_json()["items"] == []
    assert client.get("/api/v1/rebookings?status=lost", headers=headers).status_code == 422


def test_a_shop_endpoint_that_is_away_is_retried_then_dead(app, client, db, asked, shop, sim, clock, run_jobs,
                                                           runner):
    shop.webhook_url = "http://127.0.0.1:1/hooks"  # nothing listens there
    db.session.commit()
    reply(client, app, "1")
    run_jobs()
    webhook = db.session.execute(select(ShopWebhook)).scalar_one()
    assert (webhook.event, webhook.status, webhook.attempts) == ("rebooking.accepted", "pending", 1)
    for _ in range(WEBHOOK_ATTEMPTS + 1):
        _later(clock, run_jobs, 3600 + 10)
    db.session.expire_all()
    webhook = db.session.get(ShopWebhook, webhook.id)
    assert (webhook.status, webhook.attempts) == ("dead", WEBHOOK_ATTEMPTS)
    assert webhook.id in runner.invoke(args=["rebookings", "webhooks", "--status", "dead"]).output

    shop.webhook_url = f"{sim.base_url}/sim/shop-webhook"  # the shop fixed its endpoint
    db.session.commit()
    assert runner.invoke(args=["rebookings", "retry-webhook", webhook.id]).exit_code == 0
    run_jobs()
    [received] = shop_webhooks(sim)
    assert received["id"] == webhook.id and received["event"] == "rebooking.accepted"


def test_the_page_may_name_the_pickup_point_and_the_text_names_it_too(app, client, db, asked, sim, clock, run_jobs):
    from app.rebooking.service import pickup_points_for

    shipment = db.session.get(Shipment, asked["id"])
    second = pickup_points_for(shipment, timeout=5)[1]
    request_rebooking(shipment, "pickup_point", {"pickup_point_id": second.id}, source="page", now=clock.now)
    run_jobs()
    assert sim.parcel(NUMBER)["pickup_point_id"] == second.id
    assert second.name in last_text(db).body and second.address in last_text(db).body
    instruction = db.session.get(Shipment, asked["id"]).instruction
    assert (instruction["action"], instruction["pickup_point_id"], instruction["name"]) == (
        "pickup_point", second.id, second.name)


def test_a_command_that_keeps_crashing_backs_off_and_ends_dead(app, client, db, asked, sim, clock, run_jobs,
                                                               monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("app.rebooking.outcome.record", broken)
    reply(client, app, "1")
    run_jobs()
    command = _command(db)
    assert command.status == "pending" and "RuntimeError" in command.last_error
    assert command.next_attempt_at == clock.now + timedelta(seconds=30)
    for _ in range(execution.MAX_ATTEMPTS):
        _later(clock, run_jobs, 1800 + 10)
    assert _command(db).status == "dead"
