"""The warnings list (filters, sorting, acknowledging with a note, exports) and the program
recommendations list (filters, exports): scoped by role, at a constant number of queries, exports
equal to the page for the same filters and safe against formula injection."""
from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from evaluation.choices import Condition, Level, Recommendation, RunStatus, Severity, WarningStatus
from evaluation.models import Warning
from evaluation.tests.factories import (
    EvaluationRunFactory,
    ProgramRecommendationFactory,
    WarningFactory,
)
from partnerships.tests.factories import ConsortiumFactory, ConsortiumMemberFactory
from portal.choices import RegionLevel
from portal.tests.factories import RegionFactory, SchoolFactory, SectorFactory
from portal.views import optional_url
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

WARNINGS = reverse("evaluation:warning-list")
WARNINGS_EXPORT = reverse("evaluation:warning-export")
RECOMMENDATIONS = reverse("evaluation:recommendation-list")
RECOMMENDATIONS_EXPORT = reverse("evaluation:recommendation-export")


def acknowledge_url(warning) -> str:
    return reverse("evaluation:warning-acknowledge", args=[warning.pk])


def page(client, user, url, data=None, **headers):
    client.force_login(user)
    response = client.get(url, data or {}, **headers)
    assert response.status_code == 200
    return response


def shown(response) -> list[int]:
    return [row["pk"] for row in response.context["rows"]]


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response) -> list[list]:
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def city(region):
    return RegionFactory(name="测试市", name_en="Test City", level=RegionLevel.PREFECTURE, parent=region)


@pytest.fixture
def world(region, city, school_a, school_b, other_reviewer):
    """Warnings in the region (two schools, a program, the region, a school in a city below it) and
    one in another province."""
    program = ProgramFactory(school=school_a, name="工业机器人技术", code="460305")
    city_school = SchoolFactory(region=city, name="丁职业学院", name_en="Polytechnic D")
    elsewhere = SchoolFactory(region=other_reviewer.region, name="外省学院", name_en="Faraway College")
    return {
        "a": WarningFactory(school=school_a, indicator="dual_qualified_ratio", value=0.3, target=0.5,
                            severity=Severity.MEDIUM),
        "a_high": WarningFactory(school=school_a, indicator="teacher_practice_rate", value=0.2, target=1.0,
                                 severity=Severity.HIGH),
        "b": WarningFactory(school=school_b, indicator="dual_qualified_ratio", value=0.45, target=0.5),
        "program": WarningFactory(level=Level.PROGRAM, program=program, school=school_a,
                                  subject_key=f"program:{program.pk}", indicator="practical_hours_share",
                                  value=0.4, target=0.5),
        "region": WarningFactory(level=Level.REGION, school=None, region=region, subject_key=f"region:{region.pk}",
                                 indicator="dual_qualified_ratio", value=0.35, target=0.5),
        "city": WarningFactory(school=city_school, indicator="dual_qualified_ratio", value=0.1, target=0.5,
                               severity=Severity.HIGH, year=2023),
        "resolved": WarningFactory(school=school_b, indicator="part_time_teacher_ratio", value=0.1, target=0.2,
                                   status=WarningStatus.RESOLVED),
        "elsewhere": WarningFactory(school=elsewhere, indicator="dual_qualified_ratio", value=0.2, target=0.5),
    }


# --- warnings: who sees what ----------------------------------------------------------------------


def test_a_reviewer_sees_the_unresolved_warnings_of_their_region_and_its_sub_regions(client, reviewer, world):
    response = page(client, reviewer, WARNINGS)
    expected = {world[k].pk for k in ("a", "a_high", "b", "program", "region", "city")}
    assert set(shown(response)) == expected
    all_statuses = page(client, reviewer, WARNINGS, {"status": "all"})
    assert set(shown(all_statuses)) == expected | {world["resolved"].pk}
    resolved = page(client, reviewer, WARNINGS, {"status": "resolved"})
    assert shown(resolved) == [world["resolved"].pk]


