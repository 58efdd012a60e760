"""The tracking page's view model: where the parcel is, told as human steps. Plain Python.

`PageFacts` is what the database knows (values only, no ORM); `build_page(facts, now)`
turns it into a `TrackingPage` the template and the JSON endpoint both read, so the
page and its polling never disagree. Nothing here imports Flask or touches storage.

The story of steps lives in `story.py`, the phrasing of times in `wording.py`, the words
in `copy.py`. Times are shown in the shop's zone; the live window follows the driver's
ETA the same way the texts do (`notify.windows`), so page and SMS agree.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from app.eta import likeliest_arrival
from app.notify.eta_texts import ABOUT_WITHIN
from app.notify.windows import current_window, is_late, minutes_away, narrow_window
from app.tracking.copy import LANGUAGES, words
from app.tracking.facts import ENDED, ON_ITS_WAY, PageFacts, RebookingFacts
from app.tracking.story import DeliveryDay, Step, story_steps
from app.tracking.wording import date_label, days_ahead, format_moment, format_window

__all__ = ["PageFacts", "RebookingFacts", "TrackingPage", "build_page", "format_moment", "format_window",
           "page_expired"]

# Whether choices are offered at all is the rebooking service's call (`PageFacts.can_rebook`).
# The delivery day is under way: poll often, and after a new slot the choices return.
DELIVERY_DAY = frozenset({"out_for_delivery", "delayed", "failed_attempt"})
# A link outlives its delivery long enough to rate it, return something or find the invoice.
PAGE_TTL_AFTER_END = timedelta(days=30)
PAGE_MAX_AGE = timedelta(days=90)  # the retention period for recipient data
MINUTES_SHOWN = 60  # "about N minutes away" only when the driver is this close
ALMOST_THERE = 20  # ... and "Almost there!" when closer still
TONES = ("warm", "neutral", "playful")


@dataclass
class TrackingPage:
    language: str
    title: str
    greeting: str
    headline: str
    status: str
    steps: list[Step]
    window_text: str | None = None
    minutes_text: str | None = None
    delay_text: str | None = None
    note: str | None = None
    rebooking_state: str | None = None  # pending | done | refused
    rebooking_text: str | None = None
    choices_open: bool = False
    feedback_open: bool = False
    rating: int | None = None
    comment: str | None = None
    links: list[dict] = field(default_factory=list)
    faq: list[dict] = field(default_factory=list)
    cross_sell: dict | None = None
    live: bool = False  # something changes within minutes: poll often
    watching: bool = False  # the journey has not ended: poll now and then
    state_key: str = ""

    def live_json(self) -> dict:
        """Return what the polling script needs: live texts in place, a key that says "reload"."""
        return {"status": self.status, "headline": self.headline, "window": self.window_text,
                "minutes_away": self.minutes_text, "delay": self.delay_text, "rebooking": self.rebooking_text,
                "live": self.live, "watching": self.watching, "state": self.state_key}


def page_expired(facts: PageFacts, now: datetime) -> bool:
    """Tell whether the link stopped working: a while after the parcel's journey ended, or at retention."""
    if facts.created_at is not None and now - facts.created_at > PAGE_MAX_AGE:
        return True
    return facts.status in ENDED and facts.ended_at is not None and now - facts.ended_at > PAGE_TTL_AFTER_END


def build_page(facts: PageFacts, now: datetime) -> TrackingPage:
    """Turn the facts into the page: headline, story, window, delay, choices, feedback and extras."""
    t = words(facts.language)
    language = facts.language if facts.language in LANGUAGES else "en"
    shop = facts.shop_name
    window, late = _window(facts, now)
    day = _delivery_day(facts, window, now)
    window_text, minutes_text, delay_text = _live_texts(facts, window, late, now, t)
    page = TrackingPage(
        language=language, title=t["title"].format(shop=shop), greeting=_greeting(facts, t),
        headline=_headline(facts, now, day, delay_text, t), status=facts.status,
        steps=story_steps(facts, now, day, t), window_text=window_text, minutes_text=minutes_text,
        delay_text=delay_text,
        note=_note(facts, t), feedback_open=facts.status == "delivered", rating=facts.rating, comment=facts.comment,
        links=_links(facts.extras, t), faq=_faq(facts.extras), live=facts.status in DELIVERY_DAY)
    page.rebooking_state, page.rebooking_text = _rebooking(facts, now, t)
    page.choices_open = facts.can_rebook and _choices_still_open(facts, page)
    page.live = page.live or page.rebooking_state == "pending"
    page.watching = page.live or facts.status not in ENDED
    if facts.status in ON_ITS_WAY:
        page.cross_sell = _cross_sell(facts.extras)
    page.state_key = _state_key(page)
    return page


