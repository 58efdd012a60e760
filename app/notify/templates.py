"""Render SMS texts from sms_templates/<language>/<kind>.txt, or from a shop's override.

Variables every shipment text gets (COMMON):
    shop_name     the shop's display name; texts are signed with it
    first_name    recipient's first name, may be "" (templates must read well without)
    tracking_url  ~40-character link to the tracking page
    two_way       False for alphanumeric senders: then never offer reply options
Extra variables per kind (times are local "14:10" strings, see `localize`):
    out_for_delivery   window_from, window_to (both None when no time is known yet)
    arriving_soon      minutes (int, already rounded for speech), eta
    delay              new_eta, new_window_from, new_window_to
    slot_offer         slot_lines: ["A di 18-21", "B wo 9-12"] (windows.format_slot)
    slot_offer_instead slot_lines; wish: what none of them fits ("op woensdag", "tomorrow after 18:00")
    rebook_confirmed_slot    slot: "wo 9-12"
    rebook_confirmed_pickup  pickup_point: "Primera, Kerkstraat 12"
    clarify            question: "delivery_options" | "slot_offer" | "rating";
                       slot_lines (used when question == "slot_offer", else may be [])
    rating_thanks      rating: int 1-5
    silence_apology    quiet_days (int, >= 1); estimate_low_days, estimate_high_days (ints, both None when
                       history gives no honest estimate; equal for "about N days", 1 for "within a day")
    compensation       code: the shop's compensation code
    delivered, failed_attempt, in_transit, sorted, exception, returned, cancelled,
    delayed, rebook_confirmed_neighbour, rebook_refused, slot_expired, held_up: COMMON only
Texts about the phone number rather than one parcel get only shop_name (the name the
sender uses; "Bijna" when no single shop applies): help, stopped, started,
unknown_number; disambiguation also gets choices: [{"letter", "order_ref", "shop_name"}].

Reply options always mean the same, whichever text asked: 1 = neighbours, 2 = new time,
3 = pickup point (asked by arriving_soon, delay, failed_attempt, clarify); a bare digit
after "delivered" is a 1-5 rating; a letter answers slot_offer or disambiguation.

Shop overrides are untrusted Jinja source, so everything renders in Jinja's immutable
sandbox (no attribute tricks reaching Python internals), bounded by `app.notify.bounded`:
at most MAX_STEPS loop iterations and calls per render, ranges of at most MAX_RANGE,
no string or list built past MAX_VALUE characters, and output cut off at MAX_OUTPUT.
Those bounds make a render cheap; the shop API still validates and previews untrusted
source out of the request process under a hard deadline (app.shops.template_runner).
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError

from app.notify.bounded import BoundedSandbox, RenderLimitExceeded, render_bounded
from app.notify.segments import count_segments, to_gsm7
from app.notify.windows import format_time

TEMPLATE_ROOT = Path(__file__).resolve().parents[2] / "sms_templates"
# A language is a folder of templates: adding sms_templates/de/ adds German (see docs/reply-parser.md).
LANGUAGES = tuple(sorted((d.name for d in TEMPLATE_ROOT.iterdir() if d.is_dir() and len(d.name) == 2),
                         key=lambda code: (("nl", "en").index(code) if code in ("nl", "en") else 2, code)))
FALLBACK_LANGUAGE = "en"
MAX_SEGMENTS = 3  # a shop override longer than this costs more than it tells
MAX_TEMPLATE_CHARS = 1000

COMMON = ("shop_name", "first_name", "tracking_url", "two_way")
_VARIABLES: dict[str, tuple[str, ...]] = {
    "out_for_delivery": (*COMMON, "window_from", "window_to", "day", "today"),
    "arriving_soon": (*COMMON, "minutes", "eta"),
    "delay": (*COMMON, "new_eta", "new_window_from", "new_window_to", "day", "today"),
    "delivered": COMMON,
    "failed_attempt": COMMON,
    "in_transit": COMMON,
    "sorted": COMMON,
    "exception": COMMON,
    "returned": COMMON,
    "cancelled": COMMON,
    "delayed": COMMON,
    "slot_offer": (*COMMON, "slot_lines"),
    "slot_offer_instead": (*COMMON, "slot_lines", "wish"),
    "rebook_confirmed_neighbour": COMMON,
    "rebook_confirmed_slot": (*COMMON, "slot"),
    "rebook_confirmed_pickup": (*COMMON, "pickup_point"),
    "rebook_refused": COMMON,
    "clarify": (*COMMON, "question", "slot_lines"),
    "disambiguation": ("shop_name", "choices"),
    "help": ("shop_name",),
    "stopped": ("shop_name",),
    "started": ("shop_name",),
    "unknown_number": ("shop_name",),
    "rating_thanks": (*COMMON, "rating"),
    "slot_expired": COMMON,
    "held_up": COMMON,
    "window_update": (*COMMON, "window_from", "window_to", "day", "today"),
    # Sent by a person at the shop from the support console; `answer` is what they typed.
    "agent_reply": ("shop_name", "answer"),
    # The exception ladder (app/exceptions): a silent parcel's apology and compensation code.
    "silence_apology": (*COMMON, "quiet_days", "estimate_low_days", "estimate_high_days"),
    "compensation": (*COMMON, "code"),
    "tracking_link": COMMON,
    # A reply the parser was unsure of went to a person at the shop (app/replies/inbound.py).
    "handed_to_person": ("shop_name", "first_name"),
}
KINDS = tuple(_VARIABLES)

# Representative, realistically long values: validation must see real lengths.
_SAMPLE_VALUES = {
    "shop_name": "Bloemenhuis Jansen",
    "first_name": "Sanne",
    "tracking_url": "https://track.bijna.nl/t/Xk4P9qRt2mWzLp7",
    "two_way": True,
    "window_from": "14:10",
    "day": "today",
    "today": True,
    "window_to": "15:10",
    "minutes": 15,
    "eta": "14:25",
    "new_eta": "16:05",
    "new_window_from": "15:45",
    "new_window_to": "16:45",
    "slot_lines": ["A di 18-21", "B wo 9-12", "C wo 18-21"],
    "wish": "op zaterdag 's avonds na 18:00",
    "slot": "wo 9-12",
    "pickup_point": "Primera, Kerkstraat 12",
    "question": "delivery_options",
    "rating": 4,
    "quiet_days": 3,
    "estimate_low_days": 1,
    "estimate_high_days": 2,
    "code": "SORRY-7Q4K-2XW9-PLM3",
    "answer": "Hoi Sanne, we hebben de bezorger gevraagd om morgen tussen 9 en 12 uur langs te komen.",
    "choices": [
        {"letter": "A", "order_ref": "1234", "shop_name": "Bloemenhuis Jansen"},
        {"letter": "B", "order_ref": "98765", "shop_name": "Boekhandel De Vries"},
    ],
}
# Other values a template must also cope with, each tried on top of the sample.
_VARIANTS: dict[str, tuple[dict, ...]] = {
    "out_for_delivery": ({"window_from": None, "window_to": None}, {"day": "on Wednesday", "today": False}),
    "delay": ({"day": "tomorrow", "today": False},),
    "arriving_soon": ({"minutes": 1},),
    "clarify": ({"question": "rating"}, {"question": "slot_offer"}),
    "rating_thanks": ({"rating": 1}, {"rating": 3}, {"rating": 5}),
    "silence_apology": ({"estimate_low_days": None, "estimate_high_days": None}, {"quiet_days": 1},
                        {"estimate_low_days": 1, "estimate_high_days": 1},
                        {"estimate_low_days": 3, "estimate_high_days": 3},
                        {"quiet_days": 12, "estimate_low_days": 4, "estimate_high_days": 9}),
}


@cache
def _environment() -> BoundedSandbox:
    """Build the one template environment, lazily: nothing happens at import time."""
    return BoundedSandbox(
        loader=FileSystemLoader(TEMPLATE_ROOT, encoding="utf-8"),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


@lru_cache(maxsize=512)
def _compiled_override(source: str):
    """Compile a shop's template once: the same override renders for every text it sends."""
    return _environment().from_string(source)


