"""The SMS provider interface: what a send asks for and what it can come back with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# Outcomes of one send attempt. The sender job acts on these alone, never on vendor errors.
ACCEPTED = "accepted"  # the provider took the text; provider_sid is set
RETRY = "retry"  # the provider never processed the request: sending again is safe
FAILED = "failed"  # the provider refused the text for good: do not send it again
UNKNOWN = "unknown"  # the request may have been accepted: reconcile with lookup() first

# Twilio error codes the product reacts to (https://www.twilio.com/docs/errors/<code>).
INVALID_TO_NUMBER = 21211
NOT_A_MOBILE_NUMBER = 21614
UNSUBSCRIBED_RECIPIENT = 21610
UNREACHABLE_CARRIER = 30006  # a landline or a carrier that cannot take texts: reported by status callback
# After these, the number gets nothing more; the value is the opt-out's recorded source.
STOP_TEXTING_CODES = {UNSUBSCRIBED_RECIPIENT: "provider_error", INVALID_TO_NUMBER: "unusable_number",
                      NOT_A_MOBILE_NUMBER: "unusable_number", UNREACHABLE_CARRIER: "unusable_number"}


@dataclass(frozen=True)
class SendRequest:
    """One text to send, as the dispatcher hands it to a provider."""

    to: str  # E.164
    body: str
    sender: str | None  # the shop's sender (phone number or alphanumeric ID), if it has one
    status_callback: str | None  # absolute public URL for delivery status callbacks
    validity_seconds: int | None  # drop the text if it is still queued after this long
    reference: str  # our message id


@dataclass(frozen=True)
class SendResult:
    """What became of one send attempt (or of a lookup)."""

    outcome: str  # ACCEPTED | RETRY | FAILED | UNKNOWN
    provider_sid: str | None = None
    status: str | None = None  # provider status when accepted (queued/accepted/sent...)
    error_code: int | None = None
    error_message: str | None = None  # error_code in STOP_TEXTING_CODES: text this number no more


class SmsProvider(Protocol):
    """Send texts and find out what became of an ambiguous send."""

    def send(self, sms: SendRequest) -> SendResult:
        """Send one text; never raise for provider or network failures."""
        ...

    def lookup(
        self, reference: str, to: str, sent_after: datetime, body: str | None = None
    ) -> SendResult | None:
        """Find the text an UNKNOWN send may have created; None if the provider has none.

        `sent_after` is when the first attempt started (timezone-aware). Providers that do
        not know our reference (Twilio) match on `to` and `body`, so pass the body.
        Raises when the provider cannot be asked (network, 5xx): the caller retries later.
        """
        ...

    def owns_sender(self, sender: str) -> bool:
        """Tell whether the account confirms this sender is its own (a number it rents).

        False when the provider cannot confirm it; then only an operator can assign it.
        Raises when the provider cannot be asked (network, 5xx).
        """
        ...
