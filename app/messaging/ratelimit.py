"""A messages-per-second limit per sender, shared by every worker through Redis.

Each send reserves segments / rate seconds of the sender's time; the next send, from any
process, waits until that reservation ends, so the rate holds smoothly across all workers. Redis' own clock
is used so that workers on different machines agree.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from redis import Redis

_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat > now then return tat - now end
local next_free = now + tonumber(ARGV[1]) * tonumber(ARGV[2])
redis.call('SET', KEYS[1], string.format('%.0f', next_free), 'PX', math.floor((next_free - now) / 1000) + 1000)
return 0
"""


class SenderRateLimit:
    """Block until a sender may send `segments` more, at `per_second` segments per second."""

    def __init__(self, redis: Redis, per_second: int, sleep: Callable[[float], None] = time.sleep):
        self._script = redis.register_script(_SCRIPT)
        self._interval_us = max(1, round(1_000_000 / per_second))
        self._sleep = sleep

    def acquire(self, sender: str, segments: int = 1) -> float:
        """Wait for the sender's turn; return the seconds waited."""
        waited = 0.0
        while True:
            wait_us = int(self._script(keys=[f"bijna:rate:{sender}"], args=[self._interval_us, segments]))
            if wait_us <= 0:
                return waited
            self._sleep(wait_us / 1_000_000)
            waited += wait_us / 1_000_000