def _choices_still_open(facts: PageFacts, page: TrackingPage) -> bool:
    """Closed while a choice is with the carrier and after a final one; a new slot's day may change again."""
    if page.rebooking_state == "pending":
        return False
    if page.rebooking_state == "done":
        return (facts.instruction or {}).get("action") == "reschedule" and facts.status in DELIVERY_DAY
    return True


def _window(facts: PageFacts, now: datetime) -> tuple[tuple[datetime, datetime] | None, bool]:
    """Return the window the page tells and whether the driver ran past the one told before.

    The window is the one the texts told (else one around the driver's ETA, else the shop's
    promise); as the van nears, the live calibrated window (app/eta: it holds 95 % and narrows
    with the time left) replaces it once it fits inside; when the driver runs past it, a new
    window around the ETA replaces it.
    """
    calibration = facts.calibration  # the carrier's learnt model; None: the conservative prior
    if facts.status not in ON_ITS_WAY:
        return None, False
    window = None
    if facts.announced_start and facts.announced_end:
        window = (facts.announced_start, facts.announced_end)
    elif facts.eta and facts.status in ("out_for_delivery", "delayed"):
        window = narrow_window(facts.eta)
    elif facts.window_start and facts.window_end:
        window = (facts.window_start, facts.window_end)
    late = bool(facts.eta and window and is_late(facts.eta, window[1]))
    if late:
        window = narrow_window(facts.eta)
    elif facts.eta and window and facts.eta > now:
        live = current_window(facts.eta, now, calibration)
        if window[0] <= live[0] and live[1] <= window[1]:
            window = live  # narrower and inside what the texts said: nothing to contradict
    return window, late


def _delivery_day(facts: PageFacts, window: tuple[datetime, datetime] | None, now: datetime) -> DeliveryDay | None:
    """Say once which day the parcel comes, from the window the page tells, in the shop's zone.

    Headline, window and story all read this, so an ETA slipping past midnight or a new slot
    on another day cannot leave one of them saying "today". A window that began in the past
    still means today: the parcel is not delivered yesterday.
    """
    if window is None:
        return DeliveryDay(0) if facts.status in DELIVERY_DAY else None
    days = max(0, days_ahead(window[0], now, facts.timezone))
    return DeliveryDay(days, date_label(window[0], facts.timezone, facts.language) if days > 1 else "")


def _live_texts(facts: PageFacts, window: tuple[datetime, datetime] | None, late: bool, now: datetime,
                t: dict) -> tuple[str | None, str | None, str | None]:
    """Return (window, minutes away, delay apology) texts; a broken window is apologised for."""
    tz, language = facts.timezone, facts.language
    if facts.status not in ON_ITS_WAY:
        return None, None, None
    delay = None
    if window and (late or facts.delay_announced or facts.status == "delayed"):
        delay = t["delay_with_eta"].format(window=format_window(*window, now, tz, language, inline=True))
    elif facts.status == "delayed":
        delay = t["delay_no_eta"]
    minutes = None
    if facts.eta and facts.status in ("out_for_delivery", "delayed"):
        # The number the arriving-soon text says, read the same way: a page saying 15 while the text said 12
        # would leave the recipient with two promises.
        said = facts.eta if facts.eta <= now else likeliest_arrival(facts.eta, facts.eta - now, ABOUT_WITHIN,
                                                                     facts.calibration)
        away = minutes_away(said, now)
        if away <= 2:
            minutes = t["any_moment"]
        elif away <= MINUTES_SHOWN:
            minutes = t["minutes_away"].format(n=away)
    window_text = format_window(*window, now, tz, language) if window else None
    return window_text, minutes, delay


