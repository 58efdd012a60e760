"""The notification policy on generated days, in memory: a fast stand-in for bench/eta_accuracy.py.

    python -m bench.eta_policy_sim [--learn 9001-9006] [--seeds 9101-9110] [--stops 120]

No HTTP, no database, no workers: the generated requests drive the pure policy (app/notify) with the
ETA model (app/eta) the way ingestion does (first ETA per lead bin observed, stale pushes ignored, the
route's correction recomputed at each delivery, the carrier model refitted after each learning day).
It exists to tune the policy's figures in seconds; the numbers that count are the real replay's
(bench/eta_accuracy.py), which this follows closely but not exactly (texts land at once here). Like
production it refits the carrier's model every hour of a measured day, today's deliveries included
(`--no-relearn`: fixed for the day); a model a few minutes wider at noon tips narrower-window texts
(at most 60 minutes, on a 5-minute grid) one way or the other.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import date, datetime, timedelta

from app.eta import Calibration, current_window, fit, lead_bin
from app.eta.calibration import ESTIMATORS
from app.eta.route_day import Heard, RouteDayBuilder, corrected_residuals
from app.eta.smoothing import route_roughness, smooth, smoothing_pays, texts_eta
from app.ingestion.eta_learning import RELEARN_EVERY
from app.notify.policy import ShipmentState, decide_on_eta
from app.simulation.day import EVENTS_PATH, SHIPMENTS_PATH, Day
from app.simulation.generator import DEFAULT_DAY, generate_day
from app.simulation.report import format_scorecard
from app.simulation.scorecard import StopDay, TextSeen, score


def _told(kind: str, context: dict):
    if kind == "delay":
        return context["new_window_from"], context["new_window_to"]
    if kind in ("out_for_delivery", "window_update") and context.get("window_from"):
        return context["window_from"], context["window_to"]
    return None


def _page_window(state: ShipmentState, now: datetime, calibration: Calibration | None,
                 arrival: datetime) -> tuple[float, bool]:
    """The tracking page's window (app/tracking/service.py: the live calibrated one, carrier model, once it fits
    in the told one): its width in minutes and whether the van came inside it."""
    told = (state.window_start, state.window_end)
    live = current_window(state.eta, now, calibration)
    window = live if told[0] <= live[0] and live[1] <= told[1] else told
    return (window[1] - window[0]).total_seconds() / 60, window[0] <= arrival <= window[1]


def simulate(day: Day, calibration: Calibration | None, learnt: list | None = None,
             ) -> tuple[list[StopDay], dict[bool | None, list[Heard]], list]:
    """Run one day through the policy; return each stop's day, the ETAs heard (with their outcome), both
    the latest pushes' (False) and the smoothed ones' (True), and per stop the tracking page's window an hour
    before the van came (width, held).

    With `learnt` (the earlier days' outcomes) the carrier's model is refitted every RELEARN_EVERY of the day
    from those and the stops delivered so far, as the learn_eta_errors sweep does in production."""
    pages: dict[str, tuple[float, bool]] = {}
    states: dict[str, ShipmentState] = {}
    observed: dict[str, datetime] = {}
    texts: dict[str, list[TextSeen]] = {}
    heard: dict[tuple[str, int], tuple[float, datetime, datetime, datetime, float]] = {}
    smoothed = {}
    verdict = calibration.smoothed if calibration else None
    arrivals: dict[str, datetime] = {}
    first_push: dict[str, datetime] = {}
    builder = RouteDayBuilder(calibration.centre) if calibration else None
    route_cal = calibration
    relearnt = day.requests[0].at if day.requests else None
    for request in day.requests:
        now = request.at
        if learnt is not None and now - relearnt >= RELEARN_EVERY:
            relearnt = now
            calibration = learn([*learnt, _outcomes(heard, arrivals)])
            verdict = calibration.smoothed
            route_cal = calibration.for_route(builder.current()) if builder is not None else calibration
        if request.path == SHIPMENTS_PATH:
            body = request.body
            states[body["tracking_number"]] = ShipmentState(
                status="registered", notify=True, opted_out=False,
                window_start=datetime.fromisoformat(body["window"]["start"]),
                window_end=datetime.fromisoformat(body["window"]["end"]), eta=None, lead_minutes=15,
                sent=frozenset(), last_delay_eta=None, texts_today=0, daily_cap=6,
                enabled_statuses=frozenset({"out_for_delivery"}), two_way=True, timezone="Europe/Amsterdam")
            texts[body["tracking_number"]] = []
        elif request.path == EVENTS_PATH:
            for event in request.body["events"]:
                number = event["tracking_number"]
                if event["code"] == "DELIVERED" and number not in arrivals:
                    at = datetime.fromisoformat(event["occurred_at"])
                    arrivals[number] = at
                    states[number] = replace(states[number], status="delivered")
                    if builder is not None:
                        for (stop, _), (lead, eta, _seen, eta_smoothed, rough_then) in heard.items():
                            if stop == number:
                                used = texts_eta(eta, eta_smoothed, rough_then, verdict)
                                builder.add(stop, (used - _seen).total_seconds() / 60, (at - used).total_seconds() / 60)
                        route_cal = calibration.for_route(builder.current())
        else:
            seen_at = datetime.fromisoformat(request.body["observed_at"])
            fresh = []
            for stop in request.body["stops"]:
                number, eta = stop["tracking_number"], datetime.fromisoformat(stop["eta"])
                if states[number].status == "delivered" or observed.get(number, seen_at - timedelta(1)) >= seen_at:
                    continue
                observed[number] = seen_at
                smoothed[number] = smooth(smoothed.get(number), eta, seen_at)
                fresh.append((number, eta))
            rough = route_roughness(smoothed[number].roughness for number, _ in fresh)
            for number, eta in fresh:
                state = states[number]
                first_push.setdefault(number, now)
                lead = (eta - seen_at).total_seconds() / 60
                own = smoothed[number].roughness if rough is None else rough
                heard.setdefault((number, lead_bin(lead)), (lead, eta, seen_at, smoothed[number].eta, own))
                state = replace(state, eta=texts_eta(eta, smoothed[number].eta, own, verdict),
                                status="out_for_delivery", calibration=route_cal, previous_eta=state.eta)
                decisions = decide_on_eta(state, now)
                if not state.sent & {"out_for_delivery", "arriving_soon"} and not decisions:  # as policy.py
                    from app.notify.policy import _out_for_delivery
                    decisions = [_out_for_delivery(state, now)]
                for decision in decisions:
                    window = _told(decision.kind, decision.context)
                    texts[number].append(TextSeen(now, decision.kind, window, decision.context.get("minutes")
                                                  if decision.kind == "arriving_soon" else None))
                    told = window
                    if decision.kind == "arriving_soon" and "out_for_delivery" not in state.sent:
                        told = decision.context["window_from"], decision.context["window_to"]
                    state = replace(state, sent=state.sent | {decision.kind}, texts_today=state.texts_today + 1,
                                    last_delay_eta=eta if decision.kind == "delay" else state.last_delay_eta)
                    if told and (decision.kind != "out_for_delivery" or decision.context["window_source"] == "eta"):
                        state = replace(state, window_start=told[0], window_end=told[1])
                states[number] = state
                arrival = day.truth[number].arrival
                if number not in pages and arrival - now <= timedelta(minutes=60) and state.window_end is not None:
                    pages[number] = _page_window(state, now, calibration, arrival)
    stops = [StopDay(arrivals.get(n), tuple(t), first_push.get(n)) for n, t in texts.items()]
    return stops, _outcomes(heard, arrivals), list(pages.values())


def _outcomes(heard: dict, arrivals: dict[str, datetime]) -> dict[bool | None, list[Heard]]:
    """The ETAs heard about delivered stops, with their outcome, as each estimator would have read them."""
    return {kind: [Heard(n, (used - seen).total_seconds() / 60, (arrivals[n] - used).total_seconds() / 60,
                         seen, arrivals[n])
                   for (n, _), (lead, eta, seen, eta_smoothed, rough_then) in heard.items() if n in arrivals
                   for used in [texts_eta(eta, eta_smoothed, rough_then, kind)]]
            for kind in (False, True, None)}


def learn(days: list[dict[bool | None, list[Heard]]]) -> Calibration:
    data = {kind: [(h.lead_minutes, h.error_minutes) for day in days for h in day[kind]]
            for kind in (False, True, None)}
    verdict = smoothing_pays(data[False], data[True])
    cold = fit(data[verdict], days=len(days), smoothed=verdict)
    corrected = [pair for day in days for pair in corrected_residuals(day[verdict], cold.centre)]
    return cold.with_warm(fit(corrected, days=len(days), per_day=40, prior=cold)) if corrected else cold


def _seeds(text: str) -> list[int]:
    if "-" in text:
        low, high = text.split("-")
        return list(range(int(low), int(high) + 1))
    return [int(s) for s in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learn", default="9001-9003")
    parser.add_argument("--seeds", default="9101-9105")
    parser.add_argument("--stops", type=int, default=120)
    parser.add_argument("--eta-noise", choices=("planner", "scatter"), default="planner")
    parser.add_argument("--no-relearn", dest="relearn", action="store_false",
                        help="keep the model fixed through each measured day (production refits it hourly)")
    args = parser.parse_args()
    learnt: list[dict[bool | None, list[Heard]]] = []
    calibration = None
    for offset, seed in enumerate(_seeds(args.learn)):
        day = generate_day(seed, args.stops, day=DEFAULT_DAY + timedelta(days=offset), eta_noise=args.eta_noise)
        _, outcomes, _ = simulate(day, calibration)
        learnt.append(outcomes)
        calibration = learn(learnt)
    print(f"estimator: {ESTIMATORS[calibration.smoothed if calibration else None]}")
    pooled, pages = [], []
    for seed in _seeds(args.seeds):
        day = generate_day(seed, args.stops, day=date(2026, 12, 15), eta_noise=args.eta_noise)
        stops, _, day_pages = simulate(day, calibration, learnt if args.relearn else None)
        card = score(stops)
        print(f"seed {seed}: held last {card.last_window_held:.3f} morning {card.morning_window_held:.3f} "
              f"width {card.morning_width_median}/{card.last_width_median} false {card.false_delay_texts} "
              f"late {card.late_stops}/{card.late_warned} soon {card.soon_in_target:.3f} "
              f"about {card.about_within:.3f} ({card.about_median_error:+.1f})")
        pooled += stops
        pages += day_pages
    print(format_scorecard(score(pooled)))
    widths = sorted(width for width, _ in pages)
    print(f"tracking page an hour ahead: window width median {widths[len(widths) // 2]:.0f} min, "
          f"held {sum(held for _, held in pages) / len(pages):.1%} (of {len(pages)})")


if __name__ == "__main__":
    main()
