"""The run lifecycle: a run computes into rows of its own and publishes them in one go; a second run
supersedes the first; a run that fails (or whose worker dies) changes nothing readers see; an ended
run is left alone and a re-claimed one starts over; an abandoned run is closed by the next request;
one run per year is under way at a time, even under concurrent requests; a run costs the same
number of queries for 2 schools as for 20; the Celery task retries transient errors; the nightly
schedule evaluates the current academic year.

The data is `world.small_world()`: its expected values are worked out in that module's docstring.
"""
from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluation import runs, tasks
from evaluation.indicators import engine
from evaluation.models import (
    EvaluationRun,
    IndicatorValue,
    ProgramRecommendation,
    Warning,
)
from evaluation.tests.world import (
    SMALL_WORLD_VALUES,
    SMALL_WORLD_WARNINGS,
    Y,
    healthy_school,
    published_value,
    small_world,
    snapshot,
    subject_of,
    unresolved_warning,
)
from partnerships.tests.factories import (
    ConsortiumFactory,
    ConsortiumMemberFactory,
    TalentDemandFactory,
)
from portal.celery import app
from portal.tests.factories import EnterpriseFactory, RegionFactory, SectorFactory

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands for the worker process dying mid-run: not an Exception, so nothing in the run catches it."""


def raise_after(step: int, exc: BaseException):
    """An after_step hook that raises `exc` once step `step` has written its rows."""
    seen = {}

    def hook(done: int) -> None:
        if done == step:
            seen["rows"] = IndicatorValue.objects.count()
            raise exc

    hook.seen = seen
    return hook


def requested() -> EvaluationRun:
    run, created = runs.request_run(Y, enqueue=False)
    assert created
    return run


@pytest.fixture
def world(db):
    return small_world()


# --- publishing -----------------------------------------------------------------------------------


def test_run_now_publishes_every_value_with_its_fraction_and_target(world):
    run, created = runs.run_now(Y)

    assert created
    assert (run.status, run.published, run.progress, run.step, run.error) == ("succeeded", True, 100, "", "")
    assert (run.trigger, run.attempts, run.year) == ("command", 1, Y)
    assert run.started_at <= run.finished_at
    assert run.value_count == SMALL_WORLD_VALUES == 70
    assert IndicatorValue.objects.filter(run=run).count() == 70
    assert (run.warnings_opened, run.warnings_resolved) == (SMALL_WORLD_WARNINGS, 0) == (15, 0)
    assert Warning.objects.count() == 15
    # No subject appears twice for an indicator.
    assert len({(v.indicator, subject_of(v)) for v in IndicatorValue.objects.filter(run=run)}) == 70

    employment = published_value("employment_rate", level="program", program=world.pA)
    assert (employment.numerator, employment.denominator, employment.value) == (Decimal(40), Decimal(50), 0.8)
    assert (employment.target, employment.target_upper, employment.school_id) == (0.85, None, world.A.pk)
    share = published_value("practical_hours_share", level="region", region=world.P)
    assert (share.numerator, share.denominator, share.value, share.target) == (10, 40, 0.25, 0.5)
    supply = published_value("supply_demand_ratio", level="region_sector", region=world.C, sector=world.S)
    assert (supply.numerator, supply.denominator, supply.value) == (50, 0, None)
    assert (supply.target, supply.target_upper) == (0.8, 1.5)
    certified = published_value("certified_enterprises", level="region", region=world.P)
    assert (certified.numerator, certified.denominator, certified.value, certified.target) == (0, None, 0.0, None)
    change = published_value("enrolment_change", level="program", program=world.pA)
    assert (change.numerator, change.denominator, change.value, change.target) == (None, None, None, -0.3)

    recommendation = ProgramRecommendation.objects.published().get()
    assert (recommendation.run, recommendation.program, recommendation.school) == (run, world.pA, world.A)


def test_a_second_run_supersedes_the_first(world):
    earlier_year, _ = runs.run_now(Y - 1)
    first, _ = runs.run_now(Y)
    first_values = set(IndicatorValue.objects.filter(run=first).values_list("pk", flat=True))
    world.record.employed = 45
    world.record.save()

    second, created = runs.run_now(Y)

    first.refresh_from_db()
    earlier_year.refresh_from_db()
    assert created and second.pk != first.pk
    assert (first.status, first.published) == ("succeeded", False)
    assert (second.status, second.published) == ("succeeded", True)
    assert list(EvaluationRun.objects.filter(year=Y, published=True)) == [second]
    assert earlier_year.published  # another year's published run is not touched
    # Readers see the new values; the superseded run's rows are gone.
    assert not IndicatorValue.objects.filter(pk__in=first_values).exists()
    assert not IndicatorValue.objects.filter(run=first).exists()
    assert not ProgramRecommendation.objects.filter(run=first).exists()
    assert set(IndicatorValue.objects.published().filter(year=Y).values_list("run", flat=True)) == {second.pk}
    assert IndicatorValue.objects.published().filter(year=Y).count() == 70
    employment = published_value("employment_rate", level="program", program=world.pA)
    assert (employment.numerator, employment.value) == (45, 0.9)
    assert ProgramRecommendation.objects.published().get(year=Y).run == second


# --- failures -------------------------------------------------------------------------------------


def fail_in_a_hook(monkeypatch):
    hook = raise_after(5, RuntimeError("disk full"))
    run = requested()
    runs.execute_run(run.pk, after_step=hook)
    return run, hook.seen["rows"]


def fail_in_a_computation(monkeypatch):
    seen = {}

    def broken(ctx, level):
        seen["rows"] = IndicatorValue.objects.count()
        raise RuntimeError("disk full")

    monkeypatch.setitem(engine.COMPUTATIONS, "employment_rate", broken)
    run, created = runs.run_now(Y)
    assert created
    return run, seen["rows"]


@pytest.mark.parametrize("fail", [fail_in_a_hook, fail_in_a_computation], ids=["after step 5", "in a computation"])
def test_a_run_failing_half_way_changes_nothing_readers_see(world, monkeypatch, fail):
    published, _ = runs.run_now(Y)
    acknowledged = unresolved_warning("employment_rate", level="program", program=world.pA)
    Warning.objects.filter(pk=acknowledged.pk).update(status="acknowledged", note="在整改")
    world.record.employed = 45  # a successful run would now resolve the employment warnings
    world.record.save()
    before = snapshot()
    partial_rows_before = IndicatorValue.objects.count()

    failed, rows_at_failure = fail(monkeypatch)

    failed.refresh_from_db()
    assert rows_at_failure > partial_rows_before  # the run had written rows of its own
    assert (failed.status, failed.published) == ("failed", False)
    assert failed.error == "RuntimeError: disk full"
    assert failed.finished_at is not None
    assert not IndicatorValue.objects.filter(run=failed).exists()
    assert not ProgramRecommendation.objects.filter(run=failed).exists()
    assert snapshot() == before
    assert list(EvaluationRun.objects.filter(year=Y, published=True)) == [published]

    monkeypatch.undo()
    again, created = runs.run_now(Y)
    assert created and again.status == "succeeded" and again.published
    assert published_value("employment_rate", level="program", program=world.pA).value == 0.9
    assert Warning.objects.get(pk=acknowledged.pk).status == "resolved"


def test_an_ended_run_executed_again_is_left_alone(world):
    succeeded, _ = runs.run_now(Y)
    failed = requested()
    runs.execute_run(failed.pk, after_step=raise_after(2, RuntimeError("boom")))
    before = snapshot()
    rows = IndicatorValue.objects.count()
    states = list(EvaluationRun.objects.order_by("pk").values())

    assert runs.execute_run(succeeded.pk) is None
    assert runs.execute_run(failed.pk) is None

    assert list(EvaluationRun.objects.order_by("pk").values()) == states
    assert snapshot() == before
    assert IndicatorValue.objects.count() == rows


def test_a_run_picked_up_again_after_a_crash_starts_over(world):
    run = requested()
    with pytest.raises(WorkerKilled):
        runs.execute_run(run.pk, after_step=raise_after(6, WorkerKilled()))
    run.refresh_from_db()
    partial = set(IndicatorValue.objects.filter(run=run).values_list("pk", flat=True))
    assert (run.status, run.attempts) == ("running", 1)
    assert partial  # the dead worker left rows behind

    runs.execute_run(run.pk)  # the task is redelivered

    run.refresh_from_db()
    assert (run.status, run.published, run.attempts, run.value_count) == ("succeeded", True, 2, 70)
    values = IndicatorValue.objects.filter(run=run)
    assert values.count() == 70
    assert len({(v.indicator, subject_of(v)) for v in values}) == 70
    assert not values.filter(pk__in=partial).exists()
    assert ProgramRecommendation.objects.filter(run=run).count() == 1
    assert Warning.objects.count() == run.warnings_opened == 15


def test_a_run_that_never_finishes_is_given_up_after_its_attempts(world):
    """Each pick-up that dies mid-run counts; the one after the last attempt fails the run and
    removes its rows instead of starting a fifth time."""
    run = requested()
    for _attempt in range(runs.MAX_ATTEMPTS):
        with pytest.raises(WorkerKilled):
            runs.execute_run(run.pk, after_step=raise_after(1, WorkerKilled()))

    assert runs.execute_run(run.pk) is None

    run.refresh_from_db()
    assert (run.status, run.attempts, run.published) == ("failed", runs.MAX_ATTEMPTS, False)
    assert str(runs.MAX_ATTEMPTS) in run.error
    assert not IndicatorValue.objects.exists()
    assert runs.request_run(Y, enqueue=False)[1]  # the year is free again


@pytest.mark.parametrize("year, message", [(1800, "1950"), (2101, "2100"), ("next year", "whole number")])
def test_an_implausible_year_is_refused_with_the_field_named(db, year, message):
    with pytest.raises(ValidationError) as error:
        runs.request_run(year, enqueue=False)
    assert set(error.value.message_dict) == {"year"}
    assert message in error.value.message_dict["year"][0]
    assert not EvaluationRun.objects.exists()


# --- abandoned runs -------------------------------------------------------------------------------


def test_stale_after_outlasts_the_task_time_limit():
    assert runs.stale_after() > datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


@pytest.mark.parametrize("crash", [True, False], ids=["running with partial rows", "queued, never picked up"])
def test_an_abandoned_run_is_closed_by_the_next_request(world, crash):
    abandoned = requested()
    if crash:
        with pytest.raises(WorkerKilled):
            runs.execute_run(abandoned.pk, after_step=raise_after(3, WorkerKilled()))
    status = EvaluationRun.objects.get(pk=abandoned.pk).status
    silent_since = timezone.now() - runs.stale_after() - datetime.timedelta(minutes=1)
    EvaluationRun.objects.filter(pk=abandoned.pk).update(updated_at=silent_since)

    new, created = runs.request_run(Y, enqueue=False)

    abandoned.refresh_from_db()
    assert status == ("running" if crash else "queued")
    assert created and new.pk != abandoned.pk
    assert (abandoned.status, abandoned.published) == ("failed", False)
    assert "stopped reporting" in abandoned.error
    assert abandoned.finished_at is not None
    runs.execute_run(new.pk)
    new.refresh_from_db()
    assert (new.status, new.published) == ("succeeded", True)
    assert not IndicatorValue.objects.filter(run=abandoned).exists()
    assert IndicatorValue.objects.count() == 70


def test_a_run_that_reported_recently_is_not_abandoned(world):
    run = requested()
    with pytest.raises(WorkerKilled):
        runs.execute_run(run.pk, after_step=raise_after(3, WorkerKilled()))
    recently = timezone.now() - runs.stale_after() + datetime.timedelta(minutes=1)
    EvaluationRun.objects.filter(pk=run.pk).update(updated_at=recently)

    same, created = runs.request_run(Y, enqueue=False)

    assert (same.pk, created, same.status) == (run.pk, False, "running")
    assert EvaluationRun.objects.count() == 1


# --- one run per year -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_make_one_run(monkeypatch):
    """On PostgreSQL two threads (two connections) request the year at the same moment: both are
    inside their transactions, past the abandoned-run check, before either writes. SQLite
    serialises writers, so there the second request simply comes after the first."""
    if connection.vendor != "postgresql":
        results = [runs.request_run(Y, enqueue=False), runs.request_run(Y, enqueue=False)]
    else:
        both_inside = threading.Barrier(2, timeout=10)
        close_abandoned = runs._close_abandoned

        def close_then_wait(year):
            close_abandoned(year)
            both_inside.wait()

        monkeypatch.setattr(runs, "_close_abandoned", close_then_wait)
        results, errors = [], []

        def request():
            try:
                results.append(runs.request_run(Y, enqueue=False))
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=request) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not errors, errors

    assert sorted(created for _run, created in results) == [False, True]
    assert results[0][0].pk == results[1][0].pk
    assert EvaluationRun.objects.count() == 1


def test_the_database_refuses_a_second_active_run_for_a_year():
    EvaluationRun.objects.create(year=Y)
    with pytest.raises(IntegrityError), transaction.atomic():
        EvaluationRun.objects.create(year=Y)
    with pytest.raises(IntegrityError), transaction.atomic():
        EvaluationRun.objects.create(year=Y, status="running")
    # Ended runs and other years do not count.
    EvaluationRun.objects.create(year=Y, status="failed")
    EvaluationRun.objects.create(year=Y - 1)
    assert EvaluationRun.objects.count() == 3


# --- cost -----------------------------------------------------------------------------------------


def _queries_of_a_run() -> tuple[int, EvaluationRun]:
    run = requested()
    with CaptureQueriesContext(connection) as queries:
        runs.execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    return len(queries.captured_queries), run


def _queries_of_two_runs() -> tuple[int, int, EvaluationRun]:
    """A run that opens the warnings, then one that keeps them (both on a clean slate)."""
    Warning.objects.all().delete()
    EvaluationRun.objects.all().delete()
    opening, first = _queries_of_a_run()
    keeping, _ = _queries_of_a_run()
    return opening, keeping, first


def test_a_run_costs_the_same_queries_for_2_and_for_20_schools():
    """Each school meets every target but enrolment change (see world.healthy_school): one warning
    per school, plus the province's supply/demand once its 20 schools' 20 × 40 graduates outnumber
    the 80 demanded 10 to 1. Few warnings, so SQLite writes them in one batch either way."""
    province = RegionFactory()
    sector = SectorFactory()
    enterprise = EnterpriseFactory(region=province, sector=sector, integration_certified=True)
    consortium = ConsortiumFactory(region=province)
    ConsortiumMemberFactory(consortium=consortium, enterprise=enterprise)
    TalentDemandFactory(enterprise=enterprise, sector=sector, region=province, year=Y, headcount=80)

    def add_schools(first: int, last: int) -> None:
        for n in range(first, last):
            region = RegionFactory(prefecture=True, parent=province) if n % 2 else province
            healthy_school(region, sector, enterprise, consortium)

    add_schools(0, 2)
    opening_2, keeping_2, run_2 = _queries_of_two_runs()
    add_schools(2, 20)
    opening_20, keeping_20, run_20 = _queries_of_two_runs()

    assert (opening_2, keeping_2) == (opening_20, keeping_20)
    # 2 schools: 9 program rows × 2 + 19 school × 2 + 4 consortium × 1 + 20 region × 2 (the province
    # and one prefecture) + 2 region × sector; 20 schools: 20 programs and schools, 11 regions.
    assert run_2.value_count == 9 * 2 + 19 * 2 + 4 + 20 * 2 + 2 == 102
    assert run_20.value_count == 9 * 20 + 19 * 20 + 4 + 20 * 11 + 11 == 795
    assert (run_2.warnings_opened, run_20.warnings_opened) == (2, 21)


# --- the Celery task ------------------------------------------------------------------------------


@pytest.fixture
def in_process(celery_eager) -> None:
    """Tasks run in this process, as in the embedded default (no broker), whatever the environment."""
    celery_eager(True)


def test_the_task_retries_transient_errors_then_succeeds(world, monkeypatch, in_process):
    run = requested()
    execute = runs.execute_run
    calls = []

    def flaky(run_id):
        calls.append(run_id)
        if len(calls) <= 2:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(run_id)

    monkeypatch.setattr(runs, "execute_run", flaky)

    result = tasks.evaluate.delay(run.pk)  # as enqueue_run sends it; a retry runs again inline

    run.refresh_from_db()
    assert calls == [run.pk] * 3
    assert result.result == "succeeded"
    assert (run.status, run.published, run.value_count) == ("succeeded", True, 70)


def test_the_task_fails_the_run_when_retries_are_spent(world, monkeypatch, in_process):
    run = requested()
    calls = []

    def down(run_id):
        calls.append(run_id)
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(runs, "execute_run", down)

    result = tasks.evaluate.delay(run.pk)  # must not raise into the caller

    run.refresh_from_db()
    assert len(calls) == 1 + 3  # the first attempt and MAX_RETRIES retries
    assert result.result == "failed"
    assert (run.status, run.published) == ("failed", False)
    assert run.error == "OperationalError: could not connect to server"
    assert not EvaluationRun.objects.filter(published=True).exists()


def test_a_transient_error_after_publishing_on_the_last_attempt_keeps_the_published_values(world, monkeypatch):
    """The run is published (its transaction committed), then tidying the superseded rows loses the
    database on the task's last attempt: the run has succeeded, and its values must stay."""
    runs.run_now(Y)
    run = requested()

    def connection_lost(year):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(runs, "_superseded", connection_lost)

    tasks.evaluate.apply(args=(run.pk,), retries=tasks.MAX_RETRIES)

    run.refresh_from_db()
    assert (run.status, run.published, run.value_count) == ("succeeded", True, 70)
    assert IndicatorValue.objects.filter(run=run).count() == 70
    assert IndicatorValue.objects.published().count() == 70
    assert ProgramRecommendation.objects.published().count() == 1


