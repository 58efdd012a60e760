"""A delivery day through the production process set, broken in the middle in every way we know of.

gunicorn, two RQ workers and the sweeper run as real processes against our own PostgreSQL and Redis;
Twilio is the stand-in (through the real SDK), the carrier is the simulator. One generated 20-stop day is
replayed through HTTP on a shared virtual clock. Meanwhile: Twilio answers 429 and 500, workers are
killed with SIGKILL while sending and while calling the carrier, Redis dies and comes back empty,
PostgreSQL restarts, the carrier is down, slow and answers twice, and every webhook comes twice and
out of order. Then we count: every text decided reached Twilio exactly once, every rebooking reached
the carrier exactly once, and nobody did anything by hand. docs/reliability.md quotes these counts.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import psycopg
import pytest
from faults.stack import AUTH_TOKEN, METRICS_TOKEN, SENDER, wait_until

from app.simulation.day import SHIPMENTS_PATH
from app.simulation.generator import generate_day
from app.sms.signature import sign_twilio_request

QUEUES = ("bijna-texts", "bijna-replies", "bijna-carrier", "bijna-default")
SENT = ("accepted", "queued", "sending", "sent", "delivered")
STOPS = 20
BUSY = ("select (select count(*) from messages where (direction = 'out' and status in ('pending', 'dispatching', "
        "'unknown') and (send_after is null or send_after <= %s)) or (direction = 'in' and status = 'received')) "
        "+ (select count(*) from rebooking_commands where status = 'pending')")


class Day:
    """Drive the day: post requests as carrier/shop/Twilio, wait for the system to settle, inject faults."""

    def __init__(self, stack):
        self.s, self.seen_503, self.refused, self.replied = stack, 0, [], []
        self.redis = self.db = None
        self.retry_after_ok = True

    # --- talking to Bijna like its callers do (a 503 is retried, as the contract says) ---------------
    def post(self, path: str, *, json=None, form=None, headers=None):
        for _ in range(300):
            try:
                answer = self.s.http.post(self.s.web_url + path, json=json, data=form, headers=headers or {},
                                          timeout=15)
            except Exception as error:  # the web tier restarting its connections to a dead database
                self.last_error = repr(error)
                time.sleep(0.1)
                continue
            if answer.status_code == 503:
                self.seen_503 += 1
                self.retry_after_ok &= answer.headers.get("Retry-After", "").isdigit() and \
                    answer.json()["error"]["code"] == "unavailable"
                time.sleep(0.15)
                continue
            assert answer.status_code < 500, (path, answer.status_code, answer.text[:300])
            if answer.status_code >= 400:
                self.refused.append((path, answer.status_code))
            return answer
        raise AssertionError(f"{path} never answered: {getattr(self, 'last_error', '503s')}")

    def carrier(self, path, body):
        return self.post(path, json=body, headers={"Authorization": f"Bearer {self.s.carrier_token}"})

    def twilio(self, path: str, form: dict):
        signature = sign_twilio_request(AUTH_TOKEN, self.s.web_url + path, form)
        return self.post(path, form=form, headers={"X-Twilio-Signature": signature})

    def reply(self, phone: str, body: str):
        form = {"MessageSid": f"SM{uuid.uuid4().hex}", "AccountSid": "AC" + "0" * 32, "From": phone, "To": SENDER,
                "Body": body, "NumMedia": "0"}
        for _ in range(2):  # Twilio retries webhooks: the same MessageSid twice
            self.twilio("/webhooks/twilio/sms", form)
        self.replied.append(phone)

    def status_callbacks(self, message: dict, order=("delivered", "sent", "delivered")):
        for status in order:  # twice, and out of order: never moves back
            self.twilio("/webhooks/twilio/status", {"MessageSid": message["sid"], "MessageStatus": status,
                                                    "AccountSid": message["account_sid"], "To": message["to"],
                                                    "From": SENDER})

    # --- the state of things -----------------------------------------------------------------------
    def busy(self) -> int:
        """Count what is left to do: queued jobs, texts due or in flight, unread replies, pending commands."""
        try:
            if self.redis is None:
                self.redis = self.s.redis_client()
            queued = sum(self.redis.llen(f"rq:queue:{name}") for name in QUEUES)
            if self.db is None:
                self.db = psycopg.connect(self.s.postgres.url, autocommit=True, connect_timeout=2)
            return queued + self.db.execute(BUSY, (self.s.clock.now(),)).fetchone()[0]
        except Exception:  # an outage: busy by definition; reconnect next time
            self.redis = self.db = None
            return 1

    def settle(self, limit: float = 45.0) -> None:
        """Wait until nothing is left to do; when only time can help (leases, backoffs), move the clock."""
        started = stuck = time.monotonic()
        while self.busy():
            if time.monotonic() - started > limit:
                raise AssertionError(f"still busy after {limit} s: {self.busy()}")
            if time.monotonic() - stuck > 0.5:
                self.s.clock.advance(30)  # what a dead worker's lease or a backoff waits for
                stuck = time.monotonic()
            time.sleep(0.03)

    def sent_arriving_soon(self) -> list[str]:
        with self.s.app.app_context():
            from sqlalchemy import text

            from app.extensions import db
            return list(db.session.execute(text(
                "select m.to_number from messages m join shipments s on s.id = m.shipment_id "
                "where m.kind = 'arriving_soon' and m.status in ('accepted', 'queued', 'sent', 'delivered') "
                "and s.status = 'out_for_delivery' order by m.created_at")).scalars())


def _restart_workers(stack) -> None:
    stack.processes.start("worker1")
    stack.processes.start("worker2")


@pytest.fixture(scope="module")
def day(stack):
    """Replay the day with its faults; return the driver and the counts."""
    from redis import Redis

    stack.redis_client = lambda: Redis.from_url(stack.redis.url, socket_connect_timeout=0.5, socket_timeout=1)
    generated = generate_day(11, stops=STOPS)
    requests = generated.requests
    drive = Day(stack)
    faults: Counter = Counter()
    points = {round(len(requests) * share): name for share, name in (
        (0.15, "twilio_429"), (0.25, "twilio_500"), (0.35, "kill_while_sending"), (0.45, "reply_carrier_down"),
        (0.55, "redis_lost"), (0.62, "reply_carrier_slow"), (0.70, "postgres_restart"),
        (0.78, "reply_kill_while_calling_carrier"))}
    started, armed, attempts = time.monotonic(), False, 0
    for index, request in enumerate(requests):
        stack.clock.set(request.at)
        fault = points.get(index)
        if fault == "twilio_429":
            stack.standin.fail_next(429, code=20429, times=2)
        elif fault == "twilio_500":
            stack.standin.fail_next(500, times=1)  # accepted, then an error: the ambiguous case
        elif fault == "kill_while_sending":
            stack.standin.delay_next(2.0, times=3)
            attempts = stack.standin.create_attempts
        elif fault == "redis_lost":
            stack.redis.stop()
            comeback = threading.Timer(1.0, stack.redis.start)  # empty: every queued job is gone
        elif fault == "postgres_restart":
            stack.postgres.stop()
            comeback = threading.Timer(1.0, stack.postgres.start)
        if fault in ("redis_lost", "postgres_restart"):
            comeback.start()  # meanwhile the requests below meet the outage (and are retried on a 503)
        if request.path == SHIPMENTS_PATH:
            drive.post(request.path, json=request.body, headers={"Authorization": f"Bearer {stack.shop_key}"})
        else:
            times = 2 if "/events" in request.path else 1  # carriers resend events: the same batch twice
            for _ in range(times):
                drive.carrier(request.path, request.body)
        if fault in ("redis_lost", "postgres_restart"):
            comeback.join()
            faults[fault] += 1
        if fault == "postgres_restart":  # every pooled connection is stale now: pre-ping must hide it
            drive.after_restart = [stack.http.get(f"{stack.web_url}/readyz", timeout=10).status_code
                                   for _ in range(8)]
        if fault and fault.startswith("reply_"):
            _reply_with_fault(stack, drive, fault, faults)
        if fault == "kill_while_sending" or armed:
            armed = not _kill_while_sending(stack, attempts)  # no text this request: the next one, then
            faults["kill_while_sending"] += not armed
        elif fault and fault.startswith("twilio"):
            faults[fault] += 1
        drive.settle()
        if fault:
            print(f"{time.monotonic() - started:6.1f}s {index} {fault}", flush=True)
    stack.clock.advance(600)  # the day is over; let everything due go out or time out
    drive.settle()
    with_texts = [m for m in stack.standin.messages if m["direction"] == "outbound-api"]
    for message in with_texts:
        drive.status_callbacks(message)
    drive.settle()
    for (token,) in stack.postgres.rows("select tracking_token from shipments order by created_at limit 5"):
        for suffix in ("", ".json"):  # the recipient opens the tracking page (its token is its only credential)
            assert stack.http.get(f"{stack.web_url}/t/{token}{suffix}?ref=sms", timeout=10).status_code == 200
    drive.settle()
    stack.results.update(seconds=round(time.monotonic() - started, 1), requests=len(requests), faults=faults)
    return drive


def _kill_while_sending(stack, attempts: int) -> bool:
    """Kill both workers (SIGKILL) while Twilio holds a send open; restart them as the platform would."""
    deadline = time.monotonic() + 3
    while stack.standin.create_attempts <= attempts:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    stack.processes.kill9("worker1", "worker2")
    _restart_workers(stack)
    return True


def _reply_with_fault(stack, drive: Day, fault: str, faults: Counter) -> None:
    """A recipient answers "1 nr 12" (neighbours) while the carrier misbehaves."""
    candidates = [phone for phone in drive.sent_arriving_soon() if phone not in drive.replied]
    if not candidates:
        return
    if fault == "reply_carrier_down":
        stack.sim.fault("down", count=2)
    elif fault == "reply_carrier_slow":
        stack.sim.fault("slow", delay_ms=1500, count=1)  # past our 1 s timeout: retried, the carrier answers twice
    elif fault == "reply_kill_while_calling_carrier":
        stack.sim.fault("slow", delay_ms=800, count=1)
    drive.reply(candidates[0], "1 nr 12")
    if fault == "reply_kill_while_calling_carrier":
        wait_until(lambda: stack.postgres.count(
            "select count(*) from rebooking_commands where attempts > 0 and status = 'pending'"), 5,
            "a command at the carrier")
        time.sleep(0.2)
        stack.processes.kill9("worker1", "worker2")
        _restart_workers(stack)
    faults[fault] += 1


def test_nothing_is_lost_and_nothing_is_doubled(stack, day):
    pg = stack.postgres
    texts = [m for m in stack.standin.messages if m["direction"] == "outbound-api"]
    sids = Counter(m["sid"] for m in texts)
    rows = pg.count("select count(*) from messages where direction = 'out'")
    recorded = pg.count("select count(*) from messages where direction = 'out' and provider_sid is not null")
    distinct = pg.count("select count(distinct provider_sid) from messages where direction = 'out' "
                        "and provider_sid is not null")
    unfinished = pg.count("select count(*) from messages where direction = 'out' and status in "
                          "('pending', 'dispatching', 'unknown')")
    failed = pg.count("select count(*) from messages where direction = 'out' and status = 'failed'")
    pairs = Counter((m["to"], m["body"]) for m in texts)
    stack.results.update(decided=rows, delivered=len(texts), recorded=recorded, unfinished=unfinished,
                         failed=failed, **_dropped(pg), seen_503=day.seen_503, crashes=stack.processes.crashes)
    assert set(stack.results["faults"]) >= {"twilio_429", "twilio_500", "kill_while_sending", "redis_lost",
                                             "postgres_restart"}, stack.results
    assert unfinished == 0 and failed == 0, stack.results  # nothing stuck, nothing given up
    known = {sid for (sid,) in pg.rows("select provider_sid from messages where direction = 'out' "
                                       "and provider_sid is not null")}
    orphans = [(m["to"], m["body"][:25], m["date_created"], [row for row in pg.rows(
        "select kind, status, attempts, error_code, created_at, updated_at from messages where to_number = %s "
        "and body = %s", m["to"], m["body"])]) for m in texts if m["sid"] not in known]
    assert not orphans, orphans  # a text at Twilio that no row claims was sent twice
    assert recorded == distinct == len(texts), stack.results  # each text at Twilio is one row, and each row one text
    assert max(pairs.values()) == 1, [pair for pair, n in pairs.items() if n > 1]  # nobody got a text twice
    assert all(n == 1 for n in sids.values())
    assert rows == recorded + stack.results["skipped"] + stack.results["expired"], stack.results
    assert day.seen_503 > 0 and day.retry_after_ok  # the database outage answered 503 + Retry-After
    assert day.after_restart == [200] * 8  # and once it was back, no stale pooled connection failed a request


def _dropped(pg) -> dict:
    return {status: pg.count("select count(*) from messages where direction = 'out' and status = %s", status)
            for status in ("skipped", "expired")}


def test_every_rebooking_reaches_the_carrier_exactly_once(stack, day):
    commands = stack.postgres.count("select count(*) from rebooking_commands")
    accepted = stack.postgres.count("select count(*) from rebooking_commands where status = 'accepted'")
    executed = Counter(c["idempotency_key"] for c in stack.sim.commands())
    stack.results.update(commands=commands, commands_accepted=accepted, carrier_executions=sum(executed.values()))
    assert commands == len(day.replied) >= 2, stack.results
    assert accepted == commands, stack.results
    assert len(executed) == commands and set(executed.values()) == {1}, executed


def test_status_callbacks_twice_and_out_of_order_end_at_delivered(stack, day):
    statuses = Counter(dict(stack.postgres.rows("select status, count(*) from messages where direction = 'out' "
                                                "and provider_sid is not null group by status")))
    assert set(statuses) == {"delivered"}, statuses


def test_the_processes_are_up_after_the_day(stack, day):
    alive = stack.processes.alive()
    assert all(code is None for code in alive.values()), alive  # nobody quit on an outage
    logs = stack.processes.logs()
    stack.results.update(unclear_sends=logs.count("unclear (error"), outages_logged=logs.count("unreachable ("),
                         recoveries_logged=logs.count("is back after"))
    assert stack.results["unclear_sends"] >= 1  # the 500-after-accept was reconciled, not resent
    assert "unhandled exception, quitting" not in logs or "is back after" in logs
    assert logs.count("Redis unreachable") <= 6  # once per process and outage, not per attempt


def test_metrics_count_the_day_and_need_the_token(stack, day):
    refused = stack.http.get(f"{stack.web_url}/metrics", timeout=5)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    scrape = stack.http.get(f"{stack.web_url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
                            timeout=5).text
    for name in ('bijna_messages_total{outcome="sent"', "bijna_queue_depth{", "bijna_queue_oldest_job_age_seconds",
                 "bijna_http_request_seconds_bucket", 'bijna_stop_etas_total{result="accepted"}',
                 "bijna_carrier_commands_total"):
        assert name in scrape, name


def test_no_log_line_holds_a_phone_number_a_body_or_a_credential(stack, day):
    logs = stack.processes.logs()
    assert '"gunicorn.access"' in logs and "/t/[token]" in logs  # the access log was written, masked
    secrets = {"shop API key": stack.shop_key, "carrier token": stack.carrier_token, "Twilio token": AUTH_TOKEN}
    for (token,) in stack.postgres.rows("select tracking_token from shipments"):
        secrets[f"tracking token {token[:4]}…"] = token
    for (phone,) in stack.postgres.rows("select distinct recipient_phone from shipments"):
        secrets[f"phone {phone[:4]}…"] = phone
        secrets[f"national phone {phone[:4]}…"] = "0" + phone[3:]
    for (body,) in stack.postgres.rows("select distinct body from messages where body <> ''"):
        secrets[f"body {body[:12]}…"] = body[:40]
    leaked = sorted(name for name, secret in secrets.items() if secret in logs)
    assert leaked == [], leaked
    job_lines = [line for line in logs.splitlines() if '"job_id"' in line]
    assert job_lines and all('"subject_ids"' in line for line in job_lines)
    assert any('"request_id"' in line for line in job_lines)  # carried from the request that enqueued it
