"""The story of a parcel as four steps a recipient recognises, not a carrier's scans.

A parcel sorted twice and "linehauled" once is simply "on its way". Each step shows when it
was first reached; the furthest step reached is the current one, so a late or repeated scan
never turns the story back. The out-for-delivery step names the delivery day the page works
out once (`DeliveryDay`), so it never says "today" under a headline or window for tomorrow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.tracking.facts import PageFacts
from app.tracking.wording import format_moment

STEP_KEYS = ("packed", "on_its_way", "out_for_delivery", "delivered")
STEP_OF = {"registered": 0, "sorted": 1, "in_transit": 1, "delayed": 1, "exception": 1,
           "out_for_delivery": 2, "failed_attempt": 2, "delivered": 3}


@dataclass(frozen=True)
class DeliveryDay:
    """The day the parcel comes, in the shop's zone: 0 today, 1 tomorrow, more a later date (`label`)."""

    days: int
    label: str = ""  # "Tue 24 Nov" when days > 1

    @property
    def suffix(self) -> str:
        """Pick the words' variant: "" for today, "_tomorrow", "_later"."""
        return "" if self.days <= 0 else "_tomorrow" if self.days == 1 else "_later"


@dataclass
class Step:
    key: str
    title: str
    text: str
    state: str  # done | current | upcoming | stopped
    when: str | None = None


def story_steps(facts: PageFacts, now: datetime, day: DeliveryDay | None, t: dict) -> list[Step]:
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
        "out_for_delivery": _delivery_step(day, t),
        "delivered": (t["step_delivered"], t["step_delivered_text"]),
    }
    steps = []
    for index, key in enumerate(STEP_KEYS):
        state = "done" if index < reached or facts.status == "delivered" else "current" if index == reached \
            else "upcoming"
        when = format_moment(first_seen[index], now, facts.timezone, facts.language) \
            if index in first_seen and state != "upcoming" else None
        if key == "out_for_delivery" and day is not None and day.days > 0:
            when = None  # "Delivery tomorrow · today 08:10" would read as two days at once
        steps.append(Step(key, *texts[key], state=state, when=when))
    if facts.status in ("returned", "cancelled"):
        steps = [step for step in steps if step.state != "upcoming"]
        for step in steps:
            step.state = "done"
        ended = facts.ended_at and format_moment(facts.ended_at, now, facts.timezone, facts.language)
        steps.append(Step(facts.status, t[f"step_{facts.status}"].format(shop=facts.shop_name),
                          t[f"step_{facts.status}_text"].format(shop=facts.shop_name), "stopped", ended or None))
    return steps


def _delivery_step(day: DeliveryDay | None, t: dict) -> tuple[str, str]:
    """Title and text of the delivery step, on the day the page says the parcel comes (no day: none named)."""
    suffix, label = (day.suffix, day.label) if day else ("_undated", "")
    return (t[f"step_out_for_delivery{suffix}"].format(day=label),
            t[f"step_out_for_delivery_text{suffix}"].format(day=label))
