"""The audit trail on the pages and in the admin: creating, changing and deleting a record through a
page is recorded with its actor and the fields' old and new values; platform admins and the region's
reviewers read a record's history on its page and on the history page (deleted records included),
reviewers of another province get 404, college admins and liaisons 403; the page costs the same
queries for 2 entries as for 12; the admin's History page shows the trail; secrets are never shown.
"""
from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.tests.factories import PartnershipFactory, PatentFactory
from portal.audit import acting_as, entries_for
from portal.history import history_url
from portal.models import School, User
from portal.tests.factories import PASSWORD, SchoolFactory, SectorFactory
from programs.models import Course, Program
from programs.tests.factories import CourseFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(school_a):
    return ProgramFactory(school=school_a, code="460301", name="工业机器人技术")


def only_entry(model, pk, action) -> LogEntry:
    return entries_for(model, pk).get(action=action)


def edit_program(client, program, **changes):
    data = {"school": program.school_id, "code": program.code, "name": program.name, "sector": program.sector_id,
            "established_year": program.established_year, "status": program.status, **changes}
    return client.post(reverse("programs:program-edit", args=[program.pk]), data)


# --- recording --------------------------------------------------------------------------------------


def test_a_change_through_a_page_is_recorded_with_its_actor_and_old_and_new_values(client, college_admin_a, program):
    client.force_login(college_admin_a)

    response = edit_program(client, program, name="工业机器人技术（新）", status="warning")

    assert response.status_code == 302
    entry = only_entry(Program, program.pk, LogEntry.Action.UPDATE)
    assert entry.actor == college_admin_a
    assert entry.changes == {"name": ["工业机器人技术", "工业机器人技术（新）"], "status": ["active", "warning"]}
    assert entry.remote_addr == "127.0.0.1"


def test_creating_and_deleting_through_pages_are_recorded_with_their_actor(client, college_admin_a, school_a):
    client.force_login(college_admin_a)
    sector = SectorFactory()
    response = client.post(reverse("programs:program-add"), {
        "school": school_a.pk, "code": "460302", "name": "新专业", "sector": sector.pk, "established_year": 2024,
        "status": "active"})
    assert response.status_code == 302
    program = Program.objects.get(code="460302")
    created = only_entry(Program, program.pk, LogEntry.Action.CREATE)
    assert created.actor == college_admin_a
    assert created.changes["name"] == [None, "新专业"] and created.changes["school"] == [None, school_a.pk]

    course = CourseFactory(program=program)
    response = client.post(reverse("programs:course-delete", args=[program.pk, course.pk]))

    assert response.status_code == 302 and not Course.objects.filter(pk=course.pk).exists()
    deleted = only_entry(Course, course.pk, LogEntry.Action.DELETE)
    assert deleted.actor == college_admin_a
    assert deleted.object_repr == str(course)
    assert deleted.additional_data == {"regions": [school_a.region_id]}  # its reviewers may still read it


def test_work_done_on_a_users_behalf_outside_a_request_is_theirs(college_admin_a):
    with acting_as(college_admin_a):
        school = SchoolFactory()
    assert only_entry(School, school.pk, LogEntry.Action.CREATE).actor == college_admin_a
    other = SchoolFactory()
    assert only_entry(School, other.pk, LogEntry.Action.CREATE).actor is None  # the system


def test_a_new_password_is_recorded_as_changed_never_its_hash_and_logins_are_not_changes(client, platform_admin,
                                                                                      college_admin_a):
    before = entries_for(User, college_admin_a.pk).count()
    client.login(username="alice", password=PASSWORD)
    assert entries_for(User, college_admin_a.pk).count() == before  # last_login is not tracked

    college_admin_a.set_password("An0ther-Secret-Phrase")
    college_admin_a.save()

    entry = entries_for(User, college_admin_a.pk).first()
    assert entry.changes == {"password": ["******", "******"]}
    client.force_login(platform_admin)
    page = client.get(history_url(college_admin_a)).content.decode()
    assert "changed (not shown)" in page and college_admin_a.password not in page


