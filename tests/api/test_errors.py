"""Bad input is refused cleanly: 400 with the field named (never 500) and nothing written; unknown
and read-only fields are ignored, not applied; malformed JSON, oversized pages, missing credentials,
message language and throttling behave as DESIGN.md section 6 promises."""
from __future__ import annotations

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import override_settings
from django.urls import Resolver404, resolve
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from portal.models import Sector
from portal.tests.factories import PASSWORD
from programs.models import Program, TeacherPlacement

from . import matrix


def require_route(prefix: str) -> None:
    try:
        resolve(f"/api/v1/{prefix}/")
    except Resolver404:
        pytest.skip(f"/api/v1/{prefix}/ is not routed (yet)")


def count(prefix: str) -> int:
    return apps.get_model(matrix.BY_PREFIX[prefix].model)._base_manager.count()


# --- unknown and read-only fields: ignored, not applied -------------------------------------------


def test_an_unknown_field_in_a_body_is_ignored_and_not_applied(world, personas, api):
    require_route("programs")
    api.force_authenticate(personas["alice"])
    response = api.patch(f"/api/v1/programs/{world.prog_a.pk}/",
                         {"name": "改名", "bogus": "x", "is_superuser": True, "school_id": world.school_b.pk},
                         format="json")
    assert response.status_code == 200, response.content
    assert "bogus" not in response.json()
    program = Program.objects.get(pk=world.prog_a.pk)
    assert (program.name, program.school_id) == ("改名", world.school_a.pk)


def test_a_college_admin_cannot_verify_a_placement_by_writing_the_field(world, personas, api):
    require_route("teacher-placements")
    api.force_authenticate(personas["alice"])
    response = api.patch(f"/api/v1/teacher-placements/{world.pl_a_e.pk}/",
                         {"verified": True, "verified_by": personas["alice"].pk, "description": "实践"}, format="json")
    assert response.status_code == 200, response.content
    placement = TeacherPlacement.objects.get(pk=world.pl_a_e.pk)
    assert (placement.verified, placement.verified_by_id, placement.description) == (False, None, "实践")
    assert response.json()["verified"] is False


