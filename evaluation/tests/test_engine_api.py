"""The evaluation engine through the REST API: the engine runs for real (evaluation.runs.run_now, in
this process) over a small hand-built world, and the published values, warnings and program
recommendations are read back as each persona, filtered, acknowledged and re-run; runs are requested
(202, the run under way, 403, 400, 503 when the queue is down); the indicator catalogue and regional
target overrides.

The world, year Y = 2025. Province P (dave's region, the `region` fixture) holds school A (alice's),
school B (bob's) and, through its prefecture C, school SC; erin's province O holds school Z.

    program  school  sector  courses (theory/practice)  program year Y
    pA1      A       S1      40 / 60                    50 graduates, 45 employed
    pA2      A       S1      80 / 20                    —
    pB1      B       S2      50 / 50                    —
    pC1      SC      S2      50 / 50                    20 graduates, 18 employed
    pZ1      Z       S1      10 / 90                    —

Enterprise E (carol's, in P) has an active partnership with A for pA1 since 2020 and demands 40
graduates of S1 in P in Y; enterprise G (in O) demands 10 of S2 in O. Consortium K (in P) has A and
E as members, M (in C) has F (mallory's enterprise), L (in O) has Z.

Row counts by level come from the catalogue of INDICATORS.md: 9 indicators at program level, 19 at
school level, 4 at consortium level, 20 at region level; region × sector rows exist for the pairs
with graduates or demand in Y: (P, S1) 50 ÷ 40, (P, S2) and (C, S2) 20 ÷ 0, (O, S2) 0 ÷ 10.
"""
from __future__ import annotations

import datetime
from collections import Counter
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from kombu.exceptions import OperationalError as BrokerError
from rest_framework.test import APIClient

from evaluation import runs, tasks
from evaluation.models import EvaluationRun, TargetOverride, Warning
from partnerships.choices import PartnershipStatus
from partnerships.tests.factories import (
    ConsortiumFactory,
    ConsortiumMemberFactory,
    PartnershipFactory,
    TalentDemandFactory,
)
from portal.models import ApiToken
from portal.tests.factories import (
    EnterpriseFactory,
    RegionFactory,
    SchoolFactory,
    SectorFactory,
)
from programs.models import Course
from programs.tests.factories import CourseFactory, ProgramFactory, ProgramYearFactory

pytestmark = pytest.mark.django_db

Y = 2025
API = "/api/v1"
VALUES = f"{API}/indicator-values/"
WARNINGS = f"{API}/warnings/"
RECOMMENDATIONS = f"{API}/program-recommendations/"
RUNS = f"{API}/evaluation-runs/"
INDICATORS = f"{API}/indicators/"
OVERRIDES = f"{API}/target-overrides/"

PROGRAM_ROWS, SCHOOL_ROWS, CONSORTIUM_ROWS, REGION_ROWS = 9, 19, 4, 20


def program_year(program, **figures):
    zeros = {"enrolled": 0, "students": 0, "graduates": 0, "employed": 0, "employed_in_field": 0,
             "employed_by_partners": 0, "order_class_students": 0, "apprentices": 0}
    return ProgramYearFactory(program=program, year=Y, **{**zeros, **figures})


def program(school, sector, name, theory, practice):
    created = ProgramFactory(school=school, sector=sector, name=name)
    CourseFactory(program=created, theory_hours=theory, practice_hours=practice)
    return created


