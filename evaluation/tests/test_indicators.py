"""The indicator engine against hand-built records whose expected values are worked out by hand.

Year Y = 2025 (1 Sep 2025 – 31 Aug 2026). Province P holds school A directly and school B through
its prefecture C; province O holds school Z, which has almost nothing recorded. Every expected
number below is written out as the fraction it comes from.
"""
from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.choices import FeedbackDimension as Dim
from evaluation.indicators.catalogue import LEVELS, REGISTRY
from evaluation.indicators.engine import compute, compute_all
from evaluation.tests.factories import FeedbackFactory, FeedbackScoreFactory
from partnerships.choices import ContributionParty, OtherBodyKind, PartnershipStatus
from partnerships.choices import PartnershipKind as K
from partnerships.tests.factories import (
    ConsortiumFactory,
    ConsortiumMemberFactory,
    ContributionFactory,
    PartnershipFactory,
    PatentFactory,
    ProjectAdoptionFactory,
    TalentDemandFactory,
    TechnicalServiceFactory,
    TrainingBaseFactory,
    TrainingBaseUsageFactory,
)
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

Y = 2025
d = datetime.date
NONE = object()  # "value is None" in expectation tables


def program_year(program, year=Y, **figures):
    zeros = {field: 0 for field in ProgramYear.COUNT_FIELDS}
    return ProgramYearFactory(program=program, year=year, **{**zeros, **figures})


def placement(teacher, start, end, verified=True):
    return TeacherPlacementFactory(teacher=teacher, start_date=start, end_date=end, verified=verified)


def partnership(school, enterprise, status, kinds, start, end=None, programs=()):
    return PartnershipFactory(school=school, enterprise=enterprise, status=status, kinds=kinds,
                              start_date=start, end_date=end, programs=list(programs))


def scores(feedback, *values):
    dims = [Dim.PROFESSIONAL_SKILLS, Dim.WORK_ATTITUDE, Dim.TEAMWORK, Dim.LEARNING_ABILITY]
    for dim, value in zip(dims, values):
        FeedbackScoreFactory(feedback=feedback, dimension=dim, score=value)


