"""A simulated carrier speaking Bijna's HTTP/JSON carrier contract (docs/carrier-contract.md)."""

from carrier_sim.app import create_app

__all__ = ["create_app"]