@pytest.fixture
def w(region, school_a, school_b, enterprise, outsider, other_reviewer):
    """The world of the module docstring, evaluated once for Y (`w.run`)."""
    o = SimpleNamespace(P=region, A=school_a, B=school_b, E=enterprise, F=outsider.enterprise)
    o.C = RegionFactory(prefecture=True, parent=region, name="测试市", name_en="Test City")
    o.O = other_reviewer.region
    o.SC = SchoolFactory(region=o.C, name="丙市职业学院")
    o.Z = SchoolFactory(region=o.O, name="丁职业学院")
    o.S1, o.S2 = SectorFactory(), SectorFactory()
    o.G = EnterpriseFactory(region=o.O, sector=o.S2)
    o.pA1 = program(o.A, o.S1, "工业机器人技术", 40, 60)
    o.pA2 = program(o.A, o.S1, "数控技术", 80, 20)
    o.pB1 = program(o.B, o.S2, "新能源汽车技术", 50, 50)
    o.pC1 = program(o.SC, o.S2, "物联网应用技术", 50, 50)
    o.pZ1 = program(o.Z, o.S1, "云计算技术应用", 10, 90)
    program_year(o.pA1, enrolled=60, students=200, graduates=50, employed=45, employed_in_field=30)
    program_year(o.pC1, enrolled=30, students=90, graduates=20, employed=18, employed_in_field=10)
    PartnershipFactory(school=o.A, enterprise=o.E, status=PartnershipStatus.ACTIVE, programs=[o.pA1],
                       start_date=datetime.date(2020, 9, 1))
    TalentDemandFactory(enterprise=o.E, sector=o.S1, region=o.P, headcount=40, year=Y)
    TalentDemandFactory(enterprise=o.G, sector=o.S2, region=o.O, headcount=10, year=Y)
    o.K = ConsortiumFactory(region=o.P, name="甲市域产教联合体")
    ConsortiumMemberFactory(consortium=o.K, school=o.A)
    ConsortiumMemberFactory(consortium=o.K, enterprise=o.E)
    o.M = ConsortiumFactory(region=o.C, name="丙市行业产教融合共同体")
    ConsortiumMemberFactory(consortium=o.M, enterprise=o.F)
    o.L = ConsortiumFactory(region=o.O, name="丁省职教集团")
    ConsortiumMemberFactory(consortium=o.L, school=o.Z)
    o.run, _created = runs.run_now(Y)
    assert o.run.status == "succeeded", o.run.error
    return o


def all_rows(client: APIClient, url: str, **params) -> list[dict]:
    """Every row of a list, over all its pages."""
    rows: list[dict] = []
    response = client.get(url, {"page_size": 500, **params})
    while True:
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        if not response.json()["next"]:
            return rows
        response = client.get(response.json()["next"])


def subject(row: dict) -> tuple:
    level = row["level"]
    if level == "program":
        return ("program", row["program"])
    if level == "school":
        return ("school", row["school"])
    if level == "consortium":
        return ("consortium", row["consortium"])
    if level == "region":
        return ("region", row["region"])
    return ("region_sector", row["region"], row["sector"])


def subjects(rows: list[dict]) -> Counter:
    """How many rows each subject has."""
    return Counter(subject(row) for row in rows)


def one(client: APIClient, url: str, **params) -> dict:
    rows = all_rows(client, url, **params)
    assert len(rows) == 1, rows
    return rows[0]


# --- who sees which values --------------------------------------------------------------------------


def test_alice_sees_her_schools_and_its_programs_values_only(as_, w):
    rows = all_rows(as_("alice"), VALUES)
    assert subjects(rows) == {("school", w.A.pk): SCHOOL_ROWS, ("program", w.pA1.pk): PROGRAM_ROWS,
                              ("program", w.pA2.pk): PROGRAM_ROWS}
    assert {row["run"] for row in rows} == {w.run.pk}


def test_dave_sees_every_subject_of_his_region_and_its_prefecture_but_not_erins_province(as_, w):
    seen = subjects(all_rows(as_("dave"), VALUES))
    assert seen == {
        ("school", w.A.pk): SCHOOL_ROWS, ("school", w.B.pk): SCHOOL_ROWS, ("school", w.SC.pk): SCHOOL_ROWS,
        ("program", w.pA1.pk): PROGRAM_ROWS, ("program", w.pA2.pk): PROGRAM_ROWS,
        ("program", w.pB1.pk): PROGRAM_ROWS, ("program", w.pC1.pk): PROGRAM_ROWS,
        ("consortium", w.K.pk): CONSORTIUM_ROWS, ("consortium", w.M.pk): CONSORTIUM_ROWS,
        ("region", w.P.code): REGION_ROWS, ("region", w.C.code): REGION_ROWS,
        ("region_sector", w.P.code, w.S1.code): 1, ("region_sector", w.P.code, w.S2.code): 1,
        ("region_sector", w.C.code, w.S2.code): 1,
    }


def test_erin_sees_the_region_rows_of_her_province_and_none_of_daves(as_, w):
    seen = subjects(all_rows(as_("erin"), VALUES))
    assert seen == {("school", w.Z.pk): SCHOOL_ROWS, ("program", w.pZ1.pk): PROGRAM_ROWS,
                    ("consortium", w.L.pk): CONSORTIUM_ROWS, ("region", w.O.code): REGION_ROWS,
                    ("region_sector", w.O.code, w.S2.code): 1}


