"""Stored XSS and formula injection: user text is escaped in every page that shows it and in exports.

The world of tests/security/world.py carries PAYLOAD in every free-text field (school, enterprise,
region and sector names, program, course and teacher names, partnership title and description,
contribution note, project title, summary and skills, talent demand position and skills, feedback
comment, warning note, training base, service and patent titles, consortium name). Each page is
read by a user who may see it: the payload must never come out as live markup, and the escaped
form must be there (proving the field is displayed and escaped, not dropped).
"""
from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.security import world as security_world

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(1)>"
LIVE = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORMULA = "=cmd|' /C calc'!A0"
Y = security_world.Y


@pytest.fixture
def world(db):
    return security_world.build(PAYLOAD)


def pages(w) -> list[tuple[str, str]]:
    """(persona, url) of every page that shows stored free text."""
    return [
        ("alice", "/"),
        ("alice", f"/teaching/programs/{w.program.pk}/"),
        ("alice", "/teaching/programs/"),
        ("alice", "/teaching/teachers/"),
        ("alice", f"/teaching/teachers/{w.teacher.pk}/"),
        ("alice", "/teaching/placements/"),
        ("alice", "/cooperation/partnerships/"),
        ("alice", f"/cooperation/partnerships/{w.partnership.pk}/"),
        ("alice", f"/cooperation/partnerships/{w.active.pk}/"),
        ("alice", "/cooperation/projects/"),
        ("alice", f"/cooperation/projects/{w.project.pk}/"),
        ("alice", "/cooperation/demands/"),
        ("alice", f"/cooperation/demands/{w.demand.pk}/"),
        ("alice", "/cooperation/training-bases/"),
        ("alice", f"/cooperation/training-bases/{w.base.pk}/"),
        ("alice", "/cooperation/technical-services/"),
        ("alice", "/cooperation/patents/"),
        ("alice", "/directory/schools/"),
        ("alice", f"/directory/schools/{w.school.pk}/"),
        ("alice", "/directory/enterprises/"),
        ("alice", f"/directory/enterprises/{w.enterprise.pk}/"),
        ("alice", "/directory/programs/"),
        ("alice", f"/directory/programs/{w.program.pk}/"),
        ("alice", "/directory/projects/"),
        ("alice", f"/directory/projects/{w.project.pk}/"),
        ("alice", "/directory/consortia/"),
        ("alice", f"/directory/consortia/{w.consortium.pk}/"),
        ("alice", "/evaluation/warnings/"),
        ("alice", "/evaluation/recommendations/"),
        ("alice", f"/evaluation/records/dual_qualified_ratio/school/{w.school.pk}/{Y}/"),
        ("alice", f"/evaluation/reports/schools/{w.school.pk}/{Y}/"),
        ("carol", "/"),
        ("carol", f"/cooperation/partnerships/{w.partnership.pk}/"),
        ("carol", f"/cooperation/projects/{w.project.pk}/"),
        ("dave", "/"),
        ("dave", "/evaluation/dashboard/"),
        ("dave", f"/evaluation/dashboard/?school={w.school.pk}"),
        ("dave", "/evaluation/warnings/"),
        ("dave", f"/evaluation/reports/regions/{w.P.code}/{Y}/"),
    ]


ADMIN_CHANGELISTS = [
    "portal/region", "portal/sector", "portal/school", "portal/enterprise", "portal/user",
    "programs/program", "programs/course", "programs/teacher", "programs/teacherplacement",
    "partnerships/consortium", "partnerships/consortiummember", "partnerships/partnership",
    "partnerships/contribution", "partnerships/enterpriseproject", "partnerships/projectadoption",
    "partnerships/talentdemand", "partnerships/trainingbase", "partnerships/trainingbaseusage",
    "partnerships/technicalservice", "partnerships/patent", "evaluation/feedback", "evaluation/feedbackscore",
    "evaluation/indicatorvalue", "evaluation/warning", "evaluation/programrecommendation",
    "evaluation/targetoverride",
]


def assert_escaped(html: str, where: str) -> None:
    for live in LIVE:
        assert live not in html, f"{where}: live payload {live!r}"
    assert ESCAPED in html, f"{where}: the escaped payload is missing (is the field still displayed?)"


def read(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_pages_escape_stored_payloads(world):
    for persona, url in pages(world):
        client = Client()
        client.force_login(getattr(world, persona))
        assert_escaped(read(client, url), f"{persona} {url}")


def test_detail_pages_escape_each_long_text_field(world):
    """The long texts that lists do not show: each one on its own detail page."""
    client = Client()
    client.force_login(world.alice)
    for url, text in [
        (f"/cooperation/partnerships/{world.partnership.pk}/", "description"),
        (f"/cooperation/partnerships/{world.active.pk}/", "note"),
        (f"/cooperation/projects/{world.project.pk}/", "summary"),
        (f"/cooperation/projects/{world.project.pk}/", "skills"),
        (f"/cooperation/demands/{world.demand.pk}/", "skills"),
        ("/evaluation/warnings/", "warning note"),
    ]:
        html = read(client, url)
        assert f"{ESCAPED}&lt;img src=x onerror=alert(1)&gt; {text}" in html, (url, text)
        assert f"{PAYLOAD} {text}" not in html


def test_admin_changelists_and_change_forms_escape_stored_payloads(world):
    client = Client()
    client.force_login(world.pat)
    for changelist in ADMIN_CHANGELISTS:
        assert_escaped(read(client, f"/admin/{changelist}/"), changelist)
    for url in (f"/admin/portal/school/{world.school.pk}/change/",
                f"/admin/partnerships/partnership/{world.partnership.pk}/change/",
                f"/admin/evaluation/feedback/{world.feedback.pk}/change/"):
        html = read(client, url)
        for live in LIVE:
            assert live not in html, url


# --- formula injection in exports -----------------------------------------------------------------


@pytest.fixture
def formula_world(db):
    return security_world.build(FORMULA)


def exported_cells(client: Client, url: str, fmt: str) -> list[str]:
    response = client.get(url, {"format": fmt})
    assert response.status_code == 200, (url, fmt, response.status_code)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    cells = []
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None:
                assert cell.data_type != "f", (url, cell.coordinate, cell.value)
                cells.append(str(cell.value))
    return cells


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("persona", "url"), [
    ("dave", "/evaluation/dashboard/ranking.export"),
    ("dave", "/evaluation/warnings/export/"),
    ("alice", "/evaluation/warnings/export/"),
    ("alice", "/evaluation/recommendations/export/"),
    ("alice", f"/evaluation/records/dual_qualified_ratio/school/{{school}}/{Y}/"),
])
def test_exports_escape_formula_cells(formula_world, persona, url, fmt):
    client = Client()
    client.force_login(getattr(formula_world, persona))
    cells = exported_cells(client, url.format(school=formula_world.school.pk), fmt)
    carrying = [cell for cell in cells if FORMULA in cell]
    assert carrying, f"{url}: no exported cell holds the stored text"
    for cell in carrying:
        assert cell.startswith("'" + FORMULA), (url, cell)
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))
                and not cell.lstrip("+-").replace(".", "", 1).isdigit()], url
