"""The tenancy API: reference data, the school and enterprise directory, accounts and tokens."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from portal.choices import RegionLevel
from portal.models import ApiToken, Enterprise, School, User
from portal.tests.factories import EnterpriseFactory, RegionFactory, SchoolFactory, SectorFactory

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_a_college_admin_edits_their_school_profile_but_not_its_code(college_admin_a, school_a):
    response = api(college_admin_a).patch(f"/api/v1/schools/{school_a.pk}/", {"website": "https://a.example.edu.cn"})
    assert response.status_code == 200
    response = api(college_admin_a).patch(f"/api/v1/schools/{school_a.pk}/", {"code": "4144099999"})
    assert response.status_code == 403
    school_a.refresh_from_db()
    assert school_a.code != "4144099999"


def test_a_college_admin_cannot_edit_another_school(college_admin_a, school_b):
    response = api(college_admin_a).patch(f"/api/v1/schools/{school_b.pk}/", {"name": "改名"})
    assert response.status_code == 403
    assert School.objects.get(pk=school_b.pk).name == school_b.name


def test_a_liaison_edits_their_enterprise_but_not_its_credit_code_or_certification(liaison, enterprise):
    client = api(liaison)
    assert client.patch(f"/api/v1/enterprises/{enterprise.pk}/", {"size": "large"}).status_code == 200
    assert client.patch(f"/api/v1/enterprises/{enterprise.pk}/", {"integration_certified": True}).status_code == 403
    assert client.patch(
        f"/api/v1/enterprises/{enterprise.pk}/", {"credit_code": "914403001922038216"}
    ).status_code == 403
    enterprise.refresh_from_db()
    assert (enterprise.size, enterprise.integration_certified) == ("large", False)


def test_a_mistyped_credit_code_is_refused_with_the_field_named(platform_admin, region):
    sector = SectorFactory()
    body = {"name": "华为", "credit_code": "914403001922038217", "region": region.code, "sector": sector.code,
            "size": "large"}
    response = api(platform_admin).post("/api/v1/enterprises/", body)
    assert response.status_code == 400
    assert "credit_code" in response.json()
    assert not Enterprise.objects.filter(name="华为").exists()


def test_schools_filter_by_region_subtree_and_search(reviewer, region, school_a):
    city = RegionFactory(level=RegionLevel.PREFECTURE, parent=region)
    in_city = SchoolFactory(region=city, name="城市学院")
    elsewhere = SchoolFactory()
    response = api(reviewer).get("/api/v1/schools/", {"region": region.code, "page_size": 100})
    ids = {row["id"] for row in response.json()["results"]}
    assert {school_a.pk, in_city.pk} <= ids and elsewhere.pk not in ids
    response = api(reviewer).get("/api/v1/schools/", {"search": "城市"})
    assert [row["id"] for row in response.json()["results"]] == [in_city.pk]


def test_enterprises_filter_by_sector_section_or_division(college_admin_a):
    c39 = EnterpriseFactory(sector=SectorFactory(code="C39"))
    i65 = EnterpriseFactory(sector=SectorFactory(code="I65"))
    ids = {row["id"] for row in api(college_admin_a).get("/api/v1/enterprises/", {"sector": "C"}).json()["results"]}
    assert c39.pk in ids and i65.pk not in ids


def test_regions_are_read_by_everyone_and_written_by_platform_admins_only(college_admin_a, platform_admin):
    assert api(college_admin_a).get("/api/v1/regions/440000/").json()["name"] == "广东省"
    body = {"code": "449900", "name": "测试市", "level": "prefecture", "parent": "440000"}
    assert api(college_admin_a).post("/api/v1/regions/", body).status_code == 403
    assert api(platform_admin).post("/api/v1/regions/", body).status_code == 201


def test_a_platform_admin_provisions_a_college_admin_who_then_gets_a_token(platform_admin, school_a):
    body = {"username": "it-system", "password": "Very-l0ng-password", "role": "college_admin", "school": school_a.pk}
    assert api(platform_admin).post("/api/v1/users/", body).status_code == 201
    response = APIClient().post("/api/v1/auth/token/", {"username": "it-system", "password": "Very-l0ng-password"})
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/users/me/").json()["school"] == school_a.pk


def test_an_account_whose_scope_does_not_match_its_role_is_refused(platform_admin, school_a, region):
    body = {"username": "x", "password": "Very-l0ng-password", "role": "gov_reviewer", "school": school_a.pk}
    response = api(platform_admin).post("/api/v1/users/", body)
    assert response.status_code == 400
    assert set(response.json()) >= {"region", "school"}
    assert not User.objects.filter(username="x").exists()


def test_a_weak_password_is_refused_in_the_callers_language(platform_admin, school_a):
    body = {"username": "y", "password": "123", "role": "college_admin", "school": school_a.pk}
    response = api(platform_admin).post("/api/v1/users/", body, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert any("密码" in message for message in response.json()["password"])


def test_only_platform_admins_list_users_but_everyone_reads_their_own_account(college_admin_a, platform_admin):
    assert api(college_admin_a).get("/api/v1/users/").status_code == 403
    assert api(college_admin_a).get("/api/v1/users/me/").json()["username"] == "alice"
    assert api(platform_admin).get("/api/v1/users/").json()["count"] >= 2


def test_a_user_changes_their_name_and_password_but_not_their_role(college_admin_a):
    client = api(college_admin_a)
    response = client.patch("/api/v1/users/me/", {"first_name": "丽", "role": "platform_admin",
                                                  "password": "An0ther-long-pass"})
    assert response.status_code == 200
    college_admin_a.refresh_from_db()
    assert college_admin_a.first_name == "丽" and college_admin_a.role == "college_admin"
    assert college_admin_a.check_password("An0ther-long-pass")


def test_a_token_key_is_shown_once_and_only_its_digest_is_stored(college_admin_a):
    response = api(college_admin_a).post("/api/v1/tokens/", {"name": "SIS sync", "read_only": True})
    assert response.status_code == 201
    key = response.json()["key"]
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert token.digest == ApiToken.hash(key) and key not in (token.digest, token.prefix)
    listed = api(college_admin_a).get("/api/v1/tokens/").json()["results"]
    assert [row["id"] for row in listed] == [token.pk] and listed[0].get("key") is None


def test_a_read_only_token_reads_but_cannot_write(college_admin_a, school_a):
    _token, key = ApiToken.issue(user=college_admin_a, read_only=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"/api/v1/schools/{school_a.pk}/").status_code == 200
    assert client.patch(f"/api/v1/schools/{school_a.pk}/", {"website": "https://x.example"}).status_code == 403
    assert School.objects.get(pk=school_a.pk).website == ""


def test_a_revoked_token_no_longer_authenticates(college_admin_a):
    token, key = ApiToken.issue(user=college_admin_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    assert client.get("/api/v1/users/me/").status_code == 401


def test_users_cannot_see_or_revoke_each_others_tokens(college_admin_a, college_admin_b, platform_admin):
    token, _key = ApiToken.issue(user=college_admin_b)
    assert api(college_admin_a).delete(f"/api/v1/tokens/{token.pk}/").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()
    response = api(college_admin_a).post("/api/v1/tokens/", {"user": college_admin_b.pk})
    assert response.status_code == 400  # another account is not there to name, as an unknown id
    assert response.json() == {"user": [f'Invalid pk "{college_admin_b.pk}" - object does not exist.']}
    assert api(platform_admin).post("/api/v1/tokens/", {"user": college_admin_b.pk}).status_code == 201


def test_bad_credentials_get_no_token(college_admin_a):
    response = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