def test_carol_sees_only_the_rows_of_the_consortium_her_enterprise_belongs_to(as_, w):
    assert subjects(all_rows(as_("carol"), VALUES)) == {("consortium", w.K.pk): CONSORTIUM_ROWS}
    assert subjects(all_rows(as_("mallory"), VALUES)) == {("consortium", w.M.pk): CONSORTIUM_ROWS}


def test_a_value_outside_the_callers_view_answers_404(as_, w):
    row_of_b = one(as_("pat"), VALUES, indicator="practical_hours_share", level="school", school=w.B.pk)
    assert as_("alice").get(f"{VALUES}{row_of_b['id']}/").status_code == 404
    assert as_("bob").get(f"{VALUES}{row_of_b['id']}/").status_code == 200
    assert as_(None).get(VALUES).status_code == 401


def test_values_are_read_only(as_, w):
    row = one(as_("pat"), VALUES, indicator="practical_hours_share", program=w.pA1.pk)
    pat = as_("pat")
    assert pat.post(VALUES, {"indicator": "employment_rate"}).status_code == 405
    assert pat.patch(f"{VALUES}{row['id']}/", {"value": 1}).status_code == 405
    assert pat.delete(f"{VALUES}{row['id']}/").status_code == 405


# --- what a value says ------------------------------------------------------------------------------


def test_a_program_value_carries_its_fraction_target_and_formula(as_, w):
    row = one(as_("alice"), VALUES, indicator="practical_hours_share", program=w.pA1.pk)
    # 60 practice hours of 40 + 60.
    assert (row["value"], row["numerator"], row["denominator"]) == (0.6, "60", "100")
    assert (row["target"], row["target_upper"], row["direction"], row["unit"]) == (0.5, None, "min", "ratio")
    assert row["formula"].startswith("Σ practice hours ÷ Σ (theory hours + practice hours) over current courses")
    assert row["indicator_name"] == "Practical teaching share"
    assert (row["level"], row["program_name"], row["school"], row["school_name"]) == (
        "program", "工业机器人技术", w.A.pk, "甲职业技术学院")
    assert (row["year"], row["run"], row["region"], row["sector"]) == (Y, w.run.pk, None, None)


def test_a_region_sector_value_is_the_supply_demand_ratio_against_its_band(as_, w):
    row = one(as_("dave"), VALUES, indicator="supply_demand_ratio", sector=w.S1.code)
    # 50 graduates of S1 at P's schools for 40 demanded in P.
    assert (row["value"], row["numerator"], row["denominator"]) == (1.25, "50", "40")
    assert (row["target"], row["target_upper"], row["direction"]) == (0.8, 1.5, "band")
    assert (row["region"], row["region_name"], row["sector"]) == (w.P.code, "测试省", w.S1.code)
    assert row["sector_name"] == w.S1.name


def test_a_sum_has_a_numerator_and_no_denominator(as_, w):
    row = one(as_("pat"), VALUES, indicator="technical_service_revenue", school=w.A.pk)
    assert (row["value"], row["numerator"], row["denominator"], row["unit"]) == (0.0, "0", None, "cny")


