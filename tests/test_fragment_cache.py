"""Cached page content is never older than the data: every change shows on the very next request.

The registry list, a person's page, the coverage page and a network's public page keep their
content in each worker's fragment cache (netapp/cache.py), keyed by the data's state token.
These tests warm the cache first, then change data in each of the ways the code does, and look.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import event, select, update

from netapp.blueprints.registry.models import Network, Person
from netapp.cache import CSRF_MARK, DataState, data_token, fragments, renews_token
from netapp.extensions import db
from netapp.mail import enqueue
from tests import factories

REGISTRY = "/registry/"
PUBLIC_PAGE = "/n/barnepalliasjon-sor-rogaland"


def _token() -> str:
    db.session.expire_all()
    return db.session.scalar(select(DataState.token))


def _person(email: str) -> Person:
    db.session.expire_all()
    return db.session.scalar(select(Person).where(Person.email_normalized == email))


def test_a_person_added_shows_in_the_cached_list_at_once(client, demo, login):
    login("koordinator@demo.example")
    assert "Nyinnsatt" not in client.get(REGISTRY).get_data(as_text=True)
    assert "Nyinnsatt" not in client.get(REGISTRY).get_data(as_text=True)  # now from the cache
    network = db.session.scalar(select(Network).where(Network.slug == "barnepalliasjon-sor-rogaland"))
    factories.make_person(network, last_name="Nyinnsatt")
    db.session.commit()
    assert "Nyinnsatt" in client.get(REGISTRY).get_data(as_text=True)


def test_a_bulk_update_renews_the_token_and_the_pages(client, demo, login):
    login("koordinator@demo.example")
    person = _person("ressurs@demo.example")
    page = client.get(f"/registry/persons/{person.id}").get_data(as_text=True)
    assert "Omdøpt" not in page
    assert "Omdøpt" not in client.get(REGISTRY + "?q=ressurs@demo").get_data(as_text=True)
    before = _token()
    db.session.execute(update(Person).where(Person.id == person.id).values(last_name="Omdøpt"))
    db.session.commit()
    assert _token() != before
    assert "Omdøpt" in client.get(f"/registry/persons/{person.id}").get_data(as_text=True)
    assert "Omdøpt" in client.get(REGISTRY + "?q=ressurs@demo").get_data(as_text=True)


@contextmanager
def statements():
    """The SQL statements run inside the block: a page served from the cache runs only the
    account's query, one rendered afresh runs its own queries too."""
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def test_bookkeeping_writes_leave_the_cache_alone(app, client, demo, login):
    login("koordinator@demo.example")
    client.get(REGISTRY)
    with statements() as from_cache:
        page = client.get(REGISTRY).get_data(as_text=True)
    before = _token()
    enqueue("someone@test.example", "Emne", "Tekst")
    db.session.commit()
    assert _token() == before
    with statements() as after:
        assert client.get(REGISTRY).get_data(as_text=True) == page
    assert len(after) == len(from_cache)  # served from the cache, nothing rendered again


def test_only_the_bookkeeping_tables_leave_the_token_alone(app):
    """The outbox's tables, the audit log, login attempts, one-time tokens, import uploads and the
    token itself: no cached page shows them. Every other table renews the token."""
    tables = db.metadata.tables
    quiet = {name for name, table in tables.items() if not renews_token(table)}
    outbox = {name for name in tables if name.startswith("outbox_")}
    assert quiet == outbox | {"audit_event", "login_attempt", "one_time_token", "import_upload", "data_state"}
    assert "outbox_message" in outbox


def test_each_coordinator_sees_their_own_scope(client, app, demo, login):
    other_network = factories.make_network("annet-nettverk")
    factories.make_person(other_network, last_name="Utenforsen")
    factories.make_coordinator(other_network, email="annen@test.example")
    db.session.commit()
    login("koordinator@demo.example")
    assert "Utenforsen" not in client.get(REGISTRY).get_data(as_text=True)
    other = login("annen@test.example", c=app.test_client())
    theirs = other.get(REGISTRY).get_data(as_text=True)
    assert "Utenforsen" in theirs
    assert "Silje" not in theirs  # nothing of the first coordinator's networks
    admin = login("admin@demo.example", c=app.test_client())
    everything = admin.get(REGISTRY + "?status=all&q=utenfor").get_data(as_text=True)
    assert "Utenforsen" in everything


def test_forms_in_cached_content_carry_each_session_its_own_token(app, demo, login):
    person = _person("ressurs@demo.example")
    db.session.execute(update(Person).where(Person.id == person.id).values(status="left"))
    db.session.commit()
    tokens = []
    for _ in range(2):
        c = login("koordinator@demo.example", c=app.test_client())
        page = c.get(f"/registry/persons/{person.id}").get_data(as_text=True)
        assert CSRF_MARK not in page
        form = re.search(r'action="/registry/persons/\d+/reactivate".*?name="csrf_token" value="([^"]+)"', page, re.S)
        assert form, "the page of someone who left offers to make them active again"
        tokens.append(form.group(1))
    assert tokens[0] != tokens[1]


def test_language_is_part_of_the_key(app, demo):
    visitor = app.test_client()
    assert re.search(r"<h2[^>]*>Ressurspersoner</h2>", visitor.get(PUBLIC_PAGE).get_data(as_text=True))
    before = _token()
    visitor.post("/language", data={"language": "en", "next": PUBLIC_PAGE})  # a cookie; no data changes
    english = visitor.get(PUBLIC_PAGE).get_data(as_text=True)
    assert _token() == before
    assert re.search(r"<h2[^>]*>Resource persons</h2>", english)
    assert 'lang="en"' in english


def test_without_a_token_row_nothing_is_cached(app, client, demo, login):
    login("koordinator@demo.example")
    db.session.execute(DataState.__table__.delete())
    db.session.commit()
    with app.app_context(), app.test_request_context():
        assert data_token() == ""
    fragments.clear()
    with statements() as first:
        client.get(REGISTRY)
    with statements() as second:
        client.get(REGISTRY)
    assert len(second) == len(first) > 1  # rendered again: nothing was kept


def test_a_request_that_changed_data_keeps_nothing(app, demo):
    from netapp.cache import cached

    with app.app_context(), app.test_request_context("/"):  # a fresh `g`, as each request has
        assert cached("probe", (), lambda: "first") == "first"
        assert cached("probe", (), lambda: "second") == "first"  # kept
        network = db.session.scalar(select(Network).where(Network.is_default.is_(True)))
        network.short_name = "Endret"
        db.session.flush()
        assert cached("probe", (), lambda: "third") == "third"  # computed, not kept
        db.session.rollback()
    with app.app_context(), app.test_request_context("/"):
        assert cached("probe", (), lambda: "fourth") == "first"  # the state did not change


def test_a_database_error_while_reading_the_token_means_no_caching(app, demo, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def fail(*args, **kwargs):
        raise OperationalError("SELECT token", {}, Exception("the database is away"))

    with app.app_context(), app.test_request_context("/"):
        monkeypatch.setattr(db.session, "scalar", fail)
        assert data_token() == ""
