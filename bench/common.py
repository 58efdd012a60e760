"""What every benchmark shares: the bench database and Redis, processes it starts, seeding, stats.

Everything listens on 127.0.0.1 only. Every process a benchmark starts goes through `Procs`,
which remembers its PID and ends exactly those processes (its own session/process group),
in a `finally`, however the benchmark ends.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
PYTHON = sys.executable
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB", "bijna_bench")
DATABASE_URL = PG_ADMIN.rsplit("/", 1)[0] + f"/{DB_NAME}"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
TWILIO_SID = "AC" + "b1a9" * 8
TWILIO_TOKEN = "bench-auth-token"
TWILIO_FROM = "+3197010203040"
WORK = Path(os.environ.get("BENCH_WORK", Path(tempfile.gettempdir()) / "bijna-bench"))


# --- environment ---------------------------------------------------------------------------

def bijna_env(*, standin_port: int | None = None, public_port: int = 5000, rate: int = 10_000,
              **extra: str) -> dict[str, str]:
    """The environment Bijna's processes (gunicorn, workers) and the in-process app get."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "SMS_"))}
    env.update({
        "ENV": "development", "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{public_port}", "SENDER_RATE_PER_SECOND": str(rate),
        "FLASK_APP": "wsgi", "PYTHONUNBUFFERED": "1",
    })
    if standin_port is not None:
        env.update({"SMS_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
                    "TWILIO_FROM": TWILIO_FROM, "TWILIO_API_BASE_URL": f"http://127.0.0.1:{standin_port}"})
    env.update(extra)
    return env


def use_env(env: dict[str, str]) -> None:
    """Make this process' own create_app() read the same settings as the processes it starts."""
    for key in [k for k in os.environ if k.startswith(("TWILIO_", "SMS_"))]:
        del os.environ[key]
    os.environ.update(env)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 20.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


# --- processes ---------------------------------------------------------------------------

class Procs:
    """The processes one benchmark started: ended by PID (their own process group), newest first."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started: list[tuple[str, subprocess.Popen]] = []
        WORK.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(WORK / f"{self.label}-{name}.log", "ab")
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.started.append((name, proc))
        return proc

    def stop(self, proc: subprocess.Popen, timeout: float = 10.0) -> int | None:
        """End one process we started (SIGTERM to its own group, SIGKILL if it lingers)."""
        if proc.poll() is None:
            _signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait(5)
        else:
            _signal_group(proc, signal.SIGKILL)  # leftovers of an exited leader (e.g. gunicorn workers)
        self.started = [(n, p) for n, p in self.started if p is not proc]
        return proc.returncode

    def stop_all(self) -> None:
        for _, proc in reversed(list(self.started)):
            try:
                self.stop(proc)
            except Exception as error:  # keep ending the others
                print(f"[{self.label}] could not stop pid {proc.pid}: {error}", file=sys.stderr)

    def __enter__(self) -> Procs:
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # start_new_session=True: the group id is the pid we started
    except (ProcessLookupError, PermissionError):
        pass


def start_gunicorn(procs: Procs, name: str, app: str, port: int, env: dict[str, str],
                   workers: int | None = None) -> subprocess.Popen:
    """gunicorn as the Procfile runs it: sync workers, no access log; same flags for every app.

    BENCH_WEB_WORKERS (default 2, as in Procfile.dev) changes the worker count for both apps alike.
    """
    workers = workers or int(os.environ.get("BENCH_WEB_WORKERS", 2))
    proc = procs.start(name, [str(VENV_BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                              "--log-level", "warning", app], env)
    wait_port(port, 30, proc)
    return proc


def start_standin(procs: Procs, name: str) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    record = WORK / f"{procs.label}-{name}-receipts.json"
    record.unlink(missing_ok=True)
    proc = procs.start(name, [PYTHON, "-m", "bench.standin", "--port", str(port), "--record", str(record)])
    wait_port(port, 20, proc)
    return proc, port, record


def stop_standin(procs: Procs, proc: subprocess.Popen, record: Path) -> list[tuple[float, str, int]]:
    """Stop the stand-in and return its receipts: (time received, To, segments), in arrival order."""
    procs.stop(proc)
    data = json.loads(record.read_text())
    return [tuple(r) for r in data["receipts"]]


def start_workers(procs: Procs, count: int, env: dict[str, str], burst: bool, name: str = "worker"):
    argv = [PYTHON, "-m", "workers.run"] + (["--burst"] if burst else [])
    return [procs.start(f"{name}{i}", argv, env) for i in range(count)]


# --- database and Redis ----------------------------------------------------------------------

def recreate_database(env: dict[str, str]) -> None:
    """A fresh bench database, migrated by Alembic exactly as in production."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    subprocess.run([str(VENV_BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def flush_redis() -> None:
    """Empty the bench's own Redis database (REDIS_URL's db number), nothing else."""
    from redis import Redis

    Redis.from_url(REDIS_URL).flushdb()


