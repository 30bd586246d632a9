"""The evaluations' rows about a person: receipts saying which questionnaires they have answered.

The answers themselves (Response, Answer, HeldResponse) hold no person and are nobody's to merge,
erase or download: what a person answered cannot be found, by design.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from netapp.blueprints.evaluations.models import Questionnaire, ResponseReceipt
from netapp.blueprints.registry.models import Network
from netapp.extensions import db
from netapp.person_hooks import Section, Subject

TABLES = ("response_receipt",)


def merge(keep, duplicate) -> None:
    """One receipt per questionnaire: the merged person has answered what either had answered."""
    answered = set(db.session.scalars(
        select(ResponseReceipt.questionnaire_id).where(ResponseReceipt.person_id == keep.id)))
    for receipt in db.session.scalars(select(ResponseReceipt).where(ResponseReceipt.person_id == duplicate.id)):
        if receipt.questionnaire_id in answered:
            db.session.delete(receipt)
        else:
            receipt.person_id = keep.id
    db.session.flush()


def erase(subject: Subject) -> None:
    """Receipts stay: the erased person's row stays too, and a receipt says only that someone
    answered, which the response counts need."""


def download(subject: Subject) -> list[Section]:
    """Which questionnaires the person answered (never what)."""
    rows = []
    if subject.person is not None:
        rows = [
            {"questionnaire": title, "network": network}
            for title, network in db.session.execute(
                select(Questionnaire.title, Network.name)
                .join(ResponseReceipt, ResponseReceipt.questionnaire_id == Questionnaire.id)
                .join(Network, Network.id == Questionnaire.network_id)
                .where(ResponseReceipt.person_id == subject.person.id)
                .order_by(Questionnaire.id)
            )
        ]
    return [Section(
        "questionnaires_answered", _("Evalueringer du har svart på (svarene er anonyme og lagres uten navn)"),
        rows, order=70, fields={"questionnaire": _("Spørreskjema"), "network": _("Nettverk")},
    )]
