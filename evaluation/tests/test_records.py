"""Drill-down to the records behind a value (evaluation.records, evaluation.exports): totals that
reproduce the stored numerator and denominator of a real run, every indicator key, scoping of the
page and its exports, constant query counts, CSV / XLSX contents and formula injection.

The world (Y = 2025), by hand; region P = the personas' `region`, prefecture C inside it:

- school A (in P) with programs pA (current) and pX (closed), school B (in C) with program pB;
  sector S for all three;
- courses: pA c1 30 theory + 10 practice, professional, co-developed with E, an E project adopted
  in Y; pA c2 20 + 20, not professional; pX c9 (closed program: never counts); pB c3 10 + 30,
  professional;
- program years of Y: pA students 100, graduates 50, employed 40 (30 in field, 10 by partners),
  order 10 + apprentices 10, intake 40 (Y−1: intake 50); pB students 60, graduates 20, employed 18
  (9 in field, 3 by partners), order 6, intake 20; pX graduates 5, employed 5 (flow: counts at A);
- teachers of A: t1 full-time professional dual-qualified with verified placements 1–20 Oct and
  11–30 Oct 2025 (30 days once overlaps merge), t2 full-time professional named like a formula with
  an unverified 40-day placement, t3 part-time industry, t4 inactive dual (never counts), t5
  full-time not professional;
- partnerships: A–E active since 2020, joint R&D (deep), linked to pA; A–E2 active, internship
  base (shallow); A–E proposed (never counts); B–E ended 2024-06-30 (not active in Y);
- contributions on A–E in Y: enterprise 50 000, school 30 000; enterprise 10 000 in Y−1 and 7 000 on
  the proposed one (neither counts);
- technical services of A: 80 000 in Y, 20 000 in Y−1; patents of A: granted 2024 and transferred
  2025-10-01, granted 2023 never transferred, granted 2026-09-01 (after Y);
- training bases: A's (2 000 h capacity) used 1 200 + 300 h in Y; E's base in the consortium used
  100 + 0 of 500 h;
- consortium K (in C): members A, E, E2, E3 (E3 without partnership);
- feedback of Y: on pA's graduates scores 4 and 5; on A–E score 3; talent demand of Y in C for S: 30.

Expected (hand-computed): A's dual-qualified ratio 1/2, teacher practice 1/2, part-time 1/3; A's
practical share (10+20)/(40+40) = 30/80; A's co-developed share 1/1; A's employment (40+5)/(50+5)
= 45/55; pA enrolment change (40−50)/50; A's enterprise contribution 50 000, share 50 000/80 000;
A's patents 1/2; A's base use 1 500/2 000; consortium K active share 2/3; supply/demand (C, S)
20/30 and (P, S) (50+20+5)/30 = 75/30; A's satisfaction (4+5+3)/3 = 12/3; certified in P: 1 (E).
"""
from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from evaluation import exports, runs
from evaluation.exports import records_url_for
from evaluation.indicators.catalogue import REGISTRY
from evaluation.models import IndicatorValue
from evaluation.records import Subject, records_for
from evaluation.tests.factories import FeedbackFactory, FeedbackScoreFactory
from evaluation.tests.world import partnership, program_year
from partnerships.choices import ContributionParty, PartnershipKind, PartnershipStatus
from partnerships.tests.factories import (
    ConsortiumFactory,
    ConsortiumMemberFactory,
    ContributionFactory,
    EnterpriseProjectFactory,
    PatentFactory,
    ProjectAdoptionFactory,
    TalentDemandFactory,
    TechnicalServiceFactory,
    TrainingBaseFactory,
    TrainingBaseUsageFactory,
)
from portal.tests.factories import CollegeAdminFactory, EnterpriseFactory, RegionFactory, SchoolFactory, SectorFactory
from programs.choices import ProgramStatus
from programs.tests.factories import CourseFactory, ProgramFactory, TeacherFactory, TeacherPlacementFactory

