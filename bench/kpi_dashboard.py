"""Carrier KPIs at a large shop's scale: a year of parcels in PostgreSQL, the hourly refresh, the dashboard, the CSV.

    .venv/bin/python -m bench.kpi_dashboard [--parcels 1000000] [--keep]

Generates --parcels shipments over 12 months for four carriers directly in a scratch database
(INSERT ... SELECT generate_series: events, texts, replies, ETA observations, rebookings, feedback),
builds the KPI tables as the first sweep does, then times: the dashboard's data for one carrier
and one quarter (kpi_report by week and by region), the console page itself, the whole-year CSV
(by day and region), and an hourly refresh after one day's parcels changed. Prints JSON; the
scratch database is dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import UTC, date, datetime, timedelta

import psycopg

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_KPI_DB", "bijna_bench_kpi")
DATABASE_URL = PG_ADMIN.rsplit("/", 1)[0] + f"/{DB_NAME}"
START = datetime(2026, 1, 1, 7, 0, tzinfo=UTC)
CARRIERS = ("postnl", "dhl", "dpd", "gls")
CITIES = ("Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen", "Tilburg", "Almere", "Breda",
          "Nijmegen", "Apeldoorn", "Haarlem", "Arnhem", "Enschede", "Amersfoort", "Zaanstad", "Den Bosch", "Zwolle",
          "Leiden", "Maastricht", "Dordrecht", "Zoetermeer", "Ede", "Leeuwarden", "Delft", "Alkmaar", "Venlo",
          "Deventer", "Hilversum", "Heerlen")

# One parcel i: carrier i % 4, city (i * 7) % 30, registered at START + i * (365 days / n). Per carrier a
# different hub-scan delay; ~1 % exceptions, ~5 % failed first attempts, ~2 % returns, 1 % never scanned.
GENERATE = """
INSERT INTO shipments (id, shop_id, carrier_id, order_ref, tracking_number, recipient_phone, recipient_language,
  recipient_city, window_start, window_end, status, status_at, notify, tracking_token, sent_kinds, attempt,
  announced_start, announced_end, created_at, updated_at)
SELECT lpad(to_hex(i), 32, '0'), 'benchshop', 'carrier' || (i %% 4), 'O' || i, 'T' || i,
  '+3161' || lpad((i %% 9999999)::text, 7, '0'),
  'nl', (%(cities)s::text[])[(i * 7) %% 30 + 1], reg + interval '24 hours', reg + interval '29 hours',
  CASE WHEN i %% 100 = 7 THEN 'registered' WHEN i %% 50 = 3 THEN 'returned' ELSE 'delivered' END,
  reg + interval '26 hours', true, 'tok' || i, '[]', 1,
  reg + interval '25 hours 30 minutes', reg + interval '26 hours 30 minutes', reg, reg + interval '27 hours'
FROM (SELECT i, %(start)s::timestamptz + (i * %(span)s::float / %(n)s) * interval '1 second' AS reg
      FROM generate_series(1, %(n)s) AS i) AS parcels;
"""
EVENTS = """
INSERT INTO status_events (shipment_id, raw_code, status, occurred_at, received_at)
SELECT s.id, e.code, e.status, s.created_at + e.after, s.created_at + e.after
FROM shipments s, LATERAL (VALUES
  ('HUB_SCAN', 'sorted', interval '1 minute' * (40 + (('x' || right(s.id, 4))::bit(16)::int %% 60)
                                                + 40 * (s.carrier_id = 'carrier3')::int)),
  ('OUT_FOR_DELIVERY', 'out_for_delivery', interval '24 hours'),
  ('NOT_HOME', 'failed_attempt', interval '26 hours'),
  ('OUT_FOR_DELIVERY', 'out_for_delivery', interval '48 hours'),
  ('DAMAGED', 'exception', interval '12 hours'),
  ('RETURNED', 'returned', interval '96 hours'),
  ('DELIVERED', 'delivered', interval '1 minute' * (1560 + (('x' || right(s.id, 3))::bit(12)::int %% 240)
                                                    - 60 * (s.carrier_id = 'carrier1')::int))
) AS e(code, status, after)
WHERE s.status <> 'registered' AND (
  e.code IN ('HUB_SCAN')
  OR (s.status = 'delivered' AND e.code IN ('OUT_FOR_DELIVERY', 'DELIVERED') AND e.after <> interval '48 hours')
  OR (s.status = 'delivered' AND right(s.id, 2) IN ('0a', '1b', '2c') AND e.code IN ('NOT_HOME', 'OUT_FOR_DELIVERY'))
  OR (s.status = 'returned' AND e.code = 'RETURNED') OR (right(s.id, 2) IN ('ff', '3d', '5e') AND e.code = 'DAMAGED'));
