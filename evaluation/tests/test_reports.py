"""The annual report: one school's or one region's year as a printable page and as a PDF. Values are
the stored ones of published runs (expected figures below are worked out by hand from the rows the
tests create); each persona reports only on what lies in their scope (404 otherwise); a region's
report costs the same queries for 2 schools as for 12."""
from __future__ import annotations

import datetime
import io
import sys
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import override

from evaluation.choices import Level, Recommendation, RunStatus, Severity, WarningStatus
from evaluation.reports import format_change, sparkline
from evaluation.tests.factories import (
    EvaluationRunFactory,
    IndicatorValueFactory,
    ProgramRecommendationFactory,
    WarningFactory,
)
from partnerships.choices import ContributionParty, PartnershipKind, PartnershipStatus
from partnerships.tests.factories import ContributionFactory, PartnershipFactory
from portal.tests.factories import RegionFactory, SchoolFactory
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(db):
    return {year: EvaluationRunFactory(year=year) for year in (2023, 2024, 2025)}


@pytest.fixture
def school_values(runs, school_a):
    """School A: dual-qualified ratio 5 of 8 in 2025 (62.5 %), 4 of 8 in 2024 (50 %), 3 of 8 in
    2023 (37.5 %); employment 45 of 50 in 2025 (90 %); enterprise contributions ¥1,234,567."""
    for year, numerator in ((2023, 3), (2024, 4), (2025, 5)):
        IndicatorValueFactory(run=runs[year], school=school_a, indicator="dual_qualified_ratio",
                              numerator=numerator, denominator=8, value=numerator / 8, target=0.5)
    IndicatorValueFactory(run=runs[2025], school=school_a, indicator="employment_rate",
                          numerator=45, denominator=50, value=0.9, target=0.85)
    IndicatorValueFactory(run=runs[2025], school=school_a, indicator="enterprise_contribution",
                          numerator=1234567, denominator=None, value=1234567.0, target=None)


def get(client, user, url_name, *args, query=""):
    client.force_login(user)
    return client.get(reverse(f"evaluation:{url_name}", args=args) + query)


