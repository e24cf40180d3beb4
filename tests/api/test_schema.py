"""The OpenAPI schema and its documentation pages, and schema fuzzing with schemathesis.

The fuzz tests (marker `fuzz`) send schemathesis-generated requests for every operation of
/api/schema/ to the Django WSGI application in this process, signed in with a token of the platform
admin and of a college admin: no answer may be a 5xx, and every documented answer must match the
schema. `pytest -m "not fuzz"` leaves them out; CI runs them.
"""
from __future__ import annotations

import re
import time

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from portal.models import ApiToken

from . import matrix


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_the_schema_and_the_docs_answer_without_login(url, db, api):
    response = api.get(url)
    assert response.status_code == 200, response.content[:300]


def test_the_schema_documents_every_resource_and_token_authentication(db, api):
    response = api.get("/api/schema/?format=json")
    schema = response.json()
    paths = set(schema["paths"])
    from portal.urls import router

    for prefix, _viewset, _basename in router.registry:
        assert f"/api/v1/{prefix}/" in paths, prefix
    assert "/api/v1/auth/token/" in paths
    assert "/api/v1/users/me/" in paths
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("type") == "apiKey" and s.get("in") == "header" and s.get("name") == "Authorization"
               for s in schemes.values()), schemes


ASSET = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_docs_load_their_scripts_and_styles_from_the_portal_itself(url, db, api):
    html = api.get(url).content.decode()
    assets = ASSET.findall(html)
    assert assets, "no scripts or styles found"
    external = [a for a in assets if re.match(r"^(?:[a-z]+:)?//", a, re.IGNORECASE)]
    assert not external, f"{url} loads {external}"
    for asset in assets:
        if asset.startswith("/api/"):
            continue  # the schema itself
        assert asset.startswith("/static/"), asset
        path = asset.removeprefix("/static/").split("?")[0]
        assert finders.find(path), f"{asset} is not a static file of the portal"
    assert "drf_spectacular_sidecar" in html


# --- schema fuzzing -----------------------------------------------------------------------------
#
# schemathesis' own pytest integration (`schemathesis.pytest.from_fixture(...).parametrize()`) sets
# `Node._nodeid`, which pytest 9 no longer has; so the operations are read when this module is
# collected (one test per operation and persona) and each test drives Hypothesis itself with the
# operation's strategy. At collection the database is closed to tests and every request runs in a
# transaction (ATOMIC_REQUESTS), so the schema comes from the generator behind /api/schema/;
# `test_the_fuzzed_schema_is_the_one_served_at_api_schema` checks that they are the same.

FUZZ_CONFIG = {"generation": {"with-security-parameters": False}}
MAX_EXAMPLES = 5  # per operation, persona and generation mode (valid and invalid data)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _generated_schema() -> dict:
    """The schema /api/schema/ serves (same generator, public), as JSON-compatible data."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


def _load_schema():
    from portal.wsgi import application

    config = schemathesis.Config.from_dict(FUZZ_CONFIG)
    schema = schemathesis.openapi.from_dict(_generated_schema(), config=config)
    schema.app = application  # requests go to the WSGI application in this process
    return schema


SCHEMA = _load_schema()
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}


@pytest.fixture
def wsgi_app(world):
    """The portal's WSGI application, answering inside this test's transaction.

    Like Django's test client, keep the request signals from closing the test's database
    connection (it holds the uncommitted world)."""
    from portal.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


FUZZ_SECONDS: list[float] = []


@pytest.fixture(scope="module", autouse=True)
def _report_fuzz_time():
    yield
    if FUZZ_SECONDS:
        print(f"\nschema fuzzing: {len(FUZZ_SECONDS)} tests in {sum(FUZZ_SECONDS):.1f} s")


def test_the_fuzzed_schema_is_the_one_served_at_api_schema(db, api):
    served = api.get("/api/schema/?format=json").json()
    assert served == _generated_schema()


def test_every_resource_is_fuzzed():
    from portal.urls import router

    paths = {op.path for op in OPERATIONS.values()}
    for prefix, _viewset, _basename in router.registry:
        assert f"/api/v1/{prefix}/" in paths, prefix


def _world_row_parameters(operation, persona: str, world) -> dict | None:
    """Path parameters naming a world row of the operation's resource that the persona sees."""
    match = re.fullmatch(r"/api/v1/([^/]+)/\{(\w+)\}/(?:\w+/)?", operation.path)
    resource = matrix.BY_PREFIX.get(match.group(1)) if match else None
    if resource is None:
        return None
    visible = [key for key in resource.rows if key in resource.sees(persona)]
    return {match.group(2): getattr(world[visible[0]], resource.lookup)} if visible else None


@pytest.mark.fuzz
@pytest.mark.parametrize("persona", ["pat", "alice"])
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_fuzzing_finds_no_server_error_and_no_answer_off_the_schema(label, persona, personas, world, wsgi_app):
    """Valid and invalid requests, on random ids and (for detail operations) on a row of the world
    the persona sees, so that updates and actions get past the 404 into validation."""
    started = time.monotonic()
    operation = OPERATIONS[label]
    headers = {"Authorization": f"Token {ApiToken.issue(user=personas[persona], name='fuzz')[1]}"}
    row = _world_row_parameters(operation, persona, world)

    for path_parameters in [None, row] if row else [None]:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            cache.clear()  # no throttling from earlier examples

            @hypothesis.settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                                 suppress_health_check=list(hypothesis.HealthCheck),
                                 phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
            @hypothesis.given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
            def fuzz(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                fuzz()
            except hypothesis.errors.Unsatisfiable:
                # Nothing in this operation can be made invalid (e.g. only a free-text path parameter).
                assert mode is GenerationMode.NEGATIVE
    FUZZ_SECONDS.append(time.monotonic() - started)
