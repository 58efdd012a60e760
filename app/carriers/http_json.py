"""The generic HTTP/JSON carrier adapter (docs/carrier-contract.md) and the adapter registry."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote, urlencode

import requests

from app.carriers.adapter import (
    CarrierAdapter,
    CarrierContractError,
    CarrierRefused,
    CarrierUnavailable,
    PickupPoint,
    RebookingResult,
    Slot,
)
from app.carriers.signing import SIGNATURE_HEADER, sign
from app.clock import now

IDEMPOTENCY_HEADER = "Idempotency-Key"
USER_AGENT = "Bijna-carrier-adapter/1"

# Errors that mean "this request was wrong", not "this parcel can't": never shown to a recipient.
_CONTRACT_STATUSES = frozenset({400, 401, 403, 405, 413, 415})
_CONTRACT_CODES = frozenset(
    {
        "bad_signature",
        "idempotency_key_required",
        "idempotency_key_reused",
        "invalid_request",
        "method_not_allowed",
        "unknown_endpoint",
    }
)
# The carrier is still working on this key: the same retry will get the stored answer later.
_IN_PROGRESS_CODES = frozenset({"idempotency_key_in_use"})


class CarrierRow(Protocol):
    """The fields of a configured carrier that an adapter needs."""

    code: str
    api_base_url: str
    signing_secret: str


class HttpJsonCarrier:
    """Speak Bijna's generic carrier contract over HTTPS: signed JSON, idempotency keys."""

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        timeout: float = 5.0,
        session: requests.Session | None = None,
        *,
        clock: Callable[[], float] = lambda: now().timestamp(),
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"carrier base URL must be http(s): {base_url!r}")
        if not signing_secret:
            raise ValueError("carrier signing secret is empty")
        self.base_url = base_url.rstrip("/")
        self._secret = signing_secret
        self._timeout = timeout
        # One Session per adapter keeps connections alive between calls.
        self._session = session or requests.Session()
        self._clock = clock

    def available_slots(self, tracking_number: str, *, after: datetime | None = None) -> list[Slot]:
        """Return the free delivery windows for a parcel, earliest first."""
        params = {}
        if after is not None:
            if after.tzinfo is None:
                raise ValueError("after must be timezone-aware")
            params["after"] = after.isoformat()
        answer = self._call("GET", _parcel_path(tracking_number, "slots"), params=params)
        return [
            Slot(
                id=_text(slot, "id"),
                starts_at=_moment(slot, "starts_at"),
                ends_at=_moment(slot, "ends_at"),
            )
            for slot in _items(answer, "slots")
        ]

    def pickup_points(self, tracking_number: str) -> list[PickupPoint]:
        """Return the pickup points near the parcel's delivery address, nearest first."""
        answer = self._call("GET", _parcel_path(tracking_number, "pickup-points"))
        return [
            PickupPoint(
                id=_text(point, "id"),
                name=_text(point, "name"),
                address=_text(point, "address"),
            )
            for point in _items(answer, "pickup_points")
        ]

    def redirect_to_neighbour(
        self, tracking_number: str, note: str | None, *, idempotency_key: str
    ) -> RebookingResult:
        """Ask the courier to leave the parcel with a neighbour (``note`` e.g. "nr 12")."""
        fields = {"note": note}
        return self._rebook(tracking_number, "redirect-to-neighbour", fields, idempotency_key)

    def reschedule(
        self, tracking_number: str, slot_id: str, *, idempotency_key: str
    ) -> RebookingResult:
        """Move the delivery to one of the offered slots."""
        return self._rebook(tracking_number, "reschedule", {"slot_id": slot_id}, idempotency_key)

    def redirect_to_pickup_point(
        self, tracking_number: str, pickup_point_id: str | None, *, idempotency_key: str
    ) -> RebookingResult:
        """Send the parcel to a pickup point (None: the carrier's nearest)."""
        fields = {"pickup_point_id": pickup_point_id}
        return self._rebook(tracking_number, "redirect-to-pickup-point", fields, idempotency_key)

    def route_stops(self, route_id: str) -> list[dict[str, Any]]:
        """Return the route's current stops in driving order."""
        answer = self._call("GET", f"/v1/routes/{quote(route_id, safe='')}/stops")
        return _items(answer, "stops")

    def _rebook(
        self, tracking_number: str, action: str, fields: dict[str, Any], idempotency_key: str
    ) -> RebookingResult:
        """POST one rebooking command; a refusal becomes a result, not an exception."""
        if not idempotency_key:
            raise ValueError("a rebooking needs an idempotency key")
        # The tracking number is in the signed body too: a signature can't move to another parcel.
        body = {"tracking_number": tracking_number, **fields}
        try:
            answer = self._call(
                "POST",
                _parcel_path(tracking_number, action),
                body=body,
                idempotency_key=idempotency_key,
            )
        except CarrierRefused as refusal:
            return RebookingResult(False, refusal.code, refusal.message, None)
        reference = answer.get("carrier_reference") if isinstance(answer, dict) else None
        return RebookingResult(True, None, None, reference if isinstance(reference, str) else None)

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Send one signed request and return its decoded JSON, or raise a CarrierError."""
        target = path + (f"?{urlencode(params)}" if params else "")
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        payload = b""
        if body is not None:
            # Canonical JSON: a retried command must produce the very same bytes for its key.
            payload = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        if idempotency_key is not None:
            headers[IDEMPOTENCY_HEADER] = idempotency_key
        prepared = self._session.prepare_request(
            requests.Request(method, self.base_url + target, headers=headers, data=payload or None)
        )
        # A body-less GET signs its request target instead, binding the signature to the resource.
        signed = payload if body is not None else (prepared.path_url or "/").encode()
        prepared.headers[SIGNATURE_HEADER] = sign(self._secret, signed, int(self._clock()))
        # send() skips what request() would read from the environment (proxies, CA bundle).
        settings = self._session.merge_environment_settings(prepared.url, {}, None, None, None)
        try:
            response = self._session.send(
                prepared, timeout=self._timeout, allow_redirects=False, **settings
            )
        except requests.Timeout as error:
            raise CarrierUnavailable(f"carrier timed out: {error}") from error
        except requests.RequestException as error:
            raise CarrierUnavailable(f"carrier unreachable: {error}") from error
        return _answer(response, expect_body=method == "GET")


def _answer(response: requests.Response, *, expect_body: bool) -> Any:
    """Return a 2xx response's JSON; map any other answer to the matching CarrierError."""
    status = response.status_code
    if 200 <= status < 300:
        try:
            return response.json()
        except ValueError as error:
            if expect_body:
                raise CarrierContractError("carrier sent invalid JSON", status=status) from error
            return None  # a 2xx to a command is an acceptance even without a readable body
    code, message = _error_fields(response)
    if status in (408, 429) or status >= 500 or code in _IN_PROGRESS_CODES:
        raise CarrierUnavailable(
            message or f"carrier answered {status}",
            status=status,
            code=code,
            retry_after=_retry_after(response),
        )
    refusable = status not in _CONTRACT_STATUSES and code not in _CONTRACT_CODES
    if 400 <= status < 500 and code and refusable:
        raise CarrierRefused(code, message or code, status=status)
    raise CarrierContractError(
        message or f"carrier answered {status} outside the contract", status=status, code=code
    )


