"""A small world with one row of every model, for the CSRF and XSS attack tests.

`build(text)` puts `text` into every free-text field the pages show (names, titles, descriptions,
notes, skills, comments); the CSRF tests pass plain text, the XSS tests a script payload.
School A (alice) partners enterprise C (carol) in region P (reviewed by dave); pat is the
platform admin. Every row the browser routes take as a URL argument exists and is one alice,
carol, dave or pat may act on.
"""
from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.apps import apps
from django.contrib.auth.models import Group

from evaluation.choices import Recommendation
from evaluation.models import EvaluationRun
from evaluation.tests.factories import (
    EvaluationRunFactory,
    FeedbackFactory,
    FeedbackScoreFactory,
    IndicatorValueFactory,
    ProgramRecommendationFactory,
    TargetOverrideFactory,
    WarningFactory,
)
from partnerships.choices import PartnershipStatus
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
    LiaisonFactory,
    PlatformAdminFactory,
    RegionFactory,
    ReviewerFactory,
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

Y = 2025


def build(text: str = "plain", *, prefix: str = "") -> SimpleNamespace:
    """One tenant; a second call with another `text` and a username `prefix` ("b_") builds a second,
    disjoint tenant (its own province, school, enterprise and users) sharing the year's published run."""
    w = SimpleNamespace(text=text)
    w.P = RegionFactory(name=f"{text} 省", name_en=f"{text} Province")
    w.sector = SectorFactory(name=f"{text} 制造业", name_en=f"{text} manufacturing")
    w.school = SchoolFactory(region=w.P, name=f"{text} 学院", name_en=f"{text} Polytechnic")
    w.enterprise = EnterpriseFactory(region=w.P, sector=w.sector, name=f"{text} 公司", name_en=f"{text} Co.")
    w.alice = CollegeAdminFactory(username=f"{prefix}alice", school=w.school)
    w.carol = LiaisonFactory(username=f"{prefix}carol", enterprise=w.enterprise)
    w.dave = ReviewerFactory(username=f"{prefix}dave", region=w.P)
    w.pat = PlatformAdminFactory(username=f"{prefix}pat")
    w.group = Group.objects.create(name=f"{prefix}auditors")
    w.token, _key = ApiToken.issue(user=w.alice, name="ci")

    w.program = ProgramFactory(school=w.school, sector=w.sector, name=f"{text} 专业")
    w.course = CourseFactory(program=w.program, name=f"{text} 课程", theory_hours=30, practice_hours=10)
    w.record = ProgramYearFactory(program=w.program, year=Y)
    w.teacher = TeacherFactory(school=w.school, name=f"{text} 老师")
    w.placement = TeacherPlacementFactory(teacher=w.teacher, enterprise=w.enterprise,
                                          description=f"{text} placement")

    w.partnership = PartnershipFactory(school=w.school, enterprise=w.enterprise, programs=[w.program],
                                       title=f"{text} 合作", description=f"{text} description",
                                       status=PartnershipStatus.PROPOSED)
    w.active = PartnershipFactory(school=w.school, enterprise=w.enterprise, programs=[w.program],
                                  title=f"{text} 合作 active", status=PartnershipStatus.ACTIVE,
                                  start_date=datetime.date(2020, 9, 1))
    w.contribution = ContributionFactory(partnership=w.active, note=f"{text} note")
    w.project = EnterpriseProjectFactory(enterprise=w.enterprise, title=f"{text} 项目",
                                         summary=f"{text} summary", skills=f"{text} skills")
    w.adoption = ProjectAdoptionFactory(project=w.project, course=w.course, outcome=f"{text} outcome")
    w.demand = TalentDemandFactory(enterprise=w.enterprise, position=f"{text} 岗位", skills=f"{text} skills",
                                   year=Y)
    w.base = TrainingBaseFactory(school=w.school, name=f"{text} 基地")
    w.usage = TrainingBaseUsageFactory(base=w.base, year=Y)
    w.service = TechnicalServiceFactory(school=w.school, enterprise=w.enterprise, title=f"{text} 服务", year=Y)
    w.patent = PatentFactory(school=w.school, title=f"{text} 专利")
    w.consortium = ConsortiumFactory(name=f"{text} 集团", description=f"{text} consortium")
    w.member = ConsortiumMemberFactory(consortium=w.consortium, school=w.school)
    w.feedback = FeedbackFactory(program=w.program, enterprise=w.enterprise, year=Y, comment=f"{text} comment")
    w.score = FeedbackScoreFactory(feedback=w.feedback)

    w.run = EvaluationRun.objects.filter(year=Y, published=True).first() or EvaluationRunFactory(year=Y)
    w.value = IndicatorValueFactory(run=w.run, school=w.school)
    w.warning = WarningFactory(school=w.school, year=Y, note=f"{text} warning note")
    w.recommendation = ProgramRecommendationFactory(run=w.run, program=w.program,
                                                    recommendation=Recommendation.ENROLMENT_REDUCED)
    w.target = TargetOverrideFactory(region=w.P, note=f"{text} target note")
    return w


def row_counts() -> dict[str, int]:
    """The number of rows of every model (sessions included): equal before and after means nothing was
    written, deleted or logged."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}
