"""`make bench SCALE=tiny` end to end on the test database: the evaluation run and the SQL floor
agree on every value, and every measurement is written. A correctness test: nothing here asserts a
timing."""
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from evaluation.indicators.engine import steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark runs on PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres")


def test_bench_tiny_agrees_with_the_sql_floor_and_writes_its_results(postgresql, tmp_path):
    call_command("bench", "--scale", "tiny", "--here", "--no-load", "--requests", "3", "--out", str(tmp_path))

    [json_file] = tmp_path.glob("tiny-*.json")
    result = json.loads(json_file.read_text())
    evaluation = result["evaluation"]
    assert evaluation["identical"] is True, evaluation["differences"]
    assert evaluation["difference_count"] == 0
    assert evaluation["statements"] == len(steps())
    assert evaluation["values"] > 0
    assert result["data"]["total_rows"] > 0

    # Every API page and its floor answered with rows, both personas, all five resources.
    assert {(r["resource"], r["persona"]) for r in result["api"]} == {
        (resource, persona)
        for resource in ("schools", "programs", "teachers", "partnerships", "indicator-values")
        for persona in ("reviewer", "college")
    }
    for row in result["api"]:
        assert row["status"] == 200, row
        assert row["rows"] > 0, row
        assert row["api_queries"] > 0 and row["floor_queries"] > 0
    assert {r["dashboard"]: r["status"] for r in result["dashboards"]} == {"region": 200, "school": 200}

    markdown = json_file.with_suffix(".md").read_text()
    assert "Identical numbers: **yes**" in markdown
    assert "| indicator-values | reviewer |" in markdown


def test_bench_refuses_sqlite_with_a_clear_message(db):
    if connection.vendor == "postgresql":
        pytest.skip("checks the message given on SQLite")
    with pytest.raises(CommandError, match="runs on PostgreSQL"):
        call_command("bench", "--scale", "tiny", "--here")
