"""HMAC signatures: round trip, freshness window, tampering, malformed headers."""

from __future__ import annotations

import pytest

from app.carriers.signing import sign, verify

SECRET = "whsec-test"
BODY = b'{"slot_id":"20261124-08-12","tracking_number":"3SABC123"}'
NOW = 1_795_000_000


def test_a_signed_body_verifies() -> None:
    assert verify(SECRET, BODY, sign(SECRET, BODY, NOW), NOW)


def test_the_header_carries_timestamp_and_hex_sha256() -> None:
    timestamp, signature = sign(SECRET, BODY, NOW).split(",")
    assert timestamp == f"t={NOW}"
    assert signature.startswith("v1=") and len(signature) == 3 + 64


def test_a_tampered_body_fails() -> None:
    header = sign(SECRET, BODY, NOW)
    assert not verify(SECRET, BODY.replace(b"08-12", b"17-20"), header, NOW)


def test_another_secret_fails() -> None:
    assert not verify("someone-else", BODY, sign(SECRET, BODY, NOW), NOW)


def test_the_timestamp_is_covered_by_the_mac() -> None:
    signature = sign(SECRET, BODY, NOW).split(",")[1]
    assert not verify(SECRET, BODY, f"t={NOW + 60},{signature}", NOW + 60)


@pytest.mark.parametrize("age", [0, 299, 300, -300])
def test_signatures_within_five_minutes_either_way_verify(age: int) -> None:
    assert verify(SECRET, BODY, sign(SECRET, BODY, NOW), NOW + age)


@pytest.mark.parametrize("age", [301, -301, 86_400])
def test_signatures_outside_five_minutes_fail(age: int) -> None:
    assert not verify(SECRET, BODY, sign(SECRET, BODY, NOW), NOW + age)


def test_the_tolerance_can_be_narrowed() -> None:
    header = sign(SECRET, BODY, NOW)
    assert verify(SECRET, BODY, header, NOW + 30, tolerance=30)
    assert not verify(SECRET, BODY, header, NOW + 31, tolerance=30)


def test_any_of_several_signatures_verifies_during_secret_rotation() -> None:
    old = sign("old-secret", BODY, NOW).split(",")[1]
    new = sign(SECRET, BODY, NOW).split(",")[1]
    assert verify(SECRET, BODY, f"t={NOW},{old},{new}", NOW)
    assert verify("old-secret", BODY, f"t={NOW},{old},{new}", NOW)


def test_unknown_schemes_are_ignored() -> None:
    assert verify(SECRET, BODY, sign(SECRET, BODY, NOW) + ",v2=abc", NOW)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        "v1=" + "0" * 64,
        f"t={NOW}",
        f"t={NOW},v1=",
        f"t=soon,v1={'0' * 64}",
        f"t=-{NOW},v1={'0' * 64}",
        f"t={NOW},t={NOW},v1={'0' * 64}",
        "t=\u0661\u0662,v1=" + "0" * 64,
        f"t={NOW},v1=\u00e9\u00e9",
    ],
)
def test_malformed_headers_fail(header: str | None) -> None:
    assert not verify(SECRET, BODY, header, NOW)


def test_a_correct_mac_in_a_malformed_header_still_fails() -> None:
    signature = sign(SECRET, BODY, NOW).split(",")[1]
    assert not verify(SECRET, BODY, f"t={NOW},t={NOW},{signature}", NOW)
