"""manage.py evaluate --year 2025: compute every indicator for an academic year and publish it."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from evaluation import runs
from evaluation.choices import RunStatus, RunTrigger


class Command(BaseCommand):
    help = (
        "Run the evaluation for an academic year (default: the current one): every indicator at every "
        "level, warnings and program early warning. Runs in this process unless --enqueue hands it to "
        "the Celery workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="academic year, named by the calendar year it starts in")
        parser.add_argument("--enqueue", action="store_true", help="hand the run to a Celery worker and return")

    def handle(self, *args, year=None, enqueue=False, **options):
        year = runs.current_year() if year is None else year
        try:
            if enqueue:
                run, created = runs.request_run(year, trigger=RunTrigger.COMMAND)
            else:
                run, created = runs.run_now(year, trigger=RunTrigger.COMMAND)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.message_dict.get("year", exc.messages))) from exc
        except runs.QueueUnavailable as exc:
            raise CommandError(f"The task queue cannot be reached, nothing was started: {exc}") from exc
        if not created:
            raise CommandError(
                f"A run for {year} is already under way: #{run.pk}, {run.status}, {run.progress} %."
            )
        if enqueue:
            self.stdout.write(f"Run #{run.pk} for {year} is queued.")
            return
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(f"Run #{run.pk} for {year} failed: {run.error}")
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(self.style.SUCCESS(
            f"Run #{run.pk} for {year} succeeded in {seconds:.1f} s: {run.value_count} values, "
            f"{run.warnings_opened} warnings opened, {run.warnings_resolved} resolved."
        ))
