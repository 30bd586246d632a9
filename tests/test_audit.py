"""The audit log records who changed what, and only admins read it."""

from sqlalchemy import select

from netapp import audit
from netapp.audit import AuditEvent
from netapp.blueprints.registry.models import Person
from netapp.extensions import db

# The documents whose changes are recorded; each domain marks its own (@audit.track).
TRACKED = {"network", "organisation", "workplace", "person", "membership", "registration", "invitation",
           "event", "event_registration", "questionnaire", "question"}
# Where an answer lives: what was answered, waiting sealed or released, and who has answered.
ANSWER_TABLES = {"response", "answer", "held_response", "response_receipt"}


def test_coordinator_changes_are_logged_for_admins(app, client, demo, login):
    person = db.session.scalar(select(Person).where(Person.email_normalized == "ressurs@demo.example"))
    login("koordinator@demo.example")
    response = client.post(f"/registry/persons/{person.id}/edit", data={
        "first_name": person.first_name, "last_name": person.last_name, "email": person.email,
        "phone": "+47 999 00 000", "profession": "Helsesykepleier", "workplace_id": str(person.workplace_id),
        "manager_name": "", "manager_email": person.manager.email, "position_percent": "70", "public_consent": "y",
        "version": str(person.version)})
    assert response.status_code == 302
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "Person",
                                                         AuditEvent.object_id == person.id)).all()
    assert len(events) == 1
    event = events[0]
    assert event.actor_email == "koordinator@demo.example" and event.action == "update"
    assert set(event.fields.split(", ")) == {"phone", "profession", "position_percent"}
    assert "+47 999" not in event.fields  # names of fields, never the values
    admin = app.test_client()
    login("admin@demo.example", c=admin)
    page = admin.get("/admin/audit?actor=koordinator").get_data(as_text=True)
    assert "koordinator@demo.example" in page and "Stillingsprosent" in page and "endret" in page
    assert client.get("/admin/audit").status_code == 403


def test_changes_without_a_logged_in_user_are_not_attributed(demo):
    assert db.session.scalar(select(AuditEvent).limit(1)) is None  # the seed ran from no request


def test_approval_of_a_registration_is_logged(client, demo, login):
    from netapp.blueprints.joining.models import Registration, RegistrationStatus

    registration = db.session.scalar(select(Registration).where(
        Registration.status == RegistrationStatus.AWAITING_COORDINATOR).limit(1))
    login("koordinator@demo.example")
    assert client.post(f"/registrations/{registration.id}/approve").status_code == 302
    actions = db.session.execute(select(AuditEvent.object_type, AuditEvent.action).where(
        AuditEvent.actor_email == "koordinator@demo.example")).all()
    assert ("Registration", "update") in actions
    assert ("Person", "create") in actions and ("Membership", "create") in actions


def test_the_tracked_models_are_the_documents(app):
    assert {table.name for table in db.metadata.sorted_tables if audit.is_tracked(table)} == TRACKED


def test_no_table_of_anonymous_answers_is_tracked(app):
    """An audit row names who acted and when: on an answer, a receipt or anything that refers to
    one, it would undo the anonymity. Read from the metadata, so a new table beside the answers is
    covered too."""
    tables = db.metadata.tables
    assert ANSWER_TABLES <= set(tables)
    answers = set(ANSWER_TABLES)
    grown = True
    while grown:  # and every table that refers to one of them, however indirectly
        referring = {t.name for t in tables.values() if any(fk.column.table.name in answers for fk in t.foreign_keys)}
        grown = not referring <= answers
        answers |= referring
    assert not [name for name in sorted(answers) if audit.is_tracked(tables[name])]
