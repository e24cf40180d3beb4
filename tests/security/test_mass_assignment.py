"""Mass assignment: fields a caller may not set are ignored (or the write refused), through the API
and through the pages' forms.

For every API resource a persona of tenant A writes (tests/security/test_cross_tenant_api.py's
bodies and own rows), every model field the resource does not let the caller write (`verified`,
`verified_at`, `status`, `published`, `proposed_by`, `given_by`, `requested_by`, timestamps, a
token's digest...) is sent with a forged value in a creation and in an edit: the write goes through
and none of those fields takes the forged value. The same holds for every edit page's form and the
add pages and actions that carry such fields (placements, partnerships, projects, feedback,
warnings, runs, tokens and the user's own account).
"""
from __future__ import annotations

import pytest
from django import forms
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from evaluation.models import EvaluationRun, Feedback
from partnerships.choices import PartnershipStatus
from partnerships.models import EnterpriseProject, Partnership
from portal.models import ApiToken, User
from programs.models import TeacherPlacement

from . import forge
from . import tenants as t
from .test_cross_tenant_api import OWN_ROWS, VIEWSETS, create_bodies, model_of
from .test_csrf import browser_routes


@pytest.fixture
def tenants(db):
    cache.clear()
    return t.build()


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def others(tenants) -> list:
    """Rows a forged relation may name: every row of both tenants, their platform admins first."""
    rows = [tenants.b.pat, tenants.a.pat]
    for tenant in (tenants.b, tenants.a):
        rows += [getattr(tenant, key) for key in t.ROW_KEYS]
    rows += [tenants.b.group, Permission.objects.first()]
    return rows


def writable_sources(serializer) -> set[str]:
    return {field.source for field in serializer.fields.values() if not field.read_only}


def protected_fields(model, writable: set[str], sent: set[str] = frozenset()):
    """The model fields a request may not set: neither written by the serializer (or form) nor part
    of the body it is meant to send."""
    return [f for f in forge.forgeable_fields(model)
            if f.name not in writable and f.attname not in writable and f.name not in sent]


def forged_body(fields, current_row, rows) -> tuple[dict, dict]:
    """(body, {field: stored forged value}) for the fields that can be forged."""
    body, expected = {}, {}
    for field in fields:
        made = forge.forged(field, forge.stored(current_row, field) if current_row is not None
                            else field.get_default(), rows)
        if made is None:
            continue
        sent, stored = made
        body[field.name] = sent
        if field.is_relation and not field.many_to_many:
            body[field.attname] = sent
        expected[field] = stored
    return body, expected


def assert_not_forged(row, expected: dict, before: dict | None, where: str) -> None:
    row.refresh_from_db()
    for field, value in expected.items():
        now = forge.stored(row, field)
        assert not forge.same(now, value), f"{where}: {field.name} took the forged value {value!r}"
        if before is not None and not getattr(field, "auto_now", False):
            assert now == before[field], f"{where}: {field.name} changed from {before[field]!r} to {now!r}"


# --- the API ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", sorted(OWN_ROWS))
def test_an_api_edit_ignores_every_field_the_caller_may_not_set(prefix, tenants):
    persona, key = OWN_ROWS[prefix]
    row = getattr(tenants.a, key)
    model = model_of(prefix)
    fields = protected_fields(model, writable_sources(VIEWSETS[prefix].serializer_class()))
    body, expected = forged_body(fields, row, others(tenants))
    if not expected:
        pytest.skip(f"every field of {model.__name__} is the caller's to write")
    before = {field: forge.stored(row, field) for field in expected}
    lookup = getattr(row, VIEWSETS[prefix].lookup_field)
    response = api_as(getattr(tenants.a, persona)).patch(f"/api/v1/{prefix}/{lookup}/", body, format="json")
    assert response.status_code == 200, (prefix, response.content[:400])
    assert_not_forged(row, expected, before, f"PATCH {prefix}")


def creation_cases():
    """(prefix, index of the body) of every creation a persona of tenant A makes."""
    names = ["tokens", "programs", "courses", "program-years", "teachers", "teacher-placements", "consortia",
             "consortium-members", "partnerships", "contributions", "projects", "project-adoptions",
             "talent-demands", "training-bases", "training-base-usage", "technical-services", "patents",
             "feedback", "evaluation-runs"]
    counts = {"contributions": 2, "training-bases": 3, "feedback": 2}
    return [(name, index) for name in names for index in range(counts.get(name, 1))]


