"""The tables: the database is the source of truth, Redis only carries work."""

from app.models.carrier import Carrier, StatusEvent
from app.models.conversation import Conversation, Feedback, OptOut
from app.models.eta import EtaCalibration, EtaObservation, EtaRouteDay, FirstEtaWait
from app.models.kpi import KpiDay, KpiParcel
from app.models.ladder import CompensationCode, LadderSettings, LadderStep
from app.models.message import Message
from app.models.rebooking import RebookingCommand, ShopWebhook
from app.models.security import ApiCredential, AssignedSender
from app.models.shipment import Shipment
from app.models.shop import Shop, ShopTemplate
from app.models.staff import StaffUser
from app.models.ticket import Note, Ticket

__all__ = [
    "ApiCredential",
    "AssignedSender",
    "Carrier",
    "CompensationCode",
    "Conversation",
    "EtaCalibration",
    "EtaObservation",
    "EtaRouteDay",
    "FirstEtaWait",
    "Feedback",
    "KpiDay",
    "KpiParcel",
    "LadderSettings",
    "LadderStep",
    "Message",
    "Note",
    "OptOut",
    "RebookingCommand",
    "Shipment",
    "Shop",
    "ShopTemplate",
    "ShopWebhook",
    "StaffUser",
    "StatusEvent",
    "Ticket",
]
