"""The dashboard (evaluation.dashboards): subjects and scoping, cards against stored values, charts,
the ranking table and its exports, starting and following an evaluation run, constant query counts.

The world: province P (the `region` persona fixture, reviewed by `reviewer`) with prefectures C1
and C2; school A (甲职业技术学院) in C1 and school B (乙职业技术学院) in C2, one program each in
sector S. Runs are real (evaluation.runs.run_now) over hand-built records:

- 2024, run first: A has one course of 30 theory + 10 practice hours (25 %), B one of 10 + 30
  (75 %); P pools 40 / 80 = 50 %; no program-year records (employment: no data).
- then A gets a second course of 0 + 40 hours, and 2025 runs: A 50 / 80 = 62.5 %, B 75 %,
  P 80 / 120 = 66.7 % (+16.7 points on 2024); employment 2025: A 40 / 50 = 80 % (below 85 %),
  B 50 / 50 = 100 %, P 90 / 100 = 90 %; talent demand in S in P 80 against 100 graduates.
"""
from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from evaluation import runs
from evaluation.choices import RunStatus
from evaluation.dashboards import histogram
from evaluation.models import EvaluationRun
from evaluation.tests.factories import EvaluationRunFactory
from evaluation.tests.world import partnership, program_year
from partnerships.tests.factories import ConsortiumFactory, ConsortiumMemberFactory, TalentDemandFactory
from portal.tests.factories import (
    CollegeAdminFactory,
    RegionFactory,
    ReviewerFactory,
    SchoolFactory,
    SectorFactory,
)
from programs.tests.factories import CourseFactory, ProgramFactory

URL = "/evaluation/dashboard/"
EXPORT = "/evaluation/dashboard/ranking.export"


@pytest.fixture
def world(region, school_a, school_b, enterprise):
    c1 = RegionFactory(prefecture=True, parent=region, name="一市", name_en="City One")
    c2 = RegionFactory(prefecture=True, parent=region, name="二市", name_en="City Two")
    school_a.region = c1
    school_a.save()
    school_b.region = c2
    school_b.save()
    sector = SectorFactory()
    enterprise.sector = sector
    enterprise.save()
    pa = ProgramFactory(school=school_a, sector=sector)
    pb = ProgramFactory(school=school_b, sector=sector)
    CourseFactory(program=pa, theory_hours=30, practice_hours=10)
    CourseFactory(program=pb, theory_hours=10, practice_hours=30)
    runs.run_now(2024)
    CourseFactory(program=pa, theory_hours=0, practice_hours=40)
    program_year(pa, graduates=50, employed=40, students=100)
    program_year(pb, graduates=50, employed=50, students=100)
    TalentDemandFactory(enterprise=enterprise, sector=sector, region=region, headcount=80, year=2025)
    partnership(school_a, enterprise)
    runs.run_now(2025)
    return {"P": region, "C1": c1, "C2": c2, "A": school_a, "B": school_b, "S": sector, "pA": pa, "pB": pb}


def card(response, key: str) -> dict:
    return next(c for c in response.context["cards"] if c["key"] == key)


def chart(response, chart_id: str) -> dict:
    return next(c for c in response.context["charts"] if c["id"] == chart_id)


def ranking_names(response) -> list[str]:
    return [row["fields"][0] for row in response.context["ranking"]["rows"]]


# --- subjects, cards and scoping ------------------------------------------------------------------


def test_reviewer_sees_their_region_for_the_latest_published_year(client, reviewer, world):
    client.force_login(reviewer)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["subject"].region == world["P"]
    assert response.context["year"] == 2025
    share = card(response, "practical_hours_share")
    assert share["value"] == "66.7 %"
    assert share["state"] == "meets"
    assert share["target"] == "≥ 50 %"
    assert share["previous"] == "50 %"
    assert share["change"]["text"] == "+16.7 pts"
    assert share["change"]["tone"] == "ok"
    assert share["below"] == 0
    employment = card(response, "employment_rate")
    assert employment["value"] == "90 %"
    assert employment["below"] == 1  # school A: 80 % < 85 %
    assert employment["change"] is None  # no value in 2024
    # Region-level indicators only (certified enterprises is one; enrolment change is program-level).
    keys = [c["key"] for c in response.context["cards"]]
    assert "certified_enterprises" in keys and "enrolment_change" not in keys
    assert b"How it is computed" in response.content


