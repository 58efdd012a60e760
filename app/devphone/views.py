"""The phone simulator's page: every number's texts as chat bubbles, and a reply box per number."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from app.clock import now
from app.devphone.reply import enabled, reply_as_recipient
from app.devphone.times import local_time, thread_zones
from app.extensions import redis_connection
from app.sms.simulator_provider import simulated_threads
from app.tracking.headers import add_page_headers

bp = Blueprint("devphone", __name__, url_prefix="/dev/phone")
bp.after_request(add_page_headers)
MAX_BODY = 1600  # what Twilio delivers at most
_URL = re.compile(r"(https?://\S+)")


def body_parts(body: str) -> list[tuple[bool, str]]:
    """Split a text into (is_link, part) so the page can make the tracking link clickable (escaped)."""
    return [(bool(_URL.fullmatch(part)), part) for part in _URL.split(body) if part]


@bp.before_request
def only_with_the_simulator():
    """Exist only with the simulator provider and never in production (checked on every request)."""
    if not enabled(current_app.config):
        abort(404)


@bp.get("")
def phone():
    """Show the texts Bijna sent, per number, newest conversation first."""
    threads = simulated_threads(redis_connection(), limit=50)
    return render_template("devphone.html", threads=threads, body_parts=body_parts, selected=request.args.get("number"),
                           outcome=request.args.get("webhook"), zones=thread_zones(threads), now=now(),
                           local_time=local_time)


@bp.get("/latest.json")
def latest():
    """Return the newest text's id, so the page reloads only when something arrived."""
    threads = simulated_threads(redis_connection(), limit=50)
    newest = None
    for text in (text for thread in threads.values() for text in thread):
        # On a tie the later one wins, as in phone.js: Twilio's answer shares its reply's moment.
        if newest is None or text["created_at"] >= newest["created_at"]:
            newest = text
    return {"latest": newest["sid"] if newest else None}


@bp.post("/reply")
def reply():
    """Reply as the recipient: through the real, signed inbound webhook."""
    number = (request.form.get("number") or "").strip()
    body = (request.form.get("body") or "").strip()[:MAX_BODY]
    if not number.startswith("+") or not number[1:].isdigit() or not body:
        abort(400, "A reply needs a number in E.164 and a text.")
    outcome = reply_as_recipient(current_app._get_current_object(), redis_connection(), number, body, now())
    return redirect(url_for("devphone.phone", number=number, webhook=outcome.status, _anchor=f"n{number[1:]}"), 303)
