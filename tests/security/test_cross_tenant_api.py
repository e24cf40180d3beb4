"""Cross-tenant attacks on the REST API, over every resource the router registers.

The personas of tenant A (alice, carol, dave; tests/security/tenants.py) name rows of tenant B in
URLs, list filters and request bodies. Resources come from the router's registry, so a new resource
is attacked as soon as it is routed (and fails here until the world has a row of its model). What
DESIGN.md sections 2 and 6 promise, and these tests hold the API to:

- a row of B the persona may not see answers 404, exactly as an id that does not exist (no oracle),
  and its error says nothing of B; a public row of B (directory data) reads 200 and its writes 403;
- no filter or search widens a list beyond what the persona sees, and no private row of B shows;
- a body naming a row of B the persona cannot see answers 400 with the field named; naming a public
  row of B either is refused (400/403) or writes a row that still lies in the persona's own scope;
- nothing is written by a refused request (every table compared before and after).
"""
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import models, transaction
from rest_framework import serializers
from rest_framework.test import APIClient

from evaluation.models import EvaluationRun
from portal.models import ApiToken
from portal.scoping import CHANGE, restrict
from portal.urls import router

from . import tenants as t

RESOURCES = [(prefix, viewset) for prefix, viewset, _basename in router.registry]
PREFIXES = [prefix for prefix, _viewset in RESOURCES]
VIEWSETS = dict(RESOURCES)
ADMIN_ONLY = {"users"}  # every verb is for platform admins only: 403 before any row is looked up
NOT_ROWS = {"indicators": "indicator definitions live in code: no tenant owns them"}
MISSING_PK = 987654321


def model_of(prefix: str):
    queryset = getattr(VIEWSETS[prefix], "queryset", None)
    return None if queryset is None else queryset.model


def lookup(prefix: str, row) -> str:
    return str(getattr(row, VIEWSETS[prefix].lookup_field))


def detail(prefix: str, key: str, action: str = "") -> str:
    return f"/api/v1/{prefix}/{key}/" + (f"{action}/" if action else "")


def b_rows(tenants, prefix: str) -> list[tuple[str, object]]:
    if prefix in NOT_ROWS:
        pytest.skip(NOT_ROWS[prefix])
    rows = t.rows_of(tenants.b, model_of(prefix))
    assert rows, f"tests/security/tenants.py has no row of {model_of(prefix).__name__}: add one"
    return rows


@pytest.fixture
def tenants(db):
    cache.clear()  # throttle counts
    return t.build()


@pytest.fixture
def as_a(tenants):
    """`as_a("alice")`: an API client signed in as a persona of tenant A."""

    def client(persona: str) -> APIClient:
        api = APIClient()
        api.force_authenticate(getattr(tenants.a, persona))
        return api

    return client


def assert_says_nothing_of_b(response, tenants, where: str, *, public_named: bool = False) -> None:
    """No private text of B in the answer; unless the request itself named a public row of B (whose
    name an error may repeat), no mention of B at all."""
    body = response.content.decode()
    if not public_named:
        assert t.B_TEXT not in body, f"{where}: the answer names tenant B: {body[:300]}"
    for text in t.private_texts(tenants.b):
        assert text not in body, f"{where}: {text!r} leaked"


# --- rows named in the URL ------------------------------------------------------------------------


def expected_read(prefix: str, key: str) -> int:
    if prefix in ADMIN_ONLY:
        return 403
    return 200 if key in t.PUBLIC_KEYS else 404


@pytest.mark.parametrize("prefix", PREFIXES)
def test_reading_another_tenants_row_answers_404_unless_it_is_directory_data(prefix, tenants, as_a):
    if not hasattr(VIEWSETS[prefix], "retrieve"):
        pytest.skip(f"{prefix} has no detail view")
    for key, row in b_rows(tenants, prefix):
        for persona in t.ATTACKERS:
            api = as_a(persona)
            response = api.get(detail(prefix, lookup(prefix, row)))
            where = f"GET {prefix} {key} as {persona}"
            assert response.status_code == expected_read(prefix, key), (where, response.content[:300])
            if response.status_code == 404:
                missing = api.get(detail(prefix, "9" * 9 if VIEWSETS[prefix].lookup_field == "code" else MISSING_PK))
                assert (missing.status_code, missing.json()) == (404, response.json()), (
                    f"{where}: a hidden row answers otherwise than a missing one")
                assert_says_nothing_of_b(response, tenants, where)


