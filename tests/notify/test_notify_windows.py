"""ETA maths: the narrowed window, minutes away, lateness, local formatting."""

from datetime import UTC, datetime, timedelta

import pytest

from app.notify.windows import (
    format_day,
    format_slot,
    format_time,
    is_late,
    minutes_away,
    narrow_window,
)


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 6, 9, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("eta", "window"),
    [
        (at(14, 0), (at(13, 40), at(14, 40))),
        (at(14, 3), (at(13, 45), at(14, 45))),  # end rounds up: the late side keeps 42 min
        (at(14, 5), (at(13, 45), at(14, 45))),
        (at(14, 0, 1), (at(13, 45), at(14, 45))),
        (at(23, 50), (at(23, 30), at(0, 30) + timedelta(days=1))),
    ],
)
def test_narrow_window_leans_late_and_rounds_to_five_minutes(eta, window):
    assert narrow_window(eta) == window


@pytest.mark.parametrize("minute", range(0, 60))
def test_narrow_window_always_holds_the_eta_with_more_room_after_it(minute):
    eta = at(10, minute, 17)
    start, end = narrow_window(eta)
    assert end - start == timedelta(hours=1)
    assert timedelta(minutes=15) <= eta - start <= timedelta(minutes=20)
    assert timedelta(minutes=40) <= end - eta <= timedelta(minutes=45)
    assert start.minute % 5 == 0 and start.second == 0


def test_narrow_window_of_other_width():
    assert narrow_window(at(14, 0), timedelta(hours=2)) == (at(13, 20), at(15, 20))


def test_narrow_window_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        narrow_window(datetime(2026, 6, 9, 14, 0))


@pytest.mark.parametrize(
    ("eta", "expected"),
    [(at(12, 15), 15), (at(12, 14, 31), 15), (at(12, 14, 29), 14), (at(12, 0), 0),
     (at(11, 57), -3)],
)
def test_minutes_away(eta, expected):
    assert minutes_away(eta, at(12, 0)) == expected


@pytest.mark.parametrize(
    ("eta", "late"),
    [(at(17, 0), False), (at(17, 5), False), (at(17, 5, 1), True), (at(18, 0), True)],
)
def test_is_late_after_grace(eta, late):
    assert is_late(eta, at(17, 0)) is late


def test_format_time_follows_daylight_saving_time():
    assert format_time(at(12, 10), "Europe/Amsterdam") == "14:10"
    winter = datetime(2026, 1, 13, 12, 10, tzinfo=UTC)
    assert format_time(winter, "Europe/Amsterdam") == "13:10"


def test_format_day_and_slot_in_both_languages():
    tuesday_evening = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)  # 18:00 in Amsterdam
    end = tuesday_evening + timedelta(hours=3)
    assert format_day(tuesday_evening, "Europe/Amsterdam", "nl") == "di"
    assert format_slot(tuesday_evening, end, "Europe/Amsterdam", "nl") == "di 18-21"
    assert format_slot(tuesday_evening, end, "Europe/Amsterdam", "en") == "Tue 18-21"
    half = tuesday_evening + timedelta(minutes=30)
    assert format_slot(half, end, "Europe/Amsterdam", "xx") == "Tue 18:30-21"


def test_current_window_narrows_as_the_van_nears_and_always_holds_the_eta():
    from app.notify.windows import current_window

    eta = at(14, 0)
    widths = []
    for minutes_before in (240, 120, 60, 30, 10):
        start, end = current_window(eta, eta - timedelta(minutes=minutes_before))
        assert start < eta < end and start.minute % 5 == 0 and end.minute % 5 == 0
        widths.append(end - start)
    assert widths == sorted(widths, reverse=True) and widths[-1] == timedelta(minutes=30)
