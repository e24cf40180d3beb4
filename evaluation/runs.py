"""Evaluation runs: requesting one, executing it, publishing or failing it.

A run writes its values and recommendations into rows of its own while readers keep seeing the
year's published run; only when everything is written does one short transaction publish it, apply
its warning changes and unpublish the previous run. A run that fails (or whose worker dies) changes
nothing readers see. At most one run per year is queued or running: the database refuses a second
one, and a request while one is under way answers with that run. A run whose worker vanished is
recognised by its silence (no progress for longer than the task time limit) and closed as failed
when the next run for the year is requested."""
from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    transaction,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import record_update
from portal.bulk import copy_insert
from portal.years import academic_year_of
from programs.models import YEAR_VALIDATORS

from .choices import ACTIVE_RUN_STATUSES, RunStatus, RunTrigger
from .early_warning import recommend
from .indicators.base import Context
from .indicators.engine import compute_step, steps
from .models import EvaluationRun, IndicatorValue, ProgramRecommendation
from .targets import Targets
from .warnings_sync import Breach, sync_warnings

log = logging.getLogger(__name__)

# Errors worth another attempt: the database went away or a lock timed out.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)

# A run picked up this many times (retries, redeliveries after a worker died) is given up.
MAX_ATTEMPTS = 4


class QueueUnavailable(Exception):
    """The task queue could not take the run; nothing was recorded."""


def stale_after() -> datetime.timedelta:
    """How long a running run may stay silent before it counts as abandoned by its worker."""
    return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 300)


def current_year() -> int:
    return academic_year_of(timezone.localdate())


def validate_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Enter a whole number.")}) from None
    for validator in YEAR_VALIDATORS:
        try:
            validator(year)
        except ValidationError as exc:
            raise ValidationError({"year": exc.messages}) from None
    return year


# --- requesting -----------------------------------------------------------------------------------


def _close_abandoned(year: int) -> None:
    """Mark failed the year's run whose worker stopped reporting (killed, or its machine lost). Each
    is closed by its own conditional UPDATE (a report that arrives meanwhile keeps it alive), and the
    audit trail records the runs it did close."""
    silent = EvaluationRun.objects.filter(
        year=year, status__in=ACTIVE_RUN_STATUSES, updated_at__lt=timezone.now() - stale_after()
    )
    for run in silent:
        now = timezone.now()
        values = {"status": RunStatus.FAILED, "finished_at": now, "step": "",
                  "error": _("The worker stopped reporting progress; the run was abandoned."), "updated_at": now}
        if silent.filter(pk=run.pk).update(**values):
            record_update(run, **values)


def request_run(
    year, *, by=None, trigger: str = RunTrigger.REQUEST, enqueue: bool = True
) -> tuple[EvaluationRun, bool]:
    """Start a run for `year`, or return the one already under way. Returns (run, created).

    The task is enqueued only once this transaction has committed. If the queue cannot take it,
    the new run is removed again and QueueUnavailable is raised (when this is the outermost
    transaction; see EvaluationRunViewSet)."""
    year = validate_year(year)
    with transaction.atomic():
        _close_abandoned(year)
        active = EvaluationRun.objects.filter(year=year, status__in=ACTIVE_RUN_STATUSES).first()
        if active is not None:
            return active, False
        try:
            with transaction.atomic():
                run = EvaluationRun.objects.create(year=year, requested_by=by, trigger=trigger)
        except IntegrityError:  # another request created it a moment ago
            return EvaluationRun.objects.get(year=year, status__in=ACTIVE_RUN_STATUSES), False
        if enqueue:
            transaction.on_commit(lambda: enqueue_run(run.pk))
    return run, True


def enqueue_run(run_id: int) -> None:
    from .tasks import evaluate

    try:
        evaluate.delay(run_id)
    except Exception as exc:  # broker unreachable: take the run back, nothing half-done stays
        if evaluate.app.conf.task_always_eager:  # in-process: the error is the task's own
            raise
        log.warning("could not enqueue evaluation run %s: %s", run_id, exc)
        EvaluationRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).delete()
        raise QueueUnavailable(str(exc)) from exc


# --- executing ------------------------------------------------------------------------------------


def _claim(run_id: int) -> EvaluationRun | None:
    """Mark the run running (again, when a task is redelivered or retried); None when it has ended."""
    with transaction.atomic():
        run = EvaluationRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status not in ACTIVE_RUN_STATUSES:
            return None
        if run.attempts >= MAX_ATTEMPTS:
            run.status = RunStatus.FAILED
            run.finished_at = timezone.now()
            run.step = ""
            run.error = _("Gave up after %(n)s attempts; the last one did not finish.") % {"n": run.attempts}
            run.save(update_fields=["status", "finished_at", "step", "error", "updated_at"])
            _discard_rows([run.pk])
            return None
        run.status = RunStatus.RUNNING
        run.started_at = run.started_at or timezone.now()
        run.attempts += 1
        run.progress = 0
        run.step = ""
        run.error = ""
        run.save(update_fields=["status", "started_at", "attempts", "progress", "step", "error", "updated_at"])
    return run


def _discard_rows(run_ids) -> None:
    IndicatorValue.objects.filter(run_id__in=run_ids).delete()
    ProgramRecommendation.objects.filter(run_id__in=run_ids).delete()


def _report(run: EvaluationRun, done: int, total: int, step: str) -> None:
    run.progress = min(99, done * 100 // total)
    EvaluationRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
        progress=run.progress, step=step[:200], updated_at=timezone.now()
    )


VALUE_COLUMNS = (
    "run_id", "indicator", "level", "year", "program_id", "school_id", "consortium_id", "region_id", "sector_id",
    "value", "numerator", "denominator", "target", "target_upper",
)


