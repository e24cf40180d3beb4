"""Celery tasks of the evaluation engine: thin wrappers over evaluation.runs."""
from __future__ import annotations

import logging

from celery import shared_task

from . import runs
from .choices import RunTrigger

log = logging.getLogger(__name__)

MAX_RETRIES = 3


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def evaluate(self, run_id: int) -> str | None:
    """Execute evaluation run `run_id`. Safe to deliver twice: an ended run is left alone, a run
    picked up again starts over. Transient database errors are retried with backoff; when the
    retries are spent the run is recorded as failed."""
    try:
        run = runs.execute_run(run_id)
    except runs.TRANSIENT_ERRORS as exc:
        if self.request.retries < self.max_retries:
            if self.request.is_eager:  # in-process: Celery's retry would raise into the caller
                return self.apply(args=(run_id,), retries=self.request.retries + 1).result
            raise self.retry(exc=exc, countdown=2 ** self.request.retries) from exc
        runs.fail_run(run_id, exc)
        log.error("evaluation run %s failed after %s retries: %s", run_id, self.max_retries, exc)
        return "failed"
    return run.status if run is not None else None


@shared_task(acks_late=True)
def evaluate_current_year() -> int:
    """The nightly schedule: recompute the current academic year (or join the run under way)."""
    run, _created = runs.request_run(runs.current_year(), trigger=RunTrigger.SCHEDULE)
    return run.pk
