"""Carrier KPIs through the shop API: JSON, CSV, the parcels behind a figure, the weekly summary, the hourly sweep."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from conftest import MONDAY

from app.kpis.store import refresh_carrier_kpis
from bijna_testing import YEAR

WEEK = {"from": f"{YEAR}-03-23", "to": f"{YEAR}-03-30"}


def test_the_sweep_computes_the_weeks_kpis_and_the_api_shows_them(client, db, clock, shop_headers,
                                                                    week_of_parcels):
    assert refresh_carrier_kpis(MONDAY + timedelta(days=2)) == 4
    response = client.get("/api/v1/shop/kpis", query_string={**WEEK, "period": "week"}, headers=shop_headers)
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    [week] = report["groups"]
    numbers = week["figures"]
    assert (week["carrier"], week["period"], week["region"]) == ("simcarrier", f"{YEAR}-W13", "all")
    assert (numbers["parcels"], numbers["open"], numbers["no_scan"], numbers["delivered"]) == (4, 2, 1, 2)
    # first scans: 60, 180 - 1 and 30 - 2 minutes after registration (registered a minute apart)
    assert numbers["first_scan_median_h"] == 1.0 and numbers["first_scan_in_target"] == 2 / 3
    assert numbers["on_time_rate"] == 0.5 and numbers["scan_compliance"] == 1.0
    assert numbers["exceptions_per_1000"] == 250.0
    assert {k["key"]: k["target"] for k in report["kpis"]}["exceptions_per_1000"] == 5.0


def test_by_region_splits_the_week_by_city(client, db, clock, shop_headers, week_of_parcels):
    refresh_carrier_kpis(MONDAY + timedelta(days=2))
    groups = client.get("/api/v1/shop/kpis", query_string={**WEEK, "by": "region", "period": "day"},
                        headers=shop_headers).get_json()["groups"]
    assert {(g["region"], g["period"], g["figures"]["parcels"]) for g in groups} == {
        ("Den Haag", f"{YEAR}-03-23", 1), ("Utrecht", f"{YEAR}-03-23", 3)}


def test_the_csv_has_the_same_figures(client, db, clock, shop_headers, week_of_parcels):
    refresh_carrier_kpis(MONDAY + timedelta(days=2))
    response = client.get("/api/v1/shop/kpis.csv", query_string={**WEEK, "by": "region"}, headers=shop_headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    utrecht = next(row for row in rows if row["region"] == "Utrecht")
    assert (utrecht["carrier"], utrecht["parcels"], utrecht["on_time_rate"]) == ("simcarrier", "3", "0.5")


def test_a_figure_drills_down_to_its_parcels(client, db, clock, shop_headers, week_of_parcels):
    refresh_carrier_kpis(MONDAY + timedelta(days=2))
    late = client.get("/api/v1/shop/kpis/parcels", query_string={**WEEK, "drill": "late"},
                      headers=shop_headers).get_json()["parcels"]
    assert [p["id"] for p in late] == [week_of_parcels["B"]]
    unscanned = client.get("/api/v1/shop/kpis/parcels", query_string={**WEEK, "drill": "no_scan"},
                           headers=shop_headers).get_json()["parcels"]
    assert [p["order_ref"] for p in unscanned] == ["D"]


def test_the_weekly_summary_reads_as_markdown_or_json(client, db, clock, shop_headers, week_of_parcels):
    refresh_carrier_kpis(MONDAY + timedelta(days=2))
    query = {"carrier": "simcarrier", "week": f"{YEAR}-W13"}
    text = client.get("/api/v1/shop/kpis/weekly-summary", query_string=query, headers=shop_headers)
    assert text.mimetype == "text/markdown"
    body = text.get_data(as_text=True)
    assert f"week {YEAR}-W13" in body and "| Exceptions per 1,000 parcels | 250.0 per 1,000 | < 5.0 per 1,000 |" \
        " **missed** |" in body
    as_json = client.get("/api/v1/shop/kpis/weekly-summary", query_string={**query, "format": "json"},
                         headers=shop_headers).get_json()
    assert as_json["figures"]["parcels"] == 4 and as_json["worst_regions"] == []  # fewer than 20 parcels each


def test_the_sweep_recomputes_only_when_due_and_picks_up_late_events(client, db, clock, shop_headers,
                                                                     carrier_headers, week_of_parcels):
    first = MONDAY + timedelta(days=2)
    refresh_carrier_kpis(first)
    assert refresh_carrier_kpis(first + timedelta(minutes=30)) == 0  # not due yet
    clock.now = first + timedelta(minutes=40)
    client.post("/api/v1/carrier/events", json={"events": [
        {"tracking_number": "3SD", "code": "HUB_SCAN", "occurred_at": (MONDAY + timedelta(days=2)).isoformat()}]},
        headers=carrier_headers)
    assert refresh_carrier_kpis(first + timedelta(hours=1)) == 4  # Monday's cohort changed: recomputed whole
    numbers = client.get("/api/v1/shop/kpis", query_string=WEEK, headers=shop_headers).get_json()["groups"][0][
        "figures"]
    assert numbers["no_scan"] == 0


def test_bad_filters_get_the_json_error_contract(client, db, shop_headers):
    for query in ({"from": "2026-03-30", "to": "2026-03-23"}, {"from": "2026-03-23"},
                  {**WEEK, "period": "fortnight"}):
        response = client.get("/api/v1/shop/kpis", query_string=query, headers=shop_headers)
        assert response.status_code == 422 and response.get_json()["error"]["code"] == "validation_failed"
    unknown = client.get("/api/v1/shop/kpis", query_string={**WEEK, "carrier": "nobody"}, headers=shop_headers)
    assert unknown.status_code == 404
    assert client.get("/api/v1/shop/kpis", query_string=WEEK).status_code == 401


def test_another_shop_sees_none_of_it(client, db, clock, week_of_parcels):
    from app.cli import create_shop

    _, key = create_shop("Boekhandel", sender="+3197010203041")
    refresh_carrier_kpis(MONDAY + timedelta(days=2))
    report = client.get("/api/v1/shop/kpis", query_string=WEEK, headers={"Authorization": f"Bearer {key}"})
    assert report.get_json()["groups"] == [] and report.get_json()["carriers"] == []
