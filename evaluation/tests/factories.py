"""Factories for stakeholder feedback (valid by default)."""
from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from evaluation.choices import FeedbackDimension
from evaluation.models import Feedback, FeedbackScore
from portal.tests.factories import EnterpriseFactory
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
