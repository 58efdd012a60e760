"""Decide which text a shipment's recipient gets, and when. Pure: values in, decisions out.

Callers build a `ShipmentState` from the database *after* applying the update, call
`decide_on_status` (status changed), `decide_on_eta` (ETA changed) or `decide_on_update`
(either), record every returned `Decision` as a message, and render it with
`templates.render(decision.kind, ...)` after `templates.localize(decision.context, tz)`.

Rules
- Nothing at all when notifications are off or the recipient opted out, and nothing
  after the shipment ended (status delivered/cancelled/returned, or a text for one of
  those already went out, which also covers events arriving out of order). The one text
  an ending gets is its own status text on the transition: "delivered" (asking a 1-5
  rating when two-way) and, if the shop enabled them, "returned"/"cancelled".
- arriving_soon and delay are the product's core: always on, never gated by
  `enabled_statuses`. A status text, out_for_delivery included, is sent only if the shop
  enabled it, once per shipment; failed_attempt may repeat (each attempt is news).
Every time told comes from the carrier's ETA error model (app/eta, `state.calibration`;
None is the conservative prior): a window is the narrowest that holds the arrival 95 % of
the time at the current lead, so it is wide in the morning and narrows as the van nears.

- out_for_delivery: once, with the calibrated window from the ETA, else the promised
  window, else no time at all (context["window_source"] says which). When the scan comes
  before any ETA it waits up to FIRST_ETA_WAIT (from `status_at`) for the route's first
  ETA rather than tell the shop's five hours that ETA would contradict: the first ETA
  sends it (`decide_on_eta`), or after the wait `decide_on_clock` (the sweeper) sends it
  with what is known. If arriving_soon is already due, only arriving_soon goes: two texts
  a minute apart would be spam.
- arriving_soon: once, when the model's SOON_QUANTILE arrival - now <= lead time (carriers' ETAs
  run early or late by a learnable bias); an ETA up to STALE_ETA in the
  past still counts (the driver is at the door), an older one is a stale update.
  `sent` is what makes it once: jitter around the threshold and late or out-of-order
  updates find the kind there and return nothing. "About N minutes" is the model's
  likeliest arrival (most often right within ±ABOUT_WITHIN), not the raw ETA (carriers' ETAs
  run early) nor the median (a tail of jams after the text pulls it late).
- delay: only when the model is confident (p_late >= DELAY_CONFIDENCE) that the van comes
  after the told window's end + DELAY_GRACE, and that end is at most DELAY_HORIZON away
  (hours ahead one noisy ETA is no news, and a false apology is a broken promise too);
  or, once the told window ends within DEADLINE_NEAR, as soon as p_late(window end) reaches a
  confidence that falls toward DEADLINE_LAST_CALL at the end: every stop that will miss its
  window is warned before it ends.
  Its new window is calibrated like the morning one and becomes the told window, so a
  second delay needs that window broken with the same confidence. Only while in flight.
  After arriving_soon went out the recipient already has a fresher estimate, so a delay
  then needs the driver to be at least lead time + DELAY_REPEAT_MARGIN away again, or the
  told window's end within DEADLINE_NEAR (a late stop is warned whatever it was told since).
- window_update: once, before arriving_soon and any delay, when the van is 60-120 minutes away
  (median) and the calibrated window is at most an hour wide and at least half an hour narrower
  than the one told, inside it: a window one can plan the hour around, at least an hour ahead.
  It becomes the told window. (The tracking page shows the live window, narrowing, always.)
- held_up: once, after arriving_soon, when the van stalls: the ETA is HELD_UP_AFTER in the
  past and the parcel has not come (planners that keep the ETA while the van stands still),
  or the model is sure the van misses the arriving-soon window (planners that slide the ETA).
- Earlier than expected gets no text: the window was chosen to hold early arrivals too,
  and arriving_soon still warns 15 minutes ahead of whenever the van comes.
- One update gives at most one text.

Daily cap: every text counts, and nothing goes once texts_today >= daily_cap. While the
parcel is in flight and arriving_soon has not gone yet, RESERVED_FOR_ARRIVING_SOON slot
is kept free for it: the cap exists against chatty status flapping, and must never
starve the one text the product is for. (A cap of 1 therefore means "arriving_soon only".)

Urgency: texts about a delivery happening now (out_for_delivery, arriving_soon, delay)
are urgent and ignore quiet hours; status texts are not and wait for the morning
(`quiet_hours.defer_until`). Validity counts from when a text is due (its creation,
or the end of quiet hours when deferred); past it the text must expire, not arrive late.

Contract with callers (state the policy cannot see)
- After sending out_for_delivery, store context["window_from"/"window_to"] as the
  shipment's window_start/window_end: it is the promise the recipient now holds and
  delay is measured against it.
- After sending delay, store context["new_eta"] as last_delay_eta and the new window as
  the told one (announced_start/announced_end): the next delay is judged against it.
- arriving_soon does not change a told window: it says minutes, not a window, so the
  window the texts showed stays the promise a delay is judged against (only when it is the
  first text, store its context["window_from"/"window_to"] as the told window) (measured: judging
  delays after it against its own window sent 1.6 false delays per 100 stops, against the
  window shown 0.2, with every late stop warned).
- `sent`: include queued texts. Reset out_for_delivery, arriving_soon, delay and
  last_delay_eta when a failed_attempt is recorded: the next attempt is a new run.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from app.eta import window_for
from app.notify.eta_texts import (  # noqa: F401  (re-exported: callers read the rules' figures here)
    ARRIVING_SOON_VALID_FOR,
    DELAY_CONFIDENCE,
    DELAY_HORIZON,
    HELD_UP_AFTER,
    arriving_soon,
    delay,
    held_up,
    spoken_minutes,
    window_update,
)
from app.notify.shipment_state import Decision, ShipmentState  # noqa: F401  (re-exported)
from app.notify.statuses import IN_FLIGHT, TERMINAL
from app.notify.windows import is_today

# Statuses with a text of the same name; "registered" has none (the shop already
# confirmed the order). out_for_delivery is handled on its own (narrowed window).
STATUS_KINDS = frozenset({
    "sorted", "in_transit", "delayed", "exception", "failed_attempt",
    "delivered", "returned", "cancelled",
})
REPEATABLE_STATUS_KINDS = frozenset({"failed_attempt"})
URGENT_KINDS = frozenset({"out_for_delivery", "arriving_soon", "delay", "held_up", "window_update"})

# A one-hour window told two hours late is still mostly ahead of the recipient.
OUT_FOR_DELIVERY_VALID_FOR = timedelta(hours=2)
# Status news stays true for the day; 10 h is also Twilio's maximum ValidityPeriod.
STATUS_VALID_FOR = timedelta(hours=10)
FIRST_ETA_WAIT = timedelta(minutes=25)  # routes' first ETAs follow the loading scan within minutes
RESERVED_FOR_ARRIVING_SOON = 1


def _silenced(state: ShipmentState) -> bool:
    """Tell whether the recipient must get nothing at all."""
    return not state.notify or state.opted_out


def _finished(state: ShipmentState) -> bool:
    """Tell whether the shipment ended (by status, or by a text that already said so)."""
    return state.status in TERMINAL or bool(state.sent & TERMINAL)


def _within_cap(state: ShipmentState, kind: str) -> bool:
    """Apply the daily cap, keeping a slot free for a pending arriving_soon."""
    if state.texts_today >= state.daily_cap:
        return False
    reserving = (
        kind != "arriving_soon"
        and "arriving_soon" not in state.sent
        and state.status in IN_FLIGHT
    )
    return not reserving or state.texts_today < state.daily_cap - RESERVED_FOR_ARRIVING_SOON


def _out_for_delivery(state: ShipmentState, now: datetime) -> Decision:
    """Return the out_for_delivery text with the best window known.

    It is urgent only for a delivery today: a route planned the evening before is news for
    the morning, so it waits for quiet hours to end like any other news.
    """
    if state.eta is not None:
        (window_from, window_to), source = window_for(state.eta, state.eta - now, state.calibration), "eta"
    elif state.window_start is not None and state.window_end is not None:
        window_from, window_to, source = state.window_start, state.window_end, "promised"
    else:
        window_from, window_to, source = None, None, "none"
    context = {
        "window_from": window_from,
        "window_to": window_to,
        "window_source": source,
        "two_way": state.two_way,
    }
    urgent = window_from is None or is_today(window_from, now, state.timezone)
    return Decision("out_for_delivery", urgent, OUT_FOR_DELIVERY_VALID_FOR, context)


def _awaiting_first_eta(state: ShipmentState, now: datetime) -> bool:
    """Tell whether out_for_delivery should still wait for the route's first ETA."""
    return state.eta is None and state.status_at is not None and now - state.status_at < FIRST_ETA_WAIT


