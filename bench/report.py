"""Results of `make bench`: the JSON file, the Markdown summary and the verdicts against the targets."""
from __future__ import annotations

import json
from pathlib import Path

# Targets of the benchmark issue.
RUN_TO_FLOOR = 1.3
API_TO_FLOOR = 2.0


def latest(results_dir: Path, scale: str, *, before: str | None = None) -> dict | None:
    """The newest results file of another scale (for the scaling comparison)."""
    files = sorted(results_dir.glob(f"{scale}-*.json"))
    if before:
        files = [f for f in files if f.name != before]
    return json.loads(files[-1].read_text()) if files else None


def scaling(small: dict, large: dict) -> dict:
    """Run time growth against data growth, and query counts that must not change with scale."""
    rows = large["data"]["total_rows"] / small["data"]["total_rows"]
    run = large["evaluation"]["run_median"] / small["evaluation"]["run_median"]
    floor = large["evaluation"]["floor_median"] / small["evaluation"]["floor_median"]
    api_small = {(r["resource"], r["persona"]): r["api_queries"] for r in small["api"]}
    api_large = {(r["resource"], r["persona"]): r["api_queries"] for r in large["api"]}
    dash_small = {r["dashboard"]: r["queries"] for r in small["dashboards"]}
    dash_large = {r["dashboard"]: r["queries"] for r in large["dashboards"]}
    return {
        "from": small["scale"],
        "to": large["scale"],
        "rows_ratio": rows,
        "run_ratio": run,
        "floor_ratio": floor,
        "run_grows_no_faster_than_data": run <= rows,
        "api_query_counts_identical": api_small == api_large,
        "api_query_counts": {f"{k[0]} as {k[1]}": [api_small.get(k), api_large.get(k)] for k in api_large},
        "dashboard_query_counts_identical": dash_small == dash_large,
        "dashboard_query_counts": {k: [dash_small.get(k), v] for k, v in dash_large.items()},
    }


