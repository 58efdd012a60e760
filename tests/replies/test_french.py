"""French (Belgium) end to end: slot wording, wishes described back, the tracking page, the API's languages."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlparse

from app.notify.templates import LANGUAGES, render, sample_context
from app.notify.windows import format_slot, relative_day
from app.replies.parser import parse_reply
from app.replies.slot_wishes import describe
from app.tracking.copy import COPY, MONTHS

BRUSSELS = "Europe/Brussels"
TUESDAY_18 = datetime(2026, 12, 8, 17, 0, tzinfo=UTC)


def test_french_is_a_language_because_its_folder_of_templates_exists() -> None:
    assert LANGUAGES[:2] == ("nl", "en") and "fr" in LANGUAGES


def test_slots_and_days_are_worded_in_french() -> None:
    assert format_slot(TUESDAY_18, datetime(2026, 12, 8, 20, 30, tzinfo=UTC), BRUSSELS, "fr") == "mar 18h-21h30"
    saturday = datetime(2026, 12, 5, 9, tzinfo=UTC)
    assert relative_day(TUESDAY_18, saturday, BRUSSELS, "fr") == "mardi"
    assert relative_day(datetime(2026, 12, 6, 9, tzinfo=UTC), saturday, BRUSSELS, "fr") == "demain"


def test_a_french_wish_is_read_and_said_back_in_french() -> None:
    wish = parse_reply("plutôt lundi soir", "arriving_soon").when
    assert wish is not None and describe(wish, "fr") == "lundi soir"
    assert describe(parse_reply("ce soir", "arriving_soon").when, "fr") == "ce soir"
    assert parse_reply("pas vendredi, samedi", "arriving_soon").when.as_dict() == {
        "days": [["weekday", 5, 0]], "not_days": [["weekday", 4, 0]]}


def test_the_tracking_page_has_every_word_in_french() -> None:
    assert set(COPY["fr"]) == set(COPY["en"]) and len(MONTHS["fr"]) == 12


def test_the_french_texts_say_the_options_the_parser_reads() -> None:
    text = render("arriving_soon", "fr", sample_context("arriving_soon"))
    assert "1 = voisin, 2 = autre moment, 3 = point relais" in text
    for option, intent in (("voisin", "neighbour"), ("autre moment", "reschedule"), ("point relais", "pickup_point")):
        assert parse_reply(option, "arriving_soon").intent == intent


def test_a_french_recipient_gets_a_french_tracking_page(client, db, make_shipment):
    parcel = make_shipment(recipient={"phone": "+32470123456", "name": "Chloé Dubois", "language": "fr"})
    page = client.get(urlparse(parcel["tracking_url"]).path).get_data(as_text=True)
    assert "Votre colis de" in page


def test_shops_and_shipments_may_choose_french(client, db, shop_headers, make_shipment):
    assert make_shipment(recipient={"phone": "+32470123457", "language": "fr"})["recipient"]["language"] == "fr"
    response = client.patch("/api/v1/shop", json={"language": "fr"}, headers=shop_headers)
    assert response.status_code == 200 and response.get_json()["language"] == "fr"
