"""Helpers for `make run` (scripts/run-dev): say where the data lives, and stop cleanly on Ctrl-C.

    python -m devtools.dev_stack where              # "Redis … / Database …" for the start-up banner
    python -m devtools.dev_stack supervise CMD ...  # run CMD; a Ctrl-C or SIGTERM stop exits 0
    python -m devtools.dev_stack restart CMD ...    # run CMD again whenever it crashes (Procfile.dev)

Why `supervise`: Ctrl-C reaches every process in the terminal's foreground group, `make` included,
and make then reports its child's status ("make: *** [run] Error 130/143") and dies of the signal.
So the dev processes get a process group of their own that owns the terminal: Ctrl-C reaches them
and this supervisor, never make; a stop asked for is a success, a process that crashed is not.

Why `restart`: honcho stops every process when one ends, so one crashed worker would take `make run`
down. Each Procfile.dev process runs under `restart`, which starts it again after a crash, waiting
1, 2, 4 … up to 30 s (back to 1 s once it ran a minute). In production the platform restarts
processes the same way (and the worker and sweeper do not exit on an outage in the first place).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from urllib.parse import urlsplit, urlunsplit

from app.config import ROOT, ConfigError, Settings

STOPS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def without_password(url: str) -> str:
    """Return a URL fit for a banner: the password dropped, a SQLite path shown relative to the project."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path.startswith(f"{ROOT}{os.sep}"):
            path = os.path.relpath(path, ROOT)
        return f"sqlite:///{path}"
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def where(environ: dict | None = None) -> str:
    """Return the banner lines naming the Redis and the database this start will use."""
    try:
        settings = Settings.from_env(environ)
    except ConfigError as error:
        return f"  Configuration  {error}"
    return (f"  Redis          {without_password(settings.REDIS_URL)}\n"
            f"  Database       {without_password(settings.DATABASE_URL)}")


def _give_terminal(terminal: int, group: int) -> None:
    """Make a process group the terminal's foreground group (SIGTTOU would stop a background caller)."""
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(terminal, group)
    finally:
        signal.signal(signal.SIGTTOU, previous)


def supervise(command: list[str]) -> int:
    """Run a command in a process group that owns the terminal; return 0 when it was stopped on purpose."""
    stopped = []
    original_group = os.getpgrp()
    terminal = sys.stdin.fileno() if sys.stdin.isatty() else None
    if terminal is not None and os.tcgetpgrp(terminal) != original_group:
        terminal = None  # started in the background: the terminal is not ours to take
    if terminal is not None:
        os.setpgid(0, 0)
        _give_terminal(terminal, os.getpgrp())
    child = subprocess.Popen(command)

    def stop(signum, frame):
        stopped.append(signum)
        if signum == signal.SIGINT and terminal is not None:
            return  # Ctrl-C on our terminal already reached the whole group
        with suppress(ProcessLookupError):
            child.send_signal(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    for signum in STOPS:
        signal.signal(signum, stop)
    try:
        returncode = child.wait()
    finally:
        if terminal is not None:
            with suppress(OSError):
                _give_terminal(terminal, original_group)
    if stopped or returncode in (130, 143, -signal.SIGINT, -signal.SIGTERM):
        return 0
    return returncode


RESTART_DELAYS = (1.0, 30.0)  # first wait and the bound of the doubling
HEALTHY_AFTER = 60.0  # a process that ran this long crashed afresh: start over at the first wait


def restart(command: list[str], delays: tuple[float, float] = RESTART_DELAYS, healthy_after: float = HEALTHY_AFTER,
            max_restarts: int | None = None) -> int:
    """Run a command; whenever it dies without being asked to, start it again after a growing wait."""
    stopped: list[int] = []
    child: list[subprocess.Popen] = []

    def stop(signum, frame):
        stopped.append(signum)
        if child and child[-1].poll() is None:
            with suppress(ProcessLookupError):
                child[-1].send_signal(signum)

    for signum in STOPS:
        signal.signal(signum, stop)
    delay, restarts, name = delays[0], 0, os.path.basename(command[0])
    while True:
        started = time.monotonic()
        child.append(subprocess.Popen(command))
        returncode = child[-1].wait()
        child.pop()
        if stopped or returncode == 0:
            return 0
        if max_restarts is not None and restarts >= max_restarts:
            return returncode
        if time.monotonic() - started >= healthy_after:
            delay = delays[0]
        print(f"dev_stack: {name} ({' '.join(command[1:3])}) ended with {returncode}; restarting in {delay:g} s",
              file=sys.stderr, flush=True)
        deadline = time.monotonic() + delay
        while not stopped and time.monotonic() < deadline:
            time.sleep(0.1)
        if stopped:
            return 0
        delay, restarts = min(delay * 2, delays[1]), restarts + 1


def main(argv: list[str] | None = None) -> int:
    """Dispatch `where` or `supervise CMD ...`."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["where"]:
        print(where())
        return 0
    if argv[:1] == ["supervise"] and argv[1:]:
        return supervise(argv[1:])
    if argv[:1] == ["restart"] and argv[1:]:
        return restart(argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
