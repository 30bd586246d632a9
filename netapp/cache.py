"""Rendered fragments of read-mostly pages (and a few values), kept in each worker and keyed by
the data's state.

The database holds one row, `data_state`, whose token is replaced by every transaction that
changes data: the unit of work (before_flush) and ORM-enabled UPDATE/DELETE/INSERT statements
(do_orm_execute) both renew it, in the same transaction as the change and before it. A page that
caches a fragment puts the token in the key, so the first request after any change, in any worker,
renders afresh, and a page never shows data older than the request's own read of the token.
The token is read with the account (one query per request either way), or by itself for
anonymous visitors.

Bookkeeping tables that no cached fragment shows (the outbox, the audit log, login attempts,
one-time tokens, import uploads, the token itself) do not renew it: the module that defines such
a model marks it with `@cache.bookkeeping`, so this module knows no domain. Every other table
renews it: a table someone forgets to mark costs a cache miss, never a stale page. With no token row (an emptied database) nothing
is cached. Fragments hold no per-user secrets: a CSRF token in one is a mark that fragment()
replaces with the request's own token, and flash messages stay in the layout, rendered on every
request. Content that depends on who looks (the navigation, a coordinator's networks) carries
that in its key.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from functools import cache

from flask import current_app, g, has_app_context, render_template
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import String, event, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from netapp.extensions import db
from netapp.timeutil import today_oslo

STATE_ID = 1
RENEWS_TOKEN = "renews_data_token"  # the key in a bookkeeping model's Table.info


def bookkeeping(model):
    """Class decorator: writes to this model's table leave the data token (and the cache) alone."""
    model.__table__.info[RENEWS_TOKEN] = False
    return model


def renews_token(table) -> bool:
    """Whether a write to this table renews the token (a statement without one, e.g. text(), does)."""
    info = getattr(table, "info", None)
    return info is None or info.get(RENEWS_TOKEN, True)


@bookkeeping
class DataState(db.Model):
    """One row: a token that changes with every transaction that changes data."""

    __tablename__ = "data_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


def renew_token(connection) -> None:
    """Put a new token in place (a write outside the session calls this in its transaction)."""
    token = secrets.token_hex(16)
    table = DataState.__table__
    if connection.execute(update(table).where(table.c.id == STATE_ID).values(token=token)).rowcount == 0:
        connection.execute(insert(table).values(id=STATE_ID, token=token))


def _changed_in_this_request() -> None:
    """After a change, this request reads and writes no cached value: what it renders belongs to
    a state whose token it has not read (and whose transaction may yet roll back)."""
    if has_app_context():
        g.data_changed = True


def _changes_data(objects) -> bool:
    return any(renews_token(type(obj).__table__) for obj in objects)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context, instances) -> None:
    """Renewed before the flush writes anything: every writing transaction takes the token row's
    lock before any other row's, so two transactions never wait on each other in a cycle."""
    if _changes_data(session.new) or _changes_data(session.deleted) or any(
        session.is_modified(obj) and renews_token(type(obj).__table__) for obj in session.dirty
    ):
        renew_token(session.connection())
        _changed_in_this_request()


@event.listens_for(Session, "do_orm_execute")
def _bulk_write(state) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if not renews_token(table):
        return
    renew_token(state.session.connection())
    _changed_in_this_request()


@cache
def _token_select():
    return select(DataState.token).where(DataState.id == STATE_ID)


def token_column():
    """The token as a scalar subquery, for the query that loads the account."""
    return _token_select().scalar_subquery().label("data_token")


def remember_token(token: str | None) -> None:
    g.data_token = token or ""


def data_token() -> str:
    """The data's state as this request read it ("" when there is none: nothing is cached)."""
    token = g.get("data_token")
    if token is None:
        try:
            token = db.session.scalar(_token_select()) or ""
        except SQLAlchemyError:  # e.g. an error page while the database is away: render, keep nothing
            db.session.rollback()
            token = ""
        g.data_token = token
    return token


class FragmentCache:
    """A small LRU of rendered fragments, per worker process."""

    def __init__(self, size: int = 512):
        self.size = size
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> object | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: object) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


fragments = FragmentCache()


# Stands in for the CSRF token while a fragment renders; each request puts its own token in.
CSRF_MARK = "\x00csrf-token\x00"


def csrf_token() -> str:
    """The template global csrf_token(): the mark inside a fragment, the real token elsewhere."""
    return CSRF_MARK if g.get("rendering_fragment") else generate_csrf()


def cached(name: str, key: tuple, compute: Callable[[], object]) -> object:
    """compute()'s value for `name` and `key` (what else it depends on: filters, the viewer's
    scope), computed again when the data changed since it was last kept. The language and the
    date are always part of the key."""
    if g.get("data_changed") or not current_app.config.get("FRAGMENT_CACHE", True):
        return compute()
    token = data_token()
    if not token:
        return compute()
    full_key = (name, token, str(get_locale()), today_oslo(), *key)
    value = fragments.get(full_key)
    if value is None:
        value = compute()
        fragments.put(full_key, value)
    return value


def _render_fragment(render: Callable[[], str]) -> Markup:
    g.rendering_fragment = True
    try:
        return Markup(render())
    finally:
        g.rendering_fragment = False


def fragment(name: str, key: tuple, render: Callable[[], str]) -> Markup:
    """Rendered content, kept as cached() keeps values; CSRF tokens in it are this request's."""
    value = cached(name, key, lambda: _render_fragment(render))
    if CSRF_MARK in value:
        value = Markup(value.replace(CSRF_MARK, generate_csrf()))
    return value


def cached_page(name: str, key: tuple, title: str, template: str, context: Callable[[], dict]) -> str:
    """A page whose content block is a cached fragment: `template` extends `layout`, which is
    base.html when rendered on its own and `_bare.html` (the content block only) here."""
    body = fragment(name, key, lambda: render_template(template, layout="_bare.html", **context()))
    return render_template("_fragment_page.html", page_title=title, body=body)


def time_slot(now: datetime, minutes: int = 5) -> datetime:
    """`now` rounded down: pages that compare with the clock (coming or past, deadline passed)
    are kept for at most this long."""
    return now.replace(minute=now.minute - now.minute % minutes, second=0, microsecond=0)
