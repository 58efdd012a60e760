"""Abuse: template bombs, saved many at a time, leave the web tier answering (real gunicorn, 2 workers).

The issue's measurement: two nested range(100000) loops sent twice held both gunicorn workers
until their 30 s timeout, and /healthz with them. Here eight bombs of every sort are saved in
parallel, twice over, while /healthz is probed; each bomb must be refused and each probe answered.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from bijna_testing import DATABASE_URL, REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
BOMBS = [
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "{{ 'x' * 10000000 }}",
    "{% for i in range(99) %}{% for j in range(99) %}{% for k in range(99) %}{% endfor %}{% endfor %}{% endfor %}",
    "{% set x = 'xxxxxxxxxxxxxxxx' %}" + "{% set x = x ~ x %}" * 40 + "{{ x }}",
    "{{ '{:>999999999}'.format(1) }}",
    "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "{{ 'x'|center(999999999) }}",
    "{{ " + "(" * 400 + "1" + ")" * 400 + " }}",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def web(db, shop_and_key):
    """gunicorn with two sync workers on a loopback port, on the test database."""
    port = _free_port()
    env = {**os.environ, "ENV": "test", "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL,
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "SECRET_KEY": "abuse-test"}
    # --preload: both workers are ready when the first answers (this measures bombs, not worker boot).
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--timeout", "30", "--preload",
                                "--bind", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/healthz", timeout=5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {shop_and_key[1]}"}
        for _ in range(4):  # each worker's first save starts its helper processes
            requests.put(f"{base}/api/v1/shop/templates/delivered/nl", json={"body": "{{ tracking_url }}"},
                         headers=headers, timeout=10)
        requests.delete(f"{base}/api/v1/shop/templates/delivered/nl", headers=headers, timeout=10)
        yield base, headers
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_parallel_template_bombs_leave_healthz_answering(web):
    base, headers = web
    answers: list[int] = []
    bomb_seconds: list[float] = []

    def save(body: str) -> None:
        started = time.perf_counter()
        try:
            response = requests.put(f"{base}/api/v1/shop/templates/delivered/nl", json={"body": body},
                                    headers=headers, timeout=15)
            answers.append(response.status_code)
        except requests.RequestException:
            answers.append(0)
        bomb_seconds.append(time.perf_counter() - started)

    threads = [threading.Thread(target=save, args=(bomb,)) for bomb in BOMBS * 2]
    for thread in threads:
        thread.start()
    probes: list[float] = []
    while any(thread.is_alive() for thread in threads) or len(probes) < 10:
        started = time.perf_counter()
        try:
            ok = requests.get(f"{base}/healthz", timeout=3).ok
        except requests.RequestException:
            ok = False
        probes.append(time.perf_counter() - started if ok else float("inf"))
        time.sleep(0.02)
    for thread in threads:
        thread.join(20)
    print(f"bombs: {len(answers)}, slowest {max(bomb_seconds):.3f} s; /healthz: {len(probes)} probes, "
          f"median {statistics.median(probes) * 1000:.1f} ms, slowest {max(probes) * 1000:.1f} ms")
    assert answers == [422] * len(BOMBS) * 2
    assert max(probes) < 1.0 and statistics.median(probes) < 0.1, probes
    listed = requests.get(f"{base}/api/v1/shop/templates", headers=headers, timeout=5).json()
    assert listed["items"] == []
