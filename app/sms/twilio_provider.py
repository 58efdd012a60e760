"""Send texts through Twilio's Messages API with the real `twilio` SDK."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import requests
from requests.exceptions import InvalidSchema, InvalidURL, MissingSchema
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import NewConnectionError

from app.sms.provider import (
    ACCEPTED,
    FAILED,
    RETRY,
    UNKNOWN,
    SendRequest,
    SendResult,
)

MAX_VALIDITY_SECONDS = 36_000  # Twilio refuses a longer ValidityPeriod
LOOKUP_LIMIT = 20
# Our clock and Twilio's differ a little; a text created just before `sent_after` is ours.
CLOCK_SKEW = timedelta(seconds=60)

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
# Twilio's alphanumeric sender ID: up to 11 letters, digits and spaces, at least one letter.
_ALPHANUMERIC_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")


class TwilioProvider:
    """An SmsProvider that talks to Twilio (or to a stand-in at `base_url`)."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        messaging_service_sid: str | None = None,
        from_number: str | None = None,
        base_url: str | None = None,
        timeout: float = 10,
    ) -> None:
        if not account_sid or not auth_token:
            # An empty SID would make the SDK read TWILIO_* from the environment instead.
            raise ValueError("TwilioProvider needs an account SID and an auth token")
        if not messaging_service_sid and not from_number:
            raise ValueError("TwilioProvider needs a messaging service SID or a from number")
        self._account_sid = account_sid
        self._auth_token = auth_token
        self._messaging_service_sid = messaging_service_sid
        self._from_number = from_number
        self._base_url = base_url
        self._timeout = timeout
        self._client: Client | None = None
        self._client_lock = threading.Lock()

    def send(self, sms: SendRequest) -> SendResult:
        """Create one message at Twilio and classify what happened."""
        try:
            message = self.client.messages.create(**self._create_params(sms))
        except (TwilioRestException, TwilioServiceException) as error:
            return classify_twilio_error(error.status, error.code, _error_text(error))
        except (MissingSchema, InvalidSchema, InvalidURL):
            raise  # a misconfigured base_url is a bug, not a delivery problem
        except requests.RequestException as error:
            return classify_transport_error(error)
        except json.JSONDecodeError as error:
            # A 2xx with a body we cannot read: Twilio most likely created the message.
            return SendResult(UNKNOWN, error_message=f"unreadable answer: {error}")
        return SendResult(ACCEPTED, provider_sid=message.sid, status=message.status)

    def lookup(
        self, reference: str, to: str, sent_after: datetime, body: str | None = None
    ) -> SendResult | None:
        """Find the message an UNKNOWN send created, matching `to`, `body` and creation time.

        Twilio keeps no reference of ours, so `body` is required. Raises TwilioException or
        requests.RequestException when Twilio cannot be asked; the caller tries again later.
        """
        if body is None:
            raise ValueError("Twilio cannot match our reference: pass the body to look up")
        since = sent_after.astimezone(UTC) - CLOCK_SKEW
        messages = self.client.messages
        # Twilio documents DateSent at day granularity, and a text still queued has no
        # date_sent yet, so that filter misses it: ask once more without the filter.
        day_start = since.replace(hour=0, minute=0, second=0, microsecond=0)
        for filters in ({"date_sent_after": day_start}, {}):
            found = _oldest_match(messages.list(to=to, limit=LOOKUP_LIMIT, **filters), body, since)
            if found is not None:
                return SendResult(
                    ACCEPTED,
                    provider_sid=found.sid,
                    status=found.status,
                    error_code=found.error_code,
                    error_message=found.error_message,
                )
        return None

    def owns_sender(self, sender: str) -> bool:
        """Ask Twilio whether the number is one of the account's IncomingPhoneNumbers.

        Alphanumeric sender IDs cannot be listed per account; an operator assigns those.
        """
        if not _E164.match(sender):
            return False
        return bool(self.client.incoming_phone_numbers.list(phone_number=sender, limit=1))

    @property
    def client(self) -> Client:
        """Return the SDK client, building it on first use (never at import or construction)."""
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    self._client = self._build_client()
        return self._client

    def _build_client(self) -> Client:
        """Build a keep-alive SDK client pointed at Twilio or at `base_url`."""
        # The SDK logs query strings (phone numbers) at INFO; keep only its warnings.
        sdk_logger = logging.getLogger(f"{__name__}.http")
        sdk_logger.setLevel(logging.WARNING)
        # One requests.Session inside TwilioHttpClient keeps connections alive between sends.
        http_client = TwilioHttpClient(timeout=self._timeout, logger=sdk_logger)
        client = Client(self._account_sid, self._auth_token, http_client=http_client)
        if self._base_url:
            client.api.base_url = self._base_url.rstrip("/")
        return client

    def _create_params(self, sms: SendRequest) -> dict[str, object]:
        """Map an SendRequest onto messages.create() keyword arguments."""
        params: dict[str, object] = {"to": sms.to, "body": sms.body}
        if self._messaging_service_sid:
            # The service picks the sender from its pool (and handles opt-outs, geo-match).
            params["messaging_service_sid"] = self._messaging_service_sid
        else:
            params["from_"] = usable_sender(sms.sender) or self._from_number
        if sms.status_callback:
            params["status_callback"] = sms.status_callback
        if sms.validity_seconds is not None:
            params["validity_period"] = max(1, min(MAX_VALIDITY_SECONDS, sms.validity_seconds))
        return params