Y = 2025
d = datetime.date
FORMULA_NAME = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def world(region):
    from types import SimpleNamespace

    o = SimpleNamespace(P=region)
    o.C = RegionFactory(prefecture=True, parent=region)
    o.S = SectorFactory()
    o.A = SchoolFactory(region=region, name="甲职业技术学院")
    o.B = SchoolFactory(region=o.C)
    o.E = EnterpriseFactory(region=o.C, sector=o.S, integration_certified=True, name="丙智能制造有限公司")
    o.E2 = EnterpriseFactory(region=o.C, sector=o.S)
    o.E3 = EnterpriseFactory(region=o.C, sector=o.S)
    o.pA = ProgramFactory(school=o.A, sector=o.S)
    o.pX = ProgramFactory(school=o.A, sector=o.S, status=ProgramStatus.CLOSED)
    o.pB = ProgramFactory(school=o.B, sector=o.S)

    o.c1 = CourseFactory(program=o.pA, code="C1", theory_hours=30, practice_hours=10, co_developed_with=o.E)
    o.c2 = CourseFactory(program=o.pA, code="C2", theory_hours=20, practice_hours=20, professional=False)
    CourseFactory(program=o.pX, code="C9", theory_hours=10, practice_hours=90)
    o.c3 = CourseFactory(program=o.pB, code="C3", theory_hours=10, practice_hours=30)
    ProjectAdoptionFactory(course=o.c1, year=Y, project=EnterpriseProjectFactory(enterprise=o.E, sector=o.S))

    program_year(o.pA, enrolled=40, students=100, graduates=50, employed=40, employed_in_field=30,
                 employed_by_partners=10, order_class_students=10, apprentices=10)
    program_year(o.pA, year=Y - 1, enrolled=50)
    program_year(o.pB, enrolled=20, students=60, graduates=20, employed=18, employed_in_field=9,
                 employed_by_partners=3, order_class_students=6)
    program_year(o.pX, graduates=5, employed=5)

    o.t1 = TeacherFactory(school=o.A, dual=True, name="张老师")
    TeacherPlacementFactory(teacher=o.t1, enterprise=o.E, start_date=d(2025, 10, 1), end_date=d(2025, 10, 20),
                            verified=True)
    TeacherPlacementFactory(teacher=o.t1, enterprise=o.E, start_date=d(2025, 10, 11), end_date=d(2025, 10, 30),
                            verified=True)
    o.t2 = TeacherFactory(school=o.A, name=FORMULA_NAME)
    TeacherPlacementFactory(teacher=o.t2, enterprise=o.E, start_date=d(2025, 11, 1), end_date=d(2025, 12, 10),
                            verified=False)
    TeacherFactory(school=o.A, part_time=True)
    TeacherFactory(school=o.A, dual=True, active=False)
    TeacherFactory(school=o.A, professional=False)

    o.pAE = partnership(o.A, o.E, programs=[o.pA], kinds=[PartnershipKind.JOINT_RND])
    partnership(o.A, o.E2, kinds=[PartnershipKind.INTERNSHIP_BASE])
    proposed = partnership(o.A, o.E, status=PartnershipStatus.PROPOSED, programs=[o.pA])
    partnership(o.B, o.E, status=PartnershipStatus.ENDED, end=d(2024, 6, 30), programs=[o.pB])
    ContributionFactory(partnership=o.pAE, party=ContributionParty.ENTERPRISE, value=Decimal(50000),
                        date=d(2025, 10, 1))
    ContributionFactory(partnership=o.pAE, party=ContributionParty.SCHOOL, value=Decimal(30000), date=d(2026, 3, 1))
    ContributionFactory(partnership=o.pAE, party=ContributionParty.ENTERPRISE, value=Decimal(10000),
                        date=d(2025, 8, 31))
    ContributionFactory(partnership=proposed, party=ContributionParty.ENTERPRISE, value=Decimal(7000),
                        date=d(2025, 10, 1))

    TechnicalServiceFactory(school=o.A, enterprise=o.E, year=Y, amount=Decimal(80000))
    TechnicalServiceFactory(school=o.A, enterprise=o.E, year=Y - 1, amount=Decimal(20000))
    PatentFactory(school=o.A, granted_on=d(2024, 5, 1), transferred_on=d(2025, 10, 1), licensee=o.E)
    PatentFactory(school=o.A, granted_on=d(2023, 5, 1))
    PatentFactory(school=o.A, granted_on=d(2026, 9, 1))

    TrainingBaseUsageFactory(base=TrainingBaseFactory(school=o.A, capacity_hours=2000), year=Y,
                             internal_hours=1200, external_hours=300)
    TrainingBaseUsageFactory(base=TrainingBaseFactory(enterprise=o.E, capacity_hours=500), year=Y,
                             internal_hours=100, external_hours=0)

    o.K = ConsortiumFactory(region=o.C)
    ConsortiumMemberFactory(consortium=o.K, school=o.A)
    for enterprise in (o.E, o.E2, o.E3):
        ConsortiumMemberFactory(consortium=o.K, enterprise=enterprise)

    graduates = FeedbackFactory(program=o.pA, enterprise=o.E, year=Y)
    FeedbackScoreFactory(feedback=graduates, score=4)
    FeedbackScoreFactory(feedback=graduates, score=5, dimension="teamwork")
    FeedbackScoreFactory(feedback=FeedbackFactory(partnership=o.pAE, program=None, year=Y), score=3,
                         dimension="communication")
    TalentDemandFactory(enterprise=o.E, sector=o.S, region=o.C, year=Y, headcount=30)

    o.run, _created = runs.run_now(Y)
    assert o.run.status == "succeeded"
    return o


