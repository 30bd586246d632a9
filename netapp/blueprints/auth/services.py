"""Passwords, one-time tokens, throttling and account creation. Functions flush, never commit."""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, or_, select, update

from netapp.blueprints.auth.models import LoginAttempt, OneTimeToken, User
from netapp.blueprints.registry import services as registry
from netapp.blueprints.registry.models import MembershipRole, Network
from netapp.blueprints.registry.queries import person_by_email
from netapp.extensions import db
from netapp.mail import absolute_url, enqueue_template
from netapp.timeutil import utcnow
from netapp.validators import check_email

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


# ---------------------------------------------------------------- accounts with a role (`flask users create`)

ROLES = ("admin", "coordinator", "manager", "resource_person")
MIN_PASSWORD_LENGTH = 10


class AccountRefused(ValueError):
    """The account cannot be made; the message says why. `field` names the input at fault, if one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def create_account(email: str, role: str, password: str, *, network_slug: str | None = None,
                   first_name: str = "", last_name: str = "") -> User:
    """An account with a role: an administrator (with a person only when a name is given), or the
    registry's person with this address (made when missing) as coordinator or resource person of
    the network (the default network when none is named), or as a manager. Raises AccountRefused."""
    normalized = check_email(email)
    if normalized is None:
        raise AccountRefused("ikke en gyldig e-postadresse", field="email")
    if role not in ROLES:
        raise AccountRefused(f"ukjent rolle: {role}", field="role")
    if find_user(normalized):
        raise AccountRefused(f"{normalized} har allerede en konto.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountRefused(f"Passordet må ha minst {MIN_PASSWORD_LENGTH} tegn.")
    network = None
    if role in ("coordinator", "resource_person"):
        query = select(Network).where(Network.slug == network_slug) if network_slug else select(Network).where(Network.is_default.is_(True))
        network = db.session.scalar(query)
        if network is None and network_slug:
            raise AccountRefused(f"Fant ikke nettverket «{network_slug}». Lag det først med "
                                 "«flask --app wsgi networks create», eller se dem som finnes med "
                                 "«flask --app wsgi networks list».", field="network")
        if network is None:
            raise AccountRefused("Ingen nettverk er standardnettverket. Oppgi --network, eller lag et nettverk "
                                 "med «flask --app wsgi networks create --default».", field="network")
    person = None
    if role != "admin" or first_name:
        person = person_by_email(normalized)
        if person is None:
            person = registry.create_person(registry.PersonData(
                first_name=first_name or normalized.split("@")[0], last_name=last_name, email=normalized))
        if role == "coordinator":
            registry.add_membership(person, network, MembershipRole.COORDINATOR)
        elif role == "resource_person":
            registry.add_membership(person, network, MembershipRole.RESOURCE_PERSON)
        elif role == "manager":
            person.is_manager = True
    return create_user(normalized, person=person, is_admin=(role == "admin"), password=password)


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
#
# Failed logins are counted per (account, address) pair, and only a pair that has been failing is
# made to wait, so an attacker slows down no one but themselves: the right password always works
# from an address that has not been failing on the account. The pair's first `free` failures cost
# nothing; after that each attempt waits 1, 2, 4 ... seconds after the pair's last failure, up to
# LOGIN_MAX_DELAY_SECONDS. While the account (from any address) or the address (on any account)
# fails often, every pair gets one free failure instead: a ceiling that slows, never shuts out.
# Nothing sleeps in the request; the view refuses with 429 and the seconds left.


def _normal_email(email: str | None) -> str:
    return (email or "").strip().lower()[:254]


def _normal_address(ip_address: str | None) -> str:
    return (ip_address or "unknown")[:64]


def login_wait(email: str, ip_address: str, now: datetime | None = None) -> int:
    """Seconds this (account, address) pair must still wait before its next attempt; 0: try now."""
    cfg = current_app.config
    now = now or utcnow()
    email, ip_address = _normal_email(email), _normal_address(ip_address)
    pair = and_(LoginAttempt.email == email, LoginAttempt.ip_address == ip_address)
    failures, last, by_account, by_address = db.session.execute(
        select(
            func.count().filter(pair),
            func.max(LoginAttempt.created_at).filter(pair),
            func.count().filter(LoginAttempt.email == email),
            func.count().filter(LoginAttempt.ip_address == ip_address),
        ).where(
            LoginAttempt.created_at >= now - timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"]),
            or_(LoginAttempt.email == email, LoginAttempt.ip_address == ip_address),
        )
    ).one()
    under_attack = by_account >= cfg["LOGIN_ACCOUNT_FAILURES"] or by_address >= cfg["LOGIN_ADDRESS_FAILURES"]
    free = 1 if under_attack else cfg["LOGIN_FREE_FAILURES"]
    if failures < free or last is None:
        return 0
    ceiling = cfg["LOGIN_MAX_DELAY_SECONDS"]
    delay = min(2 ** min(failures - free, 62), ceiling)
    left = (last + timedelta(seconds=delay) - now).total_seconds()
    return min(math.ceil(left), ceiling) if left > 0 else 0


def record_failure(email: str, ip_address: str, now: datetime | None = None) -> None:
    db.session.add(LoginAttempt(email=_normal_email(email), ip_address=_normal_address(ip_address),
                                created_at=now or utcnow()))
    db.session.flush()


def clear_failures(email: str, ip_address: str) -> None:
    """After a successful login: this pair's failures only, so the waits of an attacker failing on
    the same account from elsewhere are not reset."""
    db.session.execute(delete(LoginAttempt).where(
        LoginAttempt.email == _normal_email(email), LoginAttempt.ip_address == _normal_address(ip_address)))


def prune_attempts() -> int:
    """Old attempts carry no weight; the scheduler removes them."""
    since = utcnow() - timedelta(days=1)
    return db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < since)).rowcount
