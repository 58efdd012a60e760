"""Staff accounts: create, list, delete, and check a password with a per-account lock.

Passwords are hashed with scrypt (Werkzeug's default). Per-IP limits live in login_limits.py (Redis);
the per-account lock lives in the row so it survives a Redis restart and is judged on the app's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import StaffUser
from app.models.staff import ROLES

MIN_PASSWORD = 12
MAX_FAILURES = 5  # wrong passwords in a row before the account locks
LOCK_FOR = timedelta(minutes=15)
# Checked against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password-only-for-timing", method="scrypt")


class AccountError(ValueError):
    """The account cannot be created as asked; the message says why (shown to the admin)."""

    def __init__(self, message: str, field: str = "email"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class LoginOutcome:
    user: StaffUser | None
    locked: bool = False


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def create_staff_user(shop_id: str, email: str, password: str, role: str, now: datetime) -> StaffUser:
    """Create a login for one shop's staff and commit it; raise AccountError on bad input."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254 or " " in email:
        raise AccountError("Not an email address.")
    if role not in ROLES:
        raise AccountError(f"Role must be one of {', '.join(ROLES)}.", "role")
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"The password needs at least {MIN_PASSWORD} characters.", "password")
    if db.session.execute(select(StaffUser.id).where(StaffUser.email == email)).first():
        raise AccountError("That email address already has a login.")
    user = StaffUser(shop_id=shop_id, email=email, role=role, created_at=now,
                     password_hash=generate_password_hash(password, method="scrypt"))
    db.session.add(user)
    db.session.commit()
    return user


def shop_staff(shop_id: str) -> list[StaffUser]:
    """Return the shop's logins, by email."""
    return list(db.session.execute(
        select(StaffUser).where(StaffUser.shop_id == shop_id).order_by(StaffUser.email)).scalars())


def shop_staff_user(shop_id: str, user_id: str) -> StaffUser | None:
    """Return one of the shop's logins, or None for an unknown id or another shop's."""
    return db.session.execute(
        select(StaffUser).where(StaffUser.id == user_id, StaffUser.shop_id == shop_id)).scalar()


def delete_staff_user(user: StaffUser) -> None:
    """Delete a login (its notes keep the author's email); its sessions stop working at once."""
    db.session.delete(user)
    db.session.commit()


def admins_left(shop_id: str) -> int:
    return db.session.execute(select(func.count()).select_from(StaffUser).where(
        StaffUser.shop_id == shop_id, StaffUser.role == "admin")).scalar_one()


def check_login(email: str, password: str, now: datetime) -> LoginOutcome:
    """Check a password; count failures per account and lock it for a while after too many. Commits."""
    user = db.session.execute(select(StaffUser).where(StaffUser.email == normalise_email(email))).scalar()
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return LoginOutcome(None)
    if user.locked_until is not None and now < user.locked_until:
        return LoginOutcome(None, locked=True)
    if not check_password_hash(user.password_hash, password or ""):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until, user.failed_logins = now + LOCK_FOR, 0
        db.session.commit()
        return LoginOutcome(None, locked=user.locked_until is not None and now < user.locked_until)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    db.session.commit()
    return LoginOutcome(user)


def end_sessions(user: StaffUser) -> None:
    """Make every session of this user invalid (logout everywhere; cookies are client-side)."""
    user.session_version += 1
    db.session.commit()
