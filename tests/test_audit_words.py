"""The audit log and the outbox speak Norwegian: object types, fields, actions and statuses in
words, never the tables' and enums' own (English) names."""

from __future__ import annotations

import re

from sqlalchemy import select

from netapp import audit
from netapp.blueprints.main import audit_words
from netapp.blueprints.registry.models import Person
from netapp.extensions import db
from netapp.mail import OutboxMessage, OutboxStatus, enqueue
from tests.conftest import table_rows


def _tracked():
    for mapper in db.Model.registry.mappers:
        if audit.is_tracked(mapper.class_):
            yield mapper.class_.__name__, [a.key for a in mapper.column_attrs if a.key not in audit.IGNORED_FIELDS]


def test_every_tracked_model_and_column_has_words(app):
    types, fields = audit_words.object_type_names(), audit_words.field_names()
    missing = [name for name, _columns in _tracked() if name not in types]
    missing += [f"{name}.{column}" for name, columns in _tracked() for column in columns if column not in fields]
    assert not missing, "add to netapp/blueprints/main/audit_words.py: " + ", ".join(missing)


# Raw names that must not be shown: the tables' class names that are English, attribute names
# (snake_case ones and English words), actions and the outbox's statuses.
RAW = re.compile(r"\b(?:[a-z]+_[a-z_]+|Workplace|Organisation|Membership|EventRegistration|Registration|Invitation|"
                 r"Questionnaire|Question|Event|Network|create|update|delete|erase|pending|queued|sending|sent|failed|"
                 r"first_name|email|phone|status|title|location|person)\b")


def _cells(page: str) -> list[str]:
    return [cell for row in table_rows(page) for cell in row]


def test_the_audit_log_names_types_and_fields_in_norwegian(client, login, demo):
    login("admin@demo.example")
    person = db.session.scalar(select(Person).where(Person.email == "ressurs@demo.example"))
    page = client.get(f"/registry/persons/{person.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page) or re.search(r'value="(\d+)"[^>]*name="version"', page)
    form = {"first_name": "Rikke", "last_name": person.last_name, "email": person.email, "phone": "12345678",
            "profession": person.profession, "workplace_id": str(person.workplace_id or 0),
            "position_percent": str(person.position_percent or ""), "version": version.group(1)}
    assert client.post(f"/registry/persons/{person.id}/edit", data=form).status_code == 302
    page = client.get("/admin/audit").get_data(as_text=True)
    cells = _cells(page)
    assert any("Fornavn" in cell and "Telefon" in cell for cell in cells), cells
    assert "Person" in cells and "endret" in cells
    raw = sorted({m for cell in cells for m in RAW.findall(cell) if "@" not in cell})
    assert not raw, raw
    # The type filter shows words too, and still filters by the stored name.
    assert '<option value="Person"' in page and ">Person</option>" in page
    assert ">Workplace<" not in page


def test_the_outbox_names_statuses_in_norwegian(client, login, demo):
    for number, status in enumerate(OutboxStatus):
        message = enqueue("mottaker@test.example", f"Melding {number}", "Tekst.")
        message.status = status
    db.session.commit()
    login("admin@demo.example")
    page = client.get("/admin/outbox").get_data(as_text=True)
    cells = _cells(page)
    statuses = {row[3] for row in table_rows(page)[1:] if len(row) > 3}
    assert {"I kø", "Sendes", "Sendt", "Feilet"} <= statuses
    assert not {"queued", "sending", "sent", "failed"} & set(cells)
    assert not [m for cell in cells for m in RAW.findall(cell) if "@" not in cell]
    assert db.session.scalar(select(OutboxMessage.id).limit(1)) is not None