def test_fail_run_leaves_an_ended_run_and_its_rows_alone(world):
    run, _ = runs.run_now(Y)
    runs.fail_run(run.pk, OperationalError("late"))
    run.refresh_from_db()
    assert (run.status, run.published, run.error) == ("succeeded", True, "")
    assert IndicatorValue.objects.filter(run=run).count() == 70


def test_a_transient_error_in_run_now_does_not_hold_the_year(world, monkeypatch):
    """The evaluate command has no task to retry it: the run is recorded failed, so the year can be
    run again at once instead of after runs.stale_after()."""

    def locked(ctx, level):
        raise OperationalError("database is locked")

    monkeypatch.setitem(engine.COMPUTATIONS, "employment_rate", locked)
    try:
        runs.run_now(Y)
    except OperationalError:
        pass  # re-raising is fine; holding the year is not
    run = EvaluationRun.objects.get()
    assert (run.status, run.error) == ("failed", "OperationalError: database is locked")
    assert not IndicatorValue.objects.exists()

    monkeypatch.undo()
    again, created = runs.run_now(Y)
    assert created and again.status == "succeeded"


def test_the_task_leaves_an_ended_run_alone(world):
    run, _ = runs.run_now(Y)
    assert tasks.evaluate.apply(args=(run.pk,)).result is None
    assert EvaluationRun.objects.get(pk=run.pk).attempts == 1


