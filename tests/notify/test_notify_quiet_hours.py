"""Quiet hours: non-urgent texts wait for the recipient's morning, across midnight and DST."""

from datetime import UTC, datetime, time

import pytest

from app.notify.quiet_hours import defer_until

AMS = "Europe/Amsterdam"
NIGHT = (time(22, 0), time(8, 0))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 6, 9, 12, 0), None),  # 14:00 local
        (utc(2026, 6, 9, 19, 59), None),  # 21:59 local
        (utc(2026, 6, 9, 20, 0), utc(2026, 6, 10, 6, 0)),  # 22:00 local: wait till 08:00
        (utc(2026, 6, 9, 21, 0), utc(2026, 6, 10, 6, 0)),  # 23:00 local
        (utc(2026, 6, 9, 22, 30), utc(2026, 6, 10, 6, 0)),  # 00:30 local, next day
        (utc(2026, 6, 10, 5, 59), utc(2026, 6, 10, 6, 0)),  # 07:59 local
        (utc(2026, 6, 10, 6, 0), None),  # 08:00 local: quiet hours are over
    ],
)
def test_quiet_hours_across_midnight(now, expected):
    assert defer_until(now, AMS, *NIGHT) == expected


def test_quiet_hours_within_one_day():
    lunch = (time(12, 0), time(13, 30))
    assert defer_until(utc(2026, 6, 9, 10, 15), AMS, *lunch) == utc(2026, 6, 9, 11, 30)
    assert defer_until(utc(2026, 6, 9, 9, 59), AMS, *lunch) is None


def test_equal_start_and_end_means_no_quiet_hours():
    assert defer_until(utc(2026, 6, 9, 21, 0), AMS, time(8, 0), time(8, 0)) is None


def test_spring_forward_night_ends_at_eight_summer_time():
    # 2026-03-29 02:00 CET becomes 03:00 CEST; 23:00 CET the evening before.
    assert defer_until(utc(2026, 3, 28, 22, 0), AMS, *NIGHT) == utc(2026, 3, 29, 6, 0)


def test_fall_back_night_ends_at_eight_winter_time():
    # 2026-10-25 03:00 CEST becomes 02:00 CET; 23:00 CEST the evening before.
    assert defer_until(utc(2026, 10, 24, 21, 0), AMS, *NIGHT) == utc(2026, 10, 25, 7, 0)


def test_quiet_end_inside_the_spring_gap_ends_when_the_clock_jumps():
    # 02:30 does not exist on 2026-03-29; the clock shows 03:00 CEST at 01:00 UTC.
    assert defer_until(utc(2026, 3, 28, 22, 0), AMS, time(22, 0), time(2, 30)) == utc(
        2026, 3, 29, 1, 0
    )


def test_quiet_end_inside_the_autumn_overlap_takes_the_first_occurrence():
    # 02:30 happens twice on 2026-10-25: first at 00:30 UTC (CEST).
    assert defer_until(utc(2026, 10, 24, 21, 0), AMS, time(22, 0), time(2, 30)) == utc(
        2026, 10, 25, 0, 30
    )


def test_other_time_zones():
    # 23:00 in New York (EDT, UTC-4) waits until 08:00 = 12:00 UTC.
    assert defer_until(utc(2026, 6, 10, 3, 0), "America/New_York", *NIGHT) == utc(
        2026, 6, 10, 12, 0
    )


def test_refuses_naive_now():
    with pytest.raises(ValueError):
        defer_until(datetime(2026, 6, 9, 23, 0), AMS, *NIGHT)