def needs_weasyprint() -> None:
    """Skip where WeasyPrint or the pango library it loads is missing (the view answers 503 there)."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        pytest.skip(f"WeasyPrint is not usable here: {exc}")


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- the school report ----------------------------------------------------------------------------


def test_a_college_admin_reads_their_schools_report_with_values_targets_and_changes(
        client, college_admin_a, school_a, school_values):
    response = get(client, college_admin_a, "school-report", school_a.pk, 2025)

    assert response.status_code == 200
    html = response.content.decode()
    assert "甲职业技术学院" in html
    assert "2025–2026" in html
    # dual-qualified ratio: 62.5 % against ≥ 50 %, 50 % last year, +12.5 percentage points
    assert 'data-testid="value-dual_qualified_ratio">62.5 %<' in html
    assert "≥ 50 %" in html and "+12.5 pp" in html
    assert 'data-testid="value-employment_rate">90 %<' in html
    assert 'data-testid="value-enterprise_contribution">¥1,234,567<' in html
    # the trend figures behind the sparkline: 37.5 %, 50 %, 62.5 %
    trend_row = html.split("Trend over the years")[1]
    assert trend_row.index("37.5 %") < trend_row.index("50 %") < trend_row.index("62.5 %")
    assert '<svg class="spark"' in html and 'data-indicator="dual_qualified_ratio"' in html
    assert "portal/print.css" in html and 'media="print"' in html


def test_a_report_reads_only_published_runs(client, college_admin_a, school_a, runs):
    failed = EvaluationRunFactory(year=2025, status=RunStatus.FAILED, published=False)
    IndicatorValueFactory(run=failed, school=school_a, indicator="dual_qualified_ratio", value=0.99,
                          numerator=99, denominator=100)
    IndicatorValueFactory(run=runs[2025], school=school_a, indicator="dual_qualified_ratio", value=0.25,
                          numerator=1, denominator=4)

    html = get(client, college_admin_a, "school-report", school_a.pk, 2025).content.decode()

    assert 'data-testid="value-dual_qualified_ratio">25 %<' in html
    assert "99 %" not in html


def test_the_school_report_lists_warnings_advice_and_partnerships_with_their_depth(
        client, reviewer, school_a, enterprise, runs):
    program = ProgramFactory(school=school_a, name="工业机器人技术", code="460305")
    WarningFactory(school=school_a, year=2025, severity=Severity.HIGH, indicator="employment_rate",
                   value=0.4, target=0.85)
    WarningFactory(school=school_a, year=2025, severity=Severity.MEDIUM, status=WarningStatus.ACKNOWLEDGED,
                   note="已制定整改计划")
    WarningFactory(school=school_a, year=2025, status=WarningStatus.RESOLVED, indicator="order_class_share")
    ProgramRecommendationFactory(run=runs[2025], program=program, recommendation=Recommendation.SUSPENDED,
                                 consecutive_years=3)
    deep = PartnershipFactory(school=school_a, enterprise=enterprise, status=PartnershipStatus.ACTIVE,
                              title="产业学院共建协议", start_date=datetime.date(2024, 9, 1),
                              kinds=[PartnershipKind.INDUSTRY_COLLEGE, PartnershipKind.INTERNSHIP_BASE])
    ContributionFactory(partnership=deep, party=ContributionParty.ENTERPRISE, value=Decimal("300000"),
                        date=datetime.date(2025, 10, 1))
    ContributionFactory(partnership=deep, party=ContributionParty.SCHOOL, value=Decimal("50000"),
                        date=datetime.date(2026, 3, 1))
    ContributionFactory(partnership=deep, party=ContributionParty.ENTERPRISE, value=Decimal("999999"),
                        date=datetime.date(2024, 10, 1))  # another year
    PartnershipFactory(school=school_a, enterprise=enterprise, status=PartnershipStatus.ENDED,
                       title="实习基地协议", start_date=datetime.date(2023, 9, 1),
                       end_date=datetime.date(2025, 12, 31), kinds=[PartnershipKind.INTERNSHIP_BASE])
    PartnershipFactory(school=school_a, enterprise=enterprise, title="尚未接受的提议",
                       start_date=datetime.date(2025, 9, 1))  # proposed: not cooperation

    html = get(client, reviewer, "school-report", school_a.pk, 2025).content.decode()

    assert 'data-testid="warning-count">2<' in html
    assert "已制定整改计划" in html
    assert "工业机器人技术" in html and "suspend enrolment" in html
    assert 'data-testid="partnership-count">2<' in html
    assert "产业学院共建协议" in html and "实习基地协议" in html and "尚未接受的提议" not in html
    deep_row = html.split("产业学院共建协议")[1].split("</tr>")[0]
    assert "deep" in deep_row and "¥50,000" in deep_row and "¥300,000" in deep_row and "¥350,000" in deep_row
    assert "¥999,999" not in html
    shallow_row = html.split("实习基地协议")[1].split("</tr>")[0]
    assert "shallow" in shallow_row


def test_the_report_is_in_the_language_of_the_request(client, college_admin_a, school_a, school_values):
    client.cookies["django_language"] = "zh-hans"
    html = get(client, college_admin_a, "school-report", school_a.pk, 2025).content.decode()

    assert '"双师型"教师占专业课教师比例' in html or "&quot;双师型&quot;教师占专业课教师比例" in html
    assert 'lang="zh-hans"' in html


# --- the PDF --------------------------------------------------------------------------------------


def test_the_school_report_pdf_holds_the_schools_name_and_its_values(
        client, college_admin_a, school_a, school_values):
    needs_weasyprint()

    response = get(client, college_admin_a, "school-report", school_a.pk, 2025, query="?format=pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"annual-report-{school_a.code}-2025.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "甲职业技术学院" in text
    assert "62.5 %" in text and "90 %" in text and "¥1,234,567" in text
    assert "Log out" not in text and "Download PDF" not in text


def test_the_region_report_pdf_in_chinese(client, reviewer, region, school_a, school_values, runs):
    needs_weasyprint()
    IndicatorValueFactory(run=runs[2025], level=Level.REGION, school=None, region=region,
                          indicator="employment_rate", numerator=450, denominator=500, value=0.9, target=0.85)
    client.cookies["django_language"] = "zh-hans"

    response = get(client, reviewer, "region-report", region.code, 2025, query="?format=pdf")

    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "测试省" in text and "甲职业技术学院" in text
    assert "毕业去向落实率" in text and "90 %" in text


def test_without_weasyprint_the_pdf_answers_503_and_the_page_still_works(
        client, college_admin_a, school_a, school_values, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint → ImportError

    response = get(client, college_admin_a, "school-report", school_a.pk, 2025, query="?format=pdf")

    assert response.status_code == 503
    assert "PDF generation is not available on this server (WeasyPrint/pango missing)" in response.content.decode()
    assert get(client, college_admin_a, "school-report", school_a.pk, 2025).status_code == 200


# --- scoping --------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?format=pdf"])
def test_a_reviewer_of_another_province_gets_404_for_school_and_region_reports(
        client, other_reviewer, region, school_a, school_values, query):
    assert get(client, other_reviewer, "school-report", school_a.pk, 2025, query=query).status_code == 404
    assert get(client, other_reviewer, "region-report", region.code, 2025, query=query).status_code == 404


@pytest.mark.parametrize("query", ["", "?format=pdf"])
def test_a_college_admin_gets_404_for_another_school_and_for_regions(
        client, college_admin_b, region, school_a, school_values, query):
    assert get(client, college_admin_b, "school-report", school_a.pk, 2025, query=query).status_code == 404
    assert get(client, college_admin_b, "region-report", region.code, 2025, query=query).status_code == 404


def test_a_liaison_has_no_reports(client, liaison, region, school_a, school_values):
    assert get(client, liaison, "school-report", school_a.pk, 2025).status_code == 404
    assert get(client, liaison, "region-report", region.code, 2025).status_code == 404


def test_a_reviewer_reads_reports_of_sub_regions_but_not_of_the_province_above(client, runs):
    province = RegionFactory()
    city = RegionFactory(prefecture=True, parent=province)
    school = SchoolFactory(region=city)
    city_reviewer = reviewer_of(city)

    assert get(client, city_reviewer, "region-report", city.code, 2025).status_code == 200
    assert get(client, city_reviewer, "school-report", school.pk, 2025).status_code == 200
    assert get(client, city_reviewer, "region-report", province.code, 2025).status_code == 404


def reviewer_of(region):
    from portal.tests.factories import ReviewerFactory

    return ReviewerFactory(region=region)


def test_the_platform_admin_reads_every_report(client, platform_admin, region, school_a, school_values):
    assert get(client, platform_admin, "school-report", school_a.pk, 2025).status_code == 200
    assert get(client, platform_admin, "region-report", region.code, 2025).status_code == 200


def test_anonymous_users_are_sent_to_the_login(client, school_a, runs):
    response = client.get(reverse("evaluation:school-report", args=[school_a.pk, 2025]))
    assert response.status_code == 302 and "login" in response["Location"]


# --- the region report ----------------------------------------------------------------------------


def test_the_region_report_shows_pooled_values_ranked_schools_and_sub_regions(client, reviewer, region, runs):
    city = RegionFactory(prefecture=True, parent=region, name="测试市", name_en="Test City")
    strong = SchoolFactory(region=city, name="强职业技术学院")
    weak = SchoolFactory(region=region, name="弱职业技术学院")
    for school, employed in ((strong, 48), (weak, 30)):
        IndicatorValueFactory(run=runs[2025], school=school, indicator="employment_rate",
                              numerator=employed, denominator=50, value=employed / 50, target=0.85)
    IndicatorValueFactory(run=runs[2025], level=Level.REGION, school=None, region=region,
                          indicator="employment_rate", numerator=78, denominator=100, value=0.78, target=0.85)
    IndicatorValueFactory(run=runs[2024], level=Level.REGION, school=None, region=region,
                          indicator="employment_rate", numerator=80, denominator=100, value=0.8, target=0.85)
    IndicatorValueFactory(run=runs[2025], level=Level.REGION, school=None, region=city,
                          indicator="employment_rate", numerator=48, denominator=50, value=0.96, target=0.85)

    html = get(client, reviewer, "region-report", region.code, 2025).content.decode()

    assert 'data-testid="value-employment_rate">78 %<' in html
    assert "−2 pp" in html  # 78 % − 80 %
    ranking = html.split('id="schools-title"')[1].split("</table>")[0]
    assert ranking.index("强职业技术学院") < ranking.index("弱职业技术学院")
    assert "96 %" in ranking and "60 %" in ranking
    subregions = html.split('id="subregions-title"')[1].split("</table>")[0]
    assert "Test City" in subregions and "96 %" in subregions


def make_schools(region, run, count: int) -> None:
    enterprise_region = region
    for index in range(count):
        school = SchoolFactory(region=region)
        for key in ("employment_rate", "dual_qualified_ratio"):
            IndicatorValueFactory(run=run, school=school, indicator=key, numerator=index, denominator=20,
                                  value=index / 20, target=0.5)
        WarningFactory(school=school, year=run.year)
        program = ProgramFactory(school=school)
        ProgramRecommendationFactory(run=run, program=program, recommendation=Recommendation.ENROLMENT_REDUCED)
        partnership = PartnershipFactory(school=school, status=PartnershipStatus.ACTIVE,
                                         enterprise__region=enterprise_region,
                                         kinds=[PartnershipKind.JOINT_RND], programs=[program])
        ContributionFactory(partnership=partnership, date=datetime.date(run.year, 10, 1))


def count_queries(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_name", ["region-report", "school-report"])
def test_a_report_costs_the_same_queries_for_2_schools_as_for_12(client, runs, url_name):
    small, large = RegionFactory(), RegionFactory()
    make_schools(small, runs[2025], 2)
    make_schools(large, runs[2025], 12)
    from portal.tests.factories import PlatformAdminFactory

    admin = PlatformAdminFactory()

    def url(region):
        if url_name == "region-report":
            return reverse("evaluation:region-report", args=[region.code, 2025])
        return reverse("evaluation:school-report", args=[region.schools.first().pk, 2025])

    assert count_queries(client, admin, url(small)) == count_queries(client, admin, url(large))


def test_a_report_for_a_year_without_a_published_run_says_so(client, college_admin_a, school_a, runs):
    html = get(client, college_admin_a, "school-report", school_a.pk, 2019).content.decode()
    assert "No evaluation has been published for 2019–2020" in html


# --- the index ------------------------------------------------------------------------------------


def test_a_college_admin_sees_their_schools_report_years(client, college_admin_a, school_a, school_b, runs):
    html = get(client, college_admin_a, "report-index").content.decode()

    assert "甲职业技术学院" in html and "乙职业技术学院" not in html
    for year in (2023, 2024, 2025):
        assert reverse("evaluation:school-report", args=[school_a.pk, year]) in html


def test_a_reviewer_sees_their_region_its_sub_regions_and_schools(
        client, reviewer, region, school_a, school_b, runs):
    city = RegionFactory(prefecture=True, parent=region)
    elsewhere = SchoolFactory(name="外省职业技术学院")

    html = get(client, reviewer, "report-index", query="?year=2024").content.decode()

    assert reverse("evaluation:region-report", args=[region.code, 2024]) in html
    assert reverse("evaluation:region-report", args=[city.code, 2024]) in html
    assert reverse("evaluation:school-report", args=[school_b.pk, 2024]) in html
    assert "外省职业技术学院" not in html and str(elsewhere.region.code) not in html


def test_the_platform_admin_picks_a_region_or_school(client, platform_admin, region, school_a, runs):
    html = get(client, platform_admin, "report-index").content.decode()
    assert 'name="region"' in html and 'name="school"' in html

    response = get(client, platform_admin, "report-index", query=f"?year=2024&school={school_a.pk}")
    assert response["Location"] == reverse("evaluation:school-report", args=[school_a.pk, 2024])
    response = get(client, platform_admin, "report-index", query=f"?year=2025&region={region.code}")
    assert response["Location"] == reverse("evaluation:region-report", args=[region.code, 2025])


def test_picking_an_out_of_scope_subject_answers_404(client, other_reviewer, region, school_a, runs):
    assert get(client, other_reviewer, "report-index", query=f"?school={school_a.pk}").status_code == 404
    assert get(client, other_reviewer, "report-index", query=f"?region={region.code}").status_code == 404


# --- the pieces -----------------------------------------------------------------------------------


def test_a_change_reads_in_percentage_points_money_or_plain_numbers():
    with override("en"):
        assert format_change("ratio", 0.125) == "+12.5 pp"
        assert format_change("ratio", -0.02) == "−2 pp"
        assert format_change("ratio", 0.0001) == "±0 pp"
        assert format_change("cny", -4215600.0) == "−¥4,215,600"
        assert format_change("score", 0.5) == "+0.50"
        assert format_change("count", None) == "—"


def test_a_sparkline_spans_its_box_and_skips_missing_years():
    spark = sparkline([0.2, None, 0.6], target=0.5, unit="ratio")

    assert spark["points"] == "4.0,30.0 116.0,4.0"  # lowest at the bottom, highest at the top
    assert spark["target_y"] == 10.5  # 0.5 on the 0.2 … 0.6 axis
    assert sparkline([None, None]) is None
