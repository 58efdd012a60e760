"""The carrier KPI dashboard in a real browser: an agent logs in, the charts render, a figure drills down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.cli import create_carrier
from app.console.accounts import create_staff_user
from app.kpis.store import refresh_carrier_kpis
from bijna_testing import YEAR, shipment_body, test_now

PASSWORD = "correct horse battery"
MONDAY = datetime(YEAR, 3, 23, 8, 0, tzinfo=UTC)


def _seed(client, clock, shop_headers, carriers: dict[str, dict]) -> None:
    """Two carriers, a week each day for three weeks: one keeps its windows, one is late every third parcel."""
    for day in range(21):
        for code, headers in carriers.items():
            for n in range(3):
                at = MONDAY + timedelta(days=day, minutes=n)
                clock.now = at
                ref = f"{code}-{day}-{n}"
                body = shipment_body(order_ref=ref, tracking_number=f"3S{ref}", carrier=code,
                                     recipient={"phone": "06 12345678", "name": "Anna",
                                                "city": ["Utrecht", "Delft"][n % 2]},
                                     window={"start": (at + timedelta(hours=24)).isoformat(),
                                             "end": (at + timedelta(hours=29)).isoformat()})
                assert client.post("/api/v1/shipments", json=body, headers=shop_headers).status_code == 201
                late = code == "slowpost" and n == 0
                events = [("HUB_SCAN", at + timedelta(hours=1 if code == "simcarrier" else 3)),
                          ("OUT_FOR_DELIVERY", at + timedelta(hours=24)),
                          ("DELIVERED", at + timedelta(hours=31 if late else 26))]
                clock.now = at + timedelta(hours=32)
                response = client.post("/api/v1/carrier/events", headers=headers, json={"events": [
                    {"tracking_number": f"3S{ref}", "code": c, "occurred_at": t.isoformat()} for c, t in events]})
                assert response.status_code == 200


def test_an_agent_sees_the_kpi_charts_and_drills_down_to_late_parcels(
        live_bijna, phone_page, screenshot, client, db, clock, shop, shop_headers, carrier_headers):
    _, slow_token = create_carrier("slowpost", "Slow Post", api_base_url="http://127.0.0.1:1",
                                   signing_secret="slow-secret")
    _seed(client, clock, shop_headers, {"simcarrier": carrier_headers,
                                        "slowpost": {"Authorization": f"Bearer {slow_token}"}})
    refresh_carrier_kpis(MONDAY + timedelta(days=22))
    clock.now = MONDAY + timedelta(days=22)
    create_staff_user(shop.id, "agent@bloemenshop.test", PASSWORD, "agent", test_now())

    page = phone_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_bijna}/console/kpis?from={YEAR}-03-23&to={YEAR}-04-13")
    page.get_by_label("Email").fill("agent@bloemenshop.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/console/kpis**")
    page.goto(f"{live_bijna}/console/kpis?from={YEAR}-03-23&to={YEAR}-04-13")  # the login keeps the path only
    assert page.get_by_role("heading", name="Carrier KPIs").is_visible()
    assert page.locator("svg.chart.trend").count() == 6 and page.locator("svg.chart.bars").count() == 6
    assert page.locator("svg.chart.trend polyline.series").count() >= 2  # a line per carrier
    box = page.locator("svg.chart.trend").first.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 60  # drawn, not collapsed
    screenshot(page, "kpi-dashboard", docs="console-kpis")

    page.locator("table.kpis a[href*='drill=late&'][href*='carrier=slowpost']").first.click()
    page.wait_for_url("**/console/kpis/parcels**")
    assert page.locator("li.parcel").count() == 21  # one late parcel a day for three weeks
    assert page.problems == []
