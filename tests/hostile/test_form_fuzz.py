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
# NUL and friends are drawn often: they are what broke these forms before.
TEXT = st.text(st.one_of(st.sampled_from("\x00\r\n\t\u200d€٣👍🏽ß"), st.characters(exclude_categories=("Cs",))),
               max_size=300)
TWILIO_FIELDS = ("MessageSid", "AccountSid", "MessagingServiceSid", "From", "To", "Body", "NumMedia",
                 "OptOutType", "MessageStatus", "ErrorCode", "ErrorMessage", "SmsStatus")
VALUES = st.one_of(TEXT, st.sampled_from(["delivered", "undelivered", "STOP", "1", "21610", "+31612345678",
                                          "99999999999999999999"]))
# A real-looking message (a sid, numbers, a body, a status) with junk in any field, plus fields Twilio may add.
FORMS = st.builds(lambda base, extra: {**extra, **base},
                  st.fixed_dictionaries({"MessageSid": st.one_of(st.just("SM" + "3" * 32), TEXT),
                                         "From": st.one_of(st.sampled_from(["+31612345678", "+3161234\x005678"]), TEXT),
                                         "To": VALUES,
                                         "Body": TEXT, "MessageStatus": VALUES, "ErrorCode": VALUES}),
                  st.dictionaries(st.one_of(st.sampled_from(TWILIO_FIELDS), TEXT.filter(bool)), VALUES, max_size=4))
FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
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


RATINGS = st.one_of(st.sampled_from(["1", "2", "3", "4", "5"]), TEXT)
PAGE_FORMS = {
    "feedback": st.fixed_dictionaries({"rating": RATINGS, "comment": TEXT}),
    "neighbour": st.fixed_dictionaries({"note": TEXT}),
    "slots": st.fixed_dictionaries({"slot_id": TEXT}),
    "pickup-points": st.fixed_dictionaries({"pickup_point_id": TEXT}),
    "problem": st.dictionaries(st.one_of(st.sampled_from(["kind", "reason", "comment", "note"]), TEXT), TEXT,
                               max_size=4),
}


@pytest.mark.parametrize("action", PAGE_FORMS)
@FUZZ
@given(data=st.data())
def test_tracking_page_forms_never_answer_500(client, delivered_token, action, data):
    form = data.draw(PAGE_FORMS[action])
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
