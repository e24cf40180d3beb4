"""Every rule on regions, sectors, schools, enterprises and users holds twice: full_clean() names
the field, and the database refuses a write that skips Python validation."""
import factory
import pytest
from django.core.exceptions import ValidationError
from django.db.models import F, Value
from django.db.models.functions import Concat, Lower, Substr

from portal.choices import Role
from portal.models import Region, User
from portal.tests.constraint_checks import (
    assert_database_refuses_the_update,
    assert_database_refuses_the_write,
    assert_full_clean_names_the_field,
    assert_valid_record_saves,
)
from portal.tests.factories import (
    PASSWORD,
    EnterpriseFactory,
    RegionFactory,
    SchoolFactory,
    SectorFactory,
    UserFactory,
    build_unsaved,
    credit_code,
    same_as,
)

pytestmark = pytest.mark.django_db(transaction=False)

SCOPE_FACTORIES = {"school": SchoolFactory, "enterprise": EnterpriseFactory, "region": RegionFactory}


def scoped(role: str, *scopes: str) -> dict:
    """User overrides: `role` with exactly the scope fields named (new rows), the others empty."""
    return {
        "role": role,
        **{field: factory.SubFactory(SCOPE_FACTORIES[field]) if field in scopes else None for field in SCOPE_FACTORIES},
    }


def mistyped_credit_code() -> str:
    code = credit_code(424242)
    return code[:-1] + ("1" if code[-1] != "1" else "2")


VALID = [
    pytest.param(RegionFactory, {}, id="province"),
    pytest.param(RegionFactory, {"prefecture": True}, id="prefecture with its province"),
    pytest.param(SectorFactory, {"code": "C3999"}, id="sector class"),
    pytest.param(SchoolFactory, {}, id="school"),
    pytest.param(EnterpriseFactory, {"credit_code": "9144030071526726XG"}, id="enterprise with a real credit code"),
    pytest.param(UserFactory, scoped(Role.COLLEGE_ADMIN, "school"), id="college admin with a school"),
    pytest.param(UserFactory, scoped(Role.ENTERPRISE_LIAISON, "enterprise"), id="liaison with an enterprise"),
    pytest.param(UserFactory, scoped(Role.GOV_REVIEWER, "region"), id="reviewer with a region"),
    pytest.param(UserFactory, scoped(Role.PLATFORM_ADMIN), id="platform admin without scope"),
]

# (factory, overrides that break one rule, the field full_clean() must name)
BAD = [
    pytest.param(RegionFactory, {"code": "44010"}, "code", id="region code of 5 digits"),
    pytest.param(RegionFactory, {"code": "44010A"}, "code", id="region code with a letter"),
    pytest.param(RegionFactory, same_as(RegionFactory, "code"), "code", id="region code twice"),
    pytest.param(RegionFactory, {"level": "state"}, "level", id="unknown region level"),
    pytest.param(RegionFactory, {"parent": factory.SubFactory(RegionFactory)}, "parent", id="province with a parent"),
    pytest.param(RegionFactory, {"prefecture": True, "parent": None}, "parent", id="prefecture without a parent"),
    pytest.param(SectorFactory, {"code": "Z39"}, "code", id="sector section after T"),
    pytest.param(SectorFactory, {"code": "C3"}, "code", id="sector code with one digit"),
    pytest.param(SectorFactory, {"code": "c39"}, "code", id="lowercase sector code"),
    pytest.param(SectorFactory, {"code": "C39\n"}, "code", id="sector code with a trailing newline"),
    pytest.param(SectorFactory, same_as(SectorFactory, "code"), "code", id="sector code twice"),
    pytest.param(SchoolFactory, {"code": "414401000"}, "code", id="school code of 9 digits"),
    pytest.param(SchoolFactory, {"code": "414401000X"}, "code", id="school code with a letter"),
    pytest.param(SchoolFactory, same_as(SchoolFactory, "code"), "code", id="school code twice"),
    pytest.param(SchoolFactory, {"level": "university"}, "level", id="unknown school level"),
    pytest.param(SchoolFactory, {"ownership": "mixed"}, "ownership", id="unknown school ownership"),
    pytest.param(EnterpriseFactory, {"credit_code": "914403001922038217"}, "credit_code", id="wrong check character"),
    pytest.param(EnterpriseFactory, {"credit_code": "9144030071526726xg"}, "credit_code", id="lowercase credit code"),
    pytest.param(EnterpriseFactory, {"credit_code": "91440300I92203821X"}, "credit_code", id="credit code with I"),
    pytest.param(EnterpriseFactory, same_as(EnterpriseFactory, "credit_code"), "credit_code", id="credit code twice"),
    pytest.param(EnterpriseFactory, {"size": "huge"}, "size", id="unknown enterprise size"),
    pytest.param(UserFactory, {"role": "superuser"}, "role", id="unknown role"),
    # Scope must match role, for every role, both ways (missing scope, extra scope).
    pytest.param(UserFactory, scoped(Role.COLLEGE_ADMIN), "school", id="college admin without school"),
    pytest.param(UserFactory, scoped(Role.COLLEGE_ADMIN, "school", "enterprise"), "enterprise",
                 id="college admin with an enterprise too"),
    pytest.param(UserFactory, scoped(Role.COLLEGE_ADMIN, "school", "region"), "region",
                 id="college admin with a region too"),
    pytest.param(UserFactory, scoped(Role.ENTERPRISE_LIAISON), "enterprise", id="liaison without enterprise"),
    pytest.param(UserFactory, scoped(Role.ENTERPRISE_LIAISON, "enterprise", "school"), "school",
                 id="liaison with a school too"),
    pytest.param(UserFactory, scoped(Role.ENTERPRISE_LIAISON, "enterprise", "region"), "region",
                 id="liaison with a region too"),
    pytest.param(UserFactory, scoped(Role.GOV_REVIEWER), "region", id="reviewer without region"),
    pytest.param(UserFactory, scoped(Role.GOV_REVIEWER, "region", "school"), "school", id="reviewer with a school too"),
    pytest.param(UserFactory, scoped(Role.GOV_REVIEWER, "region", "enterprise"), "enterprise",
                 id="reviewer with an enterprise too"),
    pytest.param(UserFactory, scoped(Role.GOV_REVIEWER, "school"), "school", id="reviewer with a school instead"),
    pytest.param(UserFactory, scoped(Role.PLATFORM_ADMIN, "school"), "school", id="platform admin with a school"),
    pytest.param(UserFactory, scoped(Role.PLATFORM_ADMIN, "enterprise"), "enterprise",
                 id="platform admin with an enterprise"),
    pytest.param(UserFactory, scoped(Role.PLATFORM_ADMIN, "region"), "region", id="platform admin with a region"),
]

