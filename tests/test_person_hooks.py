"""Every table about a person is answered for by a domain's person hooks (merge, erasure, download),
so a new domain cannot forget its rows; the anonymous answers stay about nobody."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table

import netapp.models  # noqa: F401  (every model in db.metadata)
from netapp import person_hooks
from netapp.extensions import db

ROOT = Path(__file__).resolve().parent.parent
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


def test_tables_with_addresses_or_names_are_marked_or_keyed_to_a_person():
    about = person_hooks.tables_about_persons(db.metadata)
    for table in db.metadata.sorted_tables:
        identifying = {c.name for c in table.columns} & IDENTIFYING
        if identifying:
            assert table.name in about, (
                f"{table.name} holds {sorted(identifying)}: mark it @person_hooks.personal_data "
                "and cover it in a person_hooks.py")


def test_tables_without_a_key_to_a_person_are_marked():
    for name in ("login_attempt", "outbox_message", "outbox_attachment", "registration", "invitation", "import_upload"):
        assert db.metadata.tables[name].info.get(person_hooks.PERSONAL_DATA) is True, name


def test_anonymous_answers_hold_no_person():
    for name in ("response", "answer", "held_response"):
        table = db.metadata.tables[name]
        targets = {fk.column.table.name for fk in table.foreign_keys}
        assert not targets & set(person_hooks.PERSON_TABLES), name
        assert not table.info.get(person_hooks.PERSONAL_DATA), name
        assert not {c.name for c in table.columns} & (IDENTIFYING | {"person_id", "user_id", "created_at"}), name


@pytest.mark.parametrize("path", ["netapp/person_hooks.py", "netapp/blueprints/privacy/download.py"])
def test_the_code_that_calls_the_hooks_imports_no_domain(path):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not [name for name in imported if name.startswith("netapp.blueprints.")], imported


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
