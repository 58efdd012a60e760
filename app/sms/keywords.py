"""Twilio's own keyword handling (Advanced Opt-Out), which the simulator and the stand-in copy.

Twilio reads a reply that is exactly one of these words (any case, spaces around it ignored;
"please stop" is no keyword), blocks or unblocks the number, answers it with its own
confirmation and posts the reply to our webhook with `OptOutType`. Pure: no I/O.
"""

from __future__ import annotations

OPT_OUT = "STOP"
OPT_IN = "START"
HELP = "HELP"
KEYWORDS = {
    OPT_OUT: frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}),
    OPT_IN: frozenset({"START", "YES", "UNSTOP"}),
    HELP: frozenset({"HELP", "INFO"}),
}
# Twilio's default confirmations: what the recipient reads instead of a text of ours.
CONFIRMATIONS = {
    OPT_OUT: "You have successfully been unsubscribed. You will not receive any more messages from this "
             "number. Reply START to resubscribe.",
    OPT_IN: "You have successfully been re-subscribed to messages from this number. Reply HELP for help. "
            "Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
    HELP: "Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
}


def opt_out_type(body: str) -> str | None:
    """Return the OptOutType Twilio gives this reply (STOP, START or HELP), or None."""
    word = body.strip().upper()
    return next((kind for kind, words in KEYWORDS.items() if word in words), None)
