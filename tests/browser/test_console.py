"""The support console in chromium: an agent finds a parcel by a phone number typed another way, reads
its story, answers the recipient, and the answer arrives in the phone simulator; the desk's actions are
logged on the story; another shop's agent finds nothing. Screenshots at laptop and phone width
(docs/screenshots/ with BIJNA_DOCS_SCREENSHOTS=1).
"""

from __future__ import annotations

import requests
from browser_testing import late_morning_today
from playwright.sync_api import expect

from app.cli import create_shop
from app.console.accounts import create_staff_user
from app.models import Message, Shipment

TIMEOUT_MS = 15_000
PASSWORD = "correct horse battery"


def _context(browser, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1,
                                  locale="en-GB", timezone_id="Europe/Amsterdam")
    page = context.new_page()
    problems: list[str] = []
    # A CSP violation (inline script or style), a script error or a missing stylesheet is a bug.
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    return context, page


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/console")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Open problems")).to_be_visible(timeout=TIMEOUT_MS)


def test_an_agent_answers_a_recipient_found_by_phone_and_another_shop_sees_nothing(
        live_bijna, browser, screenshot, db, clock, shop, shop_headers, carrier, run_jobs):
    clock.now = now = late_morning_today()
    create_staff_user(shop.id, "anouk@bloemenshop.test", PASSWORD, "agent", now)
    rival, _ = create_shop("Boekhandel", sender="+3197010203041")
    create_staff_user(rival.id, "rik@boekhandel.test", PASSWORD, "agent", now)
    body = {"order_ref": "B-2041", "carrier": "simcarrier", "tracking_number": "3SBIJC0NS01",
            "recipient": {"phone": "+31 6 12345678", "name": "Anna de Vries", "city": "Utrecht", "language": "en"}}
    created = requests.post(f"{live_bijna}/api/v1/shipments", json=body, headers=shop_headers, timeout=10)
    assert created.status_code == 201, created.text
    parcel = db.session.get(Shipment, created.json()["id"])
    db.session.add(Message(direction="in", kind="reply", shop_id=shop.id, shipment_id=parcel.id,
                           to_number="+3197010203040", from_number=parcel.recipient_phone, status="received",
                           body="My neighbour is away, can it go to my office instead?",
                           understood_as="needs_person", confidence=0.34, created_at=now, updated_at=now))
    db.session.commit()

    laptop_context, laptop = _context(browser, 1280, 900)
    _log_in(laptop, live_bijna, "anouk@bloemenshop.test")
    expect(laptop.locator("#needs-person")).to_contain_text("can it go to my office")
    screenshot(laptop, "console-01-problems", docs="console-problems")
    laptop.get_by_label("Find a parcel").fill("06-12 34 56 78")
    laptop.get_by_role("button", name="Find").click()
    expect(laptop.get_by_role("heading", name="Anna de Vries")).to_be_visible(timeout=TIMEOUT_MS)
    expect(laptop.locator("#thread")).to_contain_text("read as needs_person (34% sure)")
    expect(laptop.get_by_role("link", name="what the customer sees")).to_have_attribute(
        "href", f"https://bijna.test/t/{parcel.tracking_token}")

    laptop.get_by_label("Answer by text").fill("Hi Anna, we asked the courier to deliver it to your office.")
    laptop.get_by_role("button", name="Send answer").click()
    expect(laptop.get_by_text("Your answer is on its way.")).to_be_visible(timeout=TIMEOUT_MS)
    run_jobs()
    laptop.reload()
    expect(laptop.locator(".bubble.agent")).to_contain_text("deliver it to your office")
    # What the desk did stays on the story, with who did it: a colleague sees why the texts stopped.
    expect(laptop.locator("#notes")).to_contain_text("anouk@bloemenshop.test answered the recipient by text")
    laptop.get_by_role("button", name="Pause texts").click()
    expect(laptop.locator("#notes")).to_contain_text("anouk@bloemenshop.test paused the automatic texts",
                                                     timeout=TIMEOUT_MS)
    expect(laptop.get_by_role("button", name="Resume texts")).to_be_visible()
    screenshot(laptop, "console-02-parcel-laptop", docs="console-parcel-laptop")

    phone = laptop_context.new_page()
    phone.goto(f"{live_bijna}/dev/phone")
    thread = phone.locator('section.phone[data-number="+31612345678"]')
    expect(thread.locator(".bubble-in").last).to_contain_text("deliver it to your office", timeout=TIMEOUT_MS)
    expect(thread.locator(".bubble-in").last).to_contain_text("- Bloemenshop")

    small_context, small = _context(browser, 390, 844)
    _log_in(small, live_bijna, "anouk@bloemenshop.test")
    small.goto(f"{live_bijna}/console/parcels/{parcel.id}")
    screenshot(small, "console-03-parcel-phone", docs="console-parcel-phone", full_page=False)

    rival_context, other = _context(browser, 1280, 900)
    _log_in(other, live_bijna, "rik@boekhandel.test")
    expect(other.locator("main")).not_to_contain_text("office")
    other.get_by_label("Find a parcel").fill("06-12 34 56 78")
    other.get_by_role("button", name="Find").click()
    expect(other.get_by_text("No parcel of yours matches that.")).to_be_visible(timeout=TIMEOUT_MS)
    assert laptop.problems == [] and small.problems == [] and other.problems == []
    response = other.goto(f"{live_bijna}/console/parcels/{parcel.id}")
    assert response.status == 404
    expect(other.locator("main")).to_contain_text("Not found.")
    expect(other.locator("main")).not_to_contain_text("Anna")
    for context in (laptop_context, small_context, rival_context):
        context.close()