def _language(language: str) -> str:
    """Reduce "nl-BE" or "NL" to a supported language code, else the fallback."""
    code = (language or "").split("-")[0].split("_")[0].lower()
    return code if code in LANGUAGES else FALLBACK_LANGUAGE


def normalise(text: str) -> str:
    """Make rendered text SMS-ready: GSM-7 punctuation, single spaces, no blank lines."""
    lines = []
    for line in to_gsm7(text).splitlines():
        line = re.sub(r"[ \t]+", " ", line).strip()
        line = re.sub(r" +([,.!?])", r"\1", line)  # left behind by an empty variable
        if line:
            lines.append(line)
    return "\n".join(lines)


def localize(context: dict, tz: str) -> dict:
    """Return a copy of a decision's context with every datetime as local "14:10"."""
    return {
        key: format_time(value, tz) if isinstance(value, datetime) else value
        for key, value in context.items()
    }


def sample_context(kind: str) -> dict:
    """Return a representative context for a kind, with every variable it may use."""
    if kind not in _VARIABLES:
        raise KeyError(f"unknown message kind: {kind!r}")
    return {name: _SAMPLE_VALUES[name] for name in _VARIABLES[kind]}


def sample_contexts(kind: str) -> list[dict]:
    """Return the sample context plus the variants a template must also render well."""
    base = sample_context(kind)
    variants = [base, *({**base, **extra} for extra in _VARIANTS.get(kind, ()))]
    if "two_way" in base:
        variants.append({**base, "two_way": False})
    if "first_name" in base:
        variants.append({**base, "first_name": ""})
    return variants


