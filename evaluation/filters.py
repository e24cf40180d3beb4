"""FilterSets of the evaluation models (API lists and, later, pages)."""
from __future__ import annotations

import django_filters as filters
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from portal.filters import RegionSubtreeFilter, SectorFilter, YearFilter

from .choices import Level, Recommendation, RunStatus, Severity, WarningStatus
from .models import (
    INDICATOR_CHOICES,
    TARGETED,
    EvaluationRun,
    Feedback,
    IndicatorValue,
    ProgramRecommendation,
    TargetOverride,
    Warning,
)


class FeedbackFilterSet(filters.FilterSet):
    school = filters.NumberFilter(method="filter_school",
                                  help_text="Feedback about this school's partnerships or programs.")
    region = RegionSubtreeFilter(
        paths=("partnership__school__region", "program__school__region"),
        help_text="6-digit region code: feedback about schools in it or its sub-regions.",
    )
    third_party = filters.BooleanFilter(field_name="enterprise", lookup_expr="isnull",
                                        help_text="From third-party evaluators (true) or from enterprises (false).")

    class Meta:
        model = Feedback
        fields = ["partnership", "program", "enterprise", "year", "school", "region", "third_party"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_school(self, qs: QuerySet, name: str, value) -> QuerySet:
        if value in (None, ""):
            return qs
        return qs.filter(Q(partnership__school=value) | Q(program__school=value))


# --- the evaluation engine ------------------------------------------------------------------------


class SubjectFilterSet(filters.FilterSet):
    """Filters of indicator values and warnings. `?school=` finds a school's rows and its programs'
    rows (program rows carry their school)."""

    indicator = filters.ChoiceFilter(choices=INDICATOR_CHOICES)
    level = filters.ChoiceFilter(choices=Level.choices)
    year = YearFilter()
    program = filters.NumberFilter(field_name="program")
    school = filters.NumberFilter(field_name="school", help_text="The school's rows and its programs' rows.")
    consortium = filters.NumberFilter(field_name="consortium")
    # Program and school rows by the school's region, consortium rows by the consortium's, region
    # and region × sector rows by their own region.
    region = RegionSubtreeFilter(
        paths=("school__region", "consortium__region", "region"),
        help_text="6-digit region code: rows whose subject lies in the region or its sub-regions.",
    )
    sector = SectorFilter(help_text="GB/T 4754-2017 code of region × sector rows; a section letter matches all "
                                    "its divisions.")

    class Meta:
        fields = ["indicator", "level", "year", "program", "school", "consortium", "region", "sector"]


class IndicatorValueFilterSet(SubjectFilterSet):
    class Meta(SubjectFilterSet.Meta):
        model = IndicatorValue


class WarningFilterSet(SubjectFilterSet):
    status = filters.ChoiceFilter(choices=WarningStatus.choices)
    severity = filters.ChoiceFilter(choices=Severity.choices)

    class Meta(SubjectFilterSet.Meta):
        model = Warning
        fields = [*SubjectFilterSet.Meta.fields, "status", "severity"]


class ProgramRecommendationFilterSet(filters.FilterSet):
    year = YearFilter()
    recommendation = filters.ChoiceFilter(choices=Recommendation.choices)
    region = RegionSubtreeFilter(path="school__region",
                                 help_text="6-digit region code: programs of schools in the region or its "
                                           "sub-regions.")

    class Meta:
        model = ProgramRecommendation
        fields = ["program", "school", "year", "recommendation", "region"]


class EvaluationRunFilterSet(filters.FilterSet):
    year = YearFilter()
    status = filters.ChoiceFilter(choices=RunStatus.choices)

    class Meta:
        model = EvaluationRun
        fields = ["year", "status"]


class TargetOverrideFilterSet(filters.FilterSet):
    indicator = filters.ChoiceFilter(choices=TARGETED)
    region = RegionSubtreeFilter(help_text="6-digit region code: overrides set for the region or its sub-regions.")

    class Meta:
        model = TargetOverride
        fields = ["indicator", "region"]
