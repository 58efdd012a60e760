"""Console sessions: Flask-Login for who is logged in, Flask-WTF for CSRF, expiry on the app's clock.

Flask's session is a signed cookie, so a session is ended server-side by bumping the user's
session_version (the version travels in the Flask-Login id). Sessions expire after SESSION_HOURS
in all and after IDLE_MINUTES without a request, both judged by app.clock (tests move it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from flask import Flask, abort, g, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect

from app.clock import now as clock_now
from app.extensions import db
from app.models import Shop, StaffUser

SESSION_HOURS = 8
IDLE_MINUTES = 60

login_manager = LoginManager()
csrf = CSRFProtect()


@dataclass
class ConsoleUser(UserMixin):
    """The logged-in staff member as the views see it: enough to filter every query by shop."""

    id: str
    shop_id: str
    email: str
    role: str
    session_version: int
    shop_name: str
    shop_timezone: str
    shop_country: str

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def init_app(app: Flask) -> None:
    """Bind Flask-Login and CSRF; set safe session cookies (Secure outside development and tests)."""
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS))
    if app.config.get("ENV") not in ("development", "test"):
        app.config["SESSION_COOKIE_SECURE"] = True
    # Only the console's forms are checked (in its blueprint): the JSON APIs and webhooks use other auth.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    # The token lives as long as the session; its own wall-clock limit would not follow the app's clock.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    login_manager.init_app(app)
    login_manager.login_view = "console.login"
    login_manager.session_protection = "basic"
    csrf.init_app(app)

    @app.before_request
    def _forget_cached_user() -> None:
        # Flask-Login caches the user, and Flask-WTF the CSRF token, on `g`, which lives as long as the app
        # context: where one context serves several requests (tests), neither may carry over to the next.
        g.pop("_login_user", None)
        g.pop(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


@login_manager.user_loader
def load_user(user_id: str) -> ConsoleUser | None:
    """Load the session's user, unless the account is gone or its sessions were ended since."""
    staff_id, _, version = user_id.partition(":")
    row = db.session.execute(db.select(StaffUser, Shop).join(Shop, Shop.id == StaffUser.shop_id)
                             .where(StaffUser.id == staff_id)).first()
    if row is None or str(row.StaffUser.session_version) != version or not row.Shop.active:
        return None
    return console_user(row.StaffUser, row.Shop)


def console_user(user: StaffUser, shop: Shop) -> ConsoleUser:
    return ConsoleUser(user.id, user.shop_id, user.email, user.role, user.session_version, shop.name,
                       shop.timezone, shop.country)


def start_session(user: StaffUser, now: datetime) -> None:
    """Log a checked user in: a fresh session (no fixation), stamped for expiry."""
    session.clear()
    session.permanent = True
    login_user(console_user(user, db.session.get(Shop, user.shop_id)))
    session["started_at"] = session["seen_at"] = now.isoformat()


def end_session() -> None:
    logout_user()
    session.clear()


def session_expired(now: datetime) -> bool:
    """Whether the session is past its lifetime or idle too long; otherwise mark it seen now."""
    try:
        started = datetime.fromisoformat(session["started_at"])
        seen = datetime.fromisoformat(session["seen_at"])
    except (KeyError, ValueError):
        return True
    if now - started > timedelta(hours=SESSION_HOURS) or now - seen > timedelta(minutes=IDLE_MINUTES):
        return True
    session["seen_at"] = now.isoformat()
    return False


def staff_required(view):
    """Require a live console session; otherwise send the browser to the login page."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("console.login", next=request.path))
        if session_expired(clock_now()):
            end_session()
            return redirect(url_for("console.login", expired=1))
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    """Require an admin of the shop (403 for agents)."""

    @staff_required
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
