"""Console search on a shop with a million parcels: the search page against bare index lookups.

    .venv/bin/python -m bench.console_search [--parcels 1000000] [--samples 200] [--keep]

Seeds --parcels shipments for one shop (and 5 % as many for another) directly in a scratch PostgreSQL
database migrated by Alembic (INSERT ... SELECT generate_series), logs a staff member in through the
real form, then times GET /console/search (Flask test client, in-process) by order reference, tracking
number, phone number written another way and name prefix, against (a) the bare SQL lookup of the same
row with psycopg and (b) GET /healthz through the same client. Prints JSON; drops the database unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import time
from datetime import UTC, datetime

import psycopg

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_CONSOLE_DB", "bijna_bench_console")
DATABASE_URL = PG_ADMIN.rsplit("/", 1)[0] + f"/{DB_NAME}"
FIRST = ["Anna", "Bram", "Chantal", "Daan", "Emma", "Fleur", "Gijs", "Hanna", "Iris", "Jan", "Kees", "Lotte",
         "Mees", "Noor", "Olaf", "Pien", "Quinten", "Roos", "Sem", "Tess", "Usha", "Vera", "Wouter", "Yara"]
LAST = ["de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot",
        "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits"]
NOW = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)

SEED = """
INSERT INTO shipments (id, shop_id, carrier_id, order_ref, tracking_number, recipient_phone, recipient_name,
  recipient_language, status, notify, tracking_token, sent_kinds, attempt, texts_paused, vip, created_at, updated_at)
SELECT lpad(to_hex(i), 32, '0'), CASE WHEN i > %(n)s THEN %(other)s ELSE %(shop)s END, %(carrier)s,
  'O' || i, 'T' || i, '+3161' || lpad(i::text, 7, '0'),
  (%(first)s::text[])[i %% 24 + 1] || ' ' || (%(last)s::text[])[(i / 24) %% 20 + 1],
  'nl', 'in_transit', true, 'tok' || i, '[]', 1, false, false,
  %(now)s::timestamptz - (i %% 500000) * interval '1 minute', %(now)s::timestamptz
FROM generate_series(1, %(total)s) AS i
"""


def _percentiles(seconds: list[float]) -> dict:
    ordered = sorted(seconds)

    def at(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "max_ms": round(ordered[-1] * 1000, 2), "n": len(ordered)}


def _timed(calls) -> list[float]:
    seconds = []
    for call in calls:
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return seconds


def _phone_written_otherwise(i: int) -> str:
    digits = str(i).zfill(7)
    return f"06-1{digits[0]} {digits[1:3]} {digits[3:5]} {digits[5:]}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import create_carrier, create_shop
    from app.console.accounts import create_staff_user

    app = create_app({"ENV": "test", "TESTING": True, "DATABASE_URL": DATABASE_URL, "CLOCK": lambda: NOW,
                      "SQLALCHEMY_DATABASE_URI": DATABASE_URL.replace("postgresql://", "postgresql+psycopg://")})
    result: dict = {"parcels": args.parcels, "samples": args.samples}
    with app.app_context():
        upgrade(directory=str(app.config["MIGRATIONS_DIR"]), revision="heads")
        shop_id, other_id = create_shop("Bench")[0].id, create_shop("Other")[0].id
        carrier_id = create_carrier("bench", "Bench", api_base_url="http://127.0.0.1:1", signing_secret="s")[0].id
        create_staff_user(shop_id, "bench@example.test", "bench password 123", "agent", NOW)
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        started = time.perf_counter()
        conn.execute(SEED, {"n": args.parcels, "total": args.parcels + args.parcels // 20, "first": FIRST,
                            "last": LAST, "now": NOW, "shop": shop_id, "other": other_id, "carrier": carrier_id})
        conn.execute("ANALYZE shipments")
        result["seed_seconds"] = round(time.perf_counter() - started, 1)
    rng = random.Random(7)
    picks = [rng.randint(1, args.parcels) for _ in range(args.samples)]
    queries = {
        "order_ref": [f"O{i}" for i in picks],
        "tracking_number": [f"t{i}" for i in picks],  # lower case: the search also tries it upper-cased
        "phone_other_format": [_phone_written_otherwise(i) for i in picks],
        "name_prefix": [rng.choice(FIRST)[: rng.randint(2, 5)] for _ in picks],
    }
    client = app.test_client()
    timings: dict = {}
    with app.app_context():
        page = client.get("/console/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        login = client.post("/console/login", data={"email": "bench@example.test", "password": "bench password 123",
                                                    "csrf_token": token})
        assert login.status_code == 302, login.status_code
        for query in queries["order_ref"][:5]:  # warm the caches
            client.get("/console/search", query_string={"q": query})
        for name, values in queries.items():
            statuses: set[int] = set()

            def search(q: str, statuses: set[int] = statuses) -> None:
                statuses.add(client.get("/console/search", query_string={"q": q}).status_code)

            timings[f"console_search_{name}"] = _percentiles(_timed([lambda q=q: search(q) for q in values]))
            # 302: one match, straight to the parcel; 200: a list (name prefixes)
            timings[f"console_search_{name}"]["statuses"] = sorted(statuses)
        timings["baseline_healthz_http"] = _percentiles(_timed([lambda: client.get("/healthz")] * args.samples))
    with psycopg.connect(DATABASE_URL) as conn:
        timings["baseline_bare_sql_order_ref"] = _percentiles(_timed([
            lambda i=i: conn.execute("SELECT * FROM shipments WHERE shop_id = %s AND order_ref = %s",
                                     (shop_id, f"O{i}")).fetchall() for i in picks]))
        plan = conn.execute("EXPLAIN SELECT * FROM shipments WHERE shop_id = %s AND lower(recipient_name) "
                            "LIKE 'ann%%' LIMIT 50", (shop_id,)).fetchall()
        result["name_prefix_plan"] = [row[0] for row in plan]
    result["timings"] = timings
    print(json.dumps(result, indent=2))
    if not args.keep:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
