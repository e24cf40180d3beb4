"""Pages of partnerships: the list, proposing, the detail with its actions and the contribution
ledger; who may do what, validation, constant queries. (The enterprise's feedback on a partnership
is evaluation's: evaluation/tests/test_pages_feedback.py.)"""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.choices import PartnershipStatus
from partnerships.models import Contribution, Partnership
from partnerships.tests.factories import ContributionFactory, PartnershipFactory
from portal.tests.factories import EnterpriseFactory
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

Status = PartnershipStatus


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def program_a(school_a):
    return ProgramFactory(school=school_a, code="460301", name="工业机器人技术")


@pytest.fixture
def proposed(school_a, enterprise, program_a):
    return PartnershipFactory(school=school_a, enterprise=enterprise, title="订单班合作协议", programs=[program_a])


@pytest.fixture
def active(school_a, enterprise):
    return PartnershipFactory(school=school_a, enterprise=enterprise, title="实习基地协议", status=Status.ACTIVE)


def url(name: str, *args) -> str:
    return reverse(f"partnerships:{name}", args=args)


def propose_data(enterprise, program, **overrides):
    return {
        "enterprise": enterprise.pk, "title": "现代学徒制合作", "kinds": ["apprenticeship", "order_class"],
        "programs": [program.pk], "start_date": "2025-09-01", "end_date": "2028-08-31", "description": "三年合作",
        **overrides,
    }


# --- the list -------------------------------------------------------------------------------------


def test_the_college_admin_lists_their_schools_partnerships_only(client, college_admin_a, proposed, school_b):
    PartnershipFactory(school=school_b, title="乙校的协议")
    client.force_login(college_admin_a)
    response = client.get(url("partnership-list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "订单班合作协议" in page and "乙校的协议" not in page
    assert '<span class="badge badge--warn">proposed</span>' in page
    assert url("partnership-add") in page  # they may propose


def test_the_liaison_sees_their_enterprises_with_proposals_first(client, liaison, enterprise, school_a, school_b):
    PartnershipFactory(school=school_a, enterprise=enterprise, title="早已生效", status=Status.ACTIVE,
                       start_date=datetime.date(2025, 9, 1))
    PartnershipFactory(school=school_b, enterprise=enterprise, title="待答复的提议",
                       start_date=datetime.date(2023, 9, 1))
    PartnershipFactory(school=school_a, title="别家企业的")
    client.force_login(liaison)
    response = client.get(url("partnership-list"))
    titles = [p.title for p in response.context["object_list"]]
    assert titles == ["待答复的提议", "早已生效"]  # the older proposal first: it awaits their answer
    page = response.content.decode()
    assert "1 proposal awaits your answer" in page
    assert url("partnership-add") not in page  # liaisons do not propose


def test_the_reviewer_sees_their_regions_and_another_reviewer_none(client, reviewer, other_reviewer, proposed):
    client.force_login(reviewer)
    assert [p.pk for p in client.get(url("partnership-list")).context["object_list"]] == [proposed.pk]
    client.force_login(other_reviewer)
    assert list(client.get(url("partnership-list")).context["object_list"]) == []


def test_the_list_filters_by_status_kind_year_and_searches(client, college_admin_a, school_a, enterprise):
    PartnershipFactory(school=school_a, enterprise=enterprise, title="研发合作", kinds=["joint_rnd"],
                       status=Status.ACTIVE, start_date=datetime.date(2024, 9, 1), end_date=datetime.date(2025, 8, 31))
    PartnershipFactory(school=school_a, title="订单班", kinds=["order_class"], status=Status.PROPOSED,
                       start_date=datetime.date(2025, 9, 1), enterprise=EnterpriseFactory(name="某某汽车有限公司"))
    client.force_login(college_admin_a)

    def titles(**query) -> list[str]:
        return [p.title for p in client.get(url("partnership-list"), query).context["object_list"]]

    assert titles(status="active") == ["研发合作"]
    assert titles(kind="order_class") == ["订单班"]
    assert titles(active_in="2024") == ["研发合作"]
    assert titles(active_in="2025") == []  # ended before 2025; the proposal was never agreed
    assert titles(search="汽车") == ["订单班"]  # the enterprise's name
    assert titles(search="研发") == ["研发合作"]
    assert titles(status="nonsense") == []  # an invalid filter lists nothing


def test_anonymous_visitors_are_sent_to_the_login(client, proposed):
    for address in (url("partnership-list"), url("partnership-detail", proposed.pk), url("partnership-add")):
        response = client.get(address)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["college_admin_a", "liaison", "reviewer"])
def test_the_list_costs_the_same_queries_for_2_and_12_partnerships(client, request, persona, school_a, enterprise):
    client.force_login(request.getfixturevalue(persona))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("partnership-list"))
            assert response.status_code == 200
        return len(captured), len(response.context["object_list"])

    for _ in range(2):
        PartnershipFactory(school=school_a, enterprise=enterprise)
    two, rows = queries()
    assert rows == 2
    for status in [Status.ACTIVE, Status.PROPOSED] * 5:
        PartnershipFactory(school=school_a, enterprise=enterprise, status=status)
    twelve, rows = queries()
    assert rows == 12 and twelve == two


