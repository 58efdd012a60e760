"""One delivery day for the whole page: headline, window and story never disagree on "today".

The day is worked out once, in the shop's zone, from the window the page tells. These tests
move a parcel to another day (a new slot, an ETA slipping past midnight, the nights the
clocks change) and read every text the page shows for a stray "today" / "vandaag".
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from tracking_testing import token_of

from app.tracking.service import PageFacts, RebookingFacts, build_page
from bijna_testing import test_now

TODAY = {"en": "today", "nl": "vandaag"}
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Monday 23 November 2026: 13:00 and 23:30 in Amsterdam (CET, UTC+1).
MIDDAY = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LATE_EVENING = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)


def facts(now: datetime, language: str, **overrides) -> PageFacts:
    values = dict(status="out_for_delivery", shop_name="Bloemenshop", language=language, first_name="Anna",
                  city="Utrecht", created_at=now - timedelta(days=2),
                  history=(("registered", now - timedelta(days=2)), ("sorted", now - timedelta(days=1)),
                           ("out_for_delivery", now - timedelta(hours=4))))
    values.update(overrides)
    return PageFacts(**values)


def rescheduled(now: datetime, language: str, start: datetime, hours: int = 3) -> PageFacts:
    """A parcel taken off today's van for a slot the recipient chose (what rebooking/outcome.py leaves)."""
    end = start + timedelta(hours=hours)
    instruction = {"action": "reschedule", "slot_id": "S1", "starts_at": start.isoformat(),
                   "ends_at": end.isoformat()}
    return facts(now, language, status="in_transit", window_start=start, window_end=end, instruction=instruction,
                 rebooking=RebookingFacts("reschedule", "accepted"), can_rebook=True)


def everything_said(page) -> str:
    """Every text about time the page shows: headline, window, delay, confirmation and the whole story."""
    story = [part for step in page.steps for part in (step.title, step.text, step.when) if part]
    return " | ".join(part for part in (page.headline, page.window_text, page.delay_text, page.rebooking_text,
                                        *story) if part).lower()


def delivery_step(page):
    (step,) = [step for step in page.steps if step.key == "out_for_delivery"]
    return step


@pytest.mark.parametrize("language, headline, window, title, text", [
    ("en", "Your parcel is on its way", "Tomorrow between 18:00 and 21:00", "Delivery tomorrow",
     "Your parcel comes to you tomorrow."),
    ("nl", "Je pakket is onderweg", "Morgen tussen 18:00 en 21:00", "Wordt morgen bezorgd",
     "Je pakket komt morgen naar je toe."),
])
def test_a_new_slot_tomorrow_moves_the_story_to_tomorrow(language, headline, window, title, text):
    page = build_page(rescheduled(MIDDAY, language, datetime(2026, 11, 24, 17, 0, tzinfo=UTC)), MIDDAY)
    step = delivery_step(page)
    assert (page.headline, page.window_text, step.title, step.text) == (headline, window, title, text)
    assert step.state == "current" and step.when is None
    assert TODAY[language] not in everything_said(page)


@pytest.mark.parametrize("language, title, text", [
    ("en", "Delivery on Thu 26 Nov", "Your parcel comes to you on Thu 26 Nov."),
    ("nl", "Wordt op do 26 nov bezorgd", "Je pakket komt op do 26 nov naar je toe."),
])
def test_a_new_slot_later_in_the_week_names_its_date(language, title, text):
    page = build_page(rescheduled(MIDDAY, language, datetime(2026, 11, 26, 8, 0, tzinfo=UTC), hours=4), MIDDAY)
    assert (delivery_step(page).title, delivery_step(page).text) == (title, text)
    assert TODAY[language] not in everything_said(page)


def test_on_the_new_day_the_story_says_today_again():
    start = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    next_morning = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    back_in_the_van = rescheduled(MIDDAY, "nl", start)
    page = build_page(PageFacts(**{**back_in_the_van.__dict__, "status": "out_for_delivery",
                                   "history": (*back_in_the_van.history, ("out_for_delivery", next_morning))}),
                      next_morning + timedelta(hours=1))
    assert page.headline == "Je pakket komt vandaag" and page.window_text == "Vandaag tussen 18:00 en 21:00"
    assert delivery_step(page).title == "Wordt vandaag bezorgd"


@pytest.mark.parametrize("language, title, text", [
    ("en", "Out for delivery", "The driver brings your parcel to you."),
    ("nl", "Wordt bezorgd", "De bezorger brengt je pakket naar je toe."),
])
def test_without_a_known_day_the_story_names_none(language, title, text):
    to_a_pickup_point = {"action": "pickup_point", "pickup_point_id": "P1", "name": "Primera", "address": "Neude 1"}
    page = build_page(facts(MIDDAY, language, status="in_transit", instruction=to_a_pickup_point), MIDDAY)
    assert (delivery_step(page).title, delivery_step(page).text) == (title, text)
    assert page.window_text is None and delivery_step(page).when.startswith(TODAY[language])  # it went out today


