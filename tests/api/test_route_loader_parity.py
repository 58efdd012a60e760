"""The hot path's hand-written route loader accepts and refuses exactly what RouteEtasIn does."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from app.carrier_api.schemas import RouteEtasIn, load_route_etas

GOOD_STOP = {"tracking_number": "3S1", "stop_sequence": 1, "eta": "2026-11-24T10:00:00+01:00"}
BODIES = [
    {"observed_at": "2026-11-24T09:00:00+01:00", "stops": [GOOD_STOP]},
    {"observed_at": "2026-11-24T09:00:00+01:00", "stops": [{**GOOD_STOP, "stop_sequence": None}]},
    {"observed_at": "2026-11-24T09:00:00+01:00", "stops": [{"tracking_number": "3S1", "eta": GOOD_STOP["eta"]}]},
    {"observed_at": "2026-11-24T09:00:00", "stops": [GOOD_STOP]},
    {"observed_at": "2026-11-24T09:00:00+01:00", "stops": []},
    {"observed_at": "2026-11-24T09:00:00+01:00", "stops": [{**GOOD_STOP, "eta": "soon"}]},
    {"observed_at": "2026-11-24T09:00:00+01:00", "stops": [{**GOOD_STOP, "eta": "9999-12-31T23:59:59-12:00"}]},
    {"observed_at": "2026-11-24T09:00:00+01:00", "stops": [{**GOOD_STOP, "stop_sequence": -1}]},
    {"observed_at": "2026-11-24T09:00:00+01:00", "stops": [{**GOOD_STOP, "stop_sequence": 10 ** 7}]},
    {"observed_at": "2026-11-24T09:00:00+01:00", "stops": [{**GOOD_STOP, "tracking_number": ""}]},
    {"observed_at": "2026-11-24T09:00:00+01:00", "stops": [{**GOOD_STOP, "tracking_number": "x" * 101}]},
    {"observed_at": "2026-11-24T09:00:00+01:00", "stops": [{**GOOD_STOP, "colour": "red"}]},
    {"observed_at": "2026-11-24T09:00:00+01:00", "stops": [GOOD_STOP], "driver": "Piet"},
    {"stops": [GOOD_STOP]},
]


@pytest.mark.parametrize("body", BODIES)
def test_the_fast_loader_agrees_with_the_schema(body):
    try:
        RouteEtasIn().load(body)
        schema_ok = True
    except ValidationError:
        schema_ok = False
    try:
        load_route_etas(body)
        fast_ok = True
    except ValidationError:
        fast_ok = False
    assert fast_ok == schema_ok
