"""Login, home page per role, language switch and health check."""
from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import Region, School, User

pytestmark = pytest.mark.django_db
PASSWORD = "pass-Word-123"


@pytest.fixture
def province():
    return Region.objects.get_or_create(code="440000", defaults={"name": "广东省", "level": "province"})[0]


@pytest.fixture
def college_user(province):
    school = School.objects.create(name="佛山职业技术学院", code="4144000001", level="higher_vocational", region=province)
    return User.objects.create_user("college1", password=PASSWORD, role="college_admin", school=school)


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_college_admin_home_shows_their_school(client, college_user):
    client.force_login(college_user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "佛山职业技术学院" in response.content.decode()
    assert "4144000001" in response.content.decode()


def test_reviewer_home_counts_schools_of_their_region_subtree(client, province):
    city = Region.objects.get_or_create(code="440600", defaults={"name": "佛山市", "level": "prefecture", "parent": province})[0]
    other = Region.objects.get_or_create(code="450000", defaults={"name": "广西壮族自治区", "level": "province"})[0]
    School.objects.create(name="A", code="4144000002", level="higher_vocational", region=city)
    School.objects.create(name="B", code="4145000003", level="higher_vocational", region=other)
    reviewer = User.objects.create_user("rev", password=PASSWORD, role="gov_reviewer", region=province)
    client.force_login(reviewer)
    response = client.get(reverse("home"))
    assert response.context["counts"]["schools"] == 1


def test_home_speaks_chinese_when_the_browser_asks_for_it(client, college_user):
    client.force_login(college_user)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert 'lang="zh-hans"' in response.content.decode()
    assert "您的学校" in response.content.decode()


def test_language_switch_remembers_the_choice(client, college_user):
    client.force_login(college_user)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "您的学校" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Your school" in client.get(reverse("home")).content.decode()


def test_user_changes_their_password(client, college_user):
    client.force_login(college_user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "a-Much-Longer-pass-77", "new_password2": "a-Much-Longer-pass-77"},
    )
    assert response.status_code == 302
    college_user.refresh_from_db()
    assert college_user.check_password("a-Much-Longer-pass-77")


def test_healthz_answers_ok(client):
    assert client.get("/healthz/").json() == {"status": "ok"}