# Real values that differ from the sample in length, alphabet or emptiness. A template must
# render each of them (their length may cost segments: only the samples count for that).
_NAMES = ("Jo", "Alexandra", "Maximiliaan-Alexander", "Zoë", "Ñandú", "O'Brien", "Анна", "李", "Ma 👍🏽",
          "Wolfeschlegelsteinhausenbergerdorff")
_SHOP_NAMES = ("X", "Ünïcödé & Söns", "De Grote Bloemen- en Plantenhandel van Amsterdam-Noord BV")


# Always there in a real text: the link, and who sends it.
_NEVER_EMPTY = frozenset({"shop_name", "tracking_url"})


def _emptied(name: str, value):
    if name in _NEVER_EMPTY:
        return value
    if isinstance(value, str):
        return ""
    return [] if isinstance(value, list) else value


def shape_contexts(kind: str) -> list[dict]:
    """Return contexts with other shapes of real data: short, long and non-Latin names, values left empty."""
    base = sample_context(kind)
    shapes = [{**base, name: _emptied(name, value)} for name, value in base.items() if name not in _NEVER_EMPTY]
    shapes.append({name: _emptied(name, value) for name, value in base.items()})
    if "first_name" in base:
        shapes += [{**base, "first_name": name} for name in _NAMES]
    shapes += [{**base, "shop_name": name} for name in _SHOP_NAMES]
    return shapes


def render(kind: str, language: str, context: dict, override: str | None = None) -> str:
    """Render the text of a kind in a language (falling back to English), or an override."""
    if kind not in _VARIABLES:
        raise KeyError(f"unknown message kind: {kind!r}")
    if override is not None:
        template = _compiled_override(override)
    else:
        names = [f"{_language(language)}/{kind}.txt", f"{FALLBACK_LANGUAGE}/{kind}.txt"]
        template = _environment().select_template(names)
    return normalise(render_bounded(template, context))


def validate_template(source: str, kind: str) -> list[str]:
    """Return human-readable problems with a shop's template source ([] when it is fine)."""
    if kind not in _VARIABLES:
        return [f"Unknown message kind {kind!r}."]
    if not source.strip():
        return ["The template is empty."]
    if len(source) > MAX_TEMPLATE_CHARS:
        return [f"The template is {len(source)} characters; at most {MAX_TEMPLATE_CHARS}."]
    try:
        template = _environment().from_string(source)
    except TemplateSyntaxError as error:
        return [f"Syntax error on line {error.lineno}: {error.message}."]
    except (RecursionError, MemoryError, SyntaxError, ValueError):  # absurd nesting: Python cannot compile it
        return ["The template is nested too deeply."]
    available = ", ".join(_VARIABLES[kind])
    errors: list[str] = []
    most_segments, encoding = 0, "GSM-7"
    samples = sample_contexts(kind)
    for number, context in enumerate([*samples, *shape_contexts(kind)]):
        try:
            text = normalise(render_bounded(template, context))
        except UndefinedError as error:
            problem = f"Unknown variable: {error.message}. Available: {available}."
        except RenderLimitExceeded as error:
            problem = f"The template does too much work: {error}."
        except SecurityError as error:
            problem = f"Not allowed in a template: {error}."
        except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError, RecursionError,
                MemoryError) as error:
            # The shop's source is code we did not write: report, never raise.
            problem = f"The template fails to render: {error}."
        else:
            problem = "" if text else "The text comes out empty."
            if text and number < len(samples):
                text_encoding, segments = count_segments(text)
                if segments > most_segments:
                    most_segments, encoding = segments, text_encoding
        if problem and problem not in errors:
            errors.append(problem)
        if problem.startswith("The template does too much work"):
            break  # a bomb: trying the other shapes would only spend more
    if most_segments > MAX_SEGMENTS:
        errors.append(
            f"The text is {most_segments} SMS segments ({encoding}); at most {MAX_SEGMENTS}."
        )
    return errors
