"""The texts an ETA calls for: arriving soon, a narrower window, a delay, "we're held up". Pure; see
app/notify/policy.py.

They speak from the carrier's ETA error model (app/eta, corrected by the route's day so far): "about N
minutes" is the arrival most often right within ±3 minutes (ABOUT_WITHIN), windows are the narrowest
holding 95 %, and a delay goes when the model is sure (DELAY_CONFIDENCE) that the window told will be
broken, or, as that window's end nears (DEADLINE_NEAR), as soon as the van is more likely late than not:
a late stop is warned before its window ends, and hours ahead one noisy ETA is never enough.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from app.eta import arrival_quantile, likeliest_arrival, median_arrival, narrowest_width, p_late, window_for
from app.notify.shipment_state import Decision, ShipmentState
from app.notify.statuses import IN_FLIGHT
from app.notify.windows import LATE_GRACE, minutes_away

# Arriving soon is worthless once the driver has been and gone: it lives until
# ETA + 5 min, at most 20 min (the default lead time plus a little).
ARRIVING_SOON_VALID_FOR = timedelta(minutes=20)
ARRIVING_SOON_AFTER_ETA = timedelta(minutes=5)
STALE_ETA = timedelta(minutes=5)  # an ETA further in the past is an old update
# A delay text an hour late has usually been overtaken by the next ETA.
DELAY_VALID_FOR = timedelta(hours=1)
DELAY_GRACE = LATE_GRACE  # 5 min: a window missed by minutes is not worth a text
DELAY_REPEAT_MARGIN = timedelta(minutes=30)  # after arriving_soon, less is jitter, not news
DELAY_CONFIDENCE = 0.9  # how sure the model must be that the told window breaks
DELAY_HORIZON = timedelta(hours=1)  # further ahead, wait: the next ETAs know better (2 h: 2.4 false per 100)
# Near the end of the told window, wait no longer for certainty: the last pushes before it ends must
# warn every stop that will miss it. The confidence asked falls from DELAY_CONFIDENCE to DEADLINE_LAST_CALL.
DEADLINE_NEAR = timedelta(minutes=20)
DEADLINE_LAST_CALL = 0.5
# Arriving soon goes when this quantile of the arrival is within the lead time: the median, so that
# the warning lands as often a little early as a little late around the lead.
SOON_QUANTILE = 0.5
# "About N minutes" says the arrival the model most often gets right within this, not its median: a long stop or
# a jam after the text makes the van late by many minutes, seldom early by as many, and that tail pulls the median
# late of where most vans come (planner days, 20 unseen: 61 % right within ±3 by the median, 63 % by this).
ABOUT_WITHIN = timedelta(minutes=3)
SOON_AGREE = timedelta(minutes=10)  # a previous ETA further off is old news (a jam ended, stops swapped)
# A narrower window is worth a text when it is at most this wide, the one told was at least WORTH wider,
# and the van is WINDOW_UPDATE_AHEAD away: early enough to plan around it, late enough to be sure.
WINDOW_UPDATE_WIDTH = timedelta(minutes=60)
WINDOW_UPDATE_WORTH = timedelta(minutes=80)
WINDOW_UPDATE_AHEAD = (timedelta(minutes=60), timedelta(minutes=120))
WINDOW_UPDATE_VALID_FOR = timedelta(minutes=30)
# Told by text, a narrow window is judged like any other and delays follow it: it is chosen to hold more
# often than the 95 % asked, so that the narrowing costs no broken promises.
WINDOW_UPDATE_COVERAGE = 0.98
HELD_UP_AFTER = timedelta(minutes=15)  # past the ETA this long after "almost there": say so (scans lag)
HELD_UP_VALID_FOR = timedelta(minutes=30)


def spoken_minutes(minutes: int) -> int:
    """Say minutes as a promise: exact up to 20 (rounding to 5 there costs up to 2.5 minutes of truth), else to 5."""
    if minutes <= 20:
        return max(minutes, 1)
    return 5 * math.floor(minutes / 5 + 0.5)


def arriving_soon(state: ShipmentState, now: datetime) -> Decision | None:
    """Return the arriving_soon text if it is due now."""
    if state.status not in IN_FLIGHT or state.eta is None or "arriving_soon" in state.sent:
        return None
    ahead, lead = state.eta - now, timedelta(minutes=state.lead_minutes)
    if ahead > 2 * lead or ahead < -STALE_ETA:
        return None  # far away (most stops on most pushes: no model needed), or a stale update
    if _soon_quantile(state, state.eta, now) - now > lead:
        return None  # due when the van is likely within lead time, not when its ETA is
    previous = state.previous_eta
    if previous is not None and abs(previous - state.eta) <= SOON_AGREE:
        if _soon_quantile(state, previous, now) - now > lead:
            return None  # one ETA alone (a wild guess) does not say "almost there": the one before must agree
        ahead = (state.eta - now + previous - now) / 2  # two ETAs average out some of the planner's jitter
    said = likeliest_arrival(now + ahead, ahead, ABOUT_WITHIN, state.calibration)
    valid_for = min(ARRIVING_SOON_VALID_FOR, max(ahead, timedelta(0)) + ARRIVING_SOON_AFTER_ETA)
    window_from, window_to = window_for(state.eta, ahead, state.calibration)
    context = {
        "eta": said,
        "minutes": spoken_minutes(minutes_away(said, now)),
        "window_from": window_from,
        "window_to": window_to,
        "two_way": state.two_way,
    }
    return Decision("arriving_soon", True, valid_for, context)


def _soon_quantile(state: ShipmentState, eta: datetime, now: datetime) -> datetime:
    return arrival_quantile(eta, eta - now, SOON_QUANTILE, state.calibration)


def delay(state: ShipmentState, now: datetime) -> Decision | None:
    """Return the delay text if the model is sure the told window will be broken."""
    eta = state.eta
    if state.status not in IN_FLIGHT or eta is None or state.window_end is None or eta <= now:
        return None
    if state.last_delay_eta is None and "delay" in state.sent:
        return None  # queued but not yet recorded: never a second "first" delay
    if "arriving_soon" in state.sent and (
        eta - now < timedelta(minutes=state.lead_minutes) + DELAY_REPEAT_MARGIN
    ) and not _deadline_near(state, now):
        return None  # near the told window's end a miss is news even after "almost there" (minutes are no window)
    if not _sure_to_break(state, eta, now):
        return None
    new_from, new_to = window_for(eta, eta - now, state.calibration)
    context = {
        "new_eta": eta,
        "new_window_from": new_from,
        "new_window_to": new_to,
        "window_from": state.window_start,
        "window_to": state.window_end,
        "two_way": state.two_way,
    }
    return Decision("delay", True, DELAY_VALID_FOR, context)


def _deadline_near(state: ShipmentState, now: datetime) -> bool:
    """Tell whether the told window ends within DEADLINE_NEAR (and has not ended)."""
    return now < state.window_end <= now + DEADLINE_NEAR


def _sure_to_break(state: ShipmentState, eta: datetime, now: datetime) -> bool:
    """Tell whether the told window will be broken surely enough to say so now."""
    end = state.window_end
    if _deadline_near(state, now):
        # The closer the end, the less certainty it takes: at the end a late stop must have been warned.
        share = (end - now) / DEADLINE_NEAR
        needed = DEADLINE_LAST_CALL + (DELAY_CONFIDENCE - DEADLINE_LAST_CALL) * share
        return p_late(eta, eta - now, end, state.calibration) >= needed
    deadline = end + DELAY_GRACE
    return deadline - now <= DELAY_HORIZON and p_late(eta, eta - now, deadline, state.calibration) >= DELAY_CONFIDENCE


def window_update(state: ShipmentState, now: datetime) -> Decision | None:
    """Return a narrower window, once, when it changes what the recipient can plan (see WINDOW_UPDATE_*)."""
    eta = state.eta
    if (state.status not in IN_FLIGHT or eta is None or state.window_start is None or state.window_end is None
            or state.sent & {"window_update", "arriving_soon", "delay"} or "out_for_delivery" not in state.sent):
        return None
    median = median_arrival(eta, eta - now, state.calibration)
    if not WINDOW_UPDATE_AHEAD[0] <= median - now <= WINDOW_UPDATE_AHEAD[1]:
        return None
    if narrowest_width(eta - now, state.calibration, WINDOW_UPDATE_COVERAGE) > WINDOW_UPDATE_WIDTH:
        return None  # no window on the grid can be narrower (cached per lead: a route push asks for dozens)
    new_from, new_to = window_for(eta, eta - now, state.calibration, WINDOW_UPDATE_COVERAGE)
    told = state.window_end - state.window_start
    if new_to - new_from > WINDOW_UPDATE_WIDTH or told - (new_to - new_from) < WINDOW_UPDATE_WORTH:
        return None
    if new_to > state.window_end or new_from < now:
        return None  # later than told is a delay's business; a window already open is no plan
    context = {"window_from": new_from, "window_to": new_to, "two_way": state.two_way}
    return Decision("window_update", True, WINDOW_UPDATE_VALID_FOR, context)


def held_up(state: ShipmentState, now: datetime) -> Decision | None:
    """Return "we're held up" once, when the van stalls after arriving_soon promised it."""
    if state.status not in IN_FLIGHT or state.eta is None or "arriving_soon" not in state.sent:
        return None
    if "held_up" in state.sent:
        return None
    stalled = now - state.eta >= HELD_UP_AFTER
    slipped = state.window_end is not None and state.eta > now and p_late(
        state.eta, state.eta - now, state.window_end + DELAY_GRACE, state.calibration) >= DELAY_CONFIDENCE
    if not (stalled or slipped):
        return None
    return Decision("held_up", True, HELD_UP_VALID_FOR, {"two_way": state.two_way})
