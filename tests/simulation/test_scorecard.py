"""The scorecard on tiny hand-made days: each figure means what it says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.simulation.scorecard import StopDay, TextSeen, quantile, score

DAY = datetime(2026, 3, 2, tzinfo=UTC)


def at(hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")
    return DAY + timedelta(hours=int(hours), minutes=int(minutes))


def window(start: str, end: str) -> tuple[datetime, datetime]:
    return at(start), at(end)


def morning(start: str = "10:00", end: str = "11:00", sent: str = "08:00") -> TextSeen:
    return TextSeen(at(sent), "out_for_delivery", window(start, end))


def soon(sent: str, minutes: int | None = 15) -> TextSeen:
    return TextSeen(at(sent), "arriving_soon", minutes=minutes)


def delay(sent: str, start: str, end: str) -> TextSeen:
    return TextSeen(at(sent), "delay", window(start, end))


def test_the_last_window_before_arrival_is_the_one_that_counts():
    card = score([
        StopDay(at("10:30"), (morning(), soon("10:15"))),  # held
        StopDay(at("11:30"), (morning(), delay("10:40", "11:00", "12:00"))),  # morning broke, the new one held
        StopDay(at("11:30"), (morning(),)),  # broke
        StopDay(at("10:30"), (morning(), TextSeen(at("10:31"), "delay", window("11:00", "12:00")))),  # after: ignored
    ])
    assert card.last_window_n == 4
    assert card.last_window_held == pytest.approx(3 / 4)
    assert card.morning_window_held == pytest.approx(2 / 4)
    assert card.morning_width_median == 60 and card.last_width_p90 == 60


def test_widths_are_reported_as_median_and_p90():
    stops = [StopDay(at("10:30"), (morning("10:30", f"{10 + (30 + m) // 60}:{(30 + m) % 60:02d}"),))
             for m in (30, 40, 50, 60, 70, 80, 90, 100, 110, 120)]
    card = score(stops)
    assert card.morning_width_median == 75 and card.morning_width_p90 == 110


def test_a_delay_text_to_a_parcel_that_came_inside_the_window_told_is_false():
    card = score([
        StopDay(at("10:50"), (morning(), delay("09:00", "11:30", "12:30"))),  # came 10:50: the apology was false
        StopDay(at("11:40"), (morning(), delay("10:30", "11:30", "12:30"))),  # really late: a true warning
        StopDay(at("10:20"), (morning(),)),
        StopDay(at("10:20"), ()),
    ])
    assert card.delay_texts == 2 and card.false_delay_texts == 1
    assert card.false_delays_per_100 == 25


def test_a_late_stop_is_warned_when_a_new_window_came_before_the_old_one_ended():
    card = score([
        StopDay(at("11:20"), (morning(), delay("10:50", "11:00", "12:00"))),  # warned in time
        StopDay(at("11:20"), (morning(), delay("11:05", "11:00", "12:00"))),  # warned after the window ended
        StopDay(at("11:20"), (morning(),)),  # never warned
        StopDay(at("12:20"), (morning(), delay("10:50", "11:00", "12:00"))),  # the new window broke unwarned too
        StopDay(at("10:20"), (morning(),)),  # on time
    ])
    assert card.late_stops == 4 and card.late_warned == 1


def test_arriving_soon_is_measured_against_the_true_arrival():
    first_push = at("08:00")
    card = score([
        StopDay(at("10:30"), (morning(), soon("10:15", 15)), first_push),  # 15 min, said 15
        StopDay(at("10:30"), (morning(), soon("10:05", 15)), first_push),  # 25 min: too early, said 15
        StopDay(at("10:30"), (morning(), soon("10:22", 10)), first_push),  # 8 min: too late, said 10
        StopDay(at("08:10"), (soon("08:00", 10),), first_push),  # near at the first ETA: not held to the target
        StopDay(None, (morning(), soon("10:15"))),  # never delivered: not judged
    ])
    assert card.stops == 5 and card.delivered == 4 and card.soon_n == 4
    assert card.soon_median == pytest.approx(12.5) and card.soon_min == 8 and card.soon_p95 == 25
    assert card.soon_far_n == 3 and card.soon_in_target == pytest.approx(1 / 3)
    assert card.about_n == 4 and card.about_within == pytest.approx(3 / 4)  # 15/15, 10/8, 10/10 within 3


def test_an_empty_day_has_no_figures_rather_than_zeros():
    card = score([])
    assert card.last_window_held is None and card.false_delays_per_100 is None and card.soon_median is None
    assert card.as_dict()["stops"] == 0


def test_quantile_is_nearest_rank():
    assert quantile([], 0.9) is None
    assert quantile([5.0], 0.9) == 5.0
    assert quantile(list(range(1, 11)), 0.9) == 9 and quantile(list(range(1, 11)), 0.5) == 5
