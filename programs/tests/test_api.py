"""The teaching API: who sees and changes programs, courses, program years, teachers and placements,
how bad input is refused (nothing written, the field named, in the caller's language), verifying a
placement, filters, and lists whose query count does not grow with their rows."""
from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.choices import SchoolLevel
from portal.tests.factories import (
    EnterpriseFactory,
    RegionFactory,
    SchoolFactory,
    SectorFactory,
)
from portal.tests.personas import PERSONAS
from programs.choices import (
    DualQualifiedLevel,
    Employment,
    PlacementActivity,
    ProgramStatus,
)
from programs.models import Course, Program, ProgramYear, Teacher, TeacherPlacement
from programs.tests.factories import (
    CourseFactory,
    ProgramFactory,
    ProgramYearFactory,
    TeacherFactory,
    TeacherPlacementFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def world(region, school_a, school_b, enterprise, outsider):
    """One of each record at school A and at school B. The enterprise (carol's) hosts a placement of
    each school's teachers and employs one of school A's part-time teachers; a third enterprise hosts
    another placement of school A; mallory's enterprise is involved in nothing."""
    third_enterprise = EnterpriseFactory(region=region)
    program_a = ProgramFactory(school=school_a, code="460103", name="工业机器人技术", sector=SectorFactory(code="C39"))
    program_b = ProgramFactory(school=school_b, code="510201", name="计算机应用技术", sector=SectorFactory(code="I65"))
    course_a = CourseFactory(program=program_a, theory_hours=30, practice_hours=90, co_developed_with=enterprise)
    course_b = CourseFactory(program=program_b)
    year_a = ProgramYearFactory(program=program_a, year=2024)
    year_b = ProgramYearFactory(program=program_b, year=2024)
    teacher_a = TeacherFactory(school=school_a, name="张老师")
    teacher_a_employed = TeacherFactory(school=school_a, part_time=True, employer=enterprise)
    teacher_a_elsewhere = TeacherFactory(school=school_a)
    teacher_b = TeacherFactory(school=school_b)
    placement_a = TeacherPlacementFactory(teacher=teacher_a, enterprise=enterprise)
    placement_a_elsewhere = TeacherPlacementFactory(teacher=teacher_a_elsewhere, enterprise=third_enterprise)
    placement_b = TeacherPlacementFactory(teacher=teacher_b, enterprise=enterprise)
    return SimpleNamespace(**{k: v for k, v in locals().items() if not k.startswith("school")})


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.data["results"]}


# --- who sees what ---------------------------------------------------------------------------------

ALL = "all"
VISIBLE = {
    "programs": ("program", {name: ALL for name in PERSONAS}),
    "courses": ("course", {name: ALL for name in PERSONAS}),
    "program-years": ("year", {
        "alice": {"year_a"}, "bob": {"year_b"}, "carol": set(), "mallory": set(), "dave": ALL, "erin": set(),
        "pat": ALL,
    }),
    "teachers": ("teacher", {
        "alice": {"teacher_a", "teacher_a_employed", "teacher_a_elsewhere"}, "bob": {"teacher_b"},
        "carol": {"teacher_a", "teacher_a_employed", "teacher_b"}, "mallory": set(), "dave": ALL, "erin": set(),
        "pat": ALL,
    }),
    "teacher-placements": ("placement", {
        "alice": {"placement_a", "placement_a_elsewhere"}, "bob": {"placement_b"},
        "carol": {"placement_a", "placement_b"}, "mallory": set(), "dave": ALL, "erin": set(), "pat": ALL,
    }),
}
SCOPE_CASES = [
    pytest.param(resource, persona, id=f"{resource}-{persona}")
    for resource, (_, by_persona) in VISIBLE.items()
    for persona in by_persona
]


