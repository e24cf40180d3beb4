"""Redis down: the broker (and the cache, the same Redis in production) cannot be reached.

Reading goes on: pages and API reads answer 200 (the API's rate limits, counted in the cache, are
skipped meanwhile). Work that needs a worker is refused with a clear message and leaves nothing
half-done: an evaluation run asked for through the API answers 503 and no run row stays, the
dashboard's run button says so, a large import saves nothing and can be confirmed again. With the
broker back, the next request is queued (202).
"""
from __future__ import annotations

import re
import uuid

import pytest
import redis
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from evaluation.models import EvaluationRun
from portal.tests.factories import PASSWORD, ReviewerFactory
from programs import imports
from programs.models import Teacher
from tests.security import tenants as t

from .conftest import UNREACHABLE, celery_broker, forget_queue

RUNS = "/api/v1/evaluation-runs/"
QUEUE_DOWN_API = "The task queue cannot be reached; no run was started. Try again shortly."
QUEUE_DOWN_PAGE = "The task queue cannot be reached; no evaluation run was started. Try again in a few minutes."

PAGES = ("home", "evaluation:dashboard", "partnerships:partnership-list", "partnerships:project-list",
         "programs:placement-list", "evaluation:warning-list", "evaluation:recommendation-list",
         "directory:school-list", "evaluation:report-index")
API_READS = ("schools", "programs", "partnerships", "teacher-placements", "indicator-values", "warnings",
             "evaluation-runs", "users/me")


def test_pages_and_api_reads_answer_while_redis_is_down(db, broker_down, cache_down):
    with pytest.raises(redis.RedisError):
        cache.get("anything")  # the fault is real
    a = t.build().a
    for persona in t.ATTACKERS:
        client = Client()
        client.force_login(getattr(a, persona))
        for name in PAGES:
            assert client.get(reverse(name)).status_code == 200, (persona, name)
        api = APIClient()
        api.force_authenticate(getattr(a, persona))
        for resource in API_READS:
            response = api.get(f"/api/v1/{resource}/")
            assert response.status_code == 200, (persona, resource, response.content[:300])
    # Signing in still works, through the login page and for an API token.
    assert Client().post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 302
    token = APIClient().post("/api/v1/auth/token/", {"username": "carol", "password": PASSWORD}, format="json")
    assert token.status_code == 200, token.content
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert api.get("/api/v1/users/me/").json()["username"] == "carol"


@pytest.mark.django_db(transaction=True)
def test_a_run_asked_for_while_the_broker_is_down_answers_503_and_leaves_no_run(broker_down):
    api = APIClient()
    api.force_authenticate(ReviewerFactory())
    response = api.post(RUNS, {"year": 2025}, format="json")
    assert response.status_code == 503, response.content
    assert response.json() == {"detail": QUEUE_DOWN_API}
    assert not EvaluationRun.objects.exists()
    assert api.get(RUNS).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_dashboards_run_button_says_the_queue_is_down_and_starts_nothing(broker_down):
    client = Client()
    client.force_login(ReviewerFactory())
    response = client.post(reverse("evaluation:run-start"), {"year": 2025}, follow=True)
    assert response.status_code == 200
    assert QUEUE_DOWN_PAGE in [str(m) for m in response.context["messages"]]
    assert not EvaluationRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_back_the_next_run_is_queued(real_broker):
    api = APIClient()
    api.force_authenticate(ReviewerFactory())
    with celery_broker(UNREACHABLE):
        assert api.post(RUNS, {"year": 2025}, format="json").status_code == 503
    assert not EvaluationRun.objects.exists()
    queue = f"faults-{uuid.uuid4().hex[:12]}"
    broker = redis.Redis.from_url(real_broker)
    try:
        with celery_broker(real_broker, queue):
            response = api.post(RUNS, {"year": 2025}, format="json")
        assert response.status_code == 202, response.content
        run = EvaluationRun.objects.get()
        assert (response.json()["id"], run.status) == (run.pk, "queued")
        assert broker.llen(queue) == 1  # the task waits in Redis for a worker
    finally:
        forget_queue(real_broker, queue)


def upload_teachers(client: Client, rows: int) -> str:
    lines = ["staff_no,name", *(f"T{n:03d},教师{n}" for n in range(rows))]
    file = SimpleUploadedFile("teachers.csv", "\n".join(lines).encode(), content_type="text/csv")
    response = client.post(reverse("programs:import"), {"kind": "teachers", "file": file})
    assert response.status_code == 302, response.content[:500]
    return re.fullmatch(r"/teaching/import/([A-Za-z0-9_-]+)/", response.url).group(1)


def test_a_large_import_while_the_broker_is_down_saves_nothing_and_can_be_confirmed_again(
        db, broker_down, celery_eager, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(imports, "BACKGROUND_THRESHOLD", 5)  # 12 rows go to the background task
    cache.clear()
    a = t.build().a
    client = Client()
    client.force_login(a.alice)
    token = upload_teachers(client, 12)
    teachers = Teacher.objects.count()

    response = client.post(reverse("programs:import-confirm", args=[token]), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The task queue cannot be reached; nothing was saved. Confirm the import again in a few minutes." in page
    assert "Import not saved" in page
    assert Teacher.objects.count() == teachers
    status = client.get(reverse("programs:import-status", args=[token])).json()
    assert (status["state"], status["created"], status["finished"]) == ("failed", 0, True)

    celery_eager(True)  # the queue is back (here: tasks run in this process)
    assert client.get(reverse("programs:import-preview", args=[token])).status_code == 200
    client.post(reverse("programs:import-confirm", args=[token]))
    status = client.get(reverse("programs:import-status", args=[token])).json()
    assert (status["state"], status["created"]) == ("done", 12)
    assert Teacher.objects.count() == teachers + 12
