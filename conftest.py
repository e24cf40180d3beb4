"""Role personas shared by every test (healthchecks' alice/bob/charlie, one per role).

All of them share PASSWORD ("pass-Word-123"). School A, school B, the enterprise and the outsider's
enterprise all lie in `region`; `other_reviewer` reviews another province.
"""
import pytest
from rest_framework.test import APIClient

from portal.tests.factories import (
    CollegeAdminFactory,
    EnterpriseFactory,
    LiaisonFactory,
    PlatformAdminFactory,
    RegionFactory,
    ReviewerFactory,
    SchoolFactory,
)
from portal.tests.personas import PERSONAS


@pytest.fixture
def region(db):
    return RegionFactory(name="测试省", name_en="Test Province")


@pytest.fixture
def school_a(region):
    return SchoolFactory(region=region, name="甲职业技术学院", name_en="Polytechnic A")


@pytest.fixture
def school_b(region):
    return SchoolFactory(region=region, name="乙职业技术学院", name_en="Polytechnic B")


@pytest.fixture
def enterprise(region):
    return EnterpriseFactory(region=region, name="丙智能制造有限公司", name_en="Enterprise C")


@pytest.fixture
def college_admin_a(school_a):
    return CollegeAdminFactory(username="alice", school=school_a)


@pytest.fixture
def college_admin_b(school_b):
    return CollegeAdminFactory(username="bob", school=school_b)


@pytest.fixture
def liaison(enterprise):
    return LiaisonFactory(username="carol", enterprise=enterprise)


@pytest.fixture
def reviewer(region):
    return ReviewerFactory(username="dave", region=region)


@pytest.fixture
def other_reviewer(db):
    return ReviewerFactory(username="erin", region=RegionFactory(name="另一省", name_en="Other Province"))


@pytest.fixture
def platform_admin(db):
    return PlatformAdminFactory(username="pat")


@pytest.fixture
def outsider(region):
    """A liaison of another enterprise in the same region: sees what any liaison sees, nothing more."""
    return LiaisonFactory(username="mallory", enterprise=EnterpriseFactory(region=region))


@pytest.fixture
def platform_client(client, platform_admin):
    """A test client logged in as the platform admin."""
    client.force_login(platform_admin)
    return client


@pytest.fixture
def as_(request):
    """`as_("alice")`: an API client signed in as that persona (None: anonymous)."""

    def client_for(name: str | None) -> APIClient:
        client = APIClient()
        if name is not None:
            client.force_authenticate(request.getfixturevalue(PERSONAS[name]))
        return client

    return client_for


@pytest.fixture
def celery_eager():
    """Set Celery's eager mode for one test: `celery_eager(True)` runs tasks in this process (the
    embedded default), `celery_eager(False)` sends them to the broker. Celery reads Django's
    settings once, so this changes the app's own configuration and restores it afterwards."""
    from portal.celery import app

    before = app.conf.task_always_eager

    def set_mode(eager: bool) -> None:
        app.conf.task_always_eager = eager

    yield set_mode
    app.conf.task_always_eager = before