# (factory of a valid saved row, QuerySet.update() arguments that break one rule)
BAD_UPDATES = [
    pytest.param(RegionFactory, {"code": "4401"}, id="region code shortened"),
    pytest.param(RegionFactory, {"parent": F("id")}, id="province given a parent"),
    pytest.param(RegionFactory, {"level": "county"}, id="province turned into a county without parent"),
    pytest.param(SectorFactory, {"code": Lower("code")}, id="sector code lowercased"),
    pytest.param(SchoolFactory, {"code": Concat(Substr("code", 1, 9), Value("X"))},
                 id="school code ending in a letter"),
    pytest.param(EnterpriseFactory, {"credit_code": mistyped_credit_code()}, id="credit code mistyped"),
    pytest.param(UserFactory, {"role": Role.GOV_REVIEWER}, id="college admin turned reviewer keeping the school"),
    pytest.param(UserFactory, {"school": None}, id="college admin losing the school"),
]


@pytest.mark.parametrize("factory_class, overrides", VALID)
def test_a_valid_record_passes_full_clean_and_saves(factory_class, overrides):
    assert_valid_record_saves(factory_class, overrides)


@pytest.mark.parametrize("factory_class, bad, field", BAD)
def test_full_clean_names_the_broken_field_and_nothing_is_written(factory_class, bad, field):
    assert_full_clean_names_the_field(factory_class, bad, field)


@pytest.mark.parametrize("write", ["save", "bulk_create"])
@pytest.mark.parametrize("factory_class, bad, field", BAD)
def test_the_database_refuses_a_direct_write_and_nothing_is_written(factory_class, bad, field, write):
    assert_database_refuses_the_write(factory_class, bad, write)


@pytest.mark.parametrize("factory_class, changes", BAD_UPDATES)
def test_the_database_refuses_an_update_that_breaks_a_rule(factory_class, changes):
    assert_database_refuses_the_update(factory_class, changes)


def test_a_wrong_check_character_is_reported_as_such():
    enterprise = build_unsaved(EnterpriseFactory, credit_code="914403001922038217")
    with pytest.raises(ValidationError) as exc:
        enterprise.full_clean()
    assert [e.code for e in exc.value.error_dict["credit_code"]] == ["credit_code_check"]


def test_a_region_cannot_be_its_own_parent():
    city = RegionFactory(prefecture=True)
    city.parent = city
    with pytest.raises(ValidationError) as exc:
        city.full_clean()
    assert "parent" in exc.value.message_dict
    assert Region.objects.get(pk=city.pk).parent_id != city.pk


def test_create_superuser_makes_a_platform_admin():
    user = User.objects.create_superuser("root", "root@example.com", "pass-Word-123")
    user.full_clean()
    assert (user.role, user.scope, user.is_platform_admin) == (Role.PLATFORM_ADMIN, None, True)


def test_the_role_personas_are_valid_accounts_that_log_in_with_the_shared_password(
    client, college_admin_a, college_admin_b, liaison, reviewer, other_reviewer, platform_admin, outsider
):
    for user in (college_admin_a, college_admin_b, liaison, reviewer, other_reviewer, platform_admin, outsider):
        user.full_clean()
        assert client.login(username=user.username, password=PASSWORD), user.username
    assert college_admin_a.school != college_admin_b.school
    assert college_admin_a.school.region == college_admin_b.school.region == reviewer.region
    assert liaison.enterprise.region == outsider.enterprise.region == reviewer.region
    assert other_reviewer.region not in (reviewer.region, None)
    assert outsider.enterprise != liaison.enterprise
