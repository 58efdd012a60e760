"""The exception ladder on the tracking page /t/<token>: its card on the page, and the problem report form.

The card reaches the page through a template function (the page's own views need not know the
ladder, and app.tracking stays free of imports from here). The form posts back under /t/<token>:
the token is the only credential, as for the page's other forms, and the same privacy headers apply.
"""

from __future__ import annotations

from flask import Blueprint, abort, request

from app.clock import now
from app.exceptions.page import LadderCard, ladder_card
from app.exceptions.tickets import report_problem
from app.tracking.headers import add_page_headers
from app.tracking.lookup import shipment_by_token

bp = Blueprint("problem_report", __name__, url_prefix="/t")
bp.after_request(add_page_headers)


@bp.app_context_processor
def _ladder_on_the_page() -> dict:
    return {"exception_ladder": _card_for}


def _card_for(token: str) -> LadderCard | None:
    shipment = shipment_by_token(token, now())
    return ladder_card(shipment, now()) if shipment is not None else None


@bp.post("/<token>/problem")
def report(token: str):
    """Pass the recipient's own words about a problem to the shop's service desk as a ticket."""
    from app.tracking.views import _back, _render  # the page's own rendering, errors included

    shipment = shipment_by_token(token, now())
    if shipment is None:
        abort(404)
    said = (request.form.get("words") or "").strip()
    card = ladder_card(shipment, now())
    if not card.can_report:
        return _render(shipment, status=409, ladder=card)
    if not said:
        return _render(shipment, status=422, ladder=card, ladder_error=True)
    report_problem(shipment, said, now())
    return _back(token, "problem")
