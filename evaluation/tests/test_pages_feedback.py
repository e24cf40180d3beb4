"""Pages of stakeholder feedback: an enterprise's liaison scores one of its partnerships or the
graduates of a program of a partner school (evaluation.services.feedback_give decides); the
feedback shows on the partnership and program pages through evaluation's template tags. Who may do
what, validation, nothing written on refusal, constant queries."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.models import Feedback
from evaluation.tests.factories import FeedbackFactory, FeedbackScoreFactory
from partnerships.choices import PartnershipStatus
from partnerships.tests.factories import PartnershipFactory
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

Status = PartnershipStatus


@pytest.fixture
def active(school_a, enterprise):
    return PartnershipFactory(school=school_a, enterprise=enterprise, title="实习基地协议", status=Status.ACTIVE)


@pytest.fixture
def program_a(school_a):
    return ProgramFactory(school=school_a, code="460301", name="工业机器人技术")


def partnership_url(partnership) -> str:
    return reverse("evaluation:partnership-feedback-add", args=[partnership.pk])


def program_url(program) -> str:
    return reverse("evaluation:program-feedback-add", args=[program.pk])


def detail_url(partnership) -> str:
    return reverse("partnerships:partnership-detail", args=[partnership.pk])


def program_page(program) -> str:
    return reverse("programs:program-detail", args=[program.pk])


def count_queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


# --- feedback on a partnership --------------------------------------------------------------------


def feedback_data(**overrides):
    return {"year": "2025", "score_communication": "5", "score_responsiveness": "4", "score_mutual_benefit": "3",
            "score_outcomes": "", "comment": "沟通顺畅", **overrides}


def test_the_urls_live_under_evaluation(active, program_a):
    assert partnership_url(active) == f"/evaluation/partnerships/{active.pk}/feedback/add/"
    assert program_url(program_a) == f"/evaluation/programs/{program_a.pk}/feedback/add/"


def test_the_liaison_gives_feedback_with_scores(client, liaison, active, enterprise):
    client.force_login(liaison)
    assert client.get(partnership_url(active)).status_code == 200
    response = client.post(partnership_url(active), feedback_data())
    assert response.status_code == 302 and response.url == detail_url(active) + "#feedback"
    feedback = Feedback.objects.get()
    assert (feedback.partnership, feedback.enterprise, feedback.given_by, feedback.year, feedback.comment) == (
        active, enterprise, liaison, 2025, "沟通顺畅")
    assert {s.dimension: s.score for s in feedback.scores.all()} == {
        "communication": 5, "responsiveness": 4, "mutual_benefit": 3}
    page = client.get(detail_url(active)).content.decode()
    assert "沟通顺畅" in page and "5 / 5" in page and "Academic year 2025–2026" in page


def test_the_partnership_form_asks_the_partnership_dimensions_only(client, liaison, active):
    client.force_login(liaison)
    form = client.get(partnership_url(active)).context["form"]
    assert list(form.fields) == ["year", "score_communication", "score_responsiveness", "score_mutual_benefit",
                                 "score_outcomes", "comment"]


def test_feedback_without_scores_or_with_a_bad_score_is_refused(client, liaison, active):
    client.force_login(liaison)
    empty = {f"score_{d}": "" for d in ("communication", "responsiveness", "mutual_benefit")}
    response = client.post(partnership_url(active), feedback_data(**empty))
    assert response.status_code == 200
    assert "Give a score on at least one dimension." in response.content.decode()
    response = client.post(partnership_url(active), feedback_data(score_communication="6", year="1800"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "score_communication" in errors and "year" in errors
    assert "沟通顺畅</textarea>" in response.content.decode()
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize(("persona", "status"), [
    ("college_admin_a", 403), ("reviewer", 403), ("platform_admin", 403), ("outsider", 404),
])
def test_only_the_enterprises_liaison_gives_feedback(client, request, persona, status, active):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(partnership_url(active), feedback_data()).status_code == status
    assert Feedback.objects.count() == 0


def test_a_declined_proposal_takes_no_feedback(client, liaison, school_a, enterprise):
    declined = PartnershipFactory(school=school_a, enterprise=enterprise, status=Status.DECLINED)
    client.force_login(liaison)
    assert client.post(partnership_url(declined), feedback_data()).status_code == 403
    assert Feedback.objects.count() == 0
    assert partnership_url(declined) not in client.get(detail_url(declined)).content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client, active, program_a):
    for address in (partnership_url(active), program_url(program_a)):
        for response in (client.get(address), client.post(address, feedback_data())):
            assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert Feedback.objects.count() == 0


def test_unknown_subjects_are_not_found(client, liaison):
    client.force_login(liaison)
    assert client.get(reverse("evaluation:partnership-feedback-add", args=[999999])).status_code == 404
    assert client.get(reverse("evaluation:program-feedback-add", args=[999999])).status_code == 404


def test_the_school_reads_the_feedback_on_the_detail_page(client, college_admin_a, active):
    feedback = FeedbackFactory(partnership=active, year=2024, comment="成果显著")
    FeedbackScoreFactory(feedback=feedback, dimension="outcomes", score=5)
    client.force_login(college_admin_a)
    page = client.get(detail_url(active)).content.decode()
    assert "成果显著" in page and "<dt>Outcomes</dt>" in page and "Academic year 2024–2025" in page
    assert partnership_url(active) not in page


def test_the_liaison_finds_the_give_feedback_button_on_the_detail_page(client, liaison, active):
    client.force_login(liaison)
    page = client.get(detail_url(active)).content.decode()
    assert f'href="{partnership_url(active)}"' in page and "No feedback given yet." in page


def test_the_detail_page_costs_the_same_queries_for_2_and_12_feedback(client, liaison, active):
    def add_feedback(n: int):
        for _ in range(n):
            feedback = FeedbackFactory(partnership=active)
            FeedbackScoreFactory(feedback=feedback, dimension="communication")
            FeedbackScoreFactory(feedback=feedback, dimension="outcomes")

    client.force_login(liaison)
    add_feedback(2)
    two = count_queries(client, detail_url(active))
    add_feedback(10)
    assert count_queries(client, detail_url(active)) == two
    assert client.get(detail_url(active)).content.decode().count('class="card feedback"') == 12


# --- feedback on a program's graduates ------------------------------------------------------------


def graduate_data(**overrides):
    return {"year": "2025", "score_professional_skills": "4", "score_work_attitude": "5", "score_teamwork": "3",
            "score_learning_ability": "", "comment": "岗位适应快", **overrides}


def test_a_partner_liaison_gives_feedback_on_the_graduates(client, liaison, enterprise, school_a, program_a):
    PartnershipFactory(school=school_a, enterprise=enterprise, status=Status.ACTIVE)
    client.force_login(liaison)
    form = client.get(program_url(program_a)).context["form"]
    assert list(form.fields) == ["year", "score_professional_skills", "score_work_attitude", "score_teamwork",
                                 "score_learning_ability", "comment"]
    response = client.post(program_url(program_a), graduate_data())
    assert response.status_code == 302 and response.url == program_page(program_a) + "#graduate-feedback"
    feedback = Feedback.objects.get()
    assert (feedback.program, feedback.partnership, feedback.enterprise, feedback.given_by, feedback.year,
            feedback.comment) == (program_a, None, enterprise, liaison, 2025, "岗位适应快")
    assert {s.dimension: s.score for s in feedback.scores.all()} == {
        "professional_skills": 4, "work_attitude": 5, "teamwork": 3}
    page = client.get(program_page(program_a)).content.decode()
    assert "岗位适应快" in page and "<dt>Work attitude</dt>" in page and "5 / 5" in page


def test_a_proposed_partnership_is_enough_but_a_declined_one_is_not(client, liaison, enterprise, school_a,
                                                                      program_a, school_b):
    PartnershipFactory(school=school_a, enterprise=enterprise, status=Status.PROPOSED)
    PartnershipFactory(school=school_b, enterprise=enterprise, status=Status.DECLINED)
    program_b = ProgramFactory(school=school_b)
    client.force_login(liaison)
    assert client.post(program_url(program_a), graduate_data()).status_code == 302
    response = client.post(program_url(program_b), graduate_data())
    assert response.status_code == 200
    assert list(Feedback.objects.values_list("program", flat=True)) == [program_a.pk]


def test_a_liaison_of_a_non_partner_gets_the_services_refusal(client, outsider, liaison, enterprise, school_a,
                                                              program_a):
    PartnershipFactory(school=school_a, enterprise=enterprise, status=Status.ACTIVE)  # not the outsider's
    client.force_login(outsider)
    response = client.post(program_url(program_a), graduate_data())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Feedback on graduates can only be given on programs of a partner school."]
    page = response.content.decode()
    assert "Feedback on graduates can only be given on programs of a partner school." in page
    assert "岗位适应快</textarea>" in page  # what was typed is kept
    assert Feedback.objects.count() == 0


def test_graduate_feedback_without_scores_is_refused(client, liaison, enterprise, school_a, program_a):
    PartnershipFactory(school=school_a, enterprise=enterprise, status=Status.ACTIVE)
    client.force_login(liaison)
    empty = {f"score_{d}": "" for d in ("professional_skills", "work_attitude", "teamwork")}
    response = client.post(program_url(program_a), graduate_data(**empty, year="abc"))
    assert response.status_code == 200
    assert "year" in response.context["form"].errors
    response = client.post(program_url(program_a), graduate_data(**empty))
    assert "Give a score on at least one dimension." in response.content.decode()
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize("persona", ["college_admin_a", "reviewer", "platform_admin"])
def test_only_liaisons_give_feedback_on_graduates(client, request, persona, program_a):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(program_url(program_a)).status_code == 403
    assert client.post(program_url(program_a), graduate_data()).status_code == 403
    assert Feedback.objects.count() == 0


def test_the_program_page_offers_the_button_to_partner_liaisons_only(client, liaison, outsider, college_admin_a,
                                                                       enterprise, school_a, program_a):
    PartnershipFactory(school=school_a, enterprise=enterprise, status=Status.ACTIVE)
    button = f'href="{program_url(program_a)}"'
    client.force_login(liaison)
    assert button in client.get(program_page(program_a)).content.decode()
    for user in (outsider, college_admin_a):
        client.force_login(user)
        page = client.get(program_page(program_a)).content.decode()
        assert button not in page and "Feedback on graduates" in page


def test_the_school_reads_feedback_on_its_graduates_and_another_enterprise_does_not(
        client, college_admin_a, outsider, program_a):
    feedback = FeedbackFactory(program=program_a, year=2024, comment="动手能力强")
    FeedbackScoreFactory(feedback=feedback, dimension="teamwork", score=4)
    client.force_login(college_admin_a)
    page = client.get(program_page(program_a)).content.decode()
    assert "动手能力强" in page and "<dt>Teamwork</dt>" in page and "Academic year 2024–2025" in page
    client.force_login(outsider)
    page = client.get(program_page(program_a)).content.decode()
    assert "动手能力强" not in page and "No feedback given yet." in page


@pytest.mark.parametrize("persona", ["college_admin_a", "liaison"])
def test_the_program_page_costs_the_same_queries_for_2_and_12_feedback(client, request, persona, enterprise,
                                                                         school_a, program_a):
    PartnershipFactory(school=school_a, enterprise=enterprise, status=Status.ACTIVE)

    def add_feedback(n: int):
        for _ in range(n):
            feedback = FeedbackFactory(program=program_a, enterprise=enterprise)
            FeedbackScoreFactory(feedback=feedback, dimension="teamwork")
            FeedbackScoreFactory(feedback=feedback, dimension="work_attitude")

    client.force_login(request.getfixturevalue(persona))
    add_feedback(2)
    two = count_queries(client, program_page(program_a))
    add_feedback(10)
    assert count_queries(client, program_page(program_a)) == two
    assert client.get(program_page(program_a)).content.decode().count('class="card feedback"') == 12