WRITES = (("patch", "partial_update"), ("put", "update"), ("delete", "destroy"))
FORGED = {"name": "forged", "title": "forged", "note": "forged", "comment": "forged", "capacity": 1}


def expected_write(prefix: str, key: str, action: str) -> set[int]:
    if not hasattr(VIEWSETS[prefix], action):
        return {405, 403}  # no such method here (a permission may refuse first)
    if prefix in ADMIN_ONLY:
        return {403}
    return {403} if key in t.PUBLIC_KEYS else {404}


@pytest.mark.parametrize("prefix", PREFIXES)
def test_writing_another_tenants_row_is_refused_and_writes_nothing(prefix, tenants, as_a):
    if not any(hasattr(VIEWSETS[prefix], action) for _method, action in WRITES):
        pytest.skip(f"{prefix} has no detail route to write to")
    for key, row in b_rows(tenants, prefix):
        for persona in t.ATTACKERS:
            for method, action in WRITES:
                before = t.snapshot()
                response = getattr(as_a(persona), method)(detail(prefix, lookup(prefix, row)), FORGED, format="json")
                where = f"{method.upper()} {prefix} {key} as {persona}"
                assert response.status_code in expected_write(prefix, key, action), (where, response.content[:300])
                assert t.changed_tables(before, t.snapshot()) == [], where
                if response.status_code in (403, 404):
                    assert_says_nothing_of_b(response, tenants, where, public_named=key in t.PUBLIC_KEYS)
                if key not in t.PUBLIC_KEYS:
                    assert_no_oracle(as_a(persona), prefix, response, method, "", where)


def assert_no_oracle(api: APIClient, prefix: str, response, method: str, action: str, where: str) -> None:
    """A refusal about a hidden row of B is the very answer an id that does not exist gets."""
    key = "9" * 9 if VIEWSETS[prefix].lookup_field == "code" else MISSING_PK
    missing = getattr(api, method)(detail(prefix, key, action), {"note": "forged"}, format="json")
    assert (missing.status_code, missing.content) == (response.status_code, response.content), (
        f"{where}: a hidden row answers otherwise than a missing one")


@pytest.mark.parametrize("prefix", [p for p, v in RESOURCES if any(a.detail for a in v.get_extra_actions())])
def test_actions_on_another_tenants_rows_are_refused_and_write_nothing(prefix, tenants, as_a):
    """A hidden row answers 404 (or the 403 every id gets when the action is not the persona's role's
    at all), never anything that tells it from a missing one; a public row 403 or 404 (a read may
    answer 200)."""
    actions = [a for a in VIEWSETS[prefix].get_extra_actions() if a.detail]
    for key, row in b_rows(tenants, prefix):
        for persona in t.ATTACKERS:
            api = as_a(persona)
            for action in actions:
                for method in action.mapping:
                    before = t.snapshot()
                    url = detail(prefix, lookup(prefix, row), action.url_path)
                    response = getattr(api, method)(url, {"note": "forged"}, format="json")
                    where = f"{method.upper()} {url} ({key}) as {persona}"
                    # Directory data may be read through an action too (the history of a national record).
                    allowed = (200, 403, 404) if method == "get" and key in t.PUBLIC_KEYS else (403, 404)
                    assert response.status_code in allowed, (where, response.status_code, response.content[:300])
                    assert t.changed_tables(before, t.snapshot()) == [], where
                    assert_says_nothing_of_b(response, tenants, where, public_named=key in t.PUBLIC_KEYS)
                    if key not in t.PUBLIC_KEYS:
                        assert_no_oracle(api, prefix, response, method, action.url_path, where)


# --- rows named in list filters and searches ------------------------------------------------------

