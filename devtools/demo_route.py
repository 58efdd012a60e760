"""Push a small demo day into a running Bijna (`make run`): three parcels, one driver's route.

Prints what to look at. Uses the credentials `flask demo seed` left in instance/.
"""

from __future__ import annotations

import argparse
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
RECIPIENTS = [("0612345601", "Anna"), ("0612345602", "Bram"), ("0612345603", "Chantal")]


def main() -> None:
    """Create three shipments, push a route, then push a later route that makes one parcel late."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default="http://127.0.0.1:5000")
    parser.add_argument("--carrier-url", default="http://127.0.0.1:5055", help="the carrier simulator")
    args = parser.parse_args()
    credentials = json.loads((ROOT / "instance" / "demo-credentials.json").read_text())
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
        created = requests.post(f"{args.base_url}/api/v1/shipments", json=body, headers=shop, timeout=10)
        created.raise_for_status()
        numbers.append(number)
        print(f"shipment {number} for {name}: {created.json()['tracking_url']}")
    etas = [now + timedelta(minutes=12), now + timedelta(minutes=50), now + timedelta(minutes=90)]
    route = f"DEMO-{run}"
    for i, number in enumerate(numbers):  # the simulated carrier holds the same route, so changes show there
        requests.post(f"{args.carrier_url}/sim/parcels", timeout=10, json={
            "tracking_number": number, "route_id": route, "stop_sequence": i + 1,
            "address": f"Oudegracht {10 + i}", "postcode": "3511AB"}).raise_for_status()

    def push(observed_at, stop_etas):
        stops = [{"tracking_number": n, "stop_sequence": i + 1, "eta": eta.isoformat()}
                 for i, (n, eta) in enumerate(zip(numbers, stop_etas))]
        answer = requests.post(f"{args.base_url}/api/v1/carrier/routes/{route}/etas", headers=carrier, timeout=10,
                               json={"observed_at": observed_at.isoformat(), "stops": stops})
        answer.raise_for_status()
        print(f"route {route} pushed: {answer.json()}")

    push(now, etas)
    push(now + timedelta(seconds=1), etas[:2] + [now + timedelta(hours=3)])  # the last stop slips badly
    print(f"\nOpen {args.base_url}/dev/phone to read the texts and answer as the recipients.")
    print(f"The carrier's view of the route: {args.carrier_url}/sim/routes")


if __name__ == "__main__":
    main()
