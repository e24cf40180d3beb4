"""Warnings (INDICATORS.md, "Warnings"): the severity of a miss, exactly at its edges, and the
lifecycle of a warning through real runs: opened by the first run that finds the breach, kept (not
duplicated) by later ones, an acknowledgement kept while the breach holds, resolved when the data is
fixed, a new warning when it breaks again; no data (a zero denominator) is never a warning.

Runs use `world.small_world()`: pA's employment is 40/50 = 0.8 against 0.85, a medium warning at
program, school, prefecture C and province P alike.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from evaluation import runs, services
from evaluation.models import Warning
from evaluation.targets import Target
from evaluation.tests.world import Y, program_year, published_value, small_world, unresolved_warning
from portal.tests.factories import ReviewerFactory
from programs.tests.factories import ProgramFactory

MIN, MAX, BAND = "min", "max", "band"


# --- severity -------------------------------------------------------------------------------------


@pytest.mark.parametrize("target, numerator, denominator, severity", [
    # min 0.50: medium below 0.50, high below 0.50 − 0.25 = 0.25.
    (Target(MIN, 0.50), 1, 2, None),  # exactly at the target
    (Target(MIN, 0.50), 51, 100, None),
    (Target(MIN, 0.50), 49, 100, "medium"),
    (Target(MIN, 0.50), 1, 4, "medium"),  # exactly 0.25: not beyond half
    (Target(MIN, 0.50), 24, 100, "high"),
    (Target(MIN, 0.50), 0, 7, "high"),
    # min 0.85, which is no exact binary float: 85/100 and 17/20 meet it.
    (Target(MIN, 0.85), 85, 100, None),
    (Target(MIN, 0.85), 17, 20, None),
    (Target(MIN, 0.85), Decimal("42.5"), Decimal("50"), None),
    (Target(MIN, 0.85), 84, 100, "medium"),
    (Target(MIN, 0.85), 17, 40, "medium"),  # exactly 0.425
    (Target(MIN, 0.85), 42, 100, "high"),
    # min 1.00 (teacher practice): high below 0.50.
    (Target(MIN, 1.00), 1, 2, "medium"),
    (Target(MIN, 1.00), 49, 100, "high"),
    # min 3.5 (a mean score): high below 1.75.
    (Target(MIN, 3.5), 7, 2, None),
    (Target(MIN, 3.5), 6, 2, "medium"),
    (Target(MIN, 3.5), 7, 4, "medium"),  # exactly 1.75
    (Target(MIN, 3.5), 17, 10, "high"),
    # min −0.30 (enrolment change): medium below −0.30, high below −0.30 − 0.15 = −0.45.
    (Target(MIN, -0.30), -30, 100, None),
    (Target(MIN, -0.30), -31, 100, "medium"),
    (Target(MIN, -0.30), -45, 100, "medium"),
    (Target(MIN, -0.30), -46, 100, "high"),
    # max 0.20: medium above 0.20, high above 0.30.
    (Target(MAX, 0.20), 1, 5, None),
    (Target(MAX, 0.20), 0, 5, None),
    (Target(MAX, 0.20), 21, 100, "medium"),
    (Target(MAX, 0.20), 3, 10, "medium"),  # exactly 0.30
    (Target(MAX, 0.20), 31, 100, "high"),
    # band 0.8 – 1.5: below 0.8 (high below 0.4), above 1.5 (high above 2.25).
    (Target(BAND, 0.8, 1.5), 4, 5, None),
    (Target(BAND, 0.8, 1.5), 3, 2, None),
    (Target(BAND, 0.8, 1.5), 1, 1, None),
    (Target(BAND, 0.8, 1.5), 79, 100, "medium"),
    (Target(BAND, 0.8, 1.5), 2, 5, "medium"),  # exactly 0.4
    (Target(BAND, 0.8, 1.5), 39, 100, "high"),
    (Target(BAND, 0.8, 1.5), 151, 100, "medium"),
    (Target(BAND, 0.8, 1.5), 9, 4, "medium"),  # exactly 2.25
    (Target(BAND, 0.8, 1.5), 226, 100, "high"),
    # No data: a zero or missing denominator, or a missing numerator.
    (Target(MIN, 0.50), 0, 0, None),
    (Target(MIN, 0.50), 3, 0, None),
    (Target(MIN, -0.30), None, None, None),
    (Target(MIN, -0.30), 40, 0, None),
    (Target(BAND, 0.8, 1.5), 50, 0, None),
])
def test_severity_of_a_miss(target, numerator, denominator, severity):
    assert target.miss(numerator, denominator) == severity


# --- lifecycle through runs -----------------------------------------------------------------------


@pytest.fixture
def world(db):
    return small_world()


def employment_warnings(world) -> list[Warning]:
    return list(Warning.objects.filter(indicator="employment_rate", level="program", program=world.pA).order_by("pk"))


def set_employed(world, employed: int) -> None:
    """Change pA's employed graduates (those in their field and by partners at most as many)."""
    record = world.record
    record.employed = employed
    record.employed_in_field = min(30, employed)
    record.employed_by_partners = min(10, employed)
    record.save()