def test_a_reviewer_of_another_province_sees_none_of_them_and_exports_nothing(client, other_reviewer, world):
    response = page(client, other_reviewer, WARNINGS, {"status": "all"})
    assert shown(response) == [world["elsewhere"].pk]
    client.force_login(other_reviewer)
    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        rows = read(client.get(WARNINGS_EXPORT, {"format": fmt, "search": "Polytechnic"}))
        assert len(rows) == 1  # the header only
    rows = csv_rows(client.get(WARNINGS_EXPORT, {"format": "csv", "status": "all"}))
    assert [r[1] for r in rows[1:]] == ["Faraway College"]


def test_a_college_admin_sees_their_school_and_its_programs_only(client, college_admin_a, world):
    response = page(client, college_admin_a, WARNINGS, {"status": "all"})
    assert set(shown(response)) == {world["a"].pk, world["a_high"].pk, world["program"].pk}
    rows = csv_rows(client.get(WARNINGS_EXPORT, {"format": "csv", "status": "all"}))
    assert sorted(r[1] for r in rows[1:]) == [
        "Polytechnic A", "Polytechnic A", "工业机器人技术 (460305) · Polytechnic A"]


def test_a_liaison_sees_the_warnings_of_their_consortia(client, liaison, region, world):
    consortium = ConsortiumFactory(region=region, name="测试产教联合体")
    ConsortiumMemberFactory(consortium=consortium, enterprise=liaison.enterprise, school=None)
    other = ConsortiumFactory(region=region)
    mine = WarningFactory(level=Level.CONSORTIUM, school=None, consortium=consortium,
                          subject_key=f"consortium:{consortium.pk}")
    WarningFactory(level=Level.CONSORTIUM, school=None, consortium=other, subject_key=f"consortium:{other.pk}")
    response = page(client, liaison, WARNINGS)
    assert shown(response) == [mine.pk]
    assert response.context["rows"][0]["subject"] == "测试产教联合体"
    assert b"alerts-ack-form" not in response.content