def value(indicator: str, **subject) -> IndicatorValue:
    return IndicatorValue.objects.published().select_related("region", "sector").get(
        indicator=indicator, year=Y, **subject)


def url(row: IndicatorValue, **query) -> str:
    link = records_url_for(row)
    if query:
        link += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return link


def totals_of(row: IndicatorValue, user):
    return records_for(row.indicator, Subject.of(row), row.year, user).totals()


def as_decimal(n):
    return None if n is None else Decimal(str(n))


# --- totals reproduce the stored numbers ----------------------------------------------------------


HAND = [
    ("dual_qualified_ratio", "school", "A", (1, 2)),
    ("teacher_practice_rate", "school", "A", (1, 2)),
    ("part_time_teacher_ratio", "school", "A", (1, 3)),
    ("practical_hours_share", "school", "A", (30, 80)),
    ("codeveloped_course_share", "school", "A", (1, 1)),
    ("project_teaching_share", "program", "pA", (1, 1)),
    ("employment_rate", "school", "A", (45, 55)),
    ("employment_rate", "region", "P", (63, 75)),
    ("enrolment_change", "program", "pA", (-10, 50)),
    ("program_partnership_rate", "school", "A", (1, 1)),
    ("deep_cooperation_share", "school", "A", (1, 2)),
    ("deep_cooperation_share", "consortium", "K", (1, 2)),
    ("enterprise_contribution", "school", "A", (50000, None)),
    ("enterprise_contribution_share", "school", "A", (50000, 80000)),
    ("technical_service_revenue", "school", "A", (80000, None)),
    ("patent_conversion_rate", "school", "A", (1, 2)),
    ("training_base_utilisation", "school", "A", (1500, 2000)),
    ("training_base_utilisation", "consortium", "K", (1600, 2500)),
    ("social_training_share", "school", "A", (300, 1500)),
    ("enterprise_satisfaction", "school", "A", (12, 3)),
    ("consortium_active_share", "consortium", "K", (2, 3)),
    ("supply_demand_ratio", "region_sector", ("C", "S"), (20, 30)),
    ("supply_demand_ratio", "region_sector", ("P", "S"), (75, 30)),
    ("certified_enterprises", "region", "P", (1, None)),
]


def subject_filter(o, level, name) -> dict:
    if level == "region_sector":
        return {"level": level, "region": getattr(o, name[0]), "sector": getattr(o, name[1])}
    return {"level": level, level: getattr(o, name)}


@pytest.mark.django_db
@pytest.mark.parametrize(("indicator", "level", "name", "expected"), HAND, ids=[f"{h[0]}-{h[1]}" for h in HAND])
def test_hand_computed_totals_equal_the_stored_ones(world, platform_admin, indicator, level, name, expected):
    """Hand-computed numerator and denominator = the run's stored ones = the records' totals."""
    row = value(indicator, **subject_filter(world, level, name))
    num, den = expected
    assert (row.numerator, row.denominator) == (as_decimal(num), as_decimal(den))
    assert tuple(as_decimal(n) for n in totals_of(row, platform_admin)) == (as_decimal(num), as_decimal(den))


@pytest.mark.django_db
def test_every_published_value_is_reproduced_by_its_records(world, platform_admin):
    """All 23 keys at every level and subject of the run: the records add up to the stored numbers."""
    rows = list(IndicatorValue.objects.published().filter(year=Y))
    assert {r.indicator for r in rows} == set(REGISTRY)
    mismatches = [
        (r.indicator, r.level, r.program_id, r.school_id, r.consortium_id, r.region_id, r.sector_id,
         (r.numerator, r.denominator), totals_of(r, platform_admin))
        for r in rows
        if tuple(as_decimal(n) for n in totals_of(r, platform_admin)) != (r.numerator, r.denominator)
    ]
    assert mismatches == []


