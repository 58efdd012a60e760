"""The recipient's tracking page /t/<token>: the story, the live window, choices and feedback.

The token in the URL is the only credential (192 bits). Every answer carries the privacy
headers; forms post back here and redirect (303) to the page, which shows the outcome.
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from app.clock import now
from app.tracking import choices
from app.tracking.copy import words
from app.tracking.feedback import FeedbackRefused, record_feedback
from app.tracking.headers import add_page_headers
from app.tracking.lookup import page_facts, shipment_by_token
from app.tracking.service import build_page
from app.tracking.theme import theme_css

bp = Blueprint("tracking", __name__, url_prefix="/t")
bp.after_request(add_page_headers)
POLL_SECONDS = 20  # config TRACKING_POLL_SECONDS overrides (the browser test polls faster)


def _shipment(token: str):
    shipment = shipment_by_token(token, now())
    if shipment is None:
        abort(404)
    return shipment


def _render(shipment, template: str = "tracking.html", *, status: int = 200, error_key: str | None = None,
            **context):
    page = build_page(page_facts(shipment), now())
    t = words(page.language)
    html = render_template(template, page=page, t=t, shop=shipment.shop, token=shipment.tracking_token,
                           error=t[error_key] if error_key else None,
                           poll_seconds=current_app.config.get("TRACKING_POLL_SECONDS", POLL_SECONDS), **context)
    return html, status


def _options(shipment, template: str, listing, action: str, *, status: int = 200, error_key: str | None = None):
    """Render a page of slots or pickup points, or say the carrier is unreachable just now."""
    try:
        options = listing()
    except choices.CarrierQuiet:
        return _render(shipment, template, status=503, error_key="options_unavailable", options=[], action=action)
    return _render(shipment, template, status=status, error_key=error_key, options=options, action=action)


@bp.errorhandler(404)
def not_found(error):
    """Answer an unknown or expired link with a friendly page in the reader's language."""
    if request.path.endswith(".json"):
        return {"error": {"code": "not_found", "message": "No such parcel.", "fields": {}}}, 404
    language = request.accept_languages.best_match(["nl", "en"]) or "en"
    return render_template("not_found.html", t=words(language), language=language), 404


@bp.get("/<token>")
def show(token: str):
    """Show the parcel's page."""
    return _render(_shipment(token))


@bp.get("/<token>.json")
def live(token: str):
    """Return the page's live parts for the polling script."""
    return build_page(page_facts(_shipment(token)), now()).live_json()


@bp.get("/<token>/theme.css")
def theme(token: str):
    """Serve the shop's colours as CSS variables (the CSP forbids inline styles)."""
    return theme_css(_shipment(token).shop.branding or {}), 200, {"Content-Type": "text/css; charset=utf-8"}


@bp.post("/<token>/feedback")
def feedback(token: str):
    """Store the recipient's 1-5 rating and comment; a second one updates the first."""
    shipment = _shipment(token)
    if shipment.status != "delivered":
        return _render(shipment, status=409, error_key="feedback_not_yet")
    rating = request.form.get("rating", "")
    try:
        record_feedback(shipment, int(rating) if re.fullmatch(r"[1-5]", rating) else 0,
                        request.form.get("comment"), "page", now())
    except FeedbackRefused:
        return _render(shipment, status=422, error_key="feedback_invalid")
    return _back(token, "feedback")


@bp.post("/<token>/neighbour")
def neighbour(token: str):
    """Ask the courier to leave the parcel with the neighbours, with an optional note."""
    note = (request.form.get("note") or "").strip()[:choices.MAX_NOTE]
    return _choose(_shipment(token), "neighbour", {"note": note or None})


@bp.get("/<token>/slots")
def slots(token: str):
    """List the new delivery slots the carrier offers."""
    shipment = _shipment(token)
    return _options(shipment, "options.html", lambda: _if_open(shipment, choices.slots_for), "reschedule")


@bp.post("/<token>/slots")
def reschedule(token: str):
    """Move the delivery to the chosen slot (only one the carrier offers now)."""
    return _choose_offered(_shipment(token), choices.slots_for, "reschedule", request.form.get("slot_id", ""))


@bp.get("/<token>/pickup-points")
def pickup_points(token: str):
    """List the pickup points near the parcel."""
    shipment = _shipment(token)
    return _options(shipment, "options.html", lambda: _if_open(shipment, choices.pickup_points_for), "pickup_point")


@bp.post("/<token>/pickup-points")
def pickup_point(token: str):
    """Send the parcel to the chosen pickup point (only one the carrier offers now)."""
    return _choose_offered(_shipment(token), choices.pickup_points_for, "pickup_point",
                           request.form.get("pickup_point_id", ""))


def _carrier_timeout() -> float:
    """How long a page may wait for the carrier: its own budget, less when the operator configured less."""
    return min(choices.CARRIER_TIMEOUT, float(current_app.config["CARRIER_TIMEOUT_SECONDS"]))


def _if_open(shipment, listing):
    """Ask the carrier only while choices are open; otherwise there is nothing to list."""
    return listing(shipment, now(), _carrier_timeout()) if build_page(page_facts(shipment), now()).choices_open else []


def _choose_offered(shipment, listing, action: str, option_id: str):
    """Book an option only if the carrier offers it right now (a stale or forged id gets the list again)."""
    try:
        option = choices.offered(listing(shipment, now(), _carrier_timeout()), option_id)
    except choices.CarrierQuiet:
        option = None
    if option is None:
        return _options(shipment, "options.html", lambda: _if_open(shipment, listing), action, status=409,
                        error_key="choice_unavailable")
    return _choose(shipment, action, option.params)


def _choose(shipment, action: str, params: dict):
    """Hand the choice to the same rebooking path an SMS reply takes; show the outcome on the page."""
    still_open = build_page(page_facts(shipment), now()).choices_open
    if not still_open or not choices.choose(shipment, action, params, now()):
        return _render(shipment, status=409, error_key="choice_unavailable")
    return _back(shipment.tracking_token, "rebooking")


def _back(token: str, anchor: str):
    return redirect(url_for("tracking.show", token=token, _anchor=anchor), 303)
