"""In chromium at a small phone's width (375 px): the API docs fit, the neighbour choice has one button.

A page that scrolls sideways on a phone, or an icon that 404s on every visit, fails here:
`phone_page` records every failed request, script error and CSP violation.
"""

from __future__ import annotations

from datetime import time, timedelta

import requests
from browser_testing import AMSTERDAM, late_morning_today
from playwright.sync_api import expect

SMALL_PHONE = {"width": 375, "height": 740}  # iPhone SE / mini: the narrowest screen we design for
WIDER_THAN_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter((element) => element.getBoundingClientRect().right > width + 0.5)
    .map((element) => element.tagName + ': ' + element.textContent.trim().slice(0, 60));
}"""


def _fits_the_screen(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths == [SMALL_PHONE["width"]] * 2, widths
    assert page.evaluate(WIDER_THAN_SCREEN) == []


def test_the_api_docs_fit_a_small_phone_and_the_icon_loads(live_bijna, phone_page, screenshot):
    page = phone_page
    page.set_viewport_size(SMALL_PHONE)
    page.goto(f"{live_bijna}/api/v1/docs")
    expect(page.get_by_role("heading", name="Bijna API v1")).to_be_visible()
    expect(page.locator("h2", has_text="/api/v1/shop/templates/{kind}/{language}").first).to_be_visible()
    _fits_the_screen(page)
    screenshot(page, "06-api-docs-phone", docs="api-docs-phone", full_page=False)  # the long page: its first screen
    icon = page.request.get(f"{live_bijna}/favicon.ico")
    assert icon.status == 200 and icon.body()[:4] == b"\x00\x00\x01\x00"
    assert page.problems == [], "no failed request (the icon included) or script error on the docs page"


def test_opening_the_neighbour_choice_shows_one_neighbour_button(live_bijna, phone_page, screenshot, db, clock,
                                                                  shop_headers, carrier_headers):
    clock.now = late_morning_today()
    assert clock.now.astimezone(AMSTERDAM).time() == time(11)
    api = requests.Session()
    body = {"order_ref": "B-2042", "carrier": "simcarrier", "tracking_number": "3SBIJE2E02",
            "recipient": {"phone": "06 12345678", "name": "Anna de Vries", "city": "Utrecht"}}  # the shop's Dutch
    created = api.post(f"{live_bijna}/api/v1/shipments", json=body, headers=shop_headers)
    assert created.status_code == 201, created.text
    scan = {"events": [{"tracking_number": "3SBIJE2E02", "code": "HUB_SCAN",
                        "occurred_at": (clock.now - timedelta(hours=1)).isoformat()}]}
    assert api.post(f"{live_bijna}/api/v1/carrier/events", json=scan, headers=carrier_headers).status_code == 200

    page = phone_page
    page.set_viewport_size(SMALL_PHONE)
    page.goto(f"{live_bijna}/t/{created.json()['tracking_url'].rsplit('/', 1)[1]}")
    actions = page.locator("#choices").locator("summary, button, a")
    neighbours = actions.filter(has_text="Bij de buren afgeven")
    expect(neighbours).to_have_count(1)
    neighbours.click()
    expect(page.get_by_label("Welke buren? (mag leeg blijven)")).to_be_visible()
    # Open: still one "Bij de buren afgeven", and one action that sends the choice.
    expect(neighbours).to_have_count(1)
    submit = page.get_by_role("button", name="Doorgeven aan de bezorger")
    expect(submit).to_be_visible()
    visible = [text.strip() for text in actions.all_inner_texts() if text.strip()]
    assert len(visible) == len(set(visible)), visible
    _fits_the_screen(page)
    screenshot(page, "07-tracking-neighbour-choice", docs="tracking-page-neighbours")

    page.get_by_label("Welke buren? (mag leeg blijven)").fill("nummer 12")
    submit.click()
    expect(page.locator("#rebooking")).to_contain_text("We hebben je keuze doorgegeven aan de vervoerder")
    assert page.problems == [], "no CSP violation, failed request (the icon included) or script error"