"""
TEXTS = """
INSERT INTO messages (id, direction, shop_id, shipment_id, kind, to_number, body, segments, status, attempts,
  created_at, sent_at, updated_at, understood_as, confidence)
SELECT md5(s.id || m.kind), m.direction, 'benchshop', s.id, m.kind, s.recipient_phone, 'x', m.segments, m.status, 1,
  s.created_at + m.after, CASE WHEN m.direction = 'out' THEN s.created_at + m.after END, s.created_at + m.after,
  CASE WHEN m.direction = 'in' THEN (CASE WHEN right(s.id, 1) = 'a' THEN 'needs_person' ELSE 'neighbour' END) END,
  CASE WHEN m.direction = 'in' THEN 0.9 END
FROM shipments s, LATERAL (VALUES ('out', 'out_for_delivery', 1, 'delivered', interval '24 hours'),
  ('out', 'arriving_soon', 2, 'delivered', interval '25 hours 45 minutes'),
  ('in', 'reply', 1, 'received', interval '25 hours 50 minutes')) AS m(direction, kind, segments, status, after)
WHERE s.status = 'delivered' AND (m.direction = 'out' OR right(s.id, 1) IN ('a', '4'));
"""
ETAS = """
INSERT INTO eta_observations (carrier_id, shipment_id, attempt, lead_bin, lead_minutes, eta, observed_at, arrived_at)
SELECT s.carrier_id, s.id, 1, o.bin, o.lead, d.occurred_at + o.err * interval '1 minute',
  d.occurred_at + o.err * interval '1 minute' - o.lead * interval '1 minute', d.occurred_at
FROM shipments s JOIN status_events d ON d.shipment_id = s.id AND d.status = 'delivered',
LATERAL (VALUES (6, 120.0, ((('x' || right(s.id, 2))::bit(8)::int %% 41) - 20)::float),
                (2, 15.0, ((('x' || right(s.id, 2))::bit(8)::int %% 9) - 4)::float)) AS o(bin, lead, err);
"""
EXTRAS = """
INSERT INTO rebooking_commands (id, shipment_id, action, params, source, status, attempts, created_at, updated_at,
  next_attempt_at)
SELECT md5('r' || s.id), s.id, 'neighbour', '{}', 'sms',
  CASE WHEN right(s.id, 2) = '4a' THEN 'refused' ELSE 'accepted' END, 1,
  s.created_at + interval '25 hours 51 minutes', s.created_at + interval '25 hours 51 minutes 2 seconds', s.created_at
FROM shipments s WHERE s.status = 'delivered' AND right(s.id, 1) = '4';
INSERT INTO feedback (shipment_id, rating, source, created_at, updated_at)
SELECT s.id, 3 + (('x' || right(s.id, 1))::bit(4)::int %% 3), 'sms', s.created_at + interval '30 hours',
  s.created_at + interval '30 hours'
