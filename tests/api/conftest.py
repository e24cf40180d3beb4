"""One "world" of rows for every API resource, built with each app's factories.

Rows belong to school A (alice's), school B (bob's), enterprise E (carol's) or enterprise F
(mallory's), all in `region` (dave reviews it), or to school O / enterprise G in the other
reviewer's (erin's) province. `tests/api/matrix.py` names these rows by their keys and says who sees
and changes each of them.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from evaluation.choices import Condition, Level, Recommendation, RunStatus, Severity, WarningStatus
from evaluation.models import (
    EvaluationRun,
    IndicatorValue,
    ProgramRecommendation,
    TargetOverride,
    Warning,
    subject_key,
)
from evaluation.tests.factories import FeedbackFactory, FeedbackScoreFactory
from partnerships.choices import (
    ContributionParty,
    MemberRole,
    PartnershipStatus,
    ProjectStatus,
)
from partnerships.tests.factories import (
    ConsortiumFactory,
    ConsortiumMemberFactory,
    ContributionFactory,
    EnterpriseProjectFactory,
    PartnershipFactory,
    PatentFactory,
    ProjectAdoptionFactory,
    TalentDemandFactory,
    TechnicalServiceFactory,
    TrainingBaseFactory,
    TrainingBaseUsageFactory,
)
from portal.models import ApiToken
from portal.tests.factories import (
    CollegeAdminFactory,
    EnterpriseFactory,
    RegionFactory,
    SchoolFactory,
    SectorFactory,
)
from programs.tests.factories import (
    CourseFactory,
    ProgramFactory,
    ProgramYearFactory,
    TeacherFactory,
    TeacherPlacementFactory,
)

from .matrix import PERSONAS


class World:
    """The rows of the world by key (`world.prog_a`, `world["prog_a"]`)."""

    def __init__(self) -> None:
        self.rows: dict[str, object] = {}

    def add(self, key: str, row):
        self.rows[key] = row
        return row

    def __getitem__(self, key: str):
        return self.rows[key]

    def __getattr__(self, key: str):
        try:
            return self.__dict__["rows"][key]
        except KeyError:
            raise AttributeError(key) from None


@pytest.fixture
def personas(college_admin_a, college_admin_b, liaison, outsider, reviewer, other_reviewer, platform_admin):
    """The role personas of the root conftest by name; `anon` is no user at all."""
    users = {
        "alice": college_admin_a,
        "bob": college_admin_b,
        "carol": liaison,
        "mallory": outsider,
        "dave": reviewer,
        "erin": other_reviewer,
        "pat": platform_admin,
        "anon": None,
    }
    assert set(users) == set(PERSONAS)
    return users


@pytest.fixture
def world(personas, region, school_a, school_b, enterprise) -> World:
    w = World()
    add = w.add
    for name, user in personas.items():
        if user is not None:
            add(name, user)
    other_province = personas["erin"].region
    school_o = add("school_o", SchoolFactory(region=other_province, name="丁职业学院", name_en="College O"))
    ent_e = add("ent_e", enterprise)
    ent_f = add("ent_f", personas["mallory"].enterprise)
    ent_g = add("ent_g", EnterpriseFactory(region=other_province, name="戊科技有限公司", name_en="Enterprise G"))
    add("school_a", school_a)
    add("school_b", school_b)

    # Reference data and organisations nobody refers to (so that deleting them can succeed).
    add("region_r", region)
    add("region_o", other_province)
    add("region_spare", RegionFactory(name="空省", name_en="Spare Province"))
    sector = add("sector_e", ent_e.sector)
    add("sector_spare", SectorFactory(name="空行业", name_en="Spare sector"))
    add("school_spare", SchoolFactory(region=region, name="空职业学院", name_en="Spare College"))
    add("ent_spare", EnterpriseFactory(region=region, sector=sector, name="空有限公司", name_en="Spare Co."))
    add("user_zoe", CollegeAdminFactory(username="zoe", school=school_a))
    add("tok_alice", ApiToken.issue(user=personas["alice"], name="alice's integration")[0])
    add("tok_carol", ApiToken.issue(user=personas["carol"], name="carol's integration")[0])

    # Teaching.
    prog_a = add("prog_a", ProgramFactory(school=school_a, sector=sector, name="工业机器人技术"))
    prog_b = add("prog_b", ProgramFactory(school=school_b, sector=sector, name="数控技术"))
    prog_o = add("prog_o", ProgramFactory(school=school_o, sector=sector, name="物联网应用技术"))
    course_a = add("course_a", CourseFactory(program=prog_a, co_developed_with=ent_e))
    course_b = add("course_b", CourseFactory(program=prog_b))
    course_o = add("course_o", CourseFactory(program=prog_o))
    add("py_a", ProgramYearFactory(program=prog_a))
    add("py_b", ProgramYearFactory(program=prog_b))
    add("py_o", ProgramYearFactory(program=prog_o))
    teacher_a = add("teacher_a", TeacherFactory(school=school_a, name="张老师"))
    teacher_b = add("teacher_b", TeacherFactory(school=school_b, name="李老师"))
    add("teacher_b_industry", TeacherFactory(school=school_b, name="王工", part_time=True, employer=ent_e))
    teacher_o = add("teacher_o", TeacherFactory(school=school_o, name="赵老师"))
    add("pl_a_e", TeacherPlacementFactory(teacher=teacher_a, enterprise=ent_e))
    add("pl_a_e_verified", TeacherPlacementFactory(teacher=teacher_a, enterprise=ent_e, verified=True))
    add("pl_b_f", TeacherPlacementFactory(teacher=teacher_b, enterprise=ent_f))
    add("pl_o", TeacherPlacementFactory(teacher=teacher_o, enterprise=ent_g))

    # Cooperation.
    cons_r = add("cons_r", ConsortiumFactory(region=region, name="测试市域产教联合体"))
    cons_o = add("cons_o", ConsortiumFactory(region=other_province, name="另一省行业产教融合共同体"))
    add("mem_a", ConsortiumMemberFactory(consortium=cons_r, school=school_a, role=MemberRole.LEAD))
    add("mem_e", ConsortiumMemberFactory(consortium=cons_r, enterprise=ent_e))
    add("mem_o", ConsortiumMemberFactory(consortium=cons_o, school=school_o))
    add("ps_ae_proposed", PartnershipFactory(school=school_a, enterprise=ent_e, programs=[prog_a]))
    ps_ae_active = add("ps_ae_active", PartnershipFactory(school=school_a, enterprise=ent_e,
                                                          status=PartnershipStatus.ACTIVE, programs=[prog_a]))
    ps_bf = add("ps_bf_proposed", PartnershipFactory(school=school_b, enterprise=ent_f, programs=[prog_b]))
    ps_o = add("ps_o", PartnershipFactory(school=school_o, enterprise=ent_g, status=PartnershipStatus.ACTIVE))
    add("ct_a_school", ContributionFactory(partnership=ps_ae_active, party=ContributionParty.SCHOOL))
    add("ct_a_ent", ContributionFactory(partnership=ps_ae_active, party=ContributionParty.ENTERPRISE))
    add("ct_b_ent", ContributionFactory(partnership=ps_bf, party=ContributionParty.ENTERPRISE))
    add("ct_o", ContributionFactory(partnership=ps_o, party=ContributionParty.SCHOOL))
    proj_e_open = add("proj_e_open", EnterpriseProjectFactory(enterprise=ent_e, sector=sector))
    add("proj_e_draft", EnterpriseProjectFactory(enterprise=ent_e, sector=sector, status=ProjectStatus.DRAFT))
    proj_f_open = add("proj_f_open", EnterpriseProjectFactory(enterprise=ent_f, sector=sector))
    add("proj_f_draft", EnterpriseProjectFactory(enterprise=ent_f, sector=sector, status=ProjectStatus.DRAFT))
    proj_g_open = add("proj_g_open", EnterpriseProjectFactory(enterprise=ent_g, sector=sector))
    add("ad_a", ProjectAdoptionFactory(project=proj_e_open, course=course_a))
    add("ad_b", ProjectAdoptionFactory(project=proj_f_open, course=course_b))
    add("ad_o", ProjectAdoptionFactory(project=proj_g_open, course=course_o))
    add("td_e", TalentDemandFactory(enterprise=ent_e))
    add("td_f", TalentDemandFactory(enterprise=ent_f))
    add("td_g", TalentDemandFactory(enterprise=ent_g))
    tb_a = add("tb_a", TrainingBaseFactory(school=school_a))
    tb_e = add("tb_e", TrainingBaseFactory(enterprise=ent_e))
    tb_cons = add("tb_cons", TrainingBaseFactory(consortium=cons_r))
    tb_o = add("tb_o", TrainingBaseFactory(school=school_o))
    add("use_a", TrainingBaseUsageFactory(base=tb_a))
    add("use_e", TrainingBaseUsageFactory(base=tb_e))
    add("use_cons", TrainingBaseUsageFactory(base=tb_cons))
    add("use_o", TrainingBaseUsageFactory(base=tb_o))
    add("ts_a", TechnicalServiceFactory(school=school_a, enterprise=ent_e))
    add("ts_b", TechnicalServiceFactory(school=school_b, enterprise=ent_f))
    add("ts_o", TechnicalServiceFactory(school=school_o, enterprise=ent_g))
    add("pt_a", PatentFactory(school=school_a, licensee=ent_e))
    add("pt_b", PatentFactory(school=school_b))
    add("pt_o", PatentFactory(school=school_o))

    # Feedback (evaluation app): E on school A's graduates, F on its partnership with B, G in the other province.
    fb_a = add("fb_e_prog_a", FeedbackFactory(program=prog_a, enterprise=ent_e, year=2024))
    fb_b = add("fb_f_ps_bf", FeedbackFactory(partnership=ps_bf, year=2024))
    fb_o = add("fb_g_prog_o", FeedbackFactory(program=prog_o, enterprise=ent_g, year=2024))
    for feedback in (fb_a, fb_b, fb_o):
        FeedbackScoreFactory(feedback=feedback)

    # Evaluation results as runs publish them: the published run of 2024 and a run of 2023 still
    # computing (its rows are nobody's to see yet). One value, warning and recommendation per subject.
    run = add("run_2024", EvaluationRun.objects.create(year=2024, status=RunStatus.SUCCEEDED, published=True,
                                                       progress=100))
    running = add("run_2023_running", EvaluationRun.objects.create(year=2023, status=RunStatus.RUNNING))
    subjects = {
        "prog_a": {"level": Level.PROGRAM, "program": prog_a, "school": school_a},
        "school_a": {"level": Level.SCHOOL, "school": school_a},
        "school_b": {"level": Level.SCHOOL, "school": school_b},
        "cons_r": {"level": Level.CONSORTIUM, "consortium": cons_r},
        "region_r": {"level": Level.REGION, "region": region},
        "rs_r": {"level": Level.REGION_SECTOR, "region": region, "sector": sector},
        "school_o": {"level": Level.SCHOOL, "school": school_o},
        "region_o": {"level": Level.REGION, "region": other_province},
    }
    indicator_of = {Level.PROGRAM: "practical_hours_share", Level.SCHOOL: "dual_qualified_ratio",
                    Level.CONSORTIUM: "deep_cooperation_share", Level.REGION: "part_time_teacher_ratio",
                    Level.REGION_SECTOR: "supply_demand_ratio"}
    for key, subject in subjects.items():
        add(f"iv_{key}", IndicatorValue.objects.create(
            run=run, year=2024, indicator=indicator_of[subject["level"]], value=0.25, numerator=1, denominator=4,
            target=0.5, **subject))
    add("iv_unpublished", IndicatorValue.objects.create(
        run=running, year=2023, indicator="dual_qualified_ratio", value=0.5, numerator=1, denominator=2, target=0.5,
        **subjects["school_a"]))
    now = timezone.now()
    lifecycle = {  # prog_a's warning was acknowledged by dave, region_r's resolved by a later run
        "prog_a": {"status": WarningStatus.ACKNOWLEDGED, "acknowledged_by": personas["dave"], "acknowledged_at": now,
                   "note": "学院已提交整改方案"},
        "region_r": {"status": WarningStatus.RESOLVED, "resolved_at": now},
    }
    for key in ("prog_a", "school_a", "school_b", "cons_r", "region_r", "school_o"):
        subject = subjects[key]
        ids = {f"{name}_id": row.pk for name, row in subject.items() if name != "level"}
        add(f"warn_{key}", Warning.objects.create(
            year=2024, indicator=indicator_of[subject["level"]], value=0.25, target=0.5, severity=Severity.MEDIUM,
            subject_key=subject_key(subject["level"], **ids), opened_by_run=run, last_seen_run=run,
            **lifecycle.get(key, {}), **subject))
    for key, program, school in (("rec_a", prog_a, school_a), ("rec_b", prog_b, school_b),
                                 ("rec_o", prog_o, school_o)):
        add(key, ProgramRecommendation.objects.create(
            run=run, program=program, school=school, year=2024, conditions=[Condition.NO_PARTNERSHIP],
            consecutive_years=2, recommendation=Recommendation.ENROLMENT_REDUCED,
            history={"2024": [Condition.NO_PARTNERSHIP], "2023": [Condition.NO_PARTNERSHIP], "2022": []}))
    add("rec_unpublished", ProgramRecommendation.objects.create(run=running, program=prog_a, school=school_a,
                                                                year=2023))
    add("to_r", TargetOverride.objects.create(indicator="dual_qualified_ratio", region=region, target=0.6))
    add("to_o", TargetOverride.objects.create(indicator="supply_demand_ratio", region=other_province, target=0.7,
                                              target_upper=1.6, note="本省产业结构调整期"))
    return w


@pytest.fixture(scope="session")
def _shared_client() -> APIClient:
    # Building a client's handler loads the middleware, and WhiteNoise then scans every static file
    # (~80 ms): one client for the whole session, reset for each test.
    return APIClient()


@pytest.fixture
def api(_shared_client) -> Iterator[APIClient]:
    """An anonymous API client without credentials or cookies."""
    client = _shared_client
    _reset(client)
    yield client
    _reset(client)


def _reset(client: APIClient) -> None:
    from http.cookies import SimpleCookie

    client.force_authenticate(None)
    client.credentials()
    client.cookies = SimpleCookie()
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE", None)


@pytest.fixture(autouse=True)
def _fresh_throttle_history():
    """Throttles count requests in the cache: every test starts with none counted."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