# --- proposing ------------------------------------------------------------------------------------


def test_the_college_admin_proposes_a_partnership(client, college_admin_a, school_a, enterprise, program_a):
    client.force_login(college_admin_a)
    form = client.get(url("partnership-add"))
    assert form.status_code == 200
    assert list(form.context["form"].fields["programs"].queryset) == [program_a]
    agreement = SimpleUploadedFile("协议.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    response = client.post(url("partnership-add"), {**propose_data(enterprise, program_a), "agreement": agreement})
    partnership = Partnership.objects.get()
    assert response.status_code == 302 and response.url == url("partnership-detail", partnership.pk)
    assert partnership.status == Status.PROPOSED
    assert (partnership.school, partnership.enterprise, partnership.proposed_by) == (school_a, enterprise,
                                                                                      college_admin_a)
    assert partnership.kinds == ["apprenticeship", "order_class"]
    assert list(partnership.programs.all()) == [program_a]
    assert (partnership.start_date, partnership.end_date) == (datetime.date(2025, 9, 1), datetime.date(2028, 8, 31))
    download = client.get(url("partnership-agreement", partnership.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 signed"


def test_end_before_start_and_no_kinds_are_shown_beside_the_fields(client, college_admin_a, enterprise, program_a):
    client.force_login(college_admin_a)
    data = propose_data(enterprise, program_a, end_date="2025-01-01", title="写错日期的提议")
    del data["kinds"]
    response = client.post(url("partnership-add"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["kinds"] == ["This field is required."]
    page = response.content.decode()
    assert 'value="写错日期的提议"' in page  # what was typed is kept
    data["kinds"] = ["order_class"]
    response = client.post(url("partnership-add"), data)
    assert response.status_code == 200
    assert "end_date" in response.context["form"].errors
    assert Partnership.objects.count() == 0


def test_another_schools_program_cannot_be_named(client, college_admin_a, enterprise, program_a, school_b):
    foreign = ProgramFactory(school=school_b)
    client.force_login(college_admin_a)
    response = client.post(url("partnership-add"), propose_data(enterprise, program_a, programs=[foreign.pk]))
    assert response.status_code == 200 and "programs" in response.context["form"].errors
    assert Partnership.objects.count() == 0


@pytest.mark.parametrize("persona", ["liaison", "reviewer", "platform_admin"])
def test_only_college_admins_propose(client, request, persona, enterprise, program_a):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("partnership-add")).status_code == 403
    assert client.post(url("partnership-add"), propose_data(enterprise, program_a)).status_code == 403
    assert Partnership.objects.count() == 0


def test_the_proposal_is_edited_while_proposed_only(client, college_admin_a, proposed, enterprise, program_a):
    client.force_login(college_admin_a)
    data = propose_data(enterprise, program_a, title="改过的提议")
    assert client.post(url("partnership-edit", proposed.pk), data).status_code == 302
    proposed.refresh_from_db()
    assert proposed.title == "改过的提议" and proposed.status == Status.PROPOSED
    Partnership.objects.filter(pk=proposed.pk).update(status=Status.ACTIVE)
    assert client.get(url("partnership-edit", proposed.pk)).status_code == 403
    assert client.post(url("partnership-edit", proposed.pk), {**data, "title": "又改"}).status_code == 403
    assert Partnership.objects.get(pk=proposed.pk).title == "改过的提议"


@pytest.mark.parametrize(("persona", "status"), [("college_admin_b", 404), ("liaison", 403), ("reviewer", 403)])
def test_others_may_not_edit_the_proposal(client, request, persona, status, proposed, enterprise, program_a):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(url("partnership-edit", proposed.pk), propose_data(enterprise, program_a, title="他改"))
    assert response.status_code == status
    assert Partnership.objects.get(pk=proposed.pk).title == "订单班合作协议"


# --- the detail page ------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), [
    ("college_admin_a", 200), ("liaison", 200), ("reviewer", 200), ("platform_admin", 200),
    ("college_admin_b", 404), ("outsider", 404), ("other_reviewer", 404),
])
def test_who_sees_the_partnership(client, request, persona, status, proposed):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("partnership-detail", proposed.pk)).status_code == status


def test_the_liaison_accepts_a_proposal(client, liaison, proposed):
    client.force_login(liaison)
    page = client.get(url("partnership-detail", proposed.pk)).content.decode()
    assert url("partnership-accept", proposed.pk) in page and url("partnership-decline", proposed.pk) in page
    assert url("partnership-edit", proposed.pk) not in page and url("partnership-suspend", proposed.pk) not in page
    response = client.post(url("partnership-accept", proposed.pk), follow=True)
    assert response.status_code == 200
    assert "The partnership was accepted; it is now active." in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.status == Status.ACTIVE and proposed.responded_at is not None


def test_the_liaison_declines_a_proposal(client, liaison, proposed):
    client.force_login(liaison)
    assert client.post(url("partnership-decline", proposed.pk)).status_code == 302
    assert Partnership.objects.get(pk=proposed.pk).status == Status.DECLINED


@pytest.mark.parametrize(("persona", "status"), [
    ("college_admin_a", 403), ("reviewer", 403), ("college_admin_b", 404), ("outsider", 404),
])
def test_others_may_not_answer_the_proposal(client, request, persona, status, proposed):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url("partnership-accept", proposed.pk)).status_code == status
    assert client.post(url("partnership-decline", proposed.pk)).status_code == status
    assert Partnership.objects.get(pk=proposed.pk).status == Status.PROPOSED