@pytest.fixture
def w(db):
    """The hand-built world (see the module docstring)."""
    o = SimpleNamespace()
    o.P = RegionFactory()
    o.C = RegionFactory(prefecture=True, parent=o.P)
    o.O = RegionFactory()
    o.A = SchoolFactory(region=o.P)
    o.B = SchoolFactory(region=o.C)
    o.Z = SchoolFactory(region=o.O)
    o.S1, o.S2, o.S3 = SectorFactory(), SectorFactory(), SectorFactory()
    o.E1 = EnterpriseFactory(region=o.P, sector=o.S1, integration_certified=True)
    o.E2 = EnterpriseFactory(region=o.C, sector=o.S1, integration_certified=True)
    o.E3 = EnterpriseFactory(region=o.C, sector=o.S2)
    o.E4 = EnterpriseFactory(region=o.O, sector=o.S2, integration_certified=True)
    o.E5 = EnterpriseFactory(region=o.P, sector=o.S1)

    # Programs: pAx is closed (its flow records still count for A), pB2 has no records at all.
    o.pA1 = ProgramFactory(school=o.A, sector=o.S1)
    o.pA2 = ProgramFactory(school=o.A, sector=o.S2, status=ProgramStatus.WARNING)
    o.pAx = ProgramFactory(school=o.A, sector=o.S3, status=ProgramStatus.CLOSED)
    o.pB1 = ProgramFactory(school=o.B, sector=o.S1)
    o.pB2 = ProgramFactory(school=o.B, sector=o.S1)

    # Courses (snapshot): c3 is not professional; c5 belongs to the closed program.
    c1 = CourseFactory(program=o.pA1, theory_hours=40, practice_hours=60, co_developed_with=o.E1)
    c2 = CourseFactory(program=o.pA1, theory_hours=30, practice_hours=10)
    CourseFactory(program=o.pA1, theory_hours=20, practice_hours=0, professional=False, co_developed_with=o.E1)
    CourseFactory(program=o.pA2, theory_hours=10, practice_hours=30)
    c5 = CourseFactory(program=o.pAx, theory_hours=0, practice_hours=100, co_developed_with=o.E1)
    c6 = CourseFactory(program=o.pB1, theory_hours=30, practice_hours=10, co_developed_with=o.E2)
    ProjectAdoptionFactory(course=c1, year=Y)
    ProjectAdoptionFactory(course=c2, year=Y - 1)
    ProjectAdoptionFactory(course=c5, year=Y)
    ProjectAdoptionFactory(course=c6, year=Y + 1)

    # Program years.
    program_year(o.pA1, enrolled=60, students=200, graduates=50, employed=45, employed_in_field=30,
                 employed_by_partners=9, order_class_students=20, apprentices=10)
    program_year(o.pA1, year=Y - 1, enrolled=80, students=999, graduates=999, employed=999)
    program_year(o.pA2, enrolled=30, students=100, graduates=40, employed=30, employed_in_field=15,
                 employed_by_partners=6, order_class_students=0, apprentices=10)
    program_year(o.pAx, students=50, graduates=10, employed=10, employed_in_field=10,
                 employed_by_partners=5, order_class_students=5)
    program_year(o.pB1, enrolled=40, students=120, graduates=30, employed=24, employed_in_field=12,
                 employed_by_partners=0, order_class_students=6, apprentices=6)
    program_year(o.pB1, year=Y - 1, enrolled=0)

    # Teachers of A: four active full-time professional ones (tA1–tA4), tA1 and tA2 dual-qualified.
    tA1 = TeacherFactory(school=o.A, dual=True)
    placement(tA1, d(2025, 7, 1), d(2025, 9, 20))  # 1–20 Sep inside Y
    placement(tA1, d(2025, 9, 10), d(2025, 9, 25))  # overlaps: 1–25 Sep = 25 days
    placement(tA1, d(2026, 8, 25), d(2026, 9, 10))  # 25–31 Aug inside Y: 7 days → 32 ≥ 30
    tA2 = TeacherFactory(school=o.A, dual=True)
    placement(tA2, d(2025, 10, 1), d(2025, 10, 20))
    placement(tA2, d(2025, 10, 11), d(2025, 10, 25))  # union 1–25 Oct = 25 days (35 if double-counted)
    tA3 = TeacherFactory(school=o.A)
    placement(tA3, d(2025, 8, 1), d(2025, 9, 15))  # 46 days, 15 inside Y
    tA4 = TeacherFactory(school=o.A)
    placement(tA4, d(2025, 10, 1), d(2025, 12, 31), verified=False)  # 92 days, unverified
    tA5 = TeacherFactory(school=o.A, dual=True, active=False)
    placement(tA5, d(2025, 10, 1), d(2025, 12, 31))
    TeacherFactory(school=o.A, dual=True, professional=False)  # full-time, not professional
    TeacherFactory(school=o.A, part_time=True)
    TeacherFactory(school=o.A, part_time=True, active=False)
    # Teachers of B: tB1 has exactly 30 verified days; tB2 is dual-qualified without placements.
    tB1 = TeacherFactory(school=o.B)
    placement(tB1, d(2025, 11, 1), d(2025, 11, 30))
    TeacherFactory(school=o.B, dual=True)

    # Partnerships. Active in Y: pa1, pa2 (ends on Y's first day), pa6 (starts on Y's last day), pb1, pz.
    A, B, Z, E1, E2, E3, E5 = o.A, o.B, o.Z, o.E1, o.E2, o.E3, o.E5
    S = PartnershipStatus
    o.pa1 = partnership(A, E1, S.ACTIVE, [K.JOINT_RND, K.INTERNSHIP_BASE], d(2024, 9, 1), programs=[o.pA1])
    o.pa2 = partnership(A, E3, S.ENDED, [K.INTERNSHIP_BASE], d(2023, 1, 1), d(2025, 9, 1), programs=[o.pAx])
    o.pa3 = partnership(A, E2, S.PROPOSED, [K.APPRENTICESHIP], d(2025, 9, 1), programs=[o.pA2])
    partnership(A, E1, S.DECLINED, [K.INDUSTRY_COLLEGE], d(2025, 9, 1), programs=[o.pA2])
    partnership(A, E2, S.ENDED, [K.APPRENTICESHIP], d(2020, 1, 1), d(2025, 8, 31), programs=[o.pA2])
    o.pa6 = partnership(A, E3, S.SUSPENDED, [K.ORDER_CLASS, K.TECHNICAL_SERVICE], d(2026, 8, 31))
    o.pb1 = partnership(B, E2, S.ACTIVE, [K.CURRICULUM_CODEV], d(2025, 1, 1), d(2026, 12, 31), programs=[o.pB1])
    partnership(B, E3, S.ACTIVE, [K.EMPLOYMENT], d(2026, 9, 1), programs=[o.pB2])
    partnership(Z, E5, S.ACTIVE, [K.JOINT_RND], d(2025, 1, 1))

    # Consortia: K1 = schools A, B + enterprises E1, E2, E3, E4, E5 + an association;
    # K2 = school Z + enterprise E2; K3 has no members.
    o.K1, o.K2, o.K3 = ConsortiumFactory(region=o.P), ConsortiumFactory(region=o.O), ConsortiumFactory()
    for school in (A, B):
        ConsortiumMemberFactory(consortium=o.K1, school=school)
    for enterprise in (E1, E2, E3, o.E4, E5):
        ConsortiumMemberFactory(consortium=o.K1, enterprise=enterprise)
    ConsortiumMemberFactory(consortium=o.K1, other_name="行业协会", other_kind=OtherBodyKind.ASSOCIATION)
    ConsortiumMemberFactory(consortium=o.K2, school=Z)
    ConsortiumMemberFactory(consortium=o.K2, enterprise=E2)

    # Contributions.
    P_ = ContributionParty
    ContributionFactory(partnership=o.pa1, party=P_.ENTERPRISE, value=Decimal(100000), date=d(2025, 10, 1))
    ContributionFactory(partnership=o.pa1, party=P_.SCHOOL, value=Decimal(50000), date=d(2025, 12, 1))
    ContributionFactory(partnership=o.pa1, party=P_.ENTERPRISE, value=Decimal(30000), date=d(2025, 8, 31))
    ContributionFactory(partnership=o.pa2, party=P_.ENTERPRISE, value=Decimal(20000), date=d(2026, 8, 31))
    ContributionFactory(partnership=o.pa2, party=P_.GOVERNMENT, value=Decimal(30000), date=d(2026, 3, 1))
    ContributionFactory(partnership=o.pa3, party=P_.ENTERPRISE, value=Decimal(999999), date=d(2025, 10, 1))
    ContributionFactory(partnership=o.pb1, party=P_.ENTERPRISE, value=Decimal(40000), date=d(2026, 1, 1))
    ContributionFactory(partnership=o.pb1, party=P_.SCHOOL, value=Decimal(40000), date=d(2026, 1, 2))

    # Technical services and patents (end of Y: 31 Aug 2026).
    TechnicalServiceFactory(school=A, year=Y, amount=Decimal(80000))
    TechnicalServiceFactory(school=A, year=Y, amount=Decimal("20000.50"))
    TechnicalServiceFactory(school=A, year=Y - 1, amount=Decimal(50000))
    PatentFactory(school=A, granted_on=d(2024, 3, 1), transferred_on=d(2025, 1, 1))
    PatentFactory(school=A, granted_on=d(2026, 8, 31), transferred_on=d(2026, 8, 31))
    PatentFactory(school=A, granted_on=d(2025, 5, 1), transferred_on=d(2026, 9, 1))
    PatentFactory(school=A, granted_on=d(2026, 9, 1))
    PatentFactory(school=B, granted_on=d(2020, 1, 1))

    # Training bases: bA2 has no usage row for Y; bA3 records an idle year.
    def base(usage=None, **owner_and_capacity):
        b = TrainingBaseFactory(**owner_and_capacity)
        if usage:
            TrainingBaseUsageFactory(base=b, year=Y, internal_hours=usage[0], external_hours=usage[1])
        return b

    bA1 = base((1000, 200), school=A, capacity_hours=2000)
    TrainingBaseUsageFactory(base=bA1, year=Y - 1, internal_hours=5000, external_hours=5000)
    base(None, school=A, capacity_hours=1000)
    base((0, 0), school=A, capacity_hours=500)
    base((300, 300), school=B, capacity_hours=1000)
    base((500, 100), enterprise=E1, capacity_hours=1000)
    base((100, 0), consortium=o.K1, capacity_hours=400)
    base((50, 50), enterprise=E2, capacity_hours=200)

    # Feedback of Y (and one of Y−1).
    scores(FeedbackFactory(program=o.pA1, year=Y), 4, 5)
    scores(FeedbackFactory(partnership=o.pa1, year=Y), 3)
    scores(FeedbackFactory(program=o.pAx, year=Y), 2)
    scores(FeedbackFactory(program=o.pA1, year=Y - 1), 1)
    scores(FeedbackFactory(program=o.pB1, year=Y, enterprise=None, evaluator="第三方评价机构"), 5, 5)

    # Talent demands.
    TalentDemandFactory(enterprise=E1, sector=o.S1, region=o.P, headcount=60, year=Y)
    TalentDemandFactory(enterprise=E2, sector=o.S1, region=o.C, headcount=20, year=Y)
    TalentDemandFactory(enterprise=E3, sector=o.S2, region=o.C, headcount=10, year=Y)
    TalentDemandFactory(enterprise=E3, sector=o.S2, region=o.C, headcount=100, year=Y - 1)
    TalentDemandFactory(enterprise=o.E4, sector=o.S2, region=o.O, headcount=5, year=Y)
    return o


