"""API resources of evaluation: stakeholder feedback, the indicator catalogue, the values, warnings
and program recommendations the runs publish, the runs themselves and regional target overrides."""
from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from portal.api.permissions import ReadOnlyUnlessPlatformAdmin
from portal.api.viewsets import (
    ScopedModelViewSet,
    ScopedReadOnlyViewSet,
    ScopedViewSetMixin,
)
from portal.choices import Role
from portal.scoping import CHANGE

from .. import filters, runs, services
from ..choices import Level
from ..indicators.catalogue import REGISTRY, Indicator
from ..models import (
    EvaluationRun,
    Feedback,
    FeedbackScore,
    IndicatorValue,
    ProgramRecommendation,
    TargetOverride,
    Warning,
)
from . import serializers


class FeedbackViewSet(ScopedModelViewSet):
    """Feedback for a year on a partnership or on a program's graduates, scored 1–5 per dimension.
    An enterprise's liaison gives it (with its scores, in one request) and reads their enterprise's;
    a college admin reads the feedback about their school; reviewers read their region's. Given
    feedback, and feedback from third-party evaluators, are changed by platform admins only."""

    queryset = Feedback.objects.select_related("enterprise", "partnership__school", "program__school").prefetch_related(
        Prefetch("scores", queryset=FeedbackScore.objects.order_by("dimension"))
    )
    serializer_class = serializers.FeedbackSerializer
    filterset_class = filters.FeedbackFilterSet
    search_fields = ["comment", "evaluator", "enterprise__name", "partnership__title", "program__name"]
    ordering_fields = ["year", "created_at"]
    ordering = ["-year", "-id"]

    def check_may_change(self, instance, perm: str = CHANGE) -> None:
        if self.request.user.role != Role.PLATFORM_ADMIN:
            raise PermissionDenied(_("Given feedback can only be changed by a platform administrator."))

    def create_object(self, serializer):
        serializer.instance = services.feedback_give(by=self.request.user, **serializer.validated_data)

    def update_object(self, serializer):
        serializer.instance = services.feedback_update(
            feedback=serializer.instance, by=self.request.user, **serializer.validated_data
        )


# --- the evaluation engine ------------------------------------------------------------------------

SUBJECT_RELATIONS = ("program", "school", "consortium", "region", "sector")
SUBJECT_SEARCH = ["indicator", "program__name", "school__name", "school__name_en", "consortium__name",
                  "region__name", "sector__name"]


@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("level", str, enum=[level.value for level in Level],
                         description="Only indicators computed at this level."),
    ]),
    retrieve=extend_schema(parameters=[
        OpenApiParameter("key", str, OpenApiParameter.PATH, enum=list(REGISTRY), description="The indicator's key."),
    ]),
)
class IndicatorViewSet(viewsets.GenericViewSet):
    """The indicator catalogue (INDICATORS.md): what each indicator measures, at which levels,
    against which default target, and its exact formula. Read by every signed-in user; the
    definitions live in code."""

    serializer_class = serializers.IndicatorSerializer
    lookup_field = "key"
    lookup_value_regex = r"[a-z_]+"
    filter_backends: list = []

    def get_queryset(self) -> list[Indicator]:
        level = self.request.query_params.get("level")
        return [indicator for indicator in REGISTRY.values() if not level or level in indicator.levels]

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, key=None):
        indicator = REGISTRY.get(key)
        if indicator is None:
            raise Http404
        return Response(self.get_serializer(indicator).data)


class IndicatorValueViewSet(ScopedReadOnlyViewSet):
    """Indicator values of the published run of each year (the last one that succeeded): one row
    per indicator, subject and year, with its numerator, denominator, target and formula. A college
    admin reads their school's rows and its programs' rows, a liaison the rows of the consortia its
    enterprise belongs to, a reviewer the rows of subjects in their region."""

    queryset = IndicatorValue.objects.published().select_related(*SUBJECT_RELATIONS)
    serializer_class = serializers.IndicatorValueSerializer
    filterset_class = filters.IndicatorValueFilterSet
    search_fields = SUBJECT_SEARCH
    ordering_fields = ["value", "indicator", "year"]
    ordering = ["-year", "indicator", "level", "id"]


