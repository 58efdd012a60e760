"""A development SMS provider that delivers texts into Redis for the phone simulator page."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app.sms.keywords import CONFIRMATIONS, OPT_IN, OPT_OUT, opt_out_type
from app.sms.provider import (
    ACCEPTED,
    FAILED,
    INVALID_TO_NUMBER,
    UNSUBSCRIBED_RECIPIENT,
    SendRequest,
    SendResult,
)

if TYPE_CHECKING:
    from redis import Redis

KEY_PREFIX = "bijna:simulator"
THREAD_CAP = 200  # texts kept per number
RECENT_CAP = 1_000  # texts kept in the global recent list
REFERENCE_TTL_SECONDS = 7 * 24 * 3600  # long enough for any reconcile, short enough to purge
DEFAULT_SENDER = "Bijna"


def _thread_key(number: str) -> str:
    return f"{KEY_PREFIX}:thread:{number}"


_RECENT_KEY = f"{KEY_PREFIX}:recent"
_NUMBERS_KEY = f"{KEY_PREFIX}:numbers"  # sorted set: number -> last activity (epoch seconds)
_OPTED_OUT_KEY = f"{KEY_PREFIX}:opted_out"


def _reference_key(reference: str) -> str:
    return f"{KEY_PREFIX}:reference:{reference}"


def _utcnow() -> datetime:
    from app.clock import now  # the simulated phone network shares the app's clock

    return now()


class SimulatorProvider:
    """An SmsProvider that "delivers" every text into Redis instead of a phone network."""

    def __init__(
        self,
        redis: Redis,
        default_sender: str = DEFAULT_SENDER,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._redis = redis
        self._default_sender = default_sender
        self._clock = clock

    def send(self, sms: SendRequest) -> SendResult:
        """Store the text in its number's thread and answer like an accepting provider."""
        if not sms.to.startswith("+") or not sms.to[1:].isdigit():
            return SendResult(
                FAILED,
                error_code=INVALID_TO_NUMBER,
                error_message="The 'To' number is not a valid phone number.",
            )
        if self._redis.sismember(_OPTED_OUT_KEY, sms.to):
            return SendResult(
                FAILED,
                error_code=UNSUBSCRIBED_RECIPIENT,
                error_message="Attempt to send to unsubscribed recipient",
            )
        # The phone page shows it at once, so the text is as good as delivered.
        text = _text(sms.sender or self._default_sender, sms.to, sms.body, self._clock(),
                     status="delivered", direction="outbound", reference=sms.reference)
        _store(self._redis, sms.to, text)
        self._redis.set(_reference_key(sms.reference), json.dumps(text),
                        ex=REFERENCE_TTL_SECONDS)
        return SendResult(ACCEPTED, provider_sid=text["sid"], status=text["status"])

    def lookup(
        self, reference: str, to: str, sent_after: datetime, body: str | None = None
    ) -> SendResult | None:
        """Find the text sent under our reference; None if there is none."""
        raw = self._redis.get(_reference_key(reference))
        if raw is None:
            return None
        text = json.loads(raw)
        if text["to"] != to or datetime.fromisoformat(text["created_at"]) < sent_after:
            return None
        return SendResult(ACCEPTED, provider_sid=text["sid"], status=text["status"])

    def owns_sender(self, sender: str) -> bool:
        """Confirm nothing: the simulator rents no numbers, so senders come from the operator alone."""
        return False


def record_inbound(redis: Redis, number: str, body: str, *, to: str = DEFAULT_SENDER,
                   now: datetime) -> dict[str, Any]:
    """Show a reply from `number` in its thread, handling Twilio's keywords as Twilio does.

    Return the stored reply: its sid is the MessageSid, its "opt_out_type" the OptOutType to post.
    A keyword blocks (STOP) or unblocks (START) sends to the number and is answered at once
    with Twilio's own confirmation, which appears in the thread right after the reply.
    """
    keyword = opt_out_type(body)
    text = _text(number, to, body, now, status="received", direction="inbound", opt_out_type=keyword)
    _store(redis, number, text)
    if keyword == OPT_OUT:
        redis.sadd(_OPTED_OUT_KEY, number)
    elif keyword == OPT_IN:
        redis.srem(_OPTED_OUT_KEY, number)
    if keyword is not None:  # from the number replied to, like any TwiML answer; never blocked
        _store(redis, number, _text(to, number, CONFIRMATIONS[keyword], now, status="delivered",
                                    direction="outbound", origin="provider"))
    return text


def simulated_threads(redis: Redis, limit: int = 50) -> dict[str, list[dict[str, Any]]]:
    """Return each number's texts, oldest first, most recently active number first."""
    numbers = [_decode(number) for number in redis.zrevrange(_NUMBERS_KEY, 0, limit - 1)]
    pipeline = redis.pipeline(transaction=False)
    for number in numbers:
        pipeline.lrange(_thread_key(number), 0, -1)
    threads = pipeline.execute()
    return {
        number: [json.loads(raw) for raw in thread]
        for number, thread in zip(numbers, threads, strict=True)
    }


def recent_texts(redis: Redis, limit: int = 100) -> list[dict[str, Any]]:
    """Return the latest texts across all numbers, newest first."""
    return [json.loads(raw) for raw in redis.lrange(_RECENT_KEY, 0, limit - 1)]


def _text(sender: str, to: str, body: str, created_at: datetime, *, status: str, direction: str,
          reference: str | None = None, opt_out_type: str | None = None,
          origin: str = "bijna") -> dict[str, Any]:
    """Build one stored text in the shape the phone page reads.

    `origin` says who wrote an outbound text: "bijna", or "provider" for Twilio's own answers.
    """
    return {
        "sid": "SM" + secrets.token_hex(16),
        "to": to,
        "from": sender,
        "body": body,
        "created_at": created_at.astimezone(UTC).isoformat(),
        "status": status,
        "direction": direction,
        "reference": reference,
        "opt_out_type": opt_out_type,
        "origin": origin,
    }


def _store(redis: Redis, number: str, text: dict[str, Any]) -> None:
    """Append a text to its thread and to the recent list, trimming both to their caps."""
    raw = json.dumps(text)
    created_at = datetime.fromisoformat(text["created_at"]).timestamp()
    pipeline = redis.pipeline(transaction=True)
    pipeline.rpush(_thread_key(number), raw)
    pipeline.ltrim(_thread_key(number), -THREAD_CAP, -1)
    pipeline.lpush(_RECENT_KEY, raw)
    pipeline.ltrim(_RECENT_KEY, 0, RECENT_CAP - 1)
    pipeline.zadd(_NUMBERS_KEY, {number: created_at})
    pipeline.execute()


def _decode(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