def test_indicator_names_follow_the_request_language(as_, w):
    client = as_("alice")
    params = {"indicator": "practical_hours_share", "program": w.pA1.pk}
    chinese = client.get(VALUES, params, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"][0]
    assert chinese["indicator_name"] == "实践性教学学时占比"


# --- filters ----------------------------------------------------------------------------------------


def test_filters_by_indicator_level_and_program(as_, w):
    pat = as_("pat")
    rows = all_rows(pat, VALUES, indicator="practical_hours_share", level="program")
    assert {row["program"] for row in rows} == {w.pA1.pk, w.pA2.pk, w.pB1.pk, w.pC1.pk, w.pZ1.pk}
    assert subjects(all_rows(pat, VALUES, program=w.pA2.pk)) == {("program", w.pA2.pk): PROGRAM_ROWS}
    assert subjects(all_rows(pat, VALUES, level="consortium")) == {
        ("consortium", w.K.pk): 4, ("consortium", w.M.pk): 4, ("consortium", w.L.pk): 4}


def test_the_school_filter_finds_the_schools_row_and_its_programs_rows(as_, w):
    assert subjects(all_rows(as_("dave"), VALUES, school=w.A.pk)) == {
        ("school", w.A.pk): SCHOOL_ROWS, ("program", w.pA1.pk): PROGRAM_ROWS, ("program", w.pA2.pk): PROGRAM_ROWS}


def test_the_consortium_filter(as_, w):
    assert subjects(all_rows(as_("pat"), VALUES, consortium=w.K.pk)) == {("consortium", w.K.pk): CONSORTIUM_ROWS}


def test_the_region_filter_takes_the_subtree_by_each_subjects_own_region(as_, w):
    """C holds school SC (and pC1), consortium M, its region rows and the (C, S2) pair, not P's rows."""
    assert subjects(all_rows(as_("pat"), VALUES, region=w.C.code)) == {
        ("school", w.SC.pk): SCHOOL_ROWS, ("program", w.pC1.pk): PROGRAM_ROWS,
        ("consortium", w.M.pk): CONSORTIUM_ROWS, ("region", w.C.code): REGION_ROWS,
        ("region_sector", w.C.code, w.S2.code): 1,
    }
    in_p = subjects(all_rows(as_("pat"), VALUES, region=w.P.code))
    assert ("region", w.C.code) in in_p and ("school", w.A.pk) in in_p and ("consortium", w.K.pk) in in_p
    assert not {s for s in in_p if s in {("school", w.Z.pk), ("region", w.O.code), ("consortium", w.L.pk)}}


def test_an_unknown_region_code_gives_an_empty_list(as_, w):
    response = as_("pat").get(VALUES, {"region": "100000"})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_the_sector_filter_finds_the_region_sector_rows(as_, w):
    assert subjects(all_rows(as_("pat"), VALUES, sector=w.S2.code)) == {
        ("region_sector", w.P.code, w.S2.code): 1, ("region_sector", w.C.code, w.S2.code): 1,
        ("region_sector", w.O.code, w.S2.code): 1}


def test_the_year_filter_and_only_the_published_run_of_each_year(as_, w):
    run_2024, _created = runs.run_now(Y - 1)
    pat = as_("pat")
    rows_2024 = all_rows(pat, VALUES, year=Y - 1)
    assert rows_2024 and {(row["year"], row["run"]) for row in rows_2024} == {(Y - 1, run_2024.pk)}
    assert {(row["year"], row["run"]) for row in all_rows(pat, VALUES, year=Y)} == {(Y, w.run.pk)}

    rerun, _created = runs.run_now(Y)  # replaces the published run of Y; its rows go with it
    assert {row["run"] for row in all_rows(pat, VALUES, year=Y)} == {rerun.pk}
    assert as_("pat").get(VALUES, {"year": "abc"}).status_code == 400


def test_search_and_ordering(as_, w):
    pat = as_("pat")
    assert subjects(all_rows(pat, VALUES, search="物联网")) == {("program", w.pC1.pk): PROGRAM_ROWS}
    shares = [row["value"] for row in all_rows(pat, VALUES, indicator="practical_hours_share", level="program",
                                               ordering="-value")]
    assert shares == [0.9, 0.6, 0.5, 0.5, 0.2]


# --- warnings ---------------------------------------------------------------------------------------


def practical_warning(client: APIClient, program) -> dict:
    return one(client, WARNINGS, indicator="practical_hours_share", program=program.pk)


def test_runs_open_warnings_with_their_severity_visible_like_values(as_, w):
    warning = practical_warning(as_("alice"), w.pA2)  # 20 of 100 hours: below 0.50 − 0.25
    assert (warning["value"], warning["target"], warning["severity"], warning["status"]) == (0.2, 0.5, "high", "open")
    assert (warning["opened_by_run"], warning["last_seen_run"], warning["acknowledged_by"]) == (w.run.pk, w.run.pk,
                                                                                              None)
    school = one(as_("alice"), WARNINGS, indicator="practical_hours_share", level="school")  # 80 of 200
    assert (school["school"], school["value"], school["severity"]) == (w.A.pk, 0.4, "medium")
    assert not all_rows(as_("alice"), WARNINGS, school=w.B.pk)
    assert {row["level"] for row in all_rows(as_("carol"), WARNINGS)} <= {"consortium"}
    assert not all_rows(as_("erin"), WARNINGS, indicator="practical_hours_share", region=w.P.code)


def test_warning_filters_status_severity_and_region(as_, w):
    dave = as_("dave")
    high = all_rows(dave, WARNINGS, indicator="practical_hours_share", severity="high")
    assert [row["program"] for row in high] == [w.pA2.pk]
    in_c = all_rows(dave, WARNINGS, region=w.C.code)
    assert in_c and all(subject(row) in {("school", w.SC.pk), ("program", w.pC1.pk), ("consortium", w.M.pk),
                                         ("region", w.C.code), ("region_sector", w.C.code, w.S2.code)}
                        for row in in_c)
    assert dave.get(WARNINGS, {"region": "100000"}).json()["count"] == 0
    assert not all_rows(dave, WARNINGS, status="acknowledged")
    dave.post(f"{WARNINGS}{high[0]['id']}/acknowledge/")
    assert [row["id"] for row in all_rows(dave, WARNINGS, status="acknowledged")] == [high[0]["id"]]
    assert dave.get(WARNINGS, {"status": "forgotten"}).status_code == 400


def test_a_reviewer_acknowledges_a_warning_of_his_region_once(as_, w, reviewer):
    warning = practical_warning(as_("dave"), w.pA2)
    url = f"{WARNINGS}{warning['id']}/acknowledge/"
    response = as_("dave").post(url, {"note": "学院已提交课程改革方案"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["status"], body["acknowledged_by"], body["note"]) == (
        warning["id"], "acknowledged", reviewer.pk, "学院已提交课程改革方案")
    assert body["acknowledged_at"]
    stored = Warning.objects.get(pk=warning["id"])
    assert (stored.status, stored.acknowledged_by, stored.note) == ("acknowledged", reviewer, "学院已提交课程改革方案")

    again = as_("dave").post(url, {"note": "再次确认"})
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["This warning has already been acknowledged."]}
    assert Warning.objects.get(pk=warning["id"]).note == "学院已提交课程改革方案"


def test_a_platform_admin_acknowledges_without_a_note(as_, w, platform_admin):
    warning = practical_warning(as_("pat"), w.pA2)
    response = as_("pat").post(f"{WARNINGS}{warning['id']}/acknowledge/")
    assert response.status_code == 200, response.content
    assert (response.json()["acknowledged_by"], response.json()["note"]) == (platform_admin.pk, "")


@pytest.mark.parametrize(("persona", "status"), [("alice", 403), ("carol", 404), ("bob", 404), ("erin", 404)])
def test_who_else_may_not_acknowledge(persona, status, as_, w):
    """Alice sees her program's warning but may not acknowledge it; the others do not see it."""
    warning = practical_warning(as_("pat"), w.pA2)
    response = as_(persona).post(f"{WARNINGS}{warning['id']}/acknowledge/", {"note": "x"})
    assert response.status_code == status, response.content
    stored = Warning.objects.get(pk=warning["id"])
    assert (stored.status, stored.acknowledged_by, stored.note) == ("open", None, "")


def test_a_warning_resolved_by_a_later_run_cannot_be_acknowledged(as_, w):
    warning = practical_warning(as_("dave"), w.pA2)
    Course.objects.filter(program=w.pA2).update(theory_hours=20, practice_hours=80)
    rerun, _created = runs.run_now(Y)
    resolved = as_("dave").get(f"{WARNINGS}{warning['id']}/").json()
    assert (resolved["status"], resolved["last_seen_run"]) == ("resolved", w.run.pk)
    assert resolved["resolved_at"]
    response = as_("dave").post(f"{WARNINGS}{warning['id']}/acknowledge/", {"note": "x"})
    assert response.status_code == 400
    assert "resolved" in response.json()["non_field_errors"][0]
    assert Warning.objects.get(pk=warning["id"]).status == "resolved"
    # pA2's share, school A's (now 140 of 200) and province P's (pooled: 240 of 400).
    assert rerun.warnings_resolved == 3


def test_an_acknowledgement_and_its_note_survive_a_rerun_while_the_warning_holds(as_, w, reviewer):
    warning = practical_warning(as_("dave"), w.pA2)
    as_("dave").post(f"{WARNINGS}{warning['id']}/acknowledge/", {"note": "限期整改"})
    rerun, _created = runs.run_now(Y)
    after = as_("dave").get(f"{WARNINGS}{warning['id']}/").json()
    assert (after["status"], after["note"], after["acknowledged_by"]) == ("acknowledged", "限期整改", reviewer.pk)
    assert (after["opened_by_run"], after["last_seen_run"]) == (w.run.pk, rerun.pk)
    assert [row["id"] for row in all_rows(as_("dave"), WARNINGS, indicator="practical_hours_share",
                                          program=w.pA2.pk)] == [warning["id"]]  # not duplicated


# --- program recommendations ------------------------------------------------------------------------


def test_program_recommendations_by_persona_with_conditions_and_history(as_, w):
    """pA1 has an active partnership and 60 % practice: never flagged. Every other program has no
    partnership in Y, Y−1 and Y−2 (pA2 also 20 % practice): flagged three years running."""
    rows = {row["program"]: row for row in all_rows(as_("alice"), RECOMMENDATIONS)}
    assert set(rows) == {w.pA1.pk, w.pA2.pk}
    pa1, pa2 = rows[w.pA1.pk], rows[w.pA2.pk]
    assert (pa1["recommendation"], pa1["consecutive_years"], pa1["conditions"]) == ("none", 0, [])
    assert (pa2["recommendation"], pa2["consecutive_years"]) == ("suspended", 3)
    assert pa2["conditions"] == ["low_practical_share", "no_partnership"]
    assert pa2["history"] == {str(year): ["low_practical_share", "no_partnership"] for year in (Y, Y - 1, Y - 2)}
    assert (pa2["program_name"], pa2["school"], pa2["school_name"], pa2["year"], pa2["run"]) == (
        "数控技术", w.A.pk, "甲职业技术学院", Y, w.run.pk)
    assert {row["program"] for row in all_rows(as_("dave"), RECOMMENDATIONS)} == {
        w.pA1.pk, w.pA2.pk, w.pB1.pk, w.pC1.pk}
    assert {row["program"] for row in all_rows(as_("erin"), RECOMMENDATIONS)} == {w.pZ1.pk}
    assert not all_rows(as_("carol"), RECOMMENDATIONS)


def test_program_recommendation_filters(as_, w):
    dave = as_("dave")
    assert [row["program"] for row in all_rows(dave, RECOMMENDATIONS, recommendation="none")] == [w.pA1.pk]
    assert [row["program"] for row in all_rows(dave, RECOMMENDATIONS, region=w.C.code)] == [w.pC1.pk]
    assert [row["program"] for row in all_rows(dave, RECOMMENDATIONS, school=w.B.pk)] == [w.pB1.pk]
    assert [row["program"] for row in all_rows(dave, RECOMMENDATIONS, program=w.pA2.pk, year=Y)] == [w.pA2.pk]
    assert not all_rows(dave, RECOMMENDATIONS, year=Y - 1)
    assert dave.get(RECOMMENDATIONS, {"region": "100000"}).json()["count"] == 0


# --- evaluation runs --------------------------------------------------------------------------------


def test_everyone_follows_the_runs(as_, w):
    for persona in ("alice", "carol", "erin"):
        rows = all_rows(as_(persona), RUNS)
        assert [(row["id"], row["status"], row["published"]) for row in rows] == [(w.run.pk, "succeeded", True)]
    detail = as_("carol").get(f"{RUNS}{w.run.pk}/").json()
    assert (detail["year"], detail["progress"], detail["trigger"], detail["error"]) == (Y, 100, "command", "")
    # 4 schools × 19 + 5 programs × 9 + 3 consortia × 4 + 3 regions (P, C, O) × 20 + 4 region × sector pairs.
    assert detail["value_count"] == 197 == len(all_rows(as_("pat"), VALUES))


@pytest.mark.parametrize("persona", ["dave", "pat"])
def test_a_reviewer_or_platform_admin_requests_a_run_and_gets_202(persona, as_, personas_by_name):
    response = as_(persona).post(RUNS, {"year": 2024})
    assert response.status_code == 202, response.content
    run = EvaluationRun.objects.get()
    assert (response.json()["id"], response.json()["year"], response.json()["status"]) == (run.pk, 2024, "queued")
    assert (run.requested_by, run.trigger) == (personas_by_name[persona], "request")


def test_a_request_while_a_run_is_queued_answers_with_that_run(as_, reviewer):
    queued = EvaluationRun.objects.create(year=2024)
    response = as_("dave").post(RUNS, {"year": 2024})
    assert response.status_code == 202, response.content
    assert response.json()["id"] == queued.pk
    assert EvaluationRun.objects.count() == 1


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_college_admins_and_liaisons_may_not_start_runs(persona, as_):
    response = as_(persona).post(RUNS, {"year": 2024})
    assert response.status_code == 403
    assert not EvaluationRun.objects.exists()


@pytest.mark.parametrize("year", [1800, "abc", None])
def test_a_bad_year_answers_400_naming_it(year, as_, reviewer):
    response = as_("dave").post(RUNS, {"year": year}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["year"]
    assert not EvaluationRun.objects.exists()


def test_a_read_only_token_cannot_start_a_run(reviewer):
    _token, key = ApiToken.issue(user=reviewer, read_only=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(RUNS).status_code == 200
    assert client.post(RUNS, {"year": 2024}, format="json").status_code == 403
    assert not EvaluationRun.objects.exists()


def test_runs_are_not_changed_or_deleted_through_the_api(as_, w):
    pat = as_("pat")
    url = f"{RUNS}{w.run.pk}/"
    assert pat.patch(url, {"status": "failed"}).status_code == 405
    assert pat.put(url, {"year": 2024}).status_code == 405
    assert pat.delete(url).status_code == 405
    assert EvaluationRun.objects.get(pk=w.run.pk).status == "succeeded"


def test_run_filters(as_, w):
    EvaluationRun.objects.create(year=2024)
    pat = as_("pat")
    assert [row["year"] for row in all_rows(pat, RUNS, status="queued")] == [2024]
    assert [row["id"] for row in all_rows(pat, RUNS, year=Y)] == [w.run.pk]


@pytest.mark.django_db(transaction=True)
def test_a_queue_failure_answers_503_and_leaves_no_run(as_, reviewer, celery_eager, monkeypatch):
    """Outside the request transaction, the run is committed, the queue refuses it, the run is taken
    back and the caller is told, all before the answer."""
    celery_eager(False)

    def broker_down(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.evaluate, "delay", broker_down)
    response = as_("dave").post(RUNS, {"year": 2024})
    assert response.status_code == 503, response.content
    assert response.json() == {"detail": "The task queue cannot be reached; no run was started. Try again shortly."}
    assert not EvaluationRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_with_the_in_process_queue_a_requested_run_is_computed_before_the_answer(
    as_, school_a, reviewer, celery_eager
):
    celery_eager(True)  # the embedded default (no broker): tasks run in the web process
    ProgramFactory(school=school_a)
    response = as_("dave").post(RUNS, {"year": 2024})
    assert response.status_code == 202, response.content
    assert (response.json()["status"], response.json()["published"], response.json()["progress"]) == (
        "succeeded", True, 100)
    school_rows = all_rows(as_("alice"), VALUES, year=2024, level="school")
    assert len(school_rows) == SCHOOL_ROWS


# --- the indicator catalogue ------------------------------------------------------------------------


def test_the_catalogue_lists_every_indicator_for_every_signed_in_user(as_, liaison):
    response = as_("carol").get(INDICATORS)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 23  # the rows of the catalogue in INDICATORS.md
    assert body["results"][0]["key"] == "practical_hours_share"
    assert as_(None).get(INDICATORS).status_code == 401


def test_an_indicator_with_a_band_target_in_english_and_chinese(as_, liaison):
    client = as_("carol")
    body = client.get(f"{INDICATORS}supply_demand_ratio/").json()
    assert (body["key"], body["name"], body["name_en"], body["name_zh"]) == (
        "supply_demand_ratio", "Talent supply / demand", "Talent supply / demand", "人才供需比")
    assert (body["levels"], body["unit"], body["direction"], body["target"], body["target_upper"]) == (
        ["region_sector"], "ratio", "band", 0.8, 1.5)
    assert body["source"].startswith("[D]")
    assert body["formula"].startswith("Σ graduates (Y) of programs in the sector at schools in the region")
    chinese = client.get(f"{INDICATORS}supply_demand_ratio/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert chinese["name"] == "人才供需比"


def test_indicators_without_a_target_and_the_level_filter(as_, liaison):
    client = as_("carol")
    body = client.get(f"{INDICATORS}certified_enterprises/").json()
    assert (body["direction"], body["target"], body["target_upper"], body["unit"]) == (None, None, None, "count")
    consortium = client.get(INDICATORS, {"level": "consortium"}).json()["results"]
    assert [row["key"] for row in consortium] == ["deep_cooperation_share", "enterprise_contribution",
                                                  "training_base_utilisation", "consortium_active_share"]
    assert client.get(f"{INDICATORS}no_such_indicator/").status_code == 404


# --- target overrides -------------------------------------------------------------------------------


def test_a_platform_admin_sets_a_regional_target_that_the_next_run_applies(as_, w):
    response = as_("pat").post(OVERRIDES, {"indicator": "practical_hours_share", "region": w.C.code, "target": 0.6,
                                           "note": "省级高水平专业群"})
    assert response.status_code == 201, response.content
    assert (response.json()["region"], response.json()["target"], response.json()["target_upper"]) == (
        w.C.code, 0.6, None)
    runs.run_now(Y)
    in_c = one(as_("dave"), VALUES, indicator="practical_hours_share", program=w.pC1.pk)
    in_p = one(as_("dave"), VALUES, indicator="practical_hours_share", program=w.pA1.pk)
    assert (in_c["target"], in_p["target"]) == (0.6, 0.5)
    warning = practical_warning(as_("dave"), w.pC1)  # 0.5 < 0.6, not below 0.3
    assert (warning["target"], warning["severity"]) == (0.6, "medium")


@pytest.mark.parametrize("persona", ["alice", "carol", "dave"])
def test_only_platform_admins_set_targets_everyone_reads_them(persona, as_, w):
    TargetOverride.objects.create(indicator="employment_rate", region=w.P, target=0.9)
    client = as_(persona)
    assert [row["indicator"] for row in client.get(OVERRIDES).json()["results"]] == ["employment_rate"]
    response = client.post(OVERRIDES, {"indicator": "practical_hours_share", "region": w.P.code, "target": 0.6})
    assert response.status_code == 403
    assert TargetOverride.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"indicator": "supply_demand_ratio", "target": 0.7}, "target_upper"),
        ({"indicator": "supply_demand_ratio", "target": 0.7, "target_upper": 0.6}, "target_upper"),
        ({"indicator": "employment_rate", "target": 0.9, "target_upper": 1.0}, "target_upper"),
        ({"indicator": "project_teaching_share", "target": 0.5}, "indicator"),
        ({"indicator": "employment_rate", "target": "high"}, "target"),
        ({"indicator": "employment_rate", "target": 0.9, "region": "100000"}, "region"),
    ],
    ids=["band-without-upper", "band-upside-down", "upper-without-band", "no-target-to-override", "not-a-number",
         "unknown-region"],
)
def test_a_bad_override_answers_400_naming_the_field(body, field, as_, w):
    response = as_("pat").post(OVERRIDES, {"region": w.P.code, **body})
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not TargetOverride.objects.exists()