# Every filter of every list names either a row (and gets tenant B's) or a plain value. A new filter
# fails test_every_filter_is_classified until it is added to one of the two.
RELATION_FILTERS = {
    "school": lambda b: b.school.pk, "enterprise": lambda b: b.enterprise.pk, "program": lambda b: b.program.pk,
    "course": lambda b: b.course.pk, "partnership": lambda b: b.active.pk, "project": lambda b: b.draft.pk,
    "teacher": lambda b: b.teacher.pk, "base": lambda b: b.base.pk, "consortium": lambda b: b.consortium_p.pk,
    "region": lambda b: b.P.code, "parent": lambda b: b.P.code, "sector": lambda b: b.sector.code,
    "licensee": lambda b: b.enterprise.pk, "user": lambda b: b.alice.pk, "employer": lambda b: b.enterprise.pk,
    "co_developed_with": lambda b: b.enterprise.pk, "object_id": lambda b: b.teacher.pk,
    "actor": lambda b: b.alice.username,
}
VALUE_FILTERS = {
    "level", "ownership", "size", "integration_certified", "role", "is_active", "read_only", "established_year",
    "established_year__gte", "established_year__lte", "status", "professional", "co_developed", "employment",
    "dual_qualified", "dual_qualified_level", "active", "verified", "activity", "year", "year__gte", "year__lte",
    "kind", "party", "active_in", "co_built", "on_campus", "open_to_public", "transferred", "third_party",
    "indicator", "severity", "recommendation", "model", "action", "since", "until",
}
# Filters that only narrow together: the audit trail of one record is asked for by model and id.
COMBINED_FILTERS = {
    "history": lambda b: [{"model": "programs.teacher", "object_id": b.teacher.pk},
                          {"model": "partnerships.partnership", "object_id": b.active.pk},
                          {"model": "portal.school", "object_id": b.school.pk}],
}


def filters_of(prefix: str) -> list[str]:
    viewset = VIEWSETS[prefix]
    filterset = getattr(viewset, "filterset_class", None)
    if filterset is not None:
        return list(filterset.base_filters)
    return list(getattr(viewset, "filterset_fields", None) or [])


def test_every_filter_is_classified():
    unknown = {(prefix, name) for prefix in PREFIXES for name in filters_of(prefix)
               if name not in RELATION_FILTERS and name not in VALUE_FILTERS}
    assert unknown == set()


def listed_ids(api: APIClient, url: str, params: dict) -> tuple[int, set]:
    response = api.get(url, {**params, "page_size": 500})
    if response.status_code != 200:
        return response.status_code, set()
    body = response.json()
    assert body["next"] is None, "the world is small: one page holds it"
    return 200, {row.get("id", row.get("key")) for row in body["results"]}


@pytest.mark.parametrize("prefix", [p for p, v in RESOURCES if hasattr(v, "list") and p not in ADMIN_ONLY])
def test_no_filter_or_search_lists_rows_beyond_what_the_persona_sees(prefix, tenants, as_a):
    url = f"/api/v1/{prefix}/"
    model = model_of(prefix)
    private_b = {row.pk for key, row in t.rows_of(tenants.b, model) if key not in t.PUBLIC_KEYS} if model else set()
    attempts = [{name: RELATION_FILTERS[name](tenants.b)} for name in filters_of(prefix) if name in RELATION_FILTERS]
    attempts += COMBINED_FILTERS.get(prefix, lambda b: [])(tenants.b)
    attempts += [{"search": t.B_TEXT}, *({"search": text} for text in t.private_texts(tenants.b))]
    for persona in t.ATTACKERS:
        api = as_a(persona)
        status, visible = listed_ids(api, url, {})
        assert status in (200, 400, 403), (prefix, persona, status)  # 400/403: not listed without a narrower ask
        assert not visible & private_b, f"{persona} lists private rows of B in {prefix}"
        for params in attempts:
            filtered, shown = listed_ids(api, url, params)
            where = f"GET {url}?{params} as {persona}"
            assert filtered in (200, 400, 403, 404), (where, filtered)
            if status == 200:
                assert shown <= visible, f"{where}: rows beyond the unfiltered list: {shown - visible}"
            assert not shown & private_b, where


