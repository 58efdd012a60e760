"""HMAC-SHA256 signatures for bodies Bijna sends or receives.

Header value: ``t=<unix seconds>,v1=<hex hmac-sha256(secret, b"<t>." + payload)>``.
The timestamp is inside the MAC so a captured request cannot be replayed later
than the tolerance; several ``v1=`` entries may be present (secret rotation).
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Bijna-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, now: int) -> str:
    """Return the signature header value for ``body`` signed at ``now``."""
    return f"t={int(now)},v1={_digest(secret, int(now), body)}"


def verify(
    secret: str,
    body: bytes,
    header: str | None,
    now: int,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """Return True if ``header`` is a fresh signature of ``body`` made with ``secret``."""
    parsed = _parse(header)
    if parsed is None:
        return False
    timestamp, candidates = parsed
    # Both directions: a timestamp far in the future is as suspect as an old one.
    if abs(int(now) - timestamp) > tolerance:
        return False
    expected = _digest(secret, timestamp, body)
    # Compare against every candidate without stopping early, in constant time each.
    matches = [hmac.compare_digest(expected, candidate) for candidate in candidates]
    return any(matches)


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _parse(header: str | None) -> tuple[int, list[str]] | None:
    """Split a header into its timestamp and ``v1`` signatures, or None if malformed."""
    if not header:
        return None
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            return None
        if key == "t":
            if timestamp is not None or not (value.isascii() and value.isdigit()):
                return None
            timestamp = int(value)
        elif key == "v1" and value.isascii():
            # compare_digest refuses non-ASCII str, so such a value can never match anyway.
            candidates.append(value)
        # Unknown keys (a future v2) are ignored so the scheme can evolve.
    if timestamp is None or not candidates:
        return None
    return timestamp, candidates
