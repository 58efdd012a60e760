"""Fault injection so tests can make the simulated carrier fail the way real ones do."""

from __future__ import annotations

import threading
from dataclasses import dataclass

FAULT_MODES = ("ok", "down", "slow", "refuse", "throttle")


@dataclass(frozen=True)
class Fault:
    """How the next contract request misbehaves."""

    mode: str = "ok"
    refuse_code: str = "not_allowed"
    delay_ms: int = 0


class Faults:
    """The active fault and how many more requests it applies to (None: until changed)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fault = Fault()
        self._remaining: int | None = None

    def set(
        self,
        mode: str,
        *,
        refuse_code: str = "not_allowed",
        delay_ms: int = 0,
        count: int | None = None,
    ) -> None:
        """Make the next ``count`` contract requests fail in ``mode``."""
        if mode not in FAULT_MODES:
            raise ValueError(f"mode must be one of {FAULT_MODES}")
        if count is not None and count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._fault = Fault(mode, refuse_code, max(0, delay_ms))
            self._remaining = None if mode == "ok" else count

    def take(self) -> Fault:
        """Return the fault for one incoming request, using up one of its count."""
        with self._lock:
            fault = self._fault
            if self._remaining is not None:
                self._remaining -= 1
                if self._remaining <= 0:
                    self._fault, self._remaining = Fault(), None
            return fault

    def describe(self) -> dict[str, object]:
        """Return the active fault as JSON-ready data."""
        with self._lock:
            return {
                "mode": self._fault.mode,
                "refuse_code": self._fault.refuse_code,
                "delay_ms": self._fault.delay_ms,
                "count": self._remaining,
            }
