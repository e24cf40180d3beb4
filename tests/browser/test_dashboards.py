"""The reviewer's dashboard in a real browser, in English and in Chinese: the charts are drawn with
data, sorting and filtering change the ranking, a value leads to the records behind it, and an
evaluation run started from the page shows its progress bar reaching 100 % before the page reloads
with the new values. No console errors; screenshots under test-artifacts/ (dashboard-<lang>-*.png).

The data are small and hand-built, evaluated by real runs (evaluation.runs.run_now) for 2024 and
2025: province 440000 with two cities, five schools whose practical shares differ.
"""
from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from evaluation import runs
from evaluation.models import EvaluationRun
from evaluation.tests.world import partnership, program_year
from partnerships.tests.factories import TalentDemandFactory
from portal.models import Region, School, User
from portal.tests.factories import EnterpriseFactory, SectorFactory
from programs.tests.factories import CourseFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass-Word-123"
LOCALES = {"en": "en-US", "zh": "zh-CN"}

# (name, English name, code, city, theory hours, practice hours, graduates, employed)
SCHOOLS = [
    ("广州工程职业技术学院", "Guangzhou Engineering Polytechnic", "4144010001", "440100", 30, 10, 60, 45),
    ("广州城市职业学院", "Guangzhou City Polytechnic", "4144010002", "440100", 20, 30, 80, 76),
    ("广州交通技师学院", "Guangzhou Transport Technician College", "4144010003", "440100", 10, 40, 40, 38),
    ("深圳职业技术大学", "Shenzhen Polytechnic University", "4144030001", "440300", 15, 25, 120, 110),
    ("深圳信息职业技术学院", "Shenzhen Institute of Information Technology", "4144030002", "440300", 35, 15, 70, 50),
]


@pytest.fixture
def world(db):
    # The reference data may already hold these regions and the sector (data migrations).
    province = Region.objects.update_or_create(
        code="440000", defaults={"name": "广东省", "name_en": "Guangdong", "level": "province", "parent": None})[0]
    cities = {
        code: Region.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "level": "prefecture", "parent": province})[0]
        for code, name, name_en in (("440100", "广州市", "Guangzhou"), ("440300", "深圳市", "Shenzhen"))
    }
    sector = SectorFactory(code="C36", name="汽车制造业", name_en="Automobile manufacturing")
    enterprise = EnterpriseFactory(region=cities["440100"], sector=sector, name="广州华驰新能源汽车股份有限公司")
    programs = []
    for name, name_en, code, city, theory, practice, graduates, employed in SCHOOLS:
        school = School.objects.create(name=name, name_en=name_en, code=code, level="higher_vocational",
                                       region=cities[city])
        program = ProgramFactory(school=school, sector=sector, name="新能源汽车技术")
        CourseFactory(program=program, theory_hours=theory, practice_hours=practice)
        program_year(program, year=2024, graduates=graduates, employed=employed - 5, students=200)
        program_year(program, graduates=graduates, employed=employed, students=200)
        programs.append(program)
    partnership(programs[0].school, enterprise, programs=[programs[0]])
    TalentDemandFactory(enterprise=enterprise, sector=sector, region=province, headcount=300, year=2025)
    runs.run_now(2024)
    CourseFactory(program=programs[0], theory_hours=0, practice_hours=30)  # the first school improves
    runs.run_now(2025)
    User.objects.create_user("reviewer", password=PASSWORD, role="gov_reviewer", region=province)
    return {"province": province, "cities": cities}


