"""Passwords, one-time tokens, throttling and account creation. Functions flush, never commit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from netapp.blueprints.auth.models import LoginAttempt, OneTimeToken, User
from netapp.extensions import db
from netapp.mail import absolute_url, enqueue_template
from netapp.timeutil import utcnow

SET_PASSWORD = "set_password"
RESET_PASSWORD = "reset_password"


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST"], parallelism=cfg["ARGON2_PARALLELISM"]
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


# Verifying against this keeps the time of a login for an unknown address like a known one.
_DUMMY_HASH: dict[str, str] = {}


def verify_password(user: User | None, password: str) -> bool:
    hasher = _hasher()
    if user is None or not user.password_hash:
        key = str(hasher.memory_cost)
        if key not in _DUMMY_HASH:
            _DUMMY_HASH[key] = hasher.hash("not a password")
        try:
            hasher.verify(_DUMMY_HASH[key], password)
        except VerificationError:
            pass
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def new_session_token() -> str:
    return secrets.token_hex(16)


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()  # every other session of this account ends


def create_user(email: str, *, person=None, is_admin: bool = False, password: str | None = None) -> User:
    user = User(
        email=email.strip().lower(),
        person=person,
        is_admin=is_admin,
        session_token=new_session_token(),
        password_hash=hash_password(password) if password else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))


# ---------------------------------------------------------------- one-time tokens

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, purpose: str, ttl: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(OneTimeToken(user=user, purpose=purpose, token_hash=hash_token(token), expires_at=utcnow() + ttl))
    db.session.flush()
    return token


def peek_token(token: str, purpose: str) -> OneTimeToken | None:
    """The valid, unused token, without using it (for showing the form)."""
    row = db.session.scalar(
        select(OneTimeToken).where(OneTimeToken.token_hash == hash_token(token), OneTimeToken.purpose == purpose)
    )
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return None
    return row


def consume_token(token: str, purpose: str) -> User | None:
    """Use a token once: one conditional UPDATE, so two concurrent requests cannot both succeed."""
    now = utcnow()
    token_hash = hash_token(token)
    used = db.session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.token_hash == token_hash,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_(None),
            OneTimeToken.expires_at >= now,
        )
        .values(used_at=now)
    ).rowcount
    if not used:
        return None
    row = db.session.scalar(select(OneTimeToken).where(OneTimeToken.token_hash == token_hash))
    return row.user


def _send_password_mail(user: User, purpose: str, ttl: timedelta, subject: str, template: str) -> None:
    token = issue_token(user, purpose, ttl)
    link = absolute_url("auth.set_password", token=token)
    with force_locale(user.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        enqueue_template(user.email, _(subject), template, user=user, link=link, hours=int(ttl.total_seconds() // 3600))


def send_set_password_mail(user: User) -> None:
    """Welcome mail with a link to choose a password (account created or registration approved)."""
    ttl = timedelta(hours=current_app.config["TOKEN_TTL_HOURS_SET_PASSWORD"])
    _send_password_mail(user, SET_PASSWORD, ttl, "Velkommen til netapp: velg passord", "auth/emails/set_password")


def send_reset_mail(user: User) -> None:
    ttl = timedelta(hours=current_app.config["TOKEN_TTL_HOURS_RESET"])
    _send_password_mail(user, RESET_PASSWORD, ttl, "Nytt passord til netapp", "auth/emails/reset_password")


# ---------------------------------------------------------------- throttling

def is_throttled(email: str, ip_address: str) -> bool:
    cfg = current_app.config
    since = utcnow() - timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    email = (email or "").strip().lower()
    by_email, by_ip = db.session.execute(
        select(
            func.count().filter(LoginAttempt.email == email),
            func.count().filter(LoginAttempt.ip_address == ip_address),
        ).where(LoginAttempt.created_at >= since)
    ).one()
    return by_email >= cfg["LOGIN_MAX_FAILURES_PER_EMAIL"] or by_ip >= cfg["LOGIN_MAX_FAILURES_PER_IP"]


def record_failure(email: str, ip_address: str) -> None:
    db.session.add(LoginAttempt(email=(email or "").strip().lower()[:254], ip_address=ip_address[:64]))
    db.session.flush()


def clear_failures(email: str) -> None:
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == (email or "").strip().lower()))


def prune_attempts() -> int:
    """Old attempts carry no weight; the scheduler removes them."""
    since = utcnow() - timedelta(days=1)
    return db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < since)).rowcount
