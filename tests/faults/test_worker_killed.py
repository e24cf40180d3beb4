"""A worker killed in the middle of an evaluation run (SIGKILL: no clean-up of any kind).

Real Celery workers (evaluation/tests/test_worker.py's) on a real Redis broker and PostgreSQL: the
run is slowed down by EVALUATION_STEP_DELAY_MS so that the worker can be killed while it is writing
the run's values. Readers meanwhile keep seeing the previous run's values; the killed worker's task,
never acknowledged, comes back to the next worker (acks_late), which starts the run over from a
clean slate and publishes it; a run asked for afterwards succeeds as usual. A run whose task never
comes back is closed as failed when the next run for its year is asked for.
"""
from __future__ import annotations

import datetime
import time
import uuid

import pytest
import redis
from django.utils import timezone
from rest_framework.test import APIClient

from evaluation import runs
from evaluation.models import EvaluationRun, IndicatorValue
from evaluation.tests.test_worker import Worker, remove_queue, request_through_the_api, wait_for_the_end
from evaluation.tests.world import Y, published_value, small_world, snapshot
from portal.tests.factories import PlatformAdminFactory

from .conftest import celery_broker, forget_queue, needs_postgres_for_workers

pytestmark = [needs_postgres_for_workers, pytest.mark.django_db(transaction=True)]

TIMEOUT = 60


def wait_until_mid_run(run_id: int, worker: Worker) -> EvaluationRun:
    """Until the worker is running the run and has written some of its values."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        run = EvaluationRun.objects.get(pk=run_id)
        if run.status == "running" and IndicatorValue.objects.filter(run_id=run_id).exists():
            return run
        assert run.status in ("queued", "running"), f"run #{run_id} ended ({run.status}) before the kill"
        assert worker.process.poll() is None, f"the worker exited:\n{worker.output}"
        assert time.monotonic() < deadline, f"run #{run_id} did not get under way:\n{worker.output}"
        time.sleep(0.1)


def eventually(condition, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"not within {TIMEOUT} s: {what}"
        time.sleep(0.1)


def wait_until_redeliverable(broker: redis.Redis, visibility_timeout: int) -> None:
    """Until the dead worker's unacknowledged task is older than the visibility timeout, so that the
    next worker's first look at unacknowledged tasks gives it back."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        taken = broker.zrange("unacked_index", 0, -1, withscores=True)
        assert len(taken) == 1, f"the killed worker's task is not the one waiting for an acknowledgement: {taken}"
        if time.time() - taken[0][1] > visibility_timeout + 1:
            return
        assert time.monotonic() < deadline
        time.sleep(0.2)


def kill(worker: Worker) -> None:
    worker.process.kill()  # SIGKILL
    worker.process.wait(15)
    worker.reader.join(5)


@pytest.fixture
def world_with_a_published_run(real_broker, settings, monkeypatch):
    """A small world whose year Y has a published run; then a course changes, so that the next run
    publishes another practical share (0.5 instead of 0.25)."""
    world = small_world()
    first, _created = runs.run_now(Y)
    assert first.status == "succeeded", first.error
    world.first = first
    world.readers_saw = snapshot()
    world.course.practice_hours = 30
    world.course.save()
    world.queue = f"faults-{uuid.uuid4().hex[:12]}"
    world.broker = redis.Redis.from_url(real_broker)
    world.broker.delete("unacked", "unacked_index")  # this Redis database is the fault tests' own
    settings.CELERY_BROKER_URL = real_broker  # what the workers are given
    with celery_broker(real_broker, world.queue):
        yield world
        remove_queue(world.queue)
    forget_queue(real_broker, world.queue)
    world.broker.delete("unacked", "unacked_index")