def subject(row):
    return {
        "program": row.program_id,
        "school": row.school_id,
        "consortium": row.consortium_id,
        "region": row.region_id,
        "region_sector": (row.region_id, row.sector_id),
    }[row.level]


def check(key, level, expected):
    """`expected` maps each subject to (numerator, denominator, value); NONE stands for a None value.
    The rows must be exactly these subjects."""
    rows = compute(key, level, Y)
    got = {subject(row): row for row in rows}
    assert len(got) == len(rows)
    assert set(got) == set(expected)
    for key_, (num, den, value) in expected.items():
        row = got[key_]
        assert (row.numerator, row.denominator) == (num, den), key_
        if value is NONE:
            assert row.value is None, key_
        else:
            assert row.value == pytest.approx(value), key_


# --- courses ------------------------------------------------------------------------------------


def test_practical_hours_share_counts_current_courses_and_pools_regions(w):
    programs = {w.pA1.id: (70, 160, 70 / 160), w.pA2.id: (30, 40, 0.75), w.pB1.id: (10, 40, 0.25),
                w.pB2.id: (0, 0, NONE)}
    check("practical_hours_share", "program", programs)
    check("practical_hours_share", "school", {w.A.id: (100, 200, 0.5), w.B.id: (10, 40, 0.25), w.Z.id: (0, 0, NONE)})
    # Pooled 110/240 = 0.458…, not the mean of the school ratios (0.375).
    check("practical_hours_share", "region", {w.P.id: (110, 240, 110 / 240), w.C.id: (10, 40, 0.25),
                                              w.O.id: (0, 0, NONE)})