def test_the_nightly_schedule_runs_evaluate_current_year():
    entries = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values()
               if entry["task"] == "evaluation.tasks.evaluate_current_year"]
    assert len(entries) == 1
    assert "evaluation.tasks.evaluate_current_year" in app.tasks
    assert tasks.evaluate_current_year.name == "evaluation.tasks.evaluate_current_year"


@pytest.mark.parametrize("today, year", [
    (datetime.date(2026, 8, 31), 2025),  # the last day of academic year 2025
    (datetime.date(2026, 9, 1), 2026),  # 1 September starts the next one
    (datetime.date(2027, 1, 15), 2026),
])
def test_the_nightly_task_requests_the_current_academic_year(db, monkeypatch, django_capture_on_commit_callbacks,
                                                             today, year):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)
    sent = []
    monkeypatch.setattr(tasks.evaluate, "delay", sent.append)

    with django_capture_on_commit_callbacks(execute=True):
        run_id = tasks.evaluate_current_year.apply().result
    joined = tasks.evaluate_current_year.apply().result  # the next night joins the run under way

    run = EvaluationRun.objects.get()
    assert run.pk == run_id == joined
    assert (run.year, run.trigger, run.status, run.requested_by) == (year, "schedule", "queued", None)
    assert sent == [run.pk]  # handed to the workers once, after commit