@pytest.mark.django_db
def test_teacher_practice_days_are_clipped_and_merged(world, platform_admin):
    row = value("teacher_practice_rate", level="school", school=world.A)
    records = records_for(row.indicator, Subject.of(row), Y, platform_admin)
    rows = {r.pk: r for r in records.rows(records.queryset)}
    assert set(rows) == {world.t1.pk, world.t2.pk}
    assert (rows[world.t1.pk].practice_days, rows[world.t1.pk].placement_count, rows[world.t1.pk].rec_num) == (30, 2, 1)
    assert (rows[world.t2.pk].practice_days, rows[world.t2.pk].rec_num) == (0, 0)  # not verified


# --- the page -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("indicator", list(REGISTRY))
def test_every_indicator_has_a_records_page_with_a_table(world, client, platform_admin, indicator):
    client.force_login(platform_admin)
    rows = IndicatorValue.objects.published().filter(year=Y, indicator=indicator).select_related("region", "sector")
    levels = {}  # per level, the subject with the most behind it (every one has records in this world)
    for row in rows.order_by("level", "id"):
        weight = abs(row.numerator or 0) + abs(row.denominator or 0)
        if row.level not in levels or weight > levels[row.level][0]:
            levels[row.level] = (weight, row)
    levels = {level: row for level, (_weight, row) in levels.items()}
    assert levels
    for row in levels.values():
        response = client.get(url(row))
        assert response.status_code == 200, (indicator, row.level)
        assert b'data-testid="records-table"' in response.content, (indicator, row.level)
        assert response.context["totals_match"], (indicator, row.level)
        exported = client.get(url(row, format="csv"))
        assert exported.status_code == 200
        assert exported["Content-Type"].startswith("text/csv")


@pytest.mark.django_db
def test_page_shows_stored_and_recomputed_numbers_and_links_up(world, client, reviewer):
    client.force_login(reviewer)
    row = value("dual_qualified_ratio", level="school", school=world.A)
    response = client.get(url(row))
    assert response.status_code == 200
    context = response.context
    assert context["stored"] == {"num": "1", "den": "2"}
    assert context["recomputed"] == {"num": "1", "den": "2"}
    assert context["totals_match"]
    assert context["display_value"] == "50 %"
    assert context["target"] == "≥ 50 %"
    content = response.content.decode()
    assert str(REGISTRY["dual_qualified_ratio"].formula) in content
    assert "张老师" in content
    assert 'data-testid="export-csv"' in content and 'data-testid="export-xlsx"' in content
    # Up to the school: its dashboard when that page exists, else its directory page.
    school_link = exports.optional_url("evaluation:dashboard", query=f"school={world.A.pk}") or reverse(
        "directory:school-detail", args=[world.A.pk])
    assert context["up_links"][0] == {"label": world.A.name, "url": school_link}
    # One row per active full-time professional teacher, and whether each counts in the numerator.
    rows = context["rows"]
    assert len(rows) == 2
    assert [cell["text"] for cell in rows[0][-2:]] in (["yes", "yes"], ["no", "yes"])


@pytest.mark.django_db
def test_program_page_links_to_the_program_and_its_school(world, client, college_admin_a):
    college_admin_a.school = world.A
    college_admin_a.save()
    client.force_login(college_admin_a)
    row = value("practical_hours_share", level="program", program=world.pA)
    response = client.get(url(row))
    assert response.status_code == 200
    links = [link["url"] for link in response.context["up_links"]]
    assert reverse("programs:program-detail", args=[world.pA.pk]) in links
    assert response.context["recomputed"] == {"num": "30", "den": "80"}


@pytest.mark.django_db
def test_pagination_keeps_totals_over_every_record(world, client, platform_admin, monkeypatch):
    monkeypatch.setattr(exports, "PAGE_SIZE", 1)
    client.force_login(platform_admin)
    row = value("practical_hours_share", level="school", school=world.A)
    response = client.get(url(row, page=2))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 1
    assert response.context["paginator"].count == 2
    assert response.context["recomputed"] == {"num": "30", "den": "80"}


