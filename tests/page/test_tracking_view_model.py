"""The tracking page's view model: human steps, the live window, delays, choices and extras (no Flask)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.tracking.copy import COPY
from app.tracking.service import (
    PageFacts,
    RebookingFacts,
    build_page,
    format_moment,
    format_window,
    page_expired,
)

# Monday 23 November 2026, 13:00 in Amsterdam (12:00 UTC).
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def facts(**overrides) -> PageFacts:
    values = dict(status="out_for_delivery", shop_name="Bloemenshop", language="en", first_name="Anna",
                  city="Utrecht", created_at=NOW - timedelta(days=2),
                  history=(("registered", NOW - timedelta(days=2)), ("sorted", NOW - timedelta(days=1)),
                           ("out_for_delivery", NOW - timedelta(hours=4))))
    values.update(overrides)
    return PageFacts(**values)


def test_out_for_delivery_shows_the_announced_window_and_minutes_away():
    page = build_page(facts(eta=NOW + timedelta(minutes=12), announced_start=NOW + timedelta(minutes=10),
                            announced_end=NOW + timedelta(minutes=70)), NOW)
    assert page.window_text == "Today between 13:10 and 14:10"
    assert page.minutes_text == "About 12 minutes away"
    assert page.headline == "Almost there!"
    assert page.delay_text is None and page.live


def test_minutes_away_are_the_minutes_the_arriving_soon_text_says():
    from app.eta import fit
    from app.notify.eta_texts import arriving_soon
    from app.notify.shipment_state import ShipmentState

    # The carrier's ETAs run 4 minutes early; most vans come within 3 minutes of that, two in five meet a jam
    # and come 12-24 minutes after the ETA.
    errors = [12.0 + k % 13 if k % 5 < 2 else 1.0 + 6.0 * (k % 61) / 60 for k in range(300)]
    jams = fit([(lead, error) for lead in range(3, 30) for error in errors], strength=1)
    eta = NOW + timedelta(minutes=8)
    state = ShipmentState(status="out_for_delivery", notify=True, opted_out=False, window_start=None,
                          window_end=None, eta=eta, lead_minutes=15, sent=frozenset(), last_delay_eta=None,
                          texts_today=0, daily_cap=6, enabled_statuses=frozenset(), two_way=True,
                          timezone="Europe/Amsterdam", calibration=jams)
    said = arriving_soon(state, NOW).context["minutes"]
    page = build_page(facts(eta=eta, calibration=jams), NOW)
    # Not the carrier's 8, nor the median's 14 or so: the likeliest, as the text said.
    assert page.minutes_text == f"About {said} minutes away" == "About 12 minutes away"


def test_without_an_announced_window_the_page_narrows_the_eta_like_the_texts_do():
    page = build_page(facts(eta=NOW + timedelta(hours=2)), NOW)
    # eta 15:00 local → 14:40-15:40 (a third before, two thirds after, end rounded up to 5 min)
    assert page.window_text == "Today between 14:40 and 15:40"
    assert page.minutes_text is None
    assert page.headline == "Your parcel arrives today"


def test_a_driver_running_past_the_window_gets_a_new_window_and_an_apology():
    page = build_page(facts(eta=NOW + timedelta(hours=3), announced_start=NOW, announced_end=NOW + timedelta(hours=1)),
                      NOW)
    assert page.window_text == "Today between 15:40 and 16:40"
    assert page.delay_text.startswith("Sorry, the driver is running late. We now expect to be with you today between "
                                      "15:40 and 16:40")
    assert page.headline == "Your parcel is running late"


def test_after_a_delay_text_the_page_keeps_apologising_for_the_new_window():
    page = build_page(facts(eta=NOW + timedelta(hours=3), announced_start=NOW + timedelta(minutes=160),
                            announced_end=NOW + timedelta(minutes=220), delay_announced=True), NOW)
    assert "running late" in page.delay_text and page.window_text == "Today between 15:40 and 16:40"


def test_delayed_without_an_eta_apologises_without_a_time():
    page = build_page(facts(status="delayed"), NOW)
    assert page.delay_text.startswith("Sorry, your parcel is delayed")
    assert page.window_text is None


def test_any_moment_now_when_the_driver_is_at_the_door():
    assert build_page(facts(eta=NOW + timedelta(minutes=1)), NOW).minutes_text == "Any moment now"


def test_dutch_page_speaks_dutch():
    page = build_page(facts(language="nl", eta=NOW + timedelta(minutes=12), announced_start=NOW + timedelta(minutes=10),
                            announced_end=NOW + timedelta(minutes=70)), NOW)
    assert page.window_text == "Vandaag tussen 13:10 en 14:10"
    assert page.minutes_text == "Nog ongeveer 12 minuten"
    assert page.greeting == "Hoi Anna,"
    assert [step.title for step in page.steps] == ["Ingepakt door Bloemenshop", "Onderweg", "Wordt vandaag bezorgd",
                                                   "Bezorgd"]


def test_an_unknown_language_falls_back_to_english():
    assert build_page(facts(language="de"), NOW).language == "en"


@pytest.mark.parametrize("status, states", [
    ("registered", ["current", "upcoming", "upcoming", "upcoming"]),
    ("in_transit", ["done", "current", "upcoming", "upcoming"]),
    ("out_for_delivery", ["done", "done", "current", "upcoming"]),
    ("failed_attempt", ["done", "done", "current", "upcoming"]),
    ("delivered", ["done", "done", "done", "done"]),
])
def test_statuses_become_four_human_steps(status, states):
    history = (("registered", NOW - timedelta(days=2)),) if status == "registered" else \
        tuple((s, NOW - timedelta(hours=10 - i)) for i, s in enumerate(["registered", "sorted", "in_transit", status]))
    page = build_page(facts(status=status, history=history), NOW)
    assert [step.state for step in page.steps] == states
    assert [step.key for step in page.steps] == ["packed", "on_its_way", "out_for_delivery", "delivered"]


def test_scans_are_not_steps_and_a_late_scan_never_turns_the_story_back():
    history = (("sorted", NOW - timedelta(hours=9)), ("in_transit", NOW - timedelta(hours=8)),
               ("sorted", NOW - timedelta(hours=7)), ("out_for_delivery", NOW - timedelta(hours=3)))
    page = build_page(facts(status="delayed", history=history), NOW)
    assert len(page.steps) == 4
    assert [step.state for step in page.steps] == ["done", "done", "current", "upcoming"]
    assert page.steps[1].when == "today 04:00"  # first seen: the earliest scan of that step, local time
    assert page.steps[1].text == "The courier has your parcel and is bringing it to Utrecht."


def test_a_returned_parcel_ends_the_story_with_its_own_step():
    page = build_page(facts(status="returned", ended_at=NOW - timedelta(hours=1)), NOW)
    assert page.steps[-1].key == "returned" and page.steps[-1].state == "stopped"
    assert page.headline == "Your parcel is on its way back to Bloemenshop"
    assert not page.choices_open and page.window_text is None


@pytest.mark.parametrize("can_rebook", [True, False])
def test_choices_are_offered_exactly_when_the_rebooking_service_takes_a_change(can_rebook):
    # Which statuses qualify is the rebooking service's rule (tests/page/test_choices.py checks it per status).
    assert build_page(facts(can_rebook=can_rebook), NOW).choices_open is can_rebook


def test_a_pending_choice_closes_the_choices_and_keeps_the_page_polling():
    page = build_page(facts(status="in_transit", rebooking=RebookingFacts("reschedule", "pending"), can_rebook=True),
                      NOW)
    assert page.rebooking_state == "pending" and not page.choices_open and page.live
    assert "passed your choice" in page.rebooking_text


def test_an_accepted_slot_is_confirmed_in_words():
    start = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    instruction = {"action": "reschedule", "slot_id": "S1", "starts_at": start.isoformat(),
                   "ends_at": (start + timedelta(hours=3)).isoformat()}
    page = build_page(facts(status="in_transit", instruction=instruction, can_rebook=True,
                            rebooking=RebookingFacts("reschedule", "accepted")), NOW)
    assert page.rebooking_state == "done"
    assert page.rebooking_text == "Done: your new delivery time is tomorrow between 18:00 and 21:00."
    assert not page.choices_open


def test_a_neighbour_instruction_repeats_the_note():
    page = build_page(facts(instruction={"action": "neighbour", "note": "nr 12"}), NOW)
    assert page.rebooking_text == "Done: the driver will leave your parcel with the neighbours (nr 12)."


def test_a_refused_choice_says_sorry_and_offers_the_choices_again():
    page = build_page(facts(rebooking=RebookingFacts("reschedule", "refused"), can_rebook=True), NOW)
    assert page.rebooking_state == "refused" and page.choices_open


def test_a_refused_choice_is_not_mentioned_once_no_other_can_be_made():
    page = build_page(facts(status="delivered", rebooking=RebookingFacts("reschedule", "refused")), NOW)
    assert page.rebooking_state is None and not page.choices_open


def test_feedback_opens_after_delivery_and_shows_the_earlier_rating():
    assert not build_page(facts(), NOW).feedback_open
    page = build_page(facts(status="delivered", rating=4, comment="Friendly driver"), NOW)
    assert page.feedback_open and page.rating == 4 and page.comment == "Friendly driver"
    assert page.headline == "Delivered!" and not page.live


EXTRAS = {"returns_url": "https://shop.example/returns", "invoice_url": "http://shop.example/invoice",
          "faq": [{"q": "Can I change my address?", "a": "Reply to the text."}, {"q": "half"}],
          "cross_sell": {"title": "Vase to match?", "text": "10% off", "url": "https://shop.example/vases",
                         "image_url": "https://cdn.example/vase.jpg"}}


def test_extras_show_https_links_only_and_the_complete_faq_items():
    page = build_page(facts(extras=EXTRAS), NOW)
    assert page.links == [{"key": "returns", "label": "Return something", "url": "https://shop.example/returns"}]
    assert page.faq == [{"q": "Can I change my address?", "a": "Reply to the text."}]


@pytest.mark.parametrize("status, shown", [
    ("registered", True), ("in_transit", True), ("out_for_delivery", True), ("delayed", True),
    ("failed_attempt", False), ("delivered", False), ("returned", False), ("cancelled", False),
])
def test_cross_sell_shows_only_while_the_parcel_is_on_its_way(status, shown):
    assert (build_page(facts(status=status, extras=EXTRAS), NOW).cross_sell is not None) is shown


@pytest.mark.parametrize("tone, greeting", [("warm", "Hi Anna,"), ("neutral", "Hello Anna,"),
                                             ("playful", "Hey Anna!"), ("shouty", "Hi Anna,")])
def test_the_shop_tone_sets_the_greeting(tone, greeting):
    assert build_page(facts(tone=tone), NOW).greeting == greeting


def test_no_name_no_greeting_by_name():
    assert build_page(facts(first_name=""), NOW).greeting == "Hello,"


def test_the_state_key_ignores_ticking_minutes_but_not_a_new_step():
    eta = NOW + timedelta(minutes=40)
    first = build_page(facts(eta=eta), NOW)
    later = build_page(facts(eta=eta), NOW + timedelta(minutes=5))
    delivered = build_page(facts(status="delivered", eta=eta), NOW + timedelta(minutes=5))
    assert first.minutes_text != later.minutes_text and first.state_key == later.state_key
    assert delivered.state_key != first.state_key


def test_live_json_carries_no_name_or_town():
    live = build_page(facts(eta=NOW + timedelta(minutes=12)), NOW).live_json()
    assert "Anna" not in str(live) and "Utrecht" not in str(live)
    assert live["minutes_away"] == "About 12 minutes away"


def test_a_link_expires_a_month_after_the_journey_ended_or_at_retention():
    delivered = facts(status="delivered", ended_at=NOW - timedelta(days=29))
    assert not page_expired(delivered, NOW)
    assert page_expired(facts(status="delivered", ended_at=NOW - timedelta(days=31)), NOW)
    assert not page_expired(facts(status="in_transit", ended_at=None), NOW)
    assert page_expired(facts(status="in_transit", created_at=NOW - timedelta(days=91)), NOW)


def test_moments_and_windows_read_like_people_talk():
    tz = "Europe/Amsterdam"
    assert format_moment(NOW - timedelta(days=1), NOW, tz, "en") == "yesterday 13:00"
    assert format_moment(NOW - timedelta(days=3), NOW, tz, "nl") == "vr 20 nov"
    start = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert format_window(start, start + timedelta(hours=5), NOW, tz, "en") == "Thu 26 Nov between 09:00 and 14:00"


def test_after_a_new_slot_the_choices_return_when_that_day_is_under_way():
    start = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    instruction = {"action": "reschedule", "slot_id": "S1", "starts_at": start.isoformat(),
                   "ends_at": (start + timedelta(hours=3)).isoformat()}
    waiting = build_page(facts(status="in_transit", instruction=instruction, window_start=start,
                               window_end=start + timedelta(hours=3), can_rebook=True), NOW)
    assert not waiting.choices_open and waiting.window_text == "Tomorrow between 18:00 and 21:00"
    assert build_page(facts(status="out_for_delivery", instruction=instruction, can_rebook=True), NOW).choices_open


def test_a_pickup_point_is_named_with_its_address():
    page = build_page(facts(status="in_transit", can_rebook=True,
                            instruction={"action": "pickup_point", "pickup_point_id": "P1", "name": "Primera",
                                         "address": "Neude 1"}), NOW)
    assert page.rebooking_text == "Done: your parcel goes to Primera, Neude 1." and not page.choices_open


def test_once_delivered_a_new_slot_is_history_but_the_neighbours_are_still_news():
    slot = {"action": "reschedule", "slot_id": "S1", "starts_at": NOW.isoformat(),
            "ends_at": (NOW + timedelta(hours=3)).isoformat()}
    assert build_page(facts(status="delivered", instruction=slot), NOW).rebooking_text is None
    neighbours = build_page(facts(status="delivered", instruction={"action": "neighbour", "note": "nr 12"}), NOW)
    assert neighbours.rebooking_text == "Your parcel is with the neighbours (nr 12)."


def test_both_languages_have_every_word_the_templates_use():
    assert set(COPY["nl"]) == set(COPY["en"])
    templates = Path(__file__).resolve().parents[2] / "app" / "web" / "templates"
    used = {key for path in templates.glob("*.html") for key in re.findall(r"\bt\.(\w+)", path.read_text())}
    assert used and used <= set(COPY["en"])