FROM shipments s WHERE s.status = 'delivered' AND right(s.id, 1) IN ('1', '5', '9');
"""


def timed(label: str, results: dict, action):
    started = time.perf_counter()
    value = action()
    results[label] = round(time.perf_counter() - started, 3)
    print(f"{label}: {results[label]} s", flush=True)
    return value


def generate(n: int, results: dict) -> None:
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute("INSERT INTO shops (id, name, api_key_hash, country, language, timezone, branding, extras, "
                     "lead_minutes, quiet_start, quiet_end, daily_cap, status_texts, active) VALUES ('benchshop', "
                     "'Bench', 'h', 'NL', 'nl', 'Europe/Amsterdam', '{}', '{}', 15, '21:00', '08:00', 6, '[]', true)")
        for index, code in enumerate(CARRIERS):
            conn.execute("INSERT INTO carriers (id, code, name, token_hash, status_map) VALUES (%s, %s, %s, %s, '{}')",
                         (f"carrier{index}", code, code.upper(), f"t{index}"))
        params = {"cities": list(CITIES), "start": START, "span": 365 * 86400, "n": n}
        for label, sql in (("shipments", GENERATE), ("status_events", EVENTS), ("messages", TEXTS),
                           ("eta_observations", ETAS), ("rebookings_feedback", EXTRAS)):
            timed(f"generate_{label}_s", results, lambda sql=sql: conn.execute(sql, params))
        conn.execute("ANALYZE")
        for table in ("shipments", "status_events", "messages", "eta_observations"):
            results[f"rows_{table}"] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    os.environ["DATABASE_URL"] = DATABASE_URL
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    now = START + timedelta(days=367)
    app = create_app({"ENV": "test", "TESTING": True, "DATABASE_URL": DATABASE_URL, "CLOCK": lambda: now,
                      "SQLALCHEMY_DATABASE_URI": DATABASE_URL.replace("postgresql://", "postgresql+psycopg://")})
    results: dict = {"parcels": args.parcels}
    try:
        with app.app_context():
            upgrade(directory=str(app.config["MIGRATIONS_DIR"]), revision="heads")
            generate(args.parcels, results)
            measure(app, db, now, results)
    finally:
        if not args.keep:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    print(json.dumps(results, indent=2))


def measure(app, db, now: datetime, results: dict) -> None:
    from app.kpis import service
    from app.kpis.store import refresh_changed
    from app.models import Shop

    results["first_build_parcels"] = timed("first_build_s", results, lambda: refresh_changed(now))
    shop = db.session.get(Shop, "benchshop")
    quarter = (date(2026, 4, 1), date(2026, 7, 1))
    for label, kwargs in (("quarter_one_carrier_by_week_s", {}), ("quarter_one_carrier_by_region_s", {"by": "region"})):
        for attempt in range(3):  # the first read warms the cache; report the last
            timed(label, results, lambda kwargs=kwargs: service.kpi_report(shop, *quarter, "week", carrier="dpd",
                                                                          **kwargs))
    results["quarter_page_s"] = measure_page(app, shop, now, quarter)
    csv_text = timed("year_csv_by_day_and_region_s", results,
                     lambda: service.kpi_csv(shop, date(2026, 1, 1), date(2027, 1, 1), "day", by="region"))
    results["year_csv_lines"] = csv_text.count("\n")
    timed("year_csv_by_week_s", results, lambda: service.kpi_csv(shop, date(2026, 1, 1), date(2027, 1, 1), "week"))
    with db.engine.begin() as conn:  # an hour of news: one day's parcels change
        conn.exec_driver_sql("UPDATE shipments SET updated_at = %s WHERE created_at >= '2026-06-10' AND "
                             "created_at < '2026-06-11'", (now + timedelta(minutes=30),))
    results["hourly_refresh_parcels"] = timed("hourly_refresh_s", results,
                                              lambda: refresh_changed(now + timedelta(hours=1)))
    with db.engine.connect() as conn:
        results["kpi_days_rows"] = conn.exec_driver_sql("SELECT count(*) FROM kpi_days").scalar()


def measure_page(app, shop, now: datetime, quarter: tuple[date, date]) -> float:
    """Time GET /console/kpis for one carrier and one quarter, logged in as an agent (best of three)."""
    import re

    from app.console.accounts import create_staff_user

    create_staff_user(shop.id, "bench@bench.test", "bench password 123", "agent", now)
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/console/login").get_data(as_text=True))
    client.post("/console/login", data={"email": "bench@bench.test", "password": "bench password 123",
                                        "csrf_token": token[1]})
    best = None
    for _ in range(3):
        started = time.perf_counter()
        response = client.get("/console/kpis", query_string={"carrier": "dpd", "from": quarter[0].isoformat(),
                                                             "to": quarter[1].isoformat()})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200 and b"<svg" in response.data, response.status_code
        best = elapsed if best is None else min(best, elapsed)
    print(f"quarter_page_s: {best:.3f} s", flush=True)
    return round(best, 3)


if __name__ == "__main__":
    main()
