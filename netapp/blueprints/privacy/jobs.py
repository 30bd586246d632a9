"""Scheduled privacy work: erase persons whose retention period after leaving has ended."""

from __future__ import annotations

import logging

from netapp.blueprints.privacy import services
from netapp.blueprints.registry.models import Person
from netapp.extensions import db

log = logging.getLogger(__name__)


def erase_due_persons() -> int:
    """Erase every person who left more than RETENTION_MONTHS_AFTER_LEFT months ago.

    Commits after each batch, so a stop half-way keeps what was done; idempotent, because an
    erased person is no longer due and the next run picks up only what is left.
    """
    window = services.retention_window()
    everyone = Person.id.is_not(None)
    total = 0
    while True:
        erased = services.erase_due(everyone, window, limit=services.ERASE_BATCH)
        db.session.commit()
        total += erased
        if erased < services.ERASE_BATCH:
            break
    if total:
        log.info("erased %d person(s) whose retention period ended", total)
    return total


JOBS = [
    {"func": erase_due_persons, "trigger": "cron", "hour": 2, "minute": 43, "id": "privacy_erase_due",
     "name": "privacy: erase persons whose retention period has ended"},
]