def test_the_creation_cases_are_those_of_the_cross_tenant_tests(tenants):
    assert {(p, i) for p, bodies in create_bodies(tenants.a).items() for i in range(len(bodies))} == set(
        creation_cases())


@pytest.mark.parametrize(("prefix", "index"), creation_cases())
def test_an_api_creation_ignores_every_field_the_caller_may_not_set(prefix, index, tenants):
    persona, base = create_bodies(tenants.a)[prefix][index]
    user = getattr(tenants.a, persona)
    model = model_of(prefix)
    fields = protected_fields(model, writable_sources(VIEWSETS[prefix].serializer_class()), sent=set(base))
    body, expected = forged_body(fields, None, others(tenants))
    if not expected:
        pytest.skip(f"every field of {model.__name__} is the caller's to write")
    ids = set(model._default_manager.values_list("pk", flat=True))
    response = api_as(user).post(f"/api/v1/{prefix}/", {**body, **base}, format="json")
    assert response.status_code in (201, 202), (prefix, response.content[:400])
    (created,) = model._default_manager.exclude(pk__in=ids)
    assert_not_forged(created, expected, None, f"POST {prefix}")


def test_a_run_asked_for_with_a_forged_state_is_queued_for_the_caller(tenants):
    response = api_as(tenants.a.dave).post("/api/v1/evaluation-runs/", {
        "year": 2026, "status": "succeeded", "published": True, "progress": 100, "trigger": "schedule",
        "requested_by": tenants.b.dave.pk, "attempts": 3, "error": "", "value_count": 9}, format="json")
    assert response.status_code == 202, response.content
    run = EvaluationRun.objects.get(pk=response.json()["id"])
    assert (run.status, run.published, run.progress, run.trigger, run.requested_by, run.attempts) == (
        "queued", False, 0, "request", tenants.a.dave, 0)


@pytest.mark.parametrize("persona", t.ATTACKERS)
def test_users_me_ignores_role_scope_and_staff_flags(persona, tenants):
    alice = getattr(tenants.a, persona)
    model_fields = protected_fields(User, {"first_name", "last_name", "email", "password"})
    body, expected = forged_body(model_fields, alice, others(tenants))
    body["region"] = tenants.b.P.code  # regions are named by their code
    assert {"role", "school", "is_staff", "is_superuser", "is_active", "username", "groups"} <= {
        f.name for f in expected}
    before = {field: forge.stored(alice, field) for field in expected}
    response = api_as(alice).patch("/api/v1/users/me/", {**body, "first_name": "Alice"}, format="json")
    assert response.status_code == 200, response.content
    assert_not_forged(alice, expected, before, "PATCH users/me")
    assert alice.first_name == "Alice"


def test_a_reviewer_cannot_move_their_own_scope_to_another_region(tenants):
    """The bug this found: `region` was writable on users/me, and a reviewer's region is their scope."""
    dave = tenants.a.dave
    response = api_as(dave).patch("/api/v1/users/me/", {"region": tenants.b.P.code}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["region"] == tenants.a.P.code
    dave.refresh_from_db()
    assert dave.region == tenants.a.P
    assert api_as(dave).get(f"/api/v1/teachers/{tenants.b.teacher.pk}/").status_code == 404


def test_a_token_is_its_creators_whatever_the_body_says_of_its_key(tenants):
    response = api_as(tenants.a.carol).post("/api/v1/tokens/", {
        "name": "ci", "digest": "0" * 64, "prefix": "forged", "last_used_at": "2001-02-03T04:05:06Z",
        "created_at": "2001-02-03T04:05:06Z"}, format="json")
    assert response.status_code == 201, response.content
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert (token.user, token.last_used_at) == (tenants.a.carol, None)
    assert token.digest != "0" * 64 and token.prefix != "forged"
    assert token.created_at.year == timezone.now().year
    key_client = APIClient()
    key_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['key']}")
    assert key_client.get("/api/v1/users/me/").json()["username"] == "carol"  # the answered key opens it


