"""No N+1: every list endpoint costs the same number of queries for 1 row as for 25.

Each maker creates one row that both the platform admin and alice (college admin of school A) see,
with related rows of its own (its own enterprise, sector, program, scores…), so a name or count
read per row would show up as extra queries.
"""
from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

from evaluation.choices import Level, RunStatus, Severity
from evaluation.models import EvaluationRun, IndicatorValue, ProgramRecommendation, TargetOverride, Warning
from evaluation.tests.factories import FeedbackFactory, FeedbackScoreFactory
from partnerships.choices import ContributionParty, PartnershipStatus
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
from portal.models import ApiToken, Region, Sector
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

from . import matrix


def _program(ctx):
    program = ProgramFactory(school=ctx["school"])
    CourseFactory(program=program)
    return program


def _partnership(ctx, i):
    partnership = PartnershipFactory(
        school=ctx["school"], enterprise=EnterpriseFactory(),
        status=PartnershipStatus.ACTIVE if i % 2 else PartnershipStatus.PROPOSED,
        programs=[ProgramFactory(school=ctx["school"]), ProgramFactory(school=ctx["school"])],
    )
    ContributionFactory(partnership=partnership, party=ContributionParty.SCHOOL)
    return partnership


def _feedback(ctx, i):
    if i % 2:
        feedback = FeedbackFactory(partnership=PartnershipFactory(school=ctx["school"]))
    else:
        feedback = FeedbackFactory(program=ProgramFactory(school=ctx["school"]))
    FeedbackScoreFactory(feedback=feedback, dimension="communication")
    FeedbackScoreFactory(feedback=feedback, dimension="outcomes")
    return feedback


def _training_base(i):
    owner = [{"school": SchoolFactory()}, {"enterprise": EnterpriseFactory()}, {"consortium": ConsortiumFactory()}]
    return TrainingBaseFactory(**owner[i % 3])


def _member(i):
    owner = {"enterprise": EnterpriseFactory()} if i % 2 else {"school": SchoolFactory()}
    return ConsortiumMemberFactory(consortium=ConsortiumFactory(sector=SectorFactory()), **owner)


def _prefecture(i):
    provinces = list(Region.objects.filter(parent=None, code__regex=r"^[1-8]").order_by("code"))
    return RegionFactory(prefecture=True, parent=provinces[i % len(provinces)])


def _sector(i):
    sections = list(Sector.objects.filter(code__regex=r"^[A-T]$").order_by("code"))
    return SectorFactory(parent=sections[i % len(sections)])


def _published_run() -> EvaluationRun:
    run, _created = EvaluationRun.objects.get_or_create(year=2024, published=True,
                                                        defaults={"status": RunStatus.SUCCEEDED})
    return run


def _program_subject(ctx) -> dict:
    program = ProgramFactory(school=ctx["school"])
    return {"level": Level.PROGRAM, "program": program, "school": program.school, "year": 2024,
            "indicator": "employment_rate", "value": 0.5, "target": 0.85}


def _warning(ctx):
    subject = _program_subject(ctx)
    return Warning.objects.create(**subject, subject_key=f"program:{subject['program'].pk}", severity=Severity.HIGH,
                                  opened_by_run=_published_run(), last_seen_run=_published_run())