def verdicts(result: dict) -> list[tuple[str, bool | None, str]]:
    evaluation = result["evaluation"]
    items = [
        ("evaluation run and SQL floor give identical numbers", evaluation["identical"],
         f"{evaluation['difference_count']} differences over {evaluation['values']} values"),
        (f"evaluation run ≤ {RUN_TO_FLOOR} × SQL floor", evaluation["run_to_floor"] <= RUN_TO_FLOOR,
         f"{evaluation['run_to_floor']:.2f} ×"),
    ]
    worst = max(result["api"], key=lambda r: r["median_to_floor"])
    items.append(
        (f"API pages ≤ {API_TO_FLOOR} × floor view (median)", all(r["median_to_floor"] <= API_TO_FLOOR for r in result["api"]),
         f"worst {worst['resource']} as {worst['persona']}: {worst['median_to_floor']:.2f} ×")
    )
    if result.get("scaling"):
        s = result["scaling"]
        items += [
            (f"run time grows no faster than the data ({s['from']} → {s['to']})", s["run_grows_no_faster_than_data"],
             f"data × {s['rows_ratio']:.1f}, run × {s['run_ratio']:.1f}"),
            ("API query counts identical at both scales", s["api_query_counts_identical"], ""),
            ("dashboard query counts identical at both scales", s["dashboard_query_counts_identical"], ""),
        ]
    return items


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def markdown(result: dict) -> str:
    e = result["evaluation"]
    lines = [
        f"# Benchmark: {result['scale']} scale, {result['date']}",
        "",
        (f"Machine: {result['machine']['cpus']} CPUs, {result['machine']['memory_gb']} GB, "
         f"{result['machine']['postgresql']}, Python {result['machine']['python']}, commit {result['machine']['commit']}."),
        "",
        f"Data: {result['data']['total_rows']:,} rows "
        f"(generated in {result['data']['seconds']:.0f} s" + (", reused" if result["data"].get("reused") else "") + ").",
        "",
        "| table | rows |",
        "|---|---:|",
        *[f"| {table} | {rows:,} |" for table, rows in sorted(result["data"]["tables"].items())],
        "",
        "## Verdicts",
        "",
        "| target | met | figures |",
        "|---|---|---|",
        *[f"| {name} | {'yes' if ok else 'NO'} | {detail} |" for name, ok, detail in verdicts(result)],
        "",
        f"## Evaluation run, year {e['year']}",
        "",
        "| | seconds (median) | × floor |",
        "|---|---:|---:|",
        f"| SQL floor ({e['statements']} statements, results fetched, nothing written) | {e['floor_median']:.2f} | 1.00 |",
        f"| engine computation only (same outputs, nothing written) | {e['compute_median']:.2f} | {e['compute_to_floor']:.2f} |",
        (f"| evaluation run: Celery task body (computes, writes {e['values']:,} values, "
         f"{e['warnings_opened']:,} warnings opened, early warning, publishes) | {e['run_median']:.2f} | "
         f"{e['run_to_floor']:.2f} |"),
        "",
        f"Identical numbers: **{'yes' if e['identical'] else 'NO'}** ({e['difference_count']} differences).",
        "",
        "## API: 100-row pages",
        "",
        "| resource | as | rows | API median ms | API p95 ms | queries | floor median ms | floor p95 ms | floor queries | × floor (median) | × floor (p95) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[
            f"| {r['resource']} | {r['persona']} | {r['rows']} | {_ms(r['api']['median'])} | {_ms(r['api']['p95'])} | "
            f"{r['api_queries']} | {_ms(r['floor']['median'])} | {_ms(r['floor']['p95'])} | {r['floor_queries']} | "
            f"{r['median_to_floor']:.2f} | {r['p95_to_floor']:.2f} |"
            for r in result["api"]
        ],
        "",
        "## Dashboards",
        "",
        "| dashboard | median ms | p95 ms | queries |",
        "|---|---:|---:|---:|",
        *[f"| {r['dashboard']} | {_ms(r['render']['median'])} | {_ms(r['render']['p95'])} | {r['queries']} |"
          for r in result["dashboards"]],
        "",
    ]
    load = result.get("load")
    if isinstance(load, list) and load:
        lines += [
            f"Under load (wrk, {load[0]['connections']} clients, {load[0]['seconds']} s, gunicorn 2 workers):",
            "",
            "| dashboard | requests/s | p50 ms | p95 ms | p99 ms | errors |",
            "|---|---:|---:|---:|---:|---:|",
            *[f"| {r['dashboard']} | {r['requests_per_second']:.1f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
              f"{r['p99_ms']:.1f} | {r['errors']} |" for r in load],
            "",
        ]
    elif load:
        lines += [f"Load: {load}", ""]
    if result.get("scaling"):
        s = result["scaling"]
        lines += [
            f"## Scaling {s['from']} → {s['to']}",
            "",
            f"Data × {s['rows_ratio']:.2f}; evaluation run × {s['run_ratio']:.2f}; SQL floor × {s['floor_ratio']:.2f}.",
            "",
            "| request | queries at " + s["from"] + " | queries at " + s["to"] + " |",
            "|---|---:|---:|",
            *[f"| API {k} | {v[0]} | {v[1]} |" for k, v in s["api_query_counts"].items()],
            *[f"| dashboard {k} | {v[0]} | {v[1]} |" for k, v in s["dashboard_query_counts"].items()],
            "",
        ]
    if not e["identical"]:
        lines += ["## Differences (first 50)", "", *[f"- {d}" for d in e["differences"]], ""]
    return "\n".join(lines)


def table(result: dict) -> str:
    """The short table printed at the end of `make bench`."""
    return "\n".join(f"{'ok ' if ok else 'MISS'} {name}: {detail}" for name, ok, detail in verdicts(result))