def test_the_first_run_opens_a_warning_with_its_value_target_and_severity(world):
    run, _ = runs.run_now(Y)

    [warning] = employment_warnings(world)
    assert (warning.status, warning.severity, warning.value, warning.target, warning.target_upper) == (
        "open", "medium", 0.8, 0.85, None)
    assert (warning.year, warning.subject_key, warning.school_id) == (Y, f"program:{world.pA.pk}", world.A.pk)
    assert (warning.opened_by_run, warning.last_seen_run, warning.resolved_at) == (run, run, None)
    region = unresolved_warning("employment_rate", level="region", region=world.P)
    assert (region.subject_key, region.severity, region.value) == (f"region:{world.P.pk}", "medium", 0.8)
    # 0.25 against 0.50 is medium, not high; co-developed courses 0/1 against 0.20 is high.
    assert unresolved_warning("practical_hours_share", level="program", program=world.pA).severity == "medium"
    assert unresolved_warning("codeveloped_course_share", level="school", school=world.A).severity == "high"


def test_a_value_exactly_at_its_target_opens_no_warning(world):
    runs.run_now(Y)
    assert published_value("order_class_share", level="program", program=world.pA).value == 0.2
    assert not Warning.objects.filter(indicator="order_class_share").exists()


def test_a_re_run_keeps_the_warning_instead_of_duplicating_it(world):
    first, _ = runs.run_now(Y)
    second, _ = runs.run_now(Y)

    [warning] = employment_warnings(world)
    assert (warning.status, warning.opened_by_run, warning.last_seen_run) == ("open", first, second)
    assert (second.warnings_opened, second.warnings_resolved) == (0, 0)
    assert Warning.objects.count() == 15


def test_an_acknowledgement_is_kept_while_the_breach_holds_and_the_figures_follow(world):
    runs.run_now(Y)
    reviewer = ReviewerFactory(region=world.P)
    [warning] = employment_warnings(world)
    acknowledged = services.warning_acknowledge(warning, by=reviewer, note="已约谈学校")
    set_employed(world, 20)  # 20/50 = 0.4, below 0.85 − 0.425 = 0.425: high

    run, _ = runs.run_now(Y)

    [kept] = employment_warnings(world)
    assert kept.pk == warning.pk
    assert (kept.status, kept.acknowledged_by, kept.note) == ("acknowledged", reviewer, "已约谈学校")
    assert kept.acknowledged_at == acknowledged.acknowledged_at is not None
    assert (kept.value, kept.severity, kept.last_seen_run) == (0.4, "high", run)
    assert (run.warnings_opened, run.warnings_resolved) == (0, 0)


def test_a_warning_resolves_when_the_data_is_fixed_and_a_new_one_opens_when_it_breaks_again(world):
    runs.run_now(Y)
    [warning] = employment_warnings(world)
    Warning.objects.filter(pk=warning.pk).update(status="acknowledged")
    set_employed(world, 45)  # 0.9

    fixed, _ = runs.run_now(Y)

    [resolved] = employment_warnings(world)
    assert resolved.status == "resolved" and resolved.resolved_at is not None
    # Employment resolves at pA, A, C and P; nothing else changed.
    assert (fixed.warnings_opened, fixed.warnings_resolved) == (0, 4)
    assert not Warning.objects.filter(indicator="employment_rate", status__in=["open", "acknowledged"]).exists()
    assert unresolved_warning("practical_hours_share", level="program", program=world.pA) is not None

    set_employed(world, 40)
    broken, _ = runs.run_now(Y)

    old, new = employment_warnings(world)
    assert old.pk == warning.pk and (old.status, old.resolved_at) == ("resolved", resolved.resolved_at)
    assert (new.status, new.severity, new.value, new.opened_by_run) == ("open", "medium", 0.8, broken)
    assert (broken.warnings_opened, broken.warnings_resolved) == (4, 0)


def test_no_data_gives_a_null_value_and_no_warning(world):
    """pB has a record for Y without graduates (employment 0 ÷ 0) and a new intake of 10 after none
    the year before (enrolment change 10 ÷ 0)."""
    pB = ProgramFactory(school=world.A, sector=world.S)
    program_year(pB, enrolled=10)
    program_year(pB, year=Y - 1, enrolled=0)

    runs.run_now(Y)

    employment = published_value("employment_rate", level="program", program=pB)
    assert (employment.numerator, employment.denominator, employment.value, employment.target) == (0, 0, None, 0.85)
    change = published_value("enrolment_change", level="program", program=pB)
    assert (change.numerator, change.denominator, change.value) == (10, 0, None)
    assert not Warning.objects.filter(program=pB).exists()
    # A's employment still pools to 40/50.
    assert unresolved_warning("employment_rate", level="school", school=world.A).value == 0.8
