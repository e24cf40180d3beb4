"""The audit trail in a real browser: a college administrator changes a program; the region's
reviewer sees who changed what on the program's page and on its history page. No console errors;
screenshots under test-artifacts/ (history-*.png)."""
from __future__ import annotations

import pytest

from portal.models import Region, School, Sector, User
from programs.models import Course, Program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass-Word-123"


@pytest.fixture
def world(db):
    province = Region.objects.get_or_create(
        code="440000", defaults={"name": "广东省", "name_en": "Guangdong", "level": "province"})[0]
    sector = Sector.objects.get_or_create(code="C36", defaults={"name": "汽车制造业", "name_en": "Automobiles"})[0]
    school = School.objects.create(name="广东交通职业技术学院", name_en="Guangdong Communication Polytechnic",
                                   code="4144012345", level="higher_vocational", region=province)
    program = Program.objects.create(school=school, code="460702", name="新能源汽车技术", sector=sector,
                                     established_year=2018)
    Course.objects.create(program=program, code="C01", name="电工电子基础", theory_hours=30, practice_hours=10)
    User.objects.create_user("college", password=PASSWORD, role="college_admin", school=school,
                             first_name="Li", last_name="Hua")
    User.objects.create_user("reviewer", password=PASSWORD, role="gov_reviewer", region=province)
    return {"program": program}


def log_in(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_the_reviewer_sees_who_changed_a_program_and_how(page, live_server, world, screenshot):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    program = world["program"]
    log_in(page, live_server, "college")
    page.goto(f"{live_server.url}/teaching/programs/{program.pk}/edit/")
    assert page.locator("#history").count() == 0 and "History" not in page.inner_text("main")
    page.fill("#id_name", "新能源汽车技术（智能网联）")
    page.select_option("#id_status", "warning")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/teaching/programs/{program.pk}/")
    assert page.locator("#history").count() == 0  # a college administrator does not read the trail

    log_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/teaching/programs/{program.pk}/")
    section = page.locator("#history")
    assert "Li Hua" in section.inner_text()
    assert "新能源汽车技术 → 新能源汽车技术（智能网联）" in section.inner_text()
    assert "Status: active → under warning" in section.inner_text()  # choices by their labels
    screenshot("history-program-page")
    section.get_by_role("link", name="Full history").click()
    page.wait_for_url(f"{live_server.url}/history/programs/program/{program.pk}/")
    rows = page.locator("table.history tbody tr")
    assert rows.count() == 2
    assert "changed" in rows.nth(0).inner_text() and "created" in rows.nth(1).inner_text()
    screenshot("history-page")
    assert errors == []
