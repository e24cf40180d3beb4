"""FilterSets of the teaching models (API lists and, later, pages)."""
from __future__ import annotations


import django_filters as filters
from django.db.models import QuerySet

from portal.choices import SchoolLevel
from portal.filters import RegionSubtreeFilter, SectorFilter
from portal.years import academic_year_bounds

from .choices import DualQualifiedLevel, Employment, PlacementActivity, ProgramStatus
from .models import Course, Program, ProgramYear, Teacher, TeacherPlacement

YEAR_LOOKUPS = ["exact", "gte", "lte"]


class ProgramFilterSet(filters.FilterSet):
    region = RegionSubtreeFilter(path="school__region", help_text="6-digit region code of the school; "
                                 "matches the region and its sub-regions.")
    sector = SectorFilter()
    status = filters.ChoiceFilter(choices=ProgramStatus.choices)
    level = filters.ChoiceFilter(field_name="school__level", choices=SchoolLevel.choices,
                                 help_text="Level of the school running the program.")

    class Meta:
        model = Program
        fields = {"school": ["exact"], "established_year": YEAR_LOOKUPS}


class CourseFilterSet(filters.FilterSet):
    school = filters.NumberFilter(field_name="program__school", help_text="Id of the school running the program.")
    co_developed = filters.BooleanFilter(method="filter_co_developed",
                                         help_text="true: courses co-developed with an enterprise; false: the others.")

    class Meta:
        model = Course
        fields = ["program", "school", "professional", "co_developed_with", "co_developed"]

    def filter_co_developed(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(co_developed_with__isnull=not value)


class ProgramYearFilterSet(filters.FilterSet):
    school = filters.NumberFilter(field_name="program__school", help_text="Id of the school running the program.")
    region = RegionSubtreeFilter(path="program__school__region", help_text="6-digit region code of the school; "
                                 "matches the region and its sub-regions.")

    class Meta:
        model = ProgramYear
        fields = {"program": ["exact"], "year": YEAR_LOOKUPS}


class TeacherFilterSet(filters.FilterSet):
    region = RegionSubtreeFilter(path="school__region", help_text="6-digit region code of the school; "
                                 "matches the region and its sub-regions.")
    employment = filters.ChoiceFilter(choices=Employment.choices)
    dual_qualified_level = filters.ChoiceFilter(choices=DualQualifiedLevel.choices)

    class Meta:
        model = Teacher
        fields = ["school", "region", "employment", "dual_qualified", "dual_qualified_level", "professional",
                  "active", "employer"]


class TeacherPlacementFilterSet(filters.FilterSet):
    school = filters.NumberFilter(field_name="teacher__school", help_text="Id of the teacher's school.")
    region = RegionSubtreeFilter(path="teacher__school__region", help_text="6-digit region code of the teacher's "
                                 "school; matches the region and its sub-regions.")
    activity = filters.ChoiceFilter(choices=PlacementActivity.choices)
    year = filters.NumberFilter(method="filter_year", help_text="Academic year Y: placements overlapping "
                                "1 September Y to 31 August Y+1.")

    class Meta:
        model = TeacherPlacement
        fields = ["teacher", "school", "enterprise", "verified", "activity", "year", "region"]

    def filter_year(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if value is None:
            return queryset
        year = int(value)
        if not 1 <= year < 9999:
            return queryset.none()
        first, last = academic_year_bounds(year)
        return queryset.filter(start_date__lte=last, end_date__gte=first)
