"""Serializers of the evaluation API."""
from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_choice_description_list
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from portal.api.serializers import (
    ChoiceSetSerializerField,
    CodeRelatedField,
    OwnOrganisationDefaultMixin,
    PortalModelSerializer,
)
from portal.choices import Role
from portal.filters import YEAR_HELP
from portal.models import Region

from ..choices import Condition, Direction, Level
from ..indicators.catalogue import CNY, COUNT, RATIO, REGISTRY, SCORE, Indicator
from ..models import (
    INDICATOR_CHOICES,
    EvaluationRun,
    Feedback,
    FeedbackScore,
    IndicatorValue,
    ProgramRecommendation,
    TargetOverride,
    Warning,
)


class EnumComponentField(serializers.ChoiceField):
    """A choice field documented as one named enum of the schema. Several resources share the
    indicator keys and levels under a field name that other resources use for other choices
    ("level"); drf-spectacular would name such a set by a hash and warn."""

    def __init__(self, choices, *, name: str, **kwargs):
        self.component_name = name
        super().__init__(choices, **kwargs)


class EnumComponentFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumComponentField
    match_subclasses = True

    def get_name(self) -> str:
        return self.target.component_name

    def map_serializer_field(self, auto_schema, direction) -> dict:
        return {"type": "string", "enum": list(self.target.choices),
                "description": build_choice_description_list(self.target.choices.items())}


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


# --- the evaluation engine ------------------------------------------------------------------------

UNIT_CHOICES = [
    (RATIO, _("ratio")),
    (CNY, _("CNY")),
    (COUNT, _("count")),
    (SCORE, _("mean score (1–5)")),
]


def localised_name(indicator: Indicator) -> str:
    """The indicator's name in the request's language (Chinese for zh-*, else English)."""
    return indicator.name_zh if (get_language() or "").lower().startswith("zh") else indicator.name_en


class IndicatorSerializer(serializers.Serializer):
    """An indicator definition of the catalogue (INDICATORS.md)."""

    key = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField(help_text="The name in the request's language (Accept-Language).")
    name_en = serializers.CharField(read_only=True)
    name_zh = serializers.CharField(read_only=True)
    levels = serializers.ListField(child=EnumComponentField(Level.choices, name="IndicatorLevel"), read_only=True,
                                   help_text="The levels the indicator is computed at.")
    unit = serializers.ChoiceField(choices=UNIT_CHOICES, read_only=True)
    direction = serializers.ChoiceField(choices=Direction.choices, read_only=True, allow_null=True,
                                        help_text="How the value is compared with the target; null: no target.")
    target = serializers.SerializerMethodField(help_text="The default target; for a band its lower bound.")
    target_upper = serializers.SerializerMethodField(help_text="The upper bound of a target band, else null.")
    source = serializers.CharField(read_only=True, help_text="[N] national rule, [P] provincial practice, "
                                                             "[D] the portal's own design choice.")
    formula = serializers.CharField(read_only=True)

    def get_name(self, indicator: Indicator) -> str:
        return localised_name(indicator)

    def get_target(self, indicator: Indicator) -> float | None:
        target = indicator.target
        return target[0] if isinstance(target, tuple) else target

    def get_target_upper(self, indicator: Indicator) -> float | None:
        target = indicator.target
        return target[1] if isinstance(target, tuple) else None


