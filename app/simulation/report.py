"""Say a replayed day in words: each recipient's texts, and the scorecard as a table."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from app.simulation.replay import Replayed
from app.simulation.scorecard import Scorecard

LINES = (  # (label, fields, how to show them): the order the targets are stated in
    ("stops delivered / in the day", ("delivered", "stops"), "{} / {}"),
    ("last window told before arrival held", ("last_window_held", "last_window_n"), "{:.1%} (of {})"),
    ("morning window held", ("morning_window_held",), "{:.1%}"),
    ("morning window width, median / p90 (min)", ("morning_width_median", "morning_width_p90"), "{:.0f} / {:.0f}"),
    ("last window width, median / p90 (min)", ("last_width_median", "last_width_p90"), "{:.0f} / {:.0f}"),
    ("delay texts (false: arrived inside the window told)", ("delay_texts", "false_delay_texts"), "{} ({} false)"),
    ("false delay texts per 100 stops", ("false_delays_per_100",), "{:.1f}"),
    ("stops late past a told window / warned before it ended", ("late_stops", "late_warned"), "{} / {}"),
    ("arriving soon: minutes before arrival, median / p95 / min", ("soon_median", "soon_p95", "soon_min"),
     "{:.1f} / {:.1f} / {:.1f}"),
    ("arriving soon 10-20 min ahead (stops >15 min away at first ETA)", ("soon_in_target", "soon_far_n"),
     "{:.1%} (of {})"),
    ("'about N minutes' within ±3 min / median error (min)", ("about_within", "about_median_error"),
     "{:.1%} / {:+.1f}"),
)


def scorecard_lines(card: Scorecard) -> list[tuple[str, str]]:
    """Return (label, value) pairs; a figure the day could not measure shows as a dash."""
    values = card.as_dict()
    lines = []
    for label, names, shape in LINES:
        figures = [values[name] for name in names]
        lines.append((label, "–" if None in figures else shape.format(*figures)))
    return lines


def format_scorecard(card: Scorecard) -> str:
    width = max(len(line[0]) for line in LINES)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in scorecard_lines(card))


def _clock(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M:%S") if moment else "--:--:--"


def format_texts(result: Replayed, tz: str = "Europe/Amsterdam") -> str:
    """Each parcel's texts in the order its recipient got them (dropped ones marked), local times."""
    zone, out = ZoneInfo(tz), []
    never = datetime.max.replace(tzinfo=UTC)
    for number, texts in sorted(result.texts.items(), key=lambda item: result.arrivals.get(item[0]) or never):
        phone = result.phones.get(number, "")
        masked = phone[:4] + "…" + phone[-2:] if phone else "?"
        out.append(f"{number} {masked}  arrived {_clock(result.arrivals.get(number), zone)}")
        for text in texts:
            window = ""
            if text.window:
                window = f"  [{text.window[0].astimezone(zone):%H:%M}–{text.window[1].astimezone(zone):%H:%M}]"
            mark = "" if text.received else f"  ({text.status}, not received)"
            body = " / ".join(line.strip() for line in text.body.splitlines() if line.strip())
            out.append(f"  {_clock(text.at, zone)}  {text.kind:<17}{window}{mark}  {body}")
    return "\n".join(out)
