"""The promises hold on days the model never saw: Bijna learns a carrier's ETA errors from a few generated days,
then unseen noisy days are replayed end to end (web side, worker, sweeper, virtual clock) and scored.

The learning days go straight into the model's own tables (the ETAs ingestion would have kept, with their
outcome) so the test stays quick; the measured days take the whole road. Samples are small (two days of
60 stops), so the tolerances are those of a small sample; the full-size figures are in docs/eta-accuracy.md.
Two kinds of carrier: ETAs that drift toward the truth as the van drives (the latest push is best) and ETAs
that scatter around it (the smoothed ETA is best); the model must find out which from the delivered stops.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.eta import lead_bin
from app.ingestion.eta_learning import Lessons, learn, learn_eta_errors
from app.models import Carrier, EtaCalibration, EtaObservation
from app.simulation.generator import DEFAULT_DAY, generate_day
from app.simulation.heard import heard_etas
from app.simulation.scorecard import score
from workers.simulate import replay_day

LEARN_SEEDS = (7001, 7002, 7003, 7004)  # used by no other test
MEASURED_SEEDS = (7101, 7102)
STOPS = 60


def _learn_from_generated_days(db, carrier: Carrier, eta_noise: str) -> dict:
    rows = []
    for offset, seed in enumerate(LEARN_SEEDS):
        day = generate_day(seed, stops=120, day=DEFAULT_DAY - timedelta(days=len(LEARN_SEEDS) - offset),
                           eta_noise=eta_noise)
        smoothed = heard_etas(day, smoothed=True)
        for route_id, heard in heard_etas(day).items():
            rows += [EtaObservation(carrier_id=carrier.id, shipment_id=f"{seed}-{h.shipment_id}"[-32:],
                                    route_id=route_id, attempt=1, lead_bin=lead_bin(h.lead_minutes),
                                    lead_minutes=h.lead_minutes, observed_at=h.observed_at, arrived_at=h.arrived_at,
                                    eta=h.arrived_at - timedelta(minutes=h.error_minutes),
                                    eta_smoothed=s.arrived_at - timedelta(minutes=s.error_minutes))
                     for h, s in zip(heard, smoothed[route_id], strict=True)]
    db.session.add_all(rows)
    db.session.commit()
    assert learn_eta_errors(DEFAULT_DAY_START) == 1
    model = db.session.get(EtaCalibration, carrier.id).model
    assert model.get("warm")  # the route-corrected model was learnt too
    return model


DEFAULT_DAY_START = generate_day(1, stops=2).requests[0].at  # 07:00 on the measured day


def _replay_unseen_days(app, db, carrier, eta_noise: str):
    carrier = db.session.execute(select(Carrier).where(Carrier.code == "simcarrier")).scalar() or carrier
    model = _learn_from_generated_days(db, carrier, eta_noise)
    stops = []
    for offset, seed in enumerate(MEASURED_SEEDS):
        day = generate_day(seed, stops=STOPS, day=DEFAULT_DAY + timedelta(days=offset), eta_noise=eta_noise)
        result = replay_day(app, day.requests, sweep_every=timedelta(minutes=2))
        assert result.refused == []
        stops += result.stop_days()
    card = score(stops)
    assert card.delivered == len(MEASURED_SEEDS) * STOPS
    assert card.false_delay_texts <= 1  # target: at most 1 per 100 stops
    assert card.late_warned == card.late_stops  # every stop late past its window warned before it ended
    assert card.last_window_held >= 0.9 and card.morning_window_held >= 0.9  # target 95 %, small sample
    assert card.morning_width_median <= 150  # never the shop's hours: what the model allows
    return model, card


def test_promises_hold_for_a_carrier_whose_etas_drift_with_the_van(app, db, carrier, monkeypatch):
    monkeypatch.setitem(app.config, "SENDER_RATE_PER_SECOND", 10_000)
    model, card = _replay_unseen_days(app, db, carrier, "planner")
    assert model["estimator"] == "latest"  # averaging pushes that drift toward the truth only lags
    # Below the targets (95 % and 80 %): jams and long stops after the text; see docs/eta-accuracy.md.
    assert card.soon_in_target >= 0.55 and card.about_within >= 0.45  # two days of 60 stops: a small sample


def test_promises_hold_for_a_carrier_whose_etas_scatter(app, db, carrier, monkeypatch):
    monkeypatch.setitem(app.config, "SENDER_RATE_PER_SECOND", 10_000)
    model, card = _replay_unseen_days(app, db, carrier, "scatter")
    assert model["estimator"] == "smoothed"  # learnt from the delivered stops: averaging pushes pays here
    assert card.soon_in_target >= 0.95 and card.about_within >= 0.8  # the targets, met


def test_learning_tells_the_two_kinds_of_carrier_apart_from_their_delivered_stops():
    verdicts = {}
    for eta_noise in ("planner", "scatter"):
        days = [generate_day(seed, stops=120, eta_noise=eta_noise) for seed in LEARN_SEEDS[:3]]
        lessons = {smoothed: Lessons.of({(route, seed): heard for seed, day in zip(LEARN_SEEDS, days, strict=False)
                                         for route, heard in heard_etas(day, smoothed).items()})
                   for smoothed in (False, True)}
        verdicts[eta_noise] = learn(lessons, len(days)).smoothed
    assert verdicts == {"planner": False, "scatter": True}
