"""Evaluation: stakeholder feedback now; indicator runs, values and warnings come with the engine."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerships.models import Partnership
from portal.db import choice_check
from portal.models import Enterprise, TimeStampedModel
from programs.models import YEAR_VALIDATORS, Program, year_check

from .choices import FeedbackDimension


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
