"""The ladder's pure rules: which steps a silence is due, and a new estimate from history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.exceptions.ladder import (
    APOLOGY,
    COMPENSATION,
    TICKET,
    Estimate,
    LadderRules,
    Silence,
    due_steps,
    first_due_at,
    remaining_estimate,
)

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def names(silence: Silence, rules: LadderRules = LadderRules(), after: timedelta = 0 * H) -> list[str]:
    return [step.name for step in due_steps(silence, rules, START + after)]


@pytest.mark.parametrize(("quiet", "expected"), [
    (47 * H, []),
    (48 * H, [TICKET]),
    (71 * H, [TICKET]),
    (72 * H, [TICKET, APOLOGY]),
    (119 * H, [TICKET, APOLOGY]),
    (120 * H, [TICKET, APOLOGY, COMPENSATION]),
])
def test_each_threshold_brings_its_step(quiet, expected):
    assert names(Silence(START, "in_transit"), after=quiet) == expected


@pytest.mark.parametrize(("done", "expected"), [
    (frozenset({TICKET}), [APOLOGY, COMPENSATION]),
    (frozenset({TICKET, APOLOGY}), [COMPENSATION]),
    (frozenset({TICKET, APOLOGY, COMPENSATION}), []),
])
def test_a_step_done_for_this_silence_is_not_due_again(done, expected):
    assert names(Silence(START, "in_transit", done=done), after=200 * H) == expected


def test_a_parcel_compensated_in_an_earlier_silence_gets_no_second_code():
    assert names(Silence(START, "in_transit", compensated=True), after=200 * H) == [TICKET, APOLOGY]


@pytest.mark.parametrize("status", ["delivered", "returned", "cancelled"])
def test_a_finished_parcel_is_never_silent(status):
    assert names(Silence(START, status), after=300 * H) == []


@pytest.mark.parametrize(("switched_off", "expected"), [
    ({"ticket_on": False}, [APOLOGY, COMPENSATION]),
    ({"apology_on": False}, [TICKET, COMPENSATION]),
    ({"compensation_on": False}, [TICKET, APOLOGY]),
    ({"ticket_on": False, "apology_on": False, "compensation_on": False}, []),
])
def test_a_shop_switches_steps_off(switched_off, expected):
    assert names(Silence(START, "delayed"), LadderRules(**switched_off), after=200 * H) == expected


def test_shop_thresholds_move_the_steps():
    rules = LadderRules(ticket_after_hours=24, apology_after_hours=30, compensation_after_hours=40)
    assert names(Silence(START, "in_transit"), rules, after=23 * H) == []
    assert names(Silence(START, "in_transit"), rules, after=30 * H) == [TICKET, APOLOGY]
    assert first_due_at(rules) == 24 * H
    assert first_due_at(LadderRules(ticket_on=False, apology_on=False, compensation_on=False)) is None


def test_a_delay_beyond_the_shops_limit_compensates_before_five_days():
    promised = START + 10 * H
    rules = LadderRules(compensation_delay_hours=24)
    silence = Silence(START, "in_transit", promised_end=promised)
    assert COMPENSATION not in names(silence, rules, after=33 * H)
    assert COMPENSATION in names(silence, rules, after=34 * H)
    assert COMPENSATION not in names(silence, LadderRules(), after=34 * H)  # no limit set


def test_a_vip_ticket_is_urgent_and_asks_for_a_call_within_a_day():
    now = START + 50 * H
    [ticket] = due_steps(Silence(START, "in_transit", vip=True), LadderRules(), now)
    assert ticket.urgent and ticket.call_before == now + 24 * H
    [plain] = due_steps(Silence(START, "in_transit"), LadderRules(), now)
    assert not plain.urgent and plain.call_before is None


def test_a_silence_from_the_future_is_not_due():
    assert names(Silence(START + 5 * H, "in_transit"), after=200 * H - 200 * H) == []


@pytest.mark.parametrize(("history_hours", "quiet_hours", "expected"), [
    ([80, 90, 96, 100, 110, 120], 72, Estimate(1, 2)),  # 8-48 h left: tomorrow or the day after
    ([75, 76, 78, 80, 90], 72, Estimate(1, 1)),  # within a day
    ([150, 160, 170, 180, 200], 72, Estimate(3, 5)),
    ([80, 90, 96, 100], 72, None),  # too few to promise anything
    ([10, 20, 30, 40, 50, 60, 80], 72, None),  # typical parcels were faster: they say nothing about this one
])
def test_the_new_estimate_comes_from_parcels_that_waited_as_long(history_hours, quiet_hours, expected):
    assert remaining_estimate([h * H for h in history_hours], quiet_hours * H) == expected
