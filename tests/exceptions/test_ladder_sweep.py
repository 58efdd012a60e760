"""The exception ladder as the sweeper runs it: each step once per silence, whatever runs it how often."""

from __future__ import annotations

import threading

from ladder_testing import HOUR, T0, event
from sqlalchemy import func, select

from app.exceptions.service import climb_exception_ladder
from app.models import LadderStep, Message, Note, Shipment, ShopWebhook, Ticket
from workers.sweeper import SWEEPS, sweep


def _steps(db, shipment_id: str) -> list[str]:
    return list(db.session.execute(select(LadderStep.step).where(LadderStep.shipment_id == shipment_id)
                                   .order_by(LadderStep.id)).scalars())


def _texts(db, shipment_id: str, kind: str) -> list[Message]:
    return list(db.session.execute(select(Message).where(Message.shipment_id == shipment_id,
                                                         Message.kind == kind)).scalars())


def _webhooks(db, event_name: str) -> list[ShopWebhook]:
    return list(db.session.execute(select(ShopWebhook).where(ShopWebhook.event == event_name)).scalars())


def _climb(clock, at):
    clock.now = T0 + at
    return climb_exception_ladder(clock.now)


def test_the_ladder_is_one_of_the_sweeps(db, clock):
    assert climb_exception_ladder in SWEEPS
    clock.now = T0
    assert sweep(T0)["climb_exception_ladder"] == 0


def test_each_threshold_fires_its_step_exactly_once(db, client, clock, silent_parcel, shop_headers):
    parcel = silent_parcel()
    client.post("/api/v1/shop/compensation-codes", json={"codes": ["SORRY-1", "SORRY-2"]}, headers=shop_headers)
    assert _climb(clock, 47 * HOUR) == 0 and _steps(db, parcel) == []

    assert _climb(clock, 48 * HOUR) == 1
    assert _climb(clock, 48 * HOUR) == 0 and _climb(clock, 60 * HOUR) == 0
    [ticket] = db.session.execute(select(Ticket)).scalars().all()
    assert (ticket.kind, ticket.status, ticket.urgent, ticket.opened_by) == ("silence", "open", False, "system")
    [opened] = _webhooks(db, "ticket.opened")
    assert opened.payload["ticket"]["id"] == ticket.id and opened.payload["ticket"]["order_ref"]

    assert _climb(clock, 72 * HOUR) == 1 and _climb(clock, 100 * HOUR) == 0
    [apology] = _texts(db, parcel, "silence_apology")
    assert "sorry" in apology.body.lower() or "spijt" in apology.body
    assert "3 dagen" in apology.body and apology.status == "pending" and apology.send_after is None

    assert _climb(clock, 120 * HOUR) == 1
    for later in (120, 121, 200, 300):
        assert _climb(clock, later * HOUR) == 0
    [compensation] = _texts(db, parcel, "compensation")
    assert "SORRY-1" in compensation.body
    assert _steps(db, parcel) == ["ticket", "apology", "compensation"]
    assert len(_webhooks(db, "ticket.opened")) == 1
    story = db.session.execute(select(Note.body).where(Note.shipment_id == parcel).order_by(Note.created_at))
    assert [line.split(":")[1].split()[0] for line in story.scalars()] == ["Quiet", "Apology", "Compensation"]


def test_two_sweepers_at_the_same_moment_take_each_step_once(app, db, clock, silent_parcel):
    parcels = [silent_parcel() for _ in range(4)]
    clock.now = now = T0 + 73 * HOUR
    barrier, results, errors = threading.Barrier(3), [], []

    def sweeper():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                results.append(climb_exception_ladder(now))
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=sweeper) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [] and sum(results) == 2 * len(parcels)  # a ticket and an apology each, once
    db.session.expire_all()
    assert db.session.execute(select(func.count()).select_from(Ticket)).scalar() == len(parcels)
    for parcel in parcels:
        assert _steps(db, parcel) == ["ticket", "apology"]
        assert len(_texts(db, parcel, "silence_apology")) == 1
    assert len(_webhooks(db, "ticket.opened")) == len(parcels)


