"""A developer opens the API documentation: every resource is there, nothing loads from outside."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESOURCES = ["regions", "schools", "enterprises", "programs", "courses", "program-years", "teachers",
             "teacher-placements", "partnerships", "contributions", "consortia", "projects", "project-adoptions",
             "talent-demands", "training-bases", "training-base-usage", "technical-services", "patents",
             "feedback", "users", "tokens"]


def _watch_outside(page, live_server) -> list[str]:
    # Requests that actually went out (Redoc's credit logo is attempted, then blocked by the page's CSP).
    outside: list[str] = []
    page.on("requestfinished", lambda request: outside.append(request.url)
            if not request.url.startswith((live_server.url, "data:", "blob:")) else None)
    return outside


def test_swagger_ui_lists_every_resource_and_loads_nothing_from_outside(page, live_server, screenshot):
    outside = _watch_outside(page, live_server)
    page.goto(live_server.url + "/api/docs/")
    page.wait_for_selector(".opblock-summary-path")
    paths: set[str] = set()
    for _ in range(80):  # Swagger UI renders the operations as they scroll into view
        paths |= set(page.eval_on_selector_all(".opblock-summary-path", "els => els.map(e => e.dataset.path)"))
        page.mouse.wheel(0, 1200)
        page.wait_for_timeout(60)
    for resource in RESOURCES:
        assert f"/api/v1/{resource}/" in paths, resource
    assert "/api/v1/partnerships/{id}/accept/" in paths
    assert outside == []
    screenshot("api-docs")


def test_redoc_documents_every_resource_and_loads_nothing_from_outside(page, live_server, screenshot):
    outside = _watch_outside(page, live_server)
    page.goto(live_server.url + "/api/redoc/")
    page.wait_for_selector("h1")
    page.wait_for_timeout(500)
    text = page.content()
    for resource in RESOURCES:
        assert f"/api/v1/{resource}/" in text, resource
    assert outside == []
    screenshot("api-redoc", full_page=False)  # the whole schema is many screens long