def test_codeveloped_course_share_counts_current_professional_courses(w):
    check("codeveloped_course_share", "program", {w.pA1.id: (1, 2, 0.5), w.pA2.id: (0, 1, 0.0),
                                                  w.pB1.id: (1, 1, 1.0), w.pB2.id: (0, 0, NONE)})
    check("codeveloped_course_share", "school", {w.A.id: (1, 3, 1 / 3), w.B.id: (1, 1, 1.0), w.Z.id: (0, 0, NONE)})
    check("codeveloped_course_share", "region", {w.P.id: (2, 4, 0.5), w.C.id: (1, 1, 1.0), w.O.id: (0, 0, NONE)})


def test_project_teaching_share_counts_adoptions_of_year_y_only(w):
    check("project_teaching_share", "program", {w.pA1.id: (1, 2, 0.5), w.pA2.id: (0, 1, 0.0),
                                                w.pB1.id: (0, 1, 0.0), w.pB2.id: (0, 0, NONE)})
    check("project_teaching_share", "school", {w.A.id: (1, 3, 1 / 3), w.B.id: (0, 1, 0.0), w.Z.id: (0, 0, NONE)})
    check("project_teaching_share", "region", {w.P.id: (1, 4, 0.25), w.C.id: (0, 1, 0.0), w.O.id: (0, 0, NONE)})


