"""Days, weeks, months and quarters in the shop's time zone, and the region of a recipient. Pure.

A parcel belongs to the local calendar day of its registration (see docs/kpis.md). Periods are
built from local dates, so a daylight-saving day (23 or 25 hours) is simply one day.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

PERIODS = ("day", "week", "month", "quarter")
UNKNOWN_REGION = "unknown"
_POSTCODE_DIGITS = re.compile(r"^\s*(\d{2})")


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """Return the calendar date of an aware moment in the shop's zone."""
    return moment.astimezone(zone).date()


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return [start, end) of a local day as aware datetimes (23 or 25 hours long on DST days)."""
    start = datetime.combine(day, datetime.min.time(), zone)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
    return start, end


def period_start(day: date, period: str) -> date:
    """Return the first local date of the period holding `day` (weeks start on Monday, ISO)."""
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"unknown period {period!r}")


def period_label(start: date, period: str) -> str:
    """Return a human key for a period: 2026-03-29, 2026-W13, 2026-03, 2026-Q1."""
    if period == "day":
        return start.isoformat()
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{start.year}-{start.month:02d}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def period_end(start: date, period: str) -> date:
    """Return the first local date after the period starting at `start`."""
    if period == "day":
        return start + timedelta(days=1)
    if period == "week":
        return start + timedelta(days=7)
    months = 1 if period == "month" else 3
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def week_start(label: str) -> date:
    """Return the Monday of an ISO week written 2026-W13."""
    match = re.fullmatch(r"(\d{4})-W(\d{2})", label)
    if not match:
        raise ValueError("write a week as YYYY-Www, e.g. 2026-W13")
    return date.fromisocalendar(int(match[1]), int(match[2]), 1)


def region_of(postcode: str | None, city: str | None) -> str:
    """Return the postcode area (its first two digits) or, without a postcode, the city, normalised."""
    if postcode:
        match = _POSTCODE_DIGITS.match(postcode)
        if match:
            return match[1]
    if city and city.strip():
        return " ".join(city.split()).title()[:60]
    return UNKNOWN_REGION
