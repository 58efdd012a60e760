"""A local stand-in for Twilio's Messages API, for tests and benchmarks through the real SDK.

    with TwilioStandin() as standin:
        provider = TwilioProvider(sid, token, from_number=..., base_url=standin.base_url)
        standin.fail_next(500)  # accepted, then answered 500: the ambiguous case
        ...
        assert standin.messages[0]["params"]["StatusCallback"] == "https://..."
        form = standin.receive("+31612345678", "STOP", to=our_number, account_sid=sid)
        # form has OptOutType=STOP; Twilio's own answer is in standin.messages; sends now get 21610

Run alone for benchmarks: python -m devtools.twilio_standin --port 8099
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from app.sms.keywords import CONFIRMATIONS, OPT_IN, OPT_OUT, opt_out_type

API_PREFIX = "/2010-04-01/Accounts"
_ROUTE = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages(?:/(?P<sid>[^/]+))?\.json$"
)
_INCOMING_NUMBERS = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/IncomingPhoneNumbers\.json$")
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_SENT_STATUSES = {"sent", "delivered", "undelivered", "failed", "read"}

# Twilio's own codes and wording for the refusals the product reacts to.
_ERRORS = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    21211: "The 'To' number is not a valid phone number.",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
}


@dataclass
class _Injection:
    """A fault or delay for the next `times` creations."""

    times: int
    status: int = 201
    code: int | None = None
    accept: bool = True  # record the message before answering
    seconds: float = 0.0


def _error(status: int, code: int | None, message: str | None = None) -> dict[str, Any]:
    """Build Twilio's error body (the legacy shape the SDK turns into TwilioRestException)."""
    return {
        "code": code,
        "message": message or _ERRORS.get(code or 0) or HTTPStatus(status).phrase,
        "more_info": f"https://www.twilio.com/docs/errors/{code}" if code else None,
        "status": status,
    }


def _rfc2822(moment: datetime | None) -> str | None:
    return format_datetime(moment) if moment else None