# --- program years --------------------------------------------------------------------------------


def test_order_class_share_includes_closed_programs_above_program_level(w):
    check("order_class_share", "program", {w.pA1.id: (30, 200, 0.15), w.pA2.id: (10, 100, 0.1),
                                           w.pB1.id: (12, 120, 0.1), w.pB2.id: (0, 0, NONE)})
    check("order_class_share", "school", {w.A.id: (45, 350, 45 / 350), w.B.id: (12, 120, 0.1), w.Z.id: (0, 0, NONE)})
    check("order_class_share", "region", {w.P.id: (57, 470, 57 / 470), w.C.id: (12, 120, 0.1),
                                          w.O.id: (0, 0, NONE)})


def test_employment_rate(w):
    check("employment_rate", "program", {w.pA1.id: (45, 50, 0.9), w.pA2.id: (30, 40, 0.75),
                                         w.pB1.id: (24, 30, 0.8), w.pB2.id: (0, 0, NONE)})
    check("employment_rate", "school", {w.A.id: (85, 100, 0.85), w.B.id: (24, 30, 0.8), w.Z.id: (0, 0, NONE)})
    check("employment_rate", "region", {w.P.id: (109, 130, 109 / 130), w.C.id: (24, 30, 0.8), w.O.id: (0, 0, NONE)})


def test_field_employment_rate(w):
    check("field_employment_rate", "program", {w.pA1.id: (30, 45, 30 / 45), w.pA2.id: (15, 30, 0.5),
                                               w.pB1.id: (12, 24, 0.5), w.pB2.id: (0, 0, NONE)})
    check("field_employment_rate", "school", {w.A.id: (55, 85, 55 / 85), w.B.id: (12, 24, 0.5), w.Z.id: (0, 0, NONE)})
    check("field_employment_rate", "region", {w.P.id: (67, 109, 67 / 109), w.C.id: (12, 24, 0.5),
                                              w.O.id: (0, 0, NONE)})


def test_partner_employment_share(w):
    check("partner_employment_share", "program", {w.pA1.id: (9, 45, 0.2), w.pA2.id: (6, 30, 0.2),
                                                  w.pB1.id: (0, 24, 0.0), w.pB2.id: (0, 0, NONE)})
    check("partner_employment_share", "school", {w.A.id: (20, 85, 20 / 85), w.B.id: (0, 24, 0.0),
                                                 w.Z.id: (0, 0, NONE)})
    check("partner_employment_share", "region", {w.P.id: (20, 109, 20 / 109), w.C.id: (0, 24, 0.0),
                                                 w.O.id: (0, 0, NONE)})


def test_enrolment_change_needs_a_record_of_the_year_before(w):
    check("enrolment_change", "program", {
        w.pA1.id: (-20, 80, -0.25),  # 60 vs 80
        w.pA2.id: (None, None, NONE),  # no record for Y−1
        w.pB1.id: (40, 0, NONE),  # Y−1 intake 0: no ratio
        w.pB2.id: (None, None, NONE),  # no records at all
    })


def test_program_rows_exist_for_current_programs_only_and_carry_their_school(w):
    rows = compute("employment_rate", "program", Y)
    assert {(r.program_id, r.school_id) for r in rows} == {
        (w.pA1.id, w.A.id), (w.pA2.id, w.A.id), (w.pB1.id, w.B.id), (w.pB2.id, w.B.id)
    }


# --- teachers -------------------------------------------------------------------------------------


