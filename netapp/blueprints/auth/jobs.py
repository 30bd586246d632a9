"""Scheduled work for accounts: failed logins older than the throttling window are dropped."""

from __future__ import annotations

import logging

from netapp.blueprints.auth.services import prune_attempts

log = logging.getLogger(__name__)


def prune_login_attempts() -> int:
    removed = prune_attempts()
    log.info("pruned %d old login attempt(s)", removed)
    return removed


JOBS = [
    {"func": prune_login_attempts, "trigger": "cron", "hour": 3, "minute": 17, "id": "auth_prune_attempts",
     "name": "auth: prune old login attempts"},
]
