"""The newcomer's tour works as written: scripts/demo-route, the README's curl examples, `make run`'s stop."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import Message, Shipment
from carrier_sim import create_app as create_carrier_sim
from devtools import demo_route
from devtools.dev_stack import without_password
from devtools.serve import serve_in_thread

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start:end if end > 0 else None]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _env(**overrides) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("PORT", "CARRIER_PORT")}
    return {**env, **overrides}


@pytest.fixture
def bijna_url(app, db) -> Iterator[str]:
    """The test app served over real HTTP, as `make run` serves it."""
    with serve_in_thread(app) as base_url:
        yield base_url


@pytest.mark.parametrize(("env", "bijna", "carrier"), [
    ({}, "http://127.0.0.1:5000", "http://127.0.0.1:5055"),
    ({"PORT": "5100", "CARRIER_PORT": "5155"}, "http://127.0.0.1:5100", "http://127.0.0.1:5155"),
])
def test_demo_route_help_shows_the_addresses_that_follow_port_and_carrier_port(env, bijna, carrier):
    shown = subprocess.run([str(ROOT / "scripts" / "demo-route"), "--help"], env=_env(**env),
                           capture_output=True, text=True, timeout=60, check=True).stdout
    flat = " ".join(shown.split())
    assert f"(default: {bijna})" in flat and f"(default: {carrier})" in flat


def test_demo_route_says_in_one_line_that_bijna_is_not_running(tmp_path):
    credentials = tmp_path / "credentials.json"
    credentials.write_text(json.dumps({"shop_api_key": "k", "carrier_token": "t", "carrier_code": "c"}))
    port = _free_port()
    run = subprocess.run([str(ROOT / "scripts" / "demo-route"), "--credentials", str(credentials)],
                         env=_env(PORT=str(port)), capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        f"demo-route: cannot reach Bijna at 127.0.0.1:{port}: is `make run` running "
        "(with the same PORT / CARRIER_PORT)?"]


def test_demo_route_without_credentials_says_to_start_make_run(tmp_path, capsys):
    assert demo_route.main(["--credentials", str(tmp_path / "missing.json")]) == 1
    assert "start Bijna with `make run` first" in capsys.readouterr().err


def test_demo_route_pushes_a_day_into_a_running_bijna(bijna_url, db, shop_and_key, carrier_and_token,
                                                      tmp_path, capsys):
    credentials = tmp_path / "credentials.json"
    credentials.write_text(json.dumps({"shop_api_key": shop_and_key[1], "carrier_token": carrier_and_token[1],
                                       "carrier_code": carrier_and_token[0].code}))
    with serve_in_thread(create_carrier_sim("test-carrier-secret", seed=3)) as carrier_url:
        code = demo_route.main(["--base-url", bijna_url, "--carrier-url", carrier_url,
                                "--credentials", str(credentials)])
    assert code == 0, capsys.readouterr().err
    db.session.expire_all()
    assert len(db.session.execute(select(Shipment)).scalars().all()) == 3
    kinds = db.session.execute(select(Message.kind)).scalars().all()
    assert "arriving_soon" in kinds  # Anna's driver is 12 minutes away
    assert f"{bijna_url}/dev/phone" in capsys.readouterr().out


def test_readme_curl_examples_carry_no_fixed_date():
    curl = _section("Try the API with curl")
    assert "curl" in curl
    assert not re.findall(r"\d{4}-\d{2}-\d{2}", curl), "a fixed date is in the past one day: let the shell compute it"


def test_readme_curl_examples_work_today(bijna_url, db, shop_and_key, carrier_and_token):
    blocks = re.findall(r"```sh\n(.*?)```", _section("Try the API with curl"), re.S)
    script = "\n".join(blocks)
    script = re.sub(r"^KEY=.*$", f"KEY={shop_and_key[1]}", script, flags=re.M)
    script = re.sub(r"^TOKEN=.*$", f"TOKEN={carrier_and_token[1]}", script, flags=re.M)
    script = re.sub(r"^curl -s ", "curl -s --fail-with-body ", script, flags=re.M)
    port = bijna_url.rsplit(":", 1)[1]
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=_env(PORT=port),
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    shipment, pushed = (json.loads(line) for line in run.stdout.replace("}{", "}\n{").splitlines())
    assert shipment["recipient"]["phone"] == "+31612345678"
    assert pushed["accepted"] == 1 and pushed["texts_queued"] == 1  # the driver is 12 minutes away
    db.session.expire_all()
    assert db.session.execute(select(Message.kind)).scalars().all() == ["arriving_soon"]


def test_readme_configuration_lists_every_setting_and_the_ports():
    from dataclasses import fields

    from app.config import Settings

    table = _section("Configuration")
    names = {f.name for f in fields(Settings) if f.name != "extra"} | {"PORT", "CARRIER_PORT"}
    assert sorted(name for name in names if f"`{name}`" not in table) == []


@pytest.mark.parametrize(("url", "shown"), [
    ("redis://:s3cret@127.0.0.1:6379/2", "redis://127.0.0.1:6379/2"),
    ("redis://bijna:s3cret@redis.internal:6380/0", "redis://bijna@redis.internal:6380/0"),
    ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
    ("postgresql://bijna:pw@db:5432/bijna", "postgresql://bijna@db:5432/bijna"),
    (f"sqlite:///{ROOT}/instance/bijna.sqlite3", "sqlite:///instance/bijna.sqlite3"),
])
def test_the_start_banner_names_redis_and_the_database_without_a_password(url, shown):
    assert without_password(url) == shown


def _make_run_like(tmp_path: Path, command: str) -> str:
    """A Makefile whose `run` target supervises `command` as scripts/run-dev does."""
    makefile = tmp_path / "Makefile"
    makefile.write_text(f"run:\n\t@cd {ROOT} && exec {sys.executable} -m devtools.dev_stack supervise {command}\n")
    return str(makefile)


def test_a_stop_by_sigterm_is_a_success_and_a_crash_is_not(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-m", "devtools.dev_stack", "supervise", sys.executable, "-c",
                                "import signal; print('up', flush=True); signal.pause()"],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert sleeper.stdout.readline().strip() == "up"
    sleeper.terminate()
    assert sleeper.wait(timeout=10) == 0
    crash = subprocess.run([sys.executable, "-m", "devtools.dev_stack", "supervise", sys.executable, "-c",
                            "raise SystemExit(3)"], cwd=ROOT, timeout=30)
    assert crash.returncode == 3


def test_ctrl_c_stops_make_run_without_a_make_error(tmp_path):
    """Ctrl-C on a terminal: the supervised processes stop, make reports no error and exits 0."""
    import pty
    import select as io_select

    # Like honcho: on SIGINT it stops its processes and exits 130.
    makefile = _make_run_like(tmp_path, f"{sys.executable} -c \"import signal, sys; "
                                        "signal.signal(signal.SIGINT, lambda *_: sys.exit(130)); "
                                        "print('up', flush=True); signal.pause()\"")
    pid, terminal = pty.fork()
    if pid == 0:  # the child: a shell on the new terminal, like the one a newcomer types in
        os.execvp("bash", ["bash", "-c", f"make -s -f {makefile} run; echo EXIT=$?"])
    seen, sent = b"", False
    try:
        for _ in range(200):  # bounded: at most ~20 s
            ready, _, _ = io_select.select([terminal], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(terminal, 1024)
                except OSError:
                    break  # the shell is gone
                if not chunk:
                    break
                seen += chunk
            if b"up" in seen and not sent:
                os.write(terminal, b"\x03")
                sent = True
            if re.search(rb"EXIT=\d+", seen):
                break
    finally:
        if os.waitpid(pid, os.WNOHANG) == (0, 0):
            os.kill(pid, 9)  # the shell this test started did not end: do not leave it behind
            os.waitpid(pid, 0)
        os.close(terminal)
    output = seen.decode(errors="replace")
    assert sent and "EXIT=0" in output, output
    assert "make: ***" not in output, output  # was "make: *** [Makefile:36: run] Error 130"