@pytest.mark.parametrize("resource,persona", SCOPE_CASES)
def test_each_persona_lists_and_opens_exactly_the_rows_section_2_allows_and_gets_404_for_others(
    as_, world, resource, persona
):
    prefix, by_persona = VISIBLE[resource]
    rows = {name: obj for name, obj in vars(world).items() if name.startswith(prefix)}
    allowed = set(rows) if by_persona[persona] == ALL else by_persona[persona]
    client = as_(persona)

    assert ids(client.get(f"{API}/{resource}/")) == {rows[name].pk for name in allowed}
    for name, obj in rows.items():
        expected = 200 if name in allowed else 404
        assert client.get(f"{API}/{resource}/{obj.pk}/").status_code == expected, name


@pytest.mark.parametrize("resource", list(VISIBLE))
def test_anonymous_callers_get_401(as_, world, resource):
    assert as_(None).get(f"{API}/{resource}/").status_code == 401


def test_program_shows_school_and_sector_names_and_course_totals_computed_from_its_courses(as_, world):
    CourseFactory(program=world.program_a, theory_hours=60, practice_hours=20)
    row = as_("carol").get(f"{API}/programs/{world.program_a.pk}/").data
    assert row["school_name"] == "甲职业技术学院"
    assert row["sector"] == "C39"
    assert row["sector_name"] == world.program_a.sector.name
    assert row["course_count"] == 2
    assert row["practical_share"] == pytest.approx(110 / 200)


def test_course_shows_program_school_and_co_developing_enterprise(as_, world):
    row = as_("dave").get(f"{API}/courses/{world.course_a.pk}/").data
    assert row["program"] == world.program_a.pk
    assert row["program_name"] == "工业机器人技术"
    assert row["school"] == world.program_a.school_id
    assert row["co_developed_with"] == world.enterprise.pk
    assert row["co_developed_with_name"] == "丙智能制造有限公司"
    assert as_("dave").get(f"{API}/courses/{world.course_b.pk}/").data["co_developed_with_name"] is None


# --- who changes what ------------------------------------------------------------------------------


def test_college_admin_creates_a_program_of_her_school_with_the_sector_by_code(as_, world, school_a):
    response = as_("alice").post(f"{API}/programs/", {
        "school": school_a.pk, "code": "460305", "name": "数控技术", "sector": "C39", "established_year": 2018,
    })
    assert response.status_code == 201, response.data
    assert response.data["status"] == ProgramStatus.ACTIVE
    assert response.data["course_count"] == 0
    assert response.data["practical_share"] is None
    assert Program.objects.get(pk=response.data["id"]).sector.code == "C39"


def test_college_admin_changes_the_status_of_her_program(as_, world):
    response = as_("alice").patch(f"{API}/programs/{world.program_a.pk}/", {"status": ProgramStatus.WARNING})
    assert response.status_code == 200, response.data
    assert response.data["course_count"] == 1
    world.program_a.refresh_from_db()
    assert world.program_a.status == ProgramStatus.WARNING


@pytest.mark.parametrize("persona", ["bob", "carol", "dave"])
@pytest.mark.parametrize("resource,row", [("programs", "program_a"), ("courses", "course_a")])
def test_another_schools_program_or_course_is_visible_but_not_writable(as_, world, persona, resource, row):
    obj = getattr(world, row)
    client = as_(persona)
    assert client.patch(f"{API}/{resource}/{obj.pk}/", {"name": "改名"}).status_code == 403
    assert client.delete(f"{API}/{resource}/{obj.pk}/").status_code == 403
    obj.refresh_from_db()
    assert obj.name != "改名"


