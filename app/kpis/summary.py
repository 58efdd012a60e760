"""The weekly summary per carrier a shop can forward: the figures against their targets and the worst regions. Pure."""

from __future__ import annotations

from datetime import date, timedelta

from app.kpis.definitions import figures
from app.kpis.periods import period_label
from app.kpis.report import DayRow, judged, worst_regions
from app.kpis.tally import Tally


def format_value(value, unit: str) -> str:
    """Write a figure the way a person reads it: 96.2 %, 1.5 h, 3.1 per 1,000."""
    if value is None:
        return "–"
    if unit == "share":
        return f"{100 * value:.1f} %"
    if unit == "h":
        return f"{value:.1f} h"
    if unit == "per_1000":
        return f"{value:.1f} per 1,000"
    if unit == "s":
        return f"{value:.0f} s"
    if unit == "score":
        return f"{value:.2f}"
    return f"{value:,}"


def weekly_summary(carrier_name: str, monday: date, rows: list[DayRow]) -> dict:
    """Return the week's figures for one carrier, judged, with its three worst regions."""
    week = [row for row in rows if monday <= row.day < monday + timedelta(days=7)]
    numbers = figures(Tally().merge_all(row.tally for row in week)) if week else figures(Tally())
    return {"carrier": carrier_name, "week": period_label(monday, "week"), "from": monday.isoformat(),
            "to": (monday + timedelta(days=7)).isoformat(), "figures": numbers, "kpis": judged(numbers),
            "worst_regions": worst_regions(week)}


def as_markdown(summary: dict) -> str:
    """Render a weekly summary as Markdown a shop can paste into an e-mail to its carrier."""
    numbers = summary["figures"]
    lines = [f"# {summary['carrier']}: week {summary['week']} ({summary['from']} to {summary['to']})", "",
             f"{numbers['parcels']:,} parcels registered, {numbers['delivered']:,} delivered, "
             f"{numbers['open']:,} still on their way.", "",
             "| KPI | this week | target | |", "|---|---|---|---|"]
    for kpi in summary["kpis"]:
        target = "" if kpi["target"] is None else ("< " if kpi["better"] == "lower" else "> ") + format_value(
            kpi["target"], kpi["unit"])
        mark = {"met": "met", "missed": "**missed**"}.get(kpi["verdict"], "")
        lines.append(f"| {kpi['label']} | {format_value(kpi['value'], kpi['unit'])} | {target} | {mark} |")
    if summary["worst_regions"]:
        lines += ["", "Worst regions (lowest on-time rate):", ""]
        for item in summary["worst_regions"]:
            region = item["figures"]
            lines.append(f"- {item['region']}: {format_value(region['on_time_rate'], 'share')} on time, "
                         f"{format_value(region['exceptions_per_1000'], 'per_1000')} exceptions, "
                         f"{region['parcels']:,} parcels")
    return "\n".join(lines) + "\n"
