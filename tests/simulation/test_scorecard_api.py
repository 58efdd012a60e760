"""A shop reads its own live scorecard: the figures of the replayed day, from what the database kept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.simulation.generator import generate_day
from app.simulation.replay import participants
from workers.simulate import replay_day

PATH = "/api/v1/shop/eta-scorecard"


@pytest.fixture
def api(app, db):
    return app.test_client()


def test_the_live_scorecard_agrees_with_the_replayed_day(app, db, api, monkeypatch):
    monkeypatch.setitem(app.config, "SENDER_RATE_PER_SECOND", 10_000)
    day = generate_day(515151, stops=12)
    result = replay_day(app, day.requests, sweep_every=timedelta(minutes=2))
    key = participants().shop_key
    first = min(truth.arrival for truth in day.truth.values())
    period = {"from": (first - timedelta(hours=3)).isoformat(), "to": (first + timedelta(hours=12)).isoformat()}

    answer = api.get(PATH, query_string=period, headers={"Authorization": f"Bearer {key}"})

    assert answer.status_code == 200, answer.get_json()
    live, replayed = answer.get_json(), result.scorecard.as_dict()
    assert live["stops"] == live["delivered"] == 12 and live["truncated"] is False
    for name in ("last_window_n", "last_window_held", "morning_width_median", "delay_texts", "false_delay_texts",
                 "late_stops", "late_warned", "soon_n", "soon_median", "soon_min", "about_within"):
        assert live[name] == pytest.approx(replayed[name]), name
    empty = api.get(PATH, query_string={"from": period["to"], "to": (first + timedelta(days=2)).isoformat()},
                    headers={"Authorization": f"Bearer {key}"}).get_json()
    assert empty["stops"] == 0 and empty["last_window_held"] is None


def test_the_scorecard_needs_a_key_and_a_sane_period(api, shop_headers):
    assert api.get(PATH, query_string={"from": "2026-11-01T00:00:00Z", "to": "2026-11-02T00:00:00Z"}).status_code == 401
    for period, field in (({"from": "2026-11-02T00:00:00Z", "to": "2026-11-01T00:00:00Z"}, "to"),
                          ({"from": "2026-01-01T00:00:00Z", "to": "2026-11-01T00:00:00Z"}, "to"),
                          ({"from": "2026-11-01T00:00:00", "to": "2026-11-02T00:00:00Z"}, "from"), ({}, "from")):
        answer = api.get(PATH, query_string=period, headers=shop_headers)
        assert answer.status_code == 422 and field in answer.get_json()["error"]["fields"], (period, answer.get_json())
