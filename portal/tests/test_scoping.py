"""portal.scoping: the one function that narrows querysets, and the write check."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from portal.choices import RegionLevel
from portal.models import Enterprise, Region, School, User
from portal.scoping import CHANGE, VIEW, may_write, region_subtree_q, restrict
from portal.tests.factories import RegionFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def test_anonymous_and_inactive_users_see_nothing(school_a, college_admin_a):
    assert list(restrict(School.objects.all(), AnonymousUser())) == []
    college_admin_a.is_active = False
    assert list(restrict(School.objects.all(), college_admin_a)) == []


def test_directory_rows_are_visible_to_everyone_but_changeable_only_by_their_own_admin(
    school_a, school_b, college_admin_a, liaison, reviewer
):
    for user in (college_admin_a, liaison, reviewer):
        assert set(restrict(School.objects.all(), user, VIEW)) >= {school_a, school_b}
    assert list(restrict(School.objects.all(), college_admin_a, CHANGE)) == [school_a]
    assert list(restrict(School.objects.all(), liaison, CHANGE)) == []
    assert list(restrict(School.objects.all(), reviewer, CHANGE)) == []


def test_a_liaison_changes_only_their_own_enterprise(liaison, outsider):
    assert list(restrict(Enterprise.objects.all(), liaison, CHANGE)) == [liaison.enterprise]


def test_accounts_are_visible_to_their_owner_and_to_platform_admins(college_admin_a, liaison, platform_admin):
    assert list(restrict(User.objects.all(), college_admin_a)) == [college_admin_a]
    assert set(restrict(User.objects.all(), platform_admin)) >= {college_admin_a, liaison, platform_admin}


def test_region_subtree_reaches_cities_and_counties_but_not_other_provinces():
    province = RegionFactory()
    city = RegionFactory(level=RegionLevel.PREFECTURE, parent=province)
    county = RegionFactory(level=RegionLevel.COUNTY, parent=city)
    other = RegionFactory()
    found = set(Region.objects.filter(region_subtree_q(province.pk, "")))
    assert found == {province, city, county}
    assert other not in found
    assert set(Region.objects.filter(region_subtree_q(city.pk, ""))) == {city, county}


def test_may_write_follows_the_path_of_new_values(school_a, school_b, college_admin_a, platform_admin):
    assert may_write(college_admin_a, School, {"name": "x"}, instance=school_a)
    assert not may_write(college_admin_a, School, {"name": "x"}, instance=school_b)
    assert not may_write(college_admin_a, School, {"name": "new school"})  # only platform admins create schools
    assert may_write(platform_admin, School, {"name": "new school"})


def test_a_queryset_of_schools_in_a_city_is_narrowed_without_duplicates(reviewer, region):
    city = RegionFactory(level=RegionLevel.PREFECTURE, parent=region)
    SchoolFactory(region=city)
    visible = restrict(School.objects.filter(region__parent=region), reviewer)
    assert visible.count() == len(set(visible))