def test_verifying_a_placement_records_the_verifier_and_the_moment_not_the_bodys(tenants):
    placement = tenants.a.placement
    response = api_as(tenants.a.carol).post(f"/api/v1/teacher-placements/{placement.pk}/verify/", {
        "verified_by": tenants.b.pat.pk, "verified_at": "2001-02-03T04:05:06Z", "teacher": tenants.b.teacher.pk,
        "enterprise": tenants.b.enterprise.pk}, format="json")
    assert response.status_code == 200, response.content
    placement.refresh_from_db()
    assert (placement.verified, placement.verified_by, placement.teacher, placement.enterprise) == (
        True, tenants.a.carol, tenants.a.teacher, tenants.a.enterprise)
    assert placement.verified_at.year == timezone.now().year


def test_accepting_a_partnership_ignores_a_state_or_parties_in_the_body(tenants):
    partnership = tenants.a.partnership
    response = api_as(tenants.a.carol).post(f"/api/v1/partnerships/{partnership.pk}/accept/", {
        "status": "declined", "responded_at": "2001-02-03T04:05:06Z", "school": tenants.b.school.pk,
        "enterprise": tenants.b.enterprise.pk, "proposed_by": tenants.b.alice.pk}, format="json")
    assert response.status_code == 200, response.content
    partnership.refresh_from_db()
    assert (partnership.status, partnership.school, partnership.enterprise) == (
        PartnershipStatus.ACTIVE, tenants.a.school, tenants.a.enterprise)
    assert partnership.responded_at.year == timezone.now().year


def test_acknowledging_a_warning_records_the_reviewer_not_the_bodys(tenants):
    warning = tenants.a.warning
    response = api_as(tenants.a.dave).post(f"/api/v1/warnings/{warning.pk}/acknowledge/", {
        "note": "整改中", "acknowledged_by": tenants.b.pat.pk, "acknowledged_at": "2001-02-03T04:05:06Z",
        "status": "resolved", "severity": "high", "value": 0.99, "school": tenants.b.school.pk}, format="json")
    assert response.status_code == 200, response.content
    warning.refresh_from_db()
    assert (warning.status, warning.acknowledged_by, warning.note, warning.severity, warning.school) == (
        "acknowledged", tenants.a.dave, "整改中", "medium", tenants.a.school)
    assert warning.acknowledged_at.year == timezone.now().year


@pytest.mark.parametrize("prefix", ["warnings", "indicator-values", "program-recommendations", "evaluation-runs"])
def test_published_results_are_not_written_through_the_api(prefix, tenants):
    model = model_of(prefix)
    row = {"warnings": tenants.a.warning, "indicator-values": tenants.a.value,
           "program-recommendations": tenants.a.recommendation, "evaluation-runs": tenants.a.run}[prefix]
    fields = forge.forgeable_fields(model)
    body, expected = forged_body(fields, row, others(tenants))
    before = {field: forge.stored(row, field) for field in expected}
    for persona in ("dave", "alice"):
        api = api_as(getattr(tenants.a, persona))
        for method in ("patch", "put"):
            response = getattr(api, method)(f"/api/v1/{prefix}/{row.pk}/", body, format="json")
            assert response.status_code in (403, 405), (prefix, persona, method, response.status_code)
    assert_not_forged(row, expected, before, prefix)


# --- the pages ----------------------------------------------------------------------------------------

EDIT_PAGES = {
    "programs:program-edit": ("alice", lambda a: {"pk": a.program.pk}, "program"),
    "programs:course-edit": ("alice", lambda a: {"program": a.program.pk, "pk": a.course.pk}, "course"),
    "programs:teacher-edit": ("alice", lambda a: {"pk": a.teacher.pk}, "teacher"),
    "programs:placement-edit": ("alice", lambda a: {"pk": a.placement.pk}, "placement"),
    "programs:program-year-edit": ("alice", lambda a: {"program": a.program.pk, "pk": a.record.pk}, "record"),
    "partnerships:partnership-edit": ("alice", lambda a: {"pk": a.partnership.pk}, "partnership"),
    "partnerships:project-edit": ("carol", lambda a: {"pk": a.project.pk}, "project"),
    "partnerships:adoption-edit": ("alice", lambda a: {"pk": a.adoption.pk}, "adoption"),
    "partnerships:demand-edit": ("carol", lambda a: {"pk": a.demand.pk}, "demand"),
    "partnerships:base-edit": ("alice", lambda a: {"pk": a.base.pk}, "base"),
    "partnerships:usage-edit": ("alice", lambda a: {"base": a.base.pk, "pk": a.usage.pk}, "usage"),
    "partnerships:service-edit": ("alice", lambda a: {"pk": a.service.pk}, "service"),
    "partnerships:patent-edit": ("alice", lambda a: {"pk": a.patent.pk}, "patent"),
}