def first_eta_wait_ends(state: ShipmentState, now: datetime) -> datetime | None:
    """Return when a held out_for_delivery text goes anyway, or None when nothing is held.

    The caller records it and has the sweeper call `decide_on_clock` then.
    """
    if _silenced(state) or _finished(state) or not _out_for_delivery_owed(state):
        return None
    return state.status_at + FIRST_ETA_WAIT if _awaiting_first_eta(state, now) else None


def _out_for_delivery_owed(state: ShipmentState) -> bool:
    """Tell whether the out_for_delivery text is due but has not gone (nor been made moot)."""
    return (state.status == "out_for_delivery" and "out_for_delivery" in state.enabled_statuses
            and not state.sent & {"out_for_delivery", "arriving_soon"})


def _held_out_for_delivery(state: ShipmentState, now: datetime) -> Decision | None:
    """Return the out_for_delivery text held for a first ETA, once there is one or the wait is over."""
    if not state.held_for_eta or not _out_for_delivery_owed(state) or _awaiting_first_eta(state, now):
        return None
    return _out_for_delivery(state, now)


def _status_text(state: ShipmentState, now: datetime) -> Decision | None:
    """Return the text the new status calls for, if any."""
    if state.status == "out_for_delivery":
        if "arriving_soon" in state.sent:
            return None
        due = arriving_soon(state, now)  # core: due even when the shop disabled the status
        if due is not None or "out_for_delivery" in state.sent:
            return due
        if "out_for_delivery" not in state.enabled_statuses or _awaiting_first_eta(state, now):
            return None
        return _out_for_delivery(state, now)
    kind = state.status
    if kind not in STATUS_KINDS or kind not in state.enabled_statuses:
        return None
    if kind in state.sent and kind not in REPEATABLE_STATUS_KINDS:
        return None
    if kind == "delayed" and "delay" in state.sent:
        return None  # they already have a concrete new time; "delayed" would be vaguer
    return Decision(kind, False, STATUS_VALID_FOR, {"status": kind, "two_way": state.two_way})


