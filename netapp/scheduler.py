"""The scheduler process: `flask --app wsgi scheduler`, one per installation.

APScheduler runs here and nowhere else: create_app() and the web workers never start it. Jobs come
from the core (the outbox sender every minute) and from each blueprint's optional `jobs.py` (found
by netapp.domains, e.g. auth's prune of old login attempts), which may hold

    JOBS = [{"id": "newsletters_remind", "func": remind, "trigger": "cron", "hour": 7}]  # add_job() kwargs

and/or `def register(scheduler, app): scheduler.add_job(...)`. Every job, however it was added, runs
inside `app.app_context()` and commits when it returns or rolls back when it raises. Jobs must be
idempotent (sent-flags, unique keys, claims), so a restart or a second process repeats no work.
"""

from __future__ import annotations

import functools
import logging
import signal
import threading
import time
from datetime import datetime
from types import ModuleType
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.util import ref_to_obj
from flask import Flask, current_app

from netapp import domains
from netapp.extensions import db
from netapp.mail import send_due

log = logging.getLogger(__name__)

TIMEZONE = "Europe/Oslo"

# Set on SIGTERM/SIGINT: the outbox sender finishes the message in flight and stops.
STOPPING = threading.Event()

_running: AppScheduler | None = None


def running_scheduler() -> AppScheduler | None:
    """The scheduler started by run() in this process, if any (never in a web worker)."""
    return _running


def in_app_context(app: Flask, func):
    """Wrap a job so it runs in its own app context and transaction."""
    if isinstance(func, str):
        func = ref_to_obj(func)

    @functools.wraps(func)
    def job(*args, **kwargs):
        with app.app_context():
            try:
                result = func(*args, **kwargs)
                db.session.commit()
                return result
            except BaseException:
                db.session.rollback()
                raise  # APScheduler logs it with the traceback

    return job


class AppScheduler(BackgroundScheduler):
    """A scheduler whose every job runs through in_app_context(). It runs in background threads
    of the scheduler process; run() keeps the main thread free to receive signals."""

    def __init__(self, app: Flask, **options):
        self.app = app
        super().__init__(**options)

    def add_job(self, func, *args, **kwargs):
        return super().add_job(in_app_context(self.app, func), *args, **kwargs)


# ---------------------------------------------------------------- core jobs

def send_outbox() -> dict[str, int]:
    counts = send_due(stop=STOPPING)
    if any(counts.values()):
        log.info("outbox: sent=%(sent)d retry=%(retry)d failed=%(failed)d", counts)
    return counts


def add_core_jobs(scheduler: AppScheduler) -> None:
    # First run at start, so mail queued while the scheduler was down goes out at once.
    scheduler.add_job(send_outbox, "interval", minutes=1, id="outbox_send", name="outbox: send due mail",
                      max_instances=1, coalesce=True, next_run_time=datetime.now(ZoneInfo(TIMEZONE)))


# ---------------------------------------------------------------- blueprint jobs

def discover_job_modules() -> list[ModuleType]:
    """Import netapp/blueprints/*/jobs.py, in name order."""
    return domains.modules_named("jobs")


def add_module_jobs(scheduler: AppScheduler, app: Flask, module: ModuleType) -> None:
    for spec in getattr(module, "JOBS", ()):
        spec = dict(spec)
        func = spec.pop("func")
        if isinstance(func, str):
            func = ref_to_obj(func)
        prefix = module.__name__.removeprefix("netapp.blueprints.").removesuffix(".jobs")
        spec.setdefault("id", f"{prefix}.{func.__name__}")
        scheduler.add_job(func, **spec)
    register = getattr(module, "register", None)
    if register is not None:
        register(scheduler, app)


def build_scheduler(app: Flask) -> AppScheduler:
    """The scheduler with every job added, not started (tests inspect it)."""
    scheduler = AppScheduler(
        app,
        timezone=TIMEZONE,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    add_core_jobs(scheduler)
    for module in discover_job_modules():
        add_module_jobs(scheduler, app, module)
    return scheduler


def run(app: Flask | None = None) -> None:
    """Run the scheduler in the foreground until SIGTERM or SIGINT, then stop cleanly.

    The running job is allowed to finish (the outbox sender stops after the message in flight);
    a second signal while waiting for it ends the process at once.
    """
    global _running
    app = app or current_app._get_current_object()
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)  # no line per minute
    scheduler = build_scheduler(app)
    STOPPING.clear()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore_signals():
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    def stop(signum, frame):
        STOPPING.set()  # the outbox sender finishes the message in flight and stops
        restore_signals()  # a second signal acts as if we had never been here: the process ends

    for sig in previous:
        signal.signal(sig, stop)
    _running = scheduler
    try:
        log.info("scheduler starting with jobs: %s", ", ".join(job.id for job in scheduler.get_jobs()))
        scheduler.start()
        while not STOPPING.is_set():
            time.sleep(0.5)  # a signal interrupts the sleep and runs stop()
        log.info("scheduler stopping; waiting for running jobs")
    finally:
        STOPPING.set()
        try:
            if scheduler.running:
                scheduler.shutdown(wait=True)
        finally:
            _running = None
            restore_signals()
    log.info("scheduler stopped")
