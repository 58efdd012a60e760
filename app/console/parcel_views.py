"""One parcel in the console: its whole story, and what the desk can do about it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.clock import now as clock_now
from app.console import actions, tickets
from app.console.auth import staff_required
from app.console.forms import AnswerForm, NoteForm, TicketForm
from app.console.search import shop_parcel
from app.console.story import parcel_story
from app.console.views import guard
from app.extensions import db
from app.models import Shop
from app.urls import tracking_url

bp = Blueprint("console_parcels", __name__, url_prefix="/console")
guard(bp)


def _parcel(shipment_id: str):
    # Every lookup is filtered by the staff member's shop: another shop's id is simply not found.
    shipment = shop_parcel(current_user.shop_id, shipment_id)
    if shipment is None:
        abort(404)
    return shipment


def _back(shipment_id: str, anchor: str = ""):
    return redirect(url_for(".story", shipment_id=shipment_id) + anchor)


@bp.get("/parcels/<shipment_id>")
@staff_required
def story(shipment_id: str):
    """Show one parcel's whole story, the thread with the recipient and the actions."""
    shipment = _parcel(shipment_id)
    return render_template("console/parcel.html", story=parcel_story(shipment),
                           tracking_link=tracking_url(shipment.tracking_token), answer_form=AnswerForm(),
                           note_form=NoteForm(), ticket_form=TicketForm(), desk_actions=actions.DESK_ACTIONS)


@bp.post("/parcels/<shipment_id>/texts")
@staff_required
def pause_texts(shipment_id: str):
    """Pause (paused=1) or resume (paused=0) the parcel's automatic texts."""
    return _switch(shipment_id, "paused", actions.set_texts_paused,
                   ("Texts paused for this parcel.", "Texts resumed for this parcel."))


@bp.post("/parcels/<shipment_id>/vip")
@staff_required
def mark_vip(shipment_id: str):
    """Mark (vip=1) or unmark (vip=0) the recipient as VIP."""
    return _switch(shipment_id, "vip", actions.set_vip, ("Marked as VIP.", "No longer VIP."))


def _switch(shipment_id: str, field: str, act, said: tuple[str, str]):
    """Turn one of the parcel's switches on (field=1) or off, as the staff member logged in."""
    on = request.form.get(field) == "1"
    act(_parcel(shipment_id), on, current_user, clock_now())
    flash(said[0] if on else said[1])
    return _back(shipment_id)


@bp.post("/parcels/<shipment_id>/notes")
@staff_required
def add_note(shipment_id: str):
    """Write a note on the parcel."""
    shipment, form = _parcel(shipment_id), NoteForm()
    if not form.validate():
        flash("Write a note of at most 4000 characters.")
        return _back(shipment_id, "#notes")
    actions.add_note(shipment, current_user.id, current_user.email, form.body.data, clock_now())
    return _back(shipment_id, "#notes")


@bp.post("/parcels/<shipment_id>/tracking-link")
@staff_required
def resend_tracking_link(shipment_id: str):
    """Text the recipient their tracking link again (held until quiet hours end)."""
    return _text(shipment_id, lambda shipment: actions.send_tracking_link(shipment, current_user, clock_now()),
                 "The tracking link is on its way.")


@bp.post("/parcels/<shipment_id>/answer")
@staff_required
def answer(shipment_id: str):
    """Answer the recipient by text, through the outbox (quiet hours and opt-out respected)."""
    form = AnswerForm()
    if not form.validate():
        flash("Write an answer of at most 480 characters.")
        return _back(shipment_id, "#thread")
    shop = db.session.get(Shop, current_user.shop_id)
    return _text(shipment_id, lambda shipment: actions.answer_recipient(
        shipment, shop, form.answer.data, current_user, clock_now()), "Your answer is on its way.")


def _text(shipment_id: str, send, done: str):
    shipment = _parcel(shipment_id)
    try:
        send(shipment)
    except actions.ActionRefused as refused:
        flash(str(refused), "error")
        return _back(shipment_id, "#thread")
    flash(done)
    return _back(shipment_id, "#thread")


@bp.post("/parcels/<shipment_id>/tickets")
@staff_required
def open_ticket(shipment_id: str):
    """Open a ticket on the parcel by hand."""
    shipment, form = _parcel(shipment_id), TicketForm()
    if not form.validate():
        flash("Say in a few words what is wrong (at most 500 characters).")
        return _back(shipment_id, "#tickets")
    tickets.open_ticket(shipment.shop_id, shipment.id, "manual", form.summary.data, clock_now(),
                        urgent=request.form.get("urgent") == "1", opened_by=current_user.id)
    db.session.commit()
    return _back(shipment_id, "#tickets")


@bp.post("/tickets/<ticket_id>/close")
@staff_required
def close_ticket(ticket_id: str):
    """Close one of the shop's tickets."""
    ticket = tickets.shop_ticket(current_user.shop_id, ticket_id)
    if ticket is None:
        abort(404)
    tickets.close_ticket(ticket, clock_now(), closed_by=current_user.id)
    db.session.commit()
    return _back(ticket.shipment_id, "#tickets")