def test_actions_answer_post_only(client, liaison, proposed):
    client.force_login(liaison)
    assert client.get(url("partnership-accept", proposed.pk)).status_code == 405
    assert Partnership.objects.get(pk=proposed.pk).status == Status.PROPOSED


def test_accepting_twice_says_why_and_changes_nothing(client, liaison, active):
    client.force_login(liaison)
    response = client.post(url("partnership-accept", active.pk), follow=True)
    assert response.status_code == 200
    assert "Only a proposed partnership can be accepted; this one is active." in response.content.decode()
    assert Partnership.objects.get(pk=active.pk).status == Status.ACTIVE


def test_the_college_admin_suspends_then_ends(client, college_admin_a, active):
    client.force_login(college_admin_a)
    page = client.get(url("partnership-detail", active.pk)).content.decode()
    assert url("partnership-suspend", active.pk) in page and url("partnership-end", active.pk) in page
    assert url("partnership-accept", active.pk) not in page and url("partnership-edit", active.pk) not in page
    assert client.post(url("partnership-suspend", active.pk)).status_code == 302
    assert Partnership.objects.get(pk=active.pk).status == Status.SUSPENDED
    response = client.post(url("partnership-suspend", active.pk), follow=True)  # already suspended
    assert "Only an active partnership can be suspended; this one is suspended." in response.content.decode()
    assert client.post(url("partnership-end", active.pk)).status_code == 302
    assert Partnership.objects.get(pk=active.pk).status == Status.ENDED


@pytest.mark.parametrize(("persona", "status"), [("liaison", 403), ("reviewer", 403), ("college_admin_b", 404)])
def test_others_may_not_suspend_or_end(client, request, persona, status, active):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url("partnership-suspend", active.pk)).status_code == status
    assert client.post(url("partnership-end", active.pk)).status_code == status
    assert Partnership.objects.get(pk=active.pk).status == Status.ACTIVE


def test_the_agreement_is_downloaded_only_by_those_who_see_the_partnership(client, college_admin_b, liaison,
                                                                            school_a, enterprise):
    partnership = PartnershipFactory(school=school_a, enterprise=enterprise,
                                     agreement=SimpleUploadedFile("a.pdf", b"%PDF agreement"))
    client.force_login(liaison)
    assert client.get(url("partnership-agreement", partnership.pk)).status_code == 200
    client.force_login(college_admin_b)
    assert client.get(url("partnership-agreement", partnership.pk)).status_code == 404
    without = PartnershipFactory(school=school_a, enterprise=enterprise)
    client.force_login(liaison)
    assert client.get(url("partnership-agreement", without.pk)).status_code == 404