class TwilioStandin:
    """Accept, list and fetch messages like Twilio, in memory, with injectable faults."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, max_messages: int | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._clock = clock  # Twilio's own clock: tests that move time move it too
        self._lock = threading.Lock()
        self._max_messages = max_messages  # long benchmarks: keep only the newest
        self._address = (host, port)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    def reset(self) -> None:
        """Forget every message, fault, delay and registered number."""
        with self._lock:
            self._messages: dict[str, dict[str, Any]] = {}
            self._params: dict[str, dict[str, str]] = {}
            self._faults: list[_Injection] = []
            self._delays: list[_Injection] = []
            self._refusals: dict[str, int] = {}  # number -> Twilio error code
            self._owned_numbers: dict[str, set[str]] = {}  # account SID -> its IncomingPhoneNumbers
            self.create_attempts = 0

    # --- test controls -------------------------------------------------------------
    def fail_next(
        self, status: int, code: int | None = None, times: int = 1, accept: bool | None = None
    ) -> None:
        """Answer the next `times` creations with this error; 5xx accept the message first."""
        with self._lock:
            accept = status >= 500 if accept is None else accept
            self._faults.append(_Injection(times, status, code, accept))

    def delay_next(self, seconds: float, times: int = 1) -> None:
        """Accept the next `times` creations but answer only after `seconds`."""
        with self._lock:
            self._delays.append(_Injection(times, seconds=seconds))

    def opt_out(self, number: str) -> None:
        """Refuse sends to `number` with 21610, as after the recipient texted STOP."""
        self._refuse(number, 21610)

    def mark_landline(self, number: str) -> None:
        """Refuse sends to `number` with 21614 (not a mobile number)."""
        self._refuse(number, 21614)

    def mark_invalid(self, number: str) -> None:
        """Refuse sends to `number` with 21211 (not a valid phone number)."""
        self._refuse(number, 21211)

    def opt_in(self, number: str) -> None:
        """Accept sends to `number` again."""
        with self._lock:
            self._refusals.pop(number, None)

    def own_number(self, account_sid: str, number: str) -> None:
        """Register `number` as one of the account's IncomingPhoneNumbers (bought in the console)."""
        with self._lock:
            self._owned_numbers.setdefault(account_sid, set()).add(number)

    def list_incoming_numbers(self, account_sid: str, path: str, query: dict[str, str]) -> dict[str, Any]:
        """Handle GET .../IncomingPhoneNumbers.json with PhoneNumber (one page is all a test needs)."""
        with self._lock:
            owned = sorted(self._owned_numbers.get(account_sid, ()))
        wanted = query.get("PhoneNumber")
        found = [{"sid": "PN" + uuid.uuid5(uuid.NAMESPACE_OID, number).hex, "account_sid": account_sid,
                  "phone_number": number, "friendly_name": number,
                  "capabilities": {"sms": True, "voice": False, "mms": False}}
                 for number in owned if wanted in (None, number)]
        uri = f"{path}?{urlencode(query)}"
        return {"incoming_phone_numbers": found, "uri": uri, "first_page_uri": uri, "next_page_uri": None,
                "previous_page_uri": None, "page": 0, "page_size": max(len(found), 50), "start": 0,
                "end": max(len(found) - 1, 0)}

    def receive(self, number: str, body: str, *, to: str, account_sid: str) -> dict[str, str]:
        """Take a text from `number` to our number `to` as Twilio does; return the webhook form it posts.

        A bare keyword (Advanced Opt-Out) blocks (21610) or unblocks the number, is answered with
        Twilio's own confirmation (kept like any message, direction "outbound-reply") and posted
        with OptOutType.
        """
        keyword = opt_out_type(body)
        with self._lock:
            if keyword == OPT_OUT:
                self._refusals[number] = 21610
            elif keyword == OPT_IN and self._refusals.get(number) == 21610:
                del self._refusals[number]
        if keyword is not None:
            answer = self._record(account_sid, {"To": number, "From": to, "Body": CONFIRMATIONS[keyword]})
            with self._lock:
                self._messages[answer["sid"]].update(direction="outbound-reply", status="delivered")
        sid = "SM" + secrets.token_hex(16)
        form = {"MessageSid": sid, "SmsSid": sid, "AccountSid": account_sid, "From": number, "To": to,
                "Body": body, "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received",
                "ApiVersion": "2010-04-01"}
        return {**form, "OptOutType": keyword} if keyword else form

    def set_status(self, sid: str, status: str, error_code: int | None = None) -> None:
        """Move a message on (e.g. to "sent"), as Twilio would after queueing it."""
        now = self._clock()
        with self._lock:
            message = self._messages[sid]
            message.update(status=status, error_code=error_code, date_updated=_rfc2822(now))
            if status in _SENT_STATUSES and message["date_sent"] is None:
                message["date_sent"] = _rfc2822(now)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Return every accepted message, oldest first, with its received form in "params"."""
        with self._lock:
            return [dict(m, params=dict(self._params[sid])) for sid, m in self._messages.items()]

    def _refuse(self, number: str, code: int) -> None:
        with self._lock:
            self._refusals[number] = code

    # --- server lifecycle ----------------------------------------------------------
    @property
    def base_url(self) -> str:
        """Return the URL to give the SDK as client.api.base_url."""
        if self._server is None:
            raise RuntimeError("the stand-in is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> TwilioStandin:
        """Listen (port 0 picks a free one) and serve from a background thread."""
        self._server = _Server(self._address, _Handler)
        self._server.standin = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening; later connections are refused."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> TwilioStandin:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- the API ---------------------------------------------------------------------
    def create_message(self, account_sid: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """Handle POST .../Messages.json."""
        with self._lock:
            self.create_attempts += 1
            fault = _take(self._faults)
            delay = _take(self._delays)
            refusal = self._refusals.get(form.get("To", ""))
        if fault is not None and not fault.accept:
            return fault.status, _error(fault.status, fault.code)
        problem = _validate(form, refusal)
        if problem is not None:
            return 400, _error(400, problem)
        message = self._record(account_sid, form)
        if delay is not None:
            time.sleep(delay.seconds)  # the message stays accepted, as at Twilio under load
        if fault is not None:
            return fault.status, _error(fault.status, fault.code)
        return 201, message

    def list_messages(self, account_sid: str, path: str, query: dict[str, str]) -> dict[str, Any]:
        """Handle GET .../Messages.json with To, From, DateSent[<>], Page and PageSize."""
        with self._lock:
            found = [dict(m) for m in self._messages.values()
                     if m["account_sid"] == account_sid]
        found = [m for m in found if _matches(m, query)]
        found.sort(key=lambda m: parsedate_to_datetime(m["date_created"]), reverse=True)
        page, size = int(query.get("Page", 0)), int(query.get("PageSize", 50))
        chunk = found[page * size:(page + 1) * size]

        def page_uri(number: int) -> str:
            return f"{path}?{urlencode({**query, 'Page': number, 'PageSize': size})}"

        return {
            "first_page_uri": page_uri(0),
            "end": page * size + max(len(chunk) - 1, 0),
            "previous_page_uri": page_uri(page - 1) if page > 0 else None,
            "messages": chunk,
            "uri": page_uri(page),
            "page_size": size,
            "start": page * size,
            "next_page_uri": page_uri(page + 1) if len(found) > (page + 1) * size else None,
            "page": page,
        }

    def fetch_message(self, account_sid: str, sid: str) -> tuple[int, dict[str, Any]]:
        """Handle GET .../Messages/<sid>.json."""
        with self._lock:
            message = self._messages.get(sid)
            if message is not None and message["account_sid"] == account_sid:
                return 200, dict(message)
        return 404, _error(404, 20404)

    def _record(self, account_sid: str, form: dict[str, str]) -> dict[str, Any]:
        """Store an accepted message and return its Twilio representation."""
        sid = "SM" + secrets.token_hex(16)
        service = form.get("MessagingServiceSid")
        now = _rfc2822(self._clock())
        uri = f"{API_PREFIX}/{account_sid}/Messages/{sid}.json"
        message = {
            "account_sid": account_sid,
            "api_version": "2010-04-01",
            "body": form["Body"],
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            # With a Messaging Service Twilio picks the sender later and answers "accepted".
            "from": form.get("From"),
            "messaging_service_sid": service,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if service and not form.get("From") else "queued",
            "subresource_uris": {"media": f"{uri.removesuffix('.json')}/Media.json"},
            "to": form["To"],
            "uri": uri,
        }
        with self._lock:
            self._messages[sid] = message
            self._params[sid] = dict(form)
            if self._max_messages and len(self._messages) > self._max_messages:
                oldest = next(iter(self._messages))
                del self._messages[oldest], self._params[oldest]
            return dict(message)


def _take(queue: list[_Injection]) -> _Injection | None:
    """Use one turn of the first queued fault or delay, dropping it when spent."""
    if not queue:
        return None
    injection = queue[0]
    injection.times -= 1
    if injection.times <= 0:
        queue.pop(0)
    return injection


def _validate(form: dict[str, str], refusal: int | None) -> int | None:
    """Return the Twilio error code this creation earns, or None."""
    if not form.get("To"):
        return 21604
    if not form.get("From") and not form.get("MessagingServiceSid"):
        return 21603
    if not form.get("Body"):
        return 21602
    if not _E164.match(form["To"]):
        return 21211
    return refusal


def _matches(message: dict[str, Any], query: dict[str, str]) -> bool:
    """Apply Twilio's list filters; texts not yet sent have no date_sent and never match one."""
    if "To" in query and message["to"] != query["To"]:
        return False
    if "From" in query and message["from"] != query["From"]:
        return False
    date_filters = {k: v for k, v in query.items() if k in ("DateSent", "DateSent>", "DateSent<")}
    if not date_filters:
        return True
    if message["date_sent"] is None:
        return False
    sent = parsedate_to_datetime(message["date_sent"])
    for key, value in date_filters.items():
        bound = _parse_date(value)
        day_only = len(value) == 10
        if key == "DateSent>" and sent < bound:
            return False
        # "On or before" a bare date takes in that whole day.
        latest = bound + timedelta(days=1) - timedelta(microseconds=1) if day_only else bound
        if key == "DateSent<" and sent > latest:
            return False
        if key == "DateSent" and sent.date() != bound.date():
            return False
    return True


