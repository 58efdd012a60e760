"""Bijna's icon: /favicon.ico is a real icon, and every page links the SVG it was drawn from."""

from __future__ import annotations

import re
import struct
from datetime import UTC, datetime

from tracking_testing import token_of


def _icon_sizes(ico: bytes) -> list[int]:
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1), "an ICO file starts 00 00 01 00"
    return [ico[6 + 16 * i] or 256 for i in range(count)]


def test_favicon_ico_is_a_small_real_icon_kept_a_week(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"
    assert _icon_sizes(response.data) == [16, 32, 48] and len(response.data) < 10_000
    assert "max-age=604800" in response.headers["Cache-Control"]


def test_every_page_links_an_icon_that_is_served(client, db, clock, make_shipment):
    clock.now = datetime.now(UTC)
    pages = [f"/t/{token_of(make_shipment())}", "/t/no-such-parcel-token-at-all", "/api/v1/docs"]
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        (href,) = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
        icon = client.get(href)
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml", path
        assert icon.get_data(as_text=True).startswith("<svg")