def test_a_new_carrier_event_ends_the_silence_and_a_later_silence_climbs_again(
        db, client, clock, carrier_headers, silent_parcel):
    parcel = silent_parcel()
    number = db.session.get(Shipment, parcel).tracking_number
    assert _climb(clock, 72 * HOUR) == 2

    clock.now = T0 + 80 * HOUR
    event(client, carrier_headers, number, "DEPOT_ARRIVAL", T0 + 80 * HOUR)  # it moves: the silence is over
    assert _climb(clock, (80 + 47) * HOUR) == 0
    assert _climb(clock, (80 + 48) * HOUR) == 1  # the new silence's ticket step (the first ticket is still open)
    assert _climb(clock, (80 + 72) * HOUR) == 1
    assert len(_texts(db, parcel, "silence_apology")) == 2
    assert db.session.execute(select(func.count()).select_from(Ticket)).scalar() == 1
    assert len(_webhooks(db, "ticket.opened")) == 1  # no second webhook for a ticket already open
    assert _steps(db, parcel) == ["ticket", "apology", "ticket", "apology"]


def test_a_delivered_parcel_is_never_silent(db, client, clock, carrier_headers, silent_parcel):
    parcel = silent_parcel()
    number = db.session.get(Shipment, parcel).tracking_number
    clock.now = T0 + 10 * HOUR
    event(client, carrier_headers, number, "DELIVERED", T0 + 10 * HOUR)
    assert _climb(clock, 300 * HOUR) == 0


def test_a_shop_switches_steps_off(db, client, clock, silent_parcel, shop_headers):
    response = client.patch("/api/v1/shop/exception-ladder", json={"apology_on": False, "ticket_after_hours": 24},
                            headers=shop_headers)
    assert response.status_code == 200, response.get_json()
    parcel = silent_parcel()
    assert _climb(clock, 24 * HOUR) == 1
    assert _climb(clock, 100 * HOUR) == 0
    assert _steps(db, parcel) == ["ticket"] and _texts(db, parcel, "silence_apology") == []


def test_a_vip_parcel_gets_an_urgent_ticket_asking_for_a_call_within_a_day(db, clock, silent_parcel):
    parcel = silent_parcel()
    db.session.get(Shipment, parcel).vip = True
    db.session.commit()
    assert _climb(clock, 49 * HOUR) == 1
    [ticket] = db.session.execute(select(Ticket)).scalars().all()
    assert ticket.urgent and ticket.due_at == T0 + (49 + 24) * HOUR
    assert "call the recipient" in ticket.summary
    [opened] = _webhooks(db, "ticket.opened")
    assert opened.payload["ticket"]["urgent"] is True


def test_paused_texts_skip_the_apology_but_keep_it_on_the_story(db, clock, silent_parcel):
    parcel = silent_parcel()
    db.session.get(Shipment, parcel).texts_paused = True
    db.session.commit()
    assert _climb(clock, 72 * HOUR) == 2
    assert _texts(db, parcel, "silence_apology") == []
    detail = db.session.execute(select(LadderStep.detail).where(LadderStep.step == "apology")).scalar()
    assert "paused" in detail


def test_the_apology_waits_for_the_end_of_quiet_hours(db, clock, silent_parcel):
    parcel = silent_parcel(at=12 * HOUR)  # 23:00 in Amsterdam
    assert _climb(clock, (12 + 72) * HOUR) == 1  # the ticket, not the apology at night
    assert _texts(db, parcel, "silence_apology") == []
    assert _climb(clock, (12 + 72 + 10) * HOUR) == 1  # 09:00: now it goes, at once
    assert _texts(db, parcel, "silence_apology")[0].send_after is None


def test_silent_parcels_are_found_through_the_partial_index(db):
    from sqlalchemy import text

    from app.exceptions.service import candidates_statement
    from app.models import Shipment as S

    now = T0 + 100 * HOUR
    statement = candidates_statement("ticket", now, S.status_at, S.status_at <= now - 48 * HOUR)
    compiled = statement.compile(dialect=db.engine.dialect, compile_kwargs={"render_postcompile": True})
    db.session.execute(text("SET LOCAL enable_seqscan = off"))  # ask whether the index CAN serve the query
    plan = "\n".join(row[0] for row in db.session.connection().exec_driver_sql(f"EXPLAIN {compiled}",
                                                                             compiled.params))
    db.session.rollback()
    assert "ix_shipments_live_status_at" in plan, plan
