"""Serializers of the evaluation API."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from portal.api.serializers import OwnOrganisationDefaultMixin, PortalModelSerializer
from portal.choices import Role

from ..models import Feedback, FeedbackScore


class FeedbackScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeedbackScore
        fields = ["dimension", "score"]


class FeedbackSerializer(OwnOrganisationDefaultMixin, PortalModelSerializer):
    """Feedback about either a `partnership` or a `program`'s graduates, from either an `enterprise`
    or (recorded by platform admins) a third-party `evaluator`; `scores` are written with it."""

    own_enterprise_field = "enterprise"

    scores = FeedbackScoreSerializer(many=True, allow_empty=False, help_text="Scores from 1 to 5, one per dimension.")
    average_score = serializers.SerializerMethodField(help_text="Mean of the scores.")
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, allow_null=True)
    partnership_title = serializers.CharField(source="partnership.title", read_only=True, allow_null=True)
    program_name = serializers.CharField(source="program.name", read_only=True, allow_null=True)
    school = serializers.SerializerMethodField(help_text="The school the feedback is about.")
    school_name = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = ["id", "enterprise", "enterprise_name", "evaluator", "partnership", "partnership_title", "program",
                  "program_name", "school", "school_name", "year", "scores", "average_score", "comment", "given_by",
                  "created_at", "updated_at"]
        read_only_fields = ["given_by"]
        extra_kwargs = {
            "enterprise": {"help_text": "Defaults to the caller's own enterprise (enterprise liaisons)."},
            "evaluator": {"help_text": "A third-party evaluator instead of an enterprise (platform admins only)."},
        }

    def validate_evaluator(self, value: str) -> str:
        if value and self.context["request"].user.role != Role.PLATFORM_ADMIN:
            raise PermissionDenied(_("Only a platform administrator records feedback from third-party evaluators."))
        return value

    def get_average_score(self, feedback: Feedback) -> float | None:
        scores = [s.score for s in feedback.scores.all()]
        return round(sum(scores) / len(scores), 2) if scores else None

    @staticmethod
    def _school(feedback: Feedback):
        subject = feedback.partnership or feedback.program
        return subject.school if subject is not None else None

    def get_school(self, feedback: Feedback) -> int | None:
        school = self._school(feedback)
        return school.pk if school is not None else None

    def get_school_name(self, feedback: Feedback) -> str | None:
        school = self._school(feedback)
        return school.name if school is not None else None
