"""Choosing an adapter per configured carrier: a vendor module if registered, else the contract."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests

from app.carriers import http_json
from app.carriers.adapter import CarrierAdapter
from app.carriers.http_json import HttpJsonCarrier, adapter_for, register_adapter


@dataclass
class CarrierRow:
    code: str
    api_base_url: str
    signing_secret: str


class PostNLStandIn(HttpJsonCarrier):
    """Pretend vendor module: same constructor, its own wire format."""


@pytest.fixture(autouse=True)
def clean_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep registrations made by a test out of the other tests."""
    monkeypatch.setattr(http_json, "ADAPTERS", {})


def test_a_carrier_without_its_own_module_speaks_the_generic_contract() -> None:
    adapter = adapter_for(CarrierRow("acme", "https://api.acme.example/bijna/", "s3cret"))

    assert isinstance(adapter, HttpJsonCarrier)
    assert isinstance(adapter, CarrierAdapter)
    assert adapter.base_url == "https://api.acme.example/bijna"


def test_a_registered_module_serves_its_carrier_code() -> None:
    register_adapter("postnl", PostNLStandIn)

    postnl = adapter_for(CarrierRow("postnl", "https://postnl.example", "s"))

    assert isinstance(postnl, PostNLStandIn)
    assert type(adapter_for(CarrierRow("dhl", "https://dhl.example", "s"))) is HttpJsonCarrier


def test_a_module_can_be_registered_by_name_and_imported_on_first_use() -> None:
    register_adapter("dpd", f"{__name__}:PostNLStandIn")

    assert isinstance(adapter_for(CarrierRow("dpd", "https://dpd.example", "s")), PostNLStandIn)


def test_the_factory_passes_a_shared_session_for_keep_alive() -> None:
    session = requests.Session()

    adapter = adapter_for(CarrierRow("acme", "https://acme.example", "s"), session=session)

    assert adapter._session is session


@pytest.mark.parametrize(
    ("base_url", "secret"),
    [("ftp://acme.example", "s"), ("acme.example", "s"), ("https://acme.example", "")],
)
def test_a_misconfigured_carrier_fails_at_construction(base_url: str, secret: str) -> None:
    with pytest.raises(ValueError):
        adapter_for(CarrierRow("acme", base_url, secret))