def test_dual_qualified_ratio_counts_active_full_time_professional_teachers(w):
    check("dual_qualified_ratio", "school", {w.A.id: (2, 4, 0.5), w.B.id: (1, 2, 0.5), w.Z.id: (0, 0, NONE)})
    check("dual_qualified_ratio", "region", {w.P.id: (3, 6, 0.5), w.C.id: (1, 2, 0.5), w.O.id: (0, 0, NONE)})


def test_teacher_practice_rate_clips_merges_and_needs_verification(w):
    # A: only tA1 (32 days after clipping and merging); tA2 has 25 merged days, tA3 15 inside Y,
    # tA4's placement is unverified, tA5 is inactive. B: tB1 has exactly 30 days.
    check("teacher_practice_rate", "school", {w.A.id: (1, 4, 0.25), w.B.id: (1, 2, 0.5), w.Z.id: (0, 0, NONE)})
    # Pooled 2/6, not the mean of the school rates (0.375).
    check("teacher_practice_rate", "region", {w.P.id: (2, 6, 1 / 3), w.C.id: (1, 2, 0.5), w.O.id: (0, 0, NONE)})


def test_part_time_teacher_ratio(w):
    check("part_time_teacher_ratio", "school", {w.A.id: (1, 5, 0.2), w.B.id: (0, 2, 0.0), w.Z.id: (0, 0, NONE)})
    check("part_time_teacher_ratio", "region", {w.P.id: (1, 7, 1 / 7), w.C.id: (0, 2, 0.0), w.O.id: (0, 0, NONE)})


# --- partnerships ---------------------------------------------------------------------------------


def test_program_partnership_rate_ignores_proposed_declined_and_out_of_year_partnerships(w):
    check("program_partnership_rate", "school", {w.A.id: (1, 2, 0.5), w.B.id: (1, 2, 0.5), w.Z.id: (0, 0, NONE)})
    check("program_partnership_rate", "region", {w.P.id: (2, 4, 0.5), w.C.id: (1, 2, 0.5), w.O.id: (0, 0, NONE)})


def test_deep_cooperation_share(w):
    check("deep_cooperation_share", "school", {w.A.id: (2, 3, 2 / 3), w.B.id: (1, 1, 1.0), w.Z.id: (1, 1, 1.0)})
    check("deep_cooperation_share", "region", {w.P.id: (3, 4, 0.75), w.C.id: (1, 1, 1.0), w.O.id: (1, 1, 1.0)})
    # K1: pa1, pa2, pa6, pb1 (member school with member enterprise); Z–E5 has a non-member school.
    check("deep_cooperation_share", "consortium", {w.K1.id: (3, 4, 0.75), w.K2.id: (0, 0, NONE),
                                                   w.K3.id: (0, 0, NONE)})


def test_consortium_active_share(w):
    # K1: E1, E2, E3 are active with a member school; E4 has nothing, E5 only with non-member Z.
    check("consortium_active_share", "consortium", {w.K1.id: (3, 5, 0.6), w.K2.id: (0, 1, 0.0),
                                                    w.K3.id: (0, 0, NONE)})


# --- contributions, services, patents -------------------------------------------------------------


def test_enterprise_contribution_sums_enterprise_party_of_agreed_partnerships_dated_in_y(w):
    D = Decimal
    check("enterprise_contribution", "school", {w.A.id: (D("120000"), None, 120000.0),
                                                w.B.id: (D("40000"), None, 40000.0), w.Z.id: (0, None, 0.0)})
    check("enterprise_contribution", "region", {w.P.id: (D("160000"), None, 160000.0),
                                                w.C.id: (D("40000"), None, 40000.0), w.O.id: (0, None, 0.0)})
    check("enterprise_contribution", "consortium", {w.K1.id: (D("160000"), None, 160000.0),
                                                    w.K2.id: (0, None, 0.0), w.K3.id: (0, None, 0.0)})


def test_enterprise_contribution_share(w):
    D = Decimal
    check("enterprise_contribution_share", "school", {w.A.id: (D("120000"), D("200000"), 0.6),
                                                      w.B.id: (D("40000"), D("80000"), 0.5), w.Z.id: (0, 0, NONE)})
    check("enterprise_contribution_share", "region", {w.P.id: (D("160000"), D("280000"), 160 / 280),
                                                      w.C.id: (D("40000"), D("80000"), 0.5), w.O.id: (0, 0, NONE)})


