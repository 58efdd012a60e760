"""Migrations from empty on both databases, and the operator CLI."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from app import create_app
from app.extensions import db as _db
from bijna_testing import DATABASE_URL, app_config, recreate_database

TABLES = {"shops", "carriers", "shipments", "messages", "status_events", "conversations", "opt_outs",
          "feedback", "rebooking_commands", "shop_webhooks", "shop_templates"}


def _migrate_from_empty(uri: str) -> set[str]:
    app = create_app(app_config(SQLALCHEMY_DATABASE_URI=uri))
    with app.app_context():
        directory = str(app.config["MIGRATIONS_DIR"])
        upgrade(directory=directory, revision="heads")
        engine = _db.engine
        with engine.connect() as conn:
            drift = compare_metadata(MigrationContext.configure(conn), _db.metadata)
        tables = set(inspect(engine).get_table_names())
        downgrade(directory=directory, revision="base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(directory=directory, revision="heads")
        engine.dispose()
    assert drift == [], f"models and migrations disagree: {drift}"
    return tables


def test_branches_grown_in_parallel_are_joined_into_one_head(app):
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    with app.app_context():
        config = Migrate(app, _db, directory=str(app.config["MIGRATIONS_DIR"])).get_config()
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_migrations_apply_from_empty_on_sqlite(tmp_path):
    assert TABLES <= _migrate_from_empty(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")


def test_migrations_apply_from_empty_on_postgresql():
    name = DATABASE_URL.rsplit("/", 1)[1] + "_fresh"
    recreate_database(name)
    uri = DATABASE_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    assert TABLES <= _migrate_from_empty(uri)
    create_engine(uri).dispose()


def test_shops_create_prints_a_working_key_once(runner, client):
    result = runner.invoke(args=["shops", "create", "--name", "Fietsenwinkel", "--sender", "Fietsen"])
    assert result.exit_code == 0, result.output
    key = result.output.split("API key (shown once): ")[1].strip()
    shop = client.get("/api/v1/shop", headers={"Authorization": f"Bearer {key}"}).get_json()
    assert shop["name"] == "Fietsenwinkel" and shop["two_way"] is False


def test_carriers_create_prints_a_token_stored_only_hashed(runner, db):
    from app.models import Carrier

    result = runner.invoke(args=["carriers", "create", "--code", "postnl", "--name", "PostNL"])
    token = result.output.split("carrier token (shown once): ")[1].strip()
    carrier = db.session.execute(db.select(Carrier)).scalar_one()
    assert token not in carrier.token_hash and len(carrier.token_hash) == 64


@pytest.mark.parametrize("runs", [1, 2])
def test_demo_seed_is_repeatable_and_the_last_key_works(runner, client, runs):
    for _ in range(runs):
        result = runner.invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
    key = result.output.split("demo shop API key:")[1].split()[0]
    assert client.get("/api/v1/shop", headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_a_carrier_created_with_its_own_codes_has_them_understood(runner, client, db, make_shipment, shop):
    result = runner.invoke(args=["carriers", "create", "--code", "postnl", "--name", "PostNL",
                                 "--status-map", '{"Z9": "delivered"}'])
    token = result.output.split("carrier token (shown once): ")[1].strip()
    make_shipment(carrier="postnl")
    answer = client.post("/api/v1/carrier/events", headers={"Authorization": f"Bearer {token}"}, json={
        "events": [{"tracking_number": "3SBIJ0001", "code": "Z9", "occurred_at": "2026-11-24T10:00:00+01:00"}]})
    assert answer.get_json()["applied"] == 1 and answer.get_json()["unmapped_codes"] == []
    bad = runner.invoke(args=["carriers", "create", "--code", "x", "--name", "X", "--status-map", '{"A": "lost"}'])
    assert bad.exit_code != 0 and "lost" in bad.output
