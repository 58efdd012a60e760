"""What a text told, as its message row recorded it when the text was decided (no reading of bodies).

Every outbound text keeps the window it showed (messages.window_start/window_end: the morning text's
window, a narrower window, a delay's new window) and the minutes it said ("about N": messages.minutes).
The replay and the live scorecard both read these.
"""

from __future__ import annotations

from datetime import datetime


def told_window(row) -> tuple[datetime, datetime] | None:
    """Return the window a message row says it told, if it told one."""
    if row.window_start is None or row.window_end is None:
        return None
    return row.window_start, row.window_end