@pytest.mark.django_db
def test_unknown_indicator_level_subject_or_format_is_404(world, client, platform_admin):
    client.force_login(platform_admin)
    row = value("dual_qualified_ratio", level="school", school=world.A)
    assert client.get(reverse("evaluation:records", args=["nope", "school", world.A.pk, Y])).status_code == 404
    assert client.get(reverse("evaluation:records", args=["dual_qualified_ratio", "program", world.pA.pk, Y])
                      ).status_code == 404
    assert client.get(reverse("evaluation:records", args=["dual_qualified_ratio", "school", "abc", Y])
                      ).status_code == 404
    assert client.get(reverse("evaluation:records", args=["dual_qualified_ratio", "school", world.A.pk, Y - 5])
                      ).status_code == 404
    assert client.get(url(row, format="pdf")).status_code == 404
    assert client.get(f"/evaluation/records/dual_qualified_ratio/school/{world.A.pk}%2F1/{Y}/").status_code == 404


@pytest.mark.django_db
def test_region_and_region_sector_subjects_are_written_by_code(world, client, reviewer):
    client.force_login(reviewer)
    row = value("supply_demand_ratio", level="region_sector", region=world.C, sector=world.S)
    link = url(row)
    assert link == f"/evaluation/records/supply_demand_ratio/region_sector/{world.C.code}:{world.S.code}/{Y}/"
    response = client.get(link)
    assert response.status_code == 200
    assert response.context["recomputed"] == {"num": "20", "den": "30"}
    texts = [[cell["text"] for cell in r] for r in response.context["rows"]]
    assert len(texts) == 2  # pB's graduates and E's demand
    region_row = value("certified_enterprises", level="region", region=world.P)
    assert url(region_row) == f"/evaluation/records/certified_enterprises/region/{world.P.code}/{Y}/"
    response = client.get(url(region_row))
    assert response.status_code == 200
    assert "丙智能制造有限公司" in response.content.decode()


# --- scoping --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reviewer_of_another_province_gets_404_for_page_and_exports(world, client, other_reviewer):
    client.force_login(other_reviewer)
    for row in (
        value("dual_qualified_ratio", level="school", school=world.A),
        value("employment_rate", level="region", region=world.P),
        value("practical_hours_share", level="program", program=world.pA),
        value("supply_demand_ratio", level="region_sector", region=world.C, sector=world.S),
        value("consortium_active_share", level="consortium", consortium=world.K),
    ):
        assert client.get(url(row)).status_code == 404
        for fmt in ("csv", "xlsx"):
            response = client.get(url(row, format=fmt))
            assert response.status_code == 404
            assert FORMULA_NAME.encode() not in response.content and "张老师".encode() not in response.content


