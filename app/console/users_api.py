"""Shop API v1: the shop's console logins (POST/GET /api/v1/shop/users, DELETE /api/v1/shop/users/{id})."""

from __future__ import annotations

from flask import Blueprint, g
from marshmallow import Schema, fields, validate

from app.auth import shop_required
from app.clock import now as clock_now
from app.console import accounts
from app.errors import ApiError, not_found
from app.models.staff import ROLES
from app.schemas import StrictSchema, load_json

bp = Blueprint("shop_users", __name__, url_prefix="/api/v1/shop/users")
bp.before_request(shop_required(lambda: None))


class StaffUserCreate(StrictSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True,
                             validate=validate.Length(min=accounts.MIN_PASSWORD, max=200))
    role = fields.String(load_default="agent", validate=validate.OneOf(ROLES))


class StaffUserOut(Schema):
    id = fields.String()
    email = fields.String()
    role = fields.String()
    created_at = fields.DateTime()
    last_login_at = fields.DateTime(allow_none=True)


class StaffUserList(Schema):
    users = fields.List(fields.Nested(StaffUserOut))


DOCUMENTED = ["StaffUserCreate", "StaffUserOut", "StaffUserList"]
# (method, path, summary, request schema, response schema, status) for app/openapi.py
OPERATIONS = [
    ("post", "/api/v1/shop/users", "Create a console login for the shop's desk (role admin or agent)",
     "StaffUserCreate", "StaffUserOut", 201),
    ("get", "/api/v1/shop/users", "List the shop's console logins", None, "StaffUserList", 200),
    ("delete", "/api/v1/shop/users/{user_id}", "Delete a console login; its sessions end at once", None, None, 204),
]


@bp.post("")
def create():
    """Create a console login for the shop's desk (the password is never shown again)."""
    data = load_json(StaffUserCreate())
    try:
        user = accounts.create_staff_user(g.shop.id, data["email"], data["password"], data["role"], clock_now())
    except accounts.AccountError as error:
        raise ApiError(409 if error.field == "email" else 422, "conflict" if error.field == "email"
                       else "validation_failed", str(error), {error.field: [str(error)]}) from None
    return StaffUserOut().dump(user), 201


@bp.get("")
def index():
    """List the shop's console logins."""
    return {"users": StaffUserOut(many=True).dump(accounts.shop_staff(g.shop.id))}


@bp.delete("/<user_id>")
def delete(user_id: str):
    """Delete one of the shop's console logins; its sessions end at once."""
    user = accounts.shop_staff_user(g.shop.id, user_id)
    if user is None:
        raise not_found("user")
    accounts.delete_staff_user(user)
    return "", 204
