"""The console's pages: log in and out, find a parcel, the shop's open problems."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from app.clock import now as clock_now
from app.console import accounts, login_limits
from app.console.auth import csrf, end_session, staff_required, start_session
from app.console.forms import LoginForm
from app.console.problems import open_problems
from app.console.search import find_parcels
from app.extensions import redis_connection
from app.tracking.headers import add_page_headers

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates", static_folder="static")


def guard(blueprint: Blueprint) -> None:
    """Give a console blueprint its CSRF check, page headers and HTML error pages."""
    blueprint.before_request(_check_csrf)
    blueprint.after_request(add_page_headers)
    blueprint.register_error_handler(CSRFError, _csrf_refused)
    blueprint.register_error_handler(404, _not_found)
    blueprint.register_error_handler(403, _forbidden)


def _check_csrf():
    # Every state-changing request of the console carries the session's CSRF token (400 otherwise).
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def _csrf_refused(error):
    return render_template("console/error.html", message="The form expired or was not sent from the console. "
                           "Go back, reload the page and try again."), 400


def _not_found(error):
    return render_template("console/error.html", message="Not found."), 404


def _forbidden(error):
    return render_template("console/error.html", message="Only the shop's admins can do that."), 403


guard(bp)


@bp.app_template_filter("console_time")
def console_time(moment, fmt: str = "%a %d %b %H:%M") -> str:
    """Format a UTC time in the logged-in shop's time zone."""
    from zoneinfo import ZoneInfo

    if moment is None:
        return ""
    zone = ZoneInfo(getattr(current_user, "shop_timezone", None) or "UTC")
    return moment.astimezone(zone).strftime(fmt)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log a staff member in (rate-limited per account and per address)."""
    form = LoginForm()
    if request.method == "GET":
        return render_template("console/login.html", form=form, expired=request.args.get("expired"))
    redis, ip = redis_connection(), request.remote_addr or "unknown"
    if login_limits.ip_blocked(redis, ip):
        return render_template("console/login.html", form=form, error="Too many attempts from this "
                               "network. Wait 15 minutes and try again."), 429
    outcome = accounts.check_login(form.email.data or "", form.password.data or "", clock_now())
    if outcome.locked:
        return render_template("console/login.html", form=form, error="Too many wrong passwords for this "
                               "account. Wait 15 minutes and try again."), 429
    if outcome.user is None:
        login_limits.count_failure(redis, ip)
        return render_template("console/login.html", form=form, error="Wrong email or password."), 401
    start_session(outcome.user, clock_now())
    current_app.logger.info("console login by staff %s", outcome.user.id)
    target = request.args.get("next", "")
    # Only our own console paths: a crafted ?next= must not send a fresh session elsewhere.
    return redirect(target if target.startswith("/console/") and "//" not in target else url_for(".home"))


@bp.post("/logout")
@staff_required
def logout():
    """Log out here and end every other session of this account."""
    user = accounts.shop_staff_user(current_user.shop_id, current_user.id)
    if user is not None:
        accounts.end_sessions(user)
    end_session()
    return redirect(url_for(".login"))


@bp.get("")
@staff_required
def home():
    """Show the search box and the shop's open problems."""
    return render_template("console/home.html", problems=open_problems(current_user.shop_id, clock_now()),
                           now=clock_now())


@bp.get("/search")
@staff_required
def search():
    """Find parcels by order, tracking number, name or phone; go straight to a single match."""
    query = request.args.get("q", "")
    parcels = find_parcels(current_user.shop_id, current_user.shop_country, query)
    if len(parcels) == 1:
        return redirect(url_for("console_parcels.story", shipment_id=parcels[0].id))
    if query and not parcels:
        flash("No parcel of yours matches that.")
    return render_template("console/results.html", query=query, parcels=parcels)