@pytest.mark.parametrize("persona,resource,row,change,expected", [
    ("dave", "program-years", "year_a", {"enrolled": 1}, 403),
    ("carol", "program-years", "year_a", {"enrolled": 1}, 404),  # liaisons see no program years at all
    ("carol", "teachers", "teacher_a", {"name": "改名"}, 403),
    ("dave", "teachers", "teacher_a", {"name": "改名"}, 403),
    ("carol", "teacher-placements", "placement_a", {"description": "改"}, 403),
    ("dave", "teacher-placements", "placement_a", {"description": "改"}, 403),
])
def test_liaisons_and_reviewers_cannot_change_what_they_read(as_, world, persona, resource, row, change, expected):
    obj = getattr(world, row)
    client = as_(persona)
    before = type(obj).objects.filter(pk=obj.pk).values().get()
    assert client.patch(f"{API}/{resource}/{obj.pk}/", change).status_code == expected
    assert client.delete(f"{API}/{resource}/{obj.pk}/").status_code == expected
    assert type(obj).objects.filter(pk=obj.pk).values().get() == before


@pytest.mark.parametrize("resource,row", [
    ("program-years", "year_b"), ("teachers", "teacher_b"), ("teacher-placements", "placement_b"),
])
def test_college_admin_gets_404_for_another_schools_private_rows_and_nothing_changes(as_, world, resource, row):
    obj = getattr(world, row)
    before = type(obj).objects.filter(pk=obj.pk).values().get()
    assert as_("alice").patch(f"{API}/{resource}/{obj.pk}/", {"name": "x"}).status_code == 404
    assert as_("alice").delete(f"{API}/{resource}/{obj.pk}/").status_code == 404
    assert type(obj).objects.filter(pk=obj.pk).values().get() == before


@pytest.mark.parametrize("resource,payload", [
    ("programs", lambda w: {"school": w.program_b.school_id, "code": "460305", "name": "数控技术", "sector": "C39",
                            "established_year": 2018}),
    ("courses", lambda w: {"program": w.program_b.pk, "code": "K1", "name": "课", "theory_hours": 8,
                           "practice_hours": 8}),
    ("program-years", lambda w: {"program": w.program_b.pk, "year": 2023}),
    ("teachers", lambda w: {"school": w.teacher_b.school_id, "name": "李老师", "staff_no": "X1"}),
])
def test_college_admin_cannot_create_rows_for_another_school_403_and_nothing_written(as_, world, resource, payload):
    model = {"programs": Program, "courses": Course, "program-years": ProgramYear, "teachers": Teacher}[resource]
    count = model.objects.count()
    assert as_("alice").post(f"{API}/{resource}/", payload(world)).status_code == 403
    assert model.objects.count() == count


@pytest.mark.parametrize("persona", ["carol", "dave", "erin"])
def test_only_college_admins_and_platform_admins_create_teaching_records(as_, world, persona):
    response = as_(persona).post(f"{API}/courses/", {
        "program": world.program_a.pk, "code": "K9", "name": "课", "theory_hours": 8, "practice_hours": 8,
    })
    assert response.status_code == 403
    assert not Course.objects.filter(code="K9").exists()


def test_college_admin_creates_a_placement_for_her_teacher_unverified(as_, world, enterprise):
    response = as_("alice").post(f"{API}/teacher-placements/", {
        "teacher": world.teacher_a.pk, "enterprise": enterprise.pk, "start_date": "2025-07-01",
        "end_date": "2025-07-31", "activity": PlacementActivity.TRAINING, "verified": True,
    })
    assert response.status_code == 201, response.data
    assert response.data["verified"] is False
    assert response.data["days"] == 31
    assert response.data["school"] == world.teacher_a.school_id
    assert TeacherPlacement.objects.get(pk=response.data["id"]).verified is False


def test_college_admin_naming_another_schools_teacher_in_a_placement_gets_400_on_teacher(as_, world, enterprise):
    count = TeacherPlacement.objects.count()
    response = as_("alice").post(f"{API}/teacher-placements/", {
        "teacher": world.teacher_b.pk, "enterprise": enterprise.pk, "start_date": "2025-07-01",
        "end_date": "2025-07-31", "activity": PlacementActivity.TRAINING,
    })
    assert response.status_code == 400
    assert "teacher" in response.data
    assert TeacherPlacement.objects.count() == count