class SubjectSerializer(serializers.ModelSerializer):
    """The columns indicator values and warnings share: the indicator and the subject (a program
    with its school, a school, a consortium, a region, or a region × sector), with names."""

    indicator = EnumComponentField(INDICATOR_CHOICES, name="IndicatorKey", read_only=True)
    indicator_name = serializers.SerializerMethodField(help_text="In the request's language.")
    level = EnumComponentField(Level.choices, name="IndicatorLevel", read_only=True)
    program_name = serializers.CharField(source="program.name", read_only=True, allow_null=True)
    school_name = serializers.CharField(source="school.name", read_only=True, allow_null=True)
    consortium_name = serializers.CharField(source="consortium.name", read_only=True, allow_null=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True,
                                          help_text="6-digit code (region and region × sector rows).")
    region_name = serializers.CharField(source="region.name", read_only=True, allow_null=True)
    sector = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True,
                                          help_text="Industry code (region × sector rows).")
    sector_name = serializers.CharField(source="sector.name", read_only=True, allow_null=True)

    SUBJECT_FIELDS = ["program", "program_name", "school", "school_name", "consortium", "consortium_name", "region",
                      "region_name", "sector", "sector_name"]

    def get_indicator_name(self, row) -> str:
        return localised_name(REGISTRY[row.indicator])


class IndicatorValueSerializer(SubjectSerializer):
    """One indicator's value for one subject and year, from the year's published run, with the
    numerator and denominator it comes from, the subject's target and the formula."""

    direction = serializers.ChoiceField(source="definition.direction", choices=Direction.choices, read_only=True,
                                        allow_null=True)
    unit = serializers.ChoiceField(source="definition.unit", choices=UNIT_CHOICES, read_only=True)
    formula = serializers.CharField(source="definition.formula", read_only=True)

    class Meta:
        model = IndicatorValue
        fields = ["id", "indicator", "indicator_name", "level", *SubjectSerializer.SUBJECT_FIELDS, "year", "value",
                  "numerator", "denominator", "target", "target_upper", "direction", "unit", "formula", "run"]
        read_only_fields = fields
        extra_kwargs = {
            "value": {"help_text": "numerator ÷ denominator, or the sum itself (money, counts); null: no data."},
            "numerator": {"normalize_output": True},
            "denominator": {"normalize_output": True, "help_text": "Null for sums (money, counts)."},
        }


class WarningSerializer(SubjectSerializer):
    """A subject's value on the wrong side of its target, as found by the runs of its year."""

    class Meta:
        model = Warning
        fields = ["id", "indicator", "indicator_name", "level", *SubjectSerializer.SUBJECT_FIELDS, "year", "value",
                  "target", "target_upper", "severity", "status", "opened_by_run", "last_seen_run", "created_at",
                  "updated_at", "resolved_at", "acknowledged_by", "acknowledged_at", "note"]
        read_only_fields = fields


class WarningAcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True,
                                 help_text="What the reviewer knows or will do about it (optional).")


class ProgramRecommendationSerializer(serializers.ModelSerializer):
    """Program early warning for one program and year, from the year's published run."""

    program_name = serializers.CharField(source="program.name", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    conditions = ChoiceSetSerializerField(choices=Condition.choices, read_only=True,
                                          help_text="The conditions that held in the year.")
    history = serializers.SerializerMethodField(
        help_text="The conditions that held in each evaluated year (the year and the two before), by year."
    )

    class Meta:
        model = ProgramRecommendation
        fields = ["id", "program", "program_name", "school", "school_name", "year", "conditions",
                  "consecutive_years", "recommendation", "history", "run"]
        read_only_fields = fields

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}})
    def get_history(self, recommendation: ProgramRecommendation) -> dict:
        return recommendation.history


class EvaluationRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvaluationRun
        fields = ["id", "year", "status", "progress", "step", "trigger", "requested_by", "started_at", "finished_at",
                  "attempts", "error", "published", "value_count", "warnings_opened", "warnings_resolved",
                  "created_at"]
        read_only_fields = fields


class EvaluationRunRequestSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1950, max_value=2100, help_text=YEAR_HELP)


class TargetOverrideSerializer(PortalModelSerializer):
    """A region's own target for an indicator (it applies to the region and its sub-regions)."""

    region = CodeRelatedField(queryset=Region.objects.all())

    class Meta:
        model = TargetOverride
        fields = ["id", "indicator", "region", "target", "target_upper", "note", "created_at", "updated_at"]
