"""FilterSets of the evaluation models (API lists and, later, pages)."""
from __future__ import annotations

import django_filters as filters
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from portal.models import Region
from portal.scoping import region_subtree_q

from .models import Feedback


class FeedbackFilterSet(filters.FilterSet):
    school = filters.NumberFilter(method="filter_school",
                                  help_text="Feedback about this school's partnerships or programs.")
    region = filters.CharFilter(method="filter_region",
                                help_text="6-digit region code: feedback about schools in it or its sub-regions.")
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

    def filter_region(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return qs
        region = Region.objects.filter(code=value).only("pk").first()
        if region is None:
            return qs.none()
        return qs.filter(
            region_subtree_q(region.pk, "partnership__school__region")
            | region_subtree_q(region.pk, "program__school__region")
        )