def test_an_earlier_year_reads_that_years_stored_values(client, reviewer, world):
    client.force_login(reviewer)
    response = client.get(URL, {"year": 2024})
    share = card(response, "practical_hours_share")
    assert (share["value"], share["below"], share["change"]) == ("50 %", 1, None)


def test_drill_down_into_a_sub_region_with_breadcrumbs(client, reviewer, world):
    client.force_login(reviewer)
    response = client.get(URL, {"region": world["C1"].code})
    assert response.status_code == 200
    assert card(response, "practical_hours_share")["value"] == "62.5 %"
    assert ranking_names(response) == [world["A"].name]
    crumbs = response.context["breadcrumbs"]
    assert [c["label"] for c in crumbs] == ["Test Province", "City One"]
    assert crumbs[0]["url"].startswith(URL) and f"region={world['P'].code}" in crumbs[0]["url"]
    assert crumbs[1]["url"] is None


def test_school_dashboard_for_a_reviewer_and_the_college(client, reviewer, college_admin_a, world):
    for user in (reviewer, college_admin_a):
        client.force_login(user)
        response = client.get(URL, {"school": world["A"].pk})
        assert response.status_code == 200
        assert response.context["subject"].school == world["A"]
        assert card(response, "practical_hours_share")["value"] == "62.5 %"
        assert card(response, "employment_rate")["state"] == "misses"
        assert ranking_names(response) == [world["pA"].name]  # the school's programs
    client.force_login(college_admin_a)
    assert client.get(URL).context["subject"].school == world["A"]  # their own school by default


def test_reviewer_of_another_province_gets_404_and_empty_exports(client, other_reviewer, world):
    client.force_login(other_reviewer)
    assert client.get(URL, {"region": world["P"].code}).status_code == 404
    assert client.get(URL, {"region": world["C1"].code}).status_code == 404
    assert client.get(URL, {"school": world["A"].pk}).status_code == 404
    assert client.get(EXPORT, {"region": world["P"].code, "format": "csv"}).status_code == 404
    own = client.get(URL)
    assert own.status_code == 200 and own.context["ranking"]["rows"] == []
    assert card(own, "practical_hours_share")["value"] == "—"
    for fmt in ("csv", "xlsx"):
        response = client.get(EXPORT, {"format": fmt})
        assert response.status_code == 200
        assert len(export_rows(response, fmt)) == 1  # the header row only


def test_reviewer_of_a_city_cannot_climb_to_the_province(client, world):
    city_reviewer = ReviewerFactory(region=world["C1"])
    client.force_login(city_reviewer)
    assert client.get(URL, {"region": world["P"].code}).status_code == 404
    assert client.get(URL, {"school": world["B"].pk}).status_code == 404
    response = client.get(URL)
    assert response.context["subject"].region == world["C1"]
    assert [c["label"] for c in response.context["breadcrumbs"]] == ["City One"]


def test_college_admin_gets_404_for_another_school_or_a_region(client, college_admin_a, world):
    client.force_login(college_admin_a)
    assert client.get(URL, {"school": world["B"].pk}).status_code == 404
    assert client.get(URL, {"region": world["P"].code}).status_code == 404
    assert client.get(EXPORT, {"school": world["B"].pk, "format": "csv"}).status_code == 404
    assert b"data-testid=\"run-start\"" not in client.get(URL).content


def test_liaison_without_a_consortium_sees_a_friendly_empty_state(client, liaison, world):
    client.force_login(liaison)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["empty"] is True
    assert b"data-testid=\"dashboard-empty\"" in response.content


def test_liaison_sees_their_consortium_and_nothing_else(client, liaison, world):
    consortium = ConsortiumFactory(region=world["P"])
    ConsortiumMemberFactory(consortium=consortium, enterprise=liaison.enterprise)
    ConsortiumMemberFactory(consortium=consortium, school=world["A"])
    other = ConsortiumFactory(region=world["P"])
    runs.run_now(2025)
    client.force_login(liaison)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["subject"].consortium == consortium
    # A's partnership with the enterprise is deep (joint R&D): 1 of 1.
    assert card(response, "deep_cooperation_share")["value"] == "100 %"
    assert client.get(URL, {"consortium": other.pk}).status_code == 404
    assert client.get(URL, {"school": world["A"].pk}).status_code == 404