class WarningViewSet(ScopedReadOnlyViewSet):
    """Warnings: values on the wrong side of their target, opened and resolved by the runs. Visible
    like indicator values; the region's education authority (or a platform admin) acknowledges an
    open one with `POST …/{id}/acknowledge/`."""

    queryset = Warning.objects.select_related(*SUBJECT_RELATIONS)
    serializer_class = serializers.WarningSerializer
    filterset_class = filters.WarningFilterSet
    search_fields = SUBJECT_SEARCH
    ordering_fields = ["value", "indicator", "year", "severity", "status", "created_at", "updated_at"]
    ordering = ["-year", "status", "-severity", "indicator", "id"]

    @extend_schema(request=serializers.WarningAcknowledgeSerializer, responses=serializers.WarningSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Acknowledge an open warning, optionally with a note (reviewers of its region, platform admins)."""
        warning = self.get_object()
        body = serializers.WarningAcknowledgeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        warning = services.warning_acknowledge(warning, request.user, body.validated_data.get("note"))
        return Response(self.get_serializer(self.get_queryset().get(pk=warning.pk)).data)


class ProgramRecommendationViewSet(ScopedReadOnlyViewSet):
    """Program early warning of the published run of each year: the conditions that held, the
    consecutive flagged years and the advice (reduce or suspend enrolment). Read by the school and
    the region's education authority."""

    queryset = ProgramRecommendation.objects.published().select_related("program", "school")
    serializer_class = serializers.ProgramRecommendationSerializer
    filterset_class = filters.ProgramRecommendationFilterSet
    search_fields = ["program__name", "program__code", "school__name"]
    ordering_fields = ["year", "consecutive_years", "recommendation"]
    ordering = ["school__name", "program__code", "-year", "id"]


class MayStartRuns(BasePermission):
    message = _("Only an education authority (reviewer) or a platform administrator may start an evaluation run.")

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or request.user.role in (Role.GOV_REVIEWER, Role.PLATFORM_ADMIN)


class EvaluationRunViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    """Evaluation runs: every signed-in user follows their status and progress; reviewers and
    platform admins start one for a year (`POST {"year": 2025}`, 202 with the run, or with the run
    already queued or running for that year)."""

    queryset = EvaluationRun.objects.all()
    serializer_class = serializers.EvaluationRunSerializer
    extra_permission_classes = (MayStartRuns,)
    filterset_class = filters.EvaluationRunFilterSet
    ordering_fields = ["year", "created_at", "finished_at"]
    ordering = ["-id"]

    queue_unavailable = _("The task queue cannot be reached; no run was started. Try again shortly.")

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        # The request transaction (ATOMIC_REQUESTS) would hold back the run's enqueueing until after
        # the answer; outside it, request_run commits and enqueues itself and a queue failure can
        # still be answered (503, and the run is taken back).
        return transaction.non_atomic_requests(super().as_view(actions, **initkwargs))

    def handle_exception(self, exc):
        # DRF marks the request's transaction for rollback on an error answer; this view has none,
        # so leave any transaction around it (a test's) as it was.
        if not transaction.get_connection().in_atomic_block:
            return super().handle_exception(exc)
        marked = transaction.get_rollback()
        try:
            return super().handle_exception(exc)
        finally:
            transaction.set_rollback(marked)

    @extend_schema(
        request=serializers.EvaluationRunRequestSerializer,
        responses={
            202: serializers.EvaluationRunSerializer,
            503: inline_serializer("QueueUnavailable", {"detail": drf_serializers.CharField()}),
        },
    )
    def create(self, request, *args, **kwargs):
        body = serializers.EvaluationRunRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            run, _created = runs.request_run(body.validated_data["year"], by=request.user)
        except runs.QueueUnavailable:
            return Response({"detail": self.queue_unavailable}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        run.refresh_from_db()  # an in-process (eager) task may have run it already
        return Response(self.get_serializer(run).data, status=status.HTTP_202_ACCEPTED)


class TargetOverrideViewSet(ScopedModelViewSet):
    """Regions' own targets for indicators (the nearest override above a subject wins over the
    catalogue's default). Everyone signed in reads; platform admins set them. They apply from the
    next run on."""

    queryset = TargetOverride.objects.select_related("region")
    serializer_class = serializers.TargetOverrideSerializer
    extra_permission_classes = (ReadOnlyUnlessPlatformAdmin,)
    filterset_class = filters.TargetOverrideFilterSet
    search_fields = ["indicator", "region__name", "note"]
    ordering_fields = ["indicator", "target", "created_at", "updated_at"]
    ordering = ["indicator", "region__code", "id"]