# --- who reads it on the pages ----------------------------------------------------------------------


def test_the_regions_reviewer_and_a_platform_admin_read_a_records_history_page(client, reviewer, platform_admin,
                                                                               college_admin_a, program):
    client.force_login(college_admin_a)
    edit_program(client, program, name="工业机器人技术（调整）")
    for reader in (reviewer, platform_admin):
        client.force_login(reader)
        response = client.get(history_url(program))
        assert response.status_code == 200
        page = response.content.decode()
        assert "History of 工业机器人技术（调整）" in page
        assert "Name</span>:" in page
        assert '工业机器人技术</span> → <span class="history__new">工业机器人技术（调整）' in page
        assert college_admin_a.username in page or college_admin_a.get_full_name() in page
        assert [e.action_label for e in response.context["entries"]] == ["changed", "created"]


@pytest.mark.parametrize("persona, status", [
    ("other_reviewer", 404), ("college_admin_a", 403), ("liaison", 403), ("outsider", 403)])
def test_others_do_not_read_a_records_history(client, request, program, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(history_url(program)).status_code == status


def test_anonymous_visitors_are_sent_to_the_login_page(client, program):
    response = client.get(history_url(program))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_untracked_or_unknown_kinds_have_no_history_page(client, platform_admin):
    client.force_login(platform_admin)
    assert client.get(reverse("history", args=["evaluation", "indicatorvalue", 1])).status_code == 404
    assert client.get(reverse("history", args=["nothing", "here", 1])).status_code == 404
    assert client.get(reverse("history", args=["programs", "program", 999999])).status_code == 404


def test_a_deleted_records_history_stays_readable_by_admins_and_its_regions_reviewer(client, platform_admin,
                                                                                    reviewer, other_reviewer, program):
    course = CourseFactory(program=program, name="已删除的课程")
    url = history_url(course)
    course.delete()
    for reader, status in ((platform_admin, 200), (reviewer, 200), (other_reviewer, 404)):
        client.force_login(reader)
        response = client.get(url)
        assert response.status_code == status, reader
    client.force_login(reviewer)
    response = client.get(url)
    assert "已删除的课程" in response.content.decode()
    assert [e.action_label for e in response.context["entries"]] == ["deleted", "created"]


def test_a_records_page_shows_its_latest_history_to_reviewers_and_admins_only(client, reviewer, platform_admin,
                                                                             college_admin_a, program):
    detail = reverse("programs:program-detail", args=[program.pk])
    client.force_login(college_admin_a)
    edit_program(client, program, established_year=2016)
    assert 'id="history"' not in client.get(detail).content.decode()
    for reader in (reviewer, platform_admin):
        client.force_login(reader)
        page = client.get(detail).content.decode()
        assert 'id="history"' in page and history_url(program) in page
        assert '<span class="history__field">Established in</span>' in page


def test_a_directory_page_shows_the_history_to_its_regions_reviewer(client, reviewer, other_reviewer, school_a):
    client.force_login(reviewer)
    assert 'id="history"' in client.get(reverse("directory:school-detail", args=[school_a.pk])).content.decode()
    client.force_login(other_reviewer)  # the directory is public, its history is the region's
    page = client.get(reverse("directory:school-detail", args=[school_a.pk])).content.decode()
    assert 'id="history"' not in page


def test_rows_without_a_page_of_their_own_link_to_their_history(client, reviewer, college_admin_a, program):
    course = CourseFactory(program=program)
    client.force_login(reviewer)
    page = client.get(reverse("programs:program-detail", args=[program.pk])).content.decode()
    assert history_url(course) in page
    client.force_login(college_admin_a)
    assert history_url(course) not in client.get(reverse("programs:program-detail", args=[program.pk])).content.decode()


def test_lists_of_rows_without_pages_link_to_each_rows_history_for_reviewers(client, reviewer, college_admin_a,
                                                                            school_a):
    patent = PatentFactory(school=school_a)
    client.force_login(reviewer)
    response = client.get(reverse("partnerships:patent-list"))
    assert history_url(patent) in response.content.decode()
    client.force_login(college_admin_a)
    assert history_url(patent) not in client.get(reverse("partnerships:patent-list")).content.decode()


def test_edit_pages_link_to_the_history_for_platform_admins(client, platform_admin, college_admin_a, program):
    client.force_login(platform_admin)
    assert history_url(program) in client.get(reverse("programs:program-edit", args=[program.pk])).content.decode()
    client.force_login(college_admin_a)
    assert history_url(program) not in client.get(reverse("programs:program-edit", args=[program.pk])).content.decode()


def history_page_queries(client, program) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(history_url(program))
    assert response.status_code == 200
    return len(queries)


def test_the_history_page_costs_the_same_queries_for_2_and_12_entries(client, reviewer, college_admin_a, program):
    client.force_login(college_admin_a)
    edit_program(client, program, name="名称 1")
    client.force_login(reviewer)
    history_page_queries(client, program)  # warm caches (content types, session)
    two = history_page_queries(client, program)
    client.force_login(college_admin_a)
    for n in range(2, 12):
        edit_program(client, program, name=f"名称 {n}", established_year=2000 + n)
    client.force_login(reviewer)
    twelve = history_page_queries(client, program)
    assert entries_for(Program, program.pk).count() == 12
    assert twelve == two


def test_programs_added_to_a_partnership_are_in_its_history_by_name(client, platform_admin, school_a, program):
    partnership = PartnershipFactory(school=school_a, programs=[program])
    client.force_login(platform_admin)
    response = client.get(history_url(partnership))
    [added] = [c for e in response.context["entries"] for c in e.changes if c.relation]
    assert (added.label, added.added, added.removed) == ("Programs", (str(program),), ())
    assert "added 工业机器人技术 (460301)" in response.content.decode()


# --- the admin --------------------------------------------------------------------------------------


def test_the_admins_history_page_of_a_record_is_its_audit_trail(platform_client, college_admin_a, program):
    alice = Client()
    alice.force_login(college_admin_a)
    edit_program(alice, program, name="工业机器人技术（二）")
    response = platform_client.get(reverse("admin:programs_program_history", args=[program.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "工业机器人技术（二）" in page and "Name</span>:" in page
    assert response.context["entries"][0].actor == (college_admin_a.get_full_name() or college_admin_a.username)


def test_the_admin_lists_every_entry_read_only(platform_client, program):
    response = platform_client.get(reverse("admin:auditlog_logentry_changelist"), {"q": program.name})
    assert response.status_code == 200
    assert program.name in response.content.decode()
    entry = entries_for(Program, program.pk).get()
    assert platform_client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk])).status_code == 200
    assert platform_client.post(reverse("admin:auditlog_logentry_delete", args=[entry.pk]),
                                {"post": "yes"}).status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_an_import_saved_by_a_worker_is_recorded_as_the_confirming_users(client, college_admin_a, school_a,
                                                                          settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from programs import imports
    from programs.models import Teacher

    settings.MEDIA_ROOT = tmp_path
    client.force_login(college_admin_a)
    sheet = "staff_no,name,employment\r\nT900,新老师,full_time\r\n".encode()
    response = client.post(reverse("programs:import"), {
        "kind": "teachers", "file": SimpleUploadedFile("t.csv", sheet, content_type="text/csv")})
    assert response.status_code == 302, response.content[:500]
    token = response.url.rstrip("/").rsplit("/", 1)[-1]

    assert imports.run_import(token) == "done"  # as the Celery task does it: no request around it

    teacher = Teacher.objects.get(school=school_a, staff_no="T900")
    assert entries_for(Teacher, teacher.pk).get().actor == college_admin_a


def test_values_in_the_history_are_shown_as_text_never_as_markup(client, reviewer, college_admin_a, program):
    alice = Client()
    alice.force_login(college_admin_a)
    edit_program(alice, program, name="<script>alert('x')</script>")
    client.force_login(reviewer)
    page = client.get(history_url(program)).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
