"""Accounts, one-time tokens and the login-attempt log used for throttling."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from netapp import cache, person_hooks
from netapp.blueprints.registry.models import Person
from netapp.extensions import db
from netapp.timeutil import utcnow


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    password_hash: Mapped[str | None] = mapped_column(String(255))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), unique=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the session identity: rotated on logout and password change, so an old cookie dies.
    session_token: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The day only, never the time: a time of login could be lined up with anonymous answers.
    last_login_on: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person | None] = relationship()

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.is_enabled

    @property
    def display_name(self) -> str:
        return self.person.full_name if self.person else self.email

    def __repr__(self) -> str:
        return f"<User {self.email}>"


@cache.bookkeeping
class OneTimeToken(db.Model):
    """A single-use secret sent by e-mail; only its hash is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<OneTimeToken {self.purpose} user={self.user_id}>"


@person_hooks.personal_data
@cache.bookkeeping
class LoginAttempt(db.Model):
    """Failed logins, counted per (account, address) pair, per account and per address, across all
    workers (throttling in auth/services.py)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    ip_address: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<LoginAttempt {self.email} {self.ip_address}>"
