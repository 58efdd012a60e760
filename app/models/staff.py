"""Staff accounts: the people of one shop's service desk who log in to the console."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now as clock_now
from app.extensions import db
from app.models.base import UTCDateTime, new_id

ROLES = ("admin", "agent")


class StaffUser(db.Model):
    """One login. Emails are unique across shops so a login needs no shop name; each user sees one shop."""

    __tablename__ = "staff_users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10), default="agent")  # "admin" | "agent"
    # Counted per account so guessing one password is slow whichever IPs try it; reset on success.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until = mapped_column(UTCDateTime, nullable=True)
    # Bumped on logout and password change: sessions carrying an older value stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at = mapped_column(UTCDateTime, default=clock_now)
    last_login_at = mapped_column(UTCDateTime, nullable=True)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
