"""The production process set on loopback, for the fault suite: our own PostgreSQL and Redis (so they can be
stopped), gunicorn, two RQ workers, the sweeper, a Twilio stand-in and the carrier simulator, all on one
clock that the test moves (CLOCK_FILE). Every process's log lines are kept, for the log-leak check.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import requests
from redis import Redis

ROOT = Path(__file__).resolve().parents[2]
SID, AUTH_TOKEN, SENDER = "AC" + "0" * 32, "fault-suite-auth-token", "+3197010203040"
CARRIER_SECRET, METRICS_TOKEN = "fault-carrier-secret", "fault-suite-metrics-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout: float, what: str, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class FileClock:
    """Virtual time shared with every process: the file holds seconds to add to the wall clock."""

    def __init__(self, path: Path):
        self.path, self.offset = path, 0.0
        self._write()

    def now(self) -> datetime:
        return datetime.fromtimestamp(time.time() + self.offset, UTC)

    def set(self, moment: datetime) -> None:
        self.offset = moment.timestamp() - time.time()
        self._write()

    def advance(self, seconds: float) -> None:
        self.offset += seconds
        self._write()

    def _write(self) -> None:
        scratch = self.path.with_suffix(".new")
        scratch.write_text(repr(self.offset))
        os.replace(scratch, self.path)  # atomic: a reader sees the old offset or the new one


class Postgres:
    """A throwaway PostgreSQL cluster (initdb into a temp dir, pg_ctl on a free port)."""

    def __init__(self, base: Path):
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        assert binaries, "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin"
        self.bin = Path(binaries[-1]).parent
        self.data, self.port = base / "pg", free_port()
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.data.mkdir()
        if self.as_owner:
            shutil.chown(self.data, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_owner, str(self.bin / tool), *args], check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        # fsync=off is safe for a crash of the server process (the kernel keeps what was written); the commit must
        # still be written before it is acknowledged, as in production: with synchronous_commit=off an immediate
        # stop lost commits the app had been told were done (a delivered text sent, its row gone).
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off "
                   "-c full_page_writes=off -c max_connections=60")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.data / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def rows(self, sql: str, *params) -> list[tuple]:
        with psycopg.connect(self.url, autocommit=True, connect_timeout=3) as conn:
            return conn.execute(sql, params).fetchall()

    def count(self, sql: str, *params) -> int:
        with psycopg.connect(self.url, autocommit=True, connect_timeout=3) as conn:
            return conn.execute(sql, params).fetchone()[0]


class OwnRedis:
    """A Redis server of our own on a free port, without persistence: a restart comes back empty."""

    def __init__(self):
        self.port, self.process = free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        client = Redis.from_url(self.url)
        wait_until(lambda: _pings(client), 10, "redis-server")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGKILL)  # no save, no goodbye: the jobs in it are gone
        self.process.wait(timeout=10)


def _pings(client: Redis) -> bool:
    try:
        return client.ping()
    except Exception:
        return False


class Processes:
    """gunicorn, the workers and the sweeper as real processes; logs appended to one file each."""

    def __init__(self, base: Path, env: dict[str, str], web_port: int):
        self.base, self.env, self.web_port = base, env, web_port
        self.running: dict[str, subprocess.Popen] = {}
        self.started: list[subprocess.Popen] = []  # every process ever started: none outlives the suite
        self.crashes = 0

    def start(self, name: str) -> None:
        commands = {
            "web": [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "2",
                    "--bind", f"127.0.0.1:{self.web_port}", "wsgi:app"],
            "worker1": [sys.executable, "-m", "workers.run"],
            "worker2": [sys.executable, "-m", "workers.run"],
            "sweeper": [sys.executable, "-m", "workers.periodic", "--every", "0.3"],
        }
        if name in self.running and self.running[name].poll() is None:
            raise AssertionError(f"{name} is still running: stop it before starting another")
        log = open(self.base / f"{name}.log", "ab")
        self.running[name] = subprocess.Popen(commands[name], cwd=ROOT, env=self.env, stdout=log,
                                              stderr=subprocess.STDOUT, start_new_session=True)
        self.started.append(self.running[name])
        log.close()

    def kill9(self, *names: str) -> None:
        for name in names:
            os.killpg(self.running[name].pid, signal.SIGKILL)  # the worker and its scheduler child
            self.running[name].wait(timeout=10)
            self.crashes += 1

    def alive(self) -> dict[str, int | None]:
        return {name: process.poll() for name, process in self.running.items()}

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)

    def logs(self) -> str:
        return "".join(path.read_text(errors="replace") for path in sorted(self.base.glob("*.log")))


def scratch_dir() -> Path:
    base = Path(tempfile.mkdtemp(prefix="bijna-faults-"))
    base.chmod(0o755)  # PostgreSQL runs as its own user and must reach its data directory
    return base


def web_ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False
