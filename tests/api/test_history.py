"""The audit trail through the API: writes made with an API token are recorded with the token's user
as actor; `GET /api/v1/<resource>/{id}/history/` answers a record's entries, newest first, paginated,
to platform admins and to the reviewers of its region (404 for another province's, 403 for college
admins and liaisons, 401 without credentials); `GET /api/v1/history/` also reaches deleted records;
both cost the same queries for 2 entries as for 12.
"""
from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.choices import WarningStatus
from evaluation.models import EvaluationRun, Warning
from portal.audit import entries_for
from portal.models import ApiToken
from portal.tests.factories import SectorFactory
from programs.models import Course, Program
from programs.tests.factories import CourseFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def with_token(api, user):
    api.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(user=user, name='audit')[1]}")
    return api


@pytest.fixture
def program(school_a):
    return ProgramFactory(school=school_a, code="460301", name="工业机器人技术")


def history(api, user, url: str):
    api.force_authenticate(user)
    return api.get(url)


# --- recording ----------------------------------------------------------------------------------


def test_writes_with_an_api_token_are_recorded_with_the_tokens_user(api, college_admin_a, school_a):
    client = with_token(api, college_admin_a)
    sector = SectorFactory()

    created = client.post("/api/v1/programs/", {"school": school_a.pk, "code": "460302", "name": "新专业",
                                                 "sector": sector.code, "established_year": 2024}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    changed = client.patch(f"/api/v1/programs/{pk}/", {"name": "新专业（调整）"}, format="json")
    assert changed.status_code == 200, changed.content
    course = CourseFactory(program_id=pk)
    assert client.delete(f"/api/v1/courses/{course.pk}/").status_code == 204

    [update, create] = entries_for(Program, pk)
    assert (create.action, create.actor, create.changes["name"]) == (LogEntry.Action.CREATE, college_admin_a,
                                                                     [None, "新专业"])
    assert (update.action, update.actor, update.changes) == (LogEntry.Action.UPDATE, college_admin_a,
                                                             {"name": ["新专业", "新专业（调整）"]})
    deleted = entries_for(Course, course.pk).get(action=LogEntry.Action.DELETE)
    assert deleted.actor == college_admin_a
    assert not Course.objects.filter(pk=course.pk).exists()


def test_a_warning_acknowledged_through_the_api_is_in_its_history(api, reviewer, school_a):
    run = EvaluationRun.objects.create(year=2024, status="succeeded", published=True)
    warning = Warning.objects.create(level="school", school=school_a, year=2024, indicator="employment_rate",
                                     value=0.5, target=0.85, subject_key=f"school:{school_a.pk}", severity="high",
                                     opened_by_run=run, last_seen_run=run)
    client = with_token(api, reviewer)
    response = client.post(f"/api/v1/warnings/{warning.pk}/acknowledge/", {"note": "已约谈"}, format="json")
    assert response.status_code == 200, response.content

    body = client.get(f"/api/v1/warnings/{warning.pk}/history/").json()
    entry = body["results"][0]
    assert (entry["action"], entry["actor"]) == ("updated", "dave")
    assert entry["changes"]["status"] == [WarningStatus.OPEN, WarningStatus.ACKNOWLEDGED]
    assert entry["changes"]["note"] == ["", "已约谈"]
    assert entry["changes"]["acknowledged_by"] == [None, reviewer.pk]


# --- reading a record's history -------------------------------------------------------------------


def test_a_records_history_is_answered_newest_first_with_the_changed_fields(api, platform_admin, college_admin_a,
                                                                           program):
    with_token(api, college_admin_a).patch(f"/api/v1/programs/{program.pk}/", {"status": "warning"}, format="json")
    api.credentials()
    response = history(api, platform_admin, f"/api/v1/programs/{program.pk}/history/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2 and body["next"] is None
    latest, first = body["results"]
    assert latest["action"] == "updated" and latest["actor"] == "alice"
    assert latest["changes"] == {"status": ["active", "warning"]}
    assert latest["model"] == "programs.program" and latest["object_id"] == program.pk
    assert first["action"] == "created" and first["actor"] is None  # made by a factory: the system
    assert latest["timestamp"] >= first["timestamp"]


@pytest.mark.parametrize("persona, status", [
    ("reviewer", 200), ("platform_admin", 200), ("other_reviewer", 404), ("college_admin_a", 403),
    ("liaison", 403), ("outsider", 403)])
def test_who_reads_a_records_history(api, request, program, persona, status):
    response = history(api, request.getfixturevalue(persona), f"/api/v1/programs/{program.pk}/history/")
    assert response.status_code == status, response.content


def test_anonymous_callers_get_401(api, program):
    assert api.get(f"/api/v1/programs/{program.pk}/history/").status_code == 401


def test_reviewers_read_the_history_of_rows_of_their_region_only(api, reviewer, other_reviewer, region, school_a):
    assert history(api, reviewer, f"/api/v1/regions/{region.code}/history/").status_code == 200
    assert history(api, other_reviewer, f"/api/v1/regions/{region.code}/history/").status_code == 404
    assert history(api, reviewer, f"/api/v1/schools/{school_a.pk}/history/").status_code == 200
    assert history(api, other_reviewer, f"/api/v1/schools/{school_a.pk}/history/").status_code == 404
    # Accounts and national reference data are for platform admins.
    assert history(api, reviewer, f"/api/v1/users/{reviewer.pk}/history/").status_code == 403
    sector = SectorFactory()
    assert history(api, reviewer, f"/api/v1/sectors/{sector.code}/history/").status_code == 404


def test_derived_data_has_no_history_route(api, platform_admin):
    response = history(api, platform_admin, "/api/v1/indicator-values/1/history/")
    assert response.status_code == 404
    schema = api.get("/api/schema/?format=json").json()
    assert "/api/v1/indicator-values/{id}/history/" not in schema["paths"]
    assert "/api/v1/programs/{id}/history/" in schema["paths"]


# --- across records, deleted ones included ----------------------------------------------------------


def test_a_deleted_records_history_is_read_across_records(api, platform_admin, reviewer, other_reviewer,
                                                          college_admin_a, program):
    course = CourseFactory(program=program, name="已删除的课程")
    url = f"/api/v1/history/?model=programs.course&object_id={course.pk}"
    course.delete()
    for reader in (platform_admin, reviewer):
        response = history(api, reader, url)
        assert response.status_code == 200, response.content
        assert [e["action"] for e in response.json()["results"]] == ["deleted", "created"]
        assert response.json()["results"][0]["object_repr"] == str(course)
    assert history(api, other_reviewer, url).status_code == 404
    assert history(api, college_admin_a, url).status_code == 403
    api.force_authenticate(None)
    assert api.get(url).status_code == 401


def test_platform_admins_filter_every_entry_reviewers_ask_for_one_record(api, platform_admin, reviewer, program):
    CourseFactory(program=program).delete()
    response = history(api, platform_admin, "/api/v1/history/?model=programs.course&action=deleted")
    assert response.status_code == 200
    assert [e["model"] for e in response.json()["results"]] == ["programs.course"]
    assert history(api, platform_admin, "/api/v1/history/").json()["count"] >= 4
    assert history(api, platform_admin, "/api/v1/history/?model=evaluation.indicatorvalue").status_code == 400
    response = history(api, reviewer, "/api/v1/history/")
    assert response.status_code == 400 and "object_id" in response.json()


def entries_queries(api, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return response.json()["count"], len(queries)


@pytest.mark.parametrize("across", [False, True], ids=["record", "across records"])
def test_the_history_costs_the_same_queries_for_2_and_12_entries(api, reviewer, college_admin_a, program, across):
    url = (f"/api/v1/history/?model=programs.program&object_id={program.pk}" if across
           else f"/api/v1/programs/{program.pk}/history/")
    token_client = with_token(api, college_admin_a)
    token_client.patch(f"/api/v1/programs/{program.pk}/", {"name": "名称 1"}, format="json")
    api.credentials()
    api.force_authenticate(reviewer)
    entries_queries(api, url)  # warm up
    two = entries_queries(api, url)
    api.force_authenticate(None)
    token_client = with_token(api, college_admin_a)
    for n in range(2, 12):
        token_client.patch(f"/api/v1/programs/{program.pk}/", {"name": f"名称 {n}", "established_year": 2000 + n},
                           format="json")
    api.credentials()
    api.force_authenticate(reviewer)
    twelve = entries_queries(api, url)
    assert (two[0], twelve[0]) == (2, 12)
    assert twelve[1] == two[1]


@pytest.mark.django_db(transaction=True)
def test_a_run_started_through_the_api_and_completed_is_in_its_history(as_, school_a, reviewer, celery_eager):
    celery_eager(True)  # the embedded default: the run is computed before the answer
    ProgramFactory(school=school_a)
    response = as_("dave").post("/api/v1/evaluation-runs/", {"year": 2024})
    assert response.status_code == 202, response.content
    run = response.json()["id"]

    body = as_("dave").get(f"/api/v1/evaluation-runs/{run}/history/").json()

    [published, running, created] = body["results"]
    assert (created["action"], created["actor"], created["changes"]["status"]) == ("created", "dave",
                                                                                    [None, "queued"])
    assert running["changes"]["status"] == ["queued", "running"]
    assert published["changes"]["status"] == ["running", "succeeded"]
    assert published["changes"]["published"] == [False, True]
    assert all("progress" not in e["changes"] and "step" not in e["changes"] for e in body["results"])
