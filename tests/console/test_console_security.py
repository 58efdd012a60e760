"""Every console route, walked from the URL map: no session, another shop's session, no CSRF token."""

from __future__ import annotations

from datetime import timedelta

from console_testing import log_in, post_form

from app.console.accounts import MAX_FAILURES
from app.console.login_limits import PER_IP
from app.console.tickets import open_ticket
from app.models import Ticket
from bijna_testing import test_now


def _console_routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/console") or rule.endpoint.endswith(".static"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, rule.rule))
    return routes


def _fill(rule: str, ids: dict) -> str:
    return (rule.replace("<shipment_id>", ids["shipment"]).replace("<ticket_id>", ids["ticket"])
            .replace("<user_id>", ids["user"]))


def _rival_ids(db, rival) -> dict:
    ticket = open_ticket(rival["shop"].id, rival["shipment_id"], "manual", "theirs", test_now())
    db.session.commit()
    return {"shipment": rival["shipment_id"], "ticket": ticket.id, "user": rival["agent"].id}


def test_the_walk_covers_every_console_page_and_action(app):
    routes = set(_console_routes(app))
    assert ("GET", "/console/parcels/<shipment_id>") in routes
    assert ("POST", "/console/tickets/<ticket_id>/close") in routes
    assert len(routes) >= 14


def test_without_a_session_every_route_sends_you_to_the_login(app, client, db, rival):
    ids = _rival_ids(db, rival)
    for method, rule in _console_routes(app):
        if rule == "/console/login":
            continue
        # A browser's request: logged out, so also without a CSRF token for the POSTs.
        response = client.open(_fill(rule, ids), method=method)
        assert response.status_code in (302, 400, 401, 403), (method, rule, response.status_code)
        if response.status_code == 302:
            assert "/console/login" in response.location, (method, rule)


def test_another_shops_ids_are_not_found_on_any_route(app, client, db, admin, rival):
    ids = _rival_ids(db, rival)
    log_in(client, admin.email)
    for method, rule in _console_routes(app):
        if "<" not in rule:
            continue
        path = _fill(rule, ids)
        response = client.get(path) if method == "GET" else post_form(client, path, "/console", body="x",
                                                                       answer="x", summary="x", paused="1", vip="1")
        assert response.status_code == 404, (method, rule, response.status_code)
    db.session.expire_all()
    assert db.session.get(Ticket, ids["ticket"]).status == "open"
    for query in ("R-1", "3SRIVAL1", "Rik", "06-23 45 67 89"):
        page = client.get("/console/search", query_string={"q": query}, follow_redirects=True).get_data(as_text=True)
        assert "Rivaal" not in page and "No parcel of yours" in page
    assert "theirs" not in client.get("/console").get_data(as_text=True)


def test_a_post_without_the_csrf_token_is_refused_on_every_route(app, client, db, admin, make_shipment):
    from app.models import StaffUser

    parcel = make_shipment()
    ticket = open_ticket(admin.shop_id, parcel["id"], "manual", "ours", test_now())
    db.session.commit()
    ids = {"shipment": parcel["id"], "ticket": ticket.id, "user": admin.id}
    log_in(client, admin.email)
    for method, rule in _console_routes(app):
        if method == "POST":
            response = client.post(_fill(rule, ids), data={"body": "x", "answer": "x", "summary": "x",
                                                           "email": "a@b.test", "password": "p" * 20})
            assert response.status_code == 400, (rule, response.status_code)
    assert db.session.get(StaffUser, admin.id) is not None
    assert client.get("/console").status_code == 200  # still logged in: logout was refused too


def test_pages_carry_a_strict_content_security_policy(client, agent):
    response = client.get("/console/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    log_in(client, agent.email)
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_wrong_passwords_lock_the_account_until_the_clock_moves_on(client, agent, clock):
    clock.now = test_now()
    for _ in range(MAX_FAILURES - 1):
        assert log_in(client, agent.email, "wrong password!!").status_code == 401
    assert log_in(client, agent.email, "wrong password!!").status_code == 429
    assert log_in(client, agent.email).status_code == 429  # even the right password, for now
    clock.now += timedelta(minutes=16)
    assert log_in(client, agent.email).status_code == 302


def test_one_address_guessing_many_accounts_is_stopped(client, agent):
    for n in range(PER_IP):
        assert log_in(client, f"nobody{n}@example.test", "whatever password").status_code == 401
    assert log_in(client, agent.email).status_code == 429


def test_a_session_ends_after_an_idle_hour_and_after_eight_hours(client, agent, clock):
    clock.now = test_now()
    log_in(client, agent.email)
    clock.now += timedelta(minutes=50)
    assert client.get("/console").status_code == 200
    clock.now += timedelta(minutes=61)
    response = client.get("/console")
    assert response.status_code == 302 and "expired=1" in response.location
    log_in(client, agent.email)
    for _ in range(9):  # busy all day: never idle, still logged out after 8 hours
        clock.now += timedelta(minutes=55)
        last = client.get("/console")
    assert last.status_code == 302


def test_logout_ends_the_session_and_a_copy_of_the_cookie(app, client, agent):
    log_in(client, agent.email)
    stolen = client.get_cookie("session").value
    post_form(client, "/console/logout", "/console")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/console").status_code == 302
