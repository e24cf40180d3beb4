"""Factories for reference data, organisations and users.

Codes come from ranges that no shipped reference data uses (regions 9xxxxx, sectors C9000–C9999,
schools 9xxxxxxxxx), so factories never collide with the provinces and sectors loaded by data
migrations; passing a real code (`RegionFactory(code="440000")`) returns the shipped row.
"""
from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from portal.choices import EnterpriseSize, Ownership, RegionLevel, Role, SchoolLevel
from portal.models import Enterprise, Region, School, Sector, User
from portal.validators import credit_code_check_char

PASSWORD = "pass-Word-123"


def credit_code(n: int, region_code: str = "990000") -> str:
    """A well-formed unified social credit code with a correct check character: a company ("91")
    registered in `region_code`, organisation number n."""
    first17 = f"91{region_code}{n % 10**9:09d}"
    return first17 + credit_code_check_char(first17)


class RegionFactory(DjangoModelFactory):
    """A test province; `prefecture=True` makes a city inside a new test province."""

    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"9{n % 10**5:05d}")
    name = factory.Sequence(lambda n: f"测试省{n}")
    name_en = factory.Sequence(lambda n: f"Test Province {n}")
    level = RegionLevel.PROVINCE
    parent = None

    class Params:
        prefecture = factory.Trait(
            level=RegionLevel.PREFECTURE,
            parent=factory.SubFactory("portal.tests.factories.RegionFactory"),
            name=factory.Sequence(lambda n: f"测试市{n}"),
            name_en=factory.Sequence(lambda n: f"Test City {n}"),
        )


class SectorFactory(DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    # Section C has divisions 13–43 only: C9000–C9999 are well-formed but never real classes.
    code = factory.Sequence(lambda n: f"C{9000 + n % 1000}")
    name = factory.Sequence(lambda n: f"测试制造业{n}")
    name_en = factory.Sequence(lambda n: f"Test manufacturing {n}")


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"测试职业技术学院{n}")
    name_en = factory.Sequence(lambda n: f"Test Polytechnic {n}")
    code = factory.Sequence(lambda n: f"9{n % 10**9:09d}")
    level = SchoolLevel.HIGHER_VOCATIONAL
    region = factory.SubFactory(RegionFactory)
    ownership = Ownership.PUBLIC


class EnterpriseFactory(DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"测试智能制造有限公司{n}")
    name_en = factory.Sequence(lambda n: f"Test Smart Manufacturing Co. {n}")
    credit_code = factory.Sequence(credit_code)
    region = factory.SubFactory(RegionFactory)
    sector = factory.SubFactory(SectorFactory)
    size = EnterpriseSize.MEDIUM
    integration_certified = False


class UserFactory(DjangoModelFactory):
    """A college administrator of a new school unless a subclass says otherwise; password PASSWORD."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password(PASSWORD)
    role = Role.COLLEGE_ADMIN
    school = factory.SubFactory(SchoolFactory)
    enterprise = None
    region = None


class CollegeAdminFactory(UserFactory):
    role = Role.COLLEGE_ADMIN
    school = factory.SubFactory(SchoolFactory)


class LiaisonFactory(UserFactory):
    role = Role.ENTERPRISE_LIAISON
    school = None
    enterprise = factory.SubFactory(EnterpriseFactory)


class ReviewerFactory(UserFactory):
    role = Role.GOV_REVIEWER
    school = None
    region = factory.SubFactory(RegionFactory)


class PlatformAdminFactory(UserFactory):
    role = Role.PLATFORM_ADMIN
    school = None
    is_staff = True
    is_superuser = True


def build_unsaved(factory_class, **kwargs):
    """An unsaved instance whose related rows are saved: what a form or serializer hands to
    full_clean(). (factory_boy's build() would leave the related rows unsaved as well.)"""
    instance = factory_class.build(**kwargs)
    _save_related(instance)
    return instance


def _save_related(instance) -> None:
    for field in instance._meta.concrete_fields:
        if not (field.is_relation and field.is_cached(instance)):
            continue
        related = getattr(instance, field.name)
        if related is None:
            continue
        if related.pk is None:
            _save_related(related)
            related.save()
        setattr(instance, field.attname, related.pk)


def same_as(factory_class, *fields: str, **existing_kwargs):
    """Overrides copying `fields` from a row saved when they are asked for: `build_unsaved(F,
    **same_as(F, "school", "code")())` builds a duplicate for uniqueness tests."""

    def overrides() -> dict:
        existing = factory_class(**existing_kwargs)
        return {field: getattr(existing, field) for field in fields}

    return overrides