def test_the_warnings_pages_need_a_login(client):
    for url in (WARNINGS, WARNINGS_EXPORT, RECOMMENDATIONS, RECOMMENDATIONS_EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


# --- warnings: what a row shows -------------------------------------------------------------------


def test_a_row_shows_the_subject_the_indicator_in_the_users_language_and_the_value_against_the_target(
        client, reviewer, school_a, world):
    response = page(client, reviewer, WARNINGS, {"search": "Polytechnic A", "indicator": "dual_qualified_ratio"})
    [row] = response.context["rows"]
    assert row["subject"] == "Polytechnic A"
    assert row["subject_url"] == optional_url("evaluation:dashboard", query=f"school={school_a.pk}")
    assert row["indicator"] == "Dual-qualified teacher ratio"
    assert (row["value"], row["target"]) == ("30 %", "≥ 50 %")
    assert (row["severity_label"], row["status_label"], row["level"]) == ("medium", "open", "school")
    content = response.content.decode()
    assert "30 %" in content and "≥ 50 %" in content and 'data-severity="medium"' in content
    if row["subject_url"]:
        assert f'href="{row["subject_url"]}"'.replace("&", "&amp;") in content

    chinese = page(client, reviewer, WARNINGS, {"search": "Polytechnic A", "indicator": "dual_qualified_ratio"},
                   HTTP_ACCEPT_LANGUAGE="zh-hans")
    [row] = chinese.context["rows"]
    assert row["indicator"] == '"双师型"教师占专业课教师比例'
    assert row["subject"] == "甲职业技术学院"
    choices = dict(chinese.context["filterset"].form.fields["indicator"].choices)
    assert choices["practical_hours_share"] == "实践性教学学时占比"


def test_program_region_and_region_sector_rows_name_their_subject(client, reviewer, region, world):
    sector = SectorFactory(name="测试制造业", name_en="Test manufacturing")
    WarningFactory(level=Level.REGION_SECTOR, school=None, region=region, sector=sector,
                   subject_key=f"region_sector:{region.pk}:{sector.pk}", indicator="supply_demand_ratio",
                   value=1.9, target=0.8, target_upper=1.5)
    rows = {r["pk"]: r for r in page(client, reviewer, WARNINGS).context["rows"]}
    program_row = rows[world["program"].pk]
    assert program_row["subject"] == "工业机器人技术 (460305) · Polytechnic A"
    assert program_row["subject_url"] == optional_url("programs:program-detail", world["program"].program_id)
    assert rows[world["region"].pk]["subject"] == "Test Province"
    [sector_row] = [r for r in rows.values() if r["level"] == "region × sector"]
    assert sector_row["subject"] == "Test Province · Test manufacturing"
    assert (sector_row["value"], sector_row["target"]) == ("190 %", "80 % – 150 %")


# --- warnings: filters and sorting ----------------------------------------------------------------


@pytest.mark.parametrize(("query", "keys"), [
    ({"indicator": "teacher_practice_rate"}, {"a_high"}),
    ({"severity": "high"}, {"a_high", "city"}),
    ({"level": "program"}, {"program"}),
    ({"level": "region"}, {"region"}),
    ({"year": "2023"}, {"city"}),
    ({"search": "Polytechnic B"}, {"b"}),
    ({"search": "乙职业"}, {"b"}),
    ({"search": "工业机器人"}, {"program"}),
    ({"status": "open", "severity": "medium", "level": "school"}, {"a", "b"}),
])
def test_the_warning_filters(client, reviewer, world, query, keys):
    response = page(client, reviewer, WARNINGS, query)
    assert set(shown(response)) == {world[k].pk for k in keys}


def test_the_region_filter_takes_a_code_and_its_sub_regions(client, reviewer, region, city, world):
    assert set(shown(page(client, reviewer, WARNINGS, {"region": city.code}))) == {world["city"].pk}
    whole = page(client, reviewer, WARNINGS, {"region": region.code})
    assert set(shown(whole)) == {world[k].pk for k in ("a", "a_high", "b", "program", "region", "city")}


@pytest.mark.parametrize(("query", "field"), [
    ({"year": "twenty"}, "year"),
    ({"year": "1800"}, "year"),
    ({"indicator": "no_such_indicator"}, "indicator"),
    ({"severity": "apocalyptic"}, "severity"),
    ({"status": "closed"}, "status"),
    ({"level": "planet"}, "level"),
    ({"region": "999999"}, "region"),
])
def test_a_bad_filter_value_lists_nothing_with_a_message(client, reviewer, world, query, field):
    response = page(client, reviewer, WARNINGS, query)
    assert response.context["rows"] == []
    assert response.context["filters_invalid"]
    assert field in response.context["filterset"].form.errors
    assert 'data-testid="filters-invalid"' in response.content.decode()
    export = client.get(WARNINGS_EXPORT, {**query, "format": "csv"})
    assert export.status_code == 302
    followed = client.get(export["Location"])
    assert "correct them before downloading" in followed.content.decode()


def test_the_warnings_sort_by_value_severity_indicator_year_and_update(client, reviewer, world):
    def order(ordering):
        return shown(page(client, reviewer, WARNINGS, {"ordering": ordering}))

    by_value = order("value")
    assert by_value[0] == world["city"].pk and by_value[-1] == world["b"].pk  # 0.1 … 0.45
    assert order("-value") == by_value[::-1]
    assert set(order("-severity")[:2]) == {world["a_high"].pk, world["city"].pk}
    assert set(order("severity")[-2:]) == {world["a_high"].pk, world["city"].pk}
    assert order("year")[0] == world["city"].pk
    # Catalogue order: practical share, dual-qualified ratio, teacher practice rate.
    by_indicator = order("indicator")
    assert by_indicator[0] == world["program"].pk and by_indicator[-1] == world["a_high"].pk
    latest = WarningFactory(school=world["b"].school, indicator="order_class_share")
    assert order("-updated")[0] == latest.pk
    assert order("bogus") == order("")  # an unknown ordering falls back to the default


# --- acknowledging --------------------------------------------------------------------------------


def test_a_reviewer_acknowledges_an_open_warning_with_a_note(client, reviewer, world):
    warning = world["a"]
    response = page(client, reviewer, WARNINGS)
    assert f'action="{acknowledge_url(warning)}"' in response.content.decode()
    response = client.post(acknowledge_url(warning),
                           {"note": "  已约谈学校，限期整改  ", "next": f"{WARNINGS}?level=school"})
    assert response.status_code == 302 and response["Location"] == f"{WARNINGS}?level=school"
    warning.refresh_from_db()
    assert warning.status == WarningStatus.ACKNOWLEDGED
    assert warning.acknowledged_by == reviewer and warning.acknowledged_at is not None
    assert warning.note == "已约谈学校，限期整改"
    listed = client.get(WARNINGS)
    assert "Warning acknowledged." in listed.content.decode()
    row = next(r for r in listed.context["rows"] if r["pk"] == warning.pk)
    assert row["status"] == "acknowledged" and row["note"] == "已约谈学校，限期整改"
    assert row["acknowledged_by"] == (reviewer.get_full_name() or reviewer.username)
    assert f'action="{acknowledge_url(warning)}"' not in listed.content.decode()  # no form any more


def test_acknowledging_twice_or_a_resolved_warning_changes_nothing(client, reviewer, platform_admin, world):
    warning = world["a"]
    client.force_login(reviewer)
    client.post(acknowledge_url(warning), {"note": "first"})
    before = Warning.objects.get(pk=warning.pk)
    client.force_login(platform_admin)
    response = client.post(acknowledge_url(warning), {"note": "second"}, follow=True)
    assert "already been acknowledged" in response.content.decode()
    after = Warning.objects.get(pk=warning.pk)
    assert (after.note, after.acknowledged_by, after.acknowledged_at) == (
        "first", before.acknowledged_by, before.acknowledged_at)

    resolved = world["resolved"]
    response = client.post(acknowledge_url(resolved), {"note": "late"}, follow=True)
    assert "is resolved" in response.content.decode()
    resolved.refresh_from_db()
    assert resolved.status == WarningStatus.RESOLVED and resolved.note == "" and resolved.acknowledged_by is None


def test_a_platform_admin_acknowledges_any_warning(client, platform_admin, world):
    client.force_login(platform_admin)
    assert client.post(acknowledge_url(world["elsewhere"]), {"note": ""}).status_code == 302
    world["elsewhere"].refresh_from_db()
    assert world["elsewhere"].status == WarningStatus.ACKNOWLEDGED and world["elsewhere"].note == ""


def test_others_may_not_acknowledge(client, college_admin_a, other_reviewer, liaison, world):
    warning = world["a"]
    response = page(client, college_admin_a, WARNINGS)
    assert warning.pk in shown(response) and "alerts-ack-form" not in response.content.decode()
    assert client.post(acknowledge_url(warning), {"note": "mine"}).status_code == 403
    client.force_login(other_reviewer)
    assert client.post(acknowledge_url(warning), {"note": "not mine"}).status_code == 404
    client.force_login(liaison)
    assert client.post(acknowledge_url(warning), {"note": "x"}).status_code == 404
    client.logout()
    assert client.post(acknowledge_url(warning), {"note": "x"}).status_code == 302
    warning.refresh_from_db()
    assert warning.status == WarningStatus.OPEN and warning.note == ""


def test_acknowledging_is_a_post_with_a_note_of_bounded_length(client, reviewer, world):
    warning = world["a"]
    client.force_login(reviewer)
    assert client.get(acknowledge_url(warning)).status_code == 405
    assert client.post(reverse("evaluation:warning-acknowledge", args=[999999]), {}).status_code == 404
    response = client.post(acknowledge_url(warning), {"note": "x" * 2001}, follow=True)
    assert response.status_code == 200 and "at most 2000 characters" in response.content.decode()
    warning.refresh_from_db()
    assert warning.status == WarningStatus.OPEN
    # A `next` to another site is ignored.
    response = client.post(acknowledge_url(warning), {"note": "ok", "next": "https://evil.example/"})
    assert response["Location"] == WARNINGS


# --- warnings: exports ----------------------------------------------------------------------------


def test_the_warning_exports_equal_the_page_for_the_same_filters_over_all_pages(client, reviewer, region):
    schools = SchoolFactory.create_batch(30, region=region)
    for index, school in enumerate(schools):
        WarningFactory(school=school, value=index / 100, target=0.5,
                       severity=Severity.HIGH if index % 3 == 0 else Severity.MEDIUM)
    WarningFactory(school=schools[0], indicator="teacher_practice_rate")  # filtered out below
    query = {"indicator": "dual_qualified_ratio", "ordering": "-value"}
    first = page(client, reviewer, WARNINGS, query)
    second = page(client, reviewer, WARNINGS, {**query, "page": 2})
    view = first.context["view"]
    on_screen = [view.export_cells(r) for r in first.context["rows"] + second.context["rows"]]
    assert len(on_screen) == 30

    rows = csv_rows(client.get(WARNINGS_EXPORT, {**query, "format": "csv"}))
    assert rows[0][:6] == ["Subject level", "Subject", "Indicator", "Year", "Value", "Target"]
    assert rows[1:] == [["" if v is None else str(v) for v in cells] for cells in on_screen]
    assert rows[1][4] == "29 %" and rows[-1][4] == "0 %"

    workbook = xlsx_rows(client.get(WARNINGS_EXPORT, {**query, "format": "xlsx"}))
    assert workbook[1:] == [["" if v is None else v for v in cells] for cells in on_screen]
    assert workbook[1][-2:] == [0.29, 0.5]


def test_the_warning_export_escapes_formulas_and_keeps_chinese(client, reviewer, world):
    warning = world["a"]
    client.force_login(reviewer)
    client.post(acknowledge_url(warning), {"note": '=HYPERLINK("https://evil.example","点击")'})
    query = {"format": "csv", "status": "acknowledged"}
    response = client.get(WARNINGS_EXPORT, query, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese text
    assert 'attachment; filename="warnings-' in response["Content-Disposition"]
    [header, row] = csv_rows(response)
    assert row[1] == "甲职业技术学院" and row[2] == '"双师型"教师占专业课教师比例'
    assert row[10] == '\'=HYPERLINK("https://evil.example","点击")'

    response = client.get(WARNINGS_EXPORT, {**query, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    note = sheet.cell(row=2, column=11)
    assert note.data_type == "s" and note.value == '\'=HYPERLINK("https://evil.example","点击")'


def test_an_unknown_export_format_goes_back_to_the_list_with_a_message(client, reviewer, world):
    client.force_login(reviewer)
    response = client.get(WARNINGS_EXPORT, {"format": "pdf", "severity": "high"})
    assert response.status_code == 302 and response["Location"] == f"{WARNINGS}?severity=high"
    assert "CSV or XLSX" in client.get(response["Location"]).content.decode()


def test_the_page_links_its_exports_with_its_filters(client, reviewer, world):
    response = page(client, reviewer, WARNINGS, {"severity": "high", "page": "1"})
    links = dict(response.context["export_links"])
    assert links == {"CSV": f"{WARNINGS_EXPORT}?severity=high&format=csv",
                     "XLSX": f"{WARNINGS_EXPORT}?severity=high&format=xlsx"}


# --- query counts ---------------------------------------------------------------------------------


def _warnings_for(region, count):
    for school in SchoolFactory.create_batch(count, region=region):
        WarningFactory(school=school)
        program = ProgramFactory(school=school)
        WarningFactory(level=Level.PROGRAM, program=program, school=school, subject_key=f"program:{program.pk}")


def _recommendations_for(region, count, run):
    for school in SchoolFactory.create_batch(count, region=region):
        ProgramRecommendationFactory(run=run, program=ProgramFactory(school=school),
                                     recommendation=Recommendation.ENROLMENT_REDUCED, consecutive_years=2,
                                     history={"2024": ["no_partnership"], "2023": ["no_partnership"]})


def _queries(client, url, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [WARNINGS, WARNINGS_EXPORT])
def test_the_warning_list_and_export_cost_the_same_queries_for_2_and_12_schools(client, reviewer, region, url):
    client.force_login(reviewer)
    _warnings_for(region, 2)
    few = _queries(client, url, {"format": "csv", "region": region.code})
    _warnings_for(region, 10)
    many = _queries(client, url, {"format": "csv", "region": region.code})
    assert few == many


@pytest.mark.parametrize("url", [RECOMMENDATIONS, RECOMMENDATIONS_EXPORT])
def test_the_recommendation_list_and_export_cost_the_same_queries_for_2_and_12_schools(
        client, reviewer, region, url):
    client.force_login(reviewer)
    run = EvaluationRunFactory(year=2024)
    _recommendations_for(region, 2, run)
    few = _queries(client, url, {"format": "xlsx", "region": region.code})
    _recommendations_for(region, 10, run)
    many = _queries(client, url, {"format": "xlsx", "region": region.code})
    assert few == many


# --- program recommendations ----------------------------------------------------------------------


@pytest.fixture
def advice(region, city, school_a, school_b, other_reviewer):
    """Published advice for 2024 in the region (a suspended program of school A, a reduced one of a
    school in a city, a program of school B without advice), an unpublished run's, and one elsewhere."""
    run = EvaluationRunFactory(year=2024)
    older = EvaluationRunFactory(year=2023)
    draft = EvaluationRunFactory(year=2025, published=False, status=RunStatus.SUCCEEDED)
    city_school = SchoolFactory(region=city, name="丁职业学院", name_en="Polytechnic D")
    elsewhere = SchoolFactory(region=other_reviewer.region, name_en="Faraway College")
    robots = ProgramFactory(school=school_a, name="工业机器人技术", code="460305")
    return {
        "suspended": ProgramRecommendationFactory(
            run=run, program=robots, conditions=[Condition.LOW_PRACTICAL_SHARE, Condition.NO_PARTNERSHIP],
            consecutive_years=3, recommendation=Recommendation.SUSPENDED,
            history={"2024": ["low_practical_share", "no_partnership"], "2023": ["no_partnership"],
                     "2022": ["low_employment"]}),
        "reduced": ProgramRecommendationFactory(
            run=run, program=ProgramFactory(school=city_school, name="电子商务", code="530701"),
            conditions=[Condition.ENROLMENT_DROP], consecutive_years=2, recommendation=Recommendation.ENROLMENT_REDUCED,
            history={"2024": ["enrolment_drop"], "2023": ["low_employment"], "2022": []}),
        "none": ProgramRecommendationFactory(
            run=run, program=ProgramFactory(school=school_b), conditions=[], consecutive_years=0,
            recommendation=Recommendation.NONE, history={"2024": [], "2023": [], "2022": []}),
        "older": ProgramRecommendationFactory(
            run=older, program=robots, consecutive_years=2, recommendation=Recommendation.ENROLMENT_REDUCED,
            history={"2023": ["no_partnership"], "2022": ["low_employment"]}),
        "draft": ProgramRecommendationFactory(
            run=draft, program=robots, consecutive_years=3, recommendation=Recommendation.SUSPENDED),
        "elsewhere": ProgramRecommendationFactory(
            run=run, program=ProgramFactory(school=elsewhere), consecutive_years=3,
            recommendation=Recommendation.SUSPENDED),
    }


def test_the_recommendations_list_published_advice_to_reduce_or_suspend_by_default(client, reviewer, advice):
    response = page(client, reviewer, RECOMMENDATIONS)
    assert shown(response) == [advice["suspended"].pk, advice["reduced"].pk, advice["older"].pk]
    everything = page(client, reviewer, RECOMMENDATIONS, {"recommendation": "all"})
    assert set(shown(everything)) == {advice[k].pk for k in ("suspended", "reduced", "none", "older")}
    only_none = page(client, reviewer, RECOMMENDATIONS, {"recommendation": "none"})
    assert shown(only_none) == [advice["none"].pk]


def test_a_recommendation_row(client, reviewer, advice):
    response = page(client, reviewer, RECOMMENDATIONS, {"year": "2024", "recommendation": "suspended"})
    [row] = response.context["rows"]
    program = advice["suspended"].program
    assert row["program"] == "工业机器人技术 (460305)"
    assert row["program_url"] == optional_url("programs:program-detail", program.pk)
    assert (row["school"], row["year"], row["consecutive_years"]) == ("Polytechnic A", 2024, 3)
    assert row["conditions"] == ["practical teaching share below 50 %", "no partnership active in the year"]
    assert row["recommendation_label"] == "suspend enrolment"
    assert [(h["year"], h["count"]) for h in row["history"]] == [(2024, 2), (2023, 1), (2022, 1)]
    assert row["history"][2]["conditions"] == ["employment rate below its target"]
    content = response.content.decode()
    assert 'data-recommendation-value="suspended"' in content and "practice share" in content
    if row["program_url"]:
        assert f'href="{row["program_url"]}"' in content

    older = page(client, reviewer, RECOMMENDATIONS, {"year": "2023"}).context["rows"][0]
    assert [h["evaluated"] for h in older["history"]] == [True, True, False]  # 2021 was not evaluated

    chinese = page(client, reviewer, RECOMMENDATIONS, {"year": "2024", "recommendation": "suspended"},
                   HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.context["rows"][0]["school"] == "甲职业技术学院"


@pytest.mark.parametrize(("query", "keys"), [
    ({"year": "2023"}, {"older"}),
    ({"condition": "enrolment_drop"}, {"reduced"}),
    ({"condition": "no_partnership", "recommendation": "all"}, {"suspended", "older"}),
    ({"recommendation": "enrolment_reduced", "year": "2024"}, {"reduced"}),
    ({"search": "电子商务"}, {"reduced"}),
])
def test_the_recommendation_filters(client, reviewer, advice, query, keys):
    assert set(shown(page(client, reviewer, RECOMMENDATIONS, query))) == {advice[k].pk for k in keys}


def test_the_recommendation_school_and_region_filters(client, reviewer, region, city, school_a, advice):
    assert set(shown(page(client, reviewer, RECOMMENDATIONS, {"school": school_a.pk}))) == {
        advice["suspended"].pk, advice["older"].pk}
    assert shown(page(client, reviewer, RECOMMENDATIONS, {"region": city.code})) == [advice["reduced"].pk]
    response = page(client, reviewer, RECOMMENDATIONS)
    schools = [value for value, _label in response.context["filterset"].form.fields["school"].choices if value]
    assert len(schools) == 3  # school A, school B, the city's school; never the other province's


@pytest.mark.parametrize(("query", "field"), [
    ({"year": "abc"}, "year"),
    ({"school": "999999"}, "school"),
    ({"school": "x"}, "school"),
    ({"recommendation": "close"}, "recommendation"),
    ({"condition": "bad_weather"}, "condition"),
    ({"region": "12"}, "region"),
])
def test_a_bad_recommendation_filter_gives_a_message(client, reviewer, advice, query, field):
    response = page(client, reviewer, RECOMMENDATIONS, query)
    assert response.context["rows"] == [] and field in response.context["filterset"].form.errors
    assert 'data-testid="filters-invalid"' in response.content.decode()
    assert client.get(RECOMMENDATIONS_EXPORT, {**query, "format": "xlsx"}).status_code == 302


def test_a_school_outside_the_reviewers_view_is_no_choice(client, other_reviewer, school_a, advice):
    response = page(client, other_reviewer, RECOMMENDATIONS, {"school": school_a.pk})
    assert response.context["rows"] == [] and "school" in response.context["filterset"].form.errors


def test_recommendations_are_scoped(client, region, other_reviewer, college_admin_a, liaison, advice):
    assert shown(page(client, other_reviewer, RECOMMENDATIONS)) == [advice["elsewhere"].pk]
    rows = csv_rows(client.get(RECOMMENDATIONS_EXPORT, {"format": "csv", "region": region.code,
                                                        "recommendation": "all"}))
    assert len(rows) == 1  # the header only
    rows = csv_rows(client.get(RECOMMENDATIONS_EXPORT, {"format": "csv", "search": "工业机器人"}))
    assert len(rows) == 1

    mine = page(client, college_admin_a, RECOMMENDATIONS, {"recommendation": "all"})
    assert set(shown(mine)) == {advice["suspended"].pk, advice["older"].pk}
    rows = xlsx_rows(client.get(RECOMMENDATIONS_EXPORT, {"format": "xlsx", "recommendation": "all"}))
    assert {r[1] for r in rows[1:]} == {"Polytechnic A"}

    assert shown(page(client, liaison, RECOMMENDATIONS, {"recommendation": "all"})) == []


def test_the_recommendation_exports_equal_the_page(client, reviewer, advice):
    query = {"recommendation": "all", "ordering": "-consecutive"}
    response = page(client, reviewer, RECOMMENDATIONS, query)
    view = response.context["view"]
    on_screen = [view.export_cells(r) for r in response.context["rows"]]
    rows = csv_rows(client.get(RECOMMENDATIONS_EXPORT, {**query, "format": "csv"}))
    assert rows[0] == ["Program", "School", "Year", "Conditions", "Consecutive years", "Recommendation",
                       "Conditions in year Y", "Conditions in year Y−1", "Conditions in year Y−2"]
    assert rows[1:] == [[str(v) for v in cells] for cells in on_screen]
    suspended = next(r for r in rows if r[0] == "工业机器人技术 (460305)" and r[2] == "2024")
    assert suspended[3:] == ["practical teaching share below 50 %; no partnership active in the year", "3",
                             "suspend enrolment", "practical teaching share below 50 %; no partnership active in "
                             "the year", "no partnership active in the year", "employment rate below its target"]
    older = next(r for r in rows if r[2] == "2023")
    assert older[-1] == "not evaluated"
    none = next(r for r in rows if r[5] == "none")
    assert none[-3:] == ["none", "none", "none"]
    assert xlsx_rows(client.get(RECOMMENDATIONS_EXPORT, {**query, "format": "xlsx"}))[1:] == on_screen


def test_the_recommendation_export_escapes_formulas(client, platform_admin, school_a):
    run = EvaluationRunFactory(year=2024)
    ProgramRecommendationFactory(run=run, program=ProgramFactory(school=school_a, name="=1+2", code="460999"),
                                 recommendation=Recommendation.SUSPENDED, consecutive_years=3)
    client.force_login(platform_admin)
    [_header, row] = csv_rows(client.get(RECOMMENDATIONS_EXPORT, {"format": "csv"}))
    assert row[0] == "'=1+2 (460999)"
    [_header, row] = xlsx_rows(client.get(RECOMMENDATIONS_EXPORT, {"format": "xlsx"}))
    assert row[0] == "'=1+2 (460999)"


def test_warnings_without_a_value_sort_last_both_ways(client, reviewer, school_a, world):
    empty = WarningFactory(school=school_a, indicator="employment_rate", value=None, target=0.85)
    assert shown(page(client, reviewer, WARNINGS, {"ordering": "value"}))[-1] == empty.pk
    assert shown(page(client, reviewer, WARNINGS, {"ordering": "-value"}))[-1] == empty.pk
    row = next(r for r in page(client, reviewer, WARNINGS).context["rows"] if r["pk"] == empty.pk)
    assert row["value"] == "—"
