"""API resources of evaluation: stakeholder feedback (indicator values, warnings and runs come with
the engine)."""
from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied

from portal.api.viewsets import ScopedModelViewSet
from portal.choices import Role
from portal.scoping import CHANGE

from .. import services
from ..filters import FeedbackFilterSet
from ..models import Feedback, FeedbackScore
from .serializers import FeedbackSerializer


class FeedbackViewSet(ScopedModelViewSet):
    """Feedback for a year on a partnership or on a program's graduates, scored 1–5 per dimension.
    An enterprise's liaison gives it (with its scores, in one request) and reads their enterprise's;
    a college admin reads the feedback about their school; reviewers read their region's. Given
    feedback, and feedback from third-party evaluators, are changed by platform admins only."""

    queryset = Feedback.objects.select_related("enterprise", "partnership__school", "program__school").prefetch_related(
        Prefetch("scores", queryset=FeedbackScore.objects.order_by("dimension"))
    )
    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilterSet
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