def test_every_edit_page_is_covered():
    edits = {name for _route, name, _args in browser_routes() if name.endswith("-edit") and ":" in name}
    assert edits == set(EDIT_PAGES)


def form_data(form) -> dict:
    """What a browser would send for the form as shown (its current values)."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if getattr(field.widget, "input_type", "") == "file":
            continue
        if isinstance(value, bool) or field.__class__.__name__ == "BooleanField":
            if value:
                data[name] = "on"
            continue
        if value is None:
            data[name] = [] if isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)) else ""
        elif isinstance(value, (list, tuple)):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        elif hasattr(value, "isoformat"):
            data[name] = value.isoformat()
        else:
            data[name] = str(getattr(value, "pk", value))
    return data


@pytest.mark.parametrize("name", sorted(EDIT_PAGES))
def test_an_edit_page_ignores_every_field_its_form_does_not_show(name, tenants, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    persona, kwargs, key = EDIT_PAGES[name]
    row = getattr(tenants.a, key)
    client = Client()
    client.force_login(getattr(tenants.a, persona))
    url = reverse(name, kwargs=kwargs(tenants.a))
    page = client.get(url)
    assert page.status_code == 200, (name, page.status_code)
    form = page.context["form"]
    fields = protected_fields(type(row), set(form.fields))
    body, expected = forged_body(fields, row, others(tenants))
    before = {field: forge.stored(row, field) for field in expected}
    response = client.post(url, {**body, **form_data(form)})
    assert response.status_code == 302, (name, response.context["form"].errors if response.context else "")
    assert_not_forged(row, expected, before, name)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_placement_added_on_its_page_is_unverified_whatever_the_form_carries(tenants):
    before = set(TeacherPlacement.objects.values_list("pk", flat=True))
    response = _client(tenants.a.alice).post(reverse("programs:placement-add"), {
        "teacher": tenants.a.teacher.pk, "enterprise": tenants.a.enterprise.pk, "start_date": "2025-07-01",
        "end_date": "2025-07-20", "activity": "training", "verified": "on", "verified_by": tenants.a.carol.pk,
        "verified_at": "2025-07-21T10:00:00Z"})
    assert response.status_code == 302
    (placement,) = TeacherPlacement.objects.exclude(pk__in=before)
    assert (placement.verified, placement.verified_by, placement.verified_at) == (False, None, None)


def test_a_partnership_proposed_on_its_page_is_proposed_by_its_school_whatever_the_form_carries(tenants):
    before = set(Partnership.objects.values_list("pk", flat=True))
    response = _client(tenants.a.alice).post(reverse("partnerships:partnership-add"), {
        "enterprise": tenants.a.enterprise.pk, "title": "新协议", "kinds": ["order_class"], "start_date": "2025-09-01",
        "status": "active", "school": tenants.b.school.pk, "proposed_by": tenants.b.alice.pk,
        "responded_at": "2025-09-02T00:00:00Z"})
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    (partnership,) = Partnership.objects.exclude(pk__in=before)
    assert (partnership.status, partnership.school, partnership.proposed_by, partnership.responded_at) == (
        "proposed", tenants.a.school, tenants.a.alice, None)


def test_a_project_posted_on_its_page_is_a_draft_of_the_liaisons_enterprise(tenants):
    client = _client(tenants.a.carol)
    before = set(EnterpriseProject.objects.values_list("pk", flat=True))
    body = {"title": "新项目", "sector": tenants.a.sector.pk, "capacity": 10, "status": "completed"}
    refused = client.post(reverse("partnerships:project-add"), {**body, "enterprise": tenants.b.enterprise.pk})
    assert refused.status_code in (200, 403) and "enterprise" in (
        refused.context["form"].errors if refused.status_code == 200 else {"enterprise": 1})
    assert set(EnterpriseProject.objects.values_list("pk", flat=True)) == before
    response = client.post(reverse("partnerships:project-add"), {**body, "enterprise": tenants.a.enterprise.pk})
    assert response.status_code == 302
    (project,) = EnterpriseProject.objects.exclude(pk__in=before)
    assert (project.status, project.enterprise) == ("draft", tenants.a.enterprise)


def test_a_project_status_jump_is_refused_on_its_page(tenants):
    """The status buttons only move a project along its life cycle: a draft cannot be closed as completed."""
    draft = tenants.a.draft
    response = _client(tenants.a.carol).post(reverse("partnerships:project-status", args=[draft.pk]),
                                             {"status": "completed"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_feedback_given_on_its_page_is_given_by_the_liaison(tenants):
    before = set(Feedback.objects.values_list("pk", flat=True))
    response = _client(tenants.a.carol).post(reverse("evaluation:partnership-feedback-add", args=[tenants.a.active.pk]), {
        "year": 2025, "score_communication": "4", "given_by": tenants.b.carol.pk,
        "enterprise": tenants.b.enterprise.pk, "partnership": tenants.b.active.pk})
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    (feedback,) = Feedback.objects.exclude(pk__in=before)
    assert (feedback.given_by, feedback.enterprise, feedback.partnership) == (
        tenants.a.carol, tenants.a.enterprise, tenants.a.active)


def test_a_warning_acknowledged_on_its_page_records_the_reviewer(tenants):
    warning = tenants.a.warning
    response = _client(tenants.a.dave).post(reverse("evaluation:warning-acknowledge", args=[warning.pk]), {
        "note": "已整改", "acknowledged_by": tenants.b.pat.pk, "status": "resolved", "severity": "high"})
    assert response.status_code == 302
    warning.refresh_from_db()
    assert (warning.status, warning.acknowledged_by, warning.note, warning.severity) == (
        "acknowledged", tenants.a.dave, "已整改", "medium")


def test_a_run_started_on_the_dashboard_is_queued_for_the_reviewer(tenants):
    response = _client(tenants.a.dave).post(reverse("evaluation:run-start"), {
        "year": 2026, "status": "succeeded", "published": "on", "requested_by": tenants.b.dave.pk,
        "trigger": "schedule"})
    assert response.status_code == 302
    run = EvaluationRun.objects.get(year=2026)
    assert (run.status, run.published, run.requested_by, run.trigger) == ("queued", False, tenants.a.dave, "request")


def test_the_token_page_issues_tokens_for_the_signed_in_user_only(tenants):
    client = _client(tenants.a.alice)
    before = set(ApiToken.objects.values_list("pk", flat=True))
    response = client.post(reverse("tokens"), {"name": "ci", "user": tenants.b.alice.pk, "prefix": "forged",
                                               "digest": "0" * 64})
    assert response.status_code == 200
    (token,) = ApiToken.objects.exclude(pk__in=before)
    assert (token.user, token.name) == (tenants.a.alice, "ci")
    assert token.prefix != "forged" and token.digest != "0" * 64
    # Revoking another user's token is revoking nothing.
    assert client.post(reverse("token-revoke", args=[tenants.b.token.pk])).status_code == 404
    assert ApiToken.objects.filter(pk=tenants.b.token.pk).exists()


def test_the_password_change_page_changes_the_password_and_nothing_else(tenants):
    alice = tenants.a.alice
    from portal.tests.factories import PASSWORD

    response = _client(alice).post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Another-long-Passphrase-9", "new_password2":
        "Another-long-Passphrase-9", "role": "platform_admin", "is_superuser": "on", "is_staff": "on",
        "school": tenants.b.school.pk, "username": "root"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.role, alice.is_superuser, alice.is_staff, alice.school, alice.username) == (
        "college_admin", False, False, tenants.a.school, "alice")
    assert alice.check_password("Another-long-Passphrase-9")
    assert not Group.objects.filter(user=alice).exists()


def test_no_serializer_leaves_a_field_it_calls_read_only_writable():
    """DRF applies Meta.read_only_fields to generated fields only: a field also declared on the class
    stays writable (how users/me let a reviewer move their region). Every field a serializer calls
    read-only must be read-only."""
    from rest_framework import serializers

    import portal.urls  # noqa: F401  (imports every app's serializers)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    writable = []
    for cls in set(subclasses(serializers.ModelSerializer)):
        meta = getattr(cls, "Meta", None)
        if cls.__module__.split(".")[0] not in ("portal", "programs", "partnerships", "evaluation") or meta is None:
            continue
        fields = cls().fields
        writable += [f"{cls.__name__}.{name}" for name in getattr(meta, "read_only_fields", ())
                     if name in fields and not fields[name].read_only]
    assert writable == []
