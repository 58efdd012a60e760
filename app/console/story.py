"""One parcel's whole story, gathered for the console page: every fact Bijna has about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.console.tickets import parcel_tickets
from app.eta.smoothing import texts_eta_of
from app.extensions import db
from app.ingestion.eta_learning import carrier_calibration
from app.models import EtaObservation, Feedback, Message, Note, RebookingCommand, Shipment, StatusEvent, Ticket


@dataclass
class Story:
    shipment: Shipment
    events: list[StatusEvent] = field(default_factory=list)
    etas: list[EtaObservation] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)  # in and out, oldest first: the thread
    rebookings: list[RebookingCommand] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    feedback: Feedback | None = None
    opted_out: bool = False
    # The ETA the recipient's texts go by: the carrier's, or its pushes smoothed (app/eta/smoothing.py).
    texts_eta: datetime | None = None


def parcel_story(shipment: Shipment) -> Story:
    """Gather everything about one parcel (a handful of indexed queries)."""
    from app.models import OptOut

    def rows(query):
        return list(db.session.execute(query).scalars())

    return Story(
        shipment=shipment,
        events=rows(select(StatusEvent).where(StatusEvent.shipment_id == shipment.id)
                    .order_by(StatusEvent.occurred_at, StatusEvent.id)),
        etas=rows(select(EtaObservation).where(EtaObservation.shipment_id == shipment.id)
                  .order_by(EtaObservation.observed_at)),
        messages=rows(select(Message).where(Message.shipment_id == shipment.id)
                      .order_by(Message.created_at, Message.direction, Message.id)),  # a reply before its answer
        rebookings=rows(select(RebookingCommand).where(RebookingCommand.shipment_id == shipment.id)
                        .order_by(RebookingCommand.created_at)),
        tickets=parcel_tickets(shipment.id),
        notes=rows(select(Note).where(Note.shipment_id == shipment.id).order_by(Note.created_at.desc())),
        feedback=db.session.get(Feedback, shipment.id),
        opted_out=db.session.get(OptOut, shipment.recipient_phone) is not None,
        texts_eta=texts_eta_of(shipment, carrier_calibration(shipment.carrier_id)) if shipment.eta else None,
    )
