"""The sweep that climbs the exception ladder: find silent parcels, take each due step once.

Silent parcels are found per step with one indexed query over unfinished parcels whose last
carrier event is old enough (per shop: equal thresholds share a clause, shops on the defaults
share one) and that have no row for that step in this silence yet; at most BATCH per step per
sweep. Each parcel is then handled in its own transaction: its row is locked (a carrier event
arriving meanwhile waits, or ends the silence first), and each due step is recorded as a
(parcel, silence, step) row under a unique key together with what it did. Several clock
processes, restarts and retries therefore take each step once per silence.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select, text

from app.exceptions import steps
from app.exceptions.ladder import APOLOGY, COMPENSATION, STEPS, LadderRules, Silence, due_steps
from app.exceptions.pool import shops_with_codes
from app.exceptions.settings import custom_rules
from app.extensions import db
from app.messaging.compose import quiet_hours
from app.messaging.outbox import enqueue_due
from app.models import LadderStep, Shipment
from app.models.ladder import LIVE_SQL
from app.notify.quiet_hours import defer_until

log = logging.getLogger(__name__)

BATCH = 200  # parcels per step per sweep; the rest wait for the next sweep, seconds later
HORIZON = timedelta(days=30)  # quiet for longer is lost, not late: the ladder leaves it to people
DEFAULTS = LadderRules()


def climb_exception_ladder(now: datetime) -> int:
    """Take every ladder step now due for silent parcels; return how many steps were taken."""
    custom = custom_rules()
    taken = 0
    for shipment_id in silent_parcels(now, custom, shops_with_codes()):
        try:
            taken += climb(shipment_id, now, custom)
        except Exception:  # one parcel's trouble must not stop the others; it is tried again next sweep
            db.session.rollback()
            log.exception("exception ladder failed for shipment %s", shipment_id)
    return taken


def climb(shipment_id: str, now: datetime, custom: dict[str, LadderRules]) -> int:
    """Take the steps due for one parcel's current silence, in one transaction; return how many."""
    shipment = db.session.execute(select(Shipment).where(Shipment.id == shipment_id).with_for_update(of=Shipment)
                                  .execution_options(populate_existing=True)).scalar()
    if shipment is None or shipment.status_at is None:
        db.session.rollback()
        return 0
    rules, started = custom.get(shipment.shop_id, DEFAULTS), shipment.status_at
    due = due_steps(_silence(shipment), rules, now)
    if _quiet_hours(shipment, now):
        # An apology held overnight could land after a morning delivery: it waits and goes out fresh.
        due = [step for step in due if step.name != APOLOGY]
    taken = [result for step in due if (result := steps.take(shipment, step, started, rules, now)) is not None]
    db.session.commit()
    enqueue_due([row for result in taken for row in result.texts], now)
    webhooks = [webhook for result in taken for webhook in result.webhooks]
    if webhooks:
        from workers.shop_webhooks import enqueue_webhooks

        enqueue_webhooks(webhooks)
    return len(taken)


def _quiet_hours(shipment: Shipment, now: datetime) -> bool:
    shop = shipment.shop
    return defer_until(now, shop.timezone, *quiet_hours(shop)) is not None


def _silence(shipment: Shipment) -> Silence:
    """Read what was already done for this silence (and whether the parcel was ever compensated)."""
    rows = db.session.execute(select(LadderStep.step, LadderStep.silence_started_at).where(
        LadderStep.shipment_id == shipment.id)).all()
    done = frozenset(step for step, started in rows if started == shipment.status_at)
    compensated = any(step == COMPENSATION for step, _ in rows)
    return Silence(started_at=shipment.status_at, status=shipment.status, vip=shipment.vip,
                   promised_end=shipment.window_end, done=done, compensated=compensated)


def silent_parcels(now: datetime, custom: dict[str, LadderRules], with_codes: set[str]) -> list[str]:
    """Return the parcels with a ladder step due (a bounded batch per step), quietest first."""
    found: dict[str, None] = {}
    for step in STEPS:
        # Without a code there is nothing to give: those shops' parcels wait until the pool is refilled.
        eligible = with_codes if step == COMPENSATION else None
        clause = _old_enough(step, now, custom, eligible, Shipment.status_at)
        if clause is not None:
            found.update(dict.fromkeys(_query(step, now, Shipment.status_at, clause)))
    late = _late_beyond_limit(now, custom, with_codes)
    if late is not None:
        found.update(dict.fromkeys(_query(COMPENSATION, now, Shipment.window_end, late)))
    return list(found)


def _query(step: str, now: datetime, moment, clause) -> list[str]:
    return list(db.session.execute(candidates_statement(step, now, moment, clause)).scalars())


def candidates_statement(step: str, now: datetime, moment, clause):
    """Build one step's query: unfinished parcels in the index range, without that step's row yet."""
    mark = LadderStep.shipment_id == Shipment.id, LadderStep.step == step
    if step != COMPENSATION:  # compensation is once per parcel, the other steps once per silence
        mark += (LadderStep.silence_started_at == Shipment.status_at,)
    return (select(Shipment.id).where(text(LIVE_SQL), Shipment.status_at.is_not(None), moment > now - HORIZON,
                                      clause, ~exists().where(*mark)).order_by(moment).limit(BATCH))


def _old_enough(step: str, now: datetime, custom: dict[str, LadderRules], eligible: set[str] | None, moment):
    """Build "quiet long enough for this step" for every shop: one clause per distinct threshold."""
    by_threshold: dict[timedelta, list[str]] = defaultdict(list)
    for shop_id, rules in custom.items():
        threshold = rules.threshold(step)
        if threshold is not None and (eligible is None or shop_id in eligible):
            by_threshold[threshold].append(shop_id)
    clauses = [and_(Shipment.shop_id.in_(shops), moment <= now - threshold)
               for threshold, shops in by_threshold.items()]
    default = DEFAULTS.threshold(step)
    if default is not None:
        on_defaults = (Shipment.shop_id.in_(sorted(eligible - set(custom))) if eligible is not None
                       else Shipment.shop_id.notin_(list(custom)) if custom else None)
        if on_defaults is None:
            clauses.append(moment <= now - default)
        elif eligible is None or eligible - set(custom):
            clauses.append(and_(on_defaults, moment <= now - default))
    return or_(*clauses) if clauses else None


def _late_beyond_limit(now: datetime, custom: dict[str, LadderRules], with_codes: set[str]):
    """Build "past the promised window by more than the shop's limit" for shops that set one."""
    by_limit: dict[int, list[str]] = defaultdict(list)
    for shop_id, rules in custom.items():
        if rules.compensation_on and rules.compensation_delay_hours is not None and shop_id in with_codes:
            by_limit[rules.compensation_delay_hours].append(shop_id)
    clauses = [and_(Shipment.shop_id.in_(shops), Shipment.window_end <= now - timedelta(hours=hours))
               for hours, shops in by_limit.items()]
    return or_(*clauses) if clauses else None

