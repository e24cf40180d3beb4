"""CSRF is enforced on every browser route and on session-authenticated API writes.

Every route of the URL resolver outside /api/ (the admin included) gets a POST without a CSRF
token from a logged-in user who could otherwise act there (alice, carol, dave and pat; pat alone
in the admin), with URL arguments naming real rows of a small world (tests/security/world.py).
Each POST must be refused by Django's CSRF check (403 from the CSRF failure view, not a permission
403) and no row of any model may change. The same request with the token gets past the check, so
the test fails if a view becomes csrf_exempt or the middleware goes missing.
"""
from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponseForbidden
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from tests.security import world as security_world

# A marker set only by the CSRF failure view below: tells a CSRF refusal from a permission 403.
CSRF_MARKER = "X-Test-CSRF-Rejected"


def csrf_failure(request, reason=""):
    response = HttpResponseForbidden("CSRF refused")
    response[CSRF_MARKER] = reason or "yes"
    return response


def browser_routes() -> list[tuple[str, str, list[str]]]:
    """(route, url name, argument names) of every route outside /api/, static and media."""
    found = []

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                if route.startswith(("api/", "static/", "media/", "^static", "^media")):
                    continue
                name = f"{namespace}{entry.name}" if entry.name else ""
                found.append((route, name, list(entry.pattern.regex.groupindex)))

    walk(get_resolver(), "", "")
    return found


ROUTES = browser_routes()
ADMIN_MODEL_ROUTE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/")

# Routes whose URL arguments cannot name a real row: keep this short.
UNFILLABLE: dict[str, str] = {}


def admin_object(w, route: str):
    """The row of the model an admin route names (admin/<app>/<model>/...)."""
    match = ADMIN_MODEL_ROUTE.match(route)
    model = apps.get_model(match["app"], match["model"])
    rows = {
        "auth.Group": w.group, "portal.Region": w.P, "portal.Sector": w.sector, "portal.School": w.school,
        "portal.Enterprise": w.enterprise, "portal.User": w.alice, "portal.ApiToken": w.token,
        "programs.Program": w.program, "programs.Course": w.course, "programs.ProgramYear": w.record,
        "programs.Teacher": w.teacher, "programs.TeacherPlacement": w.placement,
        "partnerships.Consortium": w.consortium, "partnerships.ConsortiumMember": w.member,
        "partnerships.Partnership": w.partnership, "partnerships.Contribution": w.contribution,
        "partnerships.EnterpriseProject": w.project, "partnerships.ProjectAdoption": w.adoption,
        "partnerships.TalentDemand": w.demand, "partnerships.TrainingBase": w.base,
        "partnerships.TrainingBaseUsage": w.usage, "partnerships.TechnicalService": w.service,
        "partnerships.Patent": w.patent, "evaluation.Feedback": w.feedback, "evaluation.FeedbackScore": w.score,
        "evaluation.EvaluationRun": w.run, "evaluation.IndicatorValue": w.value, "evaluation.Warning": w.warning,
        "evaluation.ProgramRecommendation": w.recommendation, "evaluation.TargetOverride": w.target,
    }
    if model._meta.label in rows:
        return rows[model._meta.label]
    row = model._default_manager.first()  # models of other apps (e.g. login attempts): any row the world left
    if row is None:
        pytest.skip(f"{route}: no row of {model._meta.label} in the world")
    return row


def pk_by_name(w) -> dict[str, object]:
    """The row each app route's `pk` names, by the prefix of its url name."""
    return {
        "programs:program-": w.program, "programs:course-": w.course, "programs:teacher-": w.teacher,
        "programs:placement-": w.placement, "programs:program-year-": w.record,
        "partnerships:partnership-": w.partnership, "partnerships:project-": w.project,
        "partnerships:adoption-": w.adoption, "partnerships:demand-": w.demand, "partnerships:usage-": w.usage,
        "partnerships:base-": w.base, "partnerships:service-": w.service, "partnerships:patent-": w.patent,
        "directory:school-": w.school, "directory:enterprise-": w.enterprise, "directory:program-": w.program,
        "directory:project-": w.project, "directory:consortium-": w.consortium,
        "evaluation:partnership-feedback-": w.partnership, "evaluation:program-feedback-": w.program,
        "evaluation:school-report": w.school, "evaluation:warning-": w.warning, "token-": w.token,
        "history": w.program,
    }


def fill(w, route: str, name: str, arguments: list[str]) -> dict[str, object]:
    if route.startswith("admin/"):
        values = {
            "object_id": lambda: w.school.pk if name == "admin:view_on_site" else admin_object(w, route).pk,
            "id": lambda: w.alice.pk,
            "content_type_id": lambda: ContentType.objects.get_for_model(w.school).pk,
            "app_label": lambda: "portal", "url": lambda: "no-such-page/",
        }
        return {argument: values[argument]() for argument in arguments}
    kwargs = {}
    for argument in arguments:
        if argument == "pk":
            # Longest matching prefix wins (program-year- before program-).
            prefixes = [p for p in pk_by_name(w) if name.startswith(p)]
            if not prefixes:
                pytest.fail(f"{route} ({name}): add the row its pk names to pk_by_name")
            prefix = max(prefixes, key=len)
            kwargs["pk"] = pk_by_name(w)[prefix].pk
        else:
            kwargs[argument] = {
                "program": w.program.pk, "partnership": w.active.pk, "base": w.base.pk, "token": w.import_token,
                "kind": "teachers", "fmt": "xlsx", "indicator": "dual_qualified_ratio", "level": "school",
                "subject": w.school.pk, "year": security_world.Y, "code": w.P.code,
                "app_label": "programs", "model_name": "program",
            }[argument]
    return kwargs


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CSRF_FAILURE_VIEW = "tests.security.test_csrf.csrf_failure"
    w = security_world.build()
    # One failed login, so that the login-attempt models (when an app records them) have a row too.
    Client().post(reverse("login"), {"username": "alice", "password": "wrong"})
    # A real stored upload of one new teacher, so that confirming it without a token would write one.
    uploader = Client()
    uploader.force_login(w.alice)
    file = SimpleUploadedFile("t.csv", b"staff_no,name,employment\nT900,New Teacher,full_time\n",
                              content_type="text/csv")
    response = uploader.post(reverse("programs:import"), {"kind": "teachers", "file": file})
    assert response.status_code == 302, response.content[:2000]
    w.import_token = re.fullmatch(r"/teaching/import/([A-Za-z0-9_-]+)/", response.url).group(1)
    return w


