"""The tracking page's words, in Dutch and English: written for the recipient, not the depot.

Keys hold `str.format` placeholders; the page fills them in `service.py`. Dutch uses the
informal "je", as Dutch web shops do.
"""

from __future__ import annotations

import json
from pathlib import Path

LANGUAGES = ("nl", "en")

COPY: dict[str, dict[str, str]] = {
    "en": {
        "greeting_warm": "Hi {name},", "greeting_neutral": "Hello {name},", "greeting_playful": "Hey {name}!",
        "greeting_anonymous": "Hello,",
        "title": "Your parcel from {shop}",
        "headline_registered": "{shop} has packed your order",
        "headline_on_its_way": "Your parcel is on its way",
        "headline_out_for_delivery": "Your parcel arrives today",
        "headline_out_for_delivery_tomorrow": "Your parcel arrives tomorrow",
        "headline_out_for_delivery_later": "Your parcel arrives on {day}",
        "headline_almost_there": "Almost there!",
        "headline_delayed": "Your parcel is running late",
        "headline_failed_attempt": "We missed you",
        "headline_exception": "Something went wrong with your parcel",
        "headline_delivered": "Delivered!",
        "headline_returned": "Your parcel is on its way back to {shop}",
        "headline_cancelled": "This delivery was cancelled",
        "step_packed": "Packed by {shop}", "step_packed_text": "Your order is packed and ready for the courier.",
        "step_on_its_way": "On its way",
        "step_on_its_way_text": "The courier has your parcel and is bringing it to {city}.",
        "step_on_its_way_text_nocity": "The courier has your parcel and is bringing it to your area.",
        "step_out_for_delivery": "Out for delivery",
        "step_out_for_delivery_text": "Your parcel is in the van and comes to you today.",
        "step_out_for_delivery_undated": "Out for delivery",
        "step_out_for_delivery_text_undated": "The driver brings your parcel to you.",
        "step_out_for_delivery_tomorrow": "Delivery tomorrow",
        "step_out_for_delivery_text_tomorrow": "Your parcel comes to you tomorrow.",
        "step_out_for_delivery_later": "Delivery on {day}",
        "step_out_for_delivery_text_later": "Your parcel comes to you on {day}.",
        "step_delivered": "Delivered", "step_delivered_text": "Your parcel has arrived. Enjoy!",
        "step_returned": "Going back to {shop}",
        "step_returned_text": "Your parcel is being returned. {shop} will let you know what happens next.",
        "step_cancelled": "Cancelled", "step_cancelled_text": "This delivery won't go ahead.",
        "window_today": "Today between {start} and {end}",
        "window_tomorrow": "Tomorrow between {start} and {end}",
        "window_day": "{day} between {start} and {end}",
        "minutes_away": "About {n} minutes away", "minute_away": "About 1 minute away",
        "any_moment": "Any moment now",
        "delay_with_eta": "Sorry, the driver is running late. We now expect to be with you {window}. "
                          "Thank you for your patience.",
        "delay_no_eta": "Sorry, your parcel is delayed. We'll show a new time here as soon as we have one.",
        "note_failed_attempt": "The driver couldn't hand over your parcel. Choose below what suits you best.",
        "note_exception": "Sorry! We're looking into it, and {shop} will get in touch if anything is needed.",
        "note_returned": "Questions? {shop} is happy to help.",
        "note_cancelled": "Questions? {shop} is happy to help.",
        "choices_title": "Not home?", "choices_intro": "Tell us what suits you. The driver gets it straight away.",
        "choice_neighbour": "Leave it with the neighbours", "choice_neighbour_note": "Which neighbours? (optional)",
        "choice_neighbour_placeholder": "e.g. number 12, or the yellow door",
        "choice_neighbour_submit": "Send to the driver",
        "choice_slot": "Pick a new slot", "choice_pickup": "Send it to a pickup point",
        "slots_title": "Pick a new slot", "slots_none": "Sorry, the courier has no other slots right now.",
        "slots_back": "Back to your parcel",
        "pickup_title": "Choose a pickup point", "pickup_none": "Sorry, there are no pickup points nearby.",
        "options_unavailable": "Sorry, we can't reach the courier right now. Please try again in a minute.",
        "rebooking_pending": "Thanks! We've passed your choice to the courier. You'll see the confirmation here "
                             "in a moment.",
        "rebooking_neighbour": "Done: the driver will leave your parcel with the neighbours.",
        "rebooking_neighbour_note": "Done: the driver will leave your parcel with the neighbours ({note}).",
        "delivered_neighbour": "Your parcel is with the neighbours.",
        "delivered_neighbour_note": "Your parcel is with the neighbours ({note}).",
        "rebooking_reschedule": "Done: your new delivery time is {slot}.",
        "rebooking_reschedule_unknown": "Done: your parcel comes at the new time you chose.",
        "rebooking_pickup_point": "Done: your parcel goes to a pickup point.",
        "rebooking_pickup_point_named": "Done: your parcel goes to {name}.",
        "rebooking_refused": "Sorry, the courier couldn't make that change. Please pick another option.",
        "choice_unavailable": "That option isn't available any more for this parcel.",
        "feedback_title": "How did the delivery go?",
        "feedback_rating": "Your score", "feedback_poor": "poor", "feedback_great": "great",
        "feedback_comment": "Anything you'd like to tell us? (optional)",
        "feedback_submit": "Send", "feedback_update": "Update my feedback",
        "feedback_thanks": "Thank you! You gave the delivery {rating} out of 5.",
        "feedback_invalid": "Please pick a score from 1 to 5.",
        "feedback_not_yet": "You can rate the delivery once your parcel has arrived.",
        "extras_title": "Good to know", "returns": "Return something", "invoice": "Your invoice",
        "faq_title": "Questions", "cross_sell_cta": "Have a look",
        "not_found_title": "We can't find this parcel",
        "not_found_text": "This link doesn't work (any more). Tracking links stop working a while after "
                          "delivery. Check the latest text or email from the shop for a fresh link.",
        "footer": "Delivery updates by Bijna for {shop}", "updated": "Updates automatically",
        "today": "today", "yesterday": "yesterday", "tomorrow": "tomorrow",
        "hide": "Hide",
    },
    "nl": {
        "greeting_warm": "Hoi {name},", "greeting_neutral": "Hallo {name},", "greeting_playful": "Hé {name}!",
        "greeting_anonymous": "Hallo,",
        "title": "Je pakket van {shop}",
        "headline_registered": "{shop} heeft je bestelling ingepakt",
        "headline_on_its_way": "Je pakket is onderweg",
        "headline_out_for_delivery": "Je pakket komt vandaag",
        "headline_out_for_delivery_tomorrow": "Je pakket komt morgen",
        "headline_out_for_delivery_later": "Je pakket komt op {day}",
        "headline_almost_there": "Bijna bij je!",
        "headline_delayed": "Je pakket is later dan gepland",
        "headline_failed_attempt": "We hebben je gemist",
        "headline_exception": "Er ging iets mis met je pakket",
        "headline_delivered": "Bezorgd!",
        "headline_returned": "Je pakket gaat terug naar {shop}",
        "headline_cancelled": "Deze bezorging is geannuleerd",
        "step_packed": "Ingepakt door {shop}",
        "step_packed_text": "Je bestelling is ingepakt en klaar voor de bezorger.",
        "step_on_its_way": "Onderweg",
        "step_on_its_way_text": "De vervoerder heeft je pakket en brengt het naar {city}.",
        "step_on_its_way_text_nocity": "De vervoerder heeft je pakket en brengt het naar jouw buurt.",
        "step_out_for_delivery": "Wordt vandaag bezorgd",
        "step_out_for_delivery_text": "Je pakket zit in de bus en komt vandaag naar je toe.",
        "step_out_for_delivery_undated": "Wordt bezorgd",
        "step_out_for_delivery_text_undated": "De bezorger brengt je pakket naar je toe.",
        "step_out_for_delivery_tomorrow": "Wordt morgen bezorgd",
        "step_out_for_delivery_text_tomorrow": "Je pakket komt morgen naar je toe.",
        "step_out_for_delivery_later": "Wordt op {day} bezorgd",
        "step_out_for_delivery_text_later": "Je pakket komt op {day} naar je toe.",
        "step_delivered": "Bezorgd", "step_delivered_text": "Je pakket is er. Veel plezier ermee!",
        "step_returned": "Terug naar {shop}",
        "step_returned_text": "Je pakket gaat terug. {shop} laat je weten hoe het verder gaat.",
        "step_cancelled": "Geannuleerd", "step_cancelled_text": "Deze bezorging gaat niet door.",
        "window_today": "Vandaag tussen {start} en {end}",
        "window_tomorrow": "Morgen tussen {start} en {end}",
        "window_day": "{day} tussen {start} en {end}",
        "minutes_away": "Nog ongeveer {n} minuten", "minute_away": "Nog ongeveer 1 minuut",
        "any_moment": "Elk moment bij je",
        "delay_with_eta": "Sorry, de bezorger loopt uit. We verwachten nu {window} bij je te zijn. "
                          "Bedankt voor je geduld.",
        "delay_no_eta": "Sorry, je pakket heeft vertraging. Zodra we een nieuwe tijd weten, zie je die hier.",
        "note_failed_attempt": "De bezorger kon je pakket niet afgeven. Kies hieronder wat jou het beste uitkomt.",
        "note_exception": "Sorry! We zoeken het uit, en {shop} neemt contact op als dat nodig is.",
        "note_returned": "Vragen? {shop} helpt je graag.",
        "note_cancelled": "Vragen? {shop} helpt je graag.",
        "choices_title": "Niet thuis?", "choices_intro": "Laat weten wat jou uitkomt. De bezorger ziet het meteen.",
        "choice_neighbour": "Bij de buren afgeven", "choice_neighbour_note": "Welke buren? (mag leeg blijven)",
        "choice_neighbour_placeholder": "bijv. nummer 12, of de gele deur",
        "choice_neighbour_submit": "Doorgeven aan de bezorger",
        "choice_slot": "Kies een nieuw moment", "choice_pickup": "Naar een afhaalpunt",
        "slots_title": "Kies een nieuw moment", "slots_none": "Sorry, de vervoerder heeft nu geen andere momenten.",
        "slots_back": "Terug naar je pakket",
        "pickup_title": "Kies een afhaalpunt", "pickup_none": "Sorry, er zijn geen afhaalpunten in de buurt.",
        "options_unavailable": "Sorry, we kunnen de vervoerder nu niet bereiken. Probeer het over een minuutje "
                               "opnieuw.",
        "rebooking_pending": "Dank je! We hebben je keuze doorgegeven aan de vervoerder. De bevestiging zie je "
                             "hier zo.",
        "rebooking_neighbour": "Geregeld: de bezorger geeft je pakket af bij de buren.",
        "rebooking_neighbour_note": "Geregeld: de bezorger geeft je pakket af bij de buren ({note}).",
        "delivered_neighbour": "Je pakket ligt bij de buren.",
        "delivered_neighbour_note": "Je pakket ligt bij de buren ({note}).",
        "rebooking_reschedule": "Geregeld: je pakket komt nu {slot}.",
        "rebooking_reschedule_unknown": "Geregeld: je pakket komt op het nieuwe moment dat je koos.",
        "rebooking_pickup_point": "Geregeld: je pakket gaat naar een afhaalpunt.",
        "rebooking_pickup_point_named": "Geregeld: je pakket gaat naar {name}.",
        "rebooking_refused": "Sorry, de vervoerder kon dat niet regelen. Kies een andere optie.",
        "choice_unavailable": "Die optie kan niet meer voor dit pakket.",
        "feedback_title": "Hoe ging de bezorging?",
        "feedback_rating": "Je cijfer", "feedback_poor": "slecht", "feedback_great": "top",
        "feedback_comment": "Wil je nog iets kwijt? (mag leeg blijven)",
        "feedback_submit": "Versturen", "feedback_update": "Mijn beoordeling aanpassen",
        "feedback_thanks": "Dank je wel! Je gaf de bezorging een {rating} van de 5.",
        "feedback_invalid": "Kies een cijfer van 1 tot 5.",
        "feedback_not_yet": "Je kunt de bezorging beoordelen zodra je pakket er is.",
        "extras_title": "Handig om te weten", "returns": "Iets retourneren", "invoice": "Je factuur",
        "faq_title": "Vragen", "cross_sell_cta": "Bekijk het",
        "not_found_title": "We kunnen dit pakket niet vinden",
        "not_found_text": "Deze link werkt niet (meer). Trackinglinks verlopen een tijdje na de bezorging. "
                          "Kijk in het laatste bericht of de laatste mail van de winkel voor een nieuwe link.",
        "footer": "Bezorgupdates door Bijna voor {shop}", "updated": "Werkt zichzelf bij",
        "today": "vandaag", "yesterday": "gisteren", "tomorrow": "morgen",
        "hide": "Verbergen",
    },
}

MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
}


def _load_languages() -> None:
    """Add the languages kept as files (languages/<code>.json: "words" like COPY's, "months"): fr, ..."""
    for path in sorted((Path(__file__).parent / "languages").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        COPY[path.stem], MONTHS[path.stem] = data["words"], tuple(data["months"])


_load_languages()
LANGUAGES = tuple(COPY)


def words(language: str | None) -> dict[str, str]:
    """Return the page's words in a language we speak, English when we don't."""
    return COPY[language if language in COPY else "en"]