def test_college_admin_cannot_move_her_placement_to_another_schools_teacher(as_, world):
    response = as_("alice").patch(f"{API}/teacher-placements/{world.placement_a.pk}/", {"teacher": world.teacher_b.pk})
    assert response.status_code == 400
    assert "teacher" in response.data
    world.placement_a.refresh_from_db()
    assert world.placement_a.teacher == world.teacher_a


def test_college_admins_patch_of_verified_is_ignored(as_, world):
    response = as_("alice").patch(f"{API}/teacher-placements/{world.placement_a.pk}/",
                                  {"verified": True, "description": "两周顶岗"})
    assert response.status_code == 200
    assert response.data["verified"] is False
    world.placement_a.refresh_from_db()
    assert world.placement_a.verified is False
    assert world.placement_a.verified_by is None
    assert world.placement_a.description == "两周顶岗"


def test_course_may_name_any_enterprise_as_co_developer(as_, world, outsider):
    response = as_("alice").patch(f"{API}/courses/{world.course_a.pk}/", {"co_developed_with": outsider.enterprise_id})
    assert response.status_code == 200, response.data
    assert response.data["co_developed_with_name"] == outsider.enterprise.name


def test_platform_admin_changes_any_schools_records(as_, world):
    client = as_("pat")
    assert client.patch(f"{API}/programs/{world.program_b.pk}/", {"name": "新名"}).status_code == 200
    assert client.patch(f"{API}/program-years/{world.year_b.pk}/", {"enrolled": 60}).status_code == 200
    assert client.delete(f"{API}/teacher-placements/{world.placement_b.pk}/").status_code == 204


def test_college_admin_deletes_her_teacher_with_unverified_placements(as_, world):
    assert as_("alice").delete(f"{API}/teachers/{world.teacher_a.pk}/").status_code == 204
    assert not TeacherPlacement.objects.filter(pk=world.placement_a.pk).exists()


def test_a_teacher_with_a_verified_placement_cannot_be_deleted_by_the_school(as_, world, liaison):
    TeacherPlacement.objects.filter(pk=world.placement_a.pk).update(verified=True, verified_by=liaison)
    response = as_("alice").delete(f"{API}/teachers/{world.teacher_a.pk}/")
    assert response.status_code == 400
    assert "inactive" in str(response.data)
    assert Teacher.objects.filter(pk=world.teacher_a.pk).exists()


# --- bad input: 400, the field named, nothing written, in the caller's language ----------------------

