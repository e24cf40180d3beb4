"""Login throttling (django-axes): 5 failed logins for one username from one IP address lock that
username for that address for 15 minutes, on the login page, the admin and the API token endpoint;
even the right password is then refused. Axes runs here exactly as configured in settings (the
suite switches it off elsewhere, see portal/testing.py)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.db.models import F
from django.urls import reverse
from rest_framework.test import APIClient

from portal.models import ApiToken
from portal.tests.factories import PASSWORD

LOCKED = "Too many failed attempts: this account is locked for 15 minutes."
WRONG = "wrong-Password-9"


@pytest.fixture(autouse=True)
def axes_on(settings):
    settings.AXES_ENABLED = True
    cache.clear()  # the API's login rate limit (20/min) must not interfere
    yield
    cache.clear()


def login(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_times(client, username, n, ip="10.0.0.1"):
    return [login(client, username, WRONG, ip).status_code for _ in range(n)]


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_and_then_even_the_right_password_is_refused(client, college_admin_a):
    assert fail_times(client, "alice", 4) == [200, 200, 200, 200]
    fifth = login(client, "alice", WRONG)
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()

    sixth = login(client, "alice", PASSWORD)
    assert sixth.status_code == 429
    page = sixth.content.decode()
    assert LOCKED in page
    assert 'value="alice"' in page  # the login form again, username kept
    assert not signed_in(client)
    assert client.get(reverse("home")).status_code == 302  # still sent to the login page


@pytest.mark.django_db
def test_four_failures_do_not_lock(client, college_admin_a):
    fail_times(client, "alice", 4)
    response = login(client, "alice", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")
    assert signed_in(client)


@pytest.mark.django_db
def test_another_user_from_the_same_address_and_the_same_user_elsewhere_are_not_locked(
    client, college_admin_a, college_admin_b
):
    fail_times(client, "alice", 5)
    assert login(client, "alice", PASSWORD).status_code == 429

    response = login(client, "bob", PASSWORD)
    assert response.status_code == 302 and signed_in(client)
    client.logout()
    response = login(client, "alice", PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302 and signed_in(client)


@pytest.mark.django_db
def test_a_successful_login_resets_the_count(client, college_admin_a):
    fail_times(client, "alice", 4)
    assert login(client, "alice", PASSWORD).status_code == 302
    client.logout()
    assert fail_times(client, "alice", 4) == [200, 200, 200, 200]  # counting starts again
    assert login(client, "alice", WRONG).status_code == 429


@pytest.mark.django_db
def test_the_lockout_ends_after_15_minutes(client, college_admin_a):
    fail_times(client, "alice", 5)

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))
    assert login(client, "alice", PASSWORD).status_code == 429  # 14 minutes later: still locked

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=2))
    response = login(client, "alice", PASSWORD)  # 16 minutes later
    assert response.status_code == 302 and signed_in(client)


@pytest.mark.django_db
def test_the_lockout_period_comes_from_the_settings(client, college_admin_a, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    fail_times(client, "alice", 5)
    assert "this account is locked for 1 minute." in login(client, "alice", PASSWORD).content.decode()
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=61))
    assert login(client, "alice", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_admin_login_locks_likewise(client, platform_admin):
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "pat", "password": WRONG, "next": "/admin/"}, REMOTE_ADDR="10.0.0.1")
    response = client.post(url, {"username": "pat", "password": PASSWORD, "next": "/admin/"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "admin/login" in " ".join(t.name for t in response.templates if t.name)
    assert not signed_in(client)


def token_request(api, username, password, ip="10.0.0.1"):
    return api.post(reverse("api-token"), {"username": username, "password": password}, format="json",
                    REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_the_api_token_endpoint_locks_likewise(college_admin_a, college_admin_b):
    api = APIClient()
    assert [token_request(api, "alice", WRONG).status_code for _ in range(4)] == [400, 400, 400, 400]
    fifth = token_request(api, "alice", WRONG)
    assert fifth.status_code == 429
    assert fifth.json()["detail"].startswith(LOCKED)

    sixth = token_request(api, "alice", PASSWORD)
    assert sixth.status_code == 429
    assert sixth.json()["detail"].startswith(LOCKED)
    assert sixth["Retry-After"] == "900"
    assert not ApiToken.objects.filter(user=college_admin_a).exists()

    assert token_request(api, "bob", PASSWORD).status_code == 200  # another user, same address


@pytest.mark.django_db
def test_a_token_obtained_resets_the_count(college_admin_a):
    api = APIClient()
    for _ in range(4):
        token_request(api, "alice", WRONG)
    assert token_request(api, "alice", PASSWORD).status_code == 200
    assert [token_request(api, "alice", WRONG).status_code for _ in range(4)] == [400, 400, 400, 400]
    assert token_request(api, "alice", WRONG).status_code == 429


@pytest.mark.django_db
def test_failures_on_the_page_and_the_api_add_up(client, college_admin_a):
    fail_times(client, "alice", 3)
    api = APIClient()
    assert token_request(api, "alice", WRONG).status_code == 400
    assert token_request(api, "alice", WRONG).status_code == 429
    assert login(client, "alice", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_an_administrator_unlocks_an_account_from_the_command_line(client, college_admin_a):
    from django.core.management import call_command

    fail_times(client, "alice", 5)
    assert login(client, "alice", PASSWORD).status_code == 429
    call_command("axes_reset_username", "alice")
    assert login(client, "alice", PASSWORD).status_code == 302