def test_a_new_partnership_is_proposed_whatever_status_the_body_names(world, personas, api):
    require_route("partnerships")
    api.force_authenticate(personas["alice"])
    body = {**matrix.BY_PREFIX["partnerships"].creates[0].body(world), "status": "active",
            "proposed_by": personas["pat"].pk, "responded_at": "2025-01-01T00:00:00Z"}
    response = api.post("/api/v1/partnerships/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "proposed"
    assert response.json()["responded_at"] is None
    assert response.json()["proposed_by"] in (None, personas["alice"].pk)


def test_a_liaison_cannot_change_its_enterprises_credit_code_or_certification(world, personas, api):
    api.force_authenticate(personas["carol"])
    response = api.patch(f"/api/v1/enterprises/{world.ent_e.pk}/", {"integration_certified": True}, format="json")
    assert response.status_code == 403
    world.ent_e.refresh_from_db()
    assert world.ent_e.integration_certified is False


# --- wrong types and broken rules: 400 naming the field ----------------------------------------------

def _with(prefix: str, **changes):
    """The matrix's first creation body of a resource with some values replaced."""
    def body(world):
        return {**matrix.BY_PREFIX[prefix].creates[0].body(world), **changes}
    return body


BAD_BODIES = [
    # (prefix, persona, body, the field the error names)
    ("programs", "alice", _with("programs", established_year="nineteen"), "established_year"),
    ("programs", "alice", _with("programs", established_year=1800), "established_year"),
    ("programs", "alice", _with("programs", code="12AB"), "code"),
    ("programs", "alice", _with("programs", sector="ZZ99"), "sector"),
    ("programs", "alice", _with("programs", school="school A"), "school"),
    ("programs", "alice", _with("programs", school=10**30), "school"),
    ("programs", "alice", _with("programs", name=None), "name"),
    ("programs", "alice", _with("programs", status="thriving"), "status"),
    ("courses", "alice", _with("courses", theory_hours=0, practice_hours=0), "practice_hours"),
    ("courses", "alice", _with("courses", theory_hours=-1), "theory_hours"),
    ("courses", "alice", _with("courses", professional="maybe"), "professional"),
    ("program-years", "alice", _with("program-years", employed=999), "employed"),
    ("program-years", "alice", _with("program-years", year="2025/26"), "year"),
    ("teachers", "alice", _with("teachers", annual_teaching_hours=-5), "annual_teaching_hours"),
    ("teachers", "alice", _with("teachers", employment="part_time_industry"), "employer"),
    ("teachers", "alice", _with("teachers", dual_qualified_since="last spring"), "dual_qualified_since"),
    ("teacher-placements", "alice", _with("teacher-placements", end_date="2025-06-01"), "end_date"),
    ("teacher-placements", "alice", _with("teacher-placements", activity="holiday"), "activity"),
    ("partnerships", "alice", _with("partnerships", kinds="order_class"), "kinds"),
    ("partnerships", "alice", _with("partnerships", kinds=[]), "kinds"),
    ("partnerships", "alice", _with("partnerships", kinds=["telepathy"]), "kinds"),
    ("partnerships", "alice", _with("partnerships", start_date="yesterday"), "start_date"),
    ("partnerships", "alice", _with("partnerships", end_date="2020-01-01"), "end_date"),
    ("partnerships", "alice", _with("partnerships", programs="1,2"), "programs"),
    ("partnerships", "alice", _with("partnerships", enterprise=[1]), "enterprise"),
    ("contributions", "alice", _with("contributions", value="a lot"), "value"),
    ("contributions", "alice", _with("contributions", value="-1.00"), "value"),
    ("contributions", "alice", _with("contributions", value="1e400"), "value"),
    ("contributions", "alice", _with("contributions", party="bank"), "party"),
    ("projects", "carol", _with("projects", capacity=-3), "capacity"),
    ("projects", "carol", _with("projects", start_date="2025-09-01", end_date="2025-01-01"), "end_date"),
    ("talent-demands", "carol", _with("talent-demands", headcount=0), "headcount"),
    ("talent-demands", "carol", _with("talent-demands", region="nowhere"), "region"),
    ("training-bases", "alice", _with("training-bases", equipment_value="10.00",
                                      enterprise_equipment_value="20.00"), "enterprise_equipment_value"),
    ("training-base-usage", "alice", _with("training-base-usage", internal_hours="many"), "internal_hours"),
    ("technical-services", "alice", _with("technical-services", amount={"cny": 5}), "amount"),
    ("patents", "alice", _with("patents", granted_on="2025-02-30"), "granted_on"),
    ("patents", "alice", _with("patents", granted_on="2025-02-01", transferred_on="2024-01-01"), "transferred_on"),
    ("consortia", "dave", _with("consortia", kind="club"), "kind"),
    ("consortium-members", "dave", _with("consortium-members", school=None), "school"),
    ("feedback", "carol", _with("feedback", scores=[{"dimension": "outcomes", "score": 9}]), "scores"),
    ("feedback", "carol", _with("feedback", scores="five"), "scores"),
    ("feedback", "carol", _with("feedback", scores=[]), "scores"),
    ("schools", "pat", _with("schools", code="123"), "code"),
    ("schools", "pat", _with("schools", level="kindergarten"), "level"),
    ("enterprises", "pat", _with("enterprises", credit_code="91110000987654321X"), "credit_code"),
    ("regions", "pat", _with("regions", code="98989"), "code"),
    ("users", "pat", _with("users", role="wizard"), "role"),
    ("users", "pat", _with("users", email="not-an-email"), "email"),
]


@pytest.mark.parametrize(("prefix", "persona", "body", "field"), BAD_BODIES,
                         ids=[f"{p}-{f}-{i}" for i, (p, _u, _b, f) in enumerate(BAD_BODIES)])
def test_a_bad_value_answers_400_naming_the_field_and_writes_nothing(prefix, persona, body, field, world, personas,
                                                                     api):
    require_route(prefix)
    api.force_authenticate(personas[persona])
    before = count(prefix)
    response = api.post(f"/api/v1/{prefix}/", body(world), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert all(isinstance(m, (str, dict, list)) for m in response.json()[field])
    assert count(prefix) == before


@pytest.mark.parametrize("prefix", [r.prefix for r in matrix.RESOURCES if "create" in r.verbs])
@pytest.mark.parametrize(
    "raw",
    ['{"name": ', "[1, 2, 3]", '"just a string"', "null", "\x00\xff", '{"a": NaN}'],
    ids=["truncated", "a-list", "a-string", "null", "binary", "nan"],
)
def test_a_body_that_is_not_a_json_object_answers_400(prefix, raw, personas, world, api):
    require_route(prefix)
    api.force_authenticate(personas["pat"])
    before = count(prefix)
    response = api.generic("POST", f"/api/v1/{prefix}/", raw.encode("latin-1"), content_type="application/json")
    assert response.status_code == 400, response.content
    assert count(prefix) == before


def test_malformed_json_says_so(personas, world, api):
    api.force_authenticate(personas["pat"])
    response = api.generic("POST", "/api/v1/regions/", b'{"code": "989898",', content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_an_unsupported_media_type_answers_415(personas, world, api):
    api.force_authenticate(personas["pat"])
    response = api.generic("POST", "/api/v1/regions/", b"code=1", content_type="text/csv")
    assert response.status_code == 415


HUGE = 10**20  # beyond any database integer


@pytest.mark.parametrize("prefix", [r.prefix for r in matrix.RESOURCES])
@pytest.mark.parametrize(
    "query",
    ["year=abc", "year=99999999999999999999", "ordering=-nonexistent", "search=%00%27%22", "status=nope",
     "region=999999999", "sector=!!", "school=abc", "program=-1", "page=0", "page=abc", "page_size=-5",
     "page_size=abc", "kind=%E2%98%83", "created_at__gte=never", "id=1;DROP", "active_in=abc",
     *(f"{name}={HUGE}" for name in ("year", "active_in", "school", "enterprise", "program", "partnership",
                                       "consortium", "course", "project", "base", "teacher", "licensee", "user")),
     ],
)
def test_odd_query_parameters_never_cause_a_server_error(prefix, query, personas, world, api):
    require_route(prefix)
    api.force_authenticate(personas["alice"] if prefix != "users" else personas["pat"])
    response = api.get(f"/api/v1/{prefix}/?{query}")
    assert response.status_code in (200, 400, 404), response.content[:300]


def test_an_unknown_id_answers_404_and_an_unknown_route_404(personas, world, api):
    api.force_authenticate(personas["pat"])
    assert api.get("/api/v1/programs/999999999/").status_code == 404
    assert api.get("/api/v1/programs/not-a-number/").status_code == 404
    assert api.get("/api/v1/no-such-resource/").status_code == 404


def test_a_method_a_resource_does_not_have_answers_405(personas, world, api):
    api.force_authenticate(personas["pat"])
    assert api.patch(f"/api/v1/tokens/{world.tok_alice.pk}/", {"name": "x"}, format="json").status_code == 405
    assert api.get(f"/api/v1/partnerships/{world.ps_ae_proposed.pk}/accept/").status_code == 405


# --- pages ---------------------------------------------------------------------------------------


def test_a_page_size_above_the_cap_is_capped_at_500(personas, api):
    Sector.objects.bulk_create(Sector(code=f"T{9000 + i}", name=f"批量{i}") for i in range(520))
    api.force_authenticate(personas["alice"])
    response = api.get("/api/v1/sectors/?page_size=100000")
    assert response.status_code == 200
    assert response.json()["count"] >= 520
    assert len(response.json()["results"]) == 500
    assert response.json()["next"]
    assert len(api.get("/api/v1/sectors/").json()["results"]) == 50  # the default


def test_lists_are_paginated_with_count_next_previous_results(personas, world, api):
    api.force_authenticate(personas["pat"])
    response = api.get("/api/v1/schools/?page_size=2")
    assert set(response.json()) == {"count", "next", "previous", "results"}
    assert response.json()["previous"] is None
    second = api.get(response.json()["next"])
    assert second.status_code == 200
    assert second.json()["previous"]


# --- credentials ---------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", [r.prefix for r in matrix.RESOURCES])
def test_without_credentials_every_resource_answers_401_with_a_reason(prefix, db, api):
    require_route(prefix)
    response = api.get(f"/api/v1/{prefix}/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == 'Token'


def test_a_wrong_token_answers_401_invalid_token(db, api):
    api.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    response = api.get("/api/v1/schools/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


# --- language -------------------------------------------------------------------------------------


def test_error_messages_are_english_by_default(personas, api):
    api.force_authenticate(personas["alice"])
    response = api.post("/api/v1/programs/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["name"] == ["This field is required."]


def test_error_messages_are_chinese_for_accept_language_zh_hans(personas, api):
    api.force_authenticate(personas["alice"])
    response = api.post("/api/v1/programs/", {}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.json()["name"] == ["该字段是必填项。"]
    assert response["Content-Language"] == "zh-hans"


def test_the_401_reason_is_chinese_for_accept_language_zh_hans(db, api):
    response = api.get("/api/v1/schools/", HTTP_ACCEPT_LANGUAGE="zh-Hans,zh;q=0.9")
    assert response.status_code == 401
    assert response.json()["detail"] == "身份认证信息未提供。"


def test_a_model_rule_is_explained_in_chinese_for_accept_language_zh_hans(world, personas, api):
    require_route("courses")
    api.force_authenticate(personas["alice"])
    body = {**matrix.BY_PREFIX["courses"].creates[0].body(world), "theory_hours": 0, "practice_hours": 0}
    english = api.post("/api/v1/courses/", body, format="json").json()["practice_hours"]
    chinese = api.post("/api/v1/courses/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["practice_hours"]
    assert english == ["A course has at least one hour of theory or practice."]
    assert chinese != english
    assert all("\u4e00" <= ch <= "\u9fff" for ch in chinese[0] if ch.isalpha())


# --- throttling -----------------------------------------------------------------------------------


@pytest.fixture
def small_rates(monkeypatch):
    """Throttle rates of 3 (anonymous), 5 (signed in) and 2 (password logins) a minute."""
    rates = {"anon": "3/min", "user": "5/min", "login": "2/min"}
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        api_settings.reload()
        # The throttles read their rates from a class attribute bound when DRF was imported.
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)
        cache.clear()
        yield rates
    api_settings.reload()
    cache.clear()


def _rest_framework() -> dict:
    from django.conf import settings

    return dict(settings.REST_FRAMEWORK)


def test_signed_in_callers_get_429_after_their_limit(small_rates, personas, api):
    api.force_authenticate(personas["alice"])
    statuses = [api.get("/api/v1/schools/").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    response = api.get("/api/v1/schools/")
    assert response.status_code == 429
    assert "throttled" in response.json()["detail"].lower()
    assert int(response["Retry-After"]) > 0
    api.force_authenticate(personas["bob"])  # counted per user
    assert api.get("/api/v1/schools/").status_code == 200


def test_anonymous_callers_get_429_after_their_limit(small_rates, db, api):
    statuses = [api.get("/api/schema/").status_code for _ in range(4)]
    assert statuses == [200] * 3 + [429]


def test_password_logins_are_throttled(small_rates, college_admin_a, api):
    wrong = {"username": "alice", "password": "guess"}
    statuses = [api.post("/api/v1/auth/token/", wrong, format="json").status_code for _ in range(2)]
    assert statuses == [400, 400]
    right = {"username": "alice", "password": PASSWORD}
    assert api.post("/api/v1/auth/token/", right, format="json").status_code == 429
