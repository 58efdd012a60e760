"""Who gets no more texts, and why: STOP replies, the provider's own blocks, unusable numbers."""

from __future__ import annotations

from datetime import datetime

from app.models import OptOut
from app.models.base import insert_ignoring_duplicates

# Opt-outs the provider itself enforces: a send to such a number fails (21610) whatever we text,
# so nothing is tried at all, confirmations included (the provider already sent its own).
PROVIDER_BLOCKS = frozenset({"provider", "provider_error"})
# What a number that opted out with us (not at the provider) still gets: that it worked, and help.
CONFIRMS_OPT_OUT = frozenset({"stopped", "help"})


def opt_out(phone: str, source: str, now: datetime) -> None:
    """Record that a number must get no more texts (idempotent, race-free). Does not commit."""
    insert_ignoring_duplicates(OptOut, [{"phone": phone, "source": source, "created_at": now}], ["phone"])


def blocks(source: str | None, kind: str) -> str | None:
    """Say why an opt-out of `source` stops a message of `kind`, or None when it may still go."""
    if source is None:
        return None
    if source in PROVIDER_BLOCKS:
        return "The provider blocks this number (STOP at the provider)."
    if kind not in CONFIRMS_OPT_OUT:
        return "The number opted out."
    return None