def test_technical_service_revenue(w):
    D = Decimal
    check("technical_service_revenue", "school", {w.A.id: (D("100000.50"), None, 100000.5),
                                                  w.B.id: (0, None, 0.0), w.Z.id: (0, None, 0.0)})
    check("technical_service_revenue", "region", {w.P.id: (D("100000.50"), None, 100000.5),
                                                  w.C.id: (0, None, 0.0), w.O.id: (0, None, 0.0)})


def test_patent_conversion_rate_uses_the_end_of_the_year(w):
    check("patent_conversion_rate", "school", {w.A.id: (2, 3, 2 / 3), w.B.id: (0, 1, 0.0), w.Z.id: (0, 0, NONE)})
    check("patent_conversion_rate", "region", {w.P.id: (2, 4, 0.5), w.C.id: (0, 1, 0.0), w.O.id: (0, 0, NONE)})


# --- training bases -------------------------------------------------------------------------------


def test_training_base_utilisation(w):
    check("training_base_utilisation", "school", {w.A.id: (1200, 2500, 0.48), w.B.id: (600, 1000, 0.6),
                                                  w.Z.id: (0, 0, NONE)})
    check("training_base_utilisation", "region", {w.P.id: (1800, 3500, 1800 / 3500), w.C.id: (600, 1000, 0.6),
                                                  w.O.id: (0, 0, NONE)})
    # K1: bases of A, B, E1, E2 and its own; K2: E2's base.
    check("training_base_utilisation", "consortium", {w.K1.id: (2600, 5100, 26 / 51), w.K2.id: (100, 200, 0.5),
                                                      w.K3.id: (0, 0, NONE)})


def test_social_training_share(w):
    check("social_training_share", "school", {w.A.id: (200, 1200, 1 / 6), w.B.id: (300, 600, 0.5),
                                              w.Z.id: (0, 0, NONE)})
    check("social_training_share", "region", {w.P.id: (500, 1800, 500 / 1800), w.C.id: (300, 600, 0.5),
                                              w.O.id: (0, 0, NONE)})


# --- feedback, consortia, regions -----------------------------------------------------------------


def test_enterprise_satisfaction_is_the_mean_of_all_scores_of_y(w):
    check("enterprise_satisfaction", "program", {w.pA1.id: (9, 2, 4.5), w.pA2.id: (0, 0, NONE),
                                                 w.pB1.id: (10, 2, 5.0), w.pB2.id: (0, 0, NONE)})
    # A: 4, 5 (pA1), 3 (partnership pa1), 2 (closed pAx).
    check("enterprise_satisfaction", "school", {w.A.id: (14, 4, 3.5), w.B.id: (10, 2, 5.0), w.Z.id: (0, 0, NONE)})
    # Pooled 24/6 = 4.0, not the mean of the school means (4.25).
    check("enterprise_satisfaction", "region", {w.P.id: (24, 6, 4.0), w.C.id: (10, 2, 5.0), w.O.id: (0, 0, NONE)})


def test_supply_demand_ratio_by_region_and_sector(w):
    P, C, O, S1, S2, S3 = w.P.id, w.C.id, w.O.id, w.S1.id, w.S2.id, w.S3.id
    check("supply_demand_ratio", "region_sector", {
        (P, S1): (80, 80, 1.0),  # graduates 50 (A) + 30 (B) ÷ demand 60 (P) + 20 (C)
        (P, S2): (40, 10, 4.0),
        (P, S3): (10, 0, NONE),  # closed pAx's graduates, no demand
        (C, S1): (30, 20, 1.5),
        (C, S2): (0, 10, 0.0),
        (O, S2): (0, 5, 0.0),
    })


def test_certified_enterprises_counts_the_region_subtree(w):
    check("certified_enterprises", "region", {w.P.id: (2, None, 2.0), w.C.id: (1, None, 1.0),
                                              w.O.id: (1, None, 1.0)})


# --- registry and engine --------------------------------------------------------------------------


