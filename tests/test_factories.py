"""Every model has a factory in tests/factories.py, named make_<model in snake case>, and each
factory makes a row that the database accepts (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from netapp.extensions import db
from tests import factories


def _factory_name(model) -> str:
    return "make_" + re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


def _models() -> list:
    return sorted((mapper.class_ for mapper in db.Model.registry.mappers), key=lambda model: model.__name__)


def test_every_model_has_a_factory(app):
    missing = [f"{model.__name__}: {_factory_name(model)}" for model in _models()
               if not callable(getattr(factories, _factory_name(model), None))]
    assert not missing, "models without a factory in tests/factories.py:\n" + "\n".join(missing)


def test_each_factory_makes_a_row_of_its_model(app):
    network = factories.make_network()
    person = factories.make_person(network, workplace=factories.make_workplace())
    user = factories.make_user(person=person)
    event = factories.make_event(network)
    questionnaire = factories.make_questionnaire(network, event=event, status="open")
    response = factories.make_response(questionnaire)
    made = {
        "Network": network, "Person": person, "User": user, "Event": event, "Questionnaire": questionnaire,
        "Response": response,
        "Organisation": factories.make_organisation(),
        "County": factories.make_county(),
        "ReferenceRevision": factories.make_reference_revision(),
        "Workplace": person.workplace,
        "Membership": factories.make_membership(person, factories.make_network()),
        "Assignment": factories.make_assignment(person, workplace=person.workplace),
        "ImportUpload": factories.make_import_upload(network=network, user=user),
        "OneTimeToken": factories.make_one_time_token(user),
        "LoginAttempt": factories.make_login_attempt(user.email),
        "Invitation": factories.make_invitation(network),
        "Registration": factories.make_registration(network),
        "EventRegistration": factories.make_event_registration(event, person, attended=True),
        "Question": factories.make_question(questionnaire),
        "Answer": factories.make_answer(response, questionnaire.questions[0], 4),
        "ResponseReceipt": factories.make_response_receipt(questionnaire, factories.make_person(network)),
        "HeldResponse": factories.make_held_response(questionnaire, factories.make_person(network),
                                                     {questionnaire.questions[0]: 5}),
        "OutboxMessage": factories.make_outbox_message(),
        "OutboxAttachment": factories.make_outbox_attachment(),
        "AuditEvent": factories.make_audit_event(person, fields=["first_name"], actor=user),
        "DataState": factories.make_data_state(),
    }
    db.session.commit()
    for model in _models():
        assert isinstance(made.get(model.__name__), model), f"{_factory_name(model)} is not tried here"
        assert db.session.scalar(select(func.count()).select_from(model)) >= 1, model.__name__
    registration = made["Registration"]
    assert registration.manager_token and made["Invitation"].token and made["OneTimeToken"].token
    assert made["HeldResponse"].questionnaire_id == questionnaire.id
