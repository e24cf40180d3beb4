"""`make bench`: generate a data set at a scale on PostgreSQL, measure against the floors, write results."""
from __future__ import annotations

import datetime
import json
import logging
import os
import platform
import subprocess
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count

from bench import measure, report
from bench.generate import generate
from bench.scales import SCALES
from portal.choices import Role
from portal.models import School, User
from portal.scoping import region_subtree_q

PASSWORD = "bench-pass-2025"  # nosec B105: synthetic accounts of a throw-away benchmark database


def ensure_database(out) -> None:
    """Create the benchmark database when it does not exist yet (connecting to `postgres` to do so)."""
    import psycopg2
    from psycopg2 import sql

    params = connection.get_connection_params()
    name = params.pop("dbname", None) or params.pop("database", None)
    try:
        psycopg2.connect(dbname=name, **params).close()
        return
    except psycopg2.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise CommandError(f"cannot reach PostgreSQL: {exc}") from exc
    out(f"creating database {name}")
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


class Command(BaseCommand):
    help = "Generate a synthetic data set at a scale on PostgreSQL and measure evaluation, API and dashboards."
    requires_system_checks: tuple = ()

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="tiny")
        parser.add_argument("--year", type=int, default=2025)
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "bench" / "results"),
                            help="folder for <scale>-<date>.json and .md")
        parser.add_argument("--repeat", type=int, default=None, help="evaluation repetitions (default 2, national 1)")
        parser.add_argument("--requests", type=int, default=20, help="timed requests per API page and dashboard")
        parser.add_argument("--load-seconds", type=int, default=30)
        parser.add_argument("--connections", type=int, default=8)
        parser.add_argument("--no-load", action="store_true", help="skip the wrk load test")
        parser.add_argument("--regenerate", action="store_true", help="generate even if the database holds this scale")
        parser.add_argument("--generate-only", action="store_true", help="generate the data set, measure nothing")
        parser.add_argument("--here", action="store_true",
                            help="use the configured database as it is (no create, no migrate): for tests")

    def out(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def handle(self, *args, **opts):
        logging.getLogger("axes").setLevel(logging.WARNING)  # one line per force_login otherwise
        if connection.vendor != "postgresql" or not connection.settings_dict.get("NAME"):
            raise CommandError(
                "The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench "
                "(make bench does this)."
            )
        scale = SCALES[opts["scale"]]
        year = opts["year"]
        if not opts["here"]:
            ensure_database(self.out)
            self.out(f"database {connection.settings_dict['NAME']}: migrating")
            call_command("migrate", verbosity=0, interactive=False)
            call_command("collectstatic", verbosity=0, interactive=False)  # pages render with the manifest
        data = self.data(scale, opts)
        if opts["generate_only"]:
            return
        personas = self.personas()
        self.out("personas: " + ", ".join(f"{k} = {u.username}" for k, u in personas.items()))
        measure.ensure_previous_year(year, self.out)

        started = time.perf_counter()
        result = {
            "scale": scale.name,
            "date": datetime.date.today().isoformat(),
            "machine": self.machine(),
            "data": data,
        }
        repeat = opts["repeat"] or (1 if scale.name == "national" else 2)
        self.out(f"\n1. evaluation run against the SQL floor ({repeat}×)")
        result["evaluation"] = measure.measure_evaluation(year, repeat=repeat, out=self.out)
        self.out("\n2. API pages of 100 rows against floor views")
        api_personas = {"reviewer": personas["reviewer"], "college": personas["college"]}
        result["api"] = measure.measure_api(api_personas, n=opts["requests"], out=self.out)
        self.out("\n3. dashboards")
        boards = {"region": personas["reviewer"], "school": personas["college"]}
        result["dashboards"] = measure.measure_dashboards(boards, n=max(5, opts["requests"] // 2), out=self.out)
        if opts["no_load"]:
            result["load"] = "skipped (--no-load)"
        else:
            result["load"] = measure.measure_load(
                boards, seconds=opts["load_seconds"], connections=opts["connections"], out=self.out
            )
        result["seconds"] = time.perf_counter() - started

        out_dir = Path(opts["out"])
        out_dir.mkdir(parents=True, exist_ok=True)
        stem = f"{scale.name}-{result['date']}"
        other = {"national": "province", "province": "national"}.get(scale.name)
        previous = report.latest(out_dir, other) if other else None
        if previous:
            small, large = (previous, result) if scale.name == "national" else (result, previous)
            result["scaling"] = report.scaling(small, large)
        (out_dir / f"{stem}.json").write_text(json.dumps(result, indent=2, default=str, ensure_ascii=False))
        (out_dir / f"{stem}.md").write_text(report.markdown(result))
        self.out(f"\n{report.table(result)}\n\nwrote {out_dir / stem}.json and .md")
        if not result["evaluation"]["identical"]:
            raise CommandError(
                f"the evaluation run and the SQL floor disagree on {result['evaluation']['difference_count']} values; "
                f"first: {result['evaluation']['differences'][:3]}"
            )

    # -- pieces ------------------------------------------------------------------------------------

    def data(self, scale, opts) -> dict:
        """Generate the scale's data, unless this database already holds exactly that."""
        marker = f"bench scale={scale.name} seed={opts['seed']} year={opts['year']}"
        stored = self.marker()
        if not opts["here"] and not opts["regenerate"] and stored and stored.get("marker") == marker:
            self.out(f"reusing the {scale.name} data already in this database ({stored['total_rows']:,} rows)")
            return {**stored, "reused": True}
        self.out(f"generating the {scale.name} data set")
        data = generate(scale, year=opts["year"], seed=opts["seed"], password=PASSWORD, out=self.stdout)
        data = {"marker": marker, "tables": data["tables"], "total_rows": data["total_rows"], "seconds": data["seconds"]}
        if not opts["here"]:
            self.set_marker(data)
        return data

    def marker(self) -> dict | None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
            )
            text = cursor.fetchone()[0]
        try:
            return json.loads(text) if text else None
        except ValueError:
            return None

    def set_marker(self, data: dict) -> None:
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        literal = json.dumps(data).replace("'", "''")
        with connection.cursor() as cursor:
            cursor.execute(f"COMMENT ON DATABASE {name} IS '{literal}'")  # nosec B608: quoted literal of our JSON

    def personas(self) -> dict[str, User]:
        """The reviewer of the province with the most schools, the admin of the largest college."""
        reviewers = list(User.objects.filter(role=Role.GOV_REVIEWER, is_active=True, region__isnull=False))
        if not reviewers:
            raise CommandError("the data set has no government reviewer")
        reviewer = max(reviewers, key=lambda u: School.objects.filter(region_subtree_q(u.region_id)).count())
        largest = (
            School.objects.filter(users__role=Role.COLLEGE_ADMIN)
            .annotate(n=Count("programs", distinct=True))
            .order_by("-n", "id")
            .first()
        )
        if largest is None:
            raise CommandError("the data set has no college administrator")
        college = User.objects.filter(role=Role.COLLEGE_ADMIN, school=largest, is_active=True).order_by("id").first()
        return {"reviewer": reviewer, "college": college}

    def machine(self) -> dict:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg = f"PostgreSQL {cursor.fetchone()[0]}"
        try:
            with open("/proc/meminfo") as meminfo:
                kb = int(meminfo.readline().split()[1])
            memory = round(kb / 1024 / 1024, 1)
        except OSError:
            memory = None
        try:
            commit = subprocess.run(  # nosec B603 B607: fixed arguments
                ["git", "rev-parse", "--short", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True,
                check=False,
            ).stdout.strip() or "unknown"
        except OSError:
            commit = "unknown"
        return {"cpus": os.cpu_count(), "memory_gb": memory, "postgresql": pg, "python": platform.python_version(),
                "commit": commit}