# --- rows named in request bodies -----------------------------------------------------------------


def create_bodies(a) -> dict[str, list[tuple[str, dict]]]:
    """For each resource a persona of tenant A may create rows of: (persona, a body it may post)."""
    return {
        "tokens": [("alice", {"name": "ci", "user": a.alice.pk})],
        "programs": [("alice", {"school": a.school.pk, "code": "560701", "name": "新专业", "sector": a.sector.code,
                                "established_year": 2024})],
        "courses": [("alice", {"program": a.program.pk, "code": "NEW-1", "name": "新课程", "theory_hours": 16,
                               "practice_hours": 48, "co_developed_with": a.enterprise.pk})],
        "program-years": [("alice", {"program": a.program.pk, "year": 2026, "enrolled": 60, "students": 160,
                                     "graduates": 50, "employed": 45, "employed_in_field": 40,
                                     "employed_by_partners": 10, "order_class_students": 20, "apprentices": 5})],
        "teachers": [("alice", {"school": a.school.pk, "name": "新老师", "staff_no": "NEW001",
                                "employment": "part_time_industry", "employer": a.enterprise.pk})],
        "teacher-placements": [("alice", {"teacher": a.teacher.pk, "enterprise": a.enterprise.pk,
                                          "start_date": "2025-07-01", "end_date": "2025-07-31",
                                          "activity": "training"})],
        "consortia": [("dave", {"name": "新联合体", "kind": "city_consortium", "region": a.P.code,
                                "sector": a.sector.code})],
        "consortium-members": [("dave", {"consortium": a.consortium_p.pk, "school": a.school.pk, "role": "member"})],
        "partnerships": [("alice", {"school": a.school.pk, "enterprise": a.enterprise.pk, "title": "新合作协议",
                                    "kinds": ["order_class"], "programs": [a.program.pk],
                                    "start_date": "2025-09-01"})],
        "contributions": [("alice", {"partnership": a.active.pk, "party": "school", "kind": "funds",
                                     "value": "20000.00", "date": "2025-03-01"}),
                          ("carol", {"partnership": a.active.pk, "party": "enterprise", "kind": "equipment",
                                     "value": "150000.00", "date": "2025-03-01"})],
        "projects": [("carol", {"enterprise": a.enterprise.pk, "title": "新项目", "sector": a.sector.code,
                                "capacity": 20, "status": "draft"})],
        "project-adoptions": [("alice", {"project": a.project.pk, "course": a.course.pk, "year": 2026,
                                         "students": 20})],
        "talent-demands": [("carol", {"enterprise": a.enterprise.pk, "position": "工业机器人运维",
                                      "sector": a.sector.code, "region": a.P.code, "headcount": 3, "year": 2026})],
        "training-bases": [("alice", {"name": "新实训基地", "school": a.school.pk}),
                           ("carol", {"name": "企业实训基地", "enterprise": a.enterprise.pk, "on_campus": False}),
                           ("dave", {"name": "联合体实训基地", "consortium": a.consortium_p.pk})],
        "training-base-usage": [("alice", {"base": a.base.pk, "year": 2026, "internal_hours": 100,
                                           "external_hours": 10})],
        "technical-services": [("alice", {"school": a.school.pk, "enterprise": a.enterprise.pk,
                                          "title": "设备诊断服务", "year": 2025, "amount": "1000.00"})],
        "patents": [("alice", {"school": a.school.pk, "number": "ZL209999999999.9", "title": "一种夹具",
                               "granted_on": "2025-01-01", "transferred_on": "2025-06-01",
                               "licensee": a.enterprise.pk})],
        "feedback": [("carol", {"enterprise": a.enterprise.pk, "program": a.program.pk, "year": 2026,
                                "comment": "好", "scores": [{"dimension": "professional_skills", "score": 5}]}),
                     ("carol", {"enterprise": a.enterprise.pk, "partnership": a.active.pk, "year": 2026,
                                "scores": [{"dimension": "communication", "score": 4}]})],
        "evaluation-runs": [("dave", {"year": 2026})],
    }


