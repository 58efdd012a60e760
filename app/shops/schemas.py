"""Shop settings as the shop API shows and changes them."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

from marshmallow import Schema, ValidationError, fields, validate, validates
from phonenumbers import SUPPORTED_REGIONS

from app.notify.statuses import CANONICAL
from app.schemas import Moment, StrictSchema
from app.shipments.schemas import LANGUAGES

_CLOCK = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="Use HH:MM, 24-hour.")
_COLOUR = validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="Use a colour like #0b6e4f.")
_HTTPS = validate.URL(schemes={"https", "http"}, require_tld=False)
_HTTPS_ONLY = validate.URL(schemes={"https"}, error="Use an https:// URL.")


class Branding(StrictSchema):
    """The tracking page's look: the logo (https, loaded with no referrer) and two colours."""

    logo_url = fields.String(validate=_HTTPS_ONLY, allow_none=True)
    primary_color = fields.String(validate=_COLOUR)
    accent_color = fields.String(validate=_COLOUR)
    tone = fields.String(validate=validate.OneOf(("warm", "neutral", "playful")))


class FaqItem(StrictSchema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=200))
    a = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class CrossSell(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=80))
    text = fields.String(validate=validate.Length(max=300))
    url = fields.String(validate=_HTTPS_ONLY, allow_none=True)
    image_url = fields.String(validate=_HTTPS_ONLY, allow_none=True)


class Extras(StrictSchema):
    """What the tracking page shows besides the parcel: only https links (the page loads nothing else)."""

    returns_url = fields.String(validate=_HTTPS_ONLY, allow_none=True)
    invoice_url = fields.String(validate=_HTTPS_ONLY, allow_none=True)
    faq = fields.List(fields.Nested(FaqItem), validate=validate.Length(max=10))
    cross_sell = fields.Nested(CrossSell, allow_none=True, metadata={
        "description": "Shown on the tracking page only while the parcel is on its way."})


class ShopPatch(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    country = fields.String(metadata={"description": "ISO 3166 two-letter code, e.g. NL."})
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    timezone = fields.String()
    sender = fields.String(allow_none=True, metadata={
        "description": "An E.164 number (two-way: recipients can reply) or an alphanumeric "
                       "sender ID of up to 11 characters (one-way: no reply options)."})
    branding = fields.Nested(Branding)
    extras = fields.Nested(Extras)
    lead_minutes = fields.Integer(validate=validate.Range(min=5, max=60))
    quiet_start = fields.String(validate=_CLOCK)
    quiet_end = fields.String(validate=_CLOCK)
    daily_cap = fields.Integer(validate=validate.Range(min=1, max=20))
    status_texts = fields.List(fields.String(validate=validate.OneOf(CANONICAL)))
    webhook_url = fields.String(validate=_HTTPS, allow_none=True)

    @validates("country")
    def _country(self, value: str, **kwargs):
        # Checked as it will be stored: "ßx".upper() is "SSX", which no varchar(2) holds.
        if not re.fullmatch(r"[A-Z]{2}", value.upper()) or value.upper() not in SUPPORTED_REGIONS:
            raise ValidationError("Use a two-letter country code such as NL.")

    @validates("timezone")
    def _timezone(self, value: str, **kwargs):
        if value not in available_timezones():
            raise ValidationError("Not an IANA time zone such as Europe/Amsterdam.")

    @validates("sender")
    def _sender(self, value: str | None, **kwargs):
        if value is None:
            return
        if not (re.fullmatch(r"\+[1-9]\d{6,14}", value) or re.fullmatch(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}", value)):
            raise ValidationError("Use an E.164 number or an alphanumeric sender ID of at most 11 characters.")


class KeyRotation(StrictSchema):
    grace_seconds = fields.Integer(load_default=0, validate=validate.Range(min=0, max=7 * 24 * 3600), metadata={
        "description": "How long the current key keeps working (0: it stops now). At most 7 days."})
    expires_at = Moment(load_default=None, allow_none=True, metadata={
        "description": "When the new key stops working (none: it works until rotated)."})


class KeyRotated(Schema):
    api_key = fields.String(metadata={"description": "The new key. Shown once: store it now."})
    expires_at = fields.AwareDateTime(allow_none=True)
    previous_key_valid_until = fields.AwareDateTime(allow_none=True)


class ShopOut(Schema):
    id = fields.String()
    name = fields.String()
    country = fields.String()
    language = fields.String()
    timezone = fields.String()
    sender = fields.String(allow_none=True)
    two_way = fields.Boolean(metadata={"description": "False when the sender cannot receive replies."})
    branding = fields.Dict()
    extras = fields.Dict()
    lead_minutes = fields.Integer()
    quiet_start = fields.String()
    quiet_end = fields.String()
    daily_cap = fields.Integer()
    status_texts = fields.List(fields.String())
    webhook_url = fields.String(allow_none=True)
