"""`python -m workers.simulate DAYFILE` replays a recorded day file end to end, as shops and carriers run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.simulation.day import write_day
from app.simulation.generator import generate_day
from bijna_testing import REDIS_URL

ROOT = Path(__file__).resolve().parents[2]


def test_the_replay_process_reads_a_recorded_day_and_prints_its_scorecard(tmp_path):
    dayfile = tmp_path / "day.jsonl"
    write_day(generate_day(31337, stops=6).requests, dayfile)
    # The replay flushes its scratch Redis and refuses the app's own: the app is pointed at the same test
    # database under another spelling, which it only reads its settings from.
    env = {**os.environ, "REDIS_URL": REDIS_URL.replace("127.0.0.1", "localhost"), "SMS_PROVIDER": "simulator"}
    done = subprocess.run(
        [sys.executable, "-m", "workers.simulate", str(dayfile), "--json", "--sweep-every", "120",
         "--database-url", f"sqlite:///{tmp_path / 'scratch.sqlite3'}", "--redis-url", REDIS_URL],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    card = json.loads(done.stdout)
    assert card["stops"] == card["delivered"] == 6
    assert card["soon_n"] == 6 and card["about_n"] == 6  # everyone was told "about N minutes", as data
    assert "refused" not in done.stderr


def test_a_recorded_day_of_scattering_etas_is_smoothed_without_any_learning(tmp_path):
    # A carrier whose every push scatters around the truth (the noise issue 10 describes), replayed into an empty
    # database: no deliveries to learn from, so each route push's own roughness must pick the smoothed ETA.
    dayfile = tmp_path / "scatter.jsonl"
    write_day(generate_day(31338, stops=40, eta_noise="scatter").requests, dayfile)
    env = {**os.environ, "REDIS_URL": REDIS_URL.replace("127.0.0.1", "localhost"), "SMS_PROVIDER": "simulator"}
    done = subprocess.run(
        [sys.executable, "-m", "workers.simulate", str(dayfile), "--json", "--quiet", "--sweep-every", "120",
         "--database-url", f"sqlite:///{tmp_path / 'scratch.sqlite3'}", "--redis-url", REDIS_URL],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    card = json.loads(done.stdout)
    assert card["delivered"] == 40
    assert card["soon_in_target"] >= 0.9 and card["about_within"] >= 0.8  # one push alone: about 0.7 and 0.45
