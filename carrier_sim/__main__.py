"""Run the carrier simulator: ``python -m carrier_sim --port 5055 --secret dev-carrier-secret``."""

from __future__ import annotations

import argparse
import os

from werkzeug.serving import make_server

from carrier_sim.app import create_app
from devtools.serve import KeepAliveHandler


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve the simulator until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m carrier_sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument(
        "--secret",
        default=os.environ.get("CARRIER_SIM_SECRET"),
        help="HMAC secret Bijna signs with (default: $CARRIER_SIM_SECRET)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="makes slots and addresses reproducible"
    )
    parser.add_argument(
        "--no-auto-register",
        dest="auto_register",
        action="store_false",
        help="answer unknown_parcel instead of adding unseen parcels to a route",
    )
    args = parser.parse_args(argv)
    if not args.secret:
        parser.error("--secret (or CARRIER_SIM_SECRET) is required")
    app = create_app(args.secret, args.seed, auto_register=args.auto_register)
    server = make_server(
        args.host, args.port, app, threaded=True, request_handler=KeepAliveHandler
    )
    print(f"carrier simulator on http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
