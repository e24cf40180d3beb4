"""Pages of enterprise projects and their adoption, talent demands, training bases and their use,
technical services and patents: who sees and changes what, forms that keep typed values and show
errors beside fields, writes through the services, lists at a constant number of queries."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.choices import ProjectStatus
from partnerships.models import (
    EnterpriseProject,
    Patent,
    ProjectAdoption,
    TalentDemand,
    TechnicalService,
    TrainingBase,
    TrainingBaseUsage,
)
from partnerships.tests.factories import (
    EnterpriseProjectFactory,
    PatentFactory,
    ProjectAdoptionFactory,
    TalentDemandFactory,
    TechnicalServiceFactory,
    TrainingBaseFactory,
    TrainingBaseUsageFactory,
)
from portal.tests.factories import EnterpriseFactory, RegionFactory, SchoolFactory
from programs.tests.factories import CourseFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"partnerships:{name}", args=args)


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def course_a(school_a):
    return CourseFactory(program=ProgramFactory(school=school_a, name="智能制造技术"), code="K101", name="机器视觉")


@pytest.fixture
def course_b(school_b):
    return CourseFactory(program=ProgramFactory(school=school_b), code="K201", name="PLC 编程")


def project_body(enterprise, **overrides) -> dict:
    return {"enterprise": enterprise.pk, "title": "产线视觉检测", "summary": "检测焊缝缺陷", "skills": "OpenCV",
            "sector": enterprise.sector_id, "capacity": "30", "start_date": "2025-09-01",
            "end_date": "2026-01-15", **overrides}


# --- the journey: post a draft, open it, adopt it -------------------------------------------------
def test_liaison_posts_a_draft_opens_it_and_a_college_admin_adopts_it(client, liaison, enterprise,
                                                                        college_admin_a, course_a):
    as_user(client, liaison)
    response = client.post(url("project-add"), project_body(enterprise))
    project = EnterpriseProject.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("project-detail", project.pk)
    assert (project.status, project.enterprise, project.title, project.capacity) == (
        ProjectStatus.DRAFT, enterprise, "产线视觉检测", 30)

    # A draft is the enterprise's own: not listed for, nor reachable by, a college admin.
    as_user(client, college_admin_a)
    assert "产线视觉检测" not in client.get(url("project-list")).content.decode()
    assert client.get(url("project-detail", project.pk)).status_code == 404
    assert client.post(url("project-adopt", project.pk), {"course": course_a.pk, "year": 2025}).status_code == 404

    as_user(client, liaison)
    page = client.get(url("project-detail", project.pk)).content.decode()
    assert "Open for adoption" in page
    response = client.post(url("project-status", project.pk), {"status": ProjectStatus.OPEN})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.OPEN

    as_user(client, college_admin_a)
    assert "产线视觉检测" in client.get(url("project-list")).content.decode()
    detail = client.get(url("project-detail", project.pk)).content.decode()
    assert "Adopt this project into a course" in detail
    assert "智能制造技术 · K101 机器视觉" in detail
    response = client.post(url("project-adopt", project.pk),
                           {"course": course_a.pk, "year": "2025", "students": "28", "outcome": "完成检测原型"})
    assert response.status_code == 302
    assert response["Location"] == url("project-detail", project.pk) + "#adoptions"
    adoption = ProjectAdoption.objects.get()
    assert (adoption.project, adoption.course, adoption.year, adoption.students, adoption.outcome) == (
        project, course_a, 2025, 28, "完成检测原型")

    # The enterprise sees the adoption on its project's page.
    as_user(client, liaison)
    page = client.get(url("project-detail", project.pk)).content.decode()
    assert "机器视觉" in page and "2025–2026" in page and "完成检测原型" in page


def test_the_adoption_form_offers_only_the_admins_own_courses(client, college_admin_a, enterprise, course_a,
                                                               course_b):
    project = EnterpriseProjectFactory(enterprise=enterprise)
    page = as_user(client, college_admin_a).get(url("project-detail", project.pk)).content.decode()
    assert f'value="{course_a.pk}"' in page
    assert f'value="{course_b.pk}"' not in page


def test_another_schools_admin_cannot_adopt_into_a_course_not_theirs(client, college_admin_b, enterprise, course_a):
    project = EnterpriseProjectFactory(enterprise=enterprise)
    response = as_user(client, college_admin_b).post(url("project-adopt", project.pk),
                                                     {"course": course_a.pk, "year": "2025", "students": "5"})
    assert response.status_code == 403
    assert not ProjectAdoption.objects.exists()


def test_a_liaison_cannot_adopt_and_the_anonymous_are_sent_to_log_in(client, liaison, enterprise, course_a):
    project = EnterpriseProjectFactory(enterprise=enterprise)
    assert as_user(client, liaison).post(url("project-adopt", project.pk),
                                         {"course": course_a.pk, "year": "2025"}).status_code == 403
    client.logout()
    for name in ("project-list", "project-add", "demand-list", "base-list", "service-list", "patent-list"):
        response = client.get(url(name))
        assert response.status_code == 302 and "/login" in response["Location"], name
    response = client.post(url("project-adopt", project.pk), {"course": course_a.pk, "year": "2025"})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not ProjectAdoption.objects.exists()


def test_adopting_twice_shows_the_error_beside_the_year_and_keeps_the_input(client, college_admin_a, enterprise,
                                                                           course_a):
    project = EnterpriseProjectFactory(enterprise=enterprise)
    ProjectAdoptionFactory(project=project, course=course_a, year=2025)
    response = as_user(client, college_admin_a).post(
        url("project-adopt", project.pk), {"course": course_a.pk, "year": "2025", "students": "17",
                                           "outcome": "第二次"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["year"] == ["This course already adopted this project for this year."]
    assert 'value="17"' in response.content.decode() and "第二次" in response.content.decode()
    assert ProjectAdoption.objects.count() == 1


@pytest.mark.parametrize("status", [ProjectStatus.COMPLETED, ProjectStatus.CANCELLED])
def test_a_closed_project_cannot_be_adopted(client, college_admin_a, enterprise, course_a, status):
    project = EnterpriseProjectFactory(enterprise=enterprise, status=status)
    client = as_user(client, college_admin_a)
    assert "Adopt this project" not in client.get(url("project-detail", project.pk)).content.decode()
    response = client.post(url("project-adopt", project.pk), {"course": course_a.pk, "year": "2025", "students": "9"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"Only an open or in-progress project can be adopted; this one is {project.get_status_display()}."]
    assert not ProjectAdoption.objects.exists()


def test_bad_adoption_input_shows_errors_beside_fields(client, college_admin_a, enterprise, course_a):
    project = EnterpriseProjectFactory(enterprise=enterprise)
    response = as_user(client, college_admin_a).post(url("project-adopt", project.pk),
                                                     {"course": "", "year": "1800", "students": "-3"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"course", "year", "students"}
    assert not ProjectAdoption.objects.exists()


def test_the_school_corrects_its_adoption_and_the_enterprise_may_not(client, college_admin_a, liaison, enterprise,
                                                                    course_a):
    adoption = ProjectAdoptionFactory(project=EnterpriseProjectFactory(enterprise=enterprise), course=course_a,
                                      year=2024, students=10)
    assert as_user(client, liaison).get(url("adoption-edit", adoption.pk)).status_code == 403
    response = as_user(client, college_admin_a).post(url("adoption-edit", adoption.pk),
                                                     {"year": "2024", "students": "12", "outcome": "已验收"})
    assert response.status_code == 302
    adoption.refresh_from_db()
    assert (adoption.students, adoption.outcome) == (12, "已验收")


# --- project pages: list, form, status ------------------------------------------------------------
def test_project_list_filters_and_my_projects(client, liaison, enterprise, outsider, college_admin_a):
    mine = EnterpriseProjectFactory(enterprise=enterprise, title="我的项目")
    draft = EnterpriseProjectFactory(enterprise=enterprise, title="我的草稿", status=ProjectStatus.DRAFT)
    theirs = EnterpriseProjectFactory(enterprise=outsider.enterprise, title="别人的项目",
                                      status=ProjectStatus.COMPLETED)
    other_draft = EnterpriseProjectFactory(enterprise=outsider.enterprise, title="别人的草稿",
                                           status=ProjectStatus.DRAFT)

    def listed(user, **query) -> set[str]:
        response = as_user(client, user).get(url("project-list"), query)
        assert response.status_code == 200
        return {p.title for p in response.context["object_list"]}

    assert listed(liaison) == {mine.title, draft.title, theirs.title}
    assert listed(liaison, mine="on") == {mine.title, draft.title}
    assert listed(liaison, status="completed") == {theirs.title}
    assert listed(college_admin_a) == {mine.title, theirs.title}
    assert listed(college_admin_a, enterprise=outsider.enterprise.pk) == {theirs.title}
    assert listed(college_admin_a, sector=enterprise.sector.code) == {mine.title}
    assert listed(college_admin_a, search="别人") == {theirs.title}
    assert listed(outsider, mine="on") == {theirs.title, other_draft.title}  # mallory's own draft
    # "My projects" is offered to liaisons only.
    assert "mine" not in as_user(client, college_admin_a).get(url("project-list")).context["filterset"].form.fields


def test_only_liaisons_post_projects_and_only_for_their_enterprise(client, college_admin_a, liaison, enterprise,
                                                                   outsider):
    assert as_user(client, college_admin_a).get(url("project-add")).status_code == 403
    assert as_user(client, college_admin_a).post(url("project-add"), project_body(enterprise)).status_code == 403
    response = as_user(client, liaison).post(url("project-add"), project_body(outsider.enterprise))
    assert response.status_code == 200
    assert "enterprise" in response.context["form"].errors
    assert not EnterpriseProject.objects.exists()


def test_bad_project_input_keeps_what_was_typed(client, liaison, enterprise):
    response = as_user(client, liaison).post(url("project-add"), project_body(
        enterprise, title="", capacity="-1", start_date="2026-02-01", end_date="2025-09-01", summary="保留的摘要"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"title", "capacity"} <= set(errors)
    assert "保留的摘要" in response.content.decode()
    assert not EnterpriseProject.objects.exists()

    response = as_user(client, liaison).post(url("project-add"), project_body(
        enterprise, start_date="2026-02-01", end_date="2025-09-01"))
    assert response.status_code == 200
    assert "end_date" in response.context["form"].errors
    assert not EnterpriseProject.objects.exists()


def test_liaison_edits_and_closes_their_project_others_get_403_or_404(client, liaison, outsider, enterprise,
                                                                      college_admin_a):
    project = EnterpriseProjectFactory(enterprise=enterprise, status=ProjectStatus.OPEN, title="旧标题")
    draft = EnterpriseProjectFactory(enterprise=enterprise, status=ProjectStatus.DRAFT)
    response = as_user(client, liaison).post(url("project-edit", project.pk),
                                             project_body(enterprise, title="新标题"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.status) == ("新标题", ProjectStatus.OPEN)  # editing keeps the status

    for user in (outsider, college_admin_a):
        assert as_user(client, user).get(url("project-edit", project.pk)).status_code == 403
        assert as_user(client, user).post(url("project-status", project.pk),
                                          {"status": ProjectStatus.CANCELLED}).status_code == 403
        assert as_user(client, user).post(url("project-status", draft.pk),
                                          {"status": ProjectStatus.OPEN}).status_code == 404
    project.refresh_from_db()
    draft.refresh_from_db()
    assert (project.status, draft.status) == (ProjectStatus.OPEN, ProjectStatus.DRAFT)

    assert as_user(client, liaison).get(url("project-status", project.pk)).status_code == 405
    client.post(url("project-status", project.pk), {"status": ProjectStatus.COMPLETED})
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED


def test_a_status_change_not_offered_writes_nothing(client, liaison, enterprise):
    project = EnterpriseProjectFactory(enterprise=enterprise, status=ProjectStatus.COMPLETED)
    client = as_user(client, liaison)
    for target in (ProjectStatus.OPEN, ProjectStatus.DRAFT, "archived", ""):
        response = client.post(url("project-status", project.pk), {"status": target}, follow=True)
        assert response.status_code == 200
        assert "cannot be moved to that status" in response.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED


# --- talent demands -------------------------------------------------------------------------------
def test_liaison_posts_and_edits_a_demand_everyone_lists_it(client, liaison, enterprise, region, college_admin_a,
                                                            outsider):
    body = {"enterprise": enterprise.pk, "position": "视觉算法工程师", "sector": enterprise.sector_id,
            "region": region.pk, "headcount": "3", "skills": "Python", "year": "2025"}
    assert as_user(client, college_admin_a).post(url("demand-add"), body).status_code == 403
    response = as_user(client, liaison).post(url("demand-add"), {**body, "headcount": "0"})
    assert response.status_code == 200 and "headcount" in response.context["form"].errors
    assert not TalentDemand.objects.exists()
    assert as_user(client, liaison).post(url("demand-add"), body).status_code == 302
    demand = TalentDemand.objects.get()
    assert (demand.enterprise, demand.region, demand.headcount, demand.year) == (enterprise, region, 3, 2025)

    assert as_user(client, outsider).get(url("demand-edit", demand.pk)).status_code == 403
    assert as_user(client, liaison).post(url("demand-edit", demand.pk), {**body, "headcount": "4"}).status_code == 302
    demand.refresh_from_db()
    assert demand.headcount == 4

    other = TalentDemandFactory(enterprise=outsider.enterprise, year=2024, region=RegionFactory())
    response = as_user(client, college_admin_a).get(url("demand-list"), {"year": "2025"})
    assert [d.pk for d in response.context["object_list"]] == [demand.pk]
    response = client.get(url("demand-list"), {"region": other.region.code})
    assert [d.pk for d in response.context["object_list"]] == [other.pk]
    assert client.get(url("demand-detail", demand.pk)).status_code == 200


# --- training bases and their use -----------------------------------------------------------------
def test_college_admin_adds_a_base_and_its_yearly_use_duplicate_year_is_refused(client, college_admin_a, school_a,
                                                                                 college_admin_b):
    body = {"name": "工业机器人实训中心", "co_built": "on", "on_campus": "on", "equipment_value": "500000",
            "enterprise_equipment_value": "100000", "capacity_hours": "1500"}
    assert as_user(client, college_admin_a).post(url("base-add"), {**body, "enterprise_equipment_value": "600000"}
                                                 ).status_code == 200
    assert not TrainingBase.objects.exists()
    assert client.post(url("base-add"), body).status_code == 302
    base = TrainingBase.objects.get()
    assert (base.school, base.enterprise, base.co_built, base.equipment_value) == (
        school_a, None, True, Decimal("500000"))

    usage = {"year": "2024", "internal_hours": "900", "external_hours": "120"}
    assert client.post(url("usage-add", base.pk), usage).status_code == 302
    response = client.post(url("usage-add", base.pk), {**usage, "internal_hours": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors["year"] == ["This training base already has usage recorded for this year."]
    assert list(TrainingBaseUsage.objects.values_list("year", "internal_hours")) == [(2024, 900)]
    assert "1500" in client.get(url("base-detail", base.pk)).content.decode()

    assert as_user(client, college_admin_b).post(url("usage-add", base.pk), {**usage, "year": "2025"}
                                                 ).status_code == 403
    assert as_user(client, college_admin_b).get(url("base-edit", base.pk)).status_code == 403
    assert TrainingBaseUsage.objects.count() == 1


def test_liaison_keeps_their_enterprises_bases(client, liaison, enterprise, school_a):
    own = TrainingBaseFactory(enterprise=enterprise, name="企业实训车间")
    TrainingBaseFactory(school=school_a, name="学校实训中心")
    response = as_user(client, liaison).get(url("base-list"))
    assert [b.name for b in response.context["object_list"]] == ["企业实训车间"]
    usage = TrainingBaseUsageFactory(base=own, year=2024)
    assert client.post(url("usage-edit", own.pk, usage.pk),
                       {"year": "2024", "internal_hours": "50", "external_hours": "5"}).status_code == 302
    usage.refresh_from_db()
    assert (usage.internal_hours, usage.external_hours) == (50, 5)


# --- technical services and patents ---------------------------------------------------------------
def test_college_admin_keeps_services_and_patents_reviewer_reads_them(client, college_admin_a, college_admin_b,
                                                                     reviewer, liaison, school_a, enterprise):
    assert as_user(client, college_admin_a).post(url("service-add"), {
        "school": school_a.pk, "title": "故障诊断服务", "enterprise": enterprise.pk, "year": "2024",
        "amount": "80000.50"}).status_code == 302
    service = TechnicalService.objects.get()
    assert (service.school, service.amount) == (school_a, Decimal("80000.50"))
    patent_body = {"school": school_a.pk, "number": "ZL202310000001.1", "title": "一种夹具",
                   "granted_on": "2024-03-01", "transferred_on": "2023-01-01"}
    response = client.post(url("patent-add"), patent_body)
    assert response.status_code == 200 and "transferred_on" in response.context["form"].errors
    assert client.post(url("patent-add"), {**patent_body, "transferred_on": ""}).status_code == 302
    patent = Patent.objects.get()
    response = client.post(url("patent-add"), {**patent_body, "transferred_on": ""})
    assert response.status_code == 200 and "number" in response.context["form"].errors
    assert Patent.objects.count() == 1

    # The other school: nothing listed, edits 404; a reviewer of the region reads without edit links.
    assert list(as_user(client, college_admin_b).get(url("service-list")).context["object_list"]) == []
    assert client.get(url("patent-edit", patent.pk)).status_code == 404
    assert client.post(url("service-edit", service.pk), {"title": "x"}).status_code == 404
    page = as_user(client, reviewer).get(url("service-list"))
    assert list(page.context["object_list"]) == [service]
    assert url("service-edit", service.pk) not in page.content.decode()
    assert client.get(url("service-add")).status_code == 403
    assert client.get(url("patent-edit", patent.pk)).status_code == 403
    # The client enterprise reads the service naming it.
    assert list(as_user(client, liaison).get(url("service-list")).context["object_list"]) == [service]


# --- query counts ---------------------------------------------------------------------------------
def _makers(school, enterprise):
    region = enterprise.region

    return {
        "project-list": lambda: EnterpriseProjectFactory(enterprise=EnterpriseFactory(region=region)),
        "demand-list": lambda: TalentDemandFactory(enterprise=EnterpriseFactory(region=region)),
        "base-list": lambda: TrainingBaseFactory(school=school),
        "service-list": lambda: TechnicalServiceFactory(school=school, enterprise=EnterpriseFactory()),
        "patent-list": lambda: PatentFactory(school=school, licensee=EnterpriseFactory()),
    }


@pytest.mark.parametrize("name", ["project-list", "demand-list", "base-list", "service-list", "patent-list"])
def test_lists_cost_the_same_queries_for_2_and_12_rows(client, college_admin_a, school_a, enterprise, name):
    make = _makers(school_a, enterprise)[name]
    as_user(client, college_admin_a)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(name))
        assert response.status_code == 200
        return len(response.context["object_list"]), len(queries)

    for _ in range(2):
        make()
    rows_2, queries_2 = count()
    for _ in range(10):
        make()
    rows_12, queries_12 = count()
    assert (rows_2, rows_12) == (2, 12)
    assert queries_12 == queries_2


def test_project_detail_costs_the_same_queries_for_1_and_6_adoptions(client, college_admin_a, school_a, enterprise):
    few = EnterpriseProjectFactory(enterprise=enterprise)
    many = EnterpriseProjectFactory(enterprise=enterprise)
    ProjectAdoptionFactory(project=few, course=CourseFactory(program=ProgramFactory(school=school_a)))
    for year in range(2019, 2025):
        ProjectAdoptionFactory(project=many, year=year, course=CourseFactory(program=ProgramFactory(school=school_a)))
    as_user(client, college_admin_a)
    with CaptureQueriesContext(connection) as few_queries:
        client.get(url("project-detail", few.pk))
    with CaptureQueriesContext(connection) as many_queries:
        response = client.get(url("project-detail", many.pk))
    assert len(response.context["adoptions"]) == 6
    assert len(many_queries) == len(few_queries)


def test_the_pages_render_for_every_persona(client, college_admin_a, liaison, reviewer, platform_admin, enterprise,
                                            school_a):
    project = EnterpriseProjectFactory(enterprise=enterprise)
    base = TrainingBaseFactory(school=school_a)
    demand = TalentDemandFactory(enterprise=enterprise)
    SchoolFactory()
    for user in (college_admin_a, liaison, reviewer, platform_admin):
        as_user(client, user)
        for target in (url("project-list"), url("project-detail", project.pk), url("demand-list"),
                       url("demand-detail", demand.pk), url("base-list"), url("base-detail", base.pk),
                       url("service-list"), url("patent-list")):
            assert client.get(target).status_code == 200, (user.username, target)
    assert as_user(client, platform_admin).get(url("base-add")).status_code == 200