RECOMMENDATION_COLUMNS = (
    "run_id", "program_id", "school_id", "year", "conditions", "consecutive_years", "recommendation", "history",
)


def _values(run: EvaluationRun, rows, targets: Targets, breaches: list[Breach]):
    """The value rows of one step as tuples of VALUE_COLUMNS, collecting the breaches on the way."""
    for row in rows:
        target = targets.for_row(row)
        if target is not None:
            severity = target.miss(row.numerator, row.denominator)
            if severity:
                breaches.append(Breach(row, target, severity))
        yield (
            run.pk, row.indicator, row.level, row.year, row.program_id, row.school_id, row.consortium_id,
            row.region_id, row.sector_id, row.value, row.numerator, row.denominator,
            target.target if target else None, target.upper if target else None,
        )


def _compute_and_write(run: EvaluationRun, after_step: Callable[[int], None] | None = None) -> tuple[list[Breach], int]:
    ctx = Context(run.year)
    targets = Targets(ctx)
    plan = steps()
    total = len(plan) + 2
    breaches: list[Breach] = []
    count = 0
    for done, (indicator, level) in enumerate(plan):
        _report(run, done, total, f"{indicator.key} · {level}")
        rows = _values(run, compute_step(ctx, indicator, level), targets, breaches)
        count += copy_insert(IndicatorValue, VALUE_COLUMNS, rows, plain=True)  # keys, ids and numbers only
        if after_step is not None:
            after_step(done)
        if settings.EVALUATION_STEP_DELAY_MS:  # fault-injection tests: a run slow enough to kill its worker mid-way
            time.sleep(settings.EVALUATION_STEP_DELAY_MS / 1000)
    _report(run, len(plan), total, "program early warning")
    conditions = ProgramRecommendation._meta.get_field("conditions")
    copy_insert(
        ProgramRecommendation,
        RECOMMENDATION_COLUMNS,
        (
            (run.pk, a.program_id, a.school_id, a.year, conditions.get_prep_value(a.conditions),
             a.consecutive_years, a.recommendation, a.history)
            for a in recommend(ctx, targets)
        ),
    )
    _report(run, len(plan) + 1, total, "publishing")
    return breaches, count


def _publish(run: EvaluationRun, breaches: list[Breach], count: int) -> bool:
    """Make the run the year's published one, with its warning changes, in one transaction.
    False when the run was closed meanwhile (abandoned): then nothing changes."""
    with transaction.atomic():
        locked = EvaluationRun.objects.select_for_update().filter(pk=run.pk, status=RunStatus.RUNNING).first()
        if locked is None:
            return False
        opened, resolved = sync_warnings(run, breaches)
        previous = list(EvaluationRun.objects.select_for_update().filter(year=run.year, published=True))
        EvaluationRun.objects.filter(year=run.year, published=True).update(published=False)
        for superseded in previous:
            record_update(superseded, published=False)
        run.status = RunStatus.SUCCEEDED
        run.published = True
        run.progress = 100
        run.step = ""
        run.finished_at = timezone.now()
        run.value_count = count
        run.warnings_opened = opened
        run.warnings_resolved = resolved
        run.save()
    return True


def _superseded(year: int) -> list[int]:
    return list(
        EvaluationRun.objects.filter(year=year, published=False)
        .exclude(status__in=ACTIVE_RUN_STATUSES)
        .values_list("pk", flat=True)
    )


def fail_run(run_id: int, error: BaseException | str) -> None:
    """Record the run as failed with its error; its partial rows go, readers see no change."""
    message = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    with transaction.atomic():
        active = EvaluationRun.objects.filter(pk=run_id, status__in=ACTIVE_RUN_STATUSES)
        before = active.select_for_update().first()  # as it was, for the audit trail
        now = timezone.now()
        values = {"status": RunStatus.FAILED, "error": message[:4000], "step": "", "finished_at": now,
                  "updated_at": now}
        failed = active.update(**values)
        if failed and before is not None:
            record_update(before, **values)
    if not failed:  # it ended meanwhile (published, or closed as abandoned): its rows are not ours to remove
        return
    try:
        _discard_rows([run_id])
    except DatabaseError:  # the database is the problem; the rows are invisible anyway
        log.exception("could not discard the rows of failed run %s", run_id)


def execute_run(run_id: int, *, after_step: Callable[[int], None] | None = None) -> EvaluationRun | None:
    """Compute, write and publish the run (the Celery task's body). Idempotent: a run that has
    ended is left alone; a run picked up again (retry, redelivery) starts over from its own clean
    slate. Transient database errors propagate (the task retries); any other error fails the run.
    `after_step(i)` is called after each step (progress hooks, fault injection in tests)."""
    run = _claim(run_id)
    if run is None:
        return None
    _discard_rows([run.pk])
    try:
        breaches, count = _compute_and_write(run, after_step)
        published = _publish(run, breaches, count)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        log.exception("evaluation run %s failed", run.pk)
        fail_run(run.pk, exc)
        run.refresh_from_db()
        return run
    if not published:
        _discard_rows([run.pk])
    else:
        _discard_rows(_superseded(run.year))
    run.refresh_from_db()
    return run


def run_now(year, *, by=None, trigger: str = RunTrigger.COMMAND) -> tuple[EvaluationRun, bool]:
    """Request a run and execute it in this process (the evaluate command). Returns (run, created);
    when a run for the year is already under way it is returned untouched."""
    run, created = request_run(year, by=by, trigger=trigger, enqueue=False)
    if created:
        try:
            execute_run(run.pk)
        except TRANSIENT_ERRORS as exc:  # no task here to retry it: free the year at once
            fail_run(run.pk, exc)
        run.refresh_from_db()
    return run, created
