"""Extensions created unbound and bound in the app factory; nothing connects at import."""

from __future__ import annotations

from flask import Flask, current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from redis import Redis
from sqlalchemy import MetaData

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
naming = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
db = SQLAlchemy(metadata=MetaData(naming_convention=naming))
migrate = Migrate(render_as_batch=True)


def init_app(app: Flask) -> None:
    """Bind the database, migrations and one Redis connection pool to the app."""
    engine = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    # A pooled connection that died with a PostgreSQL restart is noticed before use, not by a request.
    engine.setdefault("pool_pre_ping", True)
    # SQL errors must not carry bound parameters (phone numbers, message bodies) into the logs.
    engine.setdefault("hide_parameters", True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.config["MIGRATIONS_DIR"]))
    app.extensions["redis"] = Redis.from_url(app.config["REDIS_URL"], socket_timeout=5, socket_connect_timeout=2)


def redis_connection() -> Redis:
    """Return the app's Redis connection (pooled, shared by web, jobs and CLI)."""
    return current_app.extensions["redis"]