def sql(query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description else []


def queue_depth(queue_name: str = "rq:queue:bijna-texts") -> int:
    from redis import Redis

    return Redis.from_url(REDIS_URL).llen(queue_name)


@contextmanager
def bijna_app(env: dict[str, str]):
    """An app context on the bench database, for seeding and for committing outbox rows."""
    use_env(env)
    from app import create_app
    from app.extensions import db

    app = create_app()
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def seed_shop_and_carrier() -> tuple[str, str, str]:
    """Create the bench's shop and carrier (inside bijna_app); return shop id, carrier id, carrier token."""
    from app.cli import create_carrier, create_shop

    shop, _ = create_shop("Bloemenshop Bench", sender=TWILIO_FROM)
    carrier, token = create_carrier("benchcarrier", "Bench Carrier")
    return shop.id, carrier.id, token


def seed_shipments(shop_id: str, carrier_id: str, numbers: list[str], phones: list[str], now: datetime,
                   window_hours: float = 5.0) -> None:
    """Bulk-insert shipments already out for delivery (their out_for_delivery text went earlier).

    One multi-row INSERT per 1,000 rows; every field a shipment created through the API has.
    """
    from sqlalchemy import insert

    from app.extensions import db
    from app.models import Shipment
    from app.models.base import new_id, new_token

    names = ["Anna de Vries", "Jan Jansen", "Sanne Bakker", "Mohamed El Amrani", "Lotte Visser", "Pieter Smit"]
    start, end = now - timedelta(hours=1), now + timedelta(hours=window_hours)
    rows = [{"id": new_id(), "shop_id": shop_id, "carrier_id": carrier_id, "order_ref": f"B{i:07d}",
             "tracking_number": number, "recipient_phone": phone, "recipient_name": names[i % len(names)],
             "recipient_language": "nl" if i % 4 else "en", "recipient_city": "Utrecht",
             "window_start": start, "window_end": end, "status": "out_for_delivery", "raw_status": "OUT",
             "status_at": now, "notify": True, "tracking_token": new_token(), "sent_kinds": ["out_for_delivery"],
             "created_at": now, "updated_at": now}
            for i, (number, phone) in enumerate(zip(numbers, phones, strict=True))]
    for i in range(0, len(rows), 1000):
        db.session.execute(insert(Shipment), rows[i:i + 1000])
    db.session.commit()


def reset_shipments(now: datetime) -> None:
    """Put every shipment back to "out for delivery, nothing since" and drop every message."""
    sql("DELETE FROM messages")
    sql("UPDATE shipments SET eta = NULL, eta_observed_at = NULL, route_id = NULL, stop_sequence = NULL, "
        "status = 'out_for_delivery', sent_kinds = '[\"out_for_delivery\"]', last_delay_eta = NULL, "
        "window_start = %s, window_end = %s", (now - timedelta(hours=1), now + timedelta(hours=5)))
    sql("VACUUM ANALYZE shipments")
    sql("VACUUM ANALYZE messages")


def phone(i: int) -> str:
    """A distinct Dutch mobile number per index (E.164)."""
    return f"+316{10_000_000 + i:08d}"


# --- numbers -----------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(seconds: list[float]) -> dict:
    return {"n": len(seconds), **{f"p{p}_ms": _ms(percentile(seconds, p)) for p in (50, 95, 99)},
            "max_ms": _ms(max(seconds) if seconds else None)}


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def machine() -> dict:
    """What the figures were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    pg = sql("SHOW server_version")[0][0]
    from redis import Redis

    redis_version = Redis.from_url(REDIS_URL).info("server")["redis_version"]
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "code": code_version(),
            "cpus": os.cpu_count(), "cpu": cpu,
            "memory_gb": round(mem_kb / 1024 / 1024, 1), "python": platform.python_version(),
            "postgresql": pg, "redis": redis_version, "load_avg_before": os.getloadavg(),
            "kernel": platform.release()}


def code_version() -> str:
    """The commit measured, and whether the measured code differed from it."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--", "app", "workers", "wsgi.py", "migrations")
    return f"{head}{' + uncommitted changes in app/workers' if changed else ''}"


def profile_report(profile, top: int) -> str:
    """Return a cProfile's top functions by cumulative and by own time, as text."""
    import io
    import pstats

    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()
