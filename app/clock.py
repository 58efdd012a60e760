"""The one clock: every decision that depends on time asks `now()`.

Web views, jobs, the sweeper and the model defaults all read it, so a test (or the replay tool)
moves time for all of them at once by setting config CLOCK to a callable returning an aware UTC
datetime. This is the only module that reads the wall clock (a test enforces it).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, has_app_context


def wall_clock() -> datetime:
    """Return the real current time, aware, in UTC."""
    return datetime.now(UTC)


def now() -> datetime:
    """Return the current time (aware UTC): config CLOCK inside an app context when set, else the wall clock."""
    if has_app_context():
        clock = current_app.config.get("CLOCK")
        if clock is not None:
            return clock()
    return wall_clock()
