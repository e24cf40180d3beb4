"""`manage.py evaluate`: runs the evaluation of a year in this process and reports what it
published; refuses an implausible year and a year whose run is already under way, starting nothing."""
from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from evaluation import runs
from evaluation.models import EvaluationRun, IndicatorValue
from evaluation.tests.world import SMALL_WORLD_VALUES, SMALL_WORLD_WARNINGS, Y, small_world

pytestmark = pytest.mark.django_db


def test_evaluate_runs_the_year_and_prints_its_counts():
    small_world()
    out = StringIO()

    call_command("evaluate", "--year", "2025", stdout=out)

    run = EvaluationRun.objects.get()
    assert (run.year, run.status, run.published, run.trigger) == (2025, "succeeded", True, "command")
    assert IndicatorValue.objects.published().count() == SMALL_WORLD_VALUES == 70
    printed = out.getvalue()
    assert f"Run #{run.pk} for 2025 succeeded" in printed
    assert f"{SMALL_WORLD_VALUES} values, {SMALL_WORLD_WARNINGS} warnings opened, 0 resolved." in printed


def test_an_implausible_year_is_refused_and_nothing_is_started():
    with pytest.raises(CommandError) as error:
        call_command("evaluate", "--year", "1800", stdout=StringIO())
    assert "1950" in str(error.value)  # names the allowed range, not a traceback
    assert not EvaluationRun.objects.exists()


def test_a_year_with_a_run_under_way_is_refused_naming_that_run():
    queued, _ = runs.request_run(Y, enqueue=False)

    with pytest.raises(CommandError) as error:
        call_command("evaluate", "--year", str(Y), stdout=StringIO())

    message = str(error.value)
    assert f"#{queued.pk}" in message and "queued" in message and str(Y) in message
    assert list(EvaluationRun.objects.all()) == [queued]
