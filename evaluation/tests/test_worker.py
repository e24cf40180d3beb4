"""A real Celery worker evaluates a run requested through the API, against the test database.

Needs a broker and PostgreSQL (CI sets CELERY_BROKER_URL and DATABASE_URL=postgres://…): the worker
is a separate process, so the data must be committed (a transactional test) in a database both
processes reach. The worker listens on a queue of its own, so no other worker takes the task and no
stale message reaches this one.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from urllib.parse import quote

import pytest
from django.conf import settings
from kombu import Exchange, Queue
from rest_framework.test import APIClient

from evaluation.models import EvaluationRun, IndicatorValue, ProgramRecommendation, Warning
from evaluation.tests.world import SMALL_WORLD_VALUES, SMALL_WORLD_WARNINGS, Y, published_value, small_world
from portal.celery import app
from portal.tests.factories import PlatformAdminFactory

POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.skipif(
        not (os.environ.get("CELERY_BROKER_URL") and POSTGRES),
        reason="a real worker needs CELERY_BROKER_URL and a PostgreSQL DATABASE_URL (CI sets both)",
    ),
    pytest.mark.django_db(transaction=True),
]

RUNS = "/api/v1/evaluation-runs/"
TIMEOUT = 60


def database_url() -> str:
    """The test database (pytest-django has renamed it by now), for the worker process."""
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


class Worker:
    """`celery -A portal worker` on its own queue; its output is collected for failure messages."""

    def __init__(self, queue: str) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PYTHONUNBUFFERED": "1",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo", "--concurrency", "1",
             "--loglevel", "INFO", "--queues", queue, "--hostname", f"{queue}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)
            if " ready." in line:
                self.ready.set()

    @property
    def output(self) -> str:
        return "".join(self.lines[-80:])

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not self.ready.wait(0.2):
            assert self.process.poll() is None, f"the worker exited:\n{self.output}"
            assert time.monotonic() < deadline, f"the worker was not ready in {TIMEOUT} s:\n{self.output}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(15)
        self.reader.join(5)


def request_through_the_api(admin) -> int:
    """POST /api/v1/evaluation-runs/ as a platform admin: 202 with the queued run."""
    client = APIClient()
    client.force_authenticate(admin)
    response = client.post(RUNS, {"year": Y}, format="json")
    assert response.status_code == 202, response.content
    return response.data["id"]


def wait_for_the_end(run_id: int, worker: Worker) -> EvaluationRun:
    deadline = time.monotonic() + TIMEOUT
    while True:
        run = EvaluationRun.objects.get(pk=run_id)
        if not run.active:
            return run
        assert worker.process.poll() is None, f"the worker exited:\n{worker.output}"
        assert time.monotonic() < deadline, f"run #{run_id} is still {run.status} after {TIMEOUT} s:\n{worker.output}"
        time.sleep(0.25)


def remove_queue(name: str) -> None:
    """Delete the test's queue and its binding from the broker (declared here so the channel knows it)."""
    with app.connection_for_write() as connection:
        queue = Queue(name, Exchange(name), routing_key=name, channel=connection.default_channel)
        queue.declare()
        queue.delete()


def test_a_real_worker_evaluates_a_run_requested_through_the_api(monkeypatch):
    world = small_world()
    admin = PlatformAdminFactory()
    queue = f"evaluation-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setitem(app.conf, "task_default_queue", queue)  # where this process sends tasks
    worker = Worker(queue)
    try:
        worker.wait_until_ready()
        run_id = request_through_the_api(admin)
        run = wait_for_the_end(run_id, worker)
    finally:
        worker.stop()
        remove_queue(queue)

    assert run.status == "succeeded", f"{run.error}\n{worker.output}"
    assert (run.published, run.progress, run.attempts) == (True, 100, 1)
    assert (run.trigger, run.requested_by) == ("request", admin)
    assert "evaluation.tasks.evaluate[" in worker.output  # the worker, not this process, ran it
    assert run.value_count == SMALL_WORLD_VALUES == 70
    assert IndicatorValue.objects.published().count() == 70
    assert (run.warnings_opened, Warning.objects.count()) == (SMALL_WORLD_WARNINGS, 15)
    employment = published_value("employment_rate", level="program", program=world.pA)
    assert (employment.numerator, employment.denominator, employment.value, employment.target) == (40, 50, 0.8, 0.85)
    share = published_value("practical_hours_share", level="region", region=world.P)
    assert (share.numerator, share.denominator, share.value) == (10, 40, 0.25)
    # Flagged in 2025 (practical share, employment, no partnership), 2024 and 2023 (practical share
    # of the current courses, no partnership): three years.
    recommendation = ProgramRecommendation.objects.published().get()
    assert (recommendation.program, recommendation.consecutive_years, recommendation.recommendation) == (
        world.pA, 3, "suspended")