def test_platform_admin_defaults_to_the_province_with_most_schools(client, platform_admin, world):
    SchoolFactory(region=RegionFactory())  # a province with one school
    client.force_login(platform_admin)
    response = client.get(URL)
    assert response.context["subject"].region == world["P"]
    assert world["P"] in response.context["provinces"]
    other = client.get(URL, {"school": world["B"].pk})
    assert other.status_code == 200


# --- charts ---------------------------------------------------------------------------------------


def test_charts_hold_the_stored_numbers(client, reviewer, world):
    client.force_login(reviewer)
    response = client.get(URL, {"indicator": "practical_hours_share"})
    distribution = chart(response, "distribution")
    counts = dict(zip(distribution["labels"], distribution["datasets"][0]["data"], strict=True))
    assert counts["60–70 %"] == 1 and counts["70–80 %"] == 1 and sum(counts.values()) == 2
    trend = chart(response, "trend")
    assert trend["labels"] == ["2024–2025", "2025–2026"]
    assert trend["datasets"][0]["data"] == [50.0, 66.7]
    assert trend["datasets"][1]["data"] == [50.0, 50.0]  # the stored target
    subregions = chart(response, "subregions")
    assert subregions["labels"] == ["City Two", "City One"]  # 75 % before 62.5 %
    assert subregions["datasets"][0]["data"] == [75.0, 62.5]
    supply = chart(response, "supply")
    assert supply["datasets"][0]["data"] == [100] and supply["datasets"][1]["data"] == [80]
    assert supply["rows"][0]["cells"] == ["100", "80", "125 %"]
    participation = chart(response, "participation")
    assert participation["axis_labels"] == ["C"] and participation["datasets"][0]["data"] == [1]
    # The same numbers go to the script (json_script) and to the fallback tables.
    assert b'id="dashboard-charts"' in response.content
    assert response.content.count(b"data-chart-table=") == 5
    assert response.content.count(b"<canvas data-chart=") == 5


def test_the_chart_indicator_is_chosen_by_the_query(client, reviewer, world):
    client.force_login(reviewer)
    response = client.get(URL, {"indicator": "employment_rate"})
    trend = chart(response, "trend")
    assert trend["datasets"][0]["data"] == [None, 90.0]  # 2024 has no data: a gap in the line
    assert [row["cells"][0] for row in trend["rows"]] == ["—", "90 %"]
    assert chart(response, "subregions")["datasets"][0]["data"] == [100.0, 80.0]
    assert client.get(URL, {"indicator": "nonsense"}).context["indicator"].key == "practical_hours_share"


def test_histogram_bins():
    from fractions import Fraction as F

    labels, counts = histogram("ratio", [F(0), F(1, 10), F(1, 2), F(1)])
    assert labels[0] == "0–10 %" and len(labels) == 10
    assert counts == [1, 1, 0, 0, 0, 1, 0, 0, 0, 1]
    labels, counts = histogram("ratio", [F(3, 2)])
    assert len(labels) == 15 and counts[-1] == 1
    labels, counts = histogram("score", [F(3), F(4), F(5)])
    assert sum(counts) == 3 and len(labels) == 10
    assert histogram("ratio", []) == ([], [])


# --- the ranking table and its exports ------------------------------------------------------------


