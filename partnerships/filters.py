"""FilterSets of the cooperation models (API lists and, later, pages)."""
from __future__ import annotations

import django_filters as filters
from django.db.models import QuerySet

from portal.fields import choice_set_contains
from portal.filters import RegionSubtreeFilter, SectorFilter, YearFilter

from .choices import (
    ConsortiumKind,
    ContributionKind,
    ContributionParty,
    MemberRole,
    PartnershipKind,
    PartnershipStatus,
    ProjectStatus,
)
from .models import (
    Consortium,
    ConsortiumMember,
    Contribution,
    EnterpriseProject,
    Partnership,
    Patent,
    ProjectAdoption,
    TalentDemand,
    TechnicalService,
    TrainingBase,
    TrainingBaseUsage,
)
from .querysets import active_in_q, dated_in_q

class AcademicYearDateFilter(YearFilter):
    """`?year=2025`: rows whose date lies in academic year 2025."""

    def filter(self, qs: QuerySet, value):
        if value in (None, ""):
            return qs
        return qs.filter(dated_in_q(int(value), self.field_name))


class ConsortiumFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ConsortiumKind.choices)
    region = RegionSubtreeFilter()
    sector = SectorFilter()
    school = filters.NumberFilter(field_name="members__school", help_text="Consortia this school is a member of.")
    enterprise = filters.NumberFilter(
        field_name="members__enterprise", help_text="Consortia this enterprise is a member of."
    )

    class Meta:
        model = Consortium
        fields = ["kind", "region", "sector", "school", "enterprise"]


class ConsortiumMemberFilterSet(filters.FilterSet):
    role = filters.ChoiceFilter(choices=MemberRole.choices)

    class Meta:
        model = ConsortiumMember
        fields = ["consortium", "school", "enterprise", "role"]


class PartnershipFilterSet(filters.FilterSet):
    status = filters.ChoiceFilter(choices=PartnershipStatus.choices)
    kind = filters.ChoiceFilter(choices=PartnershipKind.choices, method="filter_kind",
                                help_text="Partnerships having this kind of cooperation (among others).")
    program = filters.NumberFilter(field_name="programs", help_text="Partnerships naming this program.")
    region = RegionSubtreeFilter(path="school__region",
                                 help_text="6-digit code of the school's region (incl. sub-regions).")
    sector = SectorFilter(path="enterprise__sector",
                          help_text="The enterprise's sector (a section letter matches its divisions).")
    active_in = YearFilter(
        method="filter_active_in",
        help_text="Academic year: partnerships active, suspended or ended whose dates overlap it "
        "(2025 = 2025-09-01 … 2026-08-31).",
    )

    class Meta:
        model = Partnership
        fields = ["school", "enterprise", "program", "status", "kind", "region", "sector", "active_in"]

    def filter_kind(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(choice_set_contains("kinds", value)) if value else qs

    def filter_active_in(self, qs: QuerySet, name: str, value) -> QuerySet:
        return qs if value in (None, "") else qs.filter(active_in_q(int(value)))


class ContributionFilterSet(filters.FilterSet):
    party = filters.ChoiceFilter(choices=ContributionParty.choices)
    kind = filters.ChoiceFilter(choices=ContributionKind.choices)
    school = filters.NumberFilter(field_name="partnership__school")
    enterprise = filters.NumberFilter(field_name="partnership__enterprise")
    year = AcademicYearDateFilter(field_name="date")

    class Meta:
        model = Contribution
        fields = ["partnership", "party", "kind", "school", "enterprise", "year"]


class EnterpriseProjectFilterSet(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ProjectStatus.choices)
    sector = SectorFilter()
    region = RegionSubtreeFilter(path="enterprise__region", help_text="6-digit code of the enterprise's region.")

    class Meta:
        model = EnterpriseProject
        fields = ["enterprise", "status", "sector", "region"]


class ProjectAdoptionFilterSet(filters.FilterSet):
    program = filters.NumberFilter(field_name="course__program")
    school = filters.NumberFilter(field_name="course__program__school")
    enterprise = filters.NumberFilter(field_name="project__enterprise")

    class Meta:
        model = ProjectAdoption
        fields = ["project", "course", "program", "school", "enterprise", "year"]


class TalentDemandFilterSet(filters.FilterSet):
    sector = SectorFilter()
    region = RegionSubtreeFilter()

    class Meta:
        model = TalentDemand
        fields = ["enterprise", "sector", "region", "year"]


class TrainingBaseFilterSet(filters.FilterSet):
    class Meta:
        model = TrainingBase
        fields = ["school", "enterprise", "consortium", "co_built", "on_campus", "open_to_public"]


class TrainingBaseUsageFilterSet(filters.FilterSet):
    school = filters.NumberFilter(field_name="base__school")
    enterprise = filters.NumberFilter(field_name="base__enterprise")

    class Meta:
        model = TrainingBaseUsage
        fields = ["base", "year", "school", "enterprise"]


class TechnicalServiceFilterSet(filters.FilterSet):
    class Meta:
        model = TechnicalService
        fields = ["school", "enterprise", "year"]


class PatentFilterSet(filters.FilterSet):
    enterprise = filters.NumberFilter(field_name="licensee", help_text="The licensee enterprise (same as ?licensee=).")
    year = AcademicYearDateFilter(field_name="granted_on", help_text="Academic year in which the patent was granted.")
    transferred = filters.BooleanFilter(field_name="transferred_on", lookup_expr="isnull", exclude=True,
                                        help_text="Transferred or licensed (true) or not (false).")

    class Meta:
        model = Patent
        fields = ["school", "licensee", "enterprise", "year", "transferred"]
