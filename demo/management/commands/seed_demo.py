"""manage.py seed_demo: load realistic demo data for Guangdong, idempotently."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from demo.seed import DEMO_PASSWORD, YEARS, ReferenceDataMissing, seed_demo


class Command(BaseCommand):
    help = (
        "Load demo data (Guangdong colleges, enterprises, programs, partnerships … for the academic years "
        f"{YEARS[0]}–{YEARS[-1]}) and one login per role with the password {DEMO_PASSWORD!r}. Deterministic and "
        "idempotent: a second run creates nothing and changes nothing. Needs the reference data (migrate first)."
    )

    def handle(self, *args, **options) -> None:
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
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        self.stdout.write(f"  {'username':<12}  {'password':<15}  {'role':<19}  scope")
        for login in result.logins:
            password = DEMO_PASSWORD if login.created else f"{DEMO_PASSWORD}*"
            self.stdout.write(f"  {login.username:<12}  {password:<15}  {login.role:<19}  {login.scope}")
        if not all(login.created for login in result.logins):
            self.stdout.write("  * account existed before this run: kept as it was, password included.")