def _error_fields(response: requests.Response) -> tuple[str | None, str | None]:
    """Return ``error.code`` and ``error.message`` from an error body, if it has them."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return None, None
    if not isinstance(error, dict) or not isinstance(error.get("code"), str):
        return None, None
    message = error.get("message")
    return error["code"], message if isinstance(message, str) else None


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # HTTP-date form: let the caller's own backoff decide


def _parcel_path(tracking_number: str, action: str) -> str:
    return f"/v1/parcels/{quote(tracking_number, safe='')}/{action}"


def _items(answer: Any, key: str) -> list[dict[str, Any]]:
    items = answer.get(key) if isinstance(answer, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise CarrierContractError(f"carrier answer has no list of objects under {key!r}")
    return items


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise CarrierContractError(f"carrier answer lacks text field {key!r}")
    return value


def _moment(item: dict[str, Any], key: str) -> datetime:
    try:
        moment = datetime.fromisoformat(_text(item, key))
    except ValueError as error:
        raise CarrierContractError(f"carrier answer has a bad timestamp in {key!r}") from error
    if moment.tzinfo is None:
        raise CarrierContractError(f"carrier timestamp {key!r} has no UTC offset")
    return moment


AdapterFactory = Callable[..., CarrierAdapter]

# Carrier code -> adapter class, or "module:Class" imported on first use so a vendor module
# costs nothing until a carrier needs it. Codes not listed speak the generic contract.
ADAPTERS: dict[str, AdapterFactory | str] = {}


def register_adapter(code: str, factory: AdapterFactory | str) -> None:
    """Build adapters for carriers with ``code`` with ``factory`` (a class or "module:Class")."""
    ADAPTERS[code] = factory


def adapter_for(
    carrier: CarrierRow,
    *,
    session: requests.Session | None = None,
    timeout: float = 5.0,
) -> CarrierAdapter:
    """Return the adapter for a configured carrier: its registered module or the generic one."""
    factory = ADAPTERS.get(carrier.code, HttpJsonCarrier)
    if isinstance(factory, str):
        module_name, _, attribute = factory.partition(":")
        factory = getattr(importlib.import_module(module_name), attribute)
    return factory(carrier.api_base_url, carrier.signing_secret, timeout=timeout, session=session)
