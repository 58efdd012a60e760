"""An outbound message's life: composed, stored in the outbox, claimed in order, checked once more, sent at
the sender's rate, recorded, and moved on by the provider's delivery-status callbacks; opt-outs stop it.

    compose.py          the shop's voice, the recipient's language, local times  -> a MessageDraft
    outbox.py           drafts become committed rows (one per dedupe key), then enqueued
    ordering.py         per-recipient order: claimable rows, superseded rows dropped
    sending.py          claim -> last checks -> provider -> record
    recovery.py         the sweeps: lost jobs re-enqueued, unclear sends reconciled
    delivery_status.py  status callbacks only move a message forward
    opt_outs.py         who gets nothing more, and which provider errors mean that
    ratelimit.py        the sender's messages-per-second, shared through Redis
"""
