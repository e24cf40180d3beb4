"""A person logs in, lands on their home page, switches to Chinese, and (platform admin) reaches the admin."""
from __future__ import annotations

import pytest

from portal.models import Region, School, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass-Word-123"


@pytest.fixture
def college_admin(db):
    province = Region.objects.get_or_create(code="440000", defaults={"name": "广东省", "name_en": "Guangdong", "level": "province"})[0]
    school = School.objects.create(
        name="广东交通职业技术学院", name_en="Guangdong Communication Polytechnic", code="4144012345",
        level="higher_vocational", region=province,
    )
    return User.objects.create_user("li.hua", password=PASSWORD, first_name="Hua", last_name="Li",
                                    role="college_admin", school=school)


@pytest.fixture
def platform_admin(db):
    return User.objects.create_superuser("operator", "ops@example.org", PASSWORD)


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_college_admin_logs_in_sees_their_school_and_switches_to_chinese(page, live_server, college_admin, screenshot):
    log_in(page, live_server, "li.hua")
    page.wait_for_selector("text=Your school")
    assert page.is_visible("text=Guangdong Communication Polytechnic")
    assert page.is_visible("text=4144012345")
    screenshot("home-college-admin-en")

    page.select_option("#language", "zh-hans")
    page.wait_for_selector("text=您的学校")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.is_visible("text=广东交通职业技术学院")
    screenshot("home-college-admin-zh")

    page.click("text=退出")
    page.wait_for_url("**/login/**")


def test_wrong_password_shows_a_clear_message_and_keeps_the_username(page, live_server, college_admin, screenshot):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "li.hua")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    page.wait_for_selector("[role=alert]")
    assert "correct username and password" in page.inner_text("[role=alert]")
    assert page.input_value("#id_username") == "li.hua"
    screenshot("login-error")


def test_platform_admin_reaches_the_admin_and_searches_schools(page, live_server, platform_admin, college_admin, screenshot):
    log_in(page, live_server, "operator")
    page.click("text=Administration")
    page.wait_for_selector("#site-name")
    page.goto(f"{live_server.url}/admin/portal/school/?q=交通")
    assert page.is_visible("text=广东交通职业技术学院")
    screenshot("admin-schools-search")


def test_college_admin_is_kept_out_of_the_admin(page, live_server, college_admin):
    log_in(page, live_server, "li.hua")
    page.wait_for_selector("text=Your school")
    assert not page.is_visible("text=Administration")
    page.goto(f"{live_server.url}/admin/")
    assert "/admin/login/" in page.url