BAD_INPUT = [
    pytest.param("courses", lambda w: {"program": w.program_a.pk, "code": "K2", "name": "课", "theory_hours": 0,
                                       "practice_hours": 0}, "practice_hours", id="course of 0+0 hours"),
    pytest.param("courses", lambda w: {"program": w.program_a.pk, "code": "K2", "name": "课", "theory_hours": -4,
                                       "practice_hours": 8}, "theory_hours", id="course with negative hours"),
    pytest.param("program-years", lambda w: {"program": w.program_a.pk, "year": 2023, "graduates": 10,
                                             "employed": 11}, "employed", id="more employed than graduates"),
    pytest.param("teacher-placements", lambda w: {"teacher": w.teacher_a.pk, "enterprise": w.third_enterprise.pk,
                                                  "start_date": "2025-07-10", "end_date": "2025-07-01",
                                                  "activity": "training"}, "end_date", id="placement ends before it starts"),
    pytest.param("programs", lambda w: {"school": w.program_a.school_id, "code": "46010", "name": "专业",
                                        "sector": "C39", "established_year": 2018}, "code", id="program code of 5 digits"),
    pytest.param("teachers", lambda w: {"school": w.teacher_a.school_id, "name": "王老师", "staff_no": "P1",
                                        "employment": Employment.PART_TIME_INDUSTRY}, "employer",
                 id="part-time industry teacher without employer"),
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("resource,payload,field", BAD_INPUT)
def test_bad_input_is_refused_with_the_field_named_in_the_callers_language_and_nothing_written(
    as_, world, resource, payload, field, language
):
    model = {"programs": Program, "courses": Course, "program-years": ProgramYear, "teachers": Teacher,
             "teacher-placements": TeacherPlacement}[resource]
    count = model.objects.count()
    response = as_("alice").post(f"{API}/{resource}/", payload(world), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400, response.data
    assert field in response.data, response.data
    message = str(response.data[field][0])
    assert bool(CHINESE.search(message)) is (language == "zh-hans"), message
    assert model.objects.count() == count


def test_a_partial_update_that_breaks_a_rule_names_the_field_and_changes_nothing(as_, world):
    response = as_("alice").patch(f"{API}/teacher-placements/{world.placement_a.pk}/", {"end_date": "2024-06-01"},
                                  HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.data["end_date"] == ["结束日期不能早于开始日期。"]
    world.placement_a.refresh_from_db()
    assert world.placement_a.end_date == datetime.date(2024, 8, 15)


def test_a_second_set_of_figures_for_the_same_program_and_year_is_refused(as_, world):
    response = as_("alice").post(f"{API}/program-years/", {"program": world.program_a.pk, "year": 2024})
    assert response.status_code == 400
    assert ProgramYear.objects.filter(program=world.program_a).count() == 1


# --- verifying a placement ---------------------------------------------------------------------------


def test_host_enterprise_liaison_verifies_a_placement(as_, world, liaison):
    response = as_("carol").post(f"{API}/teacher-placements/{world.placement_a.pk}/verify/")
    assert response.status_code == 200, response.data
    assert response.data["verified"] is True
    assert response.data["verified_by"] == liaison.pk
    assert response.data["verified_at"] is not None
    world.placement_a.refresh_from_db()
    assert world.placement_a.verified and world.placement_a.verified_by == liaison


def test_platform_admin_may_verify_any_placement(as_, world, platform_admin):
    assert as_("pat").post(f"{API}/teacher-placements/{world.placement_b.pk}/verify/").status_code == 200
    world.placement_b.refresh_from_db()
    assert world.placement_b.verified_by == platform_admin


@pytest.mark.parametrize("persona,expected", [("alice", 403), ("dave", 403), ("bob", 404), ("mallory", 404),
                                              ("erin", 404)])
def test_nobody_else_verifies_a_placement(as_, world, persona, expected):
    response = as_(persona).post(f"{API}/teacher-placements/{world.placement_a.pk}/verify/")
    assert response.status_code == expected
    world.placement_a.refresh_from_db()
    assert world.placement_a.verified is False


def test_verifying_twice_is_refused_with_a_clear_message(as_, world, liaison):
    client = as_("carol")
    client.post(f"{API}/teacher-placements/{world.placement_a.pk}/verify/")
    first = TeacherPlacement.objects.get(pk=world.placement_a.pk).verified_at
    response = client.post(f"{API}/teacher-placements/{world.placement_a.pk}/verify/")
    assert response.status_code == 400
    assert "already been verified" in str(response.data)
    assert TeacherPlacement.objects.get(pk=world.placement_a.pk).verified_at == first


def test_once_verified_the_school_can_no_longer_change_or_delete_the_placement(as_, world):
    as_("carol").post(f"{API}/teacher-placements/{world.placement_a.pk}/verify/")
    client = as_("alice")
    url = f"{API}/teacher-placements/{world.placement_a.pk}/"
    response = client.patch(url, {"description": "改"})
    assert response.status_code == 403
    assert "verified" in str(response.data["detail"])
    assert client.delete(url).status_code == 403
    placement = TeacherPlacement.objects.get(pk=world.placement_a.pk)
    assert placement.verified and placement.description == ""


# --- filters, search, ordering ------------------------------------------------------------------------


def assert_filters(client, resource: str, cases: dict[str, set]) -> None:
    for query, expected in cases.items():
        assert ids(client.get(f"{API}/{resource}/?{query}")) == {obj.pk for obj in expected}, query


@pytest.fixture
def spread(region, school_a, school_b, enterprise):
    """Records across school A, school B (both in the province), school C (in a city of the province,
    secondary vocational) and a school of another province."""
    city = RegionFactory(prefecture=True, parent=region)
    school_c = SchoolFactory(region=city, level=SchoolLevel.SECONDARY_VOCATIONAL)
    far = SchoolFactory(region=RegionFactory())
    p_a = ProgramFactory(school=school_a, sector=SectorFactory(code="C39"), established_year=2010, name="机电一体化")
    p_b = ProgramFactory(school=school_b, sector=SectorFactory(code="C38"), status=ProgramStatus.WARNING)
    p_c = ProgramFactory(school=school_c, sector=SectorFactory(code="I65"), established_year=2020)
    p_far = ProgramFactory(school=far, sector=SectorFactory(code="P83"))
    return SimpleNamespace(**locals())


def test_program_filters(as_, spread):
    s = spread
    assert_filters(as_("pat"), "programs", {
        f"school={s.school_a.pk}": {s.p_a},
        f"region={s.region.code}": {s.p_a, s.p_b, s.p_c},
        f"region={s.city.code}": {s.p_c},
        "sector=C": {s.p_a, s.p_b},
        "sector=c39": {s.p_a},
        "status=warning": {s.p_b},
        "level=secondary_vocational": {s.p_c},
        "established_year=2010": {s.p_a},
        "established_year__gte=2016": {s.p_c},
        "search=机电": {s.p_a},
    })


def test_programs_order_by_practical_share_with_programs_without_hours_last_when_descending(as_, spread):
    CourseFactory(program=spread.p_a, theory_hours=10, practice_hours=90)
    CourseFactory(program=spread.p_b, theory_hours=90, practice_hours=10)
    CourseFactory(program=spread.p_c, theory_hours=50, practice_hours=50)
    response = as_("pat").get(f"{API}/programs/?ordering=-practical_share&school={spread.school_a.pk}")
    assert [row["practical_share"] for row in response.data["results"]] == [0.9]
    client = as_("pat")
    rows = client.get(f"{API}/programs/?ordering=-practical_share").data["results"]
    assert [row["id"] for row in rows] == [spread.p_a.pk, spread.p_c.pk, spread.p_b.pk, spread.p_far.pk]
    rows = client.get(f"{API}/programs/?ordering=practical_share").data["results"]
    assert [row["id"] for row in rows] == [spread.p_far.pk, spread.p_b.pk, spread.p_c.pk, spread.p_a.pk]
    rows = client.get(f"{API}/programs/?ordering=-course_count,code").data["results"]
    assert rows[-1]["id"] == spread.p_far.pk and rows[-1]["course_count"] == 0


def test_course_filters(as_, spread, enterprise):
    s = spread
    c_a = CourseFactory(program=s.p_a, co_developed_with=enterprise)
    c_a2 = CourseFactory(program=s.p_a, professional=False)
    c_b = CourseFactory(program=s.p_b)
    assert_filters(as_("pat"), "courses", {
        f"program={s.p_a.pk}": {c_a, c_a2},
        f"school={s.school_b.pk}": {c_b},
        "professional=false": {c_a2},
        "co_developed=true": {c_a},
        "co_developed=false": {c_a2, c_b},
        f"co_developed_with={enterprise.pk}": {c_a},
        f"search={c_b.code}": {c_b},
    })


def test_program_year_filters(as_, spread):
    s = spread
    y_a = ProgramYearFactory(program=s.p_a, year=2023)
    y_a2 = ProgramYearFactory(program=s.p_a, year=2024)
    y_c = ProgramYearFactory(program=s.p_c, year=2024)
    y_far = ProgramYearFactory(program=s.p_far, year=2024)
    assert_filters(as_("pat"), "program-years", {
        f"program={s.p_a.pk}": {y_a, y_a2},
        f"school={s.school_c.pk}": {y_c},
        "year=2024": {y_a2, y_c, y_far},
        f"region={s.city.code}": {y_c},
        f"region={s.region.code}&year=2024": {y_a2, y_c},
    })


def test_teacher_filters(as_, spread, enterprise):
    s = spread
    t_full = TeacherFactory(school=s.school_a, dual=True, dual_qualified_level=DualQualifiedLevel.SENIOR)
    t_part = TeacherFactory(school=s.school_a, part_time=True, employer=enterprise, professional=False)
    t_gone = TeacherFactory(school=s.school_c, active=False, dual=True)
    assert_filters(as_("pat"), "teachers", {
        f"school={s.school_a.pk}": {t_full, t_part},
        f"region={s.city.code}": {t_gone},
        "employment=part_time_industry": {t_part},
        "dual_qualified=true": {t_full, t_gone},
        "dual_qualified_level=senior": {t_full},
        "professional=false": {t_part},
        "active=false": {t_gone},
        f"employer={enterprise.pk}": {t_part},
        f"search={t_part.staff_no}": {t_part},
    })


def test_placement_filters_including_the_academic_year(as_, spread, enterprise, liaison):
    s = spread
    t_a, t_c = TeacherFactory(school=s.school_a), TeacherFactory(school=s.school_c)
    summer_2024 = TeacherPlacementFactory(teacher=t_a, enterprise=enterprise, start_date=datetime.date(2024, 7, 1),
                                          end_date=datetime.date(2024, 8, 15), activity=PlacementActivity.TRAINING)
    across = TeacherPlacementFactory(teacher=t_a, start_date=datetime.date(2024, 8, 20),
                                     end_date=datetime.date(2024, 9, 10), verified=True, verified_by=liaison)
    autumn_2024 = TeacherPlacementFactory(teacher=t_c, start_date=datetime.date(2024, 10, 1),
                                          end_date=datetime.date(2024, 12, 1), activity=PlacementActivity.RND)
    assert_filters(as_("pat"), "teacher-placements", {
        f"teacher={t_a.pk}": {summer_2024, across},
        f"school={s.school_c.pk}": {autumn_2024},
        f"enterprise={enterprise.pk}": {summer_2024},
        "verified=true": {across},
        "activity=rnd": {autumn_2024},
        "year=2023": {summer_2024, across},
        "year=2024": {across, autumn_2024},
        "year=2025": set(),
        f"region={s.city.code}": {autumn_2024},
    })


# --- query counts do not grow with rows ------------------------------------------------------------


def add_rows(school, enterprise, liaison, n: int) -> None:
    sector = SectorFactory(code="C39")
    for _ in range(n):
        program = ProgramFactory(school=school, sector=sector)
        CourseFactory(program=program, co_developed_with=enterprise)
        ProgramYearFactory(program=program)
        teacher = TeacherFactory(school=school, part_time=True, employer=enterprise)
        TeacherPlacementFactory(teacher=teacher, enterprise=enterprise, verified=True, verified_by=liaison,
                                verified_at=datetime.datetime(2024, 9, 1, tzinfo=datetime.UTC))


def queries_and_count(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.data["count"]


@pytest.mark.parametrize("persona", ["pat", "alice", "carol", "dave"])
@pytest.mark.parametrize("resource", list(VISIBLE))
def test_a_list_costs_the_same_queries_for_1_and_25_rows(as_, school_a, enterprise, liaison, persona, resource):
    client = as_(persona)
    add_rows(school_a, enterprise, liaison, 1)
    one, count_one = queries_and_count(client, f"{API}/{resource}/")
    add_rows(school_a, enterprise, liaison, 24)
    many, count_many = queries_and_count(client, f"{API}/{resource}/")
    if not (persona == "carol" and resource == "program-years"):
        assert (count_one, count_many) == (1, 25)
    assert many == one
