"""`make run` brings a crashed process back (devtools.dev_stack restart); a stop is still a stop."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from faults.stack import ROOT

from devtools.dev_stack import restart


def test_a_crashed_process_is_started_again_with_backoff(tmp_path):
    counter = tmp_path / "runs"
    script = ("import pathlib, sys; p = pathlib.Path(sys.argv[1]); n = int(p.read_text() or 0) if p.exists() "
              "else 0; p.write_text(str(n + 1)); sys.exit(0 if n >= 2 else 3)")
    assert restart([sys.executable, "-c", script, str(counter)], delays=(0.05, 0.2)) == 0
    assert counter.read_text() == "3"  # crashed twice, came back twice, then ended on its own


def test_a_stop_stops_the_restarting_and_counts_as_success():
    runner = subprocess.Popen([sys.executable, "-m", "devtools.dev_stack", "restart", sys.executable, "-c",
                               "import signal; print('up', flush=True); signal.pause()"],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert runner.stdout.readline().strip() == "up"  # the wrapper set its handlers before starting this
    runner.send_signal(signal.SIGTERM)
    assert runner.wait(timeout=10) == 0


def test_procfile_dev_runs_every_process_under_restart():
    lines = [line for line in (ROOT / "Procfile.dev").read_text().splitlines() if line.strip()]
    assert lines and all("devtools.dev_stack restart" in line for line in lines)
    assert all("gunicorn.conf.py" in line for line in (ROOT / "Procfile").read_text().splitlines()
               if line.startswith("web:"))


def test_a_worker_stops_promptly_on_sigterm(tmp_path):
    """The platform's stop (SIGTERM) ends an idle worker at once: its outage loop must not take it for a crash."""
    import os

    from bijna_testing import DATABASE_URL, REDIS_URL

    log = tmp_path / "worker.log"
    env = {**os.environ, "ENV": "test", "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "PYTHONUNBUFFERED": "1"}
    with open(log, "w") as out:
        worker = subprocess.Popen([sys.executable, "-m", "workers.run"], cwd=ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90  # a loaded CI machine starts Python slowly
        while "Listening on" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "Listening on" in log.read_text(), log.read_text()[-2000:]
        worker.send_signal(signal.SIGTERM)
        # Stopped, whether by its own handler (0) or by the signal itself before RQ installed one (-15);
        # a worker that took SIGTERM for a crash would restart and never end.
        assert worker.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
