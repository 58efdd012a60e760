"""`flask simulate DAYFILE`: replay a day of carrier requests into a scratch database under a virtual clock."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click
from flask import Flask, current_app

from app.simulation.day import read_day, write_day

SCRATCH_SQLITE = "simulate.sqlite3"  # under instance/, replaced at every run
SCRATCH_REDIS_DB = 13


def scratch_app(database_url: str | None, redis_url: str, settings: dict | None = None) -> Flask:
    """Build an app on a scratch database (migrated to the newest schema) and a flushed scratch Redis db."""
    from flask_migrate import upgrade
    from redis import Redis

    from app import create_app

    if database_url is None:
        path = Path(current_app.instance_path, SCRATCH_SQLITE)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        database_url = f"sqlite:///{path}"
    uri = database_url.replace("postgres://", "postgresql://", 1).replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app({"DATABASE_URL": database_url, "SQLALCHEMY_DATABASE_URI": uri, "REDIS_URL": redis_url,
                      "SMS_PROVIDER": "simulator", **(settings or {})})
    with app.app_context():
        upgrade(directory=str(app.config["MIGRATIONS_DIR"]))
    Redis.from_url(redis_url).flushdb()
    return app


def _default_redis_url(app_url: str) -> str:
    base = app_url.rsplit("/", 1)[0] if app_url.rsplit("/", 1)[-1].isdigit() else app_url.rstrip("/")
    return f"{base}/{SCRATCH_REDIS_DB}"


@click.command("simulate")
@click.argument("dayfile", type=click.Path(dir_okay=False))
@click.option("--generate", is_flag=True, help="First write a generated noisy day to DAYFILE (see --seed, --stops).")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--stops", type=int, default=120, show_default=True)
@click.option("--shop-settings", default="{}", show_default=True,
              help='Shop settings to try, as PATCH /api/v1/shop takes them: \'{"lead_minutes": 20}\'.')
@click.option("--database-url", default=None,
              help="A scratch PostgreSQL database (migrated, not emptied). Default: a fresh SQLite file in instance/.")
@click.option("--redis-url", default=None,
              help=f"A scratch Redis database, FLUSHED first. Default: db {SCRATCH_REDIS_DB} of the app's Redis.")
@click.option("--sweep-every", type=float, default=60.0, show_default=True, help="Virtual seconds between sweeps.")
@click.option("--quiet", is_flag=True, help="Print only the scorecard, not every recipient's texts.")
@click.option("--json", "as_json", is_flag=True, help="Print the scorecard as JSON.")
def simulate(dayfile, generate, seed, stops, shop_settings, database_url, redis_url, sweep_every, quiet, as_json):
    """Replay DAYFILE (JSON lines: at, path, body) through the web side, workers and sweeper; print the texts."""
    from datetime import timedelta

    from app.simulation.generator import generate_day
    from app.simulation.replay import replay
    from app.simulation.report import format_scorecard, format_texts

    try:
        settings = json.loads(shop_settings)
    except json.JSONDecodeError:
        raise click.BadParameter("not JSON", param_hint="--shop-settings") from None
    redis_url = redis_url or _default_redis_url(current_app.config["REDIS_URL"])
    if redis_url == current_app.config["REDIS_URL"]:
        raise click.BadParameter("must not be the app's own Redis database (it is flushed)", param_hint="--redis-url")
    if generate:
        count = write_day(generate_day(seed, stops=stops).requests, dayfile)
        click.echo(f"wrote {count} requests to {dayfile}", err=True)
    try:
        requests = read_day(dayfile)
    except (OSError, ValueError) as error:
        raise click.BadParameter(str(error), param_hint="DAYFILE") from None
    if not requests:
        raise click.BadParameter("no requests in the file", param_hint="DAYFILE")
    logging.getLogger("rq").setLevel(logging.WARNING)  # a job a step would drown the texts
    app = scratch_app(database_url, redis_url, {"SENDER_RATE_PER_SECOND": 10_000})
    result = replay(app, requests, shop_settings=settings, sweep_every=timedelta(seconds=sweep_every))
    for at, path, status, answer in result.refused:
        click.echo(f"refused {at.isoformat()} {path}: {status} {json.dumps(answer)}", err=True)
    if as_json:
        click.echo(json.dumps(result.scorecard.as_dict(), indent=2))
        return
    if not quiet:
        click.echo(format_texts(result, settings.get("timezone", "Europe/Amsterdam")) + "\n")
    click.echo(format_scorecard(result.scorecard))


def init_app(app: Flask) -> None:
    """Register `flask simulate`."""
    app.cli.add_command(simulate)
