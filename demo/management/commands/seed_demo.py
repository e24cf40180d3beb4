"""manage.py seed_demo: load realistic demo data for Guangdong, idempotently."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from demo.seed import DEMO_PASSWORD, YEARS, ReferenceDataMissing, seed_demo
from evaluation import runs
from evaluation.choices import RunStatus
from evaluation.models import EvaluationRun


class Command(BaseCommand):
    help = (
        "Load demo data (Guangdong colleges, enterprises, programs, partnerships … for the academic years "
        f"{YEARS[0]}–{YEARS[-1]}) and one login per role with the password {DEMO_PASSWORD!r}. Deterministic and "
        "idempotent: a second run creates nothing and changes nothing. Needs the reference data (migrate first). "
        "Then evaluates each demo year that has no published evaluation yet."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-evaluate", action="store_true", help="do not run the evaluation of the demo years")

    def handle(self, *args, no_evaluate: bool = False, **options) -> None:
        try:
            result = seed_demo()
        except ReferenceDataMissing as exc:
            raise CommandError(str(exc)) from exc
        width = max(len(t.label) for t in result.tallies)
        self.stdout.write(f"{'model':<{width}}  {'total':>7}  {'created':>7}  {'existing':>8}")
        for tally in result.tallies:
            self.stdout.write(f"{tally.label:<{width}}  {tally.total:>7}  {tally.created:>7}  {tally.found:>8}")
        self.stdout.write(
            self.style.SUCCESS(f"Created {result.created} rows in {result.seconds:.1f} s.")
            if result.created else f"Nothing to create: the demo data is complete ({result.seconds:.1f} s)."
        )
        if not no_evaluate:
            self.evaluate()
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        self.stdout.write(f"  {'username':<12}  {'password':<15}  {'role':<19}  scope")
        for login in result.logins:
            password = DEMO_PASSWORD if login.created else f"{DEMO_PASSWORD}*"
            self.stdout.write(f"  {login.username:<12}  {password:<15}  {login.role:<19}  {login.scope}")
        if not all(login.created for login in result.logins):
            self.stdout.write("  * account existed before this run: kept as it was, password included.")

    def evaluate(self) -> None:
        """Compute the indicators of every demo year not evaluated yet (in this process)."""
        done = set(EvaluationRun.objects.filter(published=True).values_list("year", flat=True))
        for year in YEARS:
            if year in done:
                continue
            run, _created = runs.run_now(year)
            if run.status != RunStatus.SUCCEEDED:
                raise CommandError(f"The evaluation of {year} failed: {run.error}")
            self.stdout.write(
                f"Evaluated {year}: {run.value_count} indicator values, {run.warnings_opened} warnings (run #{run.pk})."
            )
