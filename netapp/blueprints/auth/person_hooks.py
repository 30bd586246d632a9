"""Auth's rows about a person: their account, its one-time tokens, and failed logins with their
address."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select

from netapp.blueprints.auth.models import LoginAttempt, OneTimeToken, User
from netapp.blueprints.auth.services import new_session_token
from netapp.extensions import db
from netapp.person_hooks import Section, Subject

TABLES = ("user", "one_time_token", "login_attempt")

ERASED_ACCOUNT_DOMAIN = "slettet.invalid"


def _account_of(person) -> User | None:
    return db.session.scalar(select(User).where(User.person_id == person.id))


def _account(subject: Subject) -> User | None:
    if subject.account is not None:
        return subject.account
    return _account_of(subject.person) if subject.person is not None else None


def addresses(subject: Subject) -> set[str]:
    account = _account(subject)
    return {account.email.lower()} if account is not None else set()


def merge(keep, duplicate) -> None:
    """The duplicate's account becomes the kept person's when they have none; otherwise the kept
    account takes its administrator right and the duplicate's is detached and disabled."""
    keep_user = _account_of(keep)
    dup_user = _account_of(duplicate)
    if dup_user is None:
        return
    if keep_user is None:
        dup_user.person_id = keep.id
    else:
        keep_user.is_admin = keep_user.is_admin or dup_user.is_admin
        dup_user.person_id = None
        dup_user.is_enabled = False


def erase(subject: Subject) -> None:
    """Failed-login records from the person's addresses and the account's one-time tokens are
    removed; the account is disabled, detached and stripped of its address, and its sessions end."""
    if subject.addresses:
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.email.in_(sorted(subject.addresses))),
                           execution_options={"synchronize_session": False})
    user = _account(subject)
    if user is None:
        return
    db.session.execute(delete(OneTimeToken).where(OneTimeToken.user_id == user.id),
                       execution_options={"synchronize_session": False})
    # Disabled and detached rather than deleted: rows elsewhere may still point at the account.
    user.email = f"slettet-{user.id}@{ERASED_ACCOUNT_DOMAIN}"
    user.password_hash = None
    user.person_id = None
    user.is_enabled = False
    user.is_admin = False
    user.language = None
    user.last_login_on = None
    user.session_token = new_session_token()


def download(subject: Subject) -> list[Section]:
    """The account itself, never its password hash, session token or tokens."""
    user = subject.account
    if user is None:
        return []
    return [Section(
        "account", _("Konto"), {
            "email": user.email, "language": user.language, "is_admin": user.is_admin,
            "created_at": user.created_at, "last_login_on": user.last_login_on,
        }, order=10,
        fields={"email": _("E-post"), "language": _("Språk"), "is_admin": _("Administrator"),
                "created_at": _("Opprettet"), "last_login_on": _("Sist innlogget")},
    )]
