"""Login attempts per IP address, counted in Redis windows that expire by TTL (no clock read here)."""

from __future__ import annotations

import hashlib

from redis import Redis

PER_IP = 20  # failed logins from one address per window
WINDOW_SECONDS = 15 * 60


def _key(ip: str) -> str:
    # Hashed so Redis holds no addresses.
    return "console:login-failures:ip:" + hashlib.sha256(ip.encode()).hexdigest()[:32]


def ip_blocked(redis: Redis, ip: str) -> bool:
    """Whether this address failed too often in the current window."""
    count = redis.get(_key(ip))
    return count is not None and int(count) >= PER_IP


def count_failure(redis: Redis, ip: str) -> None:
    """Count one failed login from this address; the window starts at the first failure."""
    key = _key(ip)
    with redis.pipeline() as pipe:
        pipe.incr(key)
        pipe.expire(key, WINDOW_SECONDS, nx=True)
        pipe.execute()
