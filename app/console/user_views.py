"""The shop's admins manage their desk's logins in the console."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.clock import now as clock_now
from app.console import accounts
from app.console.auth import admin_required
from app.console.forms import NewUserForm
from app.console.views import guard

bp = Blueprint("console_users", __name__, url_prefix="/console")
guard(bp)


@bp.get("/users")
@admin_required
def users():
    """List the shop's logins and offer to add one."""
    return render_template("console/users.html", users=accounts.shop_staff(current_user.shop_id),
                           form=NewUserForm())


@bp.post("/users")
@admin_required
def add_user():
    """Create a login for the shop's desk."""
    form = NewUserForm()
    if form.validate():
        try:
            accounts.create_staff_user(current_user.shop_id, form.email.data, form.password.data,
                                       form.role.data, clock_now())
            flash(f"Login created for {accounts.normalise_email(form.email.data)}.")
            return redirect(url_for(".users"))
        except accounts.AccountError as error:
            form[error.field].errors = [str(error)]
    return render_template("console/users.html", users=accounts.shop_staff(current_user.shop_id), form=form), 422


@bp.post("/users/<user_id>/delete")
@admin_required
def delete_user(user_id: str):
    """Delete a login of the shop (never the last admin)."""
    user = accounts.shop_staff_user(current_user.shop_id, user_id)
    if user is None:
        abort(404)
    if user.role == "admin" and accounts.admins_left(current_user.shop_id) <= 1:
        flash("Keep at least one admin.", "error")
        return redirect(url_for(".users"))
    accounts.delete_staff_user(user)
    return redirect(url_for(".users"))
