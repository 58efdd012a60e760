"""Promises through the carrier API: the out-for-delivery text waits for a first ETA, Bijna learns a
carrier's ETA errors from its deliveries, and a stalled van says so once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.eta import Calibration, window_for
from app.ingestion.eta_learning import learn_eta_errors
from app.ingestion.first_eta_wait import send_texts_held_for_first_eta
from app.models import EtaCalibration, EtaObservation, EtaRouteDay, Message, Shipment
from app.notify.policy import FIRST_ETA_WAIT
from app.notify.templates import KINDS

DAY = datetime(2026, 11, 24, 8, 45, tzinfo=UTC)


def _route(client, headers, observed_at, stops, route_id="R1"):
    body = {"observed_at": observed_at.isoformat(),
            "stops": [{"tracking_number": number, "stop_sequence": i + 1, "eta": eta.isoformat()}
                      for i, (number, eta) in enumerate(stops)]}
    response = client.post(f"/api/v1/carrier/routes/{route_id}/etas", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()


def _event(client, headers, number, code, at):
    events = [{"tracking_number": number, "code": code, "occurred_at": at.isoformat()}]
    assert client.post("/api/v1/carrier/events", json={"events": events}, headers=headers).status_code == 200


def _texts(db, shipment_id):
    return list(db.session.execute(select(Message).where(Message.shipment_id == shipment_id)
                                   .order_by(Message.created_at)).scalars())


def _enable_out_for_delivery(db, shop):
    shop.status_texts = [*(shop.status_texts or ()), "out_for_delivery"]
    db.session.commit()


def test_out_for_delivery_waits_for_the_routes_first_eta(client, db, make_shipment, carrier_headers, clock, shop):
    _enable_out_for_delivery(db, shop)
    shipment = make_shipment(window={"start": "2026-11-24T08:00:00+00:00", "end": "2026-11-24T13:00:00+00:00"})
    clock.now = DAY
    _event(client, carrier_headers, "3SBIJ0001", "OUT_FOR_DELIVERY", DAY)
    assert _texts(db, shipment["id"]) == []  # not the shop's five hours
    clock.now = DAY + timedelta(minutes=15)
    eta = DAY + timedelta(hours=1, minutes=30)
    _route(client, carrier_headers, clock.now, [("3SBIJ0001", eta)])
    [text] = _texts(db, shipment["id"])
    start, end = window_for(eta, eta - clock.now)
    assert text.kind == "out_for_delivery" and start.strftime("%H:%M") not in ("08:00", "09:00")
    row = db.session.get(Shipment, shipment["id"])
    assert (row.announced_start, row.announced_end) == (start, end)
    assert (text.window_start, text.window_end, text.minutes) == (start, end, None)  # the text keeps what it told
    assert send_texts_held_for_first_eta(DAY + FIRST_ETA_WAIT) == 0  # already told: the wait just ends
    assert len(_texts(db, shipment["id"])) == 1


def test_without_any_eta_the_held_text_goes_with_the_shops_window(client, db, make_shipment, carrier_headers, clock,
                                                                  shop):
    _enable_out_for_delivery(db, shop)
    shipment = make_shipment(window={"start": "2026-11-24T08:00:00+00:00", "end": "2026-11-24T13:00:00+00:00"})
    clock.now = DAY
    _event(client, carrier_headers, "3SBIJ0001", "OUT_FOR_DELIVERY", DAY)
    assert send_texts_held_for_first_eta(DAY + FIRST_ETA_WAIT - timedelta(minutes=1)) == 0
    assert send_texts_held_for_first_eta(DAY + FIRST_ETA_WAIT) == 1
    [text] = _texts(db, shipment["id"])
    assert text.kind == "out_for_delivery" and "tussen 09:00 en 14:00" in text.body  # Amsterdam time
    assert send_texts_held_for_first_eta(DAY + FIRST_ETA_WAIT + timedelta(minutes=1)) == 0


def test_each_delivery_teaches_the_carriers_error_model(client, db, make_shipment, carrier_headers, clock, carrier):
    numbers = [f"3SLRN{i:04d}" for i in range(30)]
    for i, number in enumerate(numbers):
        make_shipment(order_ref=f"L{i}", tracking_number=number)
    start = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    arrival = {number: start + timedelta(minutes=60 + 4 * i) for i, number in enumerate(numbers)}
    for minute in range(0, 200, 1):  # a push a minute; the ETAs run 10 % early
        clock.now = start + timedelta(minutes=minute)
        stops = [(n, clock.now + (arrival[n] - clock.now) * 0.9) for n in numbers if arrival[n] > clock.now]
        if stops:
            _route(client, carrier_headers, clock.now, stops)
        for n in numbers:
            if clock.now - timedelta(minutes=1) < arrival[n] <= clock.now:
                _event(client, carrier_headers, n, "DELIVERED", arrival[n])
    observations = db.session.execute(select(EtaObservation)).scalars().all()
    assert 30 * 3 <= len(observations) <= 30 * 8  # a few per stop, not one per push
    assert all(o.arrived_at is not None for o in observations)
    assert learn_eta_errors(start + timedelta(hours=5)) == 1
    assert learn_eta_errors(start + timedelta(hours=5, minutes=10)) == 0  # hourly, not every sweep
    stored = db.session.get(EtaCalibration, carrier.id)
    learnt = Calibration.from_json(stored.model)
    assert stored.residuals == len(observations)
    assert learnt.quantile(60, 0.5) > 2  # it learnt that this carrier's ETAs run early
    assert learnt.warm is not None  # and how they run once a route's own deliveries are known
    assert db.session.execute(select(EtaRouteDay)).scalars().all()  # each delivery updated its route's day


@pytest.mark.skipif("held_up" not in KINDS, reason="app/notify/templates.py does not register held_up yet")
def test_a_stalled_van_says_held_up_once(client, db, make_shipment, carrier_headers, clock):
    shipment = make_shipment()
    clock.now = DAY
    eta = DAY + timedelta(minutes=12)
    for minute in range(0, 50, 2):  # the planner keeps the ETA while the van stands still
        clock.now = DAY + timedelta(minutes=minute)
        _route(client, carrier_headers, clock.now, [("3SBIJ0001", eta)])
    soon, held = _texts(db, shipment["id"])
    assert [soon.kind, held.kind] == ["arriving_soon", "held_up"]
    assert "opgehouden" in held.body
    assert soon.minutes == 12 and str(soon.minutes) in soon.body and soon.window_start is None
