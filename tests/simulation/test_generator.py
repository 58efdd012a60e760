"""The noisy-day generator: same seed same day, the noise a real carrier day has, and a day file round trip."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.carrier_api.schemas import EventsIn, load_route_etas
from app.shipments.schemas import ShipmentCreate
from app.simulation.day import EVENTS_PATH, SHIPMENTS_PATH, arrivals_from_events, read_day, write_day
from app.simulation.generator import generate_day


def test_same_seed_gives_the_same_day_and_another_seed_another():
    first, again, other = generate_day(7, stops=30), generate_day(7, stops=30), generate_day(8, stops=30)
    assert [r.to_json() for r in first.requests] == [r.to_json() for r in again.requests]
    assert [r.to_json() for r in first.requests] != [r.to_json() for r in other.requests]


def test_every_request_is_what_the_api_accepts():
    day = generate_day(11, stops=30)
    for request in day.requests:
        if request.path == SHIPMENTS_PATH:
            ShipmentCreate().load(request.body)
        elif request.path == EVENTS_PATH:
            EventsIn().load(request.body)
        else:
            assert request.path.startswith("/api/v1/carrier/routes/") and request.path.endswith("/etas")
            load_route_etas(request.body)


def test_a_day_has_the_noise_of_a_real_one():
    day = generate_day(20261124)
    notes = day.notes
    assert notes["duplicates"] >= 5 and notes["late_batches"] >= 5 and notes["pushes"] > 200
    assert 3 <= notes["late_stops"] <= 12 and notes["jams"]
    # The truth is in the delivered scans, as it is in a recorded day.
    assert arrivals_from_events(day.requests) == {n: t.arrival for n, t in day.truth.items()}
    # The planner's error grows with the time left.
    spread = {}
    for request in day.requests:
        if "/routes/" in request.path:
            observed = datetime.fromisoformat(request.body["observed_at"])
            for stop in request.body["stops"]:
                eta = datetime.fromisoformat(stop["eta"])
                error = abs((day.truth[stop["tracking_number"]].arrival - eta) / timedelta(minutes=1))
                spread.setdefault(min(int((eta - observed) / timedelta(minutes=60)), 3), []).append(error)
    medians = [sorted(errors)[len(errors) // 2] for _, errors in sorted(spread.items())]
    assert medians == sorted(medians) and medians[0] < 5 < medians[-1]


def test_the_swapped_stops_change_places_in_the_pushes():
    day = generate_day(5, stops=40)
    first, second = day.notes["swapped"]
    sequences = []
    for request in day.requests:
        if "/routes/" in request.path:
            by_number = {s["tracking_number"]: s["stop_sequence"] for s in request.body["stops"]}
            if first in by_number and second in by_number:
                sequences.append(by_number[first] < by_number[second])
    assert True in sequences and False in sequences
    assert day.truth[second].arrival < day.truth[first].arrival


def test_a_day_file_reads_back_as_written(tmp_path):
    day = generate_day(3, stops=10)
    path = tmp_path / "day.jsonl"
    assert write_day(day.requests, path) == len(day.requests)
    assert read_day(path) == day.requests
