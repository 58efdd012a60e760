"""Push a small demo day into a running Bijna (`make run`): three parcels, one driver's route.

Prints what to look at. Uses the credentials `flask demo seed` left in instance/.
The addresses follow PORT and CARRIER_PORT, as `make run` does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
CREDENTIALS = ROOT / "instance" / "demo-credentials.json"
RECIPIENTS = [("0612345601", "Anna"), ("0612345602", "Bram"), ("0612345603", "Chantal")]


class DemoError(Exception):
    """A problem the person running the demo can fix, told in one line."""


def parse_args(argv: list[str] | None = None, environ: dict | None = None) -> argparse.Namespace:
    """Read the command line; the default addresses come from PORT and CARRIER_PORT."""
    environ = os.environ if environ is None else environ
    port, carrier_port = environ.get("PORT") or "5000", environ.get("CARRIER_PORT") or "5055"
    parser = argparse.ArgumentParser(prog="scripts/demo-route", description=__doc__,
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--base-url", default=f"http://127.0.0.1:{port}", help="Bijna (from PORT)")
    parser.add_argument("--carrier-url", default=f"http://127.0.0.1:{carrier_port}",
                        help="the carrier simulator (from CARRIER_PORT)")
    parser.add_argument("--credentials", type=Path, default=CREDENTIALS,
                        help="the keys `flask demo seed` wrote (make run seeds them)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the demo; a problem ends it with one line on stderr and exit status 1, never a traceback."""
    args = parse_args(argv)
    try:
        push_demo_day(args.base_url.rstrip("/"), args.carrier_url.rstrip("/"), args.credentials)
    except DemoError as error:
        print(f"demo-route: {error}", file=sys.stderr)
        return 1
    return 0


def _post(url: str, what: str, **kwargs) -> requests.Response:
    """POST, turning an unreachable server or an error answer into a DemoError that says what to do."""
    try:
        answer = requests.post(url, timeout=10, **kwargs)
    except requests.ConnectionError:
        raise DemoError(f"cannot reach {what} at {urlsplit(url).netloc}: is `make run` running "
                        "(with the same PORT / CARRIER_PORT)?") from None
    except requests.RequestException as error:
        raise DemoError(f"{what} did not answer {url}: {type(error).__name__}") from None
    if answer.status_code == 401:
        raise DemoError(f"{what} does not know the demo credentials (seeded for another database?): "
                        "restart `make run`, then try again")
    if not answer.ok:
        raise DemoError(f"{what} answered {answer.status_code} to POST {url}: {answer.text[:200].strip()}")
    return answer


def push_demo_day(base_url: str, carrier_url: str, credentials_file: Path = CREDENTIALS) -> None:
    """Create three shipments, push a route, then push a later route that makes one parcel late."""
    try:
        credentials = json.loads(credentials_file.read_text())
    except (OSError, ValueError):
        raise DemoError(f"no demo credentials in {credentials_file}: start Bijna with `make run` first") from None
    shop = {"Authorization": f"Bearer {credentials['shop_api_key']}"}
    carrier = {"Authorization": f"Bearer {credentials['carrier_token']}"}
    now = datetime.now(UTC)
    run = uuid.uuid4().hex[:6].upper()
    numbers = []
    for i, (phone, name) in enumerate(RECIPIENTS):
        number = f"3SDEMO{run}{i}"
        body = {"order_ref": f"DEMO-{run}-{i}", "carrier": credentials["carrier_code"], "tracking_number": number,
                "recipient": {"phone": phone, "name": f"{name} Jansen", "city": "Utrecht"},
                "window": {"start": (now - timedelta(hours=1)).isoformat(),
                           "end": (now + timedelta(hours=4)).isoformat()}}
        created = _post(f"{base_url}/api/v1/shipments", "Bijna", json=body, headers=shop)
        numbers.append(number)
        print(f"shipment {number} for {name}: {created.json()['tracking_url']}")
    etas = [now + timedelta(minutes=12), now + timedelta(minutes=50), now + timedelta(minutes=90)]
    route = f"DEMO-{run}"
    for i, number in enumerate(numbers):  # the simulated carrier holds the same route, so changes show there
        _post(f"{carrier_url}/sim/parcels", "the carrier simulator", json={
            "tracking_number": number, "route_id": route, "stop_sequence": i + 1,
            "address": f"Oudegracht {10 + i}", "postcode": "3511AB"})

    def push(observed_at, stop_etas):
        stops = [{"tracking_number": n, "stop_sequence": i + 1, "eta": eta.isoformat()}
                 for i, (n, eta) in enumerate(zip(numbers, stop_etas))]
        answer = _post(f"{base_url}/api/v1/carrier/routes/{route}/etas", "Bijna", headers=carrier,
                       json={"observed_at": observed_at.isoformat(), "stops": stops})
        print(f"route {route} pushed: {answer.json()}")

    push(now, etas)
    push(now + timedelta(seconds=1), etas[:2] + [now + timedelta(hours=3)])  # the last stop slips badly
    print(f"\nOpen {base_url}/dev/phone to read the texts and answer as the recipients.")
    print(f"The carrier's view of the route: {carrier_url}/sim/routes")


if __name__ == "__main__":
    sys.exit(main())
