"""Each KPI against hand-computed values on a small fixture, with the edge cases written out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.kpis.definitions import figures, verdict
from app.kpis.facts import parcel_facts
from app.kpis.periods import local_day, period_label, period_start, region_of, week_start
from app.kpis.records import EtaSeen, ParcelRecord, Rebooking, Reply, Scan
from app.kpis.tally import Tally, quantile, tally_of

AMS = ZoneInfo("Europe/Amsterdam")
T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # 09:00 in Amsterdam, a Tuesday


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def parcel(**overrides) -> ParcelRecord:
    """A parcel registered at T0, scanned at the hub after 90 min, out at 25 h, delivered in its window."""
    base = dict(shipment_id="p", carrier="c1", region="Utrecht", registered_at=T0, status="delivered",
                status_at=at(1560), window=(at(1500), at(1800)), announced=(at(1530), at(1590)),
                scans=(Scan("sorted", at(90)), Scan("out_for_delivery", at(1440)), Scan("delivered", at(1560))))
    base.update(overrides)
    return ParcelRecord(**base)


def test_a_clean_delivery_meets_every_promise():
    facts = parcel_facts(parcel(), AMS)
    assert (facts.day, facts.first_scan_minutes, facts.scans_complete, facts.exception) == (
        date(2026, 3, 10), 90.0, True, False)
    assert (facts.on_time, facts.window_held, facts.first_attempt_ok, facts.avoided) == (True, True, True, None)


@pytest.mark.parametrize(("scans", "status", "complete"), [
    # no scans at all: not judged while open, incomplete once finished
    ((), "registered", None),
    ((Scan("delivered", at(1560)),), "delivered", False),
    # in_transit stands in for sorted (either is the hub scan)
    ((Scan("in_transit", at(60)), Scan("out_for_delivery", at(1440)), Scan("delivered", at(1560))), "delivered", True),
    # out of order: the delivered scan was stamped earlier than the out-for-delivery scan; the set is complete
    ((Scan("delivered", at(1400)), Scan("sorted", at(90)), Scan("out_for_delivery", at(1440))), "delivered", True),
    # a failed attempt asks for a second out-for-delivery scan
    ((Scan("sorted", at(90)), Scan("out_for_delivery", at(1440)), Scan("failed_attempt", at(1500)),
      Scan("delivered", at(3000))), "delivered", False),
    ((Scan("sorted", at(90)), Scan("out_for_delivery", at(1440)), Scan("failed_attempt", at(1500)),
      Scan("out_for_delivery", at(2880)), Scan("delivered", at(3000))), "delivered", True),
    # returned: hub scan and the return
    ((Scan("sorted", at(90)), Scan("returned", at(5000))), "returned", True),
    # an unmapped raw code is no step
    ((Scan(None, at(10)), Scan("delivered", at(1560))), "delivered", False),
    # still on its way: judged later
    ((Scan("sorted", at(90)),), "in_transit", None),
])
def test_scan_compliance_asks_every_expected_step_of_the_path(scans, status, complete):
    assert parcel_facts(parcel(scans=scans, status=status), AMS).scans_complete is complete


@pytest.mark.parametrize(("scans", "minutes"), [
    ((), None),  # no scan: no time, counted as no_scan
    ((Scan("out_for_delivery", at(1440)), Scan("sorted", at(45))), 45.0),  # the earliest, whatever the order pushed
    ((Scan("sorted", at(-30)),), 0.0),  # scanned before the shop registered it: no time at all
    # pre-advice data, a cancellation or an unmapped code is no hand on the parcel
    ((Scan("registered", at(5)), Scan(None, at(10)), Scan("sorted", at(75))), 75.0),
    ((Scan("registered", at(5)),), None),
])
def test_time_to_first_scan_is_the_earliest_scan(scans, minutes):
    assert parcel_facts(parcel(scans=scans, status="in_transit"), AMS).first_scan_minutes == minutes


def test_first_attempt_success_and_the_failed_attempt_after_delivery_is_noise():
    failed = parcel(scans=(Scan("sorted", at(90)), Scan("failed_attempt", at(1500)), Scan("delivered", at(3000))),
                    status_at=at(3000))
    stray = parcel(scans=(Scan("sorted", at(90)), Scan("delivered", at(1560)), Scan("failed_attempt", at(1600))))
    not_yet = parcel(scans=(Scan("sorted", at(90)),), status="out_for_delivery")
    assert [parcel_facts(p, AMS).first_attempt_ok for p in (failed, stray, not_yet)] == [False, True, None]
    assert parcel_facts(failed, AMS).on_time is False  # delivered the next day, outside the promised window


def test_a_rebooking_accepted_before_the_van_came_is_a_failed_attempt_avoided():
    before = parcel(rebookings=(Rebooking("neighbour", "accepted", at(1545), at(1545.5)),))
    after = parcel(rebookings=(Rebooking("pickup_point", "accepted", at(1570), at(1571)),))
    refused = parcel(rebookings=(Rebooking("reschedule", "refused", at(1500), at(1502)),))
    assert [parcel_facts(p, AMS).avoided for p in (before, after, refused)] == ["neighbour", None, None]
    assert parcel_facts(refused, AMS).answer_seconds == (120.0,)


def test_a_cancelled_parcel_never_scanned_is_not_the_carriers():
    assert parcel_facts(parcel(status="cancelled", scans=()), AMS).counted is False
    assert parcel_facts(parcel(status="cancelled", scans=(Scan("cancelled", at(30)),)), AMS).counted is False
    assert parcel_facts(parcel(status="cancelled", scans=(Scan("sorted", at(90)),)), AMS).counted is True


@pytest.mark.parametrize(("registered", "day"), [
    (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), date(2026, 3, 29)),  # 00:30 CET, the spring-forward day
    (datetime(2026, 3, 29, 21, 59, tzinfo=UTC), date(2026, 3, 29)),  # 23:59 CEST, still that 23-hour day
    (datetime(2026, 3, 29, 22, 0, tzinfo=UTC), date(2026, 3, 30)),
    (datetime(2026, 10, 24, 22, 30, tzinfo=UTC), date(2026, 10, 25)),  # 00:30 CEST, the 25-hour day
    (datetime(2026, 10, 25, 22, 59, tzinfo=UTC), date(2026, 10, 25)),  # 23:59 CET
])
def test_a_parcel_belongs_to_its_local_registration_day_on_daylight_saving_days(registered, day):
    assert local_day(registered, AMS) == day


def test_durations_across_the_clock_change_are_real_hours():
    registered = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 CET; at 02:00 the clock jumps to 03:00
    facts = parcel_facts(parcel(registered_at=registered, scans=(Scan("sorted", registered + timedelta(hours=1)),),
                                status="in_transit"), AMS)
    assert facts.first_scan_minutes == 60.0  # not 120, though the wall clock says 01:30 -> 03:30


@pytest.mark.parametrize(("day", "period", "label"), [
    (date(2026, 3, 29), "day", "2026-03-29"),
    (date(2026, 3, 29), "week", "2026-W13"),  # a Sunday: the week of Monday 23 March
    (date(2026, 1, 1), "week", "2026-W01"),
    (date(2027, 1, 1), "week", "2026-W53"),  # ISO: 1 January 2027 is in 2026's last week
    (date(2026, 5, 31), "month", "2026-05"),
    (date(2026, 9, 30), "quarter", "2026-Q3"),
    (date(2026, 10, 1), "quarter", "2026-Q4"),
])
def test_periods_in_local_dates(day, period, label):
    assert period_label(period_start(day, period), period) == label


def test_week_labels_read_back():
    assert week_start("2026-W13") == date(2026, 3, 23)


@pytest.mark.parametrize(("postcode", "city", "region"), [
    ("3512 AB", "Utrecht", "35"), (None, "  den   haag ", "Den Haag"), (None, None, "unknown"), ("B-1000", "Brussel",
                                                                                                  "Brussel")])
def test_region_is_the_postcode_area_or_else_the_city(postcode, city, region):
    assert region_of(postcode, city) == region


@pytest.mark.parametrize(("values", "q", "expected"), [
    ([1, 2, 3, 4], 0.5, 2), ([1, 2, 3, 4, 5], 0.5, 3), (list(range(1, 11)), 0.9, 9), ([7], 0.9, 7), ([], 0.5, None)])
def test_quantiles_are_nearest_rank(values, q, expected):
    tally = Tally()
    for value in values:
        tally.observe("x", value, 10_000)
    assert quantile(tally.histograms.get("x"), q) == expected


def fixture_parcels() -> list[ParcelRecord]:
    """Ten parcels, hand-checked below."""
    ok = [parcel(shipment_id=f"ok{i}", scans=(Scan("sorted", at(30 * (i + 1))), Scan("out_for_delivery", at(1440)),
                                                 Scan("delivered", at(1560)))) for i in range(5)]  # first scans 30..150
    return ok + [
        parcel(shipment_id="late", scans=(Scan("sorted", at(200)), Scan("out_for_delivery", at(1440)),
                                          Scan("delivered", at(1850))), status_at=at(1850), texts_sent=3,
               segments_sent=4, replies=(Reply("rating", 0.99), Reply(None)), rating=2),
        parcel(shipment_id="exception", status="returned", scans=(Scan("sorted", at(60)), Scan("exception", at(900)),
                                                                  Scan("returned", at(4000))), opted_out=True),
        parcel(shipment_id="open", status="in_transit", scans=(Scan("sorted", at(100)),), texts_sent=1,
               segments_sent=1),
        parcel(shipment_id="noscan", status="registered", scans=(), window=None, announced=None),
        parcel(shipment_id="rebooked", texts_sent=2, segments_sent=2, replies=(Reply("neighbour", 0.9),),
               rebookings=(Rebooking("neighbour", "accepted", at(1500), at(1500.5)),), rating=5,
               etas=(EtaSeen(30, at(1530), at(1560)), EtaSeen(12, at(1555), at(1560)), EtaSeen(8, at(1561), None))),
    ]


def test_figures_of_the_fixture_match_the_hand_count():
    numbers = figures(tally_of(parcel_facts(p, AMS) for p in fixture_parcels()))
    assert (numbers["parcels"], numbers["open"], numbers["no_scan"], numbers["delivered"]) == (10, 2, 1, 7)
    # first scans (min): 30 60 90 120 150 200 60 100 90 -> sorted 30 60 60 90 90 100 120 150 200; median 90, p90 200
    assert (numbers["first_scan_median_h"], numbers["first_scan_p90_h"]) == (1.5, 200 / 60)
    assert numbers["first_scan_in_target"] == 6 / 9  # < 120 min: 30 60 60 90 90 100
    assert numbers["scan_compliance"] == 1.0 and numbers["scan_compliance_n"] == 8  # 7 delivered + 1 returned
    assert numbers["exceptions_per_1000"] == 100.0  # 1 of 10
    assert (numbers["on_time_rate"], numbers["on_time_n"]) == (6 / 7, 7)  # "late" came at 1850 > 1800
    assert (numbers["window_hit_rate"], numbers["window_hit_n"]) == (6 / 7, 7)
    assert (numbers["first_attempt_rate"], numbers["first_attempt_n"]) == (1.0, 7)
    assert numbers["failed_attempts_avoided"] == 1 and numbers["avoided_by_action"]["neighbour"] == 1
    assert (numbers["reply_rate"], numbers["replies_understood"]) == (2 / 3, 2 / 3)  # texted 3, replied 2; 2 of 3
    assert (numbers["rebookings_accepted"], numbers["carrier_answer_median_s"]) == (1, 30)
    assert (numbers["texts_sent"], numbers["segments_sent"], numbers["opt_outs"]) == (6, 7, 1)
    assert numbers["feedback_score"] == 3.5
    assert numbers["eta_error_by_lead"] == {"20": {"n": 1, "median_min": 30, "p90_min": 30},
                                            "10": {"n": 1, "median_min": 5, "p90_min": 5}}


def test_tallies_of_parts_add_up_to_the_tally_of_the_whole():
    facts = [parcel_facts(p, AMS) for p in fixture_parcels()]
    halves = Tally().merge(tally_of(facts[:4])).merge(tally_of(facts[4:]))
    counts, histograms = halves.as_json()
    assert figures(Tally(counts, histograms)) == figures(tally_of(facts))


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("first_scan_median_h", 1.5, "met"), ("first_scan_median_h", 2.0, "missed"), ("scan_compliance", 0.96, "met"),
    ("scan_compliance", 0.95, "missed"), ("exceptions_per_1000", 4.9, "met"), ("exceptions_per_1000", 5.0, "missed"),
    ("reply_rate", 0.3, None), ("on_time_rate", None, None)])
def test_each_figure_is_judged_against_its_target(key, value, expected):
    assert verdict(key, value) == expected
