"""The periodic process: runs the sweeps every few seconds (one per deployment is enough; more is harmless)."""

from __future__ import annotations

import argparse
import logging
import time

from app import create_app
from app.clock import now
from app.config import exit_on_config_error
from workers.sweeper import sweep

log = logging.getLogger("bijna.periodic")


def main() -> None:
    """Sweep every --every seconds until stopped."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--every", type=float, default=5.0)
    args = parser.parse_args()
    app = exit_on_config_error(create_app)
    while True:
        with app.app_context():
            done = sweep(now())
        if any(done.values()):
            log.info("sweep: %s", done)
        time.sleep(args.every)


if __name__ == "__main__":
    main()
