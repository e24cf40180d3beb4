"""Programs and placements in the admin: the practical-share column and read-only verification."""
from __future__ import annotations

import pytest
from django.urls import reverse

from portal.tests.factories import EnterpriseFactory
from programs.tests.factories import (
    CourseFactory,
    ProgramFactory,
    TeacherFactory,
    TeacherPlacementFactory,
)

pytestmark = pytest.mark.django_db


def program_with_courses(*hours):
    program = ProgramFactory()
    for theory, practice in hours:
        CourseFactory(program=program, theory_hours=theory, practice_hours=practice)
    return program


def test_program_list_shows_practical_share_of_course_hours_and_sorts_on_it(platform_client):
    half = program_with_courses((60, 40), (40, 60))  # 100 of 200 hours
    mostly_practice = program_with_courses((20, 80))
    no_courses = program_with_courses()
    url = reverse("admin:programs_program_changelist")
    cl = platform_client.get(url).context["cl"]
    shares = {program.pk: cl.model_admin.practical_share(program) for program in cl.result_list}
    assert shares == {half.pk: "50.0%", mostly_practice.pk: "80.0%", no_courses.pk: None}

    column = cl.list_display.index("practical_share")
    descending = platform_client.get(url, {"o": f"-{column}"}).context["cl"].result_list
    assert [program.pk for program in descending] == [mostly_practice.pk, half.pk, no_courses.pk]
    ascending = platform_client.get(url, {"o": f"{column}"}).context["cl"].result_list
    assert [program.pk for program in ascending] == [no_courses.pk, half.pk, mostly_practice.pk]


def test_placement_verification_is_shown_but_not_editable(platform_client):
    placement = TeacherPlacementFactory()
    url = reverse("admin:programs_teacherplacement_change", args=[placement.pk])
    form = platform_client.get(url).context["adminform"].form
    assert "verified" not in form.fields
    response = platform_client.post(url, {
        "teacher": placement.teacher_id, "enterprise": placement.enterprise_id, "start_date": "2024-07-01",
        "end_date": "2024-08-15", "activity": "post_practice", "description": "", "verified": "on",
    })
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.verified is False


def test_teacher_change_page_lists_placements_inline(platform_client):
    teacher = TeacherFactory()
    TeacherPlacementFactory(teacher=teacher, enterprise=EnterpriseFactory(name="格力电器"))
    response = platform_client.get(reverse("admin:programs_teacher_change", args=[teacher.pk]))
    assert "格力电器" in response.content.decode()
