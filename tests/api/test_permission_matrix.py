"""The permission matrix of the REST API (tests/api/matrix.py) request by request, and the token
and account endpoints.

Every cell of the table is one test: resource × verb × world row (or creation) × persona. A refused
request must leave every table of the world exactly as it was; an allowed one must do what it says.
"""
from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.urls import Resolver404, resolve
from rest_framework.test import APIClient

from evaluation.models import FeedbackScore
from partnerships.models import Partnership
from portal.models import ApiToken, User
from portal.tests.factories import PASSWORD
from programs.models import Program, Teacher

from . import matrix

# --- helpers ------------------------------------------------------------------------------------


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table the matrix touches (and their dependants), to compare before/after."""
    result = {}
    with connection.cursor() as cursor:
        for table in _snapshot_tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            result[table] = cursor.fetchall()
    return result


def _snapshot_tables() -> list[str]:
    models = {apps.get_model(r.model) for r in matrix.RESOURCES}
    models |= {FeedbackScore, Partnership.programs.through, ApiToken}
    return sorted(m._meta.db_table for m in models)


def require_route(prefix: str) -> None:
    try:
        resolve(f"/api/v1/{prefix}/")
    except Resolver404:
        pytest.skip(f"/api/v1/{prefix}/ is not routed (yet)")


def detail_url(resource: matrix.Resource, world, row: str, action: str | None = None) -> str:
    key = getattr(world[row], resource.lookup)
    return f"/api/v1/{resource.prefix}/{key}/" + (f"{action}/" if action else "")


def list_ids(client: APIClient, url: str) -> set[int]:
    """The ids of every row a list shows, over all its pages."""
    ids: set[int] = set()
    url = f"{url}?page_size=500"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        ids |= {item["id"] for item in response.json()["results"]}
        url = response.json()["next"]
    return ids


def put_body(client: APIClient, pat, url: str, patch) -> dict:
    """A full representation of the row (as the platform admin reads it) with the patch applied."""
    client.force_authenticate(pat)
    response = client.get(url)
    assert response.status_code == 200, response.content
    body = {k: v for k, v in response.json().items() if v is not None}
    return {**body, **patch}


def contains(data: dict, patch) -> bool:
    return all(data.get(k) == v for k, v in patch.items())


# --- the matrix ---------------------------------------------------------------------------------

CELLS = list(matrix.cells())


@pytest.mark.parametrize("cell", CELLS, ids=[c.id for c in CELLS])
def test_each_persona_gets_the_answer_the_permission_table_promises(cell: matrix.Cell, world, personas, api,
                                                                   subtests):
    """One table row; each persona is a subtest, run in a savepoint rolled back afterwards so every
    persona meets the same world."""
    require_route(cell.resource.prefix)
    for persona in matrix.PERSONAS:
        with subtests.test(persona=persona):
            sid = transaction.savepoint()
            try:
                check_cell(cell, persona, world, personas, api)
            finally:
                transaction.savepoint_rollback(sid)


def check_cell(cell: matrix.Cell, persona: str, world, personas, client: APIClient) -> None:
    resource, verb, row = cell.resource, cell.verb, cell.row
    model = apps.get_model(resource.model)
    client.credentials()
    user = personas[persona]
    expected = cell.status(persona)

    if verb == "list":
        client.force_authenticate(user)
        if expected != 200:
            assert client.get(f"/api/v1/{resource.prefix}/").status_code == expected
            return
        seen = list_ids(client, f"/api/v1/{resource.prefix}/")
        world_ids = {world[k].pk: k for k in resource.rows}
        shown = {world_ids[pk] for pk in seen if pk in world_ids}
        assert shown == resource.sees(persona), f"{persona} sees {sorted(shown)}"
        return

    url = f"/api/v1/{resource.prefix}/" if verb == "create" else detail_url(
        resource, world, row, None if verb in matrix.VERBS else verb)
    body = None
    if verb == "create":
        body = cell.create.body(world)
    elif verb == "patch":
        body = dict(resource.patch)
    elif verb == "put":
        body = put_body(client, personas["pat"], url, resource.patch)
    before = snapshot()
    count_before = model._base_manager.count()

    client.force_authenticate(user)
    method = {"create": "post", "retrieve": "get", "patch": "patch", "put": "put", "delete": "delete"}.get(verb, "post")
    response = getattr(client, method)(url, body, format="json")

    assert response.status_code == expected, f"{method.upper()} {url} as {persona}: {response.content[:600]!r}"
    if expected >= 400 or verb == "retrieve":
        assert snapshot() == before, "a refused request (or a read) changed the database"
        if expected == 200:
            assert response.json()["id"] == world[row].pk
        return
    if verb == "create":
        assert model._base_manager.count() == count_before + 1
        assert model._base_manager.filter(pk=response.json()["id"]).exists()
    elif verb in ("patch", "put"):
        assert contains(response.json(), resource.patch), response.json()
        assert snapshot() != before
    elif verb == "delete":
        assert not model._base_manager.filter(pk=world[row].pk).exists()
    else:  # an action answers 200 with the changed object
        assert response.json()["id"] == world[row].pk
        assert snapshot() != before


def test_the_table_covers_every_resource_of_the_api_and_every_verb():
    from portal.urls import router

    routed = {prefix for prefix, _viewset, _basename in router.registry}
    # Definitions live in code: no rows. The audit trail has its own tests (tests/api/test_history.py).
    outside_this_table = {"indicators", "history"}
    assert routed - outside_this_table <= set(matrix.BY_PREFIX), routed - set(matrix.BY_PREFIX)
    for resource in matrix.RESOURCES:
        for persona in matrix.PERSONAS:
            assert persona in matrix.SIGNED_IN or persona == "anon"
        for create in resource.creates:
            assert set(create.expect) == set(matrix.SIGNED_IN), resource.prefix
        for key in [*resource.see, *resource.change]:
            assert key in matrix.SIGNED_IN, (resource.prefix, key)


# --- writes may not carry a row out of the caller's scope ---------------------------------------


@pytest.mark.parametrize(
    ("persona", "prefix", "row", "patch"),
    [
        ("alice", "programs", "prog_a", lambda w: {"school": w.school_b.pk}),
        ("alice", "teachers", "teacher_a", lambda w: {"school": w.school_b.pk}),
        ("alice", "contributions", "ct_a_school", lambda w: {"party": "enterprise"}),
        ("carol", "contributions", "ct_a_ent", lambda w: {"party": "school"}),
        ("carol", "projects", "proj_e_open", lambda w: {"enterprise": w.ent_f.pk}),
        ("carol", "talent-demands", "td_e", lambda w: {"enterprise": w.ent_f.pk}),
        ("dave", "consortia", "cons_r", lambda w: {"region": w.region_o.code}),
    ],
)
def test_an_edit_that_would_move_a_row_out_of_the_callers_scope_is_refused(persona, prefix, row, patch, world,
                                                                           personas, api):
    require_route(prefix)
    resource = matrix.BY_PREFIX[prefix]
    client = api
    client.force_authenticate(personas[persona])
    before = snapshot()
    response = client.patch(detail_url(resource, world, row), patch(world), format="json")
    assert response.status_code == 403, response.content
    assert snapshot() == before


def test_a_college_admin_cannot_name_a_program_of_another_school_in_a_partnership(world, personas, api):
    require_route("partnerships")
    client = api
    client.force_authenticate(personas["alice"])
    before = snapshot()
    response = client.post("/api/v1/partnerships/", {
        "school": world.school_a.pk, "enterprise": world.ent_e.pk, "title": "越权", "kinds": ["order_class"],
        "programs": [world.prog_b.pk], "start_date": "2025-09-01"}, format="json")
    assert response.status_code in (400, 403), response.content
    assert snapshot() == before


# --- tokens and accounts ------------------------------------------------------------------------


def test_a_read_only_token_reads_and_cannot_write(world, personas, api):
    _token, key = ApiToken.issue(user=personas["alice"], read_only=True)
    client = api
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/schools/").status_code == 200
    assert client.get("/api/v1/users/me/").json()["username"] == "alice"
    before = snapshot()
    response = client.patch(f"/api/v1/schools/{world.school_a.pk}/", {"name_en": "Read-only write"}, format="json")
    assert response.status_code == 403, response.content
    assert client.post("/api/v1/tokens/", {"name": "escalate"}, format="json").status_code == 403
    assert client.patch("/api/v1/users/me/", {"first_name": "A"}, format="json").status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("prefix", ["programs", "teachers"])
def test_a_read_only_token_cannot_create_in_the_teaching_records(prefix, world, personas, api):
    require_route(prefix)
    _token, key = ApiToken.issue(user=personas["alice"], read_only=True)
    client = api
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    create = matrix.BY_PREFIX[prefix].creates[0]
    assert client.get(f"/api/v1/{prefix}/").status_code == 200
    before = snapshot()
    assert client.post(f"/api/v1/{prefix}/", create.body(world), format="json").status_code == 403
    assert snapshot() == before


def test_a_read_write_token_writes(world, personas, api):
    _token, key = ApiToken.issue(user=personas["alice"])
    client = api
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.patch(f"/api/v1/schools/{world.school_a.pk}/", {"name_en": "Token write"}, format="json")
    assert response.status_code == 200, response.content
    world.school_a.refresh_from_db()
    assert world.school_a.name_en == "Token write"


def test_an_unknown_or_malformed_token_answers_401(world, api):
    client = api
    client.credentials(HTTP_AUTHORIZATION="Token not-a-key")
    assert client.get("/api/v1/schools/").status_code == 401


def test_good_credentials_get_a_token_that_authenticates_the_api(college_admin_a, api):
    client = api
    response = client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"token"}
    key = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = client.get("/api/v1/users/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "alice"


@pytest.mark.parametrize(
    "body",
    [
        {"username": "alice", "password": "wrong-password"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "alice"},
        {},
    ],
    ids=["wrong-password", "unknown-user", "no-password", "empty"],
)
def test_bad_credentials_get_400_and_no_token(body, college_admin_a, api):
    before = ApiToken.objects.count()
    response = api.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400, response.content
    assert "token" not in response.json()
    assert ApiToken.objects.count() == before


def test_an_inactive_account_gets_no_token(college_admin_a, api):
    college_admin_a.is_active = False
    college_admin_a.save()
    response = api.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("persona", matrix.SIGNED_IN)
def test_users_me_is_the_callers_own_account_for_everyone(persona, personas, api):
    client = api
    client.force_authenticate(personas[persona])
    response = client.get("/api/v1/users/me/")
    assert response.status_code == 200
    assert response.json()["username"] == personas[persona].username
    assert response.json()["role"] == personas[persona].role
    assert "password" not in response.json()


def test_users_me_answers_401_without_credentials(db, api):
    assert api.get("/api/v1/users/me/").status_code == 401


def test_users_me_changes_names_but_not_role_or_scope(personas, world, api):
    client = api
    client.force_authenticate(personas["alice"])
    response = client.patch("/api/v1/users/me/", {"first_name": "Alice", "role": "platform_admin",
                                                   "school": world.school_b.pk}, format="json")
    assert response.status_code == 200, response.content
    alice = User.objects.get(username="alice")
    assert (alice.first_name, alice.role, alice.school_id) == ("Alice", "college_admin", world.school_a.pk)


@pytest.mark.parametrize("persona", [p for p in matrix.SIGNED_IN if p != "pat"])
def test_the_users_list_is_for_platform_admins_only(persona, personas, api):
    client = api
    client.force_authenticate(personas[persona])
    assert client.get("/api/v1/users/").status_code == 403
    client.force_authenticate(personas["pat"])
    assert client.get("/api/v1/users/").status_code == 200


def test_a_platform_admin_provisions_a_college_admin_who_logs_in_for_a_token(world, personas, api):
    client = api
    client.force_authenticate(personas["pat"])
    response = client.post("/api/v1/users/", {
        "username": "amy", "password": "Ew7-long-Passphrase", "email": "amy@example.com",
        "role": "college_admin", "school": world.school_a.pk}, format="json")
    assert response.status_code == 201, response.content
    assert "password" not in response.json()
    amy = User.objects.get(username="amy")
    assert (amy.role, amy.school_id) == ("college_admin", world.school_a.pk)

    client.force_authenticate(None)
    token = client.post("/api/v1/auth/token/", {"username": "amy", "password": "Ew7-long-Passphrase"},
                           format="json")
    assert token.status_code == 200, token.content
    amys = client
    amys.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert amys.get("/api/v1/users/me/").json()["school"] == world.school_a.pk
    if resolve_or_none("/api/v1/teachers/"):
        shown = {t["id"] for t in amys.get("/api/v1/teachers/").json()["results"]}
        assert shown == {world.teacher_a.pk}


@pytest.mark.parametrize(
    "body",
    [
        {"username": "x1", "password": "Ew7-long-Passphrase", "role": "college_admin"},  # no school
        {"username": "x2", "password": "Ew7-long-Passphrase", "role": "college_admin", "enterprise": None,
         "school": None},
        {"username": "x3", "role": "college_admin", "school": "SCHOOL"},  # no password; school not an id
        {"username": "x4", "password": "123", "role": "gov_reviewer", "region": "990000"},  # weak password
        {"username": "x5", "password": "Ew7-long-Passphrase", "role": "wizard"},
    ],
)
def test_provisioning_refuses_an_account_without_its_scope_or_with_a_bad_password(body, world, personas, api):
    client = api
    client.force_authenticate(personas["pat"])
    before = User.objects.count()
    response = client.post("/api/v1/users/", body, format="json")
    assert response.status_code == 400, response.content
    assert User.objects.count() == before


def test_a_token_answers_for_its_owner_only(world, personas, api):
    client = api
    client.force_authenticate(personas["alice"])
    assert client.delete(f"/api/v1/tokens/{world.tok_carol.pk}/").status_code == 404
    assert ApiToken.objects.filter(pk=world.tok_carol.pk).exists()
    response = client.get("/api/v1/tokens/")
    assert {t["id"] for t in response.json()["results"]} == {world.tok_alice.pk}
    assert all("key" not in t or t["key"] in ("", None) for t in response.json()["results"])


def resolve_or_none(path: str):
    try:
        return resolve(path)
    except Resolver404:
        return None


def test_deleting_a_teacher_keeps_their_verified_placements_for_the_platform_admin_only(world, personas, api):
    require_route("teachers")
    client = api
    client.force_authenticate(personas["alice"])
    assert client.delete(f"/api/v1/teachers/{world.teacher_a.pk}/").status_code == 400
    assert Teacher.objects.filter(pk=world.teacher_a.pk).exists()
    client.force_authenticate(personas["pat"])
    assert client.delete(f"/api/v1/teachers/{world.teacher_a.pk}/").status_code == 204


def test_a_program_created_by_a_college_admin_belongs_to_their_school(world, personas, api):
    require_route("programs")
    client = api
    client.force_authenticate(personas["alice"])
    response = client.post("/api/v1/programs/", matrix.BY_PREFIX["programs"].creates[0].body(world), format="json")
    assert response.status_code == 201, response.content
    assert Program.objects.get(pk=response.json()["id"]).school_id == world.school_a.pk
