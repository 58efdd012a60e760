"""The Twilio stand-in for benchmarks: devtools' stand-in plus a receipt clock.

Runs as its own process (so it never shares a GIL with what it measures):

    python -m bench.standin --port 8099 --record /tmp/receipts.json

Every accepted message is noted as [time.time() when its request reached the stand-in, To,
segments]; on SIGTERM/SIGINT the notes are written to --record as JSON and the process exits.
Only the newest few thousand message bodies are kept in memory (the receipts are small).
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
import time
from typing import Any

from app.notify.segments import count_segments
from devtools.twilio_standin import TwilioStandin


class RecordingStandin(TwilioStandin):
    """A TwilioStandin that notes when each message arrived."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.receipts: list[tuple[float, str, int]] = []
        super().__init__(host, port, max_messages=2000)

    def create_message(self, account_sid: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        received = time.time()
        status, payload = super().create_message(account_sid, form)
        if status == 201:
            body = form.get("Body", "")
            self.receipts.append((received, form.get("To", ""), count_segments(body)[1] if body else 0))
        return status, payload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record", required=True, help="where to write the receipts on exit")
    args = parser.parse_args()
    standin = RecordingStandin(port=args.port).start()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"stand-in on {standin.base_url}", flush=True)
    while not stop.wait(0.2):
        pass
    standin.stop()
    with open(args.record, "w") as out:
        json.dump({"receipts": standin.receipts, "create_attempts": standin.create_attempts}, out)


if __name__ == "__main__":
    main()