def usable_sender(sender: str | None) -> str | None:
    """Return the sender if Twilio accepts it as From (E.164 or alphanumeric ID), else None."""
    if sender and (_E164.match(sender) or _ALPHANUMERIC_SENDER.match(sender)):
        return sender
    return None


def classify_twilio_error(status: int, code: int | None, message: str | None) -> SendResult:
    """Turn Twilio's HTTP status and error code into a send outcome."""
    # Without a code in the body the SDK puts the HTTP status in .code; that is no Twilio code.
    twilio_code = code if code and code != status else None
    if status == 429:
        return SendResult(RETRY, error_code=twilio_code, error_message=message)
    if status >= 500:
        # Twilio may have created the message before failing: a blind retry can send twice.
        return SendResult(UNKNOWN, error_code=twilio_code, error_message=message)
    return SendResult(FAILED, error_code=twilio_code, error_message=message)


def classify_transport_error(error: requests.RequestException) -> SendResult:
    """Return RETRY when the request never reached Twilio, UNKNOWN when it may have."""
    text = f"{type(error).__name__}: {error}"
    if _never_reached(error):
        return SendResult(RETRY, error_message=text)
    return SendResult(UNKNOWN, error_message=text)


def _never_reached(error: requests.RequestException) -> bool:
    """Tell whether the connection failed before any byte of the request was sent."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    if isinstance(error, requests.exceptions.SSLError):
        return False  # could be mid-stream; reconciling costs one lookup, a double text more
    if isinstance(error, requests.ConnectionError) and error.args:
        # requests wraps urllib3's MaxRetryError, whose .reason is the real cause; refused,
        # unreachable and DNS failures are NewConnectionError (NameResolutionError too).
        cause = getattr(error.args[0], "reason", error.args[0])
        return isinstance(cause, NewConnectionError)
    # Read timeouts, resets and truncated answers come after the request was sent.
    return False


def _error_text(error: TwilioRestException | TwilioServiceException) -> str:
    """Return the human part of an SDK exception."""
    if isinstance(error, TwilioRestException):
        return error.msg
    return error.detail or error.title


def _oldest_match(messages: Iterable, body: str, since: datetime):
    """Return the earliest outbound message with this body created since `since`, or None."""
    matches = [
        message
        for message in messages
        if message.body == body
        and (message.direction or "outbound").startswith("outbound")
        and (message.date_created is None or message.date_created >= since)
    ]
    epoch = datetime.min.replace(tzinfo=UTC)
    return min(matches, key=lambda message: message.date_created or epoch, default=None)
