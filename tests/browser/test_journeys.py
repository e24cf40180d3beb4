"""The two everyday journeys of issue 5, in a real browser, in English and in Chinese:

- a college administrator adds a course and sees the program's practical share change (live while
  typing, then on the program page), then proposes a partnership to an enterprise;
- the enterprise's liaison accepts that proposal, posts a project and opens it, and verifies a
  teacher placement hosted by the enterprise.

No console errors are allowed; screenshots are kept under test-artifacts/ (one per step and language).
"""
from __future__ import annotations

import datetime

import pytest

from partnerships.models import EnterpriseProject, Partnership
from portal.models import Enterprise, Region, School, Sector, User
from portal.tests.factories import credit_code
from programs.models import Course, Program, Teacher, TeacherPlacement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass-Word-123"
LOCALES = {"en": "en-US", "zh": "zh-CN"}


@pytest.fixture
def world(db):
    province = Region.objects.get_or_create(
        code="440000", defaults={"name": "广东省", "name_en": "Guangdong", "level": "province"})[0]
    sector = Sector.objects.get_or_create(code="C36", defaults={"name": "汽车制造业", "name_en": "Automobiles"})[0]
    school = School.objects.create(name="广东交通职业技术学院", name_en="Guangdong Communication Polytechnic",
                                   code="4144012345", level="higher_vocational", region=province)
    enterprise = Enterprise.objects.create(name="广州华驰新能源汽车股份有限公司", name_en="Huachi NEV",
                                           credit_code=credit_code(1, "440100"), region=province, sector=sector,
                                           size="large")
    program = Program.objects.create(school=school, code="460702", name="新能源汽车技术", sector=sector,
                                     established_year=2018)
    Course.objects.create(program=program, code="C01", name="电工电子基础", theory_hours=30, practice_hours=10)
    teacher = Teacher.objects.create(school=school, name="王老师", staff_no="T001", employment="full_time",
                                     professional=True)
    placement = TeacherPlacement.objects.create(
        teacher=teacher, enterprise=enterprise, start_date=datetime.date(2025, 7, 1),
        end_date=datetime.date(2025, 7, 31), activity="post_practice")
    User.objects.create_user("college", password=PASSWORD, role="college_admin", school=school)
    User.objects.create_user("liaison", password=PASSWORD, role="enterprise_liaison", enterprise=enterprise)
    return {"program": program, "enterprise": enterprise, "placement": placement}


@pytest.fixture(params=list(LOCALES))
def lang_page(request, browser, live_server):
    """A page in the browser language of the parameter, collecting console errors."""
    context = browser.new_context(locale=LOCALES[request.param], viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.lang = request.param
    yield page
    context.close()


def shot(page, name: str) -> None:
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"journey-{page.lang}-{name}.png"), full_page=True, timeout=60_000)


def log_in(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_college_proposes_and_liaison_accepts_posts_a_project_and_verifies(lang_page, live_server, world):
    page, program = lang_page, world["program"]
    url = live_server.url

    # The college administrator adds a course; the practical share follows the hours typed.
    log_in(page, live_server, "college")
    page.goto(f"{url}/teaching/programs/{program.pk}/")
    assert page.inner_text("[data-testid=practical-share]").strip() == "25 %"  # 10 of 40 hours
    shot(page, "1-program")
    page.click(f"a[href='/teaching/programs/{program.pk}/courses/add/']")
    page.fill("#id_code", "C02")
    page.fill("#id_name", "整车实训")
    page.fill("#id_theory_hours", "10")
    page.fill("#id_practice_hours", "30")
    assert page.inner_text("[data-share-value]").strip() == "50 %"  # (10 + 30) of (40 + 40), before saving
    shot(page, "2-course-form")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{url}/teaching/programs/{program.pk}/#courses")
    assert page.inner_text("[data-testid=practical-share]").strip() == "50 %"
    assert Course.objects.filter(program=program).count() == 2

    # … then proposes a partnership to the enterprise.
    page.goto(f"{url}/cooperation/partnerships/propose/")
    page.select_option("#id_enterprise", str(world["enterprise"].pk))
    page.fill("#id_title", "新能源汽车订单班")
    page.check("input[name=kinds][value=order_class]")
    page.check(f"input[name=programs][value='{program.pk}']")
    page.fill("#id_start_date", "2025-09-01")
    shot(page, "3-propose")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("[data-testid=status]")
    partnership = Partnership.objects.get(title="新能源汽车订单班")
    assert partnership.status == "proposed"
    shot(page, "4-proposed")

    # The liaison accepts that proposal.
    log_in(page, live_server, "liaison")
    page.goto(f"{url}/cooperation/partnerships/")
    page.click(f"a[href='/cooperation/partnerships/{partnership.pk}/']")
    page.click(f"form[action='/cooperation/partnerships/{partnership.pk}/accept/'] button")
    page.wait_for_selector(".message")
    partnership.refresh_from_db()
    assert partnership.status == "active"
    shot(page, "5-accepted")

    # … posts a project (a draft) and opens it to colleges.
    page.goto(f"{url}/cooperation/projects/add/")
    page.fill("#id_title", "电池包检测线数据分析")
    page.fill("#id_summary", "基于真实产线数据的检测分析项目")
    page.select_option("#id_sector", str(program.sector_id))
    page.fill("#id_capacity", "30")
    page.fill("#id_start_date", "2025-10-01")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("[data-testid=project-status]")
    project = EnterpriseProject.objects.get(title="电池包检测线数据分析")
    assert project.status == "draft"
    page.click("form[action$='/status/']:has(input[value=open]) button")
    page.wait_for_selector(".message")
    project.refresh_from_db()
    assert project.status == "open"
    shot(page, "6-project-open")

    # … and verifies the teacher placement it hosted.
    page.goto(f"{url}/teaching/placements/")
    page.click(f"form[action='/teaching/placements/{world['placement'].pk}/verify/'] button")
    page.wait_for_selector(".message")
    world["placement"].refresh_from_db()
    assert world["placement"].verified
    shot(page, "7-verified")

    assert page.console_errors == []
