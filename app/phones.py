"""Phone numbers: parsed against the shop's country, stored E.164, mobiles only."""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberType

_TEXTABLE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


class PhoneError(ValueError):
    """The number cannot receive texts; the message says why."""


def to_e164(raw: str, country: str = "NL") -> str:
    """Return the E.164 form of a number that can receive SMS, or raise PhoneError."""
    try:
        number = phonenumbers.parse(raw, country.upper())
    except phonenumbers.NumberParseException:
        raise PhoneError("Not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError("Not a valid phone number.")
    if phonenumbers.number_type(number) not in _TEXTABLE:
        raise PhoneError("Not a mobile number: it cannot receive text messages.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask(e164: str) -> str:
    """Mask a number for logs and other people's eyes: +3161234**78 → +316*****78."""
    return e164[:4] + "*" * max(len(e164) - 6, 0) + e164[-2:] if e164 else e164
