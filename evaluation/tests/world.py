"""Small hand-built data for the run, warning, recommendation, target, command and worker tests.

`small_world()` is one school A in prefecture C of province P with one current program pA:

- one course of pA: 30 theory + 10 practice hours, professional, not co-developed;
- pA's record for Y = 2025: 50 graduates, 40 employed (30 in their field, 10 by partners),
  100 students of whom 10 in order classes and 10 apprentices, 40 new students; no record for Y−1;
- no teachers, partnerships, contributions, bases, feedback, consortia or talent demands.

A run for Y therefore writes (levels per indicator from the catalogue of INDICATORS.md):

- 9 indicators at program level × 1 program, 19 at school level × 1 school, 4 at consortium
  level × 0 consortia, 20 at region level × 2 regions (C and P), supply/demand × 2 (region,
  sector) pairs ((C, S) and (P, S): pA's graduates, no demand): 9 + 19 + 0 + 40 + 2 = 70 values;
- 15 warnings: practical share 10/40 = 0.25 (medium, exactly at the high boundary 0.25) and
  employment 40/50 = 0.8 (medium) at program, school, C and P (4 + 4); co-developed share 0/1
  (high) at program, school, C, P (4); programs with partners 0/1 (high) at school, C, P (3).
  Order-class share 20/100 = 0.20 is exactly its target (no warning); field employment 30/40 = 0.75
  meets 0.60; everything else has no data (0 ÷ 0) or no target.
"""
from __future__ import annotations

import datetime
from types import SimpleNamespace

from evaluation.models import IndicatorValue, ProgramRecommendation, Warning
from evaluation.tests.factories import FeedbackFactory, FeedbackScoreFactory
from partnerships.choices import PartnershipKind, PartnershipStatus
from partnerships.tests.factories import (
    ConsortiumMemberFactory,
    ContributionFactory,
    PartnershipFactory,
    PatentFactory,
    TechnicalServiceFactory,
    TrainingBaseFactory,
    TrainingBaseUsageFactory,
)
from portal.tests.factories import RegionFactory, SchoolFactory, SectorFactory
from programs.models import ProgramYear
from programs.tests.factories import (
    CourseFactory,
    ProgramFactory,
    ProgramYearFactory,
    TeacherFactory,
    TeacherPlacementFactory,
)

Y = 2025
d = datetime.date

# Values a run of `small_world()` writes, and the warnings it opens (see the module docstring).
SMALL_WORLD_VALUES = 9 * 1 + 19 * 1 + 4 * 0 + 20 * 2 + 2
SMALL_WORLD_WARNINGS = 4 + 4 + 4 + 3

LONG_AGO = d(2020, 9, 1)  # a partnership's default start: active in every year the tests evaluate


def program_year(program, year=Y, **figures):
    """A program-year record with every count 0 except `figures`."""
    zeros = {field: 0 for field in ProgramYear.COUNT_FIELDS}
    return ProgramYearFactory(program=program, year=year, **{**zeros, **figures})


def partnership(school, enterprise=None, *, status=PartnershipStatus.ACTIVE, start=LONG_AGO, end=None,
                programs=(), kinds=(PartnershipKind.JOINT_RND,)):
    """An agreed partnership, active from `start` (to `end`, or open), linked to `programs`."""
    extra = {} if enterprise is None else {"enterprise": enterprise}
    return PartnershipFactory(school=school, status=status, start_date=start, end_date=end,
                              kinds=list(kinds), programs=list(programs), **extra)


def small_world() -> SimpleNamespace:
    o = SimpleNamespace()
    o.P = RegionFactory()
    o.C = RegionFactory(prefecture=True, parent=o.P)
    o.A = SchoolFactory(region=o.C)
    o.S = SectorFactory()
    o.pA = ProgramFactory(school=o.A, sector=o.S)
    o.course = CourseFactory(program=o.pA, theory_hours=30, practice_hours=10)
    o.record = program_year(o.pA, enrolled=40, students=100, graduates=50, employed=40, employed_in_field=30,
                            employed_by_partners=10, order_class_students=10, apprentices=10)
    return o


def healthy_school(region, sector, enterprise, consortium) -> None:
    """A school with a program and every kind of record a run reads (for query counts), meeting every
    target except one: its program's new intake fell from 50 (Y−1) to 30 (Y), −40 %, below the
    −30 % floor (a medium warning at program level only, and enrolment_drop in Y alone).

    Practical share (20+10)/(40+20) = 0.5; co-developed 1/2; employment 36/40 = 0.9; in field 30/36;
    order classes (20+5)/100; one dual-qualified full-time professional teacher with 46 verified
    days in Y (1 Oct – 15 Nov 2025) and one part-time industry teacher; the program's partnership
    (deep: joint R&D) is active since Y−2; base use (1200+300)/2000 = 0.75; satisfaction 4."""
    school = SchoolFactory(region=region)
    program = ProgramFactory(school=school, sector=sector)
    CourseFactory(program=program, theory_hours=20, practice_hours=20, co_developed_with=enterprise)
    CourseFactory(program=program, theory_hours=10, practice_hours=10)
    program_year(program, enrolled=30, students=100, graduates=40, employed=36, employed_in_field=30,
                 employed_by_partners=10, order_class_students=20, apprentices=5)
    program_year(program, year=Y - 1, enrolled=50)
    program_year(program, year=Y - 2, enrolled=50)
    teacher = TeacherFactory(school=school, dual=True)
    TeacherPlacementFactory(teacher=teacher, start_date=d(2025, 10, 1), end_date=d(2025, 11, 15), verified=True)
    TeacherFactory(school=school, part_time=True)
    p = partnership(school, enterprise, start=d(2023, 9, 1), programs=[program])
    ContributionFactory(partnership=p, date=d(2025, 10, 1))
    TechnicalServiceFactory(school=school, year=Y)
    PatentFactory(school=school)
    TrainingBaseUsageFactory(base=TrainingBaseFactory(school=school, capacity_hours=2000), year=Y,
                             internal_hours=1200, external_hours=300)
    ConsortiumMemberFactory(consortium=consortium, school=school)
    FeedbackScoreFactory(feedback=FeedbackFactory(program=program, year=Y), score=4)


# --- reading what runs left ----------------------------------------------------------------------


def subject_of(row) -> tuple:
    return (row.level, row.program_id, row.school_id, row.consortium_id, row.region_id, row.sector_id)


def published_value(indicator: str, **subject) -> IndicatorValue:
    """The one published value of `indicator` for the subject (level and ids as keyword arguments)."""
    return IndicatorValue.objects.published().get(indicator=indicator, year=Y, **subject)


def unresolved_warning(indicator: str, **subject) -> Warning | None:
    return Warning.objects.filter(indicator=indicator, year=Y, status__in=["open", "acknowledged"], **subject).first()


def snapshot() -> dict:
    """Everything readers see, as plain tuples: to prove that something changed nothing."""
    return {
        "values": sorted(
            (v.run_id, v.indicator, *subject_of(v), v.value, v.numerator, v.denominator, v.target, v.target_upper)
            for v in IndicatorValue.objects.published()
        ),
        "recommendations": sorted(
            (r.run_id, r.program_id, r.school_id, r.year, tuple(r.conditions), r.consecutive_years,
             r.recommendation, repr(sorted(r.history.items())))
            for r in ProgramRecommendation.objects.published()
        ),
        "warnings": sorted(
            (w.pk, w.indicator, w.subject_key, w.status, w.severity, w.value, w.target, w.target_upper,
             w.opened_by_run_id, w.last_seen_run_id, w.resolved_at, w.updated_at)
            for w in Warning.objects.all()
        ),
    }
