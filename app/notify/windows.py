"""Turn a driver's ETA into a window a recipient can plan around, and format it.

Carriers promise "between 9:00 and 14:00"; Bijna narrows that around the driver's ETA.
The windows texts and the tracking page tell come from the carrier's ETA error model:
`current_window(eta, now, calibration)` is the narrowest window holding the arrival 95 % of
the time at the current lead (app/eta). `narrow_window` below is the older fixed hour.

That fixed window is deliberately lopsided: drivers run late far more often than
early, and a window that closes too soon is what produces a delay text and a "where is
my parcel?" call, while one that opens a little early costs the recipient nothing but a
few minutes of attention. So a third of the width lies before the ETA and two thirds
after it (eta-20 .. eta+40 for one hour), and the end is rounded *up* to 5 minutes:
"14:10" reads as a promise, "14:13" as false precision, and rounding up keeps the late
side at 40-45 minutes instead of eating into it.

All datetimes are timezone-aware; arithmetic happens in UTC and local time only
appears when formatting for the recipient.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from app.eta import current_window  # noqa: F401  (the calibrated window, for the tracking page)

WINDOW_WIDTH = timedelta(hours=1)
EARLY_SHARE = 1 / 3  # part of the window that lies before the ETA
ROUND_TO = timedelta(minutes=5)
LATE_GRACE = timedelta(minutes=5)  # an ETA this far past the window is not yet "late"

_DAYS = {
    "nl": ("ma", "di", "wo", "do", "vr", "za", "zo"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "fr": ("lun", "mar", "mer", "jeu", "ven", "sam", "dim"),
}


def _require_aware(*moments: datetime) -> None:
    """Refuse naive datetimes: a naive ETA silently shifts every window by hours."""
    for moment in moments:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"datetime must be timezone-aware, got {moment!r}")


def _ceil_to(moment: datetime, step: timedelta) -> datetime:
    """Round an aware datetime up to the next multiple of step (on the UTC clock)."""
    seconds = step.total_seconds()
    stamp = moment.timestamp()
    return datetime.fromtimestamp(math.ceil(stamp / seconds) * seconds, tz=UTC)


def narrow_window(eta: datetime, width: timedelta = WINDOW_WIDTH) -> tuple[datetime, datetime]:
    """Return a (start, end) window of the given width around the ETA, in UTC.

    The end is eta + 2/3 width rounded up to 5 minutes; the start is end - width.
    """
    _require_aware(eta)
    end = _ceil_to(eta + width * (1 - EARLY_SHARE), ROUND_TO)
    return end - width, end


def minutes_away(eta: datetime, now: datetime) -> int:
    """Return whole minutes from now until the ETA, rounded to nearest (negative if past)."""
    _require_aware(eta, now)
    return math.floor((eta - now).total_seconds() / 60 + 0.5)


def is_late(eta: datetime, window_end: datetime, grace: timedelta = LATE_GRACE) -> bool:
    """Tell whether the ETA lies beyond the window's end plus a grace period."""
    _require_aware(eta, window_end)
    return eta > window_end + grace


def to_local(moment: datetime, tz: str) -> datetime:
    """Convert an aware datetime to the recipient's time zone."""
    _require_aware(moment)
    return moment.astimezone(ZoneInfo(tz))


def format_time(moment: datetime, tz: str) -> str:
    """Format a moment as local wall-clock time, e.g. "14:10"."""
    return to_local(moment, tz).strftime("%H:%M")


def format_day(moment: datetime, tz: str, language: str) -> str:
    """Format the local weekday in short form, e.g. "di" (nl) or "Tue" (en)."""
    return _DAYS.get(language, _DAYS["en"])[to_local(moment, tz).weekday()]


_FULL_DAYS = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}
_RELATIVE = {"nl": ("vandaag", "morgen", "op {}"), "en": ("today", "tomorrow", "on {}"),
             "fr": ("aujourd'hui", "demain", "{}")}
_HOUR_SUFFIX = {"fr": "h"}  # French writes hours "18h-21h"


def is_today(moment: datetime, now: datetime, tz: str) -> bool:
    """Tell whether a moment falls on the local calendar day of `now`."""
    return to_local(moment, tz).date() == to_local(now, tz).date()


def relative_day(moment: datetime, now: datetime, tz: str, language: str) -> str:
    """Name the local day of a moment as people say it: "vandaag", "morgen", "op dinsdag"."""
    today, tomorrow, other = _RELATIVE.get(language, _RELATIVE["en"])
    days = (to_local(moment, tz).date() - to_local(now, tz).date()).days
    if days == 0:
        return today
    if days == 1:
        return tomorrow
    return other.format(_FULL_DAYS.get(language, _FULL_DAYS["en"])[to_local(moment, tz).weekday()])


def _hour_label(moment: datetime, suffix: str = "") -> str:
    """Write "18" for a whole hour and "18:30" otherwise: slot lines must stay short (French: "18h", "18h30")."""
    if suffix:
        return f"{moment.hour}{suffix}" if moment.minute == 0 else f"{moment.hour}{suffix}{moment.minute:02d}"
    return f"{moment.hour}" if moment.minute == 0 else f"{moment.hour}:{moment.minute:02d}"


def format_slot(start: datetime, end: datetime, tz: str, language: str) -> str:
    """Format a delivery slot compactly for a slot offer, e.g. "di 18-21" or "Tue 9:30-12"."""
    local_start, local_end = to_local(start, tz), to_local(end, tz)
    day = format_day(start, tz, language)
    h = _HOUR_SUFFIX.get(language, "")
    return f"{day} {_hour_label(local_start, h)}-{_hour_label(local_end, h)}"