# prefix -> (ctx, i) -> a new row seen by the platform admin and by alice (ctx: the persona's school, user).
MAKERS = {
    "regions": lambda ctx, i: _prefecture(i),
    "sectors": lambda ctx, i: _sector(i),
    "schools": lambda ctx, i: SchoolFactory(region=RegionFactory()),
    "enterprises": lambda ctx, i: EnterpriseFactory(),
    "users": lambda ctx, i: CollegeAdminFactory(),
    "tokens": lambda ctx, i: ApiToken.issue(user=ctx["user"], name=f"t{i}")[0],
    "programs": lambda ctx, i: _program(ctx),
    "courses": lambda ctx, i: CourseFactory(program=ProgramFactory(school=ctx["school"]),
                                            co_developed_with=EnterpriseFactory()),
    "program-years": lambda ctx, i: ProgramYearFactory(program=ProgramFactory(school=ctx["school"])),
    "teachers": lambda ctx, i: TeacherFactory(school=ctx["school"], part_time=True, dual=True),
    "teacher-placements": lambda ctx, i: TeacherPlacementFactory(teacher=TeacherFactory(school=ctx["school"]),
                                                                 verified=bool(i % 2)),
    "consortia": lambda ctx, i: ConsortiumMemberFactory(
        consortium=ConsortiumFactory(region=RegionFactory(), sector=SectorFactory())).consortium,
    "consortium-members": lambda ctx, i: _member(i),
    "partnerships": lambda ctx, i: _partnership(ctx, i),
    "contributions": lambda ctx, i: ContributionFactory(partnership=PartnershipFactory(school=ctx["school"])),
    "projects": lambda ctx, i: EnterpriseProjectFactory(),
    "project-adoptions": lambda ctx, i: ProjectAdoptionFactory(
        course=CourseFactory(program=ProgramFactory(school=ctx["school"]))),
    "talent-demands": lambda ctx, i: TalentDemandFactory(),
    "training-bases": lambda ctx, i: _training_base(i),
    "training-base-usage": lambda ctx, i: TrainingBaseUsageFactory(base=_training_base(i)),
    "technical-services": lambda ctx, i: TechnicalServiceFactory(school=ctx["school"]),
    "patents": lambda ctx, i: PatentFactory(school=ctx["school"], licensee=EnterpriseFactory()),
    "feedback": lambda ctx, i: _feedback(ctx, i),
    "indicator-values": lambda ctx, i: IndicatorValue.objects.create(
        run=_published_run(), numerator=1, denominator=2, **_program_subject(ctx)),
    "warnings": lambda ctx, i: _warning(ctx),
    "program-recommendations": lambda ctx, i: ProgramRecommendation.objects.create(
        run=_published_run(), program=ProgramFactory(school=ctx["school"]), school=ctx["school"], year=2024),
    "evaluation-runs": lambda ctx, i: EvaluationRun.objects.create(year=2000 + i, status=RunStatus.FAILED,
                                                                   requested_by=ctx["user"]),
    "target-overrides": lambda ctx, i: TargetOverride.objects.create(indicator="employment_rate",
                                                                     region=RegionFactory(), target=0.9),
}
# Lists that do not come from the database: the indicator catalogue lives in code.
NOT_FROM_THE_DATABASE = {"indicators"}
# The audit trail: its query counts are tested in tests/api/test_history.py.
AUDIT_TRAIL = {"history"}
NOT_LISTED_FOR_COLLEGE_ADMINS = {"users"}


def _routed(prefix: str) -> bool:
    try:
        resolve(f"/api/v1/{prefix}/")
    except Resolver404:
        return False
    return True


def test_every_list_endpoint_has_a_maker_here():
    from portal.urls import router

    routed = {prefix for prefix, _viewset, _basename in router.registry} - NOT_FROM_THE_DATABASE - AUDIT_TRAIL
    assert routed <= set(MAKERS), f"add makers for {sorted(routed - set(MAKERS))}"


def test_the_indicator_catalogue_is_listed_without_a_database_query(personas, api):
    api.force_authenticate(personas["alice"])
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/indicators/?page_size=100")
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 23  # the rows of the catalogue in INDICATORS.md
    reads = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert reads == []  # only the request transaction's savepoint


@pytest.mark.parametrize("persona", ["pat", "alice"])
@pytest.mark.parametrize("prefix", sorted(MAKERS))
def test_a_list_costs_the_same_queries_for_1_row_as_for_25(prefix, persona, personas, school_a, api):
    if not _routed(prefix):
        pytest.skip(f"/api/v1/{prefix}/ is not routed (yet)")
    if persona == "alice" and prefix in NOT_LISTED_FOR_COLLEGE_ADMINS:
        pytest.skip("college admins may not list this resource")
    user = personas[persona]
    ctx = {"school": school_a, "user": user}
    counter = itertools.count()
    url = f"/api/v1/{prefix}/?page_size=100"
    api.force_authenticate(user)

    def listing() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url)
        assert response.status_code == 200, response.content
        return response.json()["count"], len(queries)

    MAKERS[prefix](ctx, next(counter))
    listing()  # warm up once (e.g. caches filled on the first request)
    rows_1, queries_1 = listing()
    for _ in range(24):
        MAKERS[prefix](ctx, next(counter))
    rows_25, queries_25 = listing()

    assert rows_25 == rows_1 + 24, f"{persona} does not see the rows this test made"
    assert queries_25 == queries_1, f"{prefix}: {queries_1} queries for {rows_1} rows, {queries_25} for {rows_25}"


def test_matrix_and_makers_name_the_same_resources():
    assert set(matrix.BY_PREFIX) == set(MAKERS)