def decide_on_status(
    state: ShipmentState, previous_status: str | None, now: datetime
) -> list[Decision]:
    """Return the texts (zero or one) a change of status calls for."""
    if _silenced(state) or previous_status == state.status:
        return []
    if previous_status in TERMINAL or state.sent & TERMINAL:
        return []  # a parcel that ended does not come back to life by text
    decision = _status_text(state, now)
    return [decision] if decision is not None and _within_cap(state, decision.kind) else []


def decide_on_eta(state: ShipmentState, now: datetime) -> list[Decision]:
    """Return the texts (zero or one) a new ETA calls for: arriving_soon wins over the rest."""
    if _silenced(state) or _finished(state):
        return []
    for rule in (arriving_soon, _held_out_for_delivery, delay, window_update, held_up):
        decision = rule(state, now)
        if decision is not None and _within_cap(state, decision.kind):
            return [decision]
    return []


def decide_on_clock(state: ShipmentState, now: datetime) -> list[Decision]:
    """Return the text (zero or one) that time alone calls for: a held out_for_delivery whose wait ended.

    Called only for shipments whose out_for_delivery text was held (`first_eta_wait_ends`).
    """
    if _silenced(state) or _finished(state):
        return []
    decision = _held_out_for_delivery(replace(state, held_for_eta=True), now)
    return [decision] if decision is not None and _within_cap(state, decision.kind) else []


def decide_on_update(
    state: ShipmentState, previous_status: str | None, now: datetime
) -> list[Decision]:
    """Return the one text (if any) for an update that may change status and ETA at once.

    An urgent status text (out_for_delivery, or arriving_soon in its place) wins; else a
    text about the ETA (arriving_soon, delay) wins over routine status news, because it
    is more concrete ("new time 16:10" beats "your parcel is delayed").
    """
    by_status = decide_on_status(state, previous_status, now)
    if by_status and by_status[0].urgent:
        return by_status
    return decide_on_eta(state, now) or by_status


def still_wanted(kind: str, status: str, notify: bool, sent: frozenset[str]) -> bool:
    """Tell whether a text decided earlier (e.g. held overnight) should still go out; the send job asks
    right before every text goes."""
    if not notify:
        return False
    if kind == "silence_apology":  # "sorry it takes so long" is wrong once the parcel has arrived
        return status not in TERMINAL
    if kind in URGENT_KINDS:
        return status in IN_FLIGHT and status not in TERMINAL and not sent & TERMINAL
    if kind in STATUS_KINDS:
        return status == kind  # "in transit" is wrong news once it is delivered
    return True

