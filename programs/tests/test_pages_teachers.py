"""Browser pages of teachers, teacher placements and program-year figures: who sees and changes what,
inline errors that write nothing, the host enterprise's verification, constant list queries."""
from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.tests.factories import EnterpriseFactory
from programs.models import ProgramYear, Teacher, TeacherPlacement
from programs.tests.factories import (
    ProgramFactory,
    ProgramYearFactory,
    TeacherFactory,
    TeacherPlacementFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher_a(school_a):
    return TeacherFactory(school=school_a, name="王老师", staff_no="A001")


@pytest.fixture
def teacher_b(school_b):
    return TeacherFactory(school=school_b, name="李老师", staff_no="B001")


@pytest.fixture
def placement_a(teacher_a, enterprise):
    """An unverified placement of school A's teacher, hosted by the liaison's enterprise."""
    return TeacherPlacementFactory(teacher=teacher_a, enterprise=enterprise, description="数控产线")


def teacher_data(school, **overrides):
    data = {
        "school": school.pk, "staff_no": "A100", "name": "陈老师", "employment": "full_time", "employer": "",
        "professional": "on", "active": "on", "dual_qualified": "on", "dual_qualified_level": "senior",
        "dual_qualified_since": "2021-09-01", "annual_teaching_hours": "300",
    }
    return {**data, **overrides}


def errors_of(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def login_url_of(response):
    assert response.status_code == 302
    return response.url.split("?")[0]


# --- anonymous visitors ---------------------------------------------------------------------------


@pytest.mark.parametrize("name, args", [
    ("programs:teacher-list", []), ("programs:teacher-add", []), ("programs:placement-list", []),
    ("programs:placement-add", []),
])
def test_anonymous_visitors_are_sent_to_login(client, name, args):
    assert login_url_of(client.get(reverse(name, args=args))) == reverse("login")


def test_anonymous_posts_write_nothing(client, teacher_a, placement_a):
    program = ProgramFactory(school=teacher_a.school)
    posts = [
        (reverse("programs:teacher-delete", args=[teacher_a.pk]), {}),
        (reverse("programs:placement-verify", args=[placement_a.pk]), {}),
        (reverse("programs:teacher-edit", args=[teacher_a.pk]), teacher_data(teacher_a.school, name="X")),
        (reverse("programs:program-year-add", args=[program.pk]), {"year": "2024"}),
        (reverse("programs:teacher-detail", args=[teacher_a.pk]), {}),
    ]
    for url, data in posts:
        assert login_url_of(client.post(url, data)) == reverse("login")
    teacher_a.refresh_from_db()
    placement_a.refresh_from_db()
    assert teacher_a.name == "王老师"
    assert placement_a.verified is False
    assert ProgramYear.objects.count() == 0


# --- teachers -------------------------------------------------------------------------------------


def test_teacher_list_shows_own_school_only(client, college_admin_a, teacher_a, teacher_b):
    client.force_login(college_admin_a)
    response = client.get(reverse("programs:teacher-list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "王老师" in body and "A001" in body
    assert "李老师" not in body
    assert reverse("programs:teacher-detail", args=[teacher_a.pk]) in body
    assert reverse("programs:teacher-add") in body
    assert 'aria-current="page"' in body


def test_teacher_list_search_filters_and_sort(client, college_admin_a, school_a, enterprise):
    TeacherFactory(school=school_a, name="张三", staff_no="A003", dual=True)
    TeacherFactory(school=school_a, name="李四", staff_no="A001", part_time=True, employer=enterprise)
    TeacherFactory(school=school_a, name="王五", staff_no="A002", active=False)
    client.force_login(college_admin_a)
    url = reverse("programs:teacher-list")

    def names(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return [row[0].name for row in response.context["rows"]]

    assert names() == ["李四", "王五", "张三"]  # by staff number
    assert names(ordering="-staff_no") == ["张三", "王五", "李四"]
    assert names(search="A002") == ["王五"]
    assert names(search="张") == ["张三"]
    assert names(active="false") == ["王五"]
    assert names(dual_qualified="true") == ["张三"]
    assert names(dual_qualified_level="intermediate") == ["张三"]
    assert names(employment="part_time_industry") == ["李四"]
    assert names(employment="nonsense") == []  # an invalid filter lists nothing


def test_platform_admin_lists_every_school(client, platform_admin, teacher_a, teacher_b):
    client.force_login(platform_admin)
    response = client.get(reverse("programs:teacher-list"), {"ordering": "school"})
    assert response.status_code == 200
    by_school = [row[0].name for row in response.context["rows"]]
    assert sorted(by_school) == sorted(["王老师", "李老师"])
    backwards = client.get(reverse("programs:teacher-list"), {"ordering": "-school"}).context["rows"]
    assert [row[0].name for row in backwards] == by_school[::-1]
    body = response.content.decode()
    assert "甲职业技术学院" in body and "乙职业技术学院" in body  # a school column for platform admins


@pytest.mark.parametrize("persona", ["liaison", "reviewer"])
def test_teacher_list_and_forms_refuse_other_roles(client, request, persona, school_a):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programs:teacher-list")).status_code == 403
    assert client.get(reverse("programs:teacher-add")).status_code == 403
    assert client.post(reverse("programs:teacher-add"), teacher_data(school_a)).status_code == 403
    assert not Teacher.objects.exists()


def test_teacher_list_query_count_does_not_grow(client, college_admin_a, school_a, enterprise):
    client.force_login(college_admin_a)
    url = reverse("programs:teacher-list")

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for n in range(2):
        teacher = TeacherFactory(school=school_a, part_time=True, employer=enterprise, staff_no=f"P{n:03d}")
        TeacherPlacementFactory(teacher=teacher, enterprise=enterprise)
    with_two = count_queries()
    for n in range(2, 12):
        teacher = TeacherFactory(school=school_a, part_time=True, employer=enterprise, staff_no=f"P{n:03d}")
        TeacherPlacementFactory(teacher=teacher, enterprise=enterprise)
    assert len(client.get(url).context["rows"]) == 12
    assert count_queries() == with_two


def test_add_teacher(client, college_admin_a, school_a):
    client.force_login(college_admin_a)
    form = client.get(reverse("programs:teacher-add"))
    assert form.status_code == 200
    assert list(form.context["form"].fields["school"].queryset) == [school_a]
    assert form.context["form"].initial["school"] == school_a.pk
    response = client.post(reverse("programs:teacher-add"), teacher_data(school_a))
    teacher = Teacher.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("programs:teacher-detail", args=[teacher.pk])
    assert (teacher.school, teacher.name, teacher.dual_qualified_level) == (school_a, "陈老师", "senior")
    assert teacher.dual_qualified_since == datetime.date(2021, 9, 1)


def test_add_part_time_industry_teacher_names_employer(client, college_admin_a, school_a, enterprise):
    client.force_login(college_admin_a)
    data = teacher_data(school_a, employment="part_time_industry", employer=enterprise.pk, dual_qualified="",
                        dual_qualified_level="", dual_qualified_since="")
    assert client.post(reverse("programs:teacher-add"), data).status_code == 302
    assert Teacher.objects.get().employer == enterprise


def test_teacher_for_another_school_is_refused(client, college_admin_a, school_b):
    client.force_login(college_admin_a)
    response = client.post(reverse("programs:teacher-add"), teacher_data(school_b))
    assert response.status_code == 200
    assert errors_of(response, "school")  # not a valid choice
    assert not Teacher.objects.exists()


def test_teacher_model_rules_shown_beside_fields(client, college_admin_a, school_a, enterprise):
    client.force_login(college_admin_a)
    data = teacher_data(school_a, employment="part_time_industry", employer="", dual_qualified="",
                        name="typed name")
    response = client.post(reverse("programs:teacher-add"), data)
    assert response.status_code == 200
    assert errors_of(response, "employer") == [
        "A part-time industry teacher names the enterprise that employs them."]
    assert errors_of(response, "dual_qualified_level") == [
        "Only a dual-qualified teacher has a dual-qualified level."]
    assert errors_of(response, "dual_qualified_since") == ["Only a dual-qualified teacher has a dual-qualified date."]
    body = response.content.decode()
    assert 'value="typed name"' in body  # what was typed is kept
    assert 'class="field__error"' in body
    full_time = teacher_data(school_a, employer=enterprise.pk)
    response = client.post(reverse("programs:teacher-add"), full_time)
    assert errors_of(response, "employer") == ["A full-time teacher has no enterprise employer; leave it empty."]
    assert not Teacher.objects.exists()


def test_duplicate_staff_number_shown_beside_the_field(client, college_admin_a, school_a, teacher_a):
    client.force_login(college_admin_a)
    response = client.post(reverse("programs:teacher-add"), teacher_data(school_a, staff_no="A001"))
    assert response.status_code == 200
    assert errors_of(response, "staff_no") == ["This school already has a teacher with this staff number."]
    assert Teacher.objects.count() == 1


def test_teacher_detail_shows_placements(client, college_admin_a, teacher_a, placement_a, enterprise):
    TeacherPlacementFactory(teacher=teacher_a, enterprise=enterprise, verified=True,
                            start_date=datetime.date(2023, 7, 1), end_date=datetime.date(2023, 7, 10))
    client.force_login(college_admin_a)
    response = client.get(reverse("programs:teacher-detail", args=[teacher_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "王老师" in body and "数控产线" in body and "丙智能制造有限公司" in body
    assert "2024-07-01 – 2024-08-15" in body and "2023-07-01 – 2023-07-10" in body
    rows = response.context["placement_rows"]
    assert [(p.verified, may_edit, may_verify) for p, may_edit, may_verify in rows] == [
        (False, True, False), (True, False, False)]  # unverified first; a verified one is no longer editable
    assert reverse("programs:teacher-edit", args=[teacher_a.pk]) in body
    assert reverse("programs:placement-edit", args=[placement_a.pk]) in body


def test_other_school_admin_gets_404(client, college_admin_b, teacher_a):
    client.force_login(college_admin_b)
    assert client.get(reverse("programs:teacher-detail", args=[teacher_a.pk])).status_code == 404
    assert client.get(reverse("programs:teacher-edit", args=[teacher_a.pk])).status_code == 404
    response = client.post(reverse("programs:teacher-edit", args=[teacher_a.pk]),
                           teacher_data(teacher_a.school, name="hijacked"))
    assert response.status_code == 404
    assert client.post(reverse("programs:teacher-delete", args=[teacher_a.pk])).status_code == 404
    teacher_a.refresh_from_db()
    assert teacher_a.name == "王老师"


def test_liaison_reads_hosted_teacher_but_cannot_change(client, liaison, outsider, teacher_a, placement_a):
    other = TeacherPlacementFactory(teacher=teacher_a, description="别家企业")  # hosted elsewhere
    client.force_login(liaison)
    response = client.get(reverse("programs:teacher-detail", args=[teacher_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "数控产线" in body and "别家企业" not in body  # only the placements at their own enterprise
    assert reverse("programs:teacher-edit", args=[teacher_a.pk]) not in body
    assert client.get(reverse("programs:teacher-edit", args=[teacher_a.pk])).status_code == 403
    assert client.post(reverse("programs:teacher-delete", args=[teacher_a.pk])).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("programs:teacher-detail", args=[teacher_a.pk])).status_code == 404
    assert Teacher.objects.filter(pk=teacher_a.pk).exists() and TeacherPlacement.objects.filter(pk=other.pk).exists()


def test_edit_teacher(client, college_admin_a, teacher_a):
    client.force_login(college_admin_a)
    url = reverse("programs:teacher-edit", args=[teacher_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, teacher_data(teacher_a.school, staff_no="A001", name="王老师（退休）", active=""))
    assert response.status_code == 302
    teacher_a.refresh_from_db()
    assert (teacher_a.name, teacher_a.active) == ("王老师（退休）", False)


def test_edit_teacher_bad_input_writes_nothing(client, college_admin_a, teacher_a):
    client.force_login(college_admin_a)
    response = client.post(reverse("programs:teacher-edit", args=[teacher_a.pk]),
                           teacher_data(teacher_a.school, staff_no="", annual_teaching_hours="-5"))
    assert response.status_code == 200
    assert errors_of(response, "staff_no") == ["This field is required."]
    assert errors_of(response, "annual_teaching_hours")
    teacher_a.refresh_from_db()
    assert (teacher_a.staff_no, teacher_a.annual_teaching_hours) == ("A001", 320)


def test_delete_teacher(client, college_admin_a, teacher_a, placement_a):
    client.force_login(college_admin_a)
    assert client.get(reverse("programs:teacher-delete", args=[teacher_a.pk])).status_code == 405
    response = client.post(reverse("programs:teacher-delete", args=[teacher_a.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("programs:teacher-list")
    assert "The teacher 王老师 was deleted." in response.content.decode()
    assert not Teacher.objects.exists() and not TeacherPlacement.objects.exists()


def test_delete_teacher_refused_when_a_placement_is_verified(client, college_admin_a, teacher_a, placement_a):
    TeacherPlacement.objects.filter(pk=placement_a.pk).update(verified=True)
    client.force_login(college_admin_a)
    response = client.post(reverse("programs:teacher-delete", args=[teacher_a.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("programs:teacher-detail", args=[teacher_a.pk])
    assert "cannot be deleted; mark the teacher inactive instead" in response.content.decode()
    assert Teacher.objects.filter(pk=teacher_a.pk).exists()


# --- placements -----------------------------------------------------------------------------------


def test_college_admin_lists_own_school_placements(client, college_admin_a, placement_a, teacher_b):
    TeacherPlacementFactory(teacher=teacher_b)
    verified = TeacherPlacementFactory(teacher=placement_a.teacher, verified=True,
                                       start_date=datetime.date(2025, 1, 2), end_date=datetime.date(2025, 1, 9))
    client.force_login(college_admin_a)
    url = reverse("programs:placement-list")
    response = client.get(url)
    assert response.status_code == 200
    assert [row[0] for row in response.context["rows"]] == [placement_a, verified]  # unverified first
    assert "李老师" not in response.content.decode()
    assert [row[0] for row in client.get(url, {"verified": "true"}).context["rows"]] == [verified]
    assert [row[0] for row in client.get(url, {"verified": "false"}).context["rows"]] == [placement_a]
    body = response.content.decode()
    assert reverse("programs:placement-edit", args=[placement_a.pk]) in body
    assert reverse("programs:placement-edit", args=[verified.pk]) not in body
    assert reverse("programs:placement-verify", args=[placement_a.pk]) not in body  # not theirs to verify
    assert reverse("programs:teacher-detail", args=[placement_a.teacher_id]) in body


def test_add_placement(client, college_admin_a, teacher_a, teacher_b, enterprise):
    client.force_login(college_admin_a)
    url = reverse("programs:placement-add")
    form = client.get(url, {"teacher": teacher_a.pk})
    assert form.status_code == 200
    assert list(form.context["form"].fields["teacher"].queryset) == [teacher_a]
    assert "verified" not in form.context["form"].fields
    data = {"teacher": teacher_a.pk, "enterprise": enterprise.pk, "start_date": "2025-07-01",
            "end_date": "2025-07-31", "activity": "training", "description": "", "verified": "on"}
    response = client.post(url, data)
    assert response.status_code == 302
    placement = TeacherPlacement.objects.get()
    assert (placement.teacher, placement.enterprise, placement.days, placement.verified) == (
        teacher_a, enterprise, 31, False)  # `verified` cannot be set by the school


def test_add_placement_bad_input_writes_nothing(client, college_admin_a, teacher_a, teacher_b, enterprise):
    client.force_login(college_admin_a)
    data = {"teacher": teacher_a.pk, "enterprise": enterprise.pk, "start_date": "2025-07-31",
            "end_date": "2025-07-01", "activity": "training", "description": "kept text"}
    response = client.post(reverse("programs:placement-add"), data)
    assert response.status_code == 200
    assert errors_of(response, "end_date")
    assert "kept text" in response.content.decode()
    response = client.post(reverse("programs:placement-add"), {**data, "teacher": teacher_b.pk,
                                                               "end_date": "2025-08-01"})
    assert errors_of(response, "teacher")  # another school's teacher is not a choice
    assert not TeacherPlacement.objects.exists()


def test_edit_placement(client, college_admin_a, placement_a, enterprise):
    client.force_login(college_admin_a)
    url = reverse("programs:placement-edit", args=[placement_a.pk])
    assert client.get(url).status_code == 200
    data = {"teacher": placement_a.teacher_id, "enterprise": enterprise.pk, "start_date": "2024-07-01",
            "end_date": "2024-07-20", "activity": "rnd", "description": "研发", "next": "/teaching/placements/"}
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == "/teaching/placements/"
    placement_a.refresh_from_db()
    assert (placement_a.activity, placement_a.end_date) == ("rnd", datetime.date(2024, 7, 20))


def test_verified_placement_cannot_be_edited_or_deleted_by_the_school(client, college_admin_a, placement_a):
    TeacherPlacement.objects.filter(pk=placement_a.pk).update(verified=True)
    client.force_login(college_admin_a)
    response = client.get(reverse("programs:placement-edit", args=[placement_a.pk]))
    assert response.status_code == 403
    assert "The host enterprise has verified this placement" in response.content.decode()
    assert client.post(reverse("programs:placement-delete", args=[placement_a.pk])).status_code == 403
    assert TeacherPlacement.objects.filter(pk=placement_a.pk).exists()


def test_placement_of_another_school_is_404(client, college_admin_b, placement_a):
    client.force_login(college_admin_b)
    assert client.get(reverse("programs:placement-edit", args=[placement_a.pk])).status_code == 404
    assert client.post(reverse("programs:placement-delete", args=[placement_a.pk])).status_code == 404
    assert client.post(reverse("programs:placement-verify", args=[placement_a.pk])).status_code == 404
    placement_a.refresh_from_db()
    assert placement_a.verified is False


def test_delete_placement(client, college_admin_a, placement_a):
    client.force_login(college_admin_a)
    response = client.post(reverse("programs:placement-delete", args=[placement_a.pk]))
    assert response.status_code == 302
    assert not TeacherPlacement.objects.exists()


def test_liaison_lists_hosted_placements_and_verifies(client, liaison, placement_a, teacher_b):
    TeacherPlacementFactory(teacher=teacher_b, description="别家企业")
    done = TeacherPlacementFactory(teacher=teacher_b, enterprise=placement_a.enterprise, verified=True,
                                   start_date=datetime.date(2025, 3, 1), end_date=datetime.date(2025, 3, 5))
    client.force_login(liaison)
    url = reverse("programs:placement-list")
    response = client.get(url)
    assert response.status_code == 200
    assert [row[0] for row in response.context["rows"]] == [placement_a, done]
    body = response.content.decode()
    assert "别家企业" not in body and 'aria-current="page"' in body
    assert "甲职业技术学院" in body and "乙职业技术学院" in body  # the teachers' schools
    assert reverse("programs:placement-verify", args=[placement_a.pk]) in body
    assert reverse("programs:placement-verify", args=[done.pk]) not in body
    assert reverse("programs:placement-edit", args=[placement_a.pk]) not in body
    assert reverse("programs:placement-add") not in body

    response = client.post(reverse("programs:placement-verify", args=[placement_a.pk]), {"next": url}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(url, 302)]
    assert "The placement of 王老师 was verified." in response.content.decode()
    placement_a.refresh_from_db()
    assert placement_a.verified is True and placement_a.verified_by == liaison and placement_a.verified_at

    again = client.post(reverse("programs:placement-verify", args=[placement_a.pk]), follow=True)
    assert "This placement has already been verified." in again.content.decode()


def test_verify_needs_post(client, liaison, placement_a):
    client.force_login(liaison)
    assert client.get(reverse("programs:placement-verify", args=[placement_a.pk])).status_code == 405
    placement_a.refresh_from_db()
    assert placement_a.verified is False


def test_verify_refused_to_the_school_and_other_enterprises(client, college_admin_a, outsider, placement_a):
    client.force_login(college_admin_a)
    response = client.post(reverse("programs:placement-verify", args=[placement_a.pk]))
    assert response.status_code == 403  # they see it, but only the host enterprise verifies
    client.force_login(outsider)
    assert client.post(reverse("programs:placement-verify", args=[placement_a.pk])).status_code == 404
    assert client.get(reverse("programs:placement-list")).context["rows"] == []
    placement_a.refresh_from_db()
    assert placement_a.verified is False


def test_liaison_cannot_add_or_edit_placements(client, liaison, placement_a, enterprise):
    client.force_login(liaison)
    assert client.get(reverse("programs:placement-add")).status_code == 403
    data = {"teacher": placement_a.teacher_id, "enterprise": enterprise.pk, "start_date": "2025-07-01",
            "end_date": "2025-07-02", "activity": "training"}
    assert client.post(reverse("programs:placement-add"), data).status_code == 403
    assert client.post(reverse("programs:placement-edit", args=[placement_a.pk]), data).status_code == 403
    assert TeacherPlacement.objects.count() == 1


def test_placement_list_query_count_does_not_grow(client, liaison, enterprise, school_a):
    client.force_login(liaison)
    url = reverse("programs:placement-list")

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def add(n):
        for _ in range(n):
            TeacherPlacementFactory(teacher=TeacherFactory(school=school_a), enterprise=enterprise)

    add(2)
    with_two = count_queries()
    add(10)
    assert len(client.get(url).context["rows"]) == 12
    assert count_queries() == with_two


# --- program-year figures -------------------------------------------------------------------------


def year_data(**overrides):
    data = {"year": "2024", "enrolled": "50", "students": "150", "graduates": "45", "employed": "42",
            "employed_in_field": "35", "employed_by_partners": "12", "order_class_students": "20",
            "apprentices": "10"}
    return {**data, **overrides}


@pytest.fixture
def program_a(school_a):
    return ProgramFactory(school=school_a, name="工业机器人技术", code="460305")


def test_add_program_year(client, college_admin_a, program_a):
    ProgramYearFactory(program=program_a, year=2023)
    client.force_login(college_admin_a)
    url = reverse("programs:program-year-add", args=[program_a.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"].initial["year"] == 2024  # the year after the latest
    response = client.post(url, year_data())
    assert response.status_code == 302
    assert response.url == reverse("programs:program-detail", args=[program_a.pk]) + "#years"
    year = ProgramYear.objects.get(program=program_a, year=2024)
    assert (year.graduates, year.employed, year.apprentices) == (45, 42, 10)


def test_program_year_inequalities_shown_beside_fields(client, college_admin_a, program_a):
    client.force_login(college_admin_a)
    url = reverse("programs:program-year-add", args=[program_a.pk])
    response = client.post(url, year_data(employed="50", employed_in_field="36"))
    assert response.status_code == 200
    assert errors_of(response, "employed") == ["Employed graduates cannot outnumber graduates."]
    assert response.context["form"].non_field_errors() == []
    response = client.post(url, year_data(employed_in_field="43", employed_by_partners="43",
                                          order_class_students="141"))
    assert errors_of(response, "employed_in_field") == [
        "Graduates employed in their field cannot outnumber employed graduates."]
    assert errors_of(response, "employed_by_partners") == [
        "Graduates hired by partners cannot outnumber employed graduates."]
    assert errors_of(response, "order_class_students") == [
        "Order-class students and apprentices together cannot outnumber students."]
    assert 'value="141"' in response.content.decode()
    assert not ProgramYear.objects.exists()


def test_program_year_twice_is_an_error_on_the_year(client, college_admin_a, program_a):
    ProgramYearFactory(program=program_a, year=2024, graduates=40, employed=30, employed_in_field=20)
    client.force_login(college_admin_a)
    response = client.post(reverse("programs:program-year-add", args=[program_a.pk]), year_data())
    assert response.status_code == 200
    assert errors_of(response, "year") == ["This program already has figures for this year; edit them instead."]
    assert ProgramYear.objects.get().graduates == 40


def test_edit_program_year(client, college_admin_a, program_a):
    year = ProgramYearFactory(program=program_a, year=2024)
    other = ProgramYearFactory(program=program_a, year=2023)
    client.force_login(college_admin_a)
    url = reverse("programs:program-year-edit", args=[program_a.pk, year.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, year_data(graduates="46")).status_code == 302
    year.refresh_from_db()
    assert year.graduates == 46
    response = client.post(url, year_data(year="2023"))  # moving onto another year's figures
    assert errors_of(response, "year") == ["This program already has figures for this year; edit them instead."]
    year.refresh_from_db()
    other.refresh_from_db()
    assert (year.year, other.year) == (2024, 2023)


def test_program_year_of_another_program_in_the_url_is_404(client, college_admin_a, program_a, school_a):
    year = ProgramYearFactory(program=ProgramFactory(school=school_a))
    client.force_login(college_admin_a)
    assert client.get(reverse("programs:program-year-edit", args=[program_a.pk, year.pk])).status_code == 404


def test_delete_program_year(client, college_admin_a, program_a):
    year = ProgramYearFactory(program=program_a)
    client.force_login(college_admin_a)
    response = client.post(reverse("programs:program-year-delete", args=[program_a.pk, year.pk]))
    assert response.status_code == 302
    assert not ProgramYear.objects.exists()


def test_program_year_pages_refuse_other_schools(client, college_admin_b, liaison, program_a):
    year = ProgramYearFactory(program=program_a)
    add = reverse("programs:program-year-add", args=[program_a.pk])
    edit = reverse("programs:program-year-edit", args=[program_a.pk, year.pk])
    delete = reverse("programs:program-year-delete", args=[program_a.pk, year.pk])
    for user in (college_admin_b, liaison):  # programs are public: visible, not changeable
        client.force_login(user)
        assert client.get(add).status_code == 403
        assert client.post(add, year_data(year="2025")).status_code == 403
        assert client.post(edit, year_data(graduates="1", employed="1", employed_in_field="1",
                                           employed_by_partners="1")).status_code == 403
        assert client.post(delete).status_code == 404  # program years of another school are not visible
    assert client.get(reverse("programs:program-year-add", args=[999999])).status_code == 404
    assert list(ProgramYear.objects.values_list("year", "graduates")) == [(2024, 45)]


def test_anonymous_program_year_pages_redirect(client, program_a):
    assert login_url_of(client.get(reverse("programs:program-year-add", args=[program_a.pk]))) == reverse("login")


def test_host_liaison_sees_a_different_enterprise_only_as_404(client, liaison, teacher_a):
    placement = TeacherPlacementFactory(teacher=teacher_a, enterprise=EnterpriseFactory())
    client.force_login(liaison)
    assert client.post(reverse("programs:placement-verify", args=[placement.pk])).status_code == 404
    assert client.get(reverse("programs:teacher-detail", args=[teacher_a.pk])).status_code == 404
