"""Quiet hours: when a non-urgent text must wait until the recipient's morning.

Quiet hours are wall-clock times in the recipient's time zone ("22:00" to "08:00"),
so they follow daylight saving time: the answer is computed on the local calendar
and converted back to UTC through zoneinfo. Urgent texts (see policy) ignore them.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def in_quiet_hours(local: time, quiet_start: time, quiet_end: time) -> bool:
    """Tell whether a local wall-clock time lies in [quiet_start, quiet_end)."""
    if quiet_start == quiet_end:
        return False  # an empty window means "no quiet hours"
    if quiet_start < quiet_end:
        return quiet_start <= local < quiet_end
    return local >= quiet_start or local < quiet_end  # the window crosses midnight


def _first_instant_at(wall: datetime, zone: ZoneInfo) -> datetime:
    """Return the first UTC instant at which the local clock shows `wall` or later.

    An ambiguous wall time (autumn) gives its first occurrence. A wall time that does
    not exist (spring, inside the gap) gives the moment the clock jumps over it.
    """
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # In a gap, fold=1 maps to an instant before the jump and fold=0 to one after it;
    # bisect between them for the jump itself (to the second: a few dozen steps).
    low = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = first
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def defer_until(now: datetime, tz: str, quiet_start: time, quiet_end: time) -> datetime | None:
    """Return when quiet hours end (aware UTC), or None if `now` is not in quiet hours."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    if not in_quiet_hours(local.time(), quiet_start, quiet_end):
        return None
    end_date = local.date()
    if quiet_start > quiet_end and local.time() >= quiet_start:
        end_date += timedelta(days=1)  # evening part of an overnight window: ends tomorrow
    end = _first_instant_at(datetime.combine(end_date, quiet_end), zone)
    return end if end > now else None