def _parse_date(value: str) -> datetime:
    """Read YYYY-MM-DD or an ISO 8601 timestamp (the SDK sends ...T..Z) as UTC."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # benchmarks open many connections at once
    standin: TwilioStandin


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like api.twilio.com
    # Without this every keep-alive answer waits ~40 ms on Nagle + delayed ACK.
    disable_nagle_algorithm = True
    server: _Server

    def do_POST(self) -> None:
        """Create a message."""
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
        route = self._route()
        if route is None or route[1] is not None:
            self._reply(404, _error(404, 20404))
        elif not self.headers.get("Authorization"):
            self._reply(401, _error(401, 20003))
        else:
            self._reply(*self.server.standin.create_message(route[0], form))

    def do_GET(self) -> None:
        """List messages or fetch one; list the account's phone numbers."""
        if self._incoming_numbers():
            return
        route = self._route()
        if route is None:
            self._reply(404, _error(404, 20404))
        elif not self.headers.get("Authorization"):
            self._reply(401, _error(401, 20003))
        elif route[1] is not None:
            self._reply(*self.server.standin.fetch_message(*route))
        else:
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            self._reply(200, self.server.standin.list_messages(route[0], parts.path, query))

    def _incoming_numbers(self) -> bool:
        """Answer GET .../IncomingPhoneNumbers.json; False when the path is something else."""
        parts = urlsplit(self.path)
        match = _INCOMING_NUMBERS.match(parts.path)
        if match is None:
            return False
        if not self.headers.get("Authorization"):
            self._reply(401, _error(401, 20003))
            return True
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        self._reply(200, self.server.standin.list_incoming_numbers(match["account"], parts.path, query))
        return True

    def _route(self) -> tuple[str, str | None] | None:
        match = _ROUTE.match(urlsplit(self.path).path)
        return (match["account"], match["sid"]) if match else None

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a delay_next timeout)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests and benchmarks print enough."""


def main() -> None:
    """Run the stand-in in the foreground until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--keep", type=int, default=100_000, help="messages kept in memory")
    args = parser.parse_args()
    standin = TwilioStandin(args.host, args.port, max_messages=args.keep).start()
    print(f"Twilio stand-in listening on {standin.base_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        standin.stop()


if __name__ == "__main__":
    main()