def test_one_override_per_indicator_and_region(as_, w):
    TargetOverride.objects.create(indicator="employment_rate", region=w.P, target=0.9)
    response = as_("pat").post(OVERRIDES, {"indicator": "employment_rate", "region": w.P.code, "target": 0.8})
    assert response.status_code == 400
    assert TargetOverride.objects.get().target == 0.9


# --- no N+1 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["pat", "dave"])
@pytest.mark.parametrize("url", [VALUES, WARNINGS, RECOMMENDATIONS])
def test_lists_cost_the_same_queries_for_2_schools_as_for_10(url, persona, as_, region):
    def add_schools(n: int) -> None:
        for _ in range(n):
            school = SchoolFactory(region=region)
            program(school, SectorFactory(), "机电一体化技术", 80, 20)  # opens practical-share warnings

    def listing() -> tuple[int, int]:
        client = as_(persona)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": 500})
        assert response.status_code == 200, response.content
        assert response.json()["next"] is None
        return response.json()["count"], len(queries)

    add_schools(2)
    runs.run_now(Y)
    listing()  # warm up
    rows_2, queries_2 = listing()
    add_schools(8)
    runs.run_now(Y)
    rows_10, queries_10 = listing()
    assert rows_10 > rows_2
    assert queries_10 == queries_2, f"{url}: {queries_2} queries for {rows_2} rows, {queries_10} for {rows_10}"


@pytest.fixture
def personas_by_name(reviewer, platform_admin):
    return {"dave": reviewer, "pat": platform_admin}
