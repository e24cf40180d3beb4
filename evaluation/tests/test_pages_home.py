"""Role home pages: the school home (latest published indicators against targets, open warnings,
program advice, what needs attention) and the enterprise home (what awaits an answer, projects,
demands); each only about the user's own organisation, at a constant number of queries."""
from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from evaluation.choices import Condition, Level, Recommendation, RunStatus, Severity, WarningStatus
from evaluation.indicators.catalogue import REGISTRY
from evaluation.tests.factories import (
    EvaluationRunFactory,
    IndicatorValueFactory,
    ProgramRecommendationFactory,
    WarningFactory,
)
from partnerships.choices import PartnershipStatus, ProjectStatus
from partnerships.tests.factories import (
    EnterpriseProjectFactory,
    PartnershipFactory,
    ProjectAdoptionFactory,
    TalentDemandFactory,
)
from portal.years import academic_year_of
from programs.choices import ProgramStatus
from programs.tests.factories import (
    CourseFactory,
    ProgramFactory,
    ProgramYearFactory,
    TeacherFactory,
    TeacherPlacementFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_2024(db):
    return EvaluationRunFactory(year=2024)


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


# --- the school home ------------------------------------------------------------------------------


def test_the_school_home_shows_the_latest_published_values_against_their_targets(
        client, college_admin_a, school_a, school_b, run_2024):
    IndicatorValueFactory(run=run_2024, school=school_a, indicator="dual_qualified_ratio",
                          numerator=3, denominator=10, value=0.3, target=0.5)  # misses (not by half)
    IndicatorValueFactory(run=run_2024, school=school_a, indicator="practical_hours_share",
                          numerator=60, denominator=100, value=0.6, target=0.5)  # meets
    IndicatorValueFactory(run=run_2024, school=school_a, indicator="teacher_practice_rate",
                          numerator=2, denominator=10, value=0.2, target=1.0)  # misses by more than half
    IndicatorValueFactory(run=run_2024, school=school_a, indicator="technical_service_revenue",
                          numerator=1234567, denominator=None, value=1234567.0, target=None)  # no target
    IndicatorValueFactory(run=run_2024, school=school_a, indicator="employment_rate",
                          numerator=None, denominator=None, value=None, target=0.85)  # no data
    IndicatorValueFactory(run=run_2024, school=school_b, indicator="part_time_teacher_ratio",
                          numerator=1, denominator=4, value=0.25, target=0.2)  # another school's
    older = EvaluationRunFactory(year=2023)
    IndicatorValueFactory(run=older, school=school_a, indicator="order_class_share", value=0.1, target=0.2)
    unpublished = EvaluationRunFactory(year=2025, published=False, status=RunStatus.SUCCEEDED)
    IndicatorValueFactory(run=unpublished, school=school_a, indicator="deep_cooperation_share", value=0.9, target=0.3)

    response = home(client, college_admin_a)
    college = response.context["college"]
    assert college["year"] == 2024
    cards = {v["key"]: (v["value"], v["target"], v["state"]) for v in college["values"]}
    assert cards == {
        "practical_hours_share": ("60 %", "≥ 50 %", "meets"),
        "dual_qualified_ratio": ("30 %", "≥ 50 %", "misses"),
        "teacher_practice_rate": ("20 %", "≥ 100 %", "misses_badly"),
        "technical_service_revenue": ("¥1,234,567", None, "no_target"),
        "employment_rate": ("—", "≥ 85 %", "no_data"),
    }
    assert [v["key"] for v in college["values"]][:3] == [  # catalogue order
        "practical_hours_share", "dual_qualified_ratio", "teacher_practice_rate"]
    page = response.content.decode()
    assert "academic year 2024–2025" in page
    assert "Dual-qualified teacher ratio" in page and "Part-time industry teacher ratio" not in page
    assert str(REGISTRY["dual_qualified_ratio"].formula) in page  # the formula on click
    assert 'data-indicator="dual_qualified_ratio"' in page and "<details" in page
    assert "Order-class and apprenticeship share" not in page and "Deep cooperation share" not in page


def test_the_school_home_names_indicators_in_chinese(client, college_admin_a, school_a, run_2024):
    IndicatorValueFactory(run=run_2024, school=school_a)
    client.force_login(college_admin_a)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert escape(REGISTRY["dual_qualified_ratio"].name_zh) in page
    assert "Dual-qualified teacher ratio" not in page


def test_the_school_home_lists_its_unresolved_warnings_and_not_another_schools(
        client, college_admin_a, school_a, school_b):
    program = ProgramFactory(school=school_a, name="工业机器人技术")
    WarningFactory(school=school_a, indicator="dual_qualified_ratio", severity=Severity.MEDIUM)
    WarningFactory(school=school_a, level=Level.PROGRAM, program=program, indicator="employment_rate",
                   subject_key=f"program:{program.pk}", value=0.5, target=0.85, severity=Severity.HIGH)
    WarningFactory(school=school_a, indicator="part_time_teacher_ratio", status=WarningStatus.ACKNOWLEDGED)
    WarningFactory(school=school_a, indicator="teacher_practice_rate", status=WarningStatus.RESOLVED)
    WarningFactory(school=school_b, indicator="codeveloped_course_share")
    response = home(client, college_admin_a)
    warnings = response.context["college"]["warnings"]
    assert warnings["count"] == 3 and warnings["high"] == 1
    assert [row["warning"].indicator for row in warnings["rows"]] == [
        "employment_rate", "dual_qualified_ratio", "part_time_teacher_ratio"]  # high first, then by indicator
    page = response.content.decode()
    assert 'data-testid="warning-count">3<' in page
    assert "工业机器人技术" in page and "value 50 %, target ≥ 85 %" in page
    assert "Co-developed course share" not in page and "Teacher enterprise-practice rate" not in page


def test_the_school_home_shows_advice_to_reduce_or_suspend_of_the_latest_year(
        client, college_admin_a, school_a, school_b, run_2024):
    suspended = ProgramFactory(school=school_a, name="停招专业")
    reduced = ProgramFactory(school=school_a, name="减招专业")
    fine = ProgramFactory(school=school_a, name="正常专业")
    ProgramRecommendationFactory(run=run_2024, program=suspended, recommendation=Recommendation.SUSPENDED,
                                 conditions=[Condition.LOW_EMPLOYMENT], consecutive_years=3)
    ProgramRecommendationFactory(run=run_2024, program=reduced, recommendation=Recommendation.ENROLMENT_REDUCED,
                                 conditions=[Condition.NO_PARTNERSHIP], consecutive_years=2)
    ProgramRecommendationFactory(run=run_2024, program=fine, recommendation=Recommendation.NONE)
    ProgramRecommendationFactory(run=run_2024, program=ProgramFactory(school=school_b, name="乙校专业"),
                                 recommendation=Recommendation.SUSPENDED)
    ProgramRecommendationFactory(run=EvaluationRunFactory(year=2023), program=fine,
                                 recommendation=Recommendation.SUSPENDED)
    response = home(client, college_admin_a)
    assert [r.program.name for r in response.context["college"]["recommendations"]] == ["停招专业", "减招专业"]
    page = response.content.decode()
    advice = page[page.index('id="recommendations"'):page.index('id="attention"')]
    assert "employment rate below its target" in advice and "3 consecutive years flagged" in advice
    assert "停招专业" in advice and "乙校专业" not in advice and "正常专业" not in advice
    assert "乙校专业" not in page


def test_the_attention_counts_are_those_of_the_school(client, college_admin_a, school_a, school_b, enterprise,
                                                      run_2024):
    # proposals awaiting the enterprise: 2 (an active one and school B's proposal do not count)
    PartnershipFactory(school=school_a, enterprise=enterprise, title="待答复一")
    PartnershipFactory(school=school_a, title="待答复二")
    PartnershipFactory(school=school_a, status=PartnershipStatus.ACTIVE, title="已生效")
    PartnershipFactory(school=school_b, title="乙校提议")
    # unverified placements of its teachers: 3 (a verified one and school B's do not count)
    teacher = TeacherFactory(school=school_a, name="王老师")
    for _ in range(3):
        TeacherPlacementFactory(teacher=teacher)
    TeacherPlacementFactory(teacher=teacher, verified=True)
    TeacherPlacementFactory(teacher=TeacherFactory(school=school_b))
    # current programs without figures for 2024 (the latest published year): 2
    with_figures = ProgramFactory(school=school_a, name="有数据专业")
    ProgramYearFactory(program=with_figures, year=2024)
    missing = ProgramFactory(school=school_a, name="缺数据专业", code="460101")
    last_year_only = ProgramFactory(school=school_a, name="仅去年数据专业", code="460102")
    ProgramYearFactory(program=last_year_only, year=2023)
    ProgramFactory(school=school_a, name="已撤销专业", status=ProgramStatus.CLOSED)
    ProgramFactory(school=school_b, name="乙校缺数据")

    response = home(client, college_admin_a)
    college = response.context["college"]
    assert college["proposals"]["count"] == 2
    assert {p.title for p in college["proposals"]["rows"]} == {"待答复一", "待答复二"}
    assert college["placements"]["count"] == 3
    assert college["figures_year"] == 2024
    assert college["missing_figures"]["count"] == 2
    assert [p.name for p in college["missing_figures"]["rows"]] == ["缺数据专业", "仅去年数据专业"]  # by code
    page = response.content.decode()
    assert 'data-testid="proposal-count">2<' in page
    assert 'data-testid="placement-count">3<' in page
    assert 'data-testid="missing-figures-count">2<' in page
    assert "乙校提议" not in page and "乙校缺数据" not in page and "已撤销专业" not in page
    assert reverse("programs:program-detail", args=[missing.pk]) + "#years" in page  # where to fill them in


def test_without_a_published_run_the_school_home_says_so_and_asks_for_this_years_figures(
        client, college_admin_a, school_a):
    EvaluationRunFactory(year=2024, published=False, status=RunStatus.FAILED)
    ProgramFactory(school=school_a)
    response = home(client, college_admin_a)
    college = response.context["college"]
    assert college["year"] is None and college["values"] == []
    assert college["figures_year"] == academic_year_of(datetime.date.today())
    assert college["missing_figures"]["count"] == 1
    assert "No evaluation has been published yet." in response.content.decode()


def test_other_roles_do_not_get_the_school_blocks(client, liaison, reviewer, platform_admin):
    for user in (liaison, reviewer, platform_admin):
        assert "college" not in home(client, user).context


# --- the enterprise home --------------------------------------------------------------------------


def test_the_liaison_home_lists_the_proposal_awaiting_its_answer(client, liaison, enterprise, school_a, outsider):
    PartnershipFactory(school=school_a, enterprise=enterprise, title="订单班合作提议")
    PartnershipFactory(school=school_a, enterprise=enterprise, title="已接受的合作", status=PartnershipStatus.ACTIVE)
    PartnershipFactory(school=school_a, enterprise=outsider.enterprise, title="别家企业的提议")
    response = home(client, liaison)
    block = response.context["liaison"]["proposals"]
    assert block["count"] == 1 and [p.title for p in block["rows"]] == ["订单班合作提议"]
    page = response.content.decode()
    assert "订单班合作提议" in page and "甲职业技术学院" in page
    assert "已接受的合作" not in page and "别家企业的提议" not in page


def test_the_liaison_home_shows_placements_projects_with_adoptions_and_demands(client, liaison, enterprise, outsider):
    TeacherPlacementFactory(enterprise=enterprise, teacher=TeacherFactory(name="待核实教师"))
    TeacherPlacementFactory(enterprise=enterprise, teacher=TeacherFactory(name="已核实教师"), verified=True)
    TeacherPlacementFactory(enterprise=outsider.enterprise, teacher=TeacherFactory(name="别家教师"))
    adopted = EnterpriseProjectFactory(enterprise=enterprise, title="被采用项目")
    ProjectAdoptionFactory(project=adopted, year=2024)
    ProjectAdoptionFactory(project=adopted, year=2025)
    EnterpriseProjectFactory(enterprise=enterprise, title="草稿项目", status=ProjectStatus.DRAFT)
    EnterpriseProjectFactory(enterprise=outsider.enterprise, title="别家项目")
    TalentDemandFactory(enterprise=enterprise, position="机器人运维工程师", headcount=8)
    TalentDemandFactory(enterprise=outsider.enterprise, position="别家岗位")
    response = home(client, liaison)
    data = response.context["liaison"]
    assert data["placements"]["count"] == 1
    assert {p.title: p.adoption_count for p in data["projects"]["rows"]} == {"被采用项目": 2, "草稿项目": 0}
    assert [d.position for d in data["demands"]["rows"]] == ["机器人运维工程师"]
    page = response.content.decode()
    assert "待核实教师" in page and "已核实教师" not in page and "别家教师" not in page
    assert "别家项目" not in page and "别家岗位" not in page
    assert reverse("directory:project-detail", args=[adopted.pk]) in page


# --- constant queries -----------------------------------------------------------------------------


def _count_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    return len(captured)


def _school_records(n: int, school, enterprise, run) -> None:
    indicators = list(REGISTRY)
    for i in range(n):
        program = ProgramFactory(school=school)
        CourseFactory(program=program)
        IndicatorValueFactory(run=run, school=school, indicator=indicators[i % len(indicators)])
        WarningFactory(school=school, level=Level.PROGRAM, program=program, subject_key=f"program:{program.pk}")
        ProgramRecommendationFactory(run=run, program=program, recommendation=Recommendation.SUSPENDED)
        PartnershipFactory(school=school, enterprise=enterprise)
        TeacherPlacementFactory(teacher=TeacherFactory(school=school), enterprise=enterprise)


def _enterprise_records(n: int, school, enterprise) -> None:
    for _ in range(n):
        PartnershipFactory(school=school, enterprise=enterprise)
        TeacherPlacementFactory(teacher=TeacherFactory(school=school), enterprise=enterprise)
        project = EnterpriseProjectFactory(enterprise=enterprise)
        ProjectAdoptionFactory(project=project)
        TalentDemandFactory(enterprise=enterprise)


def test_the_school_home_costs_the_same_queries_for_2_or_12_records(client, college_admin_a, school_a, enterprise,
                                                                     run_2024):
    _school_records(2, school_a, enterprise, run_2024)
    small = _count_queries(client, college_admin_a)
    _school_records(10, school_a, enterprise, run_2024)
    assert _count_queries(client, college_admin_a) == small


def test_the_enterprise_home_costs_the_same_queries_for_2_or_12_records(client, liaison, school_a, enterprise):
    _enterprise_records(2, school_a, enterprise)
    small = _count_queries(client, liaison)
    _enterprise_records(10, school_a, enterprise)
    assert _count_queries(client, liaison) == small
