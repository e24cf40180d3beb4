"""Program early warning (INDICATORS.md, 专业预警与退出) through real runs for Y = 2025: the run
evaluates 2025, 2024 and 2023 from the records; a year is flagged by any of low practical share,
low employment, no partnership active in the year, enrolment down by more than 30 %; two
consecutive flagged years ending with Y advise `enrolment_reduced`, three `suspended`.

`clean_program()` meets every condition exactly at its edge unless a test changes one: practical
share 10/20 = 0.50, a joint-R&D partnership linked to it and active since 1 Sep 2023 (so in 2023,
2024 and 2025), no program-year records (employment and enrolment change: no data).
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from evaluation import runs
from evaluation.models import ProgramRecommendation, TargetOverride
from evaluation.tests.world import Y, d, partnership, program_year
from partnerships.choices import PartnershipStatus
from portal.tests.factories import RegionFactory, SchoolFactory
from programs.choices import ProgramStatus
from programs.tests.factories import CourseFactory, ProgramFactory

LOW_PRACTICAL, LOW_EMPLOYMENT = "low_practical_share", "low_employment"
NO_PARTNERSHIP, ENROLMENT_DROP = "no_partnership", "enrolment_drop"

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions(db):
    """School A lies in prefecture C of province P."""
    o = SimpleNamespace(P=RegionFactory())
    o.C = RegionFactory(prefecture=True, parent=o.P)
    o.A = SchoolFactory(region=o.C)
    return o


def clean_program(school, *, established=2015, practical=(10, 10), partnered=True, status=ProgramStatus.ACTIVE):
    program = ProgramFactory(school=school, established_year=established, status=status)
    CourseFactory(program=program, theory_hours=practical[0], practice_hours=practical[1])
    if partnered:
        partnership(school, start=d(2023, 9, 1), programs=[program])
    return program


def low_employment(program, *years):
    """84 of 100 graduates employed (0.84 < 0.85) in each of `years`."""
    for year in years:
        program_year(program, year=year, graduates=100, employed=84)


def advice(program) -> ProgramRecommendation:
    runs.run_now(Y)
    return ProgramRecommendation.objects.published().get(program=program)


def assert_advice(recommendation, consecutive, recommended, history):
    """`history` maps each evaluated year to the conditions that held (compared as sets)."""
    assert recommendation.year == Y
    assert set(recommendation.conditions) == set(history[Y])
    assert (recommendation.consecutive_years, recommendation.recommendation) == (consecutive, recommended)
    assert set(recommendation.history) == {str(Y), str(Y - 1), str(Y - 2)}
    assert {int(year): set(conditions) for year, conditions in recommendation.history.items()} == {
        year: set(conditions) for year, conditions in history.items()
    }


def test_a_program_at_every_edge_is_not_flagged(regions):
    """Practical share exactly 0.50, employment exactly 85/100, enrolment change exactly −30 %."""
    program = clean_program(regions.A)
    program_year(program, year=Y - 1, enrolled=100)
    program_year(program, graduates=100, employed=85, enrolled=70)

    recommendation = advice(program)

    assert recommendation.school == regions.A
    assert_advice(recommendation, 0, "none", {Y: [], Y - 1: [], Y - 2: []})


# --- each condition alone -------------------------------------------------------------------------


def low_practical_share_in_y(school):
    """9 practice hours of 20 (0.45). Courses are current records, the same for every year
    evaluated, so the program is established in Y to be evaluated in Y alone."""
    return clean_program(school, established=Y, practical=(11, 9)), {Y: [LOW_PRACTICAL], Y - 1: [], Y - 2: []}


def low_employment_in_y(school):
    program = clean_program(school)
    low_employment(program, Y)
    program_year(program, year=Y - 1, graduates=100, employed=90)
    return program, {Y: [LOW_EMPLOYMENT], Y - 1: [], Y - 2: []}


def no_partnership_in_y(school):
    """Its partnership ended on 31 Aug 2025; a partnership active in Y that is linked to another
    program, and a proposal linked to it, do not count."""
    program = clean_program(school, partnered=False)
    partnership(school, status=PartnershipStatus.ENDED, start=d(2023, 9, 1), end=d(2025, 8, 31), programs=[program])
    partnership(school, programs=[ProgramFactory(school=school)])
    partnership(school, status=PartnershipStatus.PROPOSED, start=d(2025, 9, 1), programs=[program])
    return program, {Y: [NO_PARTNERSHIP], Y - 1: [], Y - 2: []}


def enrolment_drop_in_y(school):
    """New intake 100 in 2023 and 2024, 69 in 2025: −31 % in Y, 0 in Y−1, no data in Y−2."""
    program = clean_program(school)
    program_year(program, year=Y - 2, enrolled=100)
    program_year(program, year=Y - 1, enrolled=100)
    program_year(program, enrolled=69)
    return program, {Y: [ENROLMENT_DROP], Y - 1: [], Y - 2: []}


@pytest.mark.parametrize("build", [low_practical_share_in_y, low_employment_in_y, no_partnership_in_y,
                                   enrolment_drop_in_y])
def test_each_condition_alone_flags_the_year(regions, build):
    program, history = build(regions.A)
    assert_advice(advice(program), 1, "none", history)


def test_low_practical_share_holds_in_every_year_evaluated(regions):
    """Current courses are the only course records: a program established long ago with a low
    practical share is flagged in Y, Y−1 and Y−2 alike."""
    program = clean_program(regions.A, practical=(11, 9))
    assert_advice(advice(program), 3, "suspended",
                  {Y: [LOW_PRACTICAL], Y - 1: [LOW_PRACTICAL], Y - 2: [LOW_PRACTICAL]})


def test_several_conditions_of_a_year_are_all_listed(regions):
    """In Y: employment 50/100, its partnership ended on 31 Aug 2025, intake 100 → 50."""
    program = clean_program(regions.A, partnered=False)
    partnership(regions.A, status=PartnershipStatus.ENDED, start=d(2023, 9, 1), end=d(2025, 8, 31),
                programs=[program])
    program_year(program, year=Y - 1, enrolled=100)
    program_year(program, graduates=100, employed=50, enrolled=50)
    assert_advice(advice(program), 1, "none", {Y: [LOW_EMPLOYMENT, NO_PARTNERSHIP, ENROLMENT_DROP], Y - 1: [],
                                              Y - 2: []})


# --- consecutive years ----------------------------------------------------------------------------


@pytest.mark.parametrize("flagged, consecutive, recommended", [
    ([Y], 1, "none"),
    ([Y, Y - 1], 2, "enrolment_reduced"),
    ([Y, Y - 1, Y - 2], 3, "suspended"),
    ([Y - 1, Y - 2], 0, "none"),  # flagged before, not in Y
    ([Y, Y - 2], 1, "none"),  # Y−1 breaks the run of years
    ([Y - 1], 0, "none"),
])
def test_consecutive_flagged_years_ending_with_y_decide_the_advice(regions, flagged, consecutive, recommended):
    program = clean_program(regions.A)
    low_employment(program, *flagged)
    history = {year: [LOW_EMPLOYMENT] if year in flagged else [] for year in (Y, Y - 1, Y - 2)}
    assert_advice(advice(program), consecutive, recommended, history)


def test_any_condition_counts_towards_consecutive_years(regions):
    """Y−2: low employment; Y−1: intake 100 → 60 (−40 %); Y: no partnership (it ended on 31 Aug 2025)."""
    program = clean_program(regions.A, partnered=False)
    partnership(regions.A, status=PartnershipStatus.ENDED, start=d(2023, 9, 1), end=d(2025, 8, 31),
                programs=[program])
    program_year(program, year=Y - 2, graduates=100, employed=84, enrolled=100)
    program_year(program, year=Y - 1, enrolled=60)
    program_year(program, enrolled=60)
    assert_advice(advice(program), 3, "suspended",
                  {Y: [NO_PARTNERSHIP], Y - 1: [ENROLMENT_DROP], Y - 2: [LOW_EMPLOYMENT]})


# --- regional employment targets ------------------------------------------------------------------


@pytest.mark.parametrize("overrides, employed, consecutive, recommended", [
    ({}, 84, 2, "enrolment_reduced"),  # 0.84 < 0.85
    ({"P": 0.80}, 84, 0, "none"),  # the province's own target, 0.84 ≥ 0.80
    ({"P": 0.80, "C": 0.90}, 88, 2, "enrolment_reduced"),  # the prefecture's is nearer: 0.88 < 0.90
    ({}, 88, 0, "none"),  # 0.88 meets the default
], ids=["default", "province lowers it", "prefecture raises it", "default met"])
def test_the_employment_target_of_the_programs_region_decides(regions, overrides, employed, consecutive, recommended):
    for name, target in overrides.items():
        TargetOverride.objects.create(indicator="employment_rate", region=getattr(regions, name), target=target)
    program = clean_program(regions.A)
    for year in (Y, Y - 1):
        program_year(program, year=year, graduates=100, employed=employed)
    flagged = [LOW_EMPLOYMENT] if consecutive else []
    assert_advice(advice(program), consecutive, recommended, {Y: flagged, Y - 1: flagged, Y - 2: []})


def test_another_regions_employment_target_does_not_apply(regions):
    TargetOverride.objects.create(indicator="employment_rate", region=RegionFactory(), target=0.5)
    program = clean_program(regions.A)
    low_employment(program, Y)
    assert_advice(advice(program), 1, "none", {Y: [LOW_EMPLOYMENT], Y - 1: [], Y - 2: []})


# --- which programs and years ---------------------------------------------------------------------


@pytest.mark.parametrize("established, consecutive, recommended, evaluated", [
    (Y - 2, 3, "suspended", [Y, Y - 1, Y - 2]),
    (Y - 1, 2, "enrolment_reduced", [Y, Y - 1]),
    (Y, 1, "none", [Y]),
    (Y + 1, 0, "none", []),
])
def test_years_before_the_program_was_established_are_not_flagged(regions, established, consecutive, recommended,
                                                                   evaluated):
    """Low employment is recorded for all three years; only those from the established year count."""
    program = clean_program(regions.A, established=established)
    low_employment(program, Y, Y - 1, Y - 2)
    history = {year: [LOW_EMPLOYMENT] if year in evaluated else [] for year in (Y, Y - 1, Y - 2)}
    assert_advice(advice(program), consecutive, recommended, history)


def test_every_current_program_gets_advice_and_closed_ones_none(regions):
    """A program's status is the college's decision: suspended or warned programs are still current."""
    active = clean_program(regions.A)
    suspended = clean_program(regions.A, status=ProgramStatus.SUSPENDED)
    closed = clean_program(regions.A, status=ProgramStatus.CLOSED, partnered=False, practical=(20, 0))
    for program in (active, suspended, closed):
        low_employment(program, Y, Y - 1, Y - 2)

    run, _ = runs.run_now(Y)

    recommendations = ProgramRecommendation.objects.published().filter(run=run)
    assert {r.program_id: r.recommendation for r in recommendations} == {active.pk: "suspended",
                                                                          suspended.pk: "suspended"}
    assert not ProgramRecommendation.objects.filter(program=closed).exists()
    closed.refresh_from_db()
    suspended.refresh_from_db()
    assert (closed.status, suspended.status) == ("closed", "suspended")  # advice changes no status
    active.refresh_from_db()
    assert active.status == "active"
