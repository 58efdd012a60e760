"""Shop API v1: a shop's own wording per message kind and language, checked when saved.

A shop's template is untrusted code: it is checked and previewed only by the template
runner (helper processes, a hard deadline), never rendered in this web process.
"""

from __future__ import annotations

from flask import Blueprint, g
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import delete, select

from app.auth import shop_required
from app.errors import ApiError, not_found
from app.extensions import db
from app.models import ShopTemplate
from app.notify.templates import KINDS, LANGUAGES
from app.schemas import StrictSchema, load_json
from app.shops import template_runner

bp = Blueprint("shop_templates", __name__, url_prefix="/api/v1/shop/templates")
bp.before_request(shop_required(lambda: None))


class TemplateIn(StrictSchema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class TemplateOut(Schema):
    kind = fields.String()
    language = fields.String()
    body = fields.String()
    custom = fields.Boolean()
    preview = fields.String()
    encoding = fields.String()
    segments = fields.Integer()
    problems = fields.List(fields.String(), metadata={
        "description": "Why a saved template no longer renders (its texts then use Bijna's wording)."})


class TemplateList(Schema):
    items = fields.List(fields.Nested(TemplateOut))


def _check(kind: str, language: str) -> None:
    errors = {}
    if kind not in KINDS:
        errors["kind"] = [f"One of: {', '.join(KINDS)}."]
    if language not in LANGUAGES:
        errors["language"] = [f"One of: {', '.join(LANGUAGES)}."]
    if errors:
        raise ValidationError(errors)


def _run(job, *args):
    try:
        return job(*args)
    except template_runner.RunnerBusy:
        raise ApiError(503, "busy", "Templates are being checked for others; try again in a moment.",
                       headers={"Retry-After": "2"}) from None


def _present(kind: str, language: str, body: str | None, checked: dict | None = None) -> dict:
    if checked is None:
        # Bijna's own wording is trusted; a shop's is previewed out of process.
        checked = (template_runner.preview_template(None, kind, language) if body is None
                   else _run(template_runner.previews, [(body, kind, language)])[0])
    return {"kind": kind, "language": language, "body": body or "", "custom": body is not None,
            "preview": checked["preview"], "encoding": checked["encoding"], "segments": checked["segments"],
            "problems": checked.get("problems", [])}


def _saved(kind: str, language: str) -> ShopTemplate | None:
    return db.session.execute(select(ShopTemplate).where(
        ShopTemplate.shop_id == g.shop.id, ShopTemplate.kind == kind, ShopTemplate.language == language)).scalar()


@bp.get("")
def index():
    """List the shop's own templates with a preview each."""
    rows = list(db.session.execute(select(ShopTemplate).where(ShopTemplate.shop_id == g.shop.id)).scalars())
    checked = _run(template_runner.previews, [(t.body, t.kind, t.language) for t in rows])
    return TemplateList().dump({"items": [_present(t.kind, t.language, t.body, c) for t, c in zip(rows, checked)]})


@bp.get("/<kind>/<language>")
def show(kind: str, language: str):
    """Show the template in use for a kind and language (the shop's, else Bijna's) with a preview."""
    _check(kind, language)
    saved = _saved(kind, language)
    return TemplateOut().dump(_present(kind, language, saved.body if saved else None))


@bp.put("/<kind>/<language>")
def save(kind: str, language: str):
    """Save the shop's wording; a template that cannot render is refused now, not on delivery day."""
    _check(kind, language)
    body = load_json(TemplateIn())["body"]
    checked = _run(template_runner.check, body, kind, language)
    if checked["problems"]:
        raise ValidationError({"body": checked["problems"]})
    saved = _saved(kind, language) or ShopTemplate(shop_id=g.shop.id, kind=kind, language=language)
    saved.body = body
    db.session.add(saved)
    db.session.commit()
    return TemplateOut().dump(_present(kind, language, body, checked))


@bp.delete("/<kind>/<language>")
def remove(kind: str, language: str):
    """Go back to Bijna's wording for this kind and language."""
    _check(kind, language)
    if db.session.execute(delete(ShopTemplate).where(
            ShopTemplate.shop_id == g.shop.id, ShopTemplate.kind == kind,
            ShopTemplate.language == language)).rowcount == 0:
        raise not_found("template")
    db.session.commit()
    return "", 204


DOCUMENTED = ["TemplateIn", "TemplateOut", "TemplateList"]
