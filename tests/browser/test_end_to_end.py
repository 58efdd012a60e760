"""End to end in chromium: a parcel from the shop API to the recipient's page, phone and rating.

Shop creates the shipment (API) → carrier pushes the driver's route (API) → the recipient opens
the tracking page and sees the window → picks a new slot on the page → the carrier (simulator,
real HTTP) accepts → the confirmation shows on the page and as a text in the phone simulator →
the carrier reports delivery → the page turns into a feedback form by itself → the recipient
texts a 4 from the phone simulator (signed inbound webhook) → the page shows it and the
recipient changes it to a 5 with a comment → the shop reads it through the API.

The story happens at 11:00 in Amsterdam on the day the test runs (the app's clock, which the
workers read too): run at 23:40 with the wall clock, the driver's ETA 45 minutes on was
tomorrow, and the "today" this test reads would have been wrong.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import requests
from browser_testing import late_morning_today
from playwright.sync_api import expect
from sqlalchemy import select

from app.models import RebookingCommand, Shipment
from app.notify.windows import format_slot
from app.tracking.service import format_window

TIMEOUT_MS = 15_000


def test_recipient_reschedules_on_the_page_sees_it_on_the_phone_and_rates_the_delivery(
        live_bijna, carrier_sim_url, phone_page, screenshot, db, clock, carrier, shop, shop_headers,
        carrier_headers, run_jobs):
    clock.now = now = late_morning_today()
    carrier.api_base_url = carrier_sim_url
    shop.branding = {"primary_color": "#0b6e4f", "accent_color": "#f4a259", "tone": "warm"}
    shop.quiet_start = shop.quiet_end = "00:00"  # the delivered text goes out whatever the hour the test runs
    db.session.commit()
    api = requests.Session()
    patch = {"extras": {"returns_url": "https://bloemenshop.example/returns",
                        "faq": [{"q": "Will the flowers survive the trip?",
                                 "a": "Yes: they travel in water, in a box made for it."}],
                        "cross_sell": {"title": "A vase to match?", "text": "10% off with code BIJNA",
                                       "url": "https://bloemenshop.example/vases"}}}
    assert api.patch(f"{live_bijna}/api/v1/shop", json=patch, headers=shop_headers).status_code == 200

    # The shop creates the shipment; the carrier puts it on today's route.
    body = {"order_ref": "B-2041", "carrier": "simcarrier", "tracking_number": "3SBIJE2E01",
            "recipient": {"phone": "06 12345678", "name": "Anna de Vries", "city": "Utrecht", "language": "en"}}
    created = api.post(f"{live_bijna}/api/v1/shipments", json=body, headers=shop_headers)
    assert created.status_code == 201, created.text
    shipment = created.json()
    eta = now + timedelta(minutes=45)
    route = {"observed_at": now.isoformat(),
             "stops": [{"tracking_number": "3SBIJE2E01", "stop_sequence": 7, "eta": eta.isoformat()}]}
    pushed = api.post(f"{live_bijna}/api/v1/carrier/routes/R-E2E/etas", json=route, headers=carrier_headers)
    assert pushed.status_code == 200 and pushed.json()["texts_queued"] == 1, pushed.text
    run_jobs()

    # The recipient opens the link from the text and sees the window.
    page = phone_page
    page.goto(f"{live_bijna}/t/{shipment['tracking_url'].rsplit('/', 1)[1]}")
    # The page repeats the window the text told (however the ETA model narrowed it).
    db.session.expire_all()
    told = db.session.get(Shipment, shipment["id"])
    assert told.announced_start and told.announced_start <= eta <= told.announced_end
    window = format_window(told.announced_start, told.announced_end, now, "Europe/Amsterdam", "en")
    expect(page.locator(".window")).to_have_text(window)
    expect(page.locator(".headline")).to_have_text("Your parcel arrives today")
    expect(page.locator(".greeting")).to_have_text("Hi Anna,")
    expect(page.get_by_text("A vase to match?")).to_be_visible()
    assert "Vries" not in page.content() and "12345678" not in page.content()
    screenshot(page, "01-tracking-out-for-delivery", docs="tracking-page")

    # "Not home?" → pick a new slot.
    page.get_by_role("link", name="Pick a new slot").click()
    expect(page.get_by_role("heading", name="Pick a new slot")).to_be_visible()
    slot_button = page.locator("button.option").first
    slot_label = slot_button.locator(".option-label").inner_text()
    assert " between " in slot_label
    screenshot(page, "02-tracking-pick-a-slot")
    slot_button.click()
    expect(page.locator("#rebooking")).to_contain_text("passed your choice to the courier")

    # The worker carries the command to the carrier; the page polls and shows the confirmation.
    run_jobs()
    confirmation = page.locator("#rebooking")
    expect(confirmation).to_contain_text("Done: your new delivery time is", timeout=TIMEOUT_MS)
    expect(confirmation).to_contain_text(slot_label[:1].lower() + slot_label[1:] if slot_label.startswith(
        ("Today", "Tomorrow")) else slot_label)
    expect(page.locator("#choices")).to_have_count(0)
    screenshot(page, "03-tracking-new-slot-confirmed")

    # The same confirmation reached the recipient's phone.
    phone = page.context.new_page()
    phone.on("console", lambda message: page.problems.append(message.text) if message.type == "error" else None)
    phone.on("pageerror", lambda error: page.problems.append(str(error)))
    phone.set_viewport_size({"width": 1100, "height": 900})
    phone.goto(f"{live_bijna}/dev/phone")
    thread = phone.locator('section.phone[data-number="+31612345678"]')
    expect(thread.locator(".bubble-in").first).to_contain_text("your parcel is coming today")
    command = db.session.execute(select(RebookingCommand).where(
        RebookingCommand.shipment_id == shipment["id"])).scalar_one()
    assert (command.action, command.source, command.status) == ("reschedule", "page", "accepted")
    sms_slot = format_slot(datetime.fromisoformat(command.params["starts_at"]),
                           datetime.fromisoformat(command.params["ends_at"]), "Europe/Amsterdam", "en")
    expect(thread.locator(".bubble-in").last).to_contain_text(sms_slot, timeout=TIMEOUT_MS)
    screenshot(phone, "04-phone-simulator", docs="phone-simulator")

    # Delivered (the slot came): the open page notices by itself and offers the feedback form.
    clock.now = datetime.fromisoformat(command.params["starts_at"]) + timedelta(minutes=30)
    delivered = {"events": [{"tracking_number": "3SBIJE2E01", "code": "DELIVERED",
                             "occurred_at": clock.now.isoformat()}]}
    assert api.post(f"{live_bijna}/api/v1/carrier/events", json=delivered,
                    headers=carrier_headers).json()["applied"] == 1
    run_jobs()
    page.bring_to_front()
    expect(page.locator(".headline")).to_have_text("Delivered!", timeout=TIMEOUT_MS)
    expect(page.get_by_text("A vase to match?")).to_have_count(0)
    expect(page.get_by_role("link", name="Return something")).to_be_visible()

    # The delivered text asks for a score: the recipient answers 4 on the phone, through the signed webhook.
    phone.bring_to_front()
    phone.reload()
    expect(thread.locator(".bubble-in").last).to_contain_text("Reply with a score from 1 (poor) to 5 (great)")
    thread.locator("input[name=body]").fill("4")
    thread.get_by_role("button", name="Send").click()
    expect(phone.locator(".outcome")).to_have_text("Inbound webhook answered HTTP 200.")
    run_jobs()
    by_sms = api.get(f"{live_bijna}/api/v1/shipments/{shipment['id']}/feedback", headers=shop_headers).json()
    assert (by_sms["rating"], by_sms["source"]) == (4, "sms")

    # On the page the score by text is there; the recipient changes it to 5 and adds a word.
    page.bring_to_front()
    page.reload()
    expect(page.locator(".thanks")).to_have_text("Thank you! You gave the delivery 4 out of 5.")
    page.locator("label[for=rating-5]").click()
    page.get_by_label("Anything you'd like to tell us? (optional)").fill("Right on the new time, thank you!")
    page.get_by_role("button", name="Update my feedback").click()
    expect(page.locator(".thanks")).to_have_text("Thank you! You gave the delivery 5 out of 5.")
    screenshot(page, "05-tracking-feedback", docs="tracking-page-feedback")

    # The shop sees it through the API.
    feedback = api.get(f"{live_bijna}/api/v1/shipments/{shipment['id']}/feedback", headers=shop_headers).json()
    assert (feedback["rating"], feedback["comment"], feedback["source"]) == (5, "Right on the new time, thank you!",
                                                                             "page")
    listed = api.get(f"{live_bijna}/api/v1/feedback", headers=shop_headers).json()["items"]
    assert [item["order_ref"] for item in listed] == ["B-2041"]
    assert page.problems == [], "no CSP violation or script error on the tracking page or the phone"
