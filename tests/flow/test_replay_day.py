"""A generated noisy day replayed end to end (web side, in-process worker, sweeper) under a virtual clock.

The day's noise (repeated and late pushes, a jam, swapped stops, late scans) must not show in what the
recipients get: one arriving-soon text each, nothing after the delivered text, texts in the order decided,
and the provider delivered exactly the texts Bijna decided.
"""

from __future__ import annotations

from datetime import timedelta

from app.simulation.generator import generate_day
from app.sms.simulator_provider import simulated_threads
from workers.simulate import replay_day

STOPS = 30


def test_a_noisy_day_replays_with_one_arriving_soon_each_and_a_scorecard(app, db, redis_client, monkeypatch):
    monkeypatch.setitem(app.config, "SENDER_RATE_PER_SECOND", 10_000)  # a day's texts, sent in seconds
    day = generate_day(424242, stops=STOPS)
    assert day.notes["duplicates"] and day.notes["late_batches"]

    clock = app.config.get("CLOCK")
    result = replay_day(app, day.requests, sweep_every=timedelta(minutes=2))

    assert result.refused == []
    assert app.config.get("CLOCK") is clock  # the virtual clock is gone after the replay
    assert set(result.texts) == set(day.truth)
    threads = simulated_threads(redis_client, limit=STOPS + 10)
    for number, texts in result.texts.items():
        received = [text for text in texts if text.received]
        kinds = [text.kind for text in received]
        assert kinds.count("arriving_soon") == 1, (number, kinds)
        assert kinds[-1] == "delivered" and kinds.count("delivered") == 1, (number, kinds)
        assert [text.at for text in received] == sorted(text.at for text in received), number
        soon = next(text for text in received if text.kind == "arriving_soon")
        assert soon.at <= day.truth[number].arrival, number
        # What the provider delivered is exactly what was decided: nothing lost, nothing twice, in order.
        assert [t["body"] for t in threads[result.phones[number]]] == [text.body for text in received], number

    card = result.scorecard
    assert card.stops == card.delivered == card.soon_n == STOPS
    assert card.last_window_n >= STOPS // 2 and 0 <= card.last_window_held <= 1
    assert card.soon_min >= 0 and card.soon_median <= card.soon_p95
    assert card.about_n == STOPS
