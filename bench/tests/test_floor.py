"""The SQL floor (bench/floor.py) computes exactly what the evaluation engine computes: every
(indicator, level) step, every subject with the same numerator and denominator, on the demo data and
on the hand-built worlds of the engine's own tests plus the edge cases listed in `edge_cases()`.
PostgreSQL only (the floor is PostgreSQL SQL): run with DATABASE_URL=postgres://…"""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import override_settings

from bench.floor import STATEMENTS, VALUE_FIELDS, compare, engine_pairs, floor_all
from demo.seed import seed_demo
from evaluation import runs
from evaluation.choices import RunStatus
from evaluation.indicators.engine import compute_all, steps
from evaluation.models import IndicatorValue
from evaluation.tests.factories import FeedbackFactory, FeedbackScoreFactory
from evaluation.tests.test_indicators import w  # noqa: F401  (the engine tests' world, as a fixture)
from evaluation.tests.world import healthy_school, small_world
from partnerships.choices import ContributionParty, PartnershipKind, PartnershipStatus
from partnerships.tests.factories import (
    ConsortiumFactory,
    ConsortiumMemberFactory,
    ContributionFactory,
    PartnershipFactory,
    TalentDemandFactory,
    TrainingBaseFactory,
    TrainingBaseUsageFactory,
)
from portal.choices import RegionLevel
from portal.tests.factories import (
    EnterpriseFactory,
    RegionFactory,
    SchoolFactory,
    SectorFactory,
)
from programs.choices import ProgramStatus
from programs.models import ProgramYear
from programs.tests.factories import (
    CourseFactory,
    ProgramFactory,
    ProgramYearFactory,
    TeacherFactory,
    TeacherPlacementFactory,
)

pytestmark = pytest.mark.django_db

d = datetime.date
YEARS = (2023, 2024, 2025)
NOT_POSTGRESQL = "the SQL floor is PostgreSQL SQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/floor"


def skip_unless_postgresql() -> None:
    """Read the configured database at test time (not at import), so DATABASE_URL decides."""
    if connection.vendor != "postgresql":
        pytest.skip(NOT_POSTGRESQL)


@pytest.fixture
def postgresql(db):
    skip_unless_postgresql()


def differences(year: int) -> list[str]:
    return compare(floor_all(year), engine_pairs(compute_all(year)))


