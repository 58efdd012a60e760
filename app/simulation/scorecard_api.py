"""Shop API v1: the shop's own live scorecard of promises kept, over its parcels delivered in a period."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, g
from marshmallow import Schema, ValidationError, fields, validates_schema

from app.auth import shop_required
from app.schemas import Moment, StrictSchema, load_query
from app.simulation.live import live_scorecard

bp = Blueprint("shop_eta_scorecard", __name__, url_prefix="/api/v1/shop")
bp.before_request(shop_required(lambda: None))

MAX_PERIOD = timedelta(days=31)


class EtaScorecardQuery(StrictSchema):
    start = Moment(required=True, data_key="from", metadata={"description": "Delivered at or after this moment."})
    end = Moment(required=True, data_key="to", metadata={"description": "Delivered before this moment."})

    @validates_schema
    def _period(self, data, **kwargs):
        if data["end"] <= data["start"] or data["end"] - data["start"] > MAX_PERIOD:
            raise ValidationError("'to' must come after 'from', at most 31 days later.", "to")


def _share(description: str) -> fields.Float:
    return fields.Float(allow_none=True, metadata={"description": description})


class EtaScorecardOut(Schema):
    start = fields.AwareDateTime(data_key="from")
    end = fields.AwareDateTime(data_key="to")
    truncated = fields.Boolean(metadata={"description": "True when the period held more parcels than one "
                                                        "answer covers (the earliest are counted)."})
    stops = fields.Integer(metadata={"description": "Parcels delivered in the period."})
    delivered = fields.Integer()
    last_window_n = fields.Integer(metadata={"description": "Parcels told a window by text before arrival."})
    last_window_held = _share("Share whose last window told by text held the arrival (0-1).")
    morning_window_held = _share("Share whose first window told held the arrival (0-1).")
    morning_width_median = _share("Minutes.")
    morning_width_p90 = _share("Minutes.")
    last_width_median = _share("Minutes.")
    last_width_p90 = _share("Minutes.")
    delay_texts = fields.Integer()
    false_delay_texts = fields.Integer(metadata={"description": "Delay texts to parcels that came inside the "
                                                                "window they had been told."})
    false_delays_per_100 = _share("False delay texts per 100 delivered parcels.")
    late_stops = fields.Integer(metadata={"description": "Parcels that came after a window they had been told."})
    late_warned = fields.Integer(metadata={"description": "Of those, told a new window before the old one ended."})
    soon_n = fields.Integer()
    soon_median = _share("Minutes between the arriving-soon text and the arrival.")
    soon_p95 = _share("Minutes.")
    soon_min = _share("Minutes.")
    soon_far_n = fields.Integer()
    soon_in_target = _share("Share warned 10-20 minutes ahead, of parcels over 15 minutes away at the first ETA.")
    about_n = fields.Integer()
    about_within = _share("Share whose 'about N minutes' was within 3 minutes of the real wait.")
    about_median_error = _share("Median of said minus real minutes.")


@bp.get("/eta-scorecard")
def eta_scorecard():
    """Show how well the texts' promises held for the shop's parcels delivered in a period."""
    period = load_query(EtaScorecardQuery())
    return EtaScorecardOut().dump(live_scorecard(g.shop, period["start"], period["end"]))
