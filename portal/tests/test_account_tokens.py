"""A user's own API tokens in the browser (/account/tokens/): listed with name, key prefix, access,
creation and last use; created with the key shown once; revoked by POST; other users' tokens 404."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from portal.models import ApiToken

URL = "/account/tokens/"


def test_the_page_has_its_name():
    assert reverse("tokens") == URL
    assert reverse("token-revoke", args=[7]) == "/account/tokens/7/revoke/"


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.django_db
def test_the_home_page_links_to_the_tokens(client, college_admin_a):
    client.force_login(college_admin_a)
    assert f'href="{URL}"' in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_the_list_shows_only_the_users_own_tokens(client, college_admin_a, college_admin_b):
    mine, _key = ApiToken.issue(user=college_admin_a, name="ERP sync", read_only=True)
    ApiToken.objects.filter(pk=mine.pk).update(
        created_at=datetime(2026, 3, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
        last_used_at=datetime(2026, 3, 2, 14, 5, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    unused, _key = ApiToken.issue(user=college_admin_a, name="Reporting")
    theirs, _key = ApiToken.issue(user=college_admin_b, name="Bob's secret integration")
    client.force_login(college_admin_a)

    page = client.get(URL).content.decode()
    assert "ERP sync" in page and "Reporting" in page
    assert f"<code>{mine.prefix}…</code>" in page and f"<code>{unused.prefix}…</code>" in page
    assert "Bob&#x27;s secret integration" not in page and theirs.prefix not in page
    row = re.search(rf'<tr data-token="{mine.pk}">(.*?)</tr>', page, re.S).group(1)
    assert "read-only" in row
    assert "03/01/2026 9:30 a.m." in row and "03/02/2026 2:05 p.m." in row  # SHORT_DATETIME_FORMAT, local time
    row = re.search(rf'<tr data-token="{unused.pk}">(.*?)</tr>', page, re.S).group(1)
    assert "read and write" in row and "never" in row
    assert f'action="/account/tokens/{unused.pk}/revoke/"' in row


@pytest.mark.django_db
def test_creating_a_token_shows_its_key_once_and_the_key_works(client, college_admin_a):
    client.force_login(college_admin_a)
    response = client.post(URL, {"name": "Timetable system", "read_only": "on"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]
    key = re.search(r'<code data-testid="new-token-key">([^<]+)</code>', response.content.decode()).group(1)

    token = ApiToken.objects.get(user=college_admin_a)
    assert token.name == "Timetable system" and token.read_only is True
    assert token.digest == ApiToken.hash(key) and token.prefix == key[:8]
    assert key not in client.get(URL).content.decode()  # never again

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/users/me/").json()["username"] == "alice"
    assert api.patch("/api/v1/users/me/", {"first_name": "A"}, format="json").status_code == 403  # read-only


@pytest.mark.django_db
def test_a_token_needs_a_name(client, college_admin_a):
    client.force_login(college_admin_a)
    response = client.post(URL, {"name": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert 'data-testid="new-token-key"' not in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_revoking_a_token_ends_its_access(client, college_admin_a):
    token, key = ApiToken.issue(user=college_admin_a, name="Old laptop")
    kept, _key = ApiToken.issue(user=college_admin_a, name="Kept")
    client.force_login(college_admin_a)

    response = client.post(reverse("token-revoke", args=[token.pk]), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "The token “Old laptop” is revoked" in response.content.decode()
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [kept.pk]

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/users/me/").status_code == 401


@pytest.mark.django_db
def test_another_users_token_cannot_be_revoked(client, college_admin_a, college_admin_b):
    theirs, _key = ApiToken.issue(user=college_admin_b, name="Bob's")
    client.force_login(college_admin_a)
    assert client.post(reverse("token-revoke", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("token-revoke", args=[999999])).status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
def test_revoking_needs_a_post_with_a_csrf_token(college_admin_a):
    from django.test import Client

    token, _key = ApiToken.issue(user=college_admin_a, name="CI")
    client = Client(enforce_csrf_checks=True)
    client.force_login(college_admin_a)
    url = reverse("token-revoke", args=[token.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert client.post(URL, {"name": "sneaky"}).status_code == 403
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [token.pk]