@pytest.mark.parametrize("language, headline, window, title, text", [
    ("en", "Your parcel arrives tomorrow", "Tomorrow between 00:20 and 01:20", "Delivery tomorrow",
     "Your parcel comes to you tomorrow."),
    ("nl", "Je pakket komt morgen", "Morgen tussen 00:20 en 01:20", "Wordt morgen bezorgd",
     "Je pakket komt morgen naar je toe."),
])
def test_an_eta_past_midnight_makes_headline_window_and_story_say_tomorrow(language, headline, window, title, text):
    eta = LATE_EVENING + timedelta(minutes=70)  # 00:40 local
    page = build_page(facts(LATE_EVENING, language, eta=eta), LATE_EVENING)
    step = delivery_step(page)
    assert (page.headline, page.window_text, step.title, step.text) == (headline, window, title, text)
    assert TODAY[language] not in everything_said(page)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_driver_running_late_past_midnight_apologises_for_tomorrow(language):
    told = (LATE_EVENING - timedelta(minutes=30), LATE_EVENING + timedelta(minutes=30))  # 23:00-00:00 local
    page = build_page(facts(LATE_EVENING, language, eta=LATE_EVENING + timedelta(minutes=70),
                            announced_start=told[0], announced_end=told[1]), LATE_EVENING)
    assert page.delay_text and ("tomorrow between 00:20" in page.delay_text or "morgen tussen 00:20" in
                                page.delay_text)
    assert delivery_step(page).title == {"en": "Delivery tomorrow", "nl": "Wordt morgen bezorgd"}[language]
    assert TODAY[language] not in everything_said(page)


def test_the_page_reloads_when_the_eta_slips_past_midnight():
    before = build_page(facts(LATE_EVENING, "nl", eta=LATE_EVENING + timedelta(minutes=30)), LATE_EVENING)
    after = build_page(facts(LATE_EVENING, "nl", eta=LATE_EVENING + timedelta(minutes=70)), LATE_EVENING)
    assert before.headline == "Je pakket komt vandaag" and delivery_step(before).title == "Wordt vandaag bezorgd"
    assert after.headline == "Je pakket komt morgen"
    assert before.state_key != after.state_key  # the open page reloads its story, not only the headline


# The clocks go back on Sunday 25 October 2026 (03:00 CEST -> 02:00 CET) and forward on
# Sunday 28 March 2027 (02:00 CET -> 03:00 CEST). Late in the evening the UTC date is still
# the day before; on the night itself the local day has 25 or 23 hours.
@pytest.mark.parametrize("now, eta, window, days", [
    # Saturday 23:30 CEST, driver at 00:40 on the night the clocks go back: same UTC date, tomorrow here.
    (datetime(2026, 10, 24, 21, 30, tzinfo=UTC), datetime(2026, 10, 24, 22, 40, tzinfo=UTC),
     ("00:20", "01:20"), 1),
    # 01:30 CEST that night, driver at 02:40 CET (after the change): a new UTC date, still today here.
    (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 40, tzinfo=UTC),
     ("02:20", "03:20"), 0),
    # Sunday 23:30 CEST, just after the clocks went forward, driver at 00:40 on Monday.
    (datetime(2027, 3, 28, 21, 30, tzinfo=UTC), datetime(2027, 3, 28, 22, 40, tzinfo=UTC), ("00:20", "01:20"), 1),
    # Saturday 23:30 CET, driver at 00:40 CET on the night the clocks go forward.
    (datetime(2027, 3, 27, 22, 30, tzinfo=UTC), datetime(2027, 3, 27, 23, 40, tzinfo=UTC), ("00:20", "01:20"), 1),
])
@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_day_is_the_shops_local_day_around_a_clock_change(now, eta, window, days, language):
    page = build_page(facts(now, language, eta=eta), now)
    day = {("en", 0): ("today", "Out for delivery"), ("en", 1): ("tomorrow", "Delivery tomorrow"),
           ("nl", 0): ("vandaag", "Wordt vandaag bezorgd"), ("nl", 1): ("morgen", "Wordt morgen bezorgd")}
    word, title = day[language, days]
    between = {"en": "{} between {} and {}", "nl": "{} tussen {} en {}"}[language]
    assert page.window_text == between.format(word.capitalize(), *window)
    assert page.headline.endswith(word) and delivery_step(page).title == title
    if days:
        assert TODAY[language] not in everything_said(page)


@pytest.mark.parametrize("language, title", [("en", "Delivery tomorrow"), ("nl", "Wordt morgen bezorgd")])
def test_a_new_slot_a_day_ahead_across_the_spring_change_is_tomorrow(language, title):
    now = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)  # Saturday 13:00 CET
    start = datetime(2027, 3, 28, 16, 0, tzinfo=UTC)  # Sunday 18:00 CEST: 28 hours on, one calendar day
    page = build_page(rescheduled(now, language, start), now)
    assert delivery_step(page).title == title
    assert page.window_text.endswith(("18:00 and 21:00", "18:00 en 21:00"))


