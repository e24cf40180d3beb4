"""Factories for stakeholder feedback and evaluation results (valid by default)."""
from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from evaluation.choices import Condition, FeedbackDimension, Level, RunStatus, Severity
from evaluation.models import (
    EvaluationRun,
    Feedback,
    FeedbackScore,
    IndicatorValue,
    ProgramRecommendation,
    TargetOverride,
    Warning,
)
from portal.tests.factories import EnterpriseFactory, RegionFactory, SchoolFactory
from programs.tests.factories import ProgramFactory


class FeedbackFactory(DjangoModelFactory):
    """An enterprise's feedback on a program's graduates.

    Pass `partnership=p` for feedback on a partnership (then from `p.enterprise`), or
    `evaluator="…"` for a third-party evaluator instead of an enterprise.
    """

    class Meta:
        model = Feedback

    partnership = None
    evaluator = ""
    program = factory.Maybe(
        factory.LazyAttribute(lambda o: o.partnership is None),
        yes_declaration=factory.SubFactory(ProgramFactory),
        no_declaration=None,
    )
    enterprise = factory.Maybe(
        factory.LazyAttribute(lambda o: not o.evaluator),
        yes_declaration=factory.Maybe(
            factory.LazyAttribute(lambda o: o.partnership is None),
            yes_declaration=factory.SubFactory(EnterpriseFactory),
            no_declaration=factory.SelfAttribute("partnership.enterprise"),
        ),
        no_declaration=None,
    )
    year = 2024
    comment = ""


class FeedbackScoreFactory(DjangoModelFactory):
    """One score; pass `dimension` for a second score on the same feedback."""

    class Meta:
        model = FeedbackScore

    feedback = factory.SubFactory(FeedbackFactory)
    dimension = FeedbackDimension.PROFESSIONAL_SKILLS
    score = 4


class EvaluationRunFactory(DjangoModelFactory):
    """A published, succeeded run (pass status/published to change that)."""

    class Meta:
        model = EvaluationRun

    year = 2024
    status = RunStatus.SUCCEEDED
    published = True
    progress = 100


class IndicatorValueFactory(DjangoModelFactory):
    """A school-level value of a published run."""

    class Meta:
        model = IndicatorValue

    run = factory.SubFactory(EvaluationRunFactory)
    indicator = "dual_qualified_ratio"
    level = Level.SCHOOL
    year = factory.SelfAttribute("run.year")
    school = factory.SubFactory(SchoolFactory)
    numerator = 3
    denominator = 10
    value = 0.3
    target = 0.5


class WarningFactory(DjangoModelFactory):
    """An open warning on a school's value."""

    class Meta:
        model = Warning

    indicator = "dual_qualified_ratio"
    level = Level.SCHOOL
    year = 2024
    school = factory.SubFactory(SchoolFactory)
    subject_key = factory.LazyAttribute(lambda o: f"school:{o.school.pk}")
    value = 0.3
    target = 0.5
    severity = Severity.MEDIUM


class ProgramRecommendationFactory(DjangoModelFactory):
    class Meta:
        model = ProgramRecommendation

    run = factory.SubFactory(EvaluationRunFactory)
    program = factory.SubFactory(ProgramFactory)
    school = factory.SelfAttribute("program.school")
    year = factory.SelfAttribute("run.year")
    conditions = factory.LazyFunction(lambda: [Condition.NO_PARTNERSHIP])
    consecutive_years = 1


class TargetOverrideFactory(DjangoModelFactory):
    class Meta:
        model = TargetOverride

    indicator = "dual_qualified_ratio"
    region = factory.SubFactory(RegionFactory)
    target = 0.6
