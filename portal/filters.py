"""FilterSets of the tenancy models (API lists and, later, pages)."""
from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .choices import EnterpriseSize, Ownership, RegionLevel, Role, SchoolLevel
from .models import Enterprise, Region, School, Sector, User
from .scoping import region_subtree_q


class RegionSubtreeFilter(filters.CharFilter):
    """`?region=440000`: rows in that region or below it (by official code), following `path` or,
    for rows placed in a region by more than one relation, any of `paths`. An unknown code matches
    nothing."""

    def __init__(self, *args, path: str = "region", paths: tuple[str, ...] = (), **kwargs):
        self.paths = paths or (path,)
        kwargs.setdefault("help_text", "6-digit region code; matches the region and its sub-regions.")
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value):
        if not value:
            return qs
        region = Region.objects.filter(code=value).only("pk").first()
        if region is None:
            return qs.none()
        condition = Q()
        for path in self.paths:
            condition |= region_subtree_q(region.pk, path)
        return qs.filter(condition)


class SectorFilter(filters.CharFilter):
    """`?sector=C` or `?sector=C39`: rows in that section or division (by code prefix)."""

    def __init__(self, *args, path: str = "sector", **kwargs):
        self.path = path
        kwargs.setdefault("help_text", "GB/T 4754-2017 code; a section letter matches all its divisions.")
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value):
        if not value:
            return qs
        qs = qs.filter(**{f"{self.path}__code__startswith": value.strip().upper()})
        return qs.distinct() if self.distinct else qs


YEAR_HELP = "Academic year, named by the calendar year it starts in (2025 = 2025-09-01 … 2026-08-31)."


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(filters.NumberFilter):
    """An academic year: a whole number from 1950 to 2100 (else 400)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", YEAR_HELP)
        kwargs.setdefault("min_value", 1950)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class RegionFilterSet(filters.FilterSet):
    parent = filters.CharFilter(field_name="parent__code", help_text="Code of the parent region.")
    level = filters.ChoiceFilter(choices=RegionLevel.choices)

    class Meta:
        model = Region
        fields = ["level", "parent"]


class SectorFilterSet(filters.FilterSet):
    parent = filters.CharFilter(field_name="parent__code", help_text="Code of the parent section.")

    class Meta:
        model = Sector
        fields = ["parent"]


class SchoolFilterSet(filters.FilterSet):
    region = RegionSubtreeFilter()
    level = filters.ChoiceFilter(choices=SchoolLevel.choices)
    ownership = filters.ChoiceFilter(choices=Ownership.choices)
    sector = SectorFilter(path="programs__sector", distinct=True, help_text="Schools with a program in this sector.")

    class Meta:
        model = School
        fields = ["region", "level", "ownership", "sector"]


class EnterpriseFilterSet(filters.FilterSet):
    region = RegionSubtreeFilter()
    sector = SectorFilter()
    size = filters.ChoiceFilter(choices=EnterpriseSize.choices)

    class Meta:
        model = Enterprise
        fields = ["region", "sector", "size", "integration_certified"]


class UserFilterSet(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = User
        fields = ["role", "school", "enterprise", "is_active"]