@pytest.mark.django_db
def test_college_admin_sees_only_their_school_and_its_programs(world, client):
    admin = CollegeAdminFactory(school=world.A)
    other = CollegeAdminFactory(school=world.B)
    client.force_login(admin)
    assert client.get(url(value("dual_qualified_ratio", level="school", school=world.A))).status_code == 200
    assert client.get(url(value("employment_rate", level="program", program=world.pA))).status_code == 200
    assert client.get(url(value("employment_rate", level="school", school=world.B))).status_code == 404
    assert client.get(url(value("employment_rate", level="program", program=world.pB))).status_code == 404
    assert client.get(url(value("employment_rate", level="region", region=world.P))).status_code == 404
    assert client.get(url(value("deep_cooperation_share", level="consortium", consortium=world.K))).status_code == 404
    client.force_login(other)
    response = client.get(url(value("dual_qualified_ratio", level="school", school=world.A), format="csv"))
    assert response.status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(world, client):
    response = client.get(url(value("dual_qualified_ratio", level="school", school=world.A), format="csv"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_records_pass_through_their_own_scoping(world, client):
    """A liaison of a consortium member sees the consortium's value, but among its partnerships only
    those of their own enterprise: the totals over the visible rows then differ from the stored ones,
    and the page says so instead of showing other enterprises' partnerships."""
    from portal.tests.factories import LiaisonFactory

    liaison = LiaisonFactory(enterprise=world.E2)
    client.force_login(liaison)
    row = value("deep_cooperation_share", level="consortium", consortium=world.K)
    response = client.get(url(row))
    assert response.status_code == 200
    assert response.context["recomputed"] == {"num": "0", "den": "1"}
    assert response.context["stored"] == {"num": "1", "den": "2"}
    assert not response.context["totals_match"]
    assert b'data-testid="totals-differ"' in response.content


# --- query counts ---------------------------------------------------------------------------------


def count_queries(client, link) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(link)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("indicator", ["dual_qualified_ratio", "teacher_practice_rate", "practical_hours_share",
                                       "project_teaching_share"])
def test_query_count_does_not_grow_with_the_records(world, client, reviewer, indicator):
    client.force_login(reviewer)
    row = value(indicator, level="school", school=world.A)
    links = [url(row), url(row, format="csv"), url(row, format="xlsx")]
    before = [count_queries(client, link) for link in links]
    for n in range(10):
        teacher = TeacherFactory(school=world.A, dual=n % 2 == 0)
        TeacherPlacementFactory(teacher=teacher, start_date=d(2025, 10, 1), end_date=d(2025, 11, 15), verified=True)
        CourseFactory(program=world.pA, code=f"X{n}", theory_hours=10, practice_hours=10,
                      co_developed_with=world.E)
    after = [count_queries(client, link) for link in links]
    assert after == before


# --- exports --------------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    body = response.content
    assert body.startswith("\ufeff".encode())  # UTF-8 BOM: Excel shows Chinese text
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_csv_and_xlsx_hold_exactly_the_tables_rows(world, client, reviewer, monkeypatch):
    """Every page of the table, the same columns, the same cells; headings as on the page."""
    monkeypatch.setattr(exports, "PAGE_SIZE", 1)
    client.force_login(reviewer)
    row = value("part_time_teacher_ratio", level="school", school=world.A)
    page = client.get(url(row))
    assert page.context["paginator"].num_pages == 4  # t1, t2, t3 (part-time), t5
    on_screen = []
    for number in (1, 2, 3, 4):
        on_screen += [[cell["text"] for cell in r] for r in client.get(url(row, page=number)).context["rows"]]
    headings = [h["label"] for h in page.context["headings"]] + [
        f"{p['role']}: {p['what']}" for p in page.context["parts"]]

    exported = csv_rows(client.get(url(row, format="csv")))
    assert exported[0] == headings
    unescaped = [[cell[1:] if cell.startswith("'=") else cell or "—" for cell in r] for r in exported[1:]]
    assert unescaped == on_screen

    response = client.get(url(row, format="xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [["—" if c is None else str(c) for c in r] for r in sheet.iter_rows(values_only=True)]
    assert cells[0] == headings
    assert [[c[1:] if c.startswith("'=") else c for c in r] for r in cells[1:]] == on_screen


@pytest.mark.django_db
def test_exports_escape_formula_injection(world, client, reviewer):
    client.force_login(reviewer)
    row = value("dual_qualified_ratio", level="school", school=world.A)
    names = [r[0] for r in csv_rows(client.get(url(row, format="csv")))[1:]]
    assert "'" + FORMULA_NAME in names
    assert FORMULA_NAME not in names
    assert "张老师" in names

    sheet = load_workbook(io.BytesIO(client.get(url(row, format="xlsx")).content)).worksheets[0]
    name_cells = [r[0] for r in sheet.iter_rows(min_row=2)]
    injected = next(c for c in name_cells if "HYPERLINK" in str(c.value))
    assert injected.value == "'" + FORMULA_NAME
    assert injected.data_type == "s"  # text, never a formula


@pytest.mark.django_db
def test_export_headings_follow_the_language(world, client, reviewer):
    client.force_login(reviewer)
    row = value("dual_qualified_ratio", level="school", school=world.A)
    english = csv_rows(client.get(url(row, format="csv")))[0]
    chinese = csv_rows(client.get(url(row, format="csv"), HTTP_ACCEPT_LANGUAGE="zh-hans"))[0]
    assert english[0] == "Name"
    assert chinese[0] != "Name"  # translated (姓名 / 名称)
    assert len(chinese) == len(english)


@pytest.mark.django_db
def test_xlsx_notes_give_the_stored_value(world, client, reviewer):
    client.force_login(reviewer)
    row = value("enterprise_contribution_share", level="school", school=world.A)
    workbook = load_workbook(io.BytesIO(client.get(url(row, format="xlsx")).content))
    notes = {r[0]: r[1] for r in workbook.worksheets[1].iter_rows(values_only=True)}
    assert notes["Numerator"] == 50000
    assert notes["Denominator"] == 80000
    data = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert len(data) == 1 + 2  # the enterprise's and the school's contribution of Y
    assert sum(r[-2] for r in data[1:]) == 50000 and sum(r[-1] for r in data[1:]) == 80000