def test_registry_follows_the_catalogue():
    assert list(REGISTRY)[:3] == ["practical_hours_share", "dual_qualified_ratio", "teacher_practice_rate"]
    assert len(REGISTRY) == 23
    assert REGISTRY["supply_demand_ratio"].target == (0.8, 1.5)
    assert REGISTRY["enrolment_change"].target == -0.30
    assert REGISTRY["enterprise_satisfaction"].unit == "score"
    for indicator in REGISTRY.values():
        assert set(indicator.levels) <= set(LEVELS)
        assert indicator.formula and indicator.source and indicator.name_zh
        assert (indicator.direction is None) == (indicator.target is None)


def test_compute_refuses_a_level_the_indicator_does_not_have(db):
    with pytest.raises(ValueError):
        compute("enrolment_change", "school", Y)


def test_compute_all_gives_every_indicator_at_every_level(w):
    rows = compute_all(Y)
    pairs = {(row.indicator, row.level) for row in rows}
    assert pairs == {(key, level) for key, ind in REGISTRY.items() for level in ind.levels}
    assert sorted(rows, key=repr) == sorted(
        [row for key, ind in REGISTRY.items() for level in ind.levels for row in compute(key, level, Y)], key=repr
    )


def _school_with_records(region, sector, enterprise, consortium, n):
    school = SchoolFactory(region=region)
    program = ProgramFactory(school=school, sector=sector)
    course = CourseFactory(program=program, co_developed_with=enterprise)
    ProjectAdoptionFactory(course=course, year=Y)
    program_year(program, enrolled=10 + n, students=30, graduates=10, employed=8)
    program_year(program, year=Y - 1, enrolled=10)
    teacher = TeacherFactory(school=school, dual=True)
    placement(teacher, d(2025, 10, 1), d(2025, 11, 15))
    placement(teacher, d(2026, 3, 1), d(2026, 3, 5))
    TeacherFactory(school=school, part_time=True)
    p = partnership(school, enterprise, PartnershipStatus.ACTIVE, [K.JOINT_RND], d(2025, 1, 1), programs=[program])
    ContributionFactory(partnership=p, date=d(2025, 10, 1))
    TechnicalServiceFactory(school=school, year=Y)
    PatentFactory(school=school, transferred_on=d(2025, 1, 1))
    TrainingBaseUsageFactory(base=TrainingBaseFactory(school=school), year=Y)
    ConsortiumMemberFactory(consortium=consortium, school=school)
    scores(FeedbackFactory(program=program, year=Y), 4)
    scores(FeedbackFactory(partnership=p, year=Y), 3)


def _compute_all_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        rows = compute_all(Y)
    assert rows
    return len(queries.captured_queries)


def test_compute_all_costs_the_same_queries_for_2_and_for_20_schools(db):
    province = RegionFactory()
    sector = SectorFactory()
    enterprise = EnterpriseFactory(region=province, sector=sector, integration_certified=True)
    consortium = ConsortiumFactory(region=province)
    ConsortiumMemberFactory(consortium=consortium, enterprise=enterprise)
    TalentDemandFactory(enterprise=enterprise, year=Y)

    def add_schools(first: int, last: int) -> None:
        for n in range(first, last):
            region = RegionFactory(prefecture=True, parent=province) if n % 2 else province
            _school_with_records(region, sector, enterprise, consortium, n)

    add_schools(0, 2)
    for_2 = _compute_all_queries()
    add_schools(2, 20)
    for_20 = _compute_all_queries()
    assert for_2 == for_20 == QUERIES_FOR_COMPUTE_ALL
    assert len(compute("employment_rate", "program", Y)) == 20


# compute_all: subjects (schools, current programs, consortia) 3 + courses 1 + program years 1 +
# enrolment 1 + teachers 1 + placements 1 + feedback 1 + program partnerships 1 + deep (school,
# consortium) 2 + contributions (school, consortium) 2 + services 1 + patents 1 + school bases 1 +
# consortium bases 3 + consortium enterprises 1 + supply and demand 2 + certified enterprises 1.
QUERIES_FOR_COMPUTE_ALL = 24
