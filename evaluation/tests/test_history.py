"""Evaluation runs in the audit trail: a run's request, claim, publication, failure, abandonment and
supersession are each one entry with the fields that changed (the conditional UPDATEs that bypass
model signals record theirs explicitly); progress ticks are not entries; a run that has ended is left
alone by a late failure and gets no entry; a warning acknowledged on the warnings page is in the
warning's history with the reviewer as actor.
"""
from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from evaluation import runs
from evaluation.models import EvaluationRun, Warning
from evaluation.tests.world import Y, small_world, unresolved_warning
from portal.audit import entries_for
from portal.tests.factories import ReviewerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return small_world()


def changes(run: EvaluationRun) -> list[dict]:
    """The run's entries, oldest first, as {field: [old, new]}."""
    return [entry.changes for entry in reversed(entries_for(EvaluationRun, run.pk))]


def test_a_run_from_request_to_publication_is_three_entries_without_progress_ticks(world):
    run, created = runs.run_now(Y)

    assert created and run.status == "succeeded"
    requested, claimed, published = changes(run)
    assert requested["status"] == [None, "queued"] and requested["year"] == [None, Y]
    assert claimed["status"] == ["queued", "running"] and claimed["attempts"] == [0, 1]
    assert published["status"] == ["running", "succeeded"] and published["published"] == [False, True]
    assert published["value_count"] == [0, 70]
    assert all("progress" not in c and "step" not in c for c in (requested, claimed, published))
    assert all(e.actor is None for e in entries_for(EvaluationRun, run.pk))  # the command: the system


def test_a_run_superseded_by_the_next_one_records_its_unpublication(world):
    first, _ = runs.run_now(Y)
    second, _ = runs.run_now(Y)

    assert changes(first)[-1] == {"published": [True, False]}
    assert changes(second)[-1]["published"] == [False, True]


def test_a_failing_run_records_its_failure_and_error(world):
    run, _ = runs.request_run(Y, enqueue=False)

    def disk_full(step: int) -> None:
        if step == 3:
            raise RuntimeError("disk full")

    runs.execute_run(run.pk, after_step=disk_full)

    failed = changes(run)[-1]
    assert failed["status"] == ["running", "failed"]
    assert failed["error"] == ["", "RuntimeError: disk full"]
    assert "finished_at" in failed and "step" not in failed


def test_a_late_failure_of_an_ended_run_changes_nothing_and_records_nothing(world):
    run, _ = runs.run_now(Y)
    before = entries_for(EvaluationRun, run.pk).count()

    runs.fail_run(run.pk, "too late")

    run.refresh_from_db()
    assert run.status == "succeeded"
    assert entries_for(EvaluationRun, run.pk).count() == before


def test_an_abandoned_run_closed_by_the_next_request_records_why(world):
    abandoned, _ = runs.request_run(Y, enqueue=False)
    EvaluationRun.objects.filter(pk=abandoned.pk).update(
        updated_at=timezone.now() - runs.stale_after() - datetime.timedelta(minutes=1))

    runs.request_run(Y, enqueue=False)

    closed = changes(abandoned)[-1]
    assert closed["status"] == ["queued", "failed"]
    assert "stopped reporting" in closed["error"][1]


def test_the_runs_that_open_and_resolve_a_warning_are_in_its_history(world):
    first, _ = runs.run_now(Y)
    warning = unresolved_warning("employment_rate", level="program", program=world.pA)
    world.record.employed = 45  # the next run no longer finds the warning
    world.record.save()
    runs.run_now(Y)

    resolved, opened = entries_for(Warning, warning.pk)
    assert (opened.action, opened.actor) == (LogEntry.Action.CREATE, None)
    assert opened.changes["status"] == [None, "open"] and opened.changes["opened_by_run"] == [None, first.pk]
    assert resolved.changes["status"] == ["open", "resolved"] and resolved.changes["resolved_at"][0] is None
    assert "last_seen_run" not in opened.changes and "subject_key" not in opened.changes


def test_a_warning_acknowledged_on_the_warnings_page_is_in_its_history(client, world):
    runs.run_now(Y)
    warning = unresolved_warning("employment_rate", level="program", program=world.pA)
    reviewer = ReviewerFactory(region=world.P)
    client.force_login(reviewer)

    response = client.post(reverse("evaluation:warning-acknowledge", args=[warning.pk]), {"note": "已约谈学校"})

    assert response.status_code == 302
    entry = entries_for(Warning, warning.pk).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == reviewer
    assert entry.changes["status"] == ["open", "acknowledged"] and entry.changes["note"] == ["", "已约谈学校"]
    listed = client.get(reverse("evaluation:warning-list"), {"status": "acknowledged"}).content.decode()
    assert reverse("history", args=["evaluation", "warning", warning.pk]) in listed
    page = client.get(reverse("history", args=["evaluation", "warning", warning.pk])).content.decode()
    assert "已约谈学校" in page and "Acknowledged" in page