def test_a_killed_workers_run_changes_nothing_readers_see_and_is_redelivered_to_the_next_worker(
        world_with_a_published_run, monkeypatch):
    world = world_with_a_published_run
    admin = PlatformAdminFactory()
    monkeypatch.setenv("EVALUATION_STEP_DELAY_MS", "300")
    doomed = Worker(world.queue)
    try:
        doomed.wait_until_ready()
        run_id = request_through_the_api(admin)
        wait_until_mid_run(run_id, doomed)
        kill(doomed)
    finally:
        doomed.stop()

    run = EvaluationRun.objects.get(pk=run_id)
    assert (run.status, run.published, run.attempts) == ("running", False, 1)
    assert IndicatorValue.objects.filter(run_id=run_id).exists()  # its half-written values …
    assert snapshot() == world.readers_saw  # … are not what readers see: still the first run's
    assert published_value("practical_hours_share", level="program", program=world.pA).value == 0.25
    assert APIClient().get("/api/v1/indicator-values/").status_code == 401  # the API is up (and still asks)

    # The next worker gets the task back (not acknowledged by the dead one) after the visibility timeout.
    monkeypatch.setenv("EVALUATION_STEP_DELAY_MS", "0")
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", "1")
    wait_until_redeliverable(world.broker, 1)
    successor = Worker(world.queue)
    try:
        successor.wait_until_ready()
        run = wait_for_the_end(run_id, successor)
        assert (run.status, run.published, run.attempts) == ("succeeded", True, 2), f"{run.error}\n{successor.output}"
        assert published_value("practical_hours_share", level="program", program=world.pA).value == 0.5
        eventually(lambda: not IndicatorValue.objects.filter(run=world.first).exists(),
                   "the superseded run's rows are removed (just after publishing)")
        assert EvaluationRun.objects.get(pk=world.first.pk).published is False

        # And the next run asked for succeeds as any other.
        again = wait_for_the_end(request_through_the_api(admin), successor)
        assert (again.status, again.published, again.attempts) == ("succeeded", True, 1), again.error
    finally:
        successor.stop()


def test_a_run_whose_task_never_comes_back_is_closed_as_failed_by_the_next_request(
        world_with_a_published_run, monkeypatch):
    """The other way out: no worker picks the task up again (its message lost with the broker), so the
    run stays `running` in silence; once silent for longer than any task may run (here: its last
    report moved back in time), the next request for the year closes it as failed and starts a new
    run, which succeeds."""
    world = world_with_a_published_run
    admin = PlatformAdminFactory()
    monkeypatch.setenv("EVALUATION_STEP_DELAY_MS", "300")
    doomed = Worker(world.queue)
    try:
        doomed.wait_until_ready()
        run_id = request_through_the_api(admin)
        wait_until_mid_run(run_id, doomed)
        kill(doomed)
    finally:
        doomed.stop()
    # The broker loses the task for good (as a Redis restarted without persistence would).
    assert world.broker.zcard("unacked_index") == 1
    world.broker.delete("unacked", "unacked_index")
    assert request_through_the_api(admin) == run_id  # still under way as far as anyone knows: the same run
    assert snapshot() == world.readers_saw  # readers see the first run's values all along
    silent_since = timezone.now() - runs.stale_after() - datetime.timedelta(minutes=1)
    EvaluationRun.objects.filter(pk=run_id).update(updated_at=silent_since)

    monkeypatch.setenv("EVALUATION_STEP_DELAY_MS", "0")
    successor = Worker(world.queue)
    try:
        successor.wait_until_ready()
        new_id = request_through_the_api(admin)
        assert new_id != run_id
        abandoned = EvaluationRun.objects.get(pk=run_id)
        assert (abandoned.status, abandoned.published) == ("failed", False)
        assert "stopped reporting progress" in abandoned.error
        new = wait_for_the_end(new_id, successor)
        assert (new.status, new.published) == ("succeeded", True), f"{new.error}\n{successor.output}"
        assert published_value("practical_hours_share", level="program", program=world.pA).value == 0.5
        eventually(lambda: not IndicatorValue.objects.filter(run_id=run_id).exists(),
                   "the abandoned run's rows are removed (just after the new run is published)")
    finally:
        successor.stop()
