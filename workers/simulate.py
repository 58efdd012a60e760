"""`python -m workers.simulate DAYFILE`: replay a day of carrier requests into a scratch database under a
virtual clock, with the web side, an in-process worker and the sweeper; print each recipient's texts and the
scorecard. Shops and carriers try settings on yesterday's data; we calibrate with it."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click
from flask import Flask

from app import create_app
from app.config import exit_on_config_error
from app.simulation.day import Request, read_day, write_day
from app.simulation.replay import Replayed, replay
from workers.queues import ALL, queue
from workers.run import build_worker
from workers.sweeper import sweep

SCRATCH_SQLITE = "simulate.sqlite3"  # under instance/, replaced at every run
SCRATCH_REDIS_DB = 13


class InProcessEngine:
    """The real worker side, in this process: a burst worker for the queued jobs, the sweeps as listed."""

    @staticmethod
    def run_jobs(app: Flask) -> None:
        with app.app_context():
            if not any(queue(name).count for name in ALL):
                return
        worker = build_worker(app)
        # A burst lives milliseconds and takes no commands: without its pub/sub thread it does not wait
        # a third of a second for that thread to stop.
        worker.subscribe = lambda: None
        worker.work(burst=True, with_scheduler=False)

    @staticmethod
    def sweep(now):
        return sweep(now)


def replay_day(app: Flask, requests: list[Request], **options) -> Replayed:
    """Replay `requests` into `app` with the real worker side (see app.simulation.replay.replay)."""
    return replay(app, requests, InProcessEngine(), **options)


def scratch_app(database_url: str | None, redis_url: str, settings: dict | None = None,
                instance_path: str | None = None) -> Flask:
    """Build an app on a scratch database (migrated to the newest schema) and a flushed scratch Redis db."""
    from flask_migrate import upgrade
    from redis import Redis

    if database_url is None:
        path = Path(instance_path or "instance", SCRATCH_SQLITE)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        database_url = f"sqlite:///{path}"
    uri = database_url.replace("postgres://", "postgresql://", 1).replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app({"DATABASE_URL": database_url, "SQLALCHEMY_DATABASE_URI": uri, "REDIS_URL": redis_url,
                      "SMS_PROVIDER": "simulator", **(settings or {})})
    with app.app_context():
        upgrade(directory=str(app.config["MIGRATIONS_DIR"]), revision="heads")
    Redis.from_url(redis_url).flushdb()
    return app


def _default_redis_url(app_url: str) -> str:
    base = app_url.rsplit("/", 1)[0] if app_url.rsplit("/", 1)[-1].isdigit() else app_url.rstrip("/")
    return f"{base}/{SCRATCH_REDIS_DB}"


@click.command("simulate", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("dayfile", type=click.Path(dir_okay=False))
@click.option("--generate", is_flag=True, help="First write a generated noisy day to DAYFILE (see --seed, --stops).")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--stops", type=int, default=120, show_default=True)
@click.option("--eta-noise", type=click.Choice(["planner", "scatter"]), default="planner", show_default=True,
              help="With --generate: ETAs that drift with the van (planner) or scatter around the truth (scatter).")
@click.option("--shop-settings", default="{}", show_default=True,
              help='Shop settings to try, as PATCH /api/v1/shop takes them: \'{"lead_minutes": 20}\'.')
@click.option("--database-url", default=None,
              help="A scratch PostgreSQL database (migrated, not emptied). Default: a fresh SQLite file in instance/.")
@click.option("--redis-url", default=None,
              help=f"A scratch Redis database, FLUSHED first. Default: db {SCRATCH_REDIS_DB} of the app's Redis.")
@click.option("--sweep-every", type=float, default=60.0, show_default=True, help="Virtual seconds between sweeps.")
@click.option("--quiet", is_flag=True, help="Print only the scorecard, not every recipient's texts.")
@click.option("--json", "as_json", is_flag=True, help="Print the scorecard as JSON.")
def simulate(dayfile, generate, seed, stops, eta_noise, shop_settings, database_url, redis_url, sweep_every, quiet,
             as_json):
    """Replay DAYFILE (JSON lines: at, path, body) through the web side, workers and sweeper; print the texts."""
    from datetime import timedelta

    from app.simulation.generator import generate_day
    from app.simulation.report import format_scorecard, format_texts

    base = exit_on_config_error(create_app)

    try:
        settings = json.loads(shop_settings)
    except json.JSONDecodeError:
        raise click.BadParameter("not JSON", param_hint="--shop-settings") from None
    redis_url = redis_url or _default_redis_url(base.config["REDIS_URL"])
    if redis_url == base.config["REDIS_URL"]:
        raise click.BadParameter("must not be the app's own Redis database (it is flushed)", param_hint="--redis-url")
    if generate:
        count = write_day(generate_day(seed, stops=stops, eta_noise=eta_noise).requests, dayfile)
        click.echo(f"wrote {count} requests to {dayfile}", err=True)
    try:
        requests = read_day(dayfile)
    except (OSError, ValueError) as error:
        raise click.BadParameter(str(error), param_hint="DAYFILE") from None
    if not requests:
        raise click.BadParameter("no requests in the file", param_hint="DAYFILE")
    logging.getLogger("rq").setLevel(logging.WARNING)  # a job a step would drown the texts
    app = scratch_app(database_url, redis_url, {"SENDER_RATE_PER_SECOND": 10_000}, base.instance_path)
    result = replay_day(app, requests, shop_settings=settings, sweep_every=timedelta(seconds=sweep_every))
    for at, path, status, answer in result.refused:
        click.echo(f"refused {at.isoformat()} {path}: {status} {json.dumps(answer)}", err=True)
    if as_json:
        click.echo(json.dumps(result.scorecard.as_dict(), indent=2))
        return
    if not quiet:
        click.echo(format_texts(result, settings.get("timezone", "Europe/Amsterdam")) + "\n")
    click.echo(format_scorecard(result.scorecard))


if __name__ == "__main__":
    simulate()