def admin_create_bodies(b) -> dict[str, dict]:
    """Resources only platform admins create, each with a valid body naming rows of tenant B."""
    from portal.tests.factories import credit_code

    return {
        "regions": {"code": "989898", "name": "新省", "level": "prefecture", "parent": b.P.code},
        "sectors": {"code": "T9901", "name": "新行业", "parent": b.sector.code},
        "schools": {"name": "新职业学院", "code": "8888888888", "level": "higher_vocational", "region": b.P.code,
                    "ownership": "public"},
        "enterprises": {"name": "新有限公司", "credit_code": credit_code(987654321, "110000"), "region": b.P.code,
                        "sector": b.sector.code, "size": "small"},
        "users": {"username": "mole", "password": "Ew7-long-Passphrase", "role": "college_admin",
                  "school": b.school.pk},
        "target-overrides": {"indicator": "employment_rate", "region": b.P.code, "target": 0.9},
    }


ADMIN_CREATES = {"regions", "sectors", "schools", "enterprises", "users", "target-overrides"}


def creatable(prefix: str) -> bool:
    return hasattr(VIEWSETS[prefix], "create")


def test_every_creatable_resource_has_a_body_or_is_for_platform_admins_only(tenants):
    bodies = create_bodies(tenants.a)
    assert {p for p in PREFIXES if creatable(p)} == set(bodies) | ADMIN_CREATES
    for prefix, body in admin_create_bodies(tenants.b).items():
        for persona in t.ATTACKERS:
            api = APIClient()
            api.force_authenticate(getattr(tenants.a, persona))
            before = t.snapshot()
            response = api.post(f"/api/v1/{prefix}/", body, format="json")
            assert response.status_code == 403, (prefix, persona, response.content[:300])
            assert t.changed_tables(before, t.snapshot()) == [], (prefix, persona)


def relation_fields(prefix: str) -> dict[str, tuple[type[models.Model], str | None, bool]]:
    """The serializer's writable fields naming rows: name -> (model, slug field or None for pk, many)."""
    serializer = VIEWSETS[prefix].serializer_class()
    found = {}
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        many = isinstance(field, serializers.ManyRelatedField)
        relation = field.child_relation if many else field
        if isinstance(relation, serializers.RelatedField):
            found[name] = (relation.queryset.model, getattr(relation, "slug_field", None), many)
    return found


def reference(row, slug: str | None, many: bool):
    value = getattr(row, slug) if slug else row.pk
    return [value] if many else value


def owned_by(row, user) -> bool:
    """Whether a row written by `user` lies in their own scope: an API token is their account's; a
    run, which computes every subject, is theirs to have asked for; anything else is within their
    change scope (portal.scoping)."""
    if isinstance(row, ApiToken):
        return row.user_id == user.pk
    if isinstance(row, EvaluationRun):
        return row.requested_by_id == user.pk
    return restrict(type(row)._default_manager.filter(pk=row.pk), user, CHANGE).exists()


def attempt(api: APIClient, method: str, url: str, body: dict, persona_user, model, where: str) -> None:
    """Send the write in a savepoint: refused → nothing written; accepted → the row written lies
    inside the persona's own change scope. Rolled back either way."""
    sid = transaction.savepoint()
    try:
        before = t.snapshot()
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code < 500, (where, response.content[:300])
        if response.status_code >= 400:
            assert t.changed_tables(before, t.snapshot()) == [], where
            return response
        row = model._default_manager.get(pk=response.json()["id"])
        assert owned_by(row, persona_user), f"{where}: answered {response.status_code} and wrote a row outside " \
                                            "the persona's scope"
        return response
    finally:
        transaction.savepoint_rollback(sid)


def substitutions(tenants, prefix: str):
    """(field, key of B's row, reference) for every relation field and every row of B it could name."""
    for name, (model, slug, many) in relation_fields(prefix).items():
        rows = t.rows_of(tenants.b, model)
        assert rows, f"tests/security/tenants.py has no row of {model.__name__} for {prefix}.{name}"
        for key, row in rows:
            yield name, key, reference(row, slug, many)


