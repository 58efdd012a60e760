"""Time is a parameter: product code reads the wall clock only through app/clock.py."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("app", "workers")  # the carrier simulator stands for another party, with its own clock
CLOCK_MODULE = ROOT / "app" / "clock.py"
WALL_CLOCK_READS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
                    ("time", "time"), ("time", "time_ns"), ("time", "localtime"), ("time", "gmtime")}


def wall_clock_reads(source: str) -> list[tuple[int, str]]:
    """Return (line, expression) for every reference to a wall-clock reader, called or passed along."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in WALL_CLOCK_READS:
                found.append((node.lineno, f"{node.value.id}.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module == "time":
            found += [(node.lineno, f"from time import {a.name}") for a in node.names
                      if ("time", a.name) in WALL_CLOCK_READS]
    return found


def test_the_guard_sees_each_way_of_reading_the_wall_clock():
    source = ("from datetime import date, datetime\nimport time\nfrom time import time as t\n"
              "a = datetime.now()\nb = date.today()\nc = time.time()\nd = dict(default=datetime.utcnow)\n")
    assert sorted(expr for _, expr in wall_clock_reads(source)) == sorted(
        ["from time import time", "datetime.now", "date.today", "time.time", "datetime.utcnow"])


def test_monotonic_deadlines_and_the_clock_module_itself_are_allowed():
    assert wall_clock_reads("import time\nx = time.monotonic()\ny = time.perf_counter()\n") == []
    assert wall_clock_reads(CLOCK_MODULE.read_text()) != []  # the one place that may


def test_no_product_code_reads_the_wall_clock_outside_the_clock_module():
    offenders = [f"{path.relative_to(ROOT)}:{line}: {expr}"
                 for package in PRODUCT for path in sorted((ROOT / package).rglob("*.py")) if path != CLOCK_MODULE
                 for line, expr in wall_clock_reads(path.read_text())]
    assert offenders == [], "read the time from app.clock.now() (or take `now`):\n" + "\n".join(offenders)
