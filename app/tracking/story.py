"""The story of a parcel as four steps a recipient recognises, not a carrier's scans.

A parcel sorted twice and "linehauled" once is simply "on its way". Each step shows when it
was first reached; the furthest step reached is the current one, so a late or repeated scan
never turns the story back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.tracking.facts import PageFacts
from app.tracking.wording import format_moment

STEP_KEYS = ("packed", "on_its_way", "out_for_delivery", "delivered")
STEP_OF = {"registered": 0, "sorted": 1, "in_transit": 1, "delayed": 1, "exception": 1,
           "out_for_delivery": 2, "failed_attempt": 2, "delivered": 3}


@dataclass
class Step:
    key: str
    title: str
    text: str
    state: str  # done | current | upcoming | stopped
    when: str | None = None


def story_steps(facts: PageFacts, now: datetime, t: dict) -> list[Step]:
    """Map the carrier's history onto the four steps; the furthest step reached is the current one."""
    first_seen: dict[int, datetime] = {}
    for status, occurred_at in facts.history:
        index = STEP_OF.get(status)
        if index is not None and (index not in first_seen or occurred_at < first_seen[index]):
            first_seen[index] = occurred_at
    # The order's creation stands in for "packed" unless the carrier was quicker to say anything.
    if 0 not in first_seen and facts.created_at is not None and all(
            facts.created_at <= moment for moment in first_seen.values()):
        first_seen[0] = facts.created_at
    reached = max([STEP_OF.get(facts.status, 0), *first_seen.keys()]) if first_seen else STEP_OF.get(facts.status, 0)
    if facts.status == "delivered":
        reached = 3
    city = {"city": facts.city} if facts.city else None
    texts = {
        "packed": (t["step_packed"].format(shop=facts.shop_name), t["step_packed_text"]),
        "on_its_way": (t["step_on_its_way"], t["step_on_its_way_text"].format(**city) if city
                       else t["step_on_its_way_text_nocity"]),
        "out_for_delivery": (t["step_out_for_delivery"], t["step_out_for_delivery_text"]),
        "delivered": (t["step_delivered"], t["step_delivered_text"]),
    }
    steps = []
    for index, key in enumerate(STEP_KEYS):
        state = "done" if index < reached or facts.status == "delivered" else "current" if index == reached \
            else "upcoming"
        when = format_moment(first_seen[index], now, facts.timezone, facts.language) \
            if index in first_seen and state != "upcoming" else None
        steps.append(Step(key, *texts[key], state=state, when=when))
    if facts.status in ("returned", "cancelled"):
        steps = [step for step in steps if step.state != "upcoming"]
        for step in steps:
            step.state = "done"
        ended = facts.ended_at and format_moment(facts.ended_at, now, facts.timezone, facts.language)
        steps.append(Step(facts.status, t[f"step_{facts.status}"].format(shop=facts.shop_name),
                          t[f"step_{facts.status}_text"].format(shop=facts.shop_name), "stopped", ended or None))
    return steps
