"""Hypothesis over the forms strangers can post: Twilio's webhooks (properly signed) and the tracking page.

Whatever the fields hold (NUL, control characters, emoji, absurd lengths, unknown names), Twilio
gets its answer (empty TwiML, or 204) and the page a 4xx or a redirect: never a 500.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sms.signature import sign_twilio_request

# Every character a form can carry (lone surrogates cannot be encoded, so no request holds them).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
TWILIO_FIELDS = ("MessageSid", "AccountSid", "MessagingServiceSid", "From", "To", "Body", "NumMedia",
                 "OptOutType", "MessageStatus", "ErrorCode", "ErrorMessage", "SmsStatus")
FORMS = st.dictionaries(st.one_of(st.sampled_from(TWILIO_FIELDS), TEXT.filter(bool)),
                        st.one_of(TEXT, st.sampled_from(["delivered", "undelivered", "STOP", "1", "SM1", "21610",
                                                         "+31612345678", "99999999999999999999"])),
                        max_size=8)
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@FUZZ
@given(form=FORMS)
def test_signed_twilio_webhooks_never_answer_500(app, client, db, form):
    token = app.config["SETTINGS"].twilio_auth_token
    for path, ok in (("/webhooks/twilio/sms", 200), ("/webhooks/twilio/status", 204)):
        signature = sign_twilio_request(token, f"https://bijna.test{path}", form)
        response = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
        assert response.status_code == ok, (path, form, response.data[:300])
        if ok == 200:
            assert response.data.startswith(b"<?xml") and b"<Response" in response.data


PAGE_FORMS = st.fixed_dictionaries({}, optional={"rating": st.one_of(TEXT, st.sampled_from(["1", "5", "0", "٣"])),
                                                 "comment": TEXT, "note": TEXT, "slot_id": TEXT,
                                                 "pickup_point_id": TEXT})


@FUZZ
@given(form=PAGE_FORMS, action=st.sampled_from(["feedback", "neighbour", "slots", "pickup-points", "problem"]))
def test_tracking_page_forms_never_answer_500(client, delivered_token, form, action):
    response = client.post(f"/t/{delivered_token}/{action}", data=form)
    assert response.status_code < 500 or response.status_code == 503, (action, form, response.status_code)


@pytest.fixture
def delivered_token(db, make_shipment) -> str:
    """The tracking token of a delivered parcel (its forms are all open or politely closed)."""
    from app.models import Shipment

    row = db.session.get(Shipment, make_shipment()["id"])
    row.status = "delivered"
    db.session.commit()
    return row.tracking_token
