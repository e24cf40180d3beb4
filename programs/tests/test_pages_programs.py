"""Pages of a college's programs and courses: who sees and changes them, validation, live share,
constant queries."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.models import Course, Program
from programs.tests.factories import CourseFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program_a(school_a):
    program = ProgramFactory(school=school_a, name="智能制造技术")
    CourseFactory(program=program, code="C01", theory_hours=30, practice_hours=10)  # 10 of 40 hours
    return program


def course_data(**overrides):
    return {"code": "C02", "name": "机器人实训", "theory_hours": "10", "practice_hours": "30",
            "professional": "on", **overrides}


def test_the_college_admin_lists_only_their_schools_programs(client, college_admin_a, program_a, school_b):
    ProgramFactory(school=school_b, name="乙校专业")
    client.force_login(college_admin_a)
    response = client.get(reverse("programs:program-list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "智能制造技术" in page and "乙校专业" not in page
    assert "25%" in page  # 10 practice hours of 40


def test_anonymous_visitors_are_sent_to_the_login(client, program_a):
    response = client.get(reverse("programs:program-list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_program_page_shows_courses_and_the_share(client, college_admin_a, program_a):
    client.force_login(college_admin_a)
    page = client.get(reverse("programs:program-detail", args=[program_a.pk])).content.decode()
    assert "C01" in page and "25 %" in page
    assert reverse("programs:course-add", args=[program_a.pk]) in page


def test_adding_a_course_changes_the_programs_share(client, college_admin_a, program_a):
    client.force_login(college_admin_a)
    url = reverse("programs:course-add", args=[program_a.pk])
    form_page = client.get(url).content.decode()
    assert 'data-other-practice="10"' in form_page and 'data-other-hours="40"' in form_page
    response = client.post(url, course_data())
    assert response.status_code == 302
    assert Course.objects.filter(program=program_a).count() == 2
    page = client.get(reverse("programs:program-detail", args=[program_a.pk])).content.decode()
    assert "50 %" in page  # (10 + 30) of (40 + 40)


def test_a_course_without_hours_is_refused_beside_the_form_and_nothing_is_written(client, college_admin_a, program_a):
    client.force_login(college_admin_a)
    response = client.post(reverse("programs:course-add", args=[program_a.pk]),
                           course_data(theory_hours="0", practice_hours="0", name="空课程"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "A course has at least one hour of theory or practice." in page
    assert 'value="空课程"' in page  # what was typed is kept
    assert Course.objects.filter(program=program_a).count() == 1


def test_a_duplicate_course_code_is_named(client, college_admin_a, program_a):
    client.force_login(college_admin_a)
    response = client.post(reverse("programs:course-add", args=[program_a.pk]), course_data(code="C01"))
    assert response.status_code == 200
    assert "This program already has a course with this code." in response.content.decode()


@pytest.mark.parametrize("persona", ["college_admin_b", "liaison", "reviewer"])
def test_others_may_read_the_program_but_not_change_its_courses(client, request, persona, program_a):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programs:program-detail", args=[program_a.pk])).status_code == 200
    assert client.get(reverse("programs:course-add", args=[program_a.pk])).status_code == 403
    assert client.post(reverse("programs:course-add", args=[program_a.pk]), course_data()).status_code == 403
    course = program_a.courses.get()
    edit = reverse("programs:course-edit", args=[program_a.pk, course.pk])
    assert client.post(edit, course_data(code="C01", theory_hours="1")).status_code == 403
    delete = reverse("programs:course-delete", args=[program_a.pk, course.pk])
    assert client.post(delete).status_code == 403
    assert Course.objects.get(pk=course.pk).theory_hours == 30


def test_editing_and_deleting_a_course(client, college_admin_a, program_a):
    client.force_login(college_admin_a)
    course = program_a.courses.get()
    response = client.post(reverse("programs:course-edit", args=[program_a.pk, course.pk]),
                           course_data(code="C01", theory_hours="20", practice_hours="20"))
    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.theory_hours, course.practice_hours) == (20, 20)
    assert client.post(reverse("programs:course-delete", args=[program_a.pk, course.pk])).status_code == 302
    assert not Course.objects.filter(pk=course.pk).exists()


def test_a_course_of_another_program_is_not_found_under_this_one(client, college_admin_a, program_a, school_a):
    other = CourseFactory(program=ProgramFactory(school=school_a))
    client.force_login(college_admin_a)
    assert client.get(reverse("programs:course-edit", args=[program_a.pk, other.pk])).status_code == 404


def test_adding_a_program_to_another_school_is_refused(client, college_admin_a, school_b, program_a):
    client.force_login(college_admin_a)
    data = {"school": school_b.pk, "code": "460301", "name": "他校专业", "sector": program_a.sector.code,
            "established_year": "2020", "status": "active"}
    response = client.post(reverse("programs:program-add"), data)
    assert response.status_code == 200  # school B is not a choice for them
    assert "school" in response.context["form"].errors
    assert not Program.objects.filter(name="他校专业").exists()


def test_the_program_list_costs_the_same_queries_for_2_and_12_programs(client, college_admin_a, school_a):
    client.force_login(college_admin_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("programs:program-list")).status_code == 200
        return len(captured)

    for _ in range(2):
        CourseFactory(program=ProgramFactory(school=school_a))
    two = queries()
    for _ in range(10):
        CourseFactory(program=ProgramFactory(school=school_a))
    assert queries() == two


def test_yearly_figures_are_shown_only_to_those_who_may_see_them(client, program_a, college_admin_a, liaison):
    from programs.tests.factories import ProgramYearFactory

    ProgramYearFactory(program=program_a, year=2024, enrolled=987)
    client.force_login(college_admin_a)
    assert "987" in client.get(reverse("programs:program-detail", args=[program_a.pk])).content.decode()
    client.force_login(liaison)  # no partner of the school: program years are not theirs to read
    assert "987" not in client.get(reverse("programs:program-detail", args=[program_a.pk])).content.decode()