# --- the demo data --------------------------------------------------------------------------------


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo seed (no evaluation), once for the class, rolled back at its end."""
    with django_db_blocker.unblock():
        skip_unless_postgresql()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                seed_demo()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.usefixtures("demo")
class TestDemoData:
    @pytest.mark.parametrize("year", YEARS)
    def test_floor_gives_the_engines_values(self, year):
        floor = floor_all(year)
        assert compare(floor, engine_pairs(compute_all(year))) == []
        # Not vacuous: every level has subjects, and nearly every step has a numerator somewhere.
        assert {level for (_key, level), pairs in floor.items() if pairs} == {level for _i, level in steps()}
        with_data = [step for step, pairs in floor.items() if any(num for num, _den in pairs.values())]
        assert len(with_data) >= len(STATEMENTS) - 2


# --- hand-built worlds ----------------------------------------------------------------------------


def edge_cases() -> None:
    """Records the engine tests' world does not have, each at a place where the floor could differ.

    - a school in a county (region chain three deep: county → prefecture → province);
    - teacher placements: one nested inside another, two adjacent ones making exactly 30 days, the
      same placement twice, one spanning years, one outside every year evaluated;
    - a program with only the record of the year before (enrolment change: no numerator, a
      denominator), one with only non-professional courses, one with a zero-graduate record;
    - a school and an enterprise that are both members of two consortia (a partnership, a
      contribution and the school's training base count for each), a consortium owning a base;
    - contributions of the school party only (an enterprise sum of nothing);
    - feedback on a partnership of the county school; a closed program's feedback;
    - talent demand in a province without schools (a region × sector pair from demand alone);
    - a certified enterprise in that province (no region row there: no school).
    """
    province = RegionFactory()
    city = RegionFactory(level=RegionLevel.PREFECTURE, parent=province)
    county = RegionFactory(level=RegionLevel.COUNTY, parent=city)
    lonely = RegionFactory()  # no school anywhere below it
    sector, other_sector = SectorFactory(), SectorFactory()
    school = SchoolFactory(region=county)
    firm = EnterpriseFactory(region=county, sector=sector, integration_certified=True)
    EnterpriseFactory(region=lonely, sector=sector, integration_certified=True)

    program = ProgramFactory(school=school, sector=sector)
    CourseFactory(program=program, theory_hours=10, practice_hours=0)
    only_before = ProgramFactory(school=school, sector=sector, status=ProgramStatus.SUSPENDED)
    CourseFactory(program=only_before, theory_hours=10, practice_hours=5, professional=False)
    closed = ProgramFactory(school=school, sector=other_sector, status=ProgramStatus.CLOSED)
    zeros = {field: 0 for field in ProgramYear.COUNT_FIELDS}
    for year in (2023, 2024, 2025):
        ProgramYearFactory(program=program, year=year, **{**zeros, "enrolled": 20 + year % 7, "students": 60,
                                                            "graduates": 20, "employed": 18})
        ProgramYearFactory(program=closed, year=year, **zeros)
    ProgramYearFactory(program=only_before, year=2024, **{**zeros, "enrolled": 12})

    def placement(teacher, start, end, verified=True):
        TeacherPlacementFactory(teacher=teacher, start_date=start, end_date=end, verified=verified)

    nested = TeacherFactory(school=school)
    placement(nested, d(2024, 10, 1), d(2024, 10, 31))
    placement(nested, d(2024, 10, 5), d(2024, 10, 10))  # inside the first: still 31 days
    adjacent = TeacherFactory(school=school, dual=True)
    placement(adjacent, d(2024, 11, 1), d(2024, 11, 15))
    placement(adjacent, d(2024, 11, 16), d(2024, 11, 30))  # 15 + 15 = 30 days
    twice = TeacherFactory(school=school)
    placement(twice, d(2025, 3, 1), d(2025, 3, 20))
    placement(twice, d(2025, 3, 1), d(2025, 3, 20))  # the same 20 days again: still 20
    spanning = TeacherFactory(school=school)
    placement(spanning, d(2023, 6, 1), d(2025, 12, 31))  # every day of 2023 and 2024, Sep–Dec of 2025
    long_ago = TeacherFactory(school=school)
    placement(long_ago, d(2019, 9, 1), d(2019, 12, 31))

    two = [ConsortiumFactory(region=province), ConsortiumFactory(region=city)]
    for consortium in two:
        ConsortiumMemberFactory(consortium=consortium, school=school)
        ConsortiumMemberFactory(consortium=consortium, enterprise=firm)
    TrainingBaseUsageFactory(base=TrainingBaseFactory(consortium=two[0], capacity_hours=300), year=2024,
                             internal_hours=100, external_hours=20)
    for year in (2023, 2024, 2025):
        TrainingBaseUsageFactory(base=TrainingBaseFactory(school=school, capacity_hours=0), year=year,
                                 internal_hours=0, external_hours=0)
    deal = PartnershipFactory(school=school, enterprise=firm, status=PartnershipStatus.SUSPENDED,
                              kinds=[PartnershipKind.TEXTBOOK_CODEV], start_date=d(2023, 9, 1),
                              end_date=d(2024, 12, 31), programs=[program, closed])
    PartnershipFactory(school=school, enterprise=firm, status=PartnershipStatus.ACTIVE,
                       kinds=[PartnershipKind.EMPLOYMENT], start_date=d(2025, 8, 31), programs=[only_before])
    for year in (2023, 2024, 2025):
        ContributionFactory(partnership=deal, party=ContributionParty.SCHOOL, value=Decimal("1234.56"),
                            date=d(year, 12, 1))
    ContributionFactory(partnership=deal, party=ContributionParty.ENTERPRISE, value=Decimal("0.01"),
                        date=d(2024, 9, 1))
    FeedbackScoreFactory(feedback=FeedbackFactory(partnership=deal, year=2024), score=2)
    FeedbackScoreFactory(feedback=FeedbackFactory(program=closed, year=2024), score=5)

    TalentDemandFactory(enterprise=firm, sector=sector, region=county, headcount=7, year=2024)
    TalentDemandFactory(enterprise=firm, sector=other_sector, region=lonely, headcount=3, year=2024)


@pytest.fixture
def worlds(postgresql, w):  # noqa: F811  (`w` is the engine tests' world fixture)
    """The engine tests' world, the small world of the run tests, a healthy school and the edge cases."""
    o = small_world()
    healthy_school(o.C, o.S, w.E1, w.K1)
    edge_cases()
    return w


@pytest.mark.parametrize("year", (*YEARS, 2026))
def test_floor_gives_the_engines_values_on_the_hand_built_worlds(worlds, year):
    assert differences(year) == []


def test_floor_gives_the_engines_values_for_the_small_world_alone(postgresql):
    """No consortium, no teacher, no partnership: steps without subjects, subjects without records."""
    small_world()
    floor = floor_all(2025)
    assert floor[("consortium_active_share", "consortium")] == {}
    assert compare(floor, engine_pairs(compute_all(2025))) == []


def test_floor_gives_no_rows_on_an_empty_database(postgresql):
    floor = floor_all(2025)
    assert set(floor) == set(STATEMENTS)
    assert all(pairs == {} for pairs in floor.values())
    assert differences(2025) == []


def test_floor_gives_the_values_a_run_stored(worlds):
    """engine_pairs() also reads stored values (numerators as Decimal with four places), as model
    instances or as tuples of VALUE_FIELDS."""
    run, _created = runs.run_now(2025)
    assert run.status == RunStatus.SUCCEEDED, run.error
    values = IndicatorValue.objects.filter(run=run)
    floor = floor_all(2025)
    assert compare(floor, engine_pairs(values)) == []
    assert compare(floor, engine_pairs(values.values_list(*VALUE_FIELDS))) == []


def test_every_step_of_a_run_has_one_statement():
    assert list(STATEMENTS) == [(indicator.key, level) for indicator, level in steps()]
    for sql in STATEMENTS.values():
        assert sql.startswith("SELECT ") and ";" not in sql


# --- compare() can fail ---------------------------------------------------------------------------


def test_compare_reports_a_different_pair_a_missing_subject_and_an_extra_one(worlds):
    floor = floor_all(2025)
    engine = engine_pairs(compute_all(2025))
    employment = engine[("employment_rate", "program")]
    changed = next(program for program, (num, _den) in employment.items() if num)
    num, den = employment[changed]
    employment[changed] = (num + 1, den)
    schools = engine[("technical_service_revenue", "school")]
    dropped = min(schools)
    del schools[dropped]
    revenue = floor[("technical_service_revenue", "school")][dropped][0]
    engine[("certified_enterprises", "region")][-1] = (0, None)

    assert compare(floor, engine) == [
        "certified_enterprises at region level, subject -1: missing from the floor (engine 0 / None)",
        f"employment_rate at program level, subject {changed}: floor {num} / {den}, engine {num + 1} / {den}",
        f"technical_service_revenue at school level, subject {dropped}: missing from the engine (floor {revenue} / None)",
    ]


def test_compare_tells_none_from_zero_but_not_int_from_decimal():
    step = ("enrolment_change", "program")
    assert compare({step: {1: (0, 10)}}, {step: {1: (Decimal("0.0000"), Decimal("10.0000"))}}) == []
    assert compare({step: {1: (None, 10)}}, {step: {1: (0, 10)}}) == [
        "enrolment_change at program level, subject 1: floor None / 10, engine 0 / 10",
    ]
    assert compare({step: {1: (None, None)}}, {}) == [
        "enrolment_change at program level, subject 1: missing from the engine (floor None / None)",
    ]
