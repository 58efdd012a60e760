"""The console through its real HTTP entry points: log in, find a parcel, read its story, act on it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from console_testing import log_in, post_form

from app.models import Message, Note, Shipment, Ticket
from bijna_testing import YEAR


def test_an_agent_finds_a_parcel_by_a_phone_number_in_another_format(logged_in, make_shipment):
    parcel = make_shipment()
    response = logged_in.get("/console/search", query_string={"q": "+31 6-12 34 56 78"})
    assert response.status_code == 302 and response.location.endswith(f"/console/parcels/{parcel['id']}")
    page = logged_in.get(response.location).get_data(as_text=True)
    assert "Anna de Vries" in page and "/t/" in page


@pytest.fixture
def desk(client, agent, clock):
    """An agent logged in at noon in Amsterdam (not quiet hours)."""
    clock.now = datetime(YEAR, 11, 24, 11, 0, tzinfo=UTC)
    response = log_in(client, agent.email)
    assert response.status_code == 302
    return client


def _story(client, parcel_id: str) -> str:
    return client.get(f"/console/parcels/{parcel_id}").get_data(as_text=True)


def test_the_agent_answers_the_recipient_through_the_outbox(desk, make_shipment, db, clock):
    logged_in = desk
    parcel = make_shipment()
    path = f"/console/parcels/{parcel['id']}"
    response = post_form(logged_in, f"{path}/answer", path, answer="We vragen de bezorger om morgen te komen.")
    assert response.status_code == 302
    text = db.session.query(Message).filter_by(shipment_id=parcel["id"], kind="agent_reply").one()
    assert text.body.startswith("We vragen de bezorger") and text.body.endswith("- Bloemenshop")
    assert text.send_after is None and text.status == "pending"
    assert "Your answer is on its way." in _story(logged_in, parcel["id"])


def test_an_answer_at_night_waits_for_the_morning(client, agent, make_shipment, db, clock):
    clock.now = datetime(YEAR, 11, 24, 22, 30, tzinfo=UTC)  # 23:30 in Amsterdam
    logged_in = client
    log_in(client, agent.email)
    parcel = make_shipment()
    path = f"/console/parcels/{parcel['id']}"
    post_form(logged_in, f"{path}/answer", path, answer="Morgen komt hij.")
    text = db.session.query(Message).filter_by(kind="agent_reply").one()
    assert text.send_after is not None and text.send_after.hour == 7  # 08:00 in Amsterdam


def test_an_opted_out_number_is_refused_with_a_clear_message(logged_in, make_shipment, db):
    from app.models import OptOut
    from bijna_testing import test_now

    parcel = make_shipment()
    db.session.add(OptOut(phone=parcel["recipient"]["phone"], source="reply", created_at=test_now()))
    db.session.commit()
    path = f"/console/parcels/{parcel['id']}"
    response = post_form(logged_in, f"{path}/answer", path, answer="Hallo?")
    assert response.status_code == 302
    assert db.session.query(Message).filter_by(kind="agent_reply").count() == 0
    assert "opted out" in _story(logged_in, parcel["id"])
    post_form(logged_in, f"{path}/tracking-link", path)
    assert db.session.query(Message).filter_by(kind="tracking_link").count() == 0


def test_paused_texts_are_not_sent_but_the_agents_own_text_is(desk, make_shipment, db, run_jobs, clock):
    logged_in = desk
    from app.messaging.outbox import MessageDraft, queue_texts

    parcel = make_shipment()
    path = f"/console/parcels/{parcel['id']}"
    post_form(logged_in, f"{path}/texts", path, paused="1")
    assert db.session.get(Shipment, parcel["id"]).texts_paused
    queue_texts([MessageDraft(to=parcel["recipient"]["phone"], kind="in_transit", body="Onderweg",
                              shop_id=parcel.get("shop_id") or db.session.get(Shipment, parcel["id"]).shop_id,
                              shipment_id=parcel["id"])], clock.now)
    post_form(logged_in, f"{path}/tracking-link", path)
    run_jobs()
    statuses = {m.kind: m.status for m in db.session.query(Message).filter_by(shipment_id=parcel["id"])}
    assert statuses["in_transit"] == "skipped"
    assert statuses["tracking_link"] not in ("skipped", "pending")
    post_form(logged_in, f"{path}/texts", path, paused="0")
    assert not db.session.get(Shipment, parcel["id"]).texts_paused


def test_notes_vip_and_tickets_show_on_the_story(logged_in, make_shipment, db):
    parcel = make_shipment()
    path = f"/console/parcels/{parcel['id']}"
    post_form(logged_in, f"{path}/notes", path, body="Klant belde: werkt thuis op dinsdag.")
    post_form(logged_in, f"{path}/vip", path, vip="1")
    post_form(logged_in, f"{path}/tickets", path, summary="Doos beschadigd", urgent="1")
    story = _story(logged_in, parcel["id"])
    assert "werkt thuis op dinsdag" in story and "VIP" in story and "Doos beschadigd" in story
    ticket = db.session.query(Ticket).one()
    assert ticket.urgent and ticket.opened_by != "system"
    assert db.session.query(Note).filter(Note.action.is_(None)).count() == 1
    home = logged_in.get("/console").get_data(as_text=True)
    assert "Doos beschadigd" in home
    post_form(logged_in, f"/console/tickets/{ticket.id}/close", path)
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == "closed"


def test_a_reply_that_needs_a_person_is_listed_until_an_agent_answers(desk, make_shipment, db, clock):
    logged_in = desk
    parcel = make_shipment()
    shipment = db.session.get(Shipment, parcel["id"])
    db.session.add(Message(direction="in", kind="reply", shop_id=shipment.shop_id, shipment_id=shipment.id,
                           to_number="+3197010203040", from_number=shipment.recipient_phone, status="received",
                           body="Mijn buurvrouw is ziek, kan het naar mijn werk?", understood_as="needs_person",
                           confidence=0.31, created_at=clock.now, updated_at=clock.now))
    db.session.commit()
    home = logged_in.get("/console").get_data(as_text=True)
    assert "kan het naar mijn werk?" in home and "31% sure" in home
    path = f"/console/parcels/{parcel['id']}"
    assert "needs_person" in _story(logged_in, parcel["id"])
    post_form(logged_in, f"{path}/answer", path, answer="Dat kan, we geven het door.")
    assert "kan het naar mijn werk?" not in logged_in.get("/console").get_data(as_text=True)


def test_search_by_order_tracking_and_name_prefix(logged_in, make_shipment):
    first = make_shipment()
    make_shipment(order_ref="1002", tracking_number="3SBIJ0002",
                  recipient={"phone": "06 11111111", "name": "Annabel Smit"})
    assert logged_in.get("/console/search?q=1001").location.endswith(first["id"])
    assert logged_in.get("/console/search?q=3sbij0001").location.endswith(first["id"])
    both = logged_in.get("/console/search?q=ANN").get_data(as_text=True)
    assert "Anna de Vries" in both and "Annabel Smit" in both
    assert "No parcel of yours" in logged_in.get("/console/search?q=zzz", follow_redirects=True).get_data(
        as_text=True)


def test_an_admin_adds_and_deletes_a_login_and_an_agent_may_not(client, admin, agent):
    from app.models import StaffUser

    log_in(client, admin.email)
    response = post_form(client, "/console/users", "/console/users", email="New@Bloemenshop.test",
                         password="a long enough secret", role="agent")
    assert response.status_code == 302
    new = StaffUser.query.filter_by(email="new@bloemenshop.test").one()
    assert new.password_hash.startswith("scrypt:") and new.shop_id == admin.shop_id
    assert post_form(client, f"/console/users/{new.id}/delete", "/console/users").status_code == 302
    assert StaffUser.query.filter_by(email="new@bloemenshop.test").count() == 0
    other = client.application.test_client()
    response = log_in(other, agent.email)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert other.get("/console/users").status_code == 403


def test_the_story_shows_the_eta_the_texts_read_when_it_is_not_the_carriers(logged_in, make_shipment, db, carrier):
    from dataclasses import replace
    from datetime import timedelta

    from app.eta import PRIOR
    from app.models import EtaCalibration

    parcel = make_shipment()
    shipment = db.session.get(Shipment, parcel["id"])
    heard = datetime(YEAR, 11, 24, 9, 0, tzinfo=UTC)
    shipment.eta, shipment.eta_observed_at = heard + timedelta(minutes=31), heard
    shipment.eta_smoothed, shipment.eta_variance = heard + timedelta(minutes=24), 2.0
    db.session.commit()
    assert "ETA in the texts" not in _story(logged_in, parcel["id"])  # undecided, and the pushes drift: the carrier's
    db.session.add(EtaCalibration(carrier_id=carrier.id, model=replace(PRIOR, smoothed=True).to_json(),
                                  computed_at=heard))
    db.session.commit()
    story = _story(logged_in, parcel["id"])
    assert "ETA in the texts" in story and "one push scatters" in story


def test_what_the_desk_did_is_on_the_story_with_who_and_when(desk, make_shipment, db, agent, clock):
    parcel = make_shipment()
    path = f"/console/parcels/{parcel['id']}"
    post_form(desk, f"{path}/texts", path, paused="1")
    post_form(desk, f"{path}/texts", path, paused="1")  # pressed twice (a second tab): one entry, not two
    post_form(desk, f"{path}/vip", path, vip="1")
    post_form(desk, f"{path}/answer", path, answer="Hij komt morgen tussen 10 en 12.")
    post_form(desk, f"{path}/tracking-link", path)
    post_form(desk, f"{path}/texts", path, paused="0")
    logged = db.session.query(Note).filter_by(shipment_id=parcel["id"]).order_by(Note.created_at, Note.id).all()
    assert sorted(n.action for n in logged) == sorted(
        ["texts_paused", "vip_marked", "answered", "tracking_link_sent", "texts_resumed"])
    assert {n.author for n in logged} == {agent.email} and {n.staff_id for n in logged} == {agent.id}
    assert all(n.created_at == clock.now for n in logged)
    story = _story(desk, parcel["id"])
    for phrase in ("paused the automatic texts", "marked the recipient as VIP", "answered the recipient by text",
                   "texted the tracking link again", "resumed the automatic texts"):
        assert f"{agent.email} {phrase}" in story


def test_a_refused_answer_logs_nothing(desk, make_shipment, db):
    from app.models import OptOut
    from bijna_testing import test_now

    parcel = make_shipment()
    db.session.add(OptOut(phone=parcel["recipient"]["phone"], source="reply", created_at=test_now()))
    db.session.commit()
    path = f"/console/parcels/{parcel['id']}"
    post_form(desk, f"{path}/answer", path, answer="Hallo?")
    assert db.session.query(Note).filter_by(shipment_id=parcel["id"]).count() == 0
