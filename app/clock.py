"""The one clock: every decision that depends on time asks `now()`.

Web views, jobs, the sweeper and the model defaults all read it, so a test (or the replay tool)
moves time for all of them at once by setting config CLOCK to a callable returning an aware UTC
datetime. This is the only module that reads the wall clock (a test enforces it).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

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
        if current_app.config.get("CLOCK_FILE"):
            return wall_clock() + file_offset(current_app.config["CLOCK_FILE"])
    return wall_clock()


_offsets: dict[tuple, timedelta] = {}


def file_offset(path: str) -> timedelta:
    """Return the offset (seconds, as text) a test wrote to CLOCK_FILE: one clock moved for several processes.

    The fault suite runs web, workers and the sweeper as real processes; writing this file (atomically,
    by rename) moves time for all of them at once. Re-read only when the file changes.
    """
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return timedelta(0)
    key = (path, stat.st_ino, stat.st_mtime_ns, stat.st_size)
    if key not in _offsets:
        with open(path) as file:
            text = file.read().strip()
        _offsets.clear()
        _offsets[key] = timedelta(seconds=float(text or 0))
    return _offsets[key]
