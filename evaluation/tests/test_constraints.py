"""Every rule on feedback holds twice: full_clean() names the field, and the database refuses a
write that skips Python validation."""
import factory
import pytest

from evaluation.choices import FeedbackDimension
from evaluation.models import FeedbackScore
from evaluation.tests.factories import FeedbackFactory, FeedbackScoreFactory
from partnerships.tests.factories import PartnershipFactory
from portal.tests.constraint_checks import (
    assert_database_refuses_the_update,
    assert_database_refuses_the_write,
    assert_full_clean_names_the_field,
    assert_valid_record_saves,
)
from portal.tests.factories import EnterpriseFactory, same_as
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db(transaction=False)

PARTNERSHIP = factory.SubFactory(PartnershipFactory)
PROGRAM = factory.SubFactory(ProgramFactory)
ENTERPRISE = factory.SubFactory(EnterpriseFactory)
EVALUATOR = "麦可思研究院"

VALID = [
    pytest.param(FeedbackFactory, {}, id="enterprise on a program's graduates"),
    pytest.param(FeedbackFactory, {"partnership": PARTNERSHIP}, id="enterprise on a partnership"),
    pytest.param(FeedbackFactory, {"evaluator": EVALUATOR}, id="third-party evaluator on a program"),
    pytest.param(FeedbackFactory, {"evaluator": EVALUATOR, "partnership": PARTNERSHIP},
                 id="third-party evaluator on a partnership"),
    pytest.param(FeedbackScoreFactory, {"score": 1}, id="lowest score"),
    pytest.param(FeedbackScoreFactory, {"score": 5}, id="highest score"),
]

# (factory, overrides that break one rule, the field full_clean() must name)
BAD = [
    pytest.param(FeedbackFactory, {"program": None}, "partnership", id="feedback about nothing"),
    pytest.param(FeedbackFactory, {"partnership": PARTNERSHIP, "program": PROGRAM}, "partnership",
                 id="feedback about a partnership and a program"),
    pytest.param(FeedbackFactory, {"enterprise": None}, "enterprise", id="feedback from nobody"),
    pytest.param(FeedbackFactory, {"evaluator": EVALUATOR, "enterprise": ENTERPRISE}, "enterprise",
                 id="feedback from an enterprise and an evaluator"),
    pytest.param(FeedbackFactory, {"year": 1949}, "year", id="feedback before 1950"),
    pytest.param(FeedbackScoreFactory, {"score": 0}, "score", id="score 0"),
    pytest.param(FeedbackScoreFactory, {"score": 6}, "score", id="score 6"),
    pytest.param(FeedbackScoreFactory, {"dimension": "price"}, "dimension", id="unknown dimension"),
    pytest.param(FeedbackScoreFactory, same_as(FeedbackScoreFactory, "feedback", "dimension"), "__all__",
                 id="dimension scored twice"),
]

# (factory of a valid saved row, QuerySet.update() arguments that break one rule)
BAD_UPDATES = [
    pytest.param(FeedbackFactory, {"program": None}, id="feedback losing its subject"),
    pytest.param(FeedbackFactory, {"evaluator": EVALUATOR}, id="enterprise feedback given an evaluator too"),
    pytest.param(FeedbackFactory, {"year": 2101}, id="feedback moved after 2100"),
    pytest.param(FeedbackScoreFactory, {"score": 6}, id="score raised to 6"),
    pytest.param(FeedbackScoreFactory, {"score": 0}, id="score lowered to 0"),
    pytest.param(FeedbackScoreFactory, {"dimension": "price"}, id="dimension renamed to an unknown one"),
]


@pytest.mark.parametrize("factory_class, overrides", VALID)
def test_a_valid_record_passes_full_clean_and_saves(factory_class, overrides):
    assert_valid_record_saves(factory_class, overrides)


@pytest.mark.parametrize("factory_class, bad, field", BAD)
def test_full_clean_names_the_broken_field_and_nothing_is_written(factory_class, bad, field):
    assert_full_clean_names_the_field(factory_class, bad, field)


@pytest.mark.parametrize("write", ["save", "bulk_create"])
@pytest.mark.parametrize("factory_class, bad, field", BAD)
def test_the_database_refuses_a_direct_write_and_nothing_is_written(factory_class, bad, field, write):
    assert_database_refuses_the_write(factory_class, bad, write)


@pytest.mark.parametrize("factory_class, changes", BAD_UPDATES)
def test_the_database_refuses_an_update_that_breaks_a_rule(factory_class, changes):
    assert_database_refuses_the_update(factory_class, changes)


def test_feedback_on_a_partnership_comes_from_its_enterprise_by_default():
    feedback = FeedbackFactory(partnership=PARTNERSHIP)
    assert (feedback.enterprise, feedback.program) == (feedback.partnership.enterprise, None)


def test_a_feedback_scores_every_dimension_once():
    feedback = FeedbackFactory()
    for dimension in FeedbackDimension.values:
        FeedbackScoreFactory(feedback=feedback, dimension=dimension)
    assert FeedbackScore.objects.filter(feedback=feedback).count() == len(FeedbackDimension.values)