def test_the_walk_finds_every_kind_of_route():
    names = {name for _route, name, _args in ROUTES}
    for expected in ("login", "logout", "password_change", "set_language", "admin:portal_school_change",
                     "programs:import-confirm", "partnerships:partnership-accept", "evaluation:run-start",
                     "evaluation:warning-acknowledge", "directory:school-detail", "home"):
        assert expected in names
    assert not any(route.startswith("api/") for route, _name, _args in ROUTES)
    assert len(ROUTES) > 250


def test_no_browser_view_is_csrf_exempt():
    resolver = get_resolver()
    exempt = []
    for route, name, arguments in ROUTES:
        if name and not arguments:
            match = resolver.resolve("/" + route)
            if getattr(match.func, "csrf_exempt", False):
                exempt.append(route)
    assert exempt == []


@pytest.mark.parametrize(("route", "name", "arguments"), ROUTES, ids=[route for route, _n, _a in ROUTES])
def test_a_post_without_a_csrf_token_is_refused_and_writes_nothing(world, route, name, arguments):
    if route in UNFILLABLE:
        pytest.skip(UNFILLABLE[route])
    kwargs = fill(world, route, name, arguments)
    if name:
        url = reverse(name, kwargs=kwargs)
    else:  # unnamed admin routes (the object redirect, the catch-all)
        url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)
    users = [world.pat] if route.startswith("admin/") else [world.alice, world.carol, world.dave, world.pat]
    before = security_world.row_counts()
    for user in users:
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        counted = security_world.row_counts()  # the login itself writes a session row
        response = client.post(url, {"title": "forged", "name": "forged", "note": "forged", "status": "closed",
                                     "verified": "on", "language": "zh-hans"})
        assert response.status_code == 403, (user.username, url, response.status_code)
        assert response.has_header(CSRF_MARKER), (user.username, url, "refused, but not by the CSRF check")
        assert security_world.row_counts() == counted, (user.username, url)
    assert before["programs.Teacher"] == security_world.row_counts()["programs.Teacher"]


def test_the_same_post_with_a_token_passes_the_check(world):
    """The control: with the CSRF cookie and token, the confirmation goes through and imports the teacher."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    client.get(reverse("programs:import-preview", args=[world.import_token]))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    teachers = apps.get_model("programs", "Teacher").objects.count()
    response = client.post(reverse("programs:import-confirm", args=[world.import_token]),
                           HTTP_X_CSRFTOKEN=token)
    assert not response.has_header(CSRF_MARKER)
    assert response.status_code == 302
    assert apps.get_model("programs", "Teacher").objects.count() == teachers + 1


# --- the API: session writes need the token, API tokens do not -------------------------------------


def session_api_client(user) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)  # a real session cookie, unlike force_authenticate
    return client


def api_writes(w):
    return [
        ("post", "/api/v1/programs/", w.alice, {"code": "460301", "name": "forged", "sector": w.sector.code}),
        ("patch", f"/api/v1/programs/{w.program.pk}/", w.alice, {"name": "forged"}),
        ("delete", f"/api/v1/courses/{w.course.pk}/", w.alice, None),
        ("patch", f"/api/v1/teachers/{w.teacher.pk}/", w.alice, {"name": "forged"}),
        ("post", f"/api/v1/partnerships/{w.partnership.pk}/accept/", w.carol, {}),
        ("patch", f"/api/v1/projects/{w.project.pk}/", w.carol, {"title": "forged"}),
        ("delete", f"/api/v1/talent-demands/{w.demand.pk}/", w.carol, None),
        ("post", f"/api/v1/warnings/{w.warning.pk}/acknowledge/", w.dave, {"note": "forged"}),
    ]


def test_session_authenticated_api_writes_without_the_token_are_refused(world):
    for method, url, user, body in api_writes(world):
        before = security_world.row_counts()
        client = session_api_client(user)
        counted = security_world.row_counts()
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, (method, url, response.status_code, response.content[:300])
        assert "CSRF" in response.json()["detail"], (method, url, response.json())
        assert security_world.row_counts() == counted, (method, url)
        assert before["programs.Program"] == counted["programs.Program"]


def test_the_api_routes_under_test_exist_and_pass_with_the_token(world):
    """The control: each write above gets past the CSRF check when the session sends its token."""
    for method, url, user, body in api_writes(world):
        client = session_api_client(user)
        client.get(reverse("password_change"))  # any page with a form sets the CSRF cookie
        token = client.cookies["csrftoken"].value
        response = getattr(client, method)(url, body, format="json", HTTP_X_CSRFTOKEN=token)
        assert response.status_code not in (403, 404, 405), (method, url, response.status_code,
                                                             response.content[:300])