def _greeting(facts: PageFacts, t: dict) -> str:
    if not facts.first_name:
        return t["greeting_anonymous"]
    tone = facts.tone if facts.tone in TONES else "warm"
    return t[f"greeting_{tone}"].format(name=facts.first_name)


def _headline(facts: PageFacts, now: datetime, day: DeliveryDay | None, delay_text: str | None, t: dict) -> str:
    status = facts.status
    if delay_text:
        key = "delayed"
    elif status == "out_for_delivery" and facts.eta and minutes_away(facts.eta, now) <= ALMOST_THERE:
        key = "almost_there"
    elif status == "out_for_delivery" and day is not None:
        key = f"out_for_delivery{day.suffix}"
    elif status in ("sorted", "in_transit", "delayed"):
        key = "on_its_way"
    else:
        key = status if f"headline_{status}" in t else "on_its_way"
    return t[f"headline_{key}"].format(shop=facts.shop_name, day=day.label if day else "")


def _note(facts: PageFacts, t: dict) -> str | None:
    key = f"note_{facts.status}"
    return t[key].format(shop=facts.shop_name) if key in t else None


def _rebooking(facts: PageFacts, now: datetime, t: dict) -> tuple[str | None, str | None]:
    """Say what became of the recipient's choice, from the page or by SMS."""
    command = facts.rebooking
    if command is not None and command.status == "pending":
        return "pending", t["rebooking_pending"]
    if command is not None and command.status in ("refused", "dead") and facts.can_rebook:
        return "refused", t["rebooking_refused"]
    instruction = facts.instruction or {}
    action = instruction.get("action")
    if action == "reschedule" and facts.status in ENDED:
        return None, None  # the new slot was kept or overtaken: the story says what happened
    if action == "neighbour":
        note = (instruction.get("note") or "").strip()
        key = "delivered_neighbour" if facts.status == "delivered" else "rebooking_neighbour"
        return "done", (t[f"{key}_note"].format(note=note) if note else t[key])
    if action == "reschedule":
        start, end = _moment(instruction.get("starts_at")), _moment(instruction.get("ends_at"))
        if start and end:
            when = format_window(start, end, now, facts.timezone, facts.language, inline=True)
            return "done", t["rebooking_reschedule"].format(slot=when)
        return "done", t["rebooking_reschedule_unknown"]
    if action == "pickup_point":
        where = ", ".join(str(part) for part in (instruction.get("name"), instruction.get("address")) if part)
        return "done", (t["rebooking_pickup_point_named"].format(name=where) if where else t["rebooking_pickup_point"])
    return None, None


def _moment(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        return moment if moment.tzinfo else None
    return None


def _https(url) -> str | None:
    """Keep only https links: the page's CSP loads nothing else, and http would leak the visit."""
    return url if isinstance(url, str) and url.startswith("https://") else None


def _links(extras: dict, t: dict) -> list[dict]:
    links = []
    for key in ("returns", "invoice"):
        url = _https((extras or {}).get(f"{key}_url"))
        if url:
            links.append({"key": key, "label": t[key], "url": url})
    return links


def _faq(extras: dict) -> list[dict]:
    return [{"q": str(item["q"]), "a": str(item["a"])} for item in (extras or {}).get("faq") or []
            if isinstance(item, dict) and item.get("q") and item.get("a")]


def _cross_sell(extras: dict) -> dict | None:
    block = (extras or {}).get("cross_sell")
    if not isinstance(block, dict) or not block.get("title"):
        return None
    return {"title": str(block["title"]), "text": str(block.get("text") or ""), "url": _https(block.get("url")),
            "image_url": _https(block.get("image_url"))}


def _state_key(page: TrackingPage) -> str:
    """Fingerprint what changes the page's shape (not the ticking minutes): a new key means reload."""
    shape = {"status": page.status, "steps": [asdict(step) for step in page.steps], "delay": bool(page.delay_text),
             "rebooking": [page.rebooking_state, page.rebooking_text], "choices": page.choices_open,
             "feedback": [page.feedback_open, page.rating], "live": [page.live, page.watching]}
    return hashlib.sha256(json.dumps(shape, sort_keys=True, default=str).encode()).hexdigest()[:16]
