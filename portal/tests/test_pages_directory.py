"""The directory pages: every signed-in user reads them, filters and search pick the right rows,
drafts stay with their enterprise, and each page costs the same number of queries for 2 or 12 rows."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.choices import ConsortiumKind, MemberRole, ProjectStatus
from partnerships.tests.factories import (
    ConsortiumFactory,
    ConsortiumMemberFactory,
    EnterpriseProjectFactory,
    TalentDemandFactory,
)
from portal.choices import EnterpriseSize, Ownership, SchoolLevel
from portal.tests.factories import EnterpriseFactory, RegionFactory, SchoolFactory, SectorFactory
from programs.choices import ProgramStatus
from programs.tests.factories import CourseFactory, ProgramFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["college_admin_a", "liaison", "reviewer", "platform_admin"]
LISTS = ["directory:index", "directory:school-list", "directory:enterprise-list", "directory:program-list",
         "directory:project-list", "directory:consortium-list"]


def rows(response) -> list[str]:
    """The rows of a list page, by their str()."""
    return [str(obj) for obj in response.context["object_list"]]


@pytest.fixture
def city(region):
    return RegionFactory(prefecture=True, parent=region, name="测试市", name_en="Test City")


@pytest.fixture
def elsewhere(db):
    return RegionFactory(name="远方省", name_en="Far Province")


@pytest.fixture
def world(school_a, school_b, enterprise, city, elsewhere):
    """A small directory: schools A and B in the test province, a city school, a school far away."""
    school_a.ownership = Ownership.PUBLIC
    school_a.save()
    city_school = SchoolFactory(name="市属职业学校", name_en="City Vocational School", region=city,
                                level=SchoolLevel.SECONDARY_VOCATIONAL, ownership=Ownership.PRIVATE, code="9000000777")
    far_school = SchoolFactory(name="远方职业技术学院", name_en="Far Polytechnic", region=elsewhere)
    return {"city_school": city_school, "far_school": far_school}


# --- access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", LISTS)
def test_every_role_reads_the_directory(client, request, persona, name, world):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_role_reads_the_detail_pages(client, request, persona, school_a, enterprise):
    program = ProgramFactory(school=school_a, name="智能制造技术")
    project = EnterpriseProjectFactory(enterprise=enterprise)
    consortium = ConsortiumFactory()
    ConsortiumMemberFactory(consortium=consortium, school=school_a)
    client.force_login(request.getfixturevalue(persona))
    for name, pk in [("school-detail", school_a.pk), ("enterprise-detail", enterprise.pk),
                     ("program-detail", program.pk), ("project-detail", project.pk),
                     ("consortium-detail", consortium.pk)]:
        assert client.get(reverse(f"directory:{name}", args=[pk])).status_code == 200, name


@pytest.mark.parametrize("url", ["/directory/", "/directory/schools/", "/directory/enterprises/1/"])
def test_anonymous_visitors_are_sent_to_the_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_landing_page_counts_each_section(client, liaison, world, enterprise, school_a):
    ProgramFactory(school=school_a)
    EnterpriseProjectFactory(enterprise=enterprise)  # open
    EnterpriseProjectFactory(enterprise=enterprise, status=ProjectStatus.IN_PROGRESS)
    EnterpriseProjectFactory(enterprise=enterprise, status=ProjectStatus.DRAFT)  # the liaison's own draft
    EnterpriseProjectFactory(status=ProjectStatus.COMPLETED)
    ConsortiumFactory()
    client.force_login(liaison)
    page = client.get(reverse("directory:index"))
    counts = {s["key"]: s["count"] for s in page.context["sections"]}
    # 4 schools (A, B, city, far); the enterprise and the completed project's enterprise; the open and the
    # running project (not the draft, not the completed one)
    assert counts == {"schools": 4, "enterprises": 2, "programs": 1, "projects": 2, "consortia": 1}
    assert 'data-testid="count-projects">2<' in page.content.decode()


def test_the_main_menu_links_the_directory(client, college_admin_a):
    client.force_login(college_admin_a)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("directory:index")}"' in page


# --- schools --------------------------------------------------------------------------------------


def test_schools_filter_by_region_subtree_level_and_ownership(client, reviewer, world):
    client.force_login(reviewer)
    url = reverse("directory:school-list")
    province = reviewer.region.code
    assert rows(client.get(url, {"region": province})) == ["乙职业技术学院", "市属职业学校", "甲职业技术学院"]
    assert rows(client.get(url, {"region": world["city_school"].region.code})) == ["市属职业学校"]
    assert rows(client.get(url, {"level": SchoolLevel.SECONDARY_VOCATIONAL})) == ["市属职业学校"]
    assert rows(client.get(url, {"ownership": Ownership.PRIVATE})) == ["市属职业学校"]
    assert rows(client.get(url, {"region": world["far_school"].region.code, "ownership": Ownership.PRIVATE})) == []


def test_schools_search_by_name_english_name_and_code(client, college_admin_a, world):
    client.force_login(college_admin_a)
    url = reverse("directory:school-list")
    assert rows(client.get(url, {"search": "远方"})) == ["远方职业技术学院"]
    assert rows(client.get(url, {"search": "city vocational"})) == ["市属职业学校"]
    assert rows(client.get(url, {"search": "0000777"})) == ["市属职业学校"]


def test_schools_sort_by_the_chosen_column(client, college_admin_a, world, school_a):
    ProgramFactory(school=school_a)
    ProgramFactory(school=school_a)
    ProgramFactory(school=world["far_school"])
    client.force_login(college_admin_a)
    url = reverse("directory:school-list")
    assert rows(client.get(url, {"ordering": "-programs"}))[:2] == ["甲职业技术学院", "远方职业技术学院"]
    assert rows(client.get(url, {"ordering": "-name"}))[0] == "远方职业技术学院"
    page = client.get(url, {"ordering": "name"}).content.decode()
    assert 'aria-sort="ascending"' in page


def test_an_unknown_region_lists_nothing_and_says_why(client, college_admin_a, world):
    client.force_login(college_admin_a)
    response = client.get(reverse("directory:school-list"), {"region": "123"})
    assert response.status_code == 200
    assert rows(response) == []
    assert "Select a valid choice" in response.content.decode()


def test_a_school_page_shows_its_programs_contact_and_consortia(client, liaison, school_a):
    school_a.website = "https://a.example.edu.cn"
    school_a.save()
    program = ProgramFactory(school=school_a, name="工业机器人技术", code="460305")
    CourseFactory(program=program, theory_hours=20, practice_hours=60)
    ProgramFactory(name="别校专业")
    consortium = ConsortiumFactory(name="测试市域联合体")
    ConsortiumMemberFactory(consortium=consortium, school=school_a, role=MemberRole.LEAD)
    client.force_login(liaison)
    page = client.get(reverse("directory:school-detail", args=[school_a.pk])).content.decode()
    assert "工业机器人技术" in page and "460305" in page and "75 %" in page
    assert "别校专业" not in page
    assert 'href="https://a.example.edu.cn"' in page
    assert "测试市域联合体" in page and reverse("directory:consortium-detail", args=[consortium.pk]) in page


# --- enterprises ----------------------------------------------------------------------------------


@pytest.fixture
def enterprises(region, city, elsewhere):
    c39 = SectorFactory(code="C39")  # the shipped division 计算机、通信和其他电子设备制造业
    g54 = SectorFactory(code="G54")
    return {
        "maker": EnterpriseFactory(name="甲电子", sector=c39, region=city, size=EnterpriseSize.LARGE,
                                   integration_certified=True),
        "trucker": EnterpriseFactory(name="乙运输", sector=g54, region=region, size=EnterpriseSize.SMALL),
        "far": EnterpriseFactory(name="丁电子", sector=c39, region=elsewhere, size=EnterpriseSize.SMALL),
    }


def test_enterprises_filter_by_region_sector_size_and_certification(client, college_admin_a, enterprises, region):
    client.force_login(college_admin_a)
    url = reverse("directory:enterprise-list")
    assert rows(client.get(url, {"sector": "C"})) == ["丁电子", "甲电子"]  # the section matches its divisions
    assert rows(client.get(url, {"sector": "C39"})) == ["丁电子", "甲电子"]
    assert rows(client.get(url, {"sector": "G"})) == ["乙运输"]
    assert rows(client.get(url, {"sector": "C", "region": region.code})) == ["甲电子"]  # the city lies in it
    assert rows(client.get(url, {"size": EnterpriseSize.SMALL})) == ["丁电子", "乙运输"]
    assert rows(client.get(url, {"certified": "true"})) == ["甲电子"]
    assert rows(client.get(url, {"certified": "false", "sector": "C"})) == ["丁电子"]
    assert rows(client.get(url, {"search": "运输"})) == ["乙运输"]


def test_an_enterprise_page_shows_its_open_projects_and_demands_not_its_drafts(client, college_admin_a, enterprise):
    EnterpriseProjectFactory(enterprise=enterprise, title="视觉检测项目")
    EnterpriseProjectFactory(enterprise=enterprise, title="草稿项目", status=ProjectStatus.DRAFT)
    EnterpriseProjectFactory(enterprise=enterprise, title="已完成项目", status=ProjectStatus.COMPLETED)
    TalentDemandFactory(enterprise=enterprise, position="机器人运维工程师", headcount=7)
    TalentDemandFactory(position="别家岗位")
    client.force_login(college_admin_a)
    page = client.get(reverse("directory:enterprise-detail", args=[enterprise.pk])).content.decode()
    assert "视觉检测项目" in page
    assert "草稿项目" not in page and "已完成项目" not in page
    assert "机器人运维工程师" in page and "别家岗位" not in page
    assert enterprise.credit_code in page


# --- programs -------------------------------------------------------------------------------------


def test_programs_filter_by_region_sector_school_level_and_status(client, liaison, world, school_a):
    c39 = SectorFactory(code="C39")
    g54 = SectorFactory(code="G54")
    ProgramFactory(school=school_a, name="电子信息工程技术", sector=c39)
    ProgramFactory(school=world["city_school"], name="物流管理", sector=g54, status=ProgramStatus.SUSPENDED)
    ProgramFactory(school=world["far_school"], name="远方电子", sector=c39)
    client.force_login(liaison)
    url = reverse("directory:program-list")
    assert names(client.get(url, {"sector": "C", "ordering": "name"})) == ["电子信息工程技术", "远方电子"]
    assert names(client.get(url, {"sector": "C", "region": liaison.enterprise.region.code})) == ["电子信息工程技术"]
    assert names(client.get(url, {"level": SchoolLevel.SECONDARY_VOCATIONAL})) == ["物流管理"]
    assert names(client.get(url, {"status": ProgramStatus.SUSPENDED})) == ["物流管理"]
    assert names(client.get(url, {"search": "远方"})) == ["远方电子"]  # by name or school


def names(response) -> list[str]:
    return [obj.name for obj in response.context["object_list"]]


def test_a_program_page_shows_its_courses_and_links_its_school(client, liaison, school_a):
    program = ProgramFactory(school=school_a, name="工业机器人技术")
    CourseFactory(program=program, name="机器人编程", theory_hours=10, practice_hours=30)
    client.force_login(liaison)
    page = client.get(reverse("directory:program-detail", args=[program.pk])).content.decode()
    assert "机器人编程" in page and "75 %" in page
    assert reverse("directory:school-detail", args=[school_a.pk]) in page
    assert "Manage this program" not in page  # only its school manages it


def test_the_programs_own_school_gets_a_link_to_manage_it(client, college_admin_a, school_a):
    program = ProgramFactory(school=school_a)
    client.force_login(college_admin_a)
    page = client.get(reverse("directory:program-detail", args=[program.pk])).content.decode()
    assert reverse("programs:program-detail", args=[program.pk]) in page


# --- projects -------------------------------------------------------------------------------------


def test_only_open_and_running_projects_are_listed_and_they_filter(client, college_admin_a, enterprise, enterprises,
                                                                    region):
    EnterpriseProjectFactory(enterprise=enterprise, title="开放项目")
    EnterpriseProjectFactory(enterprise=enterprises["maker"], title="进行中项目", status=ProjectStatus.IN_PROGRESS)
    EnterpriseProjectFactory(enterprise=enterprises["far"], title="远方项目")
    EnterpriseProjectFactory(enterprise=enterprise, title="草稿项目", status=ProjectStatus.DRAFT)
    EnterpriseProjectFactory(enterprise=enterprise, title="完成项目", status=ProjectStatus.COMPLETED)
    client.force_login(college_admin_a)
    url = reverse("directory:project-list")
    assert sorted(rows(client.get(url))) == sorted(["开放项目", "进行中项目", "远方项目"])
    assert rows(client.get(url, {"status": ProjectStatus.IN_PROGRESS})) == ["进行中项目"]
    assert sorted(rows(client.get(url, {"sector": "C39"}))) == sorted(["进行中项目", "远方项目"])
    assert sorted(rows(client.get(url, {"region": region.code}))) == sorted(["开放项目", "进行中项目"])
    assert rows(client.get(url, {"search": "PLC", "region": enterprises["far"].region.code})) == ["远方项目"]
    # a draft cannot be asked for through the status filter either
    assert rows(client.get(url, {"status": ProjectStatus.DRAFT})) == []


def test_a_draft_of_another_enterprise_is_not_found(client, outsider, liaison, enterprise):
    draft = EnterpriseProjectFactory(enterprise=enterprise, title="草稿项目", status=ProjectStatus.DRAFT)
    client.force_login(outsider)
    assert client.get(reverse("directory:project-detail", args=[draft.pk])).status_code == 404
    client.force_login(liaison)  # its own enterprise sees it
    response = client.get(reverse("directory:project-detail", args=[draft.pk]))
    assert response.status_code == 200 and "草稿项目" in response.content.decode()


def test_a_draft_is_not_found_for_a_college_either(client, college_admin_a, enterprise):
    draft = EnterpriseProjectFactory(enterprise=enterprise, status=ProjectStatus.DRAFT)
    client.force_login(college_admin_a)
    assert client.get(reverse("directory:project-detail", args=[draft.pk])).status_code == 404


# --- consortia ------------------------------------------------------------------------------------


def test_consortia_filter_by_kind_and_region_and_show_their_members(client, reviewer, region, city, elsewhere,
                                                                    school_a, enterprise):
    near = ConsortiumFactory(name="测试市域联合体", region=city)
    ConsortiumFactory(name="远方职教集团", region=elsewhere, kind=ConsortiumKind.VOCATIONAL_GROUP)
    ConsortiumMemberFactory(consortium=near, school=school_a, role=MemberRole.LEAD)
    ConsortiumMemberFactory(consortium=near, enterprise=enterprise)
    ConsortiumMemberFactory(consortium=near, other_name="测试行业协会", other_kind="association")
    client.force_login(reviewer)
    url = reverse("directory:consortium-list")
    assert rows(client.get(url, {"region": region.code})) == ["测试市域联合体"]
    assert rows(client.get(url, {"kind": ConsortiumKind.VOCATIONAL_GROUP})) == ["远方职教集团"]
    assert {c.name: c.member_count for c in client.get(url).context["object_list"]} == {"测试市域联合体": 3,
                                                                                      "远方职教集团": 0}
    page = client.get(reverse("directory:consortium-detail", args=[near.pk])).content.decode()
    assert "甲职业技术学院" in page and "丙智能制造有限公司" in page and "测试行业协会" in page
    assert reverse("directory:school-detail", args=[school_a.pk]) in page
    assert reverse("directory:enterprise-detail", args=[enterprise.pk]) in page


# --- constant queries -----------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow(n: int, region, enterprise) -> dict:
    """n more rows in every list and on every detail page."""
    school = SchoolFactory(region=region)
    consortium = ConsortiumFactory(region=region)
    for _ in range(n):
        program = ProgramFactory(school=school)
        CourseFactory(program=program)
        EnterpriseFactory(region=region)
        SchoolFactory(region=region)
        EnterpriseProjectFactory(enterprise=enterprise)
        TalentDemandFactory(enterprise=enterprise)
        ConsortiumMemberFactory(consortium=consortium)
        ConsortiumMemberFactory(consortium=ConsortiumFactory(region=region), enterprise=enterprise)
    return {"school": school, "consortium": consortium, "program": program}


@pytest.mark.parametrize("persona", ["college_admin_a", "liaison"])
def test_lists_and_details_cost_the_same_queries_for_2_or_12_rows(client, request, persona, region, enterprise):
    client.force_login(request.getfixturevalue(persona))
    small = _grow(2, region, enterprise)
    urls_small = _urls(small, enterprise, region)
    before = {url: _queries(client, url) for url in urls_small}
    large = _grow(10, region, enterprise)
    urls_large = _urls(large, enterprise, region)
    after = {url: _queries(client, url) for url in urls_large}
    assert list(before.values()) == list(after.values()), (before, after)


def _urls(made: dict, enterprise, region) -> list[str]:
    return [
        reverse("directory:index"),
        reverse("directory:school-list"),
        reverse("directory:school-list") + f"?region={region.code}&ordering=-programs",
        reverse("directory:enterprise-list") + "?sector=C&certified=false",
        reverse("directory:program-list") + f"?region={region.code}&search=智能",
        reverse("directory:project-list"),
        reverse("directory:consortium-list") + "?ordering=-members",
        reverse("directory:school-detail", args=[made["school"].pk]),
        reverse("directory:enterprise-detail", args=[enterprise.pk]),
        reverse("directory:program-detail", args=[made["program"].pk]),
        reverse("directory:consortium-detail", args=[made["consortium"].pk]),
    ]
