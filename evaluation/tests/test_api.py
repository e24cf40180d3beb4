"""The feedback API: an enterprise gives feedback with its scores in one request (all or nothing)
on its own partnerships and on its partner schools' graduates; the school it is about, the region
and platform admins read it; bad input is refused with the field named; filters; query counts."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.models import Feedback, FeedbackScore
from evaluation.tests.factories import FeedbackFactory, FeedbackScoreFactory
from partnerships.choices import PartnershipStatus
from partnerships.tests.factories import PartnershipFactory
from portal.tests.factories import EnterpriseFactory, RegionFactory, SchoolFactory
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
FEEDBACK = f"{API}/feedback/"
SCORES = [{"dimension": "professional_skills", "score": 5}, {"dimension": "work_attitude", "score": 4}]


@pytest.fixture
def world(region, school_a, school_b, enterprise, outsider):
    """Carol's enterprise is a partner of school A (not of school B); mallory's of school B."""
    mallorys = outsider.enterprise
    program_a = ProgramFactory(school=school_a, name="工业机器人技术")
    program_b = ProgramFactory(school=school_b, name="数控技术")
    partnership_a = PartnershipFactory(school=school_a, enterprise=enterprise, status=PartnershipStatus.ACTIVE)
    partnership_b = PartnershipFactory(school=school_b, enterprise=mallorys, status=PartnershipStatus.ACTIVE)
    far_school = SchoolFactory(region=RegionFactory())
    far_program = ProgramFactory(school=far_school)
    return SimpleNamespace(**locals())


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.data["results"]}


# --- giving feedback ------------------------------------------------------------------------------
def test_carol_gives_feedback_on_her_partnership_with_its_scores_in_one_request(as_, world, liaison, enterprise):
    body = {"partnership": world.partnership_a.pk, "year": 2025, "comment": "沟通顺畅",
            "scores": [{"dimension": "communication", "score": 5}, {"dimension": "outcomes", "score": 4}]}
    response = as_("carol").post(FEEDBACK, body)
    assert response.status_code == 201, response.content
    assert response.data["enterprise"] == enterprise.pk  # her own, without naming it
    assert response.data["given_by"] == liaison.pk
    assert response.data["school"] == world.school_a.pk
    assert response.data["school_name"] == "甲职业技术学院"
    assert response.data["average_score"] == 4.5
    assert sorted((s["dimension"], s["score"]) for s in response.data["scores"]) == [("communication", 5),
                                                                                      ("outcomes", 4)]
    feedback = Feedback.objects.get()
    assert (feedback.enterprise, feedback.given_by) == (enterprise, liaison)
    assert feedback.scores.count() == 2


def test_carol_gives_feedback_on_the_graduates_of_a_partner_schools_program(as_, world):
    response = as_("carol").post(FEEDBACK, {"program": world.program_a.pk, "year": 2025, "scores": SCORES})
    assert response.status_code == 201, response.content
    assert response.data["program_name"] == "工业机器人技术"


def test_carol_cannot_give_feedback_on_a_program_of_a_school_she_is_no_partner_of(as_, world):
    response = as_("carol").post(FEEDBACK, {"program": world.program_b.pk, "year": 2025, "scores": SCORES})
    assert response.status_code == 400
    assert "program" in response.data
    assert not Feedback.objects.exists()


def test_a_declined_proposal_makes_no_partner(as_, world, enterprise):
    declined = PartnershipFactory(school=world.school_b, enterprise=enterprise, status=PartnershipStatus.DECLINED)
    carol = as_("carol")
    assert carol.post(FEEDBACK, {"program": world.program_b.pk, "year": 2025, "scores": SCORES}).status_code == 400
    response = carol.post(FEEDBACK, {"partnership": declined.pk, "year": 2025, "scores": SCORES})
    assert response.status_code == 400
    assert "partnership" in response.data
    assert not Feedback.objects.exists()


def test_carol_naming_mallorys_partnership_is_told_it_does_not_exist(as_, world):
    response = as_("carol").post(FEEDBACK, {"partnership": world.partnership_b.pk, "year": 2025, "scores": SCORES})
    assert response.status_code == 400
    assert "partnership" in response.data


def test_carol_cannot_give_feedback_in_another_enterprises_name(as_, world):
    body = {"enterprise": world.mallorys.pk, "program": world.program_a.pk, "year": 2025, "scores": SCORES}
    assert as_("carol").post(FEEDBACK, body).status_code == 403
    assert not Feedback.objects.exists()


def test_only_a_platform_admin_records_a_third_party_evaluators_feedback(as_, world):
    body = {"evaluator": "第三方评价机构", "program": world.program_a.pk, "year": 2025, "scores": SCORES}
    assert as_("carol").post(FEEDBACK, {**body}).status_code == 403
    assert not Feedback.objects.exists()
    response = as_("pat").post(FEEDBACK, body)
    assert response.status_code == 201, response.content
    assert (response.data["enterprise"], response.data["evaluator"]) == (None, "第三方评价机构")


@pytest.mark.parametrize("who", ["alice", "dave"])
def test_schools_and_reviewers_do_not_give_feedback(as_, world, enterprise, who):
    body = {"enterprise": enterprise.pk, "program": world.program_a.pk, "year": 2025, "scores": SCORES}
    assert as_(who).post(FEEDBACK, body).status_code == 403
    assert not Feedback.objects.exists()


def test_a_platform_admin_cannot_file_an_enterprises_feedback_on_a_stranger(as_, world, enterprise):
    body = {"enterprise": enterprise.pk, "partnership": world.partnership_b.pk, "year": 2025, "scores": SCORES}
    response = as_("pat").post(FEEDBACK, body)
    assert response.status_code == 400
    assert "partnership" in response.data


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scores": [{"dimension": "teamwork", "score": 6}]}, "scores"),
        ({"scores": [{"dimension": "teamwork", "score": 0}]}, "scores"),
        ({"scores": [{"dimension": "charm", "score": 3}]}, "scores"),
        ({"scores": [{"dimension": "teamwork", "score": 3}, {"dimension": "teamwork", "score": 4}]}, "scores"),
        ({"scores": []}, "scores"),
        ({"scores": None}, "scores"),
        ({"year": 1900}, "year"),
        ({"partnership": "PARTNERSHIP"}, "partnership"),  # about a partnership and a program at once
        ({"program": None}, "partnership"),  # about nothing
    ],
)
def test_bad_feedback_is_refused_with_the_field_named_and_nothing_written(as_, world, change, field):
    body = {"program": world.program_a.pk, "year": 2025, "scores": SCORES,
            **{k: (world.partnership_a.pk if v == "PARTNERSHIP" else v) for k, v in change.items()}}
    response = as_("carol").post(FEEDBACK, body)
    assert response.status_code == 400, response.content
    assert field in response.data, response.data
    assert not Feedback.objects.exists()
    assert not FeedbackScore.objects.exists()


# --- who reads which feedback ---------------------------------------------------------------------
@pytest.fixture
def given(world, enterprise):
    """Carol's feedback on school A's graduates and on its partnership; mallory's on school B's
    partnership; an evaluator's on school B's graduates; one on a school far away."""
    rows = SimpleNamespace(
        on_program_a=FeedbackFactory(program=world.program_a, enterprise=enterprise),
        on_partnership_a=FeedbackFactory(partnership=world.partnership_a),
        on_partnership_b=FeedbackFactory(partnership=world.partnership_b, year=2023),
        evaluator_on_b=FeedbackFactory(program=world.program_b, evaluator="第三方评价机构"),
        far=FeedbackFactory(program=world.far_program),
    )
    for feedback in vars(rows).values():
        FeedbackScoreFactory(feedback=feedback)
    return rows


def test_each_persona_reads_the_feedback_in_their_scope(as_, world, given):
    expected = {
        "alice": {given.on_program_a, given.on_partnership_a},
        "bob": {given.on_partnership_b, given.evaluator_on_b},
        "carol": {given.on_program_a, given.on_partnership_a},
        "mallory": {given.on_partnership_b},
        "dave": {given.on_program_a, given.on_partnership_a, given.on_partnership_b, given.evaluator_on_b},
        "erin": set(),
        "pat": set(vars(given).values()),
    }
    for who, rows in expected.items():
        assert ids(as_(who).get(FEEDBACK)) == {f.pk for f in rows}, who
    assert as_("bob").get(f"{FEEDBACK}{given.on_program_a.pk}/").status_code == 404
    assert as_("mallory").get(f"{FEEDBACK}{given.on_program_a.pk}/").status_code == 404
    assert as_(None).get(FEEDBACK).status_code == 401


def test_given_feedback_is_changed_only_by_a_platform_admin(as_, world, given):
    detail = f"{FEEDBACK}{given.on_program_a.pk}/"
    for who in ("carol", "alice"):
        assert as_(who).patch(detail, {"comment": "改"}).status_code == 403, who
        assert as_(who).delete(detail).status_code == 403, who
    assert as_("mallory").patch(detail, {"comment": "改"}).status_code == 404
    response = as_("pat").patch(detail, {"comment": "已核实", "scores": [{"dimension": "teamwork", "score": 3}]})
    assert response.status_code == 200, response.content
    assert [(s["dimension"], s["score"]) for s in response.data["scores"]] == [("teamwork", 3)]
    assert list(given.on_program_a.scores.values_list("dimension", flat=True)) == ["teamwork"]
    assert as_("pat").delete(detail).status_code == 204


def test_a_platform_admins_change_keeps_the_scores_unless_it_names_them(as_, world, given):
    response = as_("pat").patch(f"{FEEDBACK}{given.on_program_a.pk}/", {"year": 2023})
    assert response.status_code == 200, response.content
    assert len(response.data["scores"]) == 1


# --- filters and query counts ---------------------------------------------------------------------
def test_feedback_filters_by_school_year_partnership_program_enterprise_and_region(as_, world, given, region):
    pat = as_("pat")
    assert ids(pat.get(FEEDBACK, {"school": world.school_a.pk})) == {given.on_program_a.pk, given.on_partnership_a.pk}
    assert ids(pat.get(FEEDBACK, {"year": 2023})) == {given.on_partnership_b.pk}
    assert ids(pat.get(FEEDBACK, {"partnership": world.partnership_a.pk})) == {given.on_partnership_a.pk}
    assert ids(pat.get(FEEDBACK, {"program": world.program_b.pk})) == {given.evaluator_on_b.pk}
    assert ids(pat.get(FEEDBACK, {"enterprise": world.mallorys.pk})) == {given.on_partnership_b.pk}
    assert ids(pat.get(FEEDBACK, {"third_party": "true"})) == {given.evaluator_on_b.pk}
    assert ids(pat.get(FEEDBACK, {"region": region.code})) == {
        given.on_program_a.pk, given.on_partnership_a.pk, given.on_partnership_b.pk, given.evaluator_on_b.pk}


@pytest.mark.parametrize("who", ["pat", "alice"])
def test_the_feedback_list_costs_the_same_queries_for_1_and_25_rows(as_, school_a, region, who):
    def make(n: int) -> None:
        if n % 2:
            feedback = FeedbackFactory(program=ProgramFactory(school=school_a), enterprise=EnterpriseFactory())
        else:
            feedback = FeedbackFactory(partnership=PartnershipFactory(school=school_a,
                                                                      enterprise=EnterpriseFactory(region=region)))
        FeedbackScoreFactory(feedback=feedback)
        FeedbackScoreFactory(feedback=feedback, dimension="teamwork")

    client = as_(who)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(FEEDBACK)
        assert response.status_code == 200
        return response.data["count"], len(queries)

    make(0)
    rows_1, queries_1 = count()
    for n in range(1, 25):
        make(n)
    rows_25, queries_25 = count()
    assert (rows_1, rows_25) == (1, 25)
    assert queries_25 == queries_1
