"""The measurements of `make bench`, each taken against its floor in the same process and run.

1. The evaluation run (the Celery task body) against the SQL floor (bench/floor.py), and whether
   both give the same numbers.
2. API pages of 100 rows against floor views returning the same rows (bench/floor_views.py).
3. Dashboards: render time and query count in-process, then under load from wrk against gunicorn.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from evaluation.indicators.base import Context
from evaluation.indicators.engine import compute_step, steps
from evaluation.models import EvaluationRun, IndicatorValue
from evaluation.runs import request_run, run_now
from evaluation.tasks import evaluate
from portal.models import ApiToken, User

from . import floor as sql_floor
from .floor_views import RESOURCES

BASE_DIR = Path(settings.BASE_DIR)


# --- helpers --------------------------------------------------------------------------------------


def summary(samples: list[float]) -> dict:
    """Median, p95 (nearest rank), min and max of timings in seconds, and how many there were."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1))
    return {
        "median": statistics.median(ordered),
        "p95": ordered[rank],
        "min": ordered[0],
        "max": ordered[-1],
        "n": len(ordered),
    }


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def ratio(a: float, b: float) -> float | None:
    return None if not b else a / b


# --- 1. the evaluation run against the SQL floor ---------------------------------------------------


def engine_compute(year: int) -> int:
    """Every step's computation with a fresh context, nothing written: the engine's own query and
    Python work, to set beside the floor (the run adds writing, targets, warnings, early warning)."""
    ctx = Context(year)
    return sum(len(compute_step(ctx, indicator, level)) for indicator, level in steps())


def task_body_run(year: int) -> EvaluationRun:
    """A run requested as the API requests it and executed by the Celery task's body in this
    process (what a worker does when it takes the task)."""
    run, created = request_run(year, enqueue=False)
    if not created:
        raise RuntimeError(f"a run for {year} is already under way (#{run.pk}); wait for it or mark it failed")
    evaluate(run.pk)  # the task body, called directly
    run.refresh_from_db()
    if run.status != "succeeded":
        raise RuntimeError(f"evaluation run #{run.pk} ended {run.status}: {run.error}")
    return run


def published_pairs(year: int) -> dict:
    rows = IndicatorValue.objects.published().filter(year=year).values_list(
        "indicator", "level", "program_id", "school_id", "consortium_id", "region_id", "sector_id",
        "numerator", "denominator",
    )
    return sql_floor.engine_pairs(rows)


def measure_evaluation(year: int, *, repeat: int, out) -> dict:
    out(f"evaluation {year}: warming up the floor")
    sql_floor.floor_all(year)
    floor_times, run_times, compute_times = [], [], []
    run = None
    for i in range(repeat):
        seconds, floor_result = timed(lambda: sql_floor.floor_all(year))
        floor_times.append(seconds)
        out(f"  floor #{i + 1}: {seconds:.2f} s ({len(sql_floor.STATEMENTS)} statements)")
        seconds, _rows = timed(lambda: engine_compute(year))
        compute_times.append(seconds)
        out(f"  engine compute only #{i + 1}: {seconds:.2f} s")
        seconds, run = timed(lambda: task_body_run(year))
        run_times.append(seconds)
        out(f"  run #{i + 1} (task body): {seconds:.2f} s, {run.value_count} values")
    differences = sql_floor.compare(floor_result, published_pairs(year))
    floor_s = statistics.median(floor_times)
    run_s = statistics.median(run_times)
    compute_s = statistics.median(compute_times)
    return {
        "year": year,
        "statements": len(sql_floor.STATEMENTS),
        "floor_seconds": floor_times,
        "run_seconds": run_times,
        "compute_seconds": compute_times,
        "floor_median": floor_s,
        "run_median": run_s,
        "compute_median": compute_s,
        "run_to_floor": ratio(run_s, floor_s),
        "compute_to_floor": ratio(compute_s, floor_s),
        "values": run.value_count,
        "warnings_opened": run.warnings_opened,
        "warnings_resolved": run.warnings_resolved,
        "identical": not differences,
        "differences": differences[:50],
        "difference_count": len(differences),
    }


# --- 2. API pages against floor views --------------------------------------------------------------


def token_for(user: User) -> str:
    _token, key = ApiToken.issue(user=user, name="bench")
    return key


