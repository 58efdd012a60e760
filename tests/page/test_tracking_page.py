"""The tracking page over HTTP: privacy, headers, the live window, branding and extras."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

import pytest
from tracking_testing import token_of

from app.models import Shipment
from app.tracking.service import format_window

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # Monday 13:00 in Amsterdam
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' https: data:; script-src 'self'; "
                               "style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@pytest.fixture
def at_noon(clock):
    clock.now = NOW
    return clock


@pytest.fixture
def english_parcel(make_shipment):
    return make_shipment(recipient={"phone": "06 12345678", "name": "Anna de Vries", "city": "Utrecht",
                                    "language": "en"})


def _assert_page_headers(response):
    for name, value in PAGE_HEADERS.items():
        assert response.headers.get(name) == value, name


def test_page_shows_first_name_and_town_but_never_the_number_or_surname(client, at_noon, english_parcel,
                                                                      carrier_event):
    carrier_event("HUB_SCAN", NOW - timedelta(hours=2))
    response = client.get(f"/t/{token_of(english_parcel)}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Anna" in html and "Utrecht" in html
    assert "de Vries" not in html and "Vries" not in html
    digits = re.sub(r"\D", "", english_parcel["recipient"]["phone"])  # +31612345678
    assert digits not in re.sub(r"\D", "", html) and "12345678" not in html and "612345678" not in html
    assert english_parcel["order_ref"] not in re.findall(r">\s*([^<]+?)\s*<", html)


def test_page_sets_a_strict_csp_and_leaks_no_referrer(client, at_noon, english_parcel):
    token = token_of(english_parcel)
    for path in (f"/t/{token}", f"/t/{token}.json", f"/t/{token}/theme.css", "/t/" + "x" * 32):
        _assert_page_headers(client.get(path))


def test_page_has_no_inline_scripts_styles_or_handlers(client, at_noon, english_parcel):
    html = client.get(f"/t/{token_of(english_parcel)}").get_data(as_text=True)
    assert "<style" not in html and " style=" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert re.findall(r"\son[a-z]+=", html) == []
    assert '<meta name="referrer" content="no-referrer">' in html


@pytest.mark.parametrize("token", ["x" * 32, "short", "a" * 65, "%3Cscript%3E" + "a" * 30])
def test_unknown_or_malformed_token_gets_a_friendly_404(client, db, token):
    response = client.get(f"/t/{token}", headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "We kunnen dit pakket niet vinden" in response.get_data(as_text=True)
    _assert_page_headers(response)


def test_link_expires_a_month_after_delivery(client, db, at_noon, english_parcel, carrier_event):
    carrier_event("DELIVERED", NOW - timedelta(days=31))
    response = client.get(f"/t/{token_of(english_parcel)}")
    assert response.status_code == 404 and "find this parcel" in response.get_data(as_text=True)
    carrier_event("DELIVERED", NOW - timedelta(days=31))  # idempotent: still gone


def test_tokens_are_unguessable(client, db, make_shipment):
    tokens = {token_of(make_shipment(order_ref=str(i), tracking_number=f"3SBIJ{i:04d}")) for i in range(20)}
    assert len(tokens) == 20
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
        assert len(token) * math.log2(64) >= 128  # urlsafe base64: 6 bits per character
    assert min(len(token) for token in tokens) >= 32  # secrets.token_urlsafe(24): 192 bits


def test_out_for_delivery_page_shows_the_live_window(client, db, at_noon, english_parcel, route_eta):
    route_eta(NOW + timedelta(minutes=12), NOW)
    html = client.get(f"/t/{token_of(english_parcel)}").get_data(as_text=True)
    shipment = db.session.get(Shipment, english_parcel["id"])
    assert shipment.status == "out_for_delivery"
    # The page repeats the window the text told, whatever width the ETA model gave it.
    assert shipment.announced_start <= NOW + timedelta(minutes=12) <= shipment.announced_end
    told = format_window(shipment.announced_start, shipment.announced_end, NOW, "Europe/Amsterdam", "en")
    assert told.startswith("Today between 1") and f'<p class="window" data-field="window">{told}</p>' in html
    assert "About 12 minutes away" in html
    assert 'data-live="fast"' in html


def test_json_endpoint_gives_the_live_parts(client, db, at_noon, english_parcel, route_eta):
    route_eta(NOW + timedelta(minutes=30), NOW)
    live = client.get(f"/t/{token_of(english_parcel)}.json").get_json()
    assert live["status"] == "out_for_delivery" and live["live"] is True
    assert live["minutes_away"] == "About 30 minutes away"
    assert live["window"].startswith("Today between ")
    assert set(live) == {"status", "headline", "window", "minutes_away", "delay", "rebooking", "live", "watching",
                         "state"}


def test_polling_sees_the_eta_move_and_the_state_change_on_delivery(client, db, clock, english_parcel, route_eta,
                                                                   carrier_event):
    token = token_of(english_parcel)
    clock.now = NOW
    route_eta(NOW + timedelta(minutes=40), NOW)
    first = client.get(f"/t/{token}.json").get_json()
    clock.now = NOW + timedelta(minutes=10)
    route_eta(NOW + timedelta(minutes=30), NOW + timedelta(minutes=10))
    second = client.get(f"/t/{token}.json").get_json()
    assert second["minutes_away"] == "About 20 minutes away" and second["state"] == first["state"]
    carrier_event("DELIVERED", NOW + timedelta(minutes=31))
    clock.now = NOW + timedelta(minutes=32)
    third = client.get(f"/t/{token}.json").get_json()
    assert third["status"] == "delivered" and third["live"] is False and third["state"] != first["state"]


def test_dutch_recipient_reads_dutch(client, db, at_noon, make_shipment, route_eta):
    parcel = make_shipment()  # the shop's language: nl
    route_eta(NOW + timedelta(minutes=12), NOW)
    html = client.get(f"/t/{token_of(parcel)}").get_data(as_text=True)
    assert '<html lang="nl">' in html and "Vandaag tussen" in html and "Nog ongeveer 12 minuten" in html


def test_branding_and_extras_set_through_the_shop_api_show_on_the_page(client, db, at_noon, shop_headers,
                                                                       english_parcel, carrier_event):
    patch = {"branding": {"logo_url": "https://cdn.example/logo.png", "primary_color": "#aa3366",
                          "accent_color": "#ffee00", "tone": "playful"},
             "extras": {"returns_url": "https://shop.example/returns", "invoice_url": "https://shop.example/inv/1",
                        "faq": [{"q": "When do I pay?", "a": "You already did."}],
                        "cross_sell": {"title": "A vase to match?", "text": "10% off this week",
                                       "url": "https://shop.example/vases", "image_url": "https://cdn.example/v.jpg"}}}
    assert client.patch("/api/v1/shop", json=patch, headers=shop_headers).status_code == 200
    token = token_of(english_parcel)
    html = client.get(f"/t/{token}").get_data(as_text=True)
    logo = '<img class="brand-logo" src="https://cdn.example/logo.png" alt="Bloemenshop" referrerpolicy="no-referrer">'
    assert logo in html
    assert "Hey Anna!" in html
    for text in ("https://shop.example/returns", "https://shop.example/inv/1", "When do I pay?", "A vase to match?"):
        assert text in html
    css = client.get(f"/t/{token}/theme.css")
    assert css.mimetype == "text/css" and "--brand: #aa3366" in css.get_data(as_text=True)
    assert "--accent-text: #111111" in css.get_data(as_text=True)  # dark text on yellow
    carrier_event("DELIVERED", NOW - timedelta(minutes=5))
    delivered = client.get(f"/t/{token}").get_data(as_text=True)
    assert "A vase to match?" not in delivered and "https://shop.example/returns" in delivered


@pytest.mark.parametrize("field, value", [
    ("branding", {"logo_url": "http://cdn.example/logo.png"}),
    ("branding", {"primary_color": "red; } body { display: none"}),
    ("extras", {"faq": [{"q": "no answer"}]}),
    ("extras", {"cross_sell": {"title": "x", "url": "javascript:alert(1)"}}),
    ("extras", {"returns_url": "http://shop.example/returns"}),
])
def test_shop_api_refuses_branding_the_page_could_not_show_safely(client, db, shop_headers, field, value):
    response = client.patch("/api/v1/shop", json={field: value}, headers=shop_headers)
    assert response.status_code == 422, response.get_json()


def test_a_colour_stored_some_other_way_cannot_break_out_of_the_css(client, db, at_noon, shop, english_parcel):
    shop.branding = {"primary_color": "#fff} body{display:none"}
    db.session.commit()
    css = client.get(f"/t/{token_of(english_parcel)}/theme.css").get_data(as_text=True)
    assert "display" not in css and "--brand: #0b6e4f" in css


def test_html_escapes_what_the_shop_typed(client, db, at_noon, shop_headers, english_parcel):
    faq = [{"q": "<script>alert(1)</script>", "a": "<b>bold</b>"}]
    client.patch("/api/v1/shop", json={"extras": {"faq": faq}}, headers=shop_headers)
    html = client.get(f"/t/{token_of(english_parcel)}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_delay_is_shown_with_an_apology(client, db, clock, english_parcel, route_eta):
    clock.now = NOW
    route_eta(NOW + timedelta(minutes=60), NOW)
    clock.now = NOW + timedelta(minutes=5)
    route_eta(NOW + timedelta(minutes=150), NOW + timedelta(minutes=5))
    html = client.get(f"/t/{token_of(english_parcel)}").get_data(as_text=True)
    assert "Sorry, the driver is running late" in html and "Your parcel is running late" in html


def test_the_story_shows_human_steps_not_carrier_codes(client, db, at_noon, english_parcel, carrier_event):
    carrier_event("HUB_SCAN", NOW - timedelta(hours=20))
    carrier_event("DEPOT_ARRIVAL", NOW - timedelta(hours=3))
    html = client.get(f"/t/{token_of(english_parcel)}").get_data(as_text=True)
    assert "HUB_SCAN" not in html and "DEPOT_ARRIVAL" not in html
    assert "On its way" in html and "bringing it to Utrecht" in html
    assert 'class="step step-current"' in html


def test_the_page_works_on_the_shops_own_domain_behind_a_proxy(client, db, at_noon, english_parcel):
    token = token_of(english_parcel)
    response = client.get(f"/t/{token}", headers={"Host": "track.bloemenshop.nl", "X-Forwarded-Host": "evil.example"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "bijna.test" not in html and "evil.example" not in html and "track.bloemenshop.nl" not in html
    assert re.findall(r'(?:href|src|action)="(?!/|#|data:,)([^"]+)"', html) == []
