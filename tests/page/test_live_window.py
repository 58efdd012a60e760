"""The tracking page narrows the window live as the van nears (the calibrated window of app/eta), never
contradicting what the texts told: it shows the live window only when it fits inside the told one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.eta import current_window
from app.tracking.service import PageFacts, build_page, format_window

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 13:00 in Amsterdam


def facts(**overrides) -> PageFacts:
    values = dict(status="out_for_delivery", shop_name="Bloemenshop", language="en", first_name="Anna",
                  city="Utrecht", created_at=NOW - timedelta(days=2),
                  history=(("out_for_delivery", NOW - timedelta(hours=4)),),
                  announced_start=NOW, announced_end=NOW + timedelta(hours=3))
    values.update(overrides)
    return PageFacts(**values)


def test_an_hour_ahead_the_page_shows_the_narrower_live_window_inside_the_told_one():
    eta = NOW + timedelta(minutes=60)
    page = build_page(facts(eta=eta), NOW)
    start, end = current_window(eta, NOW)  # the conservative prior: a carrier's own model is narrower
    assert end - start <= timedelta(minutes=60)
    assert NOW <= start and end <= NOW + timedelta(hours=3)
    assert page.window_text == format_window(start, end, NOW, "Europe/Amsterdam", "en")
    later = build_page(facts(eta=eta), NOW + timedelta(minutes=50))
    assert later.window_text != page.window_text  # and narrower still as the van nears


def test_a_live_window_reaching_outside_the_told_one_is_not_shown():
    page = build_page(facts(eta=NOW + timedelta(minutes=20), announced_end=NOW + timedelta(minutes=25)), NOW)
    assert page.window_text == format_window(NOW, NOW + timedelta(minutes=25), NOW, "Europe/Amsterdam", "en")


def test_the_page_narrows_with_the_carriers_own_learnt_model_when_it_has_one(db, shop, carrier, make_shipment):
    from app.eta.calibration import fit
    from app.models import EtaCalibration, Shipment
    from app.tracking.lookup import page_facts
    from bijna_testing import test_now

    shipment = db.session.get(Shipment, make_shipment()["id"])
    shipment.status, shipment.eta = "out_for_delivery", test_now() + timedelta(minutes=60)
    db.session.commit()
    assert page_facts(shipment).calibration is None  # nothing learnt yet: the prior
    steady = fit([(lead, 0.5) for lead in (5, 10, 20, 40, 60, 90, 120, 200, 400) for _ in range(400)])
    db.session.add(EtaCalibration(carrier_id=carrier.id, model=steady.to_json(), residuals=3600,
                                  computed_at=test_now()))
    db.session.commit()
    learnt = page_facts(shipment).calibration
    assert learnt is not None
    prior = current_window(shipment.eta, test_now())
    own = current_window(shipment.eta, test_now(), learnt)
    assert own[1] - own[0] < prior[1] - prior[0]  # a carrier that is always right gets a narrower window
