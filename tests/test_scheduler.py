"""The scheduler: its own process, jobs from the core and the blueprints, each in its own transaction."""

from __future__ import annotations

import os
import signal
import threading
import types
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app
from sqlalchemy import func, select

import netapp.blueprints
from netapp import create_app, scheduler
from netapp.blueprints.auth.models import LoginAttempt
from netapp.devmail import MailCatcher
from netapp.extensions import db
from netapp.mail import OutboxMessage, enqueue
from netapp.timeutil import utcnow


def committed(model) -> int:
    with db.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def test_core_jobs(app):
    sched = scheduler.build_scheduler(app)
    jobs = {job.id: job for job in sched.get_jobs()}
    assert {"outbox_send", "auth_prune_attempts"} <= set(jobs)
    assert not sched.running
    assert str(sched.timezone) == "Europe/Oslo"

    outbox = jobs["outbox_send"]
    assert isinstance(outbox.trigger, IntervalTrigger) and outbox.trigger.interval == timedelta(minutes=1)
    assert outbox.max_instances == 1 and outbox.coalesce is True

    prune = jobs["auth_prune_attempts"]
    assert isinstance(prune.trigger, CronTrigger)
    assert str(prune.trigger.fields[prune.trigger.FIELD_NAMES.index("hour")]) == "3"


def test_every_blueprint_jobs_module_is_discovered():
    root = Path(netapp.blueprints.__path__[0])
    expected = {f"netapp.blueprints.{p.parent.name}.jobs" for p in root.glob("*/jobs.py")}
    assert {m.__name__ for m in scheduler.discover_job_modules()} == expected


def _fake_modules(**jobs_by_module):
    modules = []
    for name, content in jobs_by_module.items():
        module = types.ModuleType(f"netapp.blueprints.{name}.jobs")
        for key, value in content.items():
            setattr(module, key, value)
        modules.append(module)
    return modules


def test_blueprint_jobs_from_jobs_list_and_register(app, monkeypatch):
    def remind():
        return "reminded"

    def weekly():
        return "weekly"

    def register(sched, flask_app):
        assert flask_app is app
        sched.add_job(weekly, "cron", day_of_week="mon", hour=6, id="wheel_weekly")

    monkeypatch.setattr(scheduler, "discover_job_modules", lambda: _fake_modules(
        newsletters={"JOBS": [{"func": remind, "trigger": "cron", "hour": 7}]},
        wheel={"register": register},
    ))
    jobs = {job.id: job for job in scheduler.build_scheduler(app).get_jobs()}
    assert {"outbox_send", "newsletters.remind", "wheel_weekly"} <= set(jobs)  # only these modules: no auth jobs
    assert jobs["newsletters.remind"].func() == "reminded"  # wrapped, still the same job
    assert jobs["wheel_weekly"].func() == "weekly"


def test_each_job_runs_in_an_app_context_and_commits_or_rolls_back(app, monkeypatch):
    seen = {}

    def enqueue_one():
        seen["app"] = current_app.name
        enqueue("jobb@test.example", "Fra en jobb", "Tekst")  # flushed only: the job wrapper commits

    def enqueue_then_fail():
        enqueue("feil@test.example", "Fra en jobb som feiler", "Tekst")
        raise RuntimeError("boom")

    monkeypatch.setattr(scheduler, "discover_job_modules", lambda: _fake_modules(
        demo={"JOBS": [{"func": enqueue_one, "trigger": "date", "id": "ok"},
                       {"func": enqueue_then_fail, "trigger": "date", "id": "fails"}]},
    ))
    sched = scheduler.build_scheduler(app)
    result = {}
    # Jobs run in the scheduler's worker threads, where no app context is pushed.
    worker = threading.Thread(target=lambda: result.setdefault("ok", sched.get_job("ok").func()))
    worker.start()
    worker.join()
    assert seen["app"] == app.name
    assert committed(OutboxMessage) == 1

    with pytest.raises(RuntimeError):
        sched.get_job("fails").func()
    assert committed(OutboxMessage) == 1


def test_outbox_job_sends_what_is_due(app, monkeypatch):
    enqueue("a@test.example", "Hei", "Tekst")
    db.session.commit()
    with MailCatcher() as catcher:
        monkeypatch.setitem(app.config, "MAIL_PORT", catcher.port)
        counts = scheduler.build_scheduler(app).get_job("outbox_send").func()
        assert counts == {"sent": 1, "retry": 0, "failed": 0}
        assert [str(m["To"]) for m in catcher.messages] == ["a@test.example"]


def test_prune_job_removes_old_login_attempts(app):
    db.session.add_all([
        LoginAttempt(email="gammel@test.example", ip_address="10.0.0.1", created_at=utcnow() - timedelta(days=2)),
        LoginAttempt(email="ny@test.example", ip_address="10.0.0.1", created_at=utcnow()),
    ])
    db.session.commit()
    assert scheduler.build_scheduler(app).get_job("auth_prune_attempts").func() == 1
    assert db.session.scalars(select(LoginAttempt.email)).all() == ["ny@test.example"]


def test_web_app_and_requests_start_no_scheduler(app, monkeypatch):
    started = []
    monkeypatch.setattr(BaseScheduler, "start", lambda self, *a, **kw: started.append(self))
    web = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    client = web.test_client()
    try:
        for url in ("/", "/healthz", "/auth/login"):
            assert client.get(url).status_code == 200
    finally:
        with web.app_context():
            db.engine.dispose()  # this app's own pool
    assert started == []
    assert scheduler.running_scheduler() is None
    assert not [t for t in threading.enumerate() if "apscheduler" in t.name.lower()]


def test_scheduler_command_runs_jobs_and_stops_on_sigterm(app, runner, monkeypatch):
    ran = {}

    def stop_me():
        ran["in_app"] = current_app.name
        ran["running"] = scheduler.running_scheduler() is not None
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(scheduler, "discover_job_modules", lambda: _fake_modules(
        # An interval job (first run at once) stays in the job store, so the stop does not race
        # APScheduler's removal of a finished one-off job.
        demo={"JOBS": [{"func": stop_me, "trigger": "interval", "hours": 1, "id": "stop_me",
                        "next_run_time": datetime.now(UTC)}]},
    ))
    before = signal.getsignal(signal.SIGTERM)
    result = runner.invoke(args=["scheduler"])
    assert result.exit_code == 0, result.output
    assert ran == {"in_app": app.name, "running": True}
    assert scheduler.running_scheduler() is None
    assert scheduler.STOPPING.is_set()  # the outbox sender was told to stop after its message
    assert signal.getsignal(signal.SIGTERM) is before
