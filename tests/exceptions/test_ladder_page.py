"""The tracking page: the compensation code, and "report a problem" when the parcel has been quiet for long."""

from __future__ import annotations

from ladder_testing import HOUR, T0, event
from sqlalchemy import select

from app.exceptions.service import climb_exception_ladder
from app.models import Shipment, ShopWebhook, Ticket


def _page(client, parcel_token):
    return client.get(f"/t/{parcel_token}")


def _token(db, parcel):
    return db.session.get(Shipment, parcel).tracking_token


def test_report_a_problem_appears_only_once_the_parcel_is_quiet_for_long(db, client, clock, silent_parcel):
    parcel = silent_parcel()
    token = _token(db, parcel)
    clock.now = T0 + 20 * HOUR
    assert f'action="/t/{token}/problem"' not in _page(client, token).get_data(as_text=True)
    assert client.post(f"/t/{token}/problem", data={"words": "Where is it?"}).status_code == 409
    clock.now = T0 + 49 * HOUR
    page = _page(client, token).get_data(as_text=True)
    assert f'action="/t/{token}/problem"' in page and "Klopt er iets niet?" in page


def test_a_report_opens_a_ticket_with_the_recipients_words_and_tells_the_shop(db, client, clock, silent_parcel):
    parcel = silent_parcel()
    token = _token(db, parcel)
    clock.now = T0 + 50 * HOUR
    answer = client.post(f"/t/{token}/problem", data={"words": "  De buurman zegt dat hij  is teruggestuurd "})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("#problem")
    [ticket] = db.session.execute(select(Ticket)).scalars().all()
    assert (ticket.kind, ticket.opened_by, ticket.summary) == (
        "problem_report", "recipient", "De buurman zegt dat hij is teruggestuurd")
    [webhook] = db.session.execute(select(ShopWebhook)).scalars().all()
    assert webhook.event == "ticket.opened" and webhook.payload["ticket"]["kind"] == "problem_report"
    page = _page(client, token)
    assert "heeft je bericht" in page.get_data(as_text=True)
    assert page.headers["Content-Security-Policy"] and page.headers["Referrer-Policy"] == "no-referrer"

    client.post(f"/t/{token}/problem", data={"words": "Nog steeds niets"})
    [same] = db.session.execute(select(Ticket)).scalars().all()
    assert same.id == ticket.id and same.summary.endswith("Nog steeds niets")
    assert db.session.execute(select(ShopWebhook)).scalars().all() == [webhook]  # one ticket, one webhook


def test_an_empty_report_or_a_wrong_token_changes_nothing(db, client, clock, silent_parcel):
    token = _token(db, silent_parcel())
    clock.now = T0 + 50 * HOUR
    assert client.post(f"/t/{token}/problem", data={"words": "   "}).status_code == 422
    assert client.post(f"/t/{'x' * 32}/problem", data={"words": "hello"}).status_code == 404
    assert db.session.execute(select(Ticket)).scalars().all() == []


def test_after_a_failed_attempt_the_recipient_may_report_at_once(db, client, clock, carrier_headers,
                                                                  silent_parcel):
    parcel = silent_parcel()
    clock.now = T0 + 2 * HOUR
    event(client, carrier_headers, db.session.get(Shipment, parcel).tracking_number, "NOT_HOME", T0 + 2 * HOUR)
    token = _token(db, parcel)
    assert f'action="/t/{token}/problem"' in _page(client, token).get_data(as_text=True)


def test_the_compensation_code_is_on_the_page(db, client, clock, silent_parcel, shop_headers):
    client.post("/api/v1/shop/compensation-codes", json={"codes": ["SORRY-PAGE"]}, headers=shop_headers)
    parcel = silent_parcel()
    token = _token(db, parcel)
    assert "SORRY-PAGE" not in _page(client, token).get_data(as_text=True)
    clock.now = T0 + 121 * HOUR
    climb_exception_ladder(clock.now)
    page = _page(client, token).get_data(as_text=True)
    assert "Sorry voor het wachten" in page and "SORRY-PAGE" in page


def test_the_recipients_words_are_removed_after_the_retention_period(db, client, clock, silent_parcel):
    from app.exceptions.retention import forget_problem_reports
    from app.retention import MESSAGE_RETENTION, REMOVED

    token = _token(db, silent_parcel())
    clock.now = T0 + 50 * HOUR
    client.post(f"/t/{token}/problem", data={"words": "Mijn buurvrouw Els heeft hem niet"})
    [webhook] = db.session.execute(select(ShopWebhook)).scalars().all()
    assert "Els" not in str(webhook.payload)  # webhooks are kept: the words never go into one
    assert forget_problem_reports(T0 + 50 * HOUR + MESSAGE_RETENTION - HOUR) == 0
    assert forget_problem_reports(T0 + 50 * HOUR + MESSAGE_RETENTION + HOUR) == 1
    assert db.session.execute(select(Ticket.summary)).scalar() == REMOVED
