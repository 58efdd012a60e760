"""The console's KPI dashboard: behind the staff login, SVG charts, drill-down to parcel stories, one shop only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from conftest import MONDAY

from app.kpis.charts import comparison, trend
from app.kpis.store import refresh_carrier_kpis
from bijna_testing import YEAR, test_now

PASSWORD = "correct horse battery"
WEEK = {"from": f"{YEAR}-03-23", "to": f"{YEAR}-03-30"}


def log_in(client, shop_id: str, email: str) -> None:
    from app.console.accounts import create_staff_user

    create_staff_user(shop_id, email, PASSWORD, "agent", test_now())
    page = client.get("/console/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    response = client.post("/console/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


@pytest.fixture
def agent_client(client, shop, clock, week_of_parcels):
    refresh_carrier_kpis(MONDAY + timedelta(days=2))
    clock.now = MONDAY + timedelta(days=3)
    log_in(client, shop.id, "agent@bloemenshop.test")
    return client


def test_the_dashboard_needs_a_staff_login(client, db):
    response = client.get("/console/kpis")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_the_dashboard_shows_each_kpi_against_its_target_with_charts(agent_client):
    response = agent_client.get("/console/kpis", query_string=WEEK)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count("<svg") == 12  # six trends, six comparisons
    assert "Exceptions per 1,000 parcels" in html and 'class="v-missed"' in html
    assert "style=" not in html  # the console's CSP allows no inline styles
    assert f"/console/kpis/parcels?drill=late&amp;carrier=simcarrier&amp;from={YEAR}-03-23" in html


def test_a_figure_links_to_the_parcels_behind_it_and_on_to_their_story(agent_client, week_of_parcels):
    html = agent_client.get("/console/kpis/parcels", query_string={**WEEK, "drill": "late"}).get_data(as_text=True)
    assert f"/console/parcels/{week_of_parcels['B']}" in html
    assert week_of_parcels["A"] not in html


def test_the_weekly_summary_is_markdown_for_the_console_too(agent_client):
    response = agent_client.get("/console/kpis/weekly-summary", query_string={"carrier": "simcarrier",
                                                                             "week": f"{YEAR}-W13"})
    assert response.mimetype == "text/markdown" and "4 parcels registered" in response.get_data(as_text=True)


def test_another_shops_agent_sees_no_figures(client, db, clock, week_of_parcels):
    from app.cli import create_shop

    rival, _ = create_shop("Boekhandel", sender="+3197010203041")
    refresh_carrier_kpis(MONDAY + timedelta(days=2))
    log_in(client, rival.id, "agent@boekhandel.test")
    html = client.get("/console/kpis", query_string=WEEK).get_data(as_text=True)
    assert "No parcels in this period." in html and "<svg" not in html
    assert "3SB" not in client.get("/console/kpis/parcels", query_string={**WEEK, "drill": "all"}).get_data(
        as_text=True)


def test_a_trend_draws_one_line_per_carrier_and_skips_gaps():
    svg = trend("On time", "share", ["W1", "W2", "W3"], {"a": [0.9, None, 0.95], "b": [None, None, 0.8]}, 0.95)
    assert svg.count("<polyline") == 1 and svg.count("<circle") == 3 and 'class="target"' in svg


def test_a_comparison_says_no_data_instead_of_a_zero_bar():
    svg = comparison("Exceptions", "per_1000", {"a": 3.0, "b": None}, 5.0)
    assert svg.count('class="bar"') == 1 and "no data" in svg
