"""What the exception ladder adds to the tracking page: the compensation code, and "report a problem".

The button shows when the parcel has been quiet for long (as long as the shop's ticket step
waits, 48 h by default) or after a failed delivery attempt: the moments a recipient wonders
whether anyone knows. The page's token is the only credential, as for its other forms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.exceptions.pool import issued_code
from app.exceptions.settings import shop_rules
from app.extensions import db
from app.models import Shipment, Ticket
from app.notify.statuses import TERMINAL

MIN_QUIET = timedelta(hours=24)  # a shop's ticket step set lower than this still waits a day for the button

WORDS = {
    "en": {"code_title": "Sorry for the wait", "code_text": "Here is a code from {shop} for your patience:",
           "report_title": "Something wrong?", "report_intro": "Tell {shop} what is going on; they will get back "
           "to you.", "report_label": "What happened?", "report_submit": "Send to {shop}",
           "report_thanks": "Thank you: {shop} has your message and will look into it.",
           "report_empty": "Please tell us in a few words what is going on."},
    "nl": {"code_title": "Sorry voor het wachten", "code_text": "Een code van {shop} als dank voor je geduld:",
           "report_title": "Klopt er iets niet?", "report_intro": "Laat {shop} weten wat er aan de hand is; ze "
           "komen bij je terug.", "report_label": "Wat is er gebeurd?", "report_submit": "Stuur naar {shop}",
           "report_thanks": "Dank je: {shop} heeft je bericht en zoekt het uit.",
           "report_empty": "Vertel in een paar woorden wat er aan de hand is."},
}


@dataclass(frozen=True)
class LadderCard:
    """The ladder's part of the page: a code to show, and whether the recipient may report a problem."""

    words: dict
    code: str | None = None
    can_report: bool = False
    reported: bool = False


def ladder_card(shipment: Shipment, now: datetime) -> LadderCard:
    """Gather the ladder's part of the page for a parcel."""
    language = (shipment.recipient_language or shipment.shop.language or "en").split("-")[0].lower()
    words = {key: text.format(shop=shipment.shop.name) for key, text in WORDS.get(language, WORDS["en"]).items()}
    reported = db.session.execute(select(Ticket.id).where(
        Ticket.shipment_id == shipment.id, Ticket.kind == "problem_report", Ticket.status == "open",
        Ticket.opened_by == "recipient").limit(1)).scalar() is not None
    return LadderCard(words=words, code=issued_code(shipment.id), can_report=may_report(shipment, now),
                      reported=reported)


def may_report(shipment: Shipment, now: datetime) -> bool:
    """Whether the page offers "report a problem": quiet for long, or after a failed attempt."""
    if shipment.status in TERMINAL:
        return False
    if shipment.status == "failed_attempt" or (shipment.attempt or 1) > 1:
        return True
    quiet = max(timedelta(hours=shop_rules(shipment.shop_id).ticket_after_hours), MIN_QUIET)
    return shipment.status_at is not None and now - shipment.status_at >= quiet
