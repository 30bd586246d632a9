"""Every table about a person is answered for by a domain's person hooks (merge, erasure, download),
so a new domain cannot forget its rows; the anonymous answers stay about nobody."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table

import netapp.models  # noqa: F401  (every model in db.metadata)
from netapp import person_hooks
from netapp.extensions import db

# A column of one of these names holds something that identifies a person.
IDENTIFYING = {"email", "to_address", "ip_address", "phone", "first_name", "last_name", "manager_email"}


def test_every_table_about_a_person_has_a_merge_and_an_erasure_hook():
    missing = person_hooks.uncovered(db.metadata)
    assert not missing, f"tables about persons that no person_hooks.py answers for: {missing}"


def test_hook_modules_name_real_tables_and_have_every_hook():
    modules = person_hooks.modules()
    assert {m.__name__.split(".")[2] for m in modules} >= {"auth", "evaluations", "gatherings", "joining",
                                                          "privacy", "registry"}
    for module in modules:
        assert module.TABLES, module.__name__
        for name in person_hooks.REQUIRED:
            assert callable(getattr(module, name)), (module.__name__, name)
        for table in module.TABLES:
            assert table in db.metadata.tables, f"{module.__name__} names an unknown table {table}"
    person_hooks.covered_tables()  # no table is claimed twice


def test_anonymous_answers_hold_no_person():
    for name in ("response", "answer", "held_response"):
        table = db.metadata.tables[name]
        targets = {fk.column.table.name for fk in table.foreign_keys}
        assert not targets & set(person_hooks.PERSON_TABLES), name
        assert not table.info.get(person_hooks.PERSONAL_DATA), name
        assert not {c.name for c in table.columns} & (IDENTIFYING | {"person_id", "user_id", "created_at"}), name


def test_a_forgotten_table_is_reported():
    metadata = MetaData()
    Table("person", metadata, Column("id", Integer, primary_key=True))
    Table("user", metadata, Column("id", Integer, primary_key=True))
    Table("roster_entry", metadata, Column("id", Integer, primary_key=True),
          Column("person_id", ForeignKey("person.id")))
    Table("signed_by", metadata, Column("id", Integer, primary_key=True), Column("user_id", ForeignKey("user.id")))
    Table("unsubscribed", metadata, Column("id", Integer, primary_key=True), Column("address", String(254)),
          info={"personal_data": True})
    Table("topic", metadata, Column("id", Integer, primary_key=True))
    hooks = SimpleNamespace(__name__="somewhere.person_hooks", TABLES=("person", "user", "signed_by"))
    assert set(person_hooks.uncovered(metadata, [hooks])) == {"roster_entry", "unsubscribed"}
    twice = SimpleNamespace(__name__="elsewhere.person_hooks", TABLES=("signed_by",))
    with pytest.raises(ValueError):
        person_hooks.covered_tables([hooks, twice])


def test_the_download_lists_sections_in_order(app):
    from netapp.blueprints.auth.models import User

    with app.test_request_context():
        sections = person_hooks.download(User(id=0, email="x@test.example"), None)
    keys = [s.key for s in sections]
    assert keys == ["account", "person", "memberships", "history", "workplaces_led", "event_registrations",
                    "questionnaires_answered", "registrations", "invitations", "emails", "changes"]