def check_refusal(response, name: str, key: str, where: str) -> None:
    if key in t.PUBLIC_KEYS:
        assert response.status_code in (200, 201, 202, 400, 403), where
        return
    # DESIGN.md section 2: a change naming an object the caller cannot see answers 400.
    assert response.status_code == 400, (where, response.content[:300])
    assert name in response.json(), (where, response.json())


@pytest.mark.parametrize("prefix", sorted(set(PREFIXES) - ADMIN_CREATES - set(NOT_ROWS)))
def test_a_creation_naming_another_tenants_rows_is_refused_or_stays_in_scope(prefix, tenants, as_a):
    if not creatable(prefix):
        pytest.skip(f"{prefix} takes no creations")
    model = model_of(prefix)
    for persona, body in create_bodies(tenants.a)[prefix]:
        api = as_a(persona)
        control = attempt(api, "post", f"/api/v1/{prefix}/", body, getattr(tenants.a, persona), model,
                          f"control {prefix} as {persona}")
        assert control.status_code in (201, 202), (prefix, persona, control.content[:300])
        for name, key, value in substitutions(tenants, prefix):
            where = f"POST {prefix} as {persona} with {name}= B's {key}"
            response = attempt(api, "post", f"/api/v1/{prefix}/", {**body, name: value},
                               getattr(tenants.a, persona), model, where)
            check_refusal(response, name, key, where)
            if response.status_code >= 400:
                assert_says_nothing_of_b(response, tenants, where, public_named=key in t.PUBLIC_KEYS)


# Tenant A's own row of each resource that its persona may change, for the same substitutions in edits.
OWN_ROWS = {
    "programs": ("alice", "program"), "courses": ("alice", "course"), "program-years": ("alice", "record"),
    "teachers": ("alice", "teacher"), "teacher-placements": ("alice", "placement"),
    "consortia": ("dave", "consortium_p"), "consortium-members": ("dave", "member_p"),
    "partnerships": ("alice", "partnership"), "contributions": ("carol", "contribution"),
    "projects": ("carol", "project"), "project-adoptions": ("alice", "adoption"), "talent-demands": ("carol", "demand"),
    "training-bases": ("alice", "base"), "training-base-usage": ("alice", "usage"),
    "technical-services": ("alice", "service"), "patents": ("alice", "patent"), "schools": ("alice", "school"),
    "enterprises": ("carol", "enterprise"),
}
# Rows only platform admins edit.
ADMIN_EDITS = {"regions", "sectors", "users", "target-overrides", "feedback"}


def test_every_editable_resource_has_an_own_row_or_is_edited_by_platform_admins_only():
    editable = {p for p in PREFIXES if hasattr(VIEWSETS[p], "partial_update")}
    assert editable <= set(OWN_ROWS) | ADMIN_EDITS, editable - set(OWN_ROWS) - ADMIN_EDITS


@pytest.mark.parametrize("prefix", sorted(OWN_ROWS))
def test_an_edit_naming_another_tenants_rows_is_refused_or_stays_in_scope(prefix, tenants, as_a):
    persona, key = OWN_ROWS[prefix]
    row = getattr(tenants.a, key)
    model, url = model_of(prefix), detail(prefix, lookup(prefix, row))
    api = as_a(persona)
    control = attempt(api, "patch", url, {}, getattr(tenants.a, persona), model, f"control {prefix}")
    assert control.status_code == 200, (prefix, control.content[:300])
    for name, b_key, value in substitutions(tenants, prefix):
        where = f"PATCH {url} as {persona} with {name}= B's {b_key}"
        response = attempt(api, "patch", url, {name: value}, getattr(tenants.a, persona), model, where)
        check_refusal(response, name, b_key, where)
        if response.status_code >= 400:
            assert_says_nothing_of_b(response, tenants, where, public_named=b_key in t.PUBLIC_KEYS)
