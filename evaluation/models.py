"""Evaluation: stakeholder feedback, evaluation runs and what they publish (indicator values, program
recommendations), warnings with their lifecycle, and per-region target overrides."""
from __future__ import annotations

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from partnerships.models import Partnership
from portal.db import choice_check
from portal.fields import ChoiceSetField
from portal.models import Enterprise, Region, School, Sector, TimeStampedModel
from programs.models import YEAR_VALIDATORS, Program, year_check

from .choices import (
    ACTIVE_RUN_STATUSES,
    UNRESOLVED_WARNING_STATUSES,
    Condition,
    FeedbackDimension,
    Level,
    Recommendation,
    RunStatus,
    RunTrigger,
    Severity,
    WarningStatus,
)
from .indicators.catalogue import BAND, REGISTRY

INDICATOR_CHOICES = [(key, indicator.name_en) for key, indicator in REGISTRY.items()]


class Feedback(TimeStampedModel):
    """An enterprise's (or third-party evaluator's) feedback for a year on a partnership or on a
    program's graduates."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="feedback",
    )
    evaluator = models.CharField(
        _("third-party evaluator"), max_length=200, blank=True,
        help_text=_("Only for feedback not given by an enterprise."),
    )
    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="feedback",
    )
    program = models.ForeignKey(
        Program, verbose_name=_("program (its graduates)"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="feedback",
    )
    year = models.PositiveSmallIntegerField(_("academic year"), validators=YEAR_VALIDATORS)
    comment = models.TextField(_("comment"), blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("given by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=(Q(partnership__isnull=False) & Q(program__isnull=True))
                | (Q(partnership__isnull=True) & Q(program__isnull=False)),
                name="feedback_about_partnership_or_program",
                violation_error_message=_("Feedback is about either a partnership or a program's graduates."),
            ),
            models.CheckConstraint(
                condition=(Q(enterprise__isnull=False) & Q(evaluator=""))
                | (Q(enterprise__isnull=True) & ~Q(evaluator="")),
                name="feedback_from_enterprise_or_evaluator",
                violation_error_message=_("Feedback comes from either an enterprise or a named third-party evaluator."),
            ),
            year_check("feedback"),
        ]

    def __str__(self) -> str:
        subject = self.partnership or self.program
        return f"{self.enterprise or self.evaluator} → {subject} ({self.year})"

    def clean(self) -> None:
        if bool(self.partnership_id) == bool(self.program_id):
            raise ValidationError({"partnership": _("Feedback is about either a partnership or a program's graduates.")})
        if bool(self.enterprise_id) == bool(self.evaluator):
            raise ValidationError(
                {"enterprise": _("Feedback comes from either an enterprise or a named third-party evaluator.")}
            )


class FeedbackScore(models.Model):
    """One score from 1 to 5 on one named dimension of a feedback."""

    Dimension = FeedbackDimension

    feedback = models.ForeignKey(Feedback, verbose_name=_("feedback"), on_delete=models.CASCADE, related_name="scores")
    dimension = models.CharField(_("dimension"), max_length=30, choices=FeedbackDimension.choices)
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        ordering = ["feedback", "dimension"]
        verbose_name = _("feedback score")
        verbose_name_plural = _("feedback scores")
        constraints = [
            models.UniqueConstraint(
                fields=["feedback", "dimension"],
                name="feedback_score_once_per_dimension",
                violation_error_message=_("This dimension is already scored in this feedback."),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5),
                name="feedback_score_1_to_5",
                violation_error_message=_("A score is a whole number from 1 to 5."),
            ),
            choice_check("dimension", FeedbackDimension, "feedback_score_dimension_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()}: {self.score}"


# --- evaluation runs ------------------------------------------------------------------------------


class EvaluationRun(TimeStampedModel):
    """One computation of every indicator for one academic year. Its values, recommendations and
    warning changes become visible together when it succeeds (`published`); readers always see the
    last succeeded run of a year. At most one run per year is queued or running at a time."""

    Status = RunStatus

    year = models.PositiveSmallIntegerField(_("academic year"), validators=YEAR_VALIDATORS)
    status = models.CharField(_("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED,
                              editable=False)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, editable=False)
    step = models.CharField(_("current step"), max_length=200, blank=True, editable=False)
    trigger = models.CharField(_("started by"), max_length=20, choices=RunTrigger.choices,
                               default=RunTrigger.REQUEST, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)
    published = models.BooleanField(
        _("published"), default=False, editable=False,
        help_text=_("The run whose values readers see for its year: the last one that succeeded."),
    )
    value_count = models.PositiveIntegerField(_("values"), default=0, editable=False)
    warnings_opened = models.PositiveIntegerField(_("warnings opened"), default=0, editable=False)
    warnings_resolved = models.PositiveIntegerField(_("warnings resolved"), default=0, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("evaluation run")
        verbose_name_plural = _("evaluation runs")
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=Q(status__in=ACTIVE_RUN_STATUSES), name="evaluation_run_one_active_per_year",
                violation_error_message=_("A run for this year is already under way."),
            ),
            models.UniqueConstraint(
                fields=["year"], condition=Q(published=True), name="evaluation_run_one_published_per_year",
                violation_error_message=_("Only one run per year is published."),
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="evaluation_run_progress_percent",
                violation_error_message=_("Progress is a percentage."),
            ),
            models.CheckConstraint(
                condition=~Q(published=True) | Q(status=RunStatus.SUCCEEDED), name="evaluation_run_published_succeeded",
                violation_error_message=_("Only a succeeded run can be published."),
            ),
            choice_check("status", RunStatus, "evaluation_run_status_valid"),
            choice_check("trigger", RunTrigger, "evaluation_run_trigger_valid"),
            year_check("evaluation_run"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.year} ({self.get_status_display()})"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES


# --- what a run publishes -------------------------------------------------------------------------


class SubjectQuerySet(models.QuerySet):
    def published(self):
        """Rows of the last succeeded run of their year."""
        return self.filter(run__published=True)


def subject_shape_check(prefix: str) -> models.CheckConstraint:
    """The subject columns that a level needs are set and the others are empty (program rows also
    carry their school)."""
    none = {"program__isnull": True, "school__isnull": True, "consortium__isnull": True,
            "region__isnull": True, "sector__isnull": True}

    def shape(level: str, *subject: str) -> Q:
        return Q(level=level, **{**none, **{f"{name}__isnull": False for name in subject}})

    return models.CheckConstraint(
        condition=shape(Level.PROGRAM, "program", "school")
        | shape(Level.SCHOOL, "school")
        | shape(Level.CONSORTIUM, "consortium")
        | shape(Level.REGION, "region")
        | shape(Level.REGION_SECTOR, "region", "sector"),
        name=f"{prefix}_subject_matches_level",
        violation_error_message=_("The subject does not match the level."),
    )


class Subject(models.Model):
    """An indicator for one subject of one level in one year: the columns shared by values and
    warnings."""

    indicator = models.CharField(_("indicator"), max_length=40, choices=INDICATOR_CHOICES)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("academic year"), validators=YEAR_VALIDATORS)
    program = models.ForeignKey(Program, verbose_name=_("program"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, verbose_name=_("school"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    consortium = models.ForeignKey("partnerships.Consortium", verbose_name=_("consortium"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("region"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    value = models.FloatField(_("value"), null=True, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True,
                               help_text=_("The target, or for a band its lower bound."))
    target_upper = models.FloatField(_("upper bound of the target band"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def definition(self):
        return REGISTRY[self.indicator]

    def subject(self):
        """The program, school, consortium, region or (region, sector) the row is about."""
        if self.level == Level.REGION_SECTOR:
            return (self.region, self.sector)
        return getattr(self, self.level)


class IndicatorValue(Subject):
    """One indicator's value for one subject of one level in one year, as computed by one run."""

    run = models.ForeignKey(EvaluationRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="values")
    numerator = models.DecimalField(_("numerator"), max_digits=24, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(_("denominator"), max_digits=24, decimal_places=4, null=True, blank=True)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "level", "id"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        indexes = [models.Index(fields=["run", "indicator", "level"], name="indicator_value_run_key")]
        constraints = [
            subject_shape_check("indicator_value"),
            choice_check("level", Level, "indicator_value_level_valid"),
            year_check("indicator_value"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"


class ProgramRecommendation(models.Model):
    """Program early warning for one current program and year, as computed by one run: the
    conditions that held in the year, how many consecutive years (ending with it) were flagged, and
    the advice that follows. A program's status changes only when a person changes it."""

    run = models.ForeignKey(EvaluationRun, verbose_name=_("run"), on_delete=models.CASCADE,
                            related_name="recommendations")
    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("academic year"), validators=YEAR_VALIDATORS)
    conditions = ChoiceSetField(_("conditions"), item_choices=Condition.choices, blank=True)
    consecutive_years = models.PositiveSmallIntegerField(_("consecutive flagged years"), default=0)
    recommendation = models.CharField(_("recommendation"), max_length=20, choices=Recommendation.choices,
                                      default=Recommendation.NONE)
    history = models.JSONField(
        _("conditions by year"), default=dict, blank=True,
        help_text=_("The conditions that held in each evaluated year (Y, Y−1, Y−2)."),
    )

    objects = SubjectQuerySet.as_manager()

    class Meta:
        ordering = ["school", "program", "-year"]
        verbose_name = _("program recommendation")
        verbose_name_plural = _("program recommendations")
        constraints = [
            models.UniqueConstraint(fields=["run", "program"], name="program_recommendation_once_per_run"),
            models.CheckConstraint(condition=Q(consecutive_years__lte=3), name="program_recommendation_years_0_to_3"),
            choice_check("recommendation", Recommendation, "program_recommendation_valid"),
            year_check("program_recommendation"),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.year}: {self.get_recommendation_display()}"


# --- warnings -------------------------------------------------------------------------------------


class Warning(Subject, TimeStampedModel):
    """A subject's value on the wrong side of its target. Opened by the run that finds it, kept (and
    updated) while later runs still find it, resolved by the first run that no longer does; a
    reviewer may acknowledge it with a note. At most one unresolved warning per indicator, subject
    and year."""

    Status = WarningStatus

    subject_key = models.CharField(_("subject key"), max_length=60, editable=False,
                                   help_text=_("level:id, or region_sector:region:sector"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    status = models.CharField(_("status"), max_length=20, choices=WarningStatus.choices, default=WarningStatus.OPEN)
    opened_by_run = models.ForeignKey(EvaluationRun, verbose_name=_("opened by run"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+", editable=False)
    last_seen_run = models.ForeignKey(EvaluationRun, verbose_name=_("last seen by run"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+", editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True, editable=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-year", "status", "-severity", "indicator", "id"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "subject_key"], condition=Q(status__in=UNRESOLVED_WARNING_STATUSES),
                name="warning_one_unresolved_per_subject",
                violation_error_message=_("This subject already has an unresolved warning for the indicator and year."),
            ),
            subject_shape_check("warning"),
            choice_check("level", Level, "warning_level_valid"),
            choice_check("severity", Severity, "warning_severity_valid"),
            choice_check("status", WarningStatus, "warning_status_valid"),
            year_check("warning"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year} {self.subject_key} ({self.get_status_display()})"


def subject_key(level: str, program_id=None, school_id=None, consortium_id=None, region_id=None,
                sector_id=None, **_ignored) -> str:
    """A subject as one string, so that uniqueness holds with nullable columns on every database."""
    if level == Level.PROGRAM:
        return f"program:{program_id}"
    if level == Level.SCHOOL:
        return f"school:{school_id}"
    if level == Level.CONSORTIUM:
        return f"consortium:{consortium_id}"
    if level == Level.REGION:
        return f"region:{region_id}"
    return f"region_sector:{region_id}:{sector_id}"


# --- targets --------------------------------------------------------------------------------------


TARGETED = [(key, indicator.name_en) for key, indicator in REGISTRY.items() if indicator.direction]


class TargetOverride(TimeStampedModel):
    """A region's own target for an indicator; it applies to the region and its sub-regions (the
    nearest override above a subject wins)."""

    indicator = models.CharField(_("indicator"), max_length=40, choices=TARGETED)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.CASCADE,
                               related_name="target_overrides")
    target = models.FloatField(_("target"), help_text=_("The target, or for a band its lower bound."))
    target_upper = models.FloatField(_("upper bound of the target band"), null=True, blank=True,
                                     help_text=_("Only for indicators with a target band."))
    note = models.TextField(_("note"), blank=True, help_text=_("Why the region sets its own target."))

    class Meta:
        ordering = ["indicator", "region__code"]
        verbose_name = _("target override")
        verbose_name_plural = _("target overrides")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region"], name="target_override_once_per_region",
                violation_error_message=_("This region already has its own target for this indicator."),
            ),
            models.CheckConstraint(
                condition=Q(target_upper__isnull=True) | Q(target_upper__gt=F("target")),
                name="target_override_band_ordered",
                violation_error_message=_("The upper bound must be above the lower bound."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} @ {self.region}: {self.target}"

    def clean(self) -> None:
        definition = REGISTRY.get(self.indicator)
        if definition is None or not definition.direction:
            raise ValidationError({"indicator": _("This indicator has no target to override.")})
        if definition.direction == BAND:
            if self.target_upper is None:
                raise ValidationError({"target_upper": _("A target band needs an upper bound.")})
            if self.target is not None and self.target_upper <= self.target:
                raise ValidationError({"target_upper": _("The upper bound must be above the lower bound.")})
        elif self.target_upper is not None:
            raise ValidationError({"target_upper": _("Only indicators with a target band take an upper bound.")})
        if self.target is not None and not math.isfinite(self.target):
            raise ValidationError({"target": _("Enter a finite number.")})