class TableParser(HTMLParser):
    """The ranking table's rows as the reader sees them: the school's name, then every value cell."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.in_table = self.in_row = False
        self.cell: list[str] | None = None
        self.cell_kind = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("data-testid") == "ranking":
            self.in_table = True
        elif self.in_table and tag == "tr" and "data-row" in attrs:
            self.in_row = True
            self.rows.append([])
        elif self.in_row and tag in ("th", "td"):
            self.cell, self.cell_kind = [], tag
        elif self.cell is not None and tag == "br":
            self.cell.append("\n")

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_table = False
        elif tag == "tr":
            self.in_row = False
        elif self.cell is not None and tag in ("th", "td"):
            text = "".join(self.cell).strip()
            self.rows[-1].append(text.split("\n")[0].strip() if self.cell_kind == "th" else text)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def screen_rows(response) -> list[list[str]]:
    parser = TableParser()
    parser.feed(response.content.decode())
    return parser.rows


def export_rows(response, fmt: str) -> list[list]:
    if fmt == "csv":
        return [row for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))]
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def as_number(text: str) -> float | None:
    """A value cell as shown ("62.5 %", "¥1,200", "4.25", "—") as the number the export writes."""
    text = text.replace("%", "").replace("¥", "").replace(",", "").strip()
    return None if text in ("—", "") else float(text)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("query", [
    {},
    {"sort": "practical_hours_share", "dir": "desc"},
    {"sort": "employment_rate", "dir": "asc"},
    {"sort": "name", "dir": "desc"},
    {"search": "甲"},
    {"level": "secondary_vocational"},
])
def test_exports_equal_the_table_on_screen(client, reviewer, world, fmt, query):
    world["B"].level = "secondary_vocational"
    world["B"].save()
    client.force_login(reviewer)
    page = client.get(URL, query)
    shown = screen_rows(page)
    assert shown, "the table shows rows"
    exported = export_rows(client.get(EXPORT, {**query, "format": fmt}), fmt)
    header, body = exported[0], exported[1:]
    assert header[:4] == ["School", "School code", "Region", "Level"]
    assert len(body) == len(shown)
    for screen, row in zip(shown, body, strict=True):
        name, region, *cells = screen
        assert (row[0], row[2]) == (name, region)
        assert [as_number(c) for c in cells] == [None if v in ("", None) else float(v) for v in row[4:]]


def test_ranking_sorts_and_filters(client, reviewer, world):
    client.force_login(reviewer)
    a, b = world["A"].name, world["B"].name
    assert ranking_names(client.get(URL)) == [b, a]  # by name: 乙 (U+4E59) before 甲 (U+7532)
    assert ranking_names(client.get(URL, {"sort": "name", "dir": "desc"})) == [a, b]
    assert ranking_names(client.get(URL, {"sort": "practical_hours_share", "dir": "desc"})) == [b, a]
    assert ranking_names(client.get(URL, {"sort": "practical_hours_share", "dir": "asc"})) == [a, b]
    assert ranking_names(client.get(URL, {"subregion": world["C1"].code})) == [a]
    assert ranking_names(client.get(URL, {"search": world["B"].code})) == [b]
    assert ranking_names(client.get(URL, {"level": "secondary_vocational"})) == []
    # Value cells are coloured against their stored targets and link to the records behind them.
    response = client.get(URL, {"sort": "employment_rate", "dir": "asc"})
    row = response.context["ranking"]["rows"][0]
    employment = next(c for c in row["cells"] if c["key"] == "employment_rate")
    assert (employment["text"], employment["tone"]) == ("80 %", "warn")
    assert employment["url"] == reverse("evaluation:records",
                                        args=["employment_rate", "school", world["A"].pk, 2025])
    assert row["url"] == f"{URL}?year=2025&school={world['A'].pk}"


def test_ranking_is_paginated_by_25(client, reviewer, world):
    for _ in range(26):
        SchoolFactory(region=world["C2"])
    client.force_login(reviewer)
    first = client.get(URL)
    assert len(first.context["ranking"]["rows"]) == 25
    assert first.context["ranking"]["page"].paginator.count == 28
    assert len(client.get(URL, {"page": 2}).context["ranking"]["rows"]) == 3
    assert len(export_rows(client.get(EXPORT, {"format": "csv"}), "csv")) == 29  # every row, and the header


def test_export_escapes_formulas(client, reviewer, world):
    world["A"].name = "=HYPERLINK(\"http://evil\")"
    world["A"].save()
    client.force_login(reviewer)
    rows = export_rows(client.get(EXPORT, {"format": "csv", "search": "HYPERLINK"}), "csv")
    assert rows[1][0].startswith("'=")


# --- evaluation runs ------------------------------------------------------------------------------


def test_reviewer_starts_a_run_and_follows_it(client, reviewer, world, celery_eager,
                                              django_capture_on_commit_callbacks):
    celery_eager(True)
    client.force_login(reviewer)
    next_url = f"{URL}?year=2025&region={world['P'].code}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evaluation:run-start"), {"year": 2025, "next": next_url})
    run = EvaluationRun.objects.filter(year=2025).order_by("-pk").first()
    assert response.status_code == 302
    assert response["Location"] == f"{next_url}&run={run.pk}#run"
    assert run.status == RunStatus.SUCCEEDED and run.requested_by == reviewer  # in-process: done already
    page = client.get(response["Location"].split("#")[0])
    box = page.context["run_box"]
    assert box["follow"] and box["run"] == run
    assert b'data-run-bar' in page.content and b'value="100"' in page.content
    status = client.get(reverse("evaluation:run-status"), {"run": run.pk}).json()
    assert (status["status"], status["progress"], status["finished"]) == ("succeeded", 100, True)
    # Without the run in the URL the page just tells the last run.
    assert client.get(URL).context["run_box"]["follow"] is False


def test_an_active_run_is_shown_with_its_progress(client, college_admin_a, world):
    run = EvaluationRunFactory(year=2025, status=RunStatus.RUNNING, published=False, progress=40,
                               step="employment_rate · school")
    client.force_login(college_admin_a)
    page = client.get(URL)
    assert page.context["run_box"]["follow"] and page.context["run_box"]["run"] == run
    assert b'value="40"' in page.content
    status = client.get(reverse("evaluation:run-status"), {"year": 2025}).json()
    assert status == {"id": run.pk, "year": 2025, "status": "running", "label": "running", "progress": 40,
                      "step": "employment_rate · school", "finished": False}


def test_only_reviewers_and_platform_admins_start_runs(client, college_admin_a, liaison, world):
    for user in (college_admin_a, liaison):
        client.force_login(user)
        assert client.post(reverse("evaluation:run-start"), {"year": 2025}).status_code == 403
    assert EvaluationRun.objects.filter(year=2025, status__in=["queued", "running"]).count() == 0


def test_a_queue_failure_is_told_and_nothing_runs(client, reviewer, world, monkeypatch):
    def unavailable(year, *, by=None):
        raise runs.QueueUnavailable("connection refused")

    monkeypatch.setattr(runs, "request_run", unavailable)
    client.force_login(reviewer)
    response = client.post(reverse("evaluation:run-start"), {"year": 2025, "next": URL}, follow=True)
    assert response.status_code == 200
    assert "task queue cannot be reached" in " ".join(str(m) for m in response.context["messages"])


def test_a_bad_year_or_foreign_next_url_is_refused(client, reviewer, world):
    client.force_login(reviewer)
    response = client.post(reverse("evaluation:run-start"), {"year": "soon", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == URL
    assert client.get(reverse("evaluation:run-status"), {"run": 999999}).status_code == 404


# --- query counts ---------------------------------------------------------------------------------


def add_school(region, sector, n: int):
    school = SchoolFactory(region=region)
    program = ProgramFactory(school=school, sector=sector)
    CourseFactory(program=program, theory_hours=10, practice_hours=10 + n)
    program_year(program, graduates=10, employed=9, students=40)
    return school


def count_queries(client, url, params) -> int:
    client.get(url, params)  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_the_number_of_schools(client, reviewer, region):
    city = RegionFactory(prefecture=True, parent=region)
    sector = SectorFactory()
    schools = [add_school(city, sector, n) for n in range(2)]
    runs.run_now(2025)
    client.force_login(reviewer)
    school_params = {"school": schools[0].pk}
    small = [count_queries(client, URL, {}), count_queries(client, EXPORT, {"format": "csv"}),
             count_queries(client, URL, school_params), count_queries(client, URL, {"region": city.code})]
    for n in range(10):
        add_school(city, sector, n)
        ProgramFactory(school=schools[0], sector=sector)
    runs.run_now(2025)
    large = [count_queries(client, URL, {}), count_queries(client, EXPORT, {"format": "csv"}),
             count_queries(client, URL, school_params), count_queries(client, URL, {"region": city.code})]
    assert len(client.get(URL).context["ranking"]["rows"]) == 12
    assert small == large


def test_anonymous_users_are_sent_to_log_in(client, world):
    assert client.get(URL).status_code == 302
    assert client.post(reverse("evaluation:run-start"), {"year": 2025}).status_code == 302


def test_college_admin_sees_the_school_programs_export(client, world):
    admin = CollegeAdminFactory(school=world["B"])
    client.force_login(admin)
    rows = export_rows(client.get(EXPORT, {"format": "csv"}), "csv")
    assert rows[0][:2] == ["Program", "Program code"]
    assert [r[0] for r in rows[1:]] == [world["pB"].name]
