"""Idempotency keys as the contract defines them: replay the stored answer, never execute twice."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import Enum

# Answers worth replaying: executed commands and definite refusals. Rejected or failed
# requests (400, 401, 429, 5xx) are not stored, so a corrected retry can still run.
STORED_STATUSES = frozenset({200, 404, 422})


class Claim(Enum):
    """What a request may do with its idempotency key."""

    NEW = "new"  # first use: execute, then store
    REPLAY = "replay"  # same key, same request: answer with the stored response
    IN_USE = "in_use"  # same key, a request still executing: retry later
    REUSED = "reused"  # same key, different request: a client bug


@dataclass(frozen=True)
class StoredAnswer:
    """A response kept for replay."""

    status: int
    body: dict[str, object]


@dataclass
class _Entry:
    fingerprint: str
    answer: StoredAnswer | None = None


class IdempotencyStore:
    """Keys and their stored answers, safe across the server's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def claim(self, key: str, fingerprint: str) -> tuple[Claim, StoredAnswer | None]:
        """Reserve ``key`` for a request identified by ``fingerprint``, or say why not."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self._entries[key] = _Entry(fingerprint)
                return Claim.NEW, None
            if entry.fingerprint != fingerprint:
                return Claim.REUSED, None
            if entry.answer is None:
                return Claim.IN_USE, None
            return Claim.REPLAY, entry.answer

    def finish(self, key: str, status: int, body: dict[str, object]) -> None:
        """Store the answer for a claimed key, or release the key if it is not to be replayed."""
        with self._lock:
            if status in STORED_STATUSES:
                self._entries[key].answer = StoredAnswer(status, body)
            else:
                self._entries.pop(key, None)

    def release(self, key: str) -> None:
        """Forget a claimed key whose request crashed, so a retry executes it."""
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget every key."""
        with self._lock:
            self._entries.clear()