# Through the real entry points: the carrier's route API, the page's slot form, the worker.

def _amsterdam(year: int, month: int, day: int, hour: int, minute: int, offset: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=offset)


@pytest.mark.parametrize("language, today_title, tomorrow_title, tomorrow", [
    ("nl", "Wordt vandaag bezorgd", "Wordt morgen bezorgd", "morgen tussen "),
    ("en", "Out for delivery", "Delivery tomorrow", "tomorrow between "),
])
def test_an_eta_pushed_past_midnight_on_the_dst_night_turns_the_whole_page_to_tomorrow(
        client, db, clock, make_shipment, route_eta, language, today_title, tomorrow_title, tomorrow):
    clock.now = _amsterdam(2026, 10, 24, 23, 10, offset=2)  # Saturday 23:10 CEST, the clocks go back tonight
    parcel = make_shipment(recipient={"phone": "06 12345678", "name": "Anna de Vries", "language": language})
    token = token_of(parcel)
    route_eta(clock.now + timedelta(minutes=30), clock.now)
    first = client.get(f"/t/{token}.json").get_json()
    assert today_title in client.get(f"/t/{token}").get_data(as_text=True)
    clock.now += timedelta(minutes=20)
    route_eta(clock.now + timedelta(minutes=70), clock.now)  # the driver now expects 00:40
    live = client.get(f"/t/{token}.json").get_json()
    html = client.get(f"/t/{token}").get_data(as_text=True)
    # The text told a window around 23:40; the driver runs past it: the page apologises with tomorrow's window.
    assert first["window"].lower().startswith(TODAY[language]) and live["state"] != first["state"]
    assert live["window"].lower().startswith(tomorrow) and live["window"].lower() in live["delay"]
    assert tomorrow_title in html and today_title not in html
    assert {"nl": "Je pakket komt morgen naar je toe.", "en": "Your parcel comes to you tomorrow."}[language] in html


def test_a_new_slot_chosen_on_the_page_moves_headline_window_and_story_to_its_day(
        client, db, clock, carrier, carrier_sim_url, make_shipment, carrier_event, run_jobs):
    from carrier_sim.client import SimClient

    SimClient(carrier_sim_url).reset(auto_register=True)
    carrier.api_base_url = carrier_sim_url
    db.session.commit()
    # 11:00 in Amsterdam on the test's today (the simulator shares the clock and offers tomorrow first).
    clock.now = datetime.combine(test_now().astimezone(AMSTERDAM).date(), time(11), AMSTERDAM).astimezone(UTC)
    parcel = make_shipment()  # the shop's language: Dutch
    carrier_event("OUT_FOR_DELIVERY", clock.now - timedelta(hours=1))
    token = token_of(parcel)
    assert "Wordt vandaag bezorgd" in client.get(f"/t/{token}").get_data(as_text=True)
    slots = client.get(f"/t/{token}/slots").get_data(as_text=True)
    slot_id = slots.split('name="slot_id" value="', 1)[1].split('"', 1)[0]  # the earliest: tomorrow
    assert client.post(f"/t/{token}/slots", data={"slot_id": slot_id}).status_code == 303
    run_jobs()
    html = client.get(f"/t/{token}").get_data(as_text=True)
    assert "Geregeld: je pakket komt nu morgen tussen" in html and "Morgen tussen" in html
    assert "Wordt morgen bezorgd" in html and "Je pakket komt morgen naar je toe." in html
    assert "Wordt vandaag bezorgd" not in html and "komt vandaag" not in html and "Vandaag tussen" not in html


@pytest.fixture(scope="module")
def carrier_sim_url(app):
    """A carrier simulator on the app's (test) clock: it offers slots from the test's today."""
    from carrier_sim import create_app as create_carrier_sim
    from devtools.serve import serve_in_thread

    with serve_in_thread(create_carrier_sim("test-carrier-secret", seed=11,
                                            clock=lambda: app.config["CLOCK"]())) as base_url:
        yield base_url


def test_as_the_eta_moves_past_midnight_headline_window_and_story_turn_together():
    now = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)  # 22:00 CEST, the night the clocks go back
    said = []
    for minutes in range(30, 400, 10):
        page = build_page(facts(now, "en", eta=now + timedelta(minutes=minutes)), now)
        days = {"Your parcel arrives today": 0, "Your parcel arrives tomorrow": 1}[page.headline]
        assert page.window_text.startswith(("Today", "Tomorrow")[days])
        assert delivery_step(page).title == ("Out for delivery", "Delivery tomorrow")[days]
        said.append(days)
    assert said == sorted(said) and set(said) == {0, 1}