class QueryCounter:
    """Counts the statements a block sends to the database (works whatever DEBUG says)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _sample(client: Client, url: str, headers: dict, n: int) -> tuple[list[float], int, int]:
    """n timed GETs after one warm-up; returns timings, the queries of one request and the status."""
    client.get(url, headers=headers)
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        response = client.get(url, headers=headers)
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        timings.append(time.perf_counter() - started)
    return timings, counter.count, response.status_code


def measure_api(personas: dict[str, User], *, n: int, out) -> list[dict]:
    results = []
    with override_settings(ROOT_URLCONF="bench.urls"):
        client = Client()
        for persona, user in personas.items():
            headers = {"Authorization": f"Token {token_for(user)}"}
            for prefix in RESOURCES:
                api_url = f"/api/v1/{prefix}/?page_size=100"
                floor_url = f"/bench/floor/{prefix}/?page_size=100"
                api_t, api_q, api_status = _sample(client, api_url, headers, n)
                floor_t, floor_q, floor_status = _sample(client, floor_url, headers, n)
                rows = len(client.get(floor_url, headers=headers).json()) if floor_status == 200 else 0
                row = {
                    "resource": prefix,
                    "persona": persona,
                    "rows": rows,
                    "status": api_status,
                    "api": summary(api_t),
                    "floor": summary(floor_t),
                    "api_queries": api_q,
                    "floor_queries": floor_q,
                }
                row["median_to_floor"] = ratio(row["api"]["median"], row["floor"]["median"])
                row["p95_to_floor"] = ratio(row["api"]["p95"], row["floor"]["p95"])
                out(
                    f"  {prefix:17} {persona:8} rows {rows:3}  api {row['api']['median'] * 1000:7.1f} ms"
                    f" ({api_q} q)  floor {row['floor']['median'] * 1000:7.1f} ms ({floor_q} q)"
                    f"  × {row['median_to_floor']:.2f}"
                )
                results.append(row)
    return results


# --- 3. dashboards ---------------------------------------------------------------------------------


def measure_dashboards(personas: dict[str, User], *, n: int, out) -> list[dict]:
    results = []
    for persona, user in personas.items():
        client = Client()
        client.force_login(user)
        timings, queries, status = _sample(client, "/evaluation/dashboard/", {}, n)
        row = {"dashboard": persona, "status": status, "render": summary(timings), "queries": queries}
        out(f"  dashboard {persona:8} {row['render']['median'] * 1000:8.1f} ms median, "
            f"p95 {row['render']['p95'] * 1000:8.1f} ms, {queries} queries (status {status})")
        results.append(row)
    return results


WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
               + summary.errors.status + summary.errors.timeout
  io.write(string.format("BENCH requests=%d duration_us=%d errors=%d p50=%d p95=%d p99=%d\\n",
    summary.requests, summary.duration, errors,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not listen on port {port} within {seconds} s")


def measure_load(personas: dict[str, User], *, seconds: int, connections: int, out) -> list[dict] | str:
    """wrk (a second process, `connections` clients) against gunicorn with 2 workers on this
    database, one dashboard at a time; requests per second and latency percentiles."""
    wrk = shutil.which("wrk")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if wrk is None:
        return "skipped: wrk is not installed (Debian: apt-get install wrk)"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": os.environ.get("DATABASE_URL", ""), "DEBUG": "false"}
    server = subprocess.Popen(  # nosec B603: our own gunicorn, fixed arguments
        [str(gunicorn), "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"],
        cwd=BASE_DIR, env=env, start_new_session=True,
    )
    results = []
    try:
        _wait_for(port)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        for persona, user in personas.items():
            client = Client()
            client.force_login(user)
            cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
            url = f"http://127.0.0.1:{port}/evaluation/dashboard/"
            subprocess.run(  # nosec B603: warm both workers
                [wrk, "-t1", "-c2", "-d2s", "-H", f"Cookie: {cookie}", url], capture_output=True, check=False
            )
            done = subprocess.run(  # nosec B603: fixed arguments
                [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", script.name,
                 "-H", f"Cookie: {cookie}", url],
                capture_output=True, text=True, check=False,
            )
            match = re.search(r"BENCH requests=(\d+) duration_us=(\d+) errors=(\d+) p50=(\d+) p95=(\d+) p99=(\d+)",
                              done.stdout)
            if match is None:
                raise RuntimeError(f"wrk gave no result: {done.stdout}\n{done.stderr}")
            requests, duration, errors, p50, p95, p99 = map(int, match.groups())
            row = {
                "dashboard": persona,
                "connections": connections,
                "seconds": seconds,
                "requests": requests,
                "errors": errors,
                "requests_per_second": requests / (duration / 1e6),
                "p50_ms": p50 / 1000,
                "p95_ms": p95 / 1000,
                "p99_ms": p99 / 1000,
            }
            out(f"  load {persona:8} {row['requests_per_second']:7.1f} req/s, p95 {row['p95_ms']:8.1f} ms, "
                f"{errors} errors ({requests} requests, {connections} clients, {seconds} s)")
            results.append(row)
        os.unlink(script.name)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return results


def ensure_previous_year(year: int, out) -> None:
    """The dashboards compare with last year: make sure Y−1 has a published run (not timed)."""
    if not IndicatorValue.objects.published().filter(year=year - 1).exists():
        out(f"evaluating {year - 1} first (dashboards compare with last year; not timed)")
        run_now(year - 1)
