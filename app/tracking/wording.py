"""Moments and windows said the way people say them, in the recipient's language and the shop's zone."""

from __future__ import annotations

from datetime import datetime

from app.notify.windows import format_day, format_time, to_local
from app.tracking.copy import MONTHS, words


def days_ahead(moment: datetime, now: datetime, tz: str) -> int:
    """Count calendar days from today to the moment in the shop's zone (0 today, 1 tomorrow, -1 yesterday).

    Local dates, not 24-hour steps: a day with a clock change has 23 or 25 hours, and the
    UTC date flips an hour or two before the shop's does.
    """
    return (to_local(moment, tz).date() - to_local(now, tz).date()).days


def format_moment(moment: datetime, now: datetime, tz: str, language: str) -> str:
    """Say when something happened the way people do: "today 09:12", "yesterday 17:40", "Mon 23 Nov"."""
    t, local = words(language), to_local(moment, tz)
    days = days_ahead(moment, now, tz)
    if days in (0, -1, 1):
        label = t["today"] if days == 0 else t["yesterday"] if days == -1 else t["tomorrow"]
        return f"{label} {local:%H:%M}"
    return date_label(moment, tz, language)


def date_label(moment: datetime, tz: str, language: str) -> str:
    """Return "Tue 24 Nov" / "di 24 nov"."""
    local = to_local(moment, tz)
    return f"{format_day(moment, tz, language)} {local.day} {MONTHS.get(language, MONTHS['en'])[local.month - 1]}"


def format_window(start: datetime, end: datetime, now: datetime, tz: str, language: str, *,
                  inline: bool = False) -> str:
    """Say a window with its day: "Today between 14:10 and 15:10", "Tue 24 Nov between 9:00 and 14:00".

    `inline` gives the form used mid-sentence ("today between ..."); weekdays keep their capital.
    """
    t = words(language)
    days = days_ahead(start, now, tz)
    times = {"start": format_time(start, tz), "end": format_time(end, tz)}
    if days in (0, 1):
        text = t["window_today" if days == 0 else "window_tomorrow"].format(**times)
        return text[:1].lower() + text[1:] if inline else text
    return t["window_day"].format(day=date_label(start, tz, language), **times)