def test_the_ledger_shows_totals_per_party(client, reviewer, active):
    ContributionFactory(partnership=active, party="enterprise", value=Decimal("50000.00"))
    ContributionFactory(partnership=active, party="enterprise", value=Decimal("25000.50"))
    ContributionFactory(partnership=active, party="school", kind="venue", value=Decimal("10000.00"))
    client.force_login(reviewer)
    response = client.get(url("partnership-detail", active.pk))
    totals = {row["party"]: (row["count"], row["total"]) for row in response.context["totals"]}
    assert totals == {"school": (1, Decimal("10000.00")), "enterprise": (2, Decimal("75000.50"))}
    assert response.context["grand_total"] == Decimal("85000.50")
    page = response.content.decode()
    assert "85,000.50" in page and "75,000.50" in page
    assert url("contribution-add", active.pk) not in page  # reviewers read only


# --- contributions --------------------------------------------------------------------------------


def contribution_data(**overrides):
    return {"party": "school", "kind": "venue", "value": "12000.00", "date": "2025-10-08", "note": "实训场地",
            **overrides}


def test_the_college_admin_adds_the_schools_contribution(client, college_admin_a, active):
    client.force_login(college_admin_a)
    form = client.get(url("contribution-add", active.pk))
    assert form.status_code == 200 and [c for c, _ in form.context["form"].fields["party"].choices] == ["school"]
    response = client.post(url("contribution-add", active.pk), contribution_data())
    assert response.status_code == 302
    contribution = Contribution.objects.get()
    assert (contribution.partnership, contribution.party, contribution.value) == (active, "school", Decimal("12000"))


def test_the_college_admin_may_not_add_the_enterprises_contribution(client, college_admin_a, active):
    client.force_login(college_admin_a)
    response = client.post(url("contribution-add", active.pk), contribution_data(party="enterprise"))
    assert response.status_code == 200 and "party" in response.context["form"].errors
    assert Contribution.objects.count() == 0


def test_the_liaison_adds_the_enterprises_contribution_only(client, liaison, active):
    client.force_login(liaison)
    response = client.post(url("contribution-add", active.pk), contribution_data(party="school"))
    assert response.status_code == 200 and "party" in response.context["form"].errors
    assert Contribution.objects.count() == 0
    response = client.post(url("contribution-add", active.pk), contribution_data(party="enterprise", kind="funds"))
    assert response.status_code == 302
    assert Contribution.objects.get().party == "enterprise"


def test_a_negative_value_is_shown_beside_the_field(client, college_admin_a, active):
    client.force_login(college_admin_a)
    response = client.post(url("contribution-add", active.pk), contribution_data(value="-5"))
    assert response.status_code == 200 and "value" in response.context["form"].errors
    assert Contribution.objects.count() == 0


@pytest.mark.parametrize(("persona", "status"), [("reviewer", 403), ("college_admin_b", 404), ("outsider", 404)])
def test_others_may_not_add_contributions(client, request, persona, status, active):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("contribution-add", active.pk)).status_code == status
    assert client.post(url("contribution-add", active.pk), contribution_data()).status_code == status
    assert Contribution.objects.count() == 0


def test_a_declined_partnership_takes_no_contributions(client, college_admin_a, school_a, enterprise):
    declined = PartnershipFactory(school=school_a, enterprise=enterprise, status=Status.DECLINED)
    client.force_login(college_admin_a)
    assert client.post(url("contribution-add", declined.pk), contribution_data()).status_code == 403
    assert Contribution.objects.count() == 0


# --- query counts, unknown partnerships, form choices ---------------------------------------------


def test_the_detail_page_costs_the_same_queries_with_more_rows(client, liaison, active):
    client.force_login(liaison)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("partnership-detail", active.pk)).status_code == 200
        return len(captured)

    def add_rows():
        ContributionFactory(partnership=active)
        active.programs.add(ProgramFactory(school=active.school))

    add_rows()
    one = queries()
    for _ in range(5):
        add_rows()
    assert queries() == one


def test_an_unknown_partnership_is_not_found(client, college_admin_a):
    client.force_login(college_admin_a)
    assert client.get(url("partnership-detail", 999999)).status_code == 404
    assert client.post(url("partnership-accept", 999999)).status_code == 404


def test_the_form_offers_every_enterprise_but_only_the_schools_programs(client, college_admin_a, enterprise,
                                                                         school_b):
    other = EnterpriseFactory()
    ProgramFactory(school=school_b)
    client.force_login(college_admin_a)
    response = client.get(url("partnership-add"))
    form = response.context["form"]
    assert set(form.fields["enterprise"].queryset) >= {enterprise, other}
    assert not form.fields["programs"].queryset.exists()  # school A has no programs in this test
    assert "Nothing to choose from yet." in response.content.decode()