@pytest.fixture(params=list(LOCALES))
def lang_page(request, browser, live_server):
    """A page in the browser language of the parameter, collecting console errors."""
    context = browser.new_context(locale=LOCALES[request.param], viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.lang = request.param
    yield page
    context.close()


def shot(page, name: str, *, full_page: bool = True) -> None:
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{page.lang}-{name}.png"), full_page=full_page, timeout=60_000)


def log_in(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def first_school(page) -> str:
    return page.inner_text("[data-testid=ranking] tbody tr:first-child th a").strip()


CHARTS_DRAWN = """() => Array.from(document.querySelectorAll('canvas[data-chart]')).map(canvas => {
    const chart = window.Chart && window.Chart.getChart(canvas);
    return {id: canvas.dataset.chart, points: chart ? chart.data.datasets[0].data.filter(v => v !== null).length : 0,
            size: canvas.toDataURL().length};
})"""


def test_reviewer_dashboard_charts_ranking_drill_down_and_run(lang_page, live_server, world, celery_eager):
    celery_eager(True)  # without a broker the portal runs tasks in-process; so does this test
    page, url = lang_page, live_server.url
    log_in(page, live_server, "reviewer")
    page.goto(f"{url}/evaluation/dashboard/")
    page.wait_for_selector("[data-testid=dashboard]")
    assert page.get_attribute("html", "lang") == ("zh-hans" if page.lang == "zh" else "en")

    # The charts are drawn, each with data.
    page.wait_for_function("() => document.querySelectorAll('canvas[data-chart]').length >= 5 && !!window.Chart")
    charts = page.evaluate(CHARTS_DRAWN)
    assert {c["id"] for c in charts} == {"distribution", "trend", "subregions", "supply", "participation"}
    for c in charts:
        assert c["points"] > 0, c
        assert c["size"] > 5000, c  # a blank canvas is a few hundred bytes
    # The cards read the stored values: the province pools 150 of 260 practice hours (57.7 %), above 50 %.
    assert page.inner_text("[data-indicator=practical_hours_share] .indicator__value").strip() == "57.7 %"
    assert "indicator--meets" in page.get_attribute("[data-indicator=practical_hours_share]", "class")
    shot(page, "1-region")

    # Sorting and filtering change the ranking.
    by_name = first_school(page)
    page.click("th[data-sort-key=practical_hours_share] a")
    page.wait_for_url("**sort=practical_hours_share**")
    best = first_school(page)
    assert best == "广州交通技师学院"  # 40 of 50 practice hours: 80 %
    page.click("th[data-sort-key=practical_hours_share] a")  # again: ascending
    page.wait_for_url("**dir=asc**")
    worst = first_school(page)
    assert worst == "深圳信息职业技术学院"  # 15 of 50: 30 %
    assert len({by_name, best, worst}) >= 2
    page.select_option("#rank-subregion", "440300")
    page.click("#ranking form button[type=submit]")
    page.wait_for_url("**subregion=440300**")
    assert page.locator("[data-testid=ranking] tbody tr").count() == 2
    assert first_school(page) == "深圳信息职业技术学院"
    page.fill("#rank-search", "职业技术大学")
    page.click("#ranking form button[type=submit]")
    page.wait_for_url("**search=**")
    assert page.locator("[data-testid=ranking] tbody tr").count() == 1
    assert first_school(page) == "深圳职业技术大学"
    shot(page, "2-ranking-filtered")

    # A school's dashboard from the ranking, then back up through the breadcrumbs.
    page.click("[data-testid=ranking] tbody tr:first-child th a")
    page.wait_for_url("**school=**")
    page.wait_for_selector("canvas[data-chart=trend]")
    shot(page, "3-school")
    page.click("nav.breadcrumbs a >> nth=0")
    page.wait_for_url("**region=440000**")

    # An evaluation run started from the page: its progress bar reaches 100 %, then the page reloads.
    before = EvaluationRun.objects.filter(year=2025).count()
    page.click("[data-testid=run-start]")
    page.wait_for_selector("progress[data-run-bar][value='100']", state="attached")
    assert page.inner_text("[data-run-percent]").strip() == "100 %"
    shot(page, "4-run-100", full_page=False)
    page.wait_for_url(lambda u: "run=" not in u, timeout=20_000)
    page.wait_for_selector("[data-testid=last-run]")
    assert "100 %" in page.inner_text("[data-testid=last-run]")
    assert EvaluationRun.objects.filter(year=2025).count() == before + 1
    assert EvaluationRun.objects.filter(year=2025, published=True).get().requested_by.username == "reviewer"
    page.wait_for_function("() => document.querySelectorAll('canvas[data-chart]').length >= 5")
    shot(page, "5-after-run")

    assert page.console_errors == []

    # A value leads to the records behind it (the records page is built by another part of issue 6).
    try:
        reverse("evaluation:records", args=["practical_hours_share", "school", 1, 2025])
    except NoReverseMatch:
        pytest.skip("evaluation:records does not exist yet: the drill-down to the records was not checked")
    page.click("[data-testid=ranking] tbody tr:first-child [data-key=practical_hours_share] a")
    page.wait_for_url("**/evaluation/records/practical_hours_share/school/**")
    assert page.locator("table").count() >= 1
    shot(page, "6-records")
    assert page.console_errors == []
