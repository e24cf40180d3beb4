"""API resources of cooperation: consortia and their members, partnerships (with the accept,
decline, suspend and end actions) and their contributions, enterprise projects and their adoption,
talent demands, training bases and their use, technical services and patents."""
from __future__ import annotations

from collections.abc import Callable

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.viewsets import ScopedModelViewSet
from portal.documents import document_response
from programs.models import Program

from .. import filters, services
from ..models import (
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
from . import serializers


class ConsortiumViewSet(ScopedModelViewSet):
    """City-level consortia, industry communities and vocational education groups, with their members.
    Everyone reads; the education authority of a region creates and changes those of its region."""

    queryset = Consortium.objects.select_related("region", "sector").prefetch_related(
        Prefetch("members",
                 queryset=ConsortiumMember.objects.select_related("school", "enterprise").order_by("role", "id"))
    )
    serializer_class = serializers.ConsortiumSerializer
    filterset_class = filters.ConsortiumFilterSet
    search_fields = ["name", "description"]
    ordering_fields = ["name", "kind", "established_on", "created_at"]
    ordering = ["name", "id"]


class ConsortiumMemberViewSet(ScopedModelViewSet):
    """Members of consortia: schools, enterprises or other bodies (associations, institutes,
    government). Everyone reads; the region's education authority adds and removes them."""

    queryset = ConsortiumMember.objects.select_related("consortium", "school", "enterprise")
    serializer_class = serializers.ConsortiumMemberSerializer
    filterset_class = filters.ConsortiumMemberFilterSet
    search_fields = ["school__name", "enterprise__name", "other_name"]
    ordering_fields = ["consortium", "role", "joined_on"]
    ordering = ["consortium", "role", "id"]


class PartnershipViewSet(ScopedModelViewSet):
    """Partnership agreements between a school and an enterprise. A college admin proposes (POST),
    changes or withdraws a proposal while it is proposed, and suspends or ends an agreement; the
    enterprise's liaison accepts or declines a proposal. `status` changes only through the actions."""

    queryset = Partnership.objects.select_related("school", "enterprise").prefetch_related(
        Prefetch("programs", queryset=Program.objects.order_by("code", "id"))
    )
    serializer_class = serializers.PartnershipSerializer
    filterset_class = filters.PartnershipFilterSet
    search_fields = ["title", "description", "school__name", "enterprise__name"]
    ordering_fields = ["start_date", "end_date", "title", "status", "created_at", "updated_at"]
    ordering = ["-start_date", "id"]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: None})
    @action(detail=True, methods=["get"], url_path="agreement", url_name="agreement")
    def agreement_file(self, request, pk=None):
        """Download the signed agreement: only for those who may see the partnership (else 404)."""
        return document_response(self.get_object().agreement)

    def create_object(self, serializer):
        serializer.instance = services.partnership_propose(by=self.request.user, **serializer.validated_data)

    def update_object(self, serializer):
        serializer.instance = services.partnership_update(
            partnership=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def _change_state(self, service: Callable[..., Partnership]) -> Response:
        partnership = service(partnership=self.get_object(), by=self.request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=partnership.pk)).data)

    @extend_schema(request=None, responses=serializers.PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The enterprise accepts a proposed partnership (it becomes active)."""
        return self._change_state(services.partnership_accept)

    @extend_schema(request=None, responses=serializers.PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The enterprise declines a proposed partnership."""
        return self._change_state(services.partnership_decline)

    @extend_schema(request=None, responses=serializers.PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        """The school suspends an active partnership."""
        return self._change_state(services.partnership_suspend)

    @extend_schema(request=None, responses=serializers.PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """The school ends an active or suspended partnership."""
        return self._change_state(services.partnership_end)


class ContributionViewSet(ScopedModelViewSet):
    """The benefit-sharing ledger of partnerships: who put in what, worth how much. Each side records
    its own entries (a college admin party `school`, a liaison party `enterprise`); declined
    partnerships take none."""

    queryset = Contribution.objects.select_related("partnership__school", "partnership__enterprise")
    serializer_class = serializers.ContributionSerializer
    filterset_class = filters.ContributionFilterSet
    search_fields = ["note", "partnership__title"]
    ordering_fields = ["date", "value", "party", "kind", "created_at"]
    ordering = ["-date", "id"]

    def create_object(self, serializer):
        serializer.instance = services.contribution_add(by=self.request.user, **serializer.validated_data)

    def update_object(self, serializer):
        serializer.instance = services.contribution_update(
            contribution=serializer.instance, by=self.request.user, **serializer.validated_data
        )


class EnterpriseProjectViewSet(ScopedModelViewSet):
    """Real enterprise projects offered for project-based teaching. Every signed-in user reads the
    projects on offer; drafts are visible only to their enterprise, whose liaison keeps them."""

    queryset = EnterpriseProject.objects.select_related("enterprise", "sector")
    serializer_class = serializers.EnterpriseProjectSerializer
    filterset_class = filters.EnterpriseProjectFilterSet
    search_fields = ["title", "summary", "skills", "enterprise__name"]
    ordering_fields = ["created_at", "title", "start_date", "capacity", "status"]
    ordering = ["-created_at", "id"]


class ProjectAdoptionViewSet(ScopedModelViewSet):
    """Enterprise projects taken into a course's teaching for a year. A college admin records those
    of their school's courses (only open or in-progress projects); the project's enterprise reads them."""

    queryset = ProjectAdoption.objects.select_related("project__enterprise", "course__program__school")
    serializer_class = serializers.ProjectAdoptionSerializer
    filterset_class = filters.ProjectAdoptionFilterSet
    search_fields = ["project__title", "course__name", "outcome"]
    ordering_fields = ["year", "students", "created_at"]
    ordering = ["-year", "id"]

    def create_object(self, serializer):
        serializer.instance = services.project_adopt(by=self.request.user, **serializer.validated_data)

    def update_object(self, serializer):
        serializer.instance = services.project_adoption_update(
            adoption=serializer.instance, by=self.request.user, **serializer.validated_data
        )


class TalentDemandViewSet(ScopedModelViewSet):
    """Positions enterprises need to fill in a year. Everyone reads; a liaison keeps their enterprise's."""

    queryset = TalentDemand.objects.select_related("enterprise", "sector", "region")
    serializer_class = serializers.TalentDemandSerializer
    filterset_class = filters.TalentDemandFilterSet
    search_fields = ["position", "skills", "enterprise__name"]
    ordering_fields = ["year", "headcount", "position", "created_at"]
    ordering = ["-year", "id"]


class TrainingBaseViewSet(ScopedModelViewSet):
    """Practical training bases owned by a school, an enterprise or a consortium. Everyone reads; the
    owner keeps them (a consortium's bases: the education authority of its region)."""

    queryset = TrainingBase.objects.select_related("school", "enterprise", "consortium")
    serializer_class = serializers.TrainingBaseSerializer
    filterset_class = filters.TrainingBaseFilterSet
    search_fields = ["name", "school__name", "enterprise__name", "consortium__name"]
    ordering_fields = ["name", "equipment_value", "capacity_hours", "created_at"]
    ordering = ["name", "id"]


class TrainingBaseUsageViewSet(ScopedModelViewSet):
    """Hours a training base was used in a year, internally and for outside (social) training; one
    row per base and year. Everyone reads; the base's owner records them."""

    queryset = TrainingBaseUsage.objects.select_related("base")
    serializer_class = serializers.TrainingBaseUsageSerializer
    filterset_class = filters.TrainingBaseUsageFilterSet
    search_fields = ["base__name"]
    ordering_fields = ["year", "internal_hours", "external_hours"]
    ordering = ["-year", "base", "id"]


class TechnicalServiceViewSet(ScopedModelViewSet):
    """Paid technical services a school delivered, by academic year. The school keeps them; the
    client enterprise reads those naming it."""

    queryset = TechnicalService.objects.select_related("school", "enterprise")
    serializer_class = serializers.TechnicalServiceSerializer
    filterset_class = filters.TechnicalServiceFilterSet
    search_fields = ["title", "school__name", "enterprise__name"]
    ordering_fields = ["year", "amount", "title", "created_at"]
    ordering = ["-year", "id"]


class PatentViewSet(ScopedModelViewSet):
    """Patents granted to a school and whether they were transferred or licensed. The school keeps
    them; the licensee reads those naming it."""

    queryset = Patent.objects.select_related("school", "licensee")
    serializer_class = serializers.PatentSerializer
    filterset_class = filters.PatentFilterSet
    search_fields = ["number", "title", "licensee__name"]
    ordering_fields = ["granted_on", "transferred_on", "number", "created_at"]
    ordering = ["-granted_on", "id"]
