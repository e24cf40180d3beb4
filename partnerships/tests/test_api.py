"""The cooperation API: who sees and changes consortia, partnerships, contributions, projects,
adoptions, talent demands, training bases, technical services and patents; the partnership life
cycle (propose → accept or decline → suspend → end); bad input refused with the field named and
nothing written; filters; and lists whose query count does not grow with their rows."""
from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from partnerships.choices import (
    ContributionParty,
    PartnershipKind,
    PartnershipStatus,
    ProjectStatus,
)
from partnerships.models import (
    Consortium,
    ConsortiumMember,
    Contribution,
    EnterpriseProject,
    Partnership,
    Patent,
    ProjectAdoption,
    TalentDemand,
    TechnicalService,
    TrainingBase,
    TrainingBaseUsage,
)
from partnerships.querysets import PartnershipQuerySet, active_in_q
from partnerships.tests.factories import (
    ConsortiumFactory,
    ConsortiumMemberFactory,
    ContributionFactory,
    EnterpriseProjectFactory,
    PartnershipFactory,
    PatentFactory,
    ProjectAdoptionFactory,
    TalentDemandFactory,
    TechnicalServiceFactory,
    TrainingBaseFactory,
    TrainingBaseUsageFactory,
)
from portal.tests.factories import (
    EnterpriseFactory,
    RegionFactory,
    SchoolFactory,
    SectorFactory,
)
from portal.tests.personas import PERSONAS
from programs.tests.factories import CourseFactory, ProgramFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
Status = PartnershipStatus


@pytest.fixture
def world(region, school_a, school_b, enterprise, outsider):
    """School A (alice) and the enterprise (carol) have a proposed and an active partnership; school
    B (bob) has one with mallory's enterprise; a school and an enterprise of another province (erin's
    kind of place, but not erin's) have one too."""
    mallorys = outsider.enterprise
    far = RegionFactory()
    far_school, far_enterprise = SchoolFactory(region=far), EnterpriseFactory(region=far)
    program_a = ProgramFactory(school=school_a, name="工业机器人技术")
    program_b = ProgramFactory(school=school_b, name="数控技术")
    proposed = PartnershipFactory(school=school_a, enterprise=enterprise, programs=[program_a])
    active = PartnershipFactory(school=school_a, enterprise=enterprise, status=Status.ACTIVE)
    bobs = PartnershipFactory(school=school_b, enterprise=mallorys, status=Status.ACTIVE, programs=[program_b])
    faraway = PartnershipFactory(school=far_school, enterprise=far_enterprise, status=Status.ACTIVE)
    return SimpleNamespace(**locals())


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.data["results"]}


def url(prefix: str, pk: int | None = None, action: str | None = None) -> str:
    return f"{API}/{prefix}/" + (f"{pk}/" if pk is not None else "") + (f"{action}/" if action else "")


# --- who sees which partnerships ------------------------------------------------------------------
def test_alice_sees_her_schools_partnerships_and_not_bobs(as_, world):
    alice = as_("alice")
    assert ids(alice.get(url("partnerships"))) == {world.proposed.pk, world.active.pk}
    assert alice.get(url("partnerships", world.bobs.pk)).status_code == 404


def test_carol_sees_her_enterprises_partnerships(as_, world):
    assert ids(as_("carol").get(url("partnerships"))) == {world.proposed.pk, world.active.pk}


def test_mallory_sees_none_of_carols_partnerships(as_, world):
    mallory = as_("mallory")
    assert ids(mallory.get(url("partnerships"))) == {world.bobs.pk}
    assert mallory.get(url("partnerships", world.proposed.pk)).status_code == 404


def test_dave_sees_the_partnerships_of_his_region(as_, world):
    assert ids(as_("dave").get(url("partnerships"))) == {world.proposed.pk, world.active.pk, world.bobs.pk}


def test_a_reviewer_sees_a_partnership_when_only_the_enterprise_lies_in_his_region(as_, world, region):
    mixed = PartnershipFactory(school=world.far_school, enterprise=EnterpriseFactory(region=region))
    assert mixed.pk in ids(as_("dave").get(url("partnerships")))


def test_erin_sees_none_of_them(as_, world):
    erin = as_("erin")
    assert ids(erin.get(url("partnerships"))) == set()
    assert erin.get(url("partnerships", world.active.pk)).status_code == 404


def test_anonymous_callers_are_asked_to_sign_in(as_, world):
    assert as_(None).get(url("partnerships")).status_code == 401


def test_a_partnership_lists_its_names_and_kinds(as_, world):
    row = as_("alice").get(url("partnerships", world.proposed.pk)).data
    assert row["school_name"] == "甲职业技术学院"
    assert row["enterprise_name"] == "丙智能制造有限公司"
    assert row["programs"] == [world.program_a.pk]
    assert row["program_names"] == ["工业机器人技术"]
    assert row["kinds"] == ["internship_base", "order_class"]
    assert row["status"] == "proposed"


# --- the life cycle -------------------------------------------------------------------------------
PROPOSAL = {"title": "订单班合作协议", "kinds": ["order_class", "joint_rnd"], "start_date": "2025-09-01"}


def test_a_proposal_is_accepted_by_carol_then_suspended_and_ended_by_alice(as_, world, college_admin_a, enterprise):
    alice, carol = as_("alice"), as_("carol")
    body = {**PROPOSAL, "enterprise": enterprise.pk, "programs": [world.program_a.pk]}
    created = alice.post(url("partnerships"), body)
    assert created.status_code == 201, created.content
    assert created.data["status"] == "proposed"
    assert created.data["school"] == college_admin_a.school_id  # defaults to her own school
    assert created.data["proposed_by"] == college_admin_a.pk
    assert created.data["responded_at"] is None
    pk = created.data["id"]

    accepted = carol.post(url("partnerships", pk, "accept"))
    assert accepted.status_code == 200, accepted.content
    assert accepted.data["status"] == "active"
    assert accepted.data["responded_at"] is not None
    assert accepted.data["program_names"] == ["工业机器人技术"]

    suspended = alice.post(url("partnerships", pk, "suspend"))
    assert (suspended.status_code, suspended.data["status"]) == (200, "suspended")
    ended = alice.post(url("partnerships", pk, "end"))
    assert (ended.status_code, ended.data["status"]) == (200, "ended")
    assert Partnership.objects.get(pk=pk).status == Status.ENDED


def test_carol_declines_a_proposal(as_, world):
    response = as_("carol").post(url("partnerships", world.proposed.pk, "decline"))
    assert (response.status_code, response.data["status"]) == (200, "declined")
    world.proposed.refresh_from_db()
    assert world.proposed.responded_at is not None


def test_alice_ends_an_active_partnership_without_suspending_it(as_, world):
    assert as_("alice").post(url("partnerships", world.active.pk, "end")).data["status"] == "ended"


def test_carol_cannot_suspend_a_partnership(as_, world):
    response = as_("carol").post(url("partnerships", world.active.pk, "suspend"))
    assert response.status_code == 403
    world.active.refresh_from_db()
    assert world.active.status == Status.ACTIVE


def test_carol_cannot_end_a_partnership(as_, world):
    assert as_("carol").post(url("partnerships", world.active.pk, "end")).status_code == 403


def test_alice_cannot_accept_her_own_proposal(as_, world):
    response = as_("alice").post(url("partnerships", world.proposed.pk, "accept"))
    assert response.status_code == 403
    world.proposed.refresh_from_db()
    assert world.proposed.status == Status.PROPOSED


def test_alice_cannot_decline_either(as_, world):
    assert as_("alice").post(url("partnerships", world.proposed.pk, "decline")).status_code == 403


def test_mallory_accepting_carols_proposal_finds_nothing(as_, world):
    assert as_("mallory").post(url("partnerships", world.proposed.pk, "accept")).status_code == 404
    world.proposed.refresh_from_db()
    assert world.proposed.status == Status.PROPOSED


def test_dave_reads_but_cannot_accept(as_, world):
    assert as_("dave").post(url("partnerships", world.proposed.pk, "accept")).status_code == 403


def test_accepting_twice_is_refused_with_a_clear_message(as_, world):
    carol = as_("carol")
    assert carol.post(url("partnerships", world.proposed.pk, "accept")).status_code == 200
    again = carol.post(url("partnerships", world.proposed.pk, "accept"))
    assert again.status_code == 400
    assert "Only a proposed partnership can be accepted" in str(again.data)


@pytest.mark.parametrize(
    ("status", "action", "who"),
    [
        (Status.ACTIVE, "decline", "carol"),
        (Status.PROPOSED, "suspend", "alice"),
        (Status.PROPOSED, "end", "alice"),
        (Status.SUSPENDED, "suspend", "alice"),
        (Status.ENDED, "end", "alice"),
        (Status.DECLINED, "accept", "carol"),
    ],
)
def test_an_action_from_the_wrong_state_answers_400_and_changes_nothing(as_, world, status, action, who):
    world.proposed.status = status
    world.proposed.save()
    response = as_(who).post(url("partnerships", world.proposed.pk, action))
    assert response.status_code == 400, response.content
    world.proposed.refresh_from_db()
    assert world.proposed.status == status


def test_pat_may_take_every_action(as_, world):
    pat = as_("pat")
    assert pat.post(url("partnerships", world.proposed.pk, "accept")).data["status"] == "active"
    assert pat.post(url("partnerships", world.proposed.pk, "suspend")).data["status"] == "suspended"
    assert pat.post(url("partnerships", world.proposed.pk, "end")).data["status"] == "ended"
    assert pat.post(url("partnerships", world.bobs.pk, "suspend")).status_code == 200


def test_a_plain_patch_of_the_status_is_ignored(as_, world):
    response = as_("alice").patch(url("partnerships", world.proposed.pk), {"status": "active", "title": "修订稿"})
    assert response.status_code == 200, response.content
    assert (response.data["status"], response.data["title"]) == ("proposed", "修订稿")
    world.proposed.refresh_from_db()
    assert (world.proposed.status, world.proposed.title) == (Status.PROPOSED, "修订稿")


def test_a_plain_create_with_status_active_is_only_a_proposal(as_, world, enterprise):
    response = as_("alice").post(url("partnerships"), {**PROPOSAL, "enterprise": enterprise.pk, "status": "active",
                                                       "proposed_by": None, "responded_at": "2025-01-01T00:00:00Z"})
    assert response.status_code == 201, response.content
    row = Partnership.objects.get(pk=response.data["id"])
    assert (row.status, row.responded_at) == (Status.PROPOSED, None)


def test_alice_cannot_change_or_delete_a_partnership_once_accepted(as_, world):
    alice = as_("alice")
    assert alice.patch(url("partnerships", world.active.pk), {"title": "x"}).status_code == 403
    assert alice.delete(url("partnerships", world.active.pk)).status_code == 403
    assert Partnership.objects.filter(pk=world.active.pk, title=world.active.title).exists()


def test_alice_withdraws_a_proposal(as_, world):
    assert as_("alice").delete(url("partnerships", world.proposed.pk)).status_code == 204
    assert not Partnership.objects.filter(pk=world.proposed.pk).exists()


def test_carol_may_not_write_partnerships_plainly(as_, world, school_a, enterprise):
    carol = as_("carol")
    body = {**PROPOSAL, "school": school_a.pk, "enterprise": enterprise.pk}
    assert carol.post(url("partnerships"), body).status_code == 403
    assert carol.patch(url("partnerships", world.proposed.pk), {"title": "x"}).status_code == 403
    assert carol.delete(url("partnerships", world.proposed.pk)).status_code == 403
    assert Partnership.objects.count() == 4


def test_alice_cannot_propose_in_bobs_name(as_, world, school_b, enterprise):
    response = as_("alice").post(url("partnerships"), {**PROPOSAL, "school": school_b.pk, "enterprise": enterprise.pk})
    assert response.status_code == 403
    assert Partnership.objects.count() == 4


def test_alice_naming_bobs_program_in_a_proposal_is_refused_on_programs(as_, world, enterprise):
    body = {**PROPOSAL, "enterprise": enterprise.pk, "programs": [world.program_a.pk, world.program_b.pk]}
    response = as_("alice").post(url("partnerships"), body)
    assert response.status_code == 400
    assert "programs" in response.data
    assert Partnership.objects.count() == 4


def test_alice_naming_bobs_program_in_a_change_is_refused_on_programs(as_, world):
    response = as_("alice").patch(url("partnerships", world.proposed.pk), {"programs": [world.program_b.pk]})
    assert response.status_code == 400
    assert "programs" in response.data
    assert list(world.proposed.programs.all()) == [world.program_a]


def test_alice_changes_the_programs_of_a_proposal(as_, world, school_a):
    other = ProgramFactory(school=school_a, name="智能控制技术")
    response = as_("alice").patch(url("partnerships", world.proposed.pk), {"programs": [other.pk]})
    assert response.status_code == 200, response.content
    assert response.data["program_names"] == ["智能控制技术"]


# --- bad input: 400 with the field named, nothing written -----------------------------------------
def _partnership(w):
    return {"school": w.school_a.pk, "enterprise": w.enterprise.pk, "title": "协议", "kinds": ["order_class"],
            "start_date": "2025-09-01"}


def _base(w):
    return {"name": "实训基地", "school": w.school_a.pk, "equipment_value": "100.00"}


MODELS = {"partnerships": Partnership, "contributions": Contribution, "projects": EnterpriseProject,
          "project-adoptions": ProjectAdoption, "talent-demands": TalentDemand, "training-bases": TrainingBase,
          "training-base-usage": TrainingBaseUsage, "technical-services": TechnicalService, "patents": Patent,
          "consortia": Consortium, "consortium-members": ConsortiumMember}

BAD_INPUT = [
    # (resource, a valid body, overrides that break one rule, the field the answer names)
    ("partnerships", _partnership, {"end_date": "2025-08-31"}, "end_date"),
    ("partnerships", _partnership, {"kinds": []}, "kinds"),
    ("partnerships", _partnership, {"kinds": ["order_class", "tea_party"]}, "kinds"),
    ("partnerships", _partnership, {"kinds": "order_class"}, "kinds"),
    ("contributions", lambda w: {"partnership": w.active.pk, "party": "school", "kind": "funds", "value": "1.00",
                                 "date": "2025-01-01"}, {"value": "-1.00"}, "value"),
    ("contributions", lambda w: {"partnership": w.active.pk, "party": "school", "kind": "funds", "value": "1.00",
                                 "date": "2025-01-01"}, {"kind": "goodwill"}, "kind"),
    ("projects", lambda w: {"enterprise": w.enterprise.pk, "title": "项目", "sector": w.enterprise.sector.code},
     {"capacity": -5}, "capacity"),
    ("projects", lambda w: {"enterprise": w.enterprise.pk, "title": "项目", "sector": w.enterprise.sector.code,
                            "start_date": "2025-03-01"}, {"end_date": "2025-02-01"}, "end_date"),
    ("project-adoptions", lambda w: {"project": EnterpriseProjectFactory(enterprise=w.enterprise).pk,
                                     "course": CourseFactory(program=w.program_a).pk, "year": 2025},
     {"year": 2026, "students": -1}, "students"),
    ("talent-demands", lambda w: {"enterprise": w.enterprise.pk, "position": "岗位", "sector": w.enterprise.sector.code,
                                  "region": w.region.code, "headcount": 2, "year": 2025},
     {"headcount": 0}, "headcount"),
    ("training-bases", _base, {"capacity_hours": -10}, "capacity_hours"),
    ("training-bases", _base, {"enterprise_equipment_value": "200.00"}, "enterprise_equipment_value"),
    ("training-bases", _base, {"enterprise": "ENTERPRISE"}, "school"),  # two owners
    ("training-base-usage", lambda w: {"base": TrainingBaseFactory(school=w.school_a).pk, "year": 2025},
     {"year": 2026, "external_hours": -3}, "external_hours"),
    ("technical-services", lambda w: {"school": w.school_a.pk, "title": "服务", "year": 2025, "amount": "100.00"},
     {"amount": "-100.00"}, "amount"),
    ("patents", lambda w: {"school": w.school_a.pk, "number": "ZL2024000001.1", "title": "专利",
                           "granted_on": "2024-05-01"},
     {"number": "ZL2024000002.1", "transferred_on": "2024-04-30"}, "transferred_on"),
    ("consortia", lambda w: {"name": "联合体", "kind": "city_consortium", "region": w.region.code}, {"kind": "club"},
     "kind"),
    ("consortium-members", lambda w: {"consortium": ConsortiumFactory(region=w.region).pk, "other_name": "某协会",
                                      "other_kind": "association"}, {"other_kind": ""}, "other_kind"),
]


@pytest.mark.parametrize(("prefix", "valid", "bad", "field"), BAD_INPUT,
                         ids=[f"{p}-{f}-{i}" for i, (p, _v, _b, f) in enumerate(BAD_INPUT)])
def test_bad_input_is_refused_with_the_field_named_and_nothing_written(as_, world, prefix, valid, bad, field):
    body = valid(world)
    bad = {k: (world.enterprise.pk if v == "ENTERPRISE" else v) for k, v in bad.items()}
    model = MODELS[prefix]
    pat = as_("pat")
    created = pat.post(url(prefix), body)
    assert created.status_code == 201, created.content  # the valid body is accepted
    before = model.objects.count()
    response = pat.post(url(prefix), {**body, **bad})
    assert response.status_code == 400, response.content
    assert field in response.data, response.data
    assert model.objects.count() == before


# --- contributions --------------------------------------------------------------------------------
def _entry(partnership, party: str) -> dict:
    return {"partnership": partnership.pk, "party": party, "kind": "equipment", "value": "120000.00",
            "date": "2025-03-01"}


def test_alice_adds_school_side_contributions_but_not_enterprise_side_ones(as_, world):
    alice = as_("alice")
    created = alice.post(url("contributions"), _entry(world.active, "school"))
    assert created.status_code == 201, created.content
    assert created.data["school_name"] == "甲职业技术学院"
    assert alice.post(url("contributions"), _entry(world.active, "enterprise")).status_code == 403
    assert Contribution.objects.count() == 1


def test_carol_adds_enterprise_side_contributions_but_not_school_side_ones(as_, world):
    carol = as_("carol")
    assert carol.post(url("contributions"), _entry(world.active, "enterprise")).status_code == 201
    assert carol.post(url("contributions"), _entry(world.active, "school")).status_code == 403
    assert carol.post(url("contributions"), _entry(world.active, "government")).status_code == 403
    assert Contribution.objects.count() == 1


def test_carol_cannot_change_a_school_side_entry_nor_turn_hers_into_one(as_, world):
    school_side = ContributionFactory(partnership=world.active, party=ContributionParty.SCHOOL)
    hers = ContributionFactory(partnership=world.active, party=ContributionParty.ENTERPRISE)
    carol = as_("carol")
    assert carol.patch(url("contributions", school_side.pk), {"note": "x"}).status_code == 403
    assert carol.delete(url("contributions", school_side.pk)).status_code == 403
    assert carol.patch(url("contributions", hers.pk), {"party": "school"}).status_code == 403
    assert carol.patch(url("contributions", hers.pk), {"note": "设备清单"}).status_code == 200
    hers.refresh_from_db()
    assert (hers.party, hers.note) == (ContributionParty.ENTERPRISE, "设备清单")


def test_mallory_naming_carols_partnership_is_told_it_does_not_exist(as_, world):
    response = as_("mallory").post(url("contributions"), _entry(world.active, "enterprise"))
    assert response.status_code == 400
    assert "partnership" in response.data


def test_a_declined_partnership_takes_no_contributions(as_, world):
    world.proposed.status = Status.DECLINED
    world.proposed.save()
    response = as_("alice").post(url("contributions"), _entry(world.proposed, "school"))
    assert response.status_code == 400
    assert "partnership" in response.data
    assert not Contribution.objects.exists()


def test_a_proposed_partnership_already_takes_contributions(as_, world):
    assert as_("carol").post(url("contributions"), _entry(world.proposed, "enterprise")).status_code == 201


def test_contributions_are_seen_as_their_partnership(as_, world):
    mine = ContributionFactory(partnership=world.active, party=ContributionParty.SCHOOL)
    bobs = ContributionFactory(partnership=world.bobs)
    far = ContributionFactory(partnership=world.faraway)
    assert ids(as_("alice").get(url("contributions"))) == {mine.pk}
    assert ids(as_("carol").get(url("contributions"))) == {mine.pk}
    assert ids(as_("mallory").get(url("contributions"))) == {bobs.pk}
    assert ids(as_("dave").get(url("contributions"))) == {mine.pk, bobs.pk}
    assert ids(as_("erin").get(url("contributions"))) == set()
    assert ids(as_("pat").get(url("contributions"))) == {mine.pk, bobs.pk, far.pk}


# --- projects and adoptions -----------------------------------------------------------------------
def test_drafts_are_invisible_to_everyone_but_their_enterprise(as_, world, enterprise):
    draft = EnterpriseProjectFactory(enterprise=enterprise, status=ProjectStatus.DRAFT)
    offered = EnterpriseProjectFactory(enterprise=enterprise)
    for who in ("alice", "mallory", "dave", "erin"):
        assert ids(as_(who).get(url("projects"))) == {offered.pk}, who
        assert as_(who).get(url("projects", draft.pk)).status_code == 404, who
    assert ids(as_("carol").get(url("projects"))) == {offered.pk, draft.pk}
    assert ids(as_("pat").get(url("projects"))) == {offered.pk, draft.pk}


def test_carol_posts_a_project_for_her_enterprise(as_, world, enterprise):
    response = as_("carol").post(url("projects"), {"title": "视觉检测", "sector": enterprise.sector.code,
                                                   "status": "draft"})
    assert response.status_code == 201, response.content
    assert response.data["enterprise"] == enterprise.pk
    assert response.data["enterprise_name"] == "丙智能制造有限公司"


def test_mallory_cannot_change_carols_project_and_alice_cannot_post_one(as_, world, enterprise):
    offered = EnterpriseProjectFactory(enterprise=enterprise)
    assert as_("mallory").patch(url("projects", offered.pk), {"capacity": 1}).status_code == 403
    body = {"enterprise": enterprise.pk, "title": "x", "sector": enterprise.sector.code}
    assert as_("alice").post(url("projects"), body).status_code == 403
    assert as_("mallory").post(url("projects"), body).status_code == 403
    assert EnterpriseProject.objects.count() == 1


def test_alice_adopts_an_open_project_into_her_course_but_not_into_bobs(as_, world, enterprise):
    project = EnterpriseProjectFactory(enterprise=enterprise, status=ProjectStatus.IN_PROGRESS)
    course_a, course_b = CourseFactory(program=world.program_a), CourseFactory(program=world.program_b)
    alice = as_("alice")
    created = alice.post(url("project-adoptions"), {"project": project.pk, "course": course_a.pk, "year": 2025,
                                                    "students": 30})
    assert created.status_code == 201, created.content
    assert (created.data["school"], created.data["enterprise"]) == (world.program_a.school_id, enterprise.pk)
    assert alice.post(url("project-adoptions"), {"project": project.pk, "course": course_b.pk,
                                                 "year": 2025}).status_code == 403
    assert ProjectAdoption.objects.count() == 1


@pytest.mark.parametrize("status", [ProjectStatus.COMPLETED, ProjectStatus.CANCELLED])
def test_a_finished_project_cannot_be_adopted(as_, world, enterprise, status):
    project = EnterpriseProjectFactory(enterprise=enterprise, status=status)
    course = CourseFactory(program=world.program_a)
    response = as_("alice").post(url("project-adoptions"), {"project": project.pk, "course": course.pk, "year": 2025})
    assert response.status_code == 400
    assert "project" in response.data
    assert not ProjectAdoption.objects.exists()


def test_a_draft_project_cannot_even_be_named(as_, world, enterprise):
    project = EnterpriseProjectFactory(enterprise=enterprise, status=ProjectStatus.DRAFT)
    course = CourseFactory(program=world.program_a)
    response = as_("alice").post(url("project-adoptions"), {"project": project.pk, "course": course.pk, "year": 2025})
    assert response.status_code == 400
    assert "project" in response.data


def test_an_adoption_stays_editable_after_its_project_is_completed(as_, world, enterprise):
    adoption = ProjectAdoptionFactory(project=EnterpriseProjectFactory(enterprise=enterprise),
                                      course=CourseFactory(program=world.program_a))
    EnterpriseProject.objects.filter(pk=adoption.project_id).update(status=ProjectStatus.COMPLETED)
    response = as_("alice").patch(url("project-adoptions", adoption.pk), {"outcome": "学生完成了检测系统"})
    assert response.status_code == 200, response.content


def test_adoptions_are_read_by_the_school_the_projects_enterprise_and_the_region(as_, world, enterprise):
    mine = ProjectAdoptionFactory(project=EnterpriseProjectFactory(enterprise=enterprise),
                                  course=CourseFactory(program=world.program_a))
    bobs = ProjectAdoptionFactory(project=EnterpriseProjectFactory(enterprise=world.mallorys),
                                  course=CourseFactory(program=world.program_b))
    assert ids(as_("alice").get(url("project-adoptions"))) == {mine.pk}
    assert ids(as_("carol").get(url("project-adoptions"))) == {mine.pk}
    assert ids(as_("mallory").get(url("project-adoptions"))) == {bobs.pk}
    assert ids(as_("dave").get(url("project-adoptions"))) == {mine.pk, bobs.pk}
    assert ids(as_("erin").get(url("project-adoptions"))) == set()
    assert as_("carol").patch(url("project-adoptions", mine.pk), {"students": 1}).status_code == 403


# --- talent demands, training bases and their use -------------------------------------------------
def test_everyone_reads_talent_demands_and_carol_keeps_her_enterprises(as_, world, enterprise, region):
    demand = TalentDemandFactory(enterprise=enterprise)
    for who in PERSONAS:
        assert demand.pk in ids(as_(who).get(url("talent-demands"))), who
    carol = as_("carol")
    created = carol.post(url("talent-demands"), {"position": "运维工程师", "sector": enterprise.sector.code,
                                                 "region": region.code, "headcount": 3, "year": 2025})
    assert created.status_code == 201, created.content
    assert created.data["enterprise"] == enterprise.pk
    assert as_("mallory").patch(url("talent-demands", demand.pk), {"headcount": 9}).status_code == 403
    assert as_("alice").delete(url("talent-demands", demand.pk)).status_code == 403


def test_each_owner_keeps_their_training_bases(as_, world, school_a, enterprise, region):
    alice, carol, dave = as_("alice"), as_("carol"), as_("dave")
    own = alice.post(url("training-bases"), {"name": "智能制造实训中心"})
    assert (own.status_code, own.data["school"]) == (201, school_a.pk)
    carols = carol.post(url("training-bases"), {"name": "企业实训车间", "on_campus": False})
    assert (carols.status_code, carols.data["enterprise"]) == (201, enterprise.pk)
    consortium = ConsortiumFactory(region=region)
    shared = dave.post(url("training-bases"), {"name": "联合体公共实训基地", "consortium": consortium.pk})
    assert (shared.status_code, shared.data["consortium_name"]) == (201, consortium.name)
    assert as_("erin").post(url("training-bases"), {"name": "x", "consortium": consortium.pk}).status_code == 403

    bobs = TrainingBaseFactory(school=world.program_b.school)
    assert alice.patch(url("training-bases", bobs.pk), {"capacity_hours": 1}).status_code == 403
    assert carol.patch(url("training-bases", own.data["id"]), {"capacity_hours": 1}).status_code == 403
    assert alice.patch(url("training-bases", own.data["id"]), {"capacity_hours": 1500}).status_code == 200


def test_the_owner_records_a_bases_use(as_, world, school_a):
    mine, bobs = TrainingBaseFactory(school=school_a), TrainingBaseFactory(school=world.program_b.school)
    alice = as_("alice")
    created = alice.post(url("training-base-usage"), {"base": mine.pk, "year": 2025, "internal_hours": 800,
                                                      "external_hours": 120})
    assert (created.status_code, created.data["base_name"]) == (201, mine.name)
    assert alice.post(url("training-base-usage"), {"base": bobs.pk, "year": 2025}).status_code == 403
    again = alice.post(url("training-base-usage"), {"base": mine.pk, "year": 2025})
    assert again.status_code == 400
    assert TrainingBaseUsage.objects.count() == 1


# --- technical services and patents ---------------------------------------------------------------
@pytest.mark.parametrize(("prefix", "factory", "enterprise_field"),
                         [("technical-services", TechnicalServiceFactory, "enterprise"),
                          ("patents", PatentFactory, "licensee")])
def test_a_schools_services_and_patents_are_read_by_whom_they_name(as_, world, school_a, enterprise, prefix, factory,
                                                                   enterprise_field):
    mine = factory(school=school_a, **{enterprise_field: enterprise})
    bobs = factory(school=world.program_b.school, **{enterprise_field: None})
    far = factory(school=world.far_school, **{enterprise_field: enterprise})
    assert ids(as_("alice").get(url(prefix))) == {mine.pk}
    assert ids(as_("bob").get(url(prefix))) == {bobs.pk}
    assert ids(as_("carol").get(url(prefix))) == {mine.pk, far.pk}
    assert ids(as_("mallory").get(url(prefix))) == set()
    assert ids(as_("dave").get(url(prefix))) == {mine.pk, bobs.pk}
    assert ids(as_("erin").get(url(prefix))) == set()
    assert as_("carol").patch(url(prefix, mine.pk), {"title": "x"}).status_code == 403
    assert as_("bob").patch(url(prefix, mine.pk), {"title": "x"}).status_code == 404
    assert as_("alice").patch(url(prefix, mine.pk), {"title": "更正"}).status_code == 200


def test_alice_records_a_patent_of_her_school(as_, world, school_a, enterprise):
    response = as_("alice").post(url("patents"), {"number": "ZL202410000001.2", "title": "一种夹具",
                                                  "granted_on": "2024-10-01", "transferred_on": "2025-03-01",
                                                  "licensee": enterprise.pk})
    assert response.status_code == 201, response.content
    assert (response.data["school"], response.data["licensee_name"]) == (school_a.pk, "丙智能制造有限公司")
    assert Patent.objects.get().school == school_a


# --- consortia and their members ------------------------------------------------------------------
def test_dave_creates_a_consortium_of_his_region_and_its_members(as_, world, region, school_a, enterprise):
    dave = as_("dave")
    created = dave.post(url("consortia"), {"name": "测试市域产教联合体", "kind": "city_consortium",
                                           "region": region.code})
    assert created.status_code == 201, created.content
    pk = created.data["id"]
    for member in ({"school": school_a.pk, "role": "lead"}, {"enterprise": enterprise.pk},
                   {"other_name": "市机械工程学会", "other_kind": "association"}):
        response = dave.post(url("consortium-members"), {"consortium": pk, **member})
        assert response.status_code == 201, response.content
    listed = as_("mallory").get(url("consortia", pk)).data["members"]
    assert {(m["name"], m["role"]) for m in listed} == {
        ("甲职业技术学院", "lead"), ("丙智能制造有限公司", "member"), ("市机械工程学会", "member")}
    assert set(listed[0]) == {"id", "school", "enterprise", "other_name", "other_kind", "role", "name"}


def test_only_the_regions_reviewer_changes_its_consortia(as_, world, region):
    consortium = ConsortiumFactory(region=region)
    member = ConsortiumMemberFactory(consortium=consortium)
    for who in ("alice", "carol", "erin"):
        assert as_(who).patch(url("consortia", consortium.pk), {"name": "x"}).status_code == 403, who
        assert as_(who).delete(url("consortium-members", member.pk)).status_code == 403, who
        assert as_(who).post(url("consortia"), {"name": "x", "kind": "city_consortium",
                                                "region": region.code}).status_code == 403, who
    assert as_("erin").post(url("consortium-members"), {"consortium": consortium.pk,
                                                        "other_name": "x", "other_kind": "other"}).status_code == 403
    assert as_("dave").patch(url("consortia", consortium.pk), {"name": "新名称"}).status_code == 200
    assert Consortium.objects.count() == 1
    assert ConsortiumMember.objects.count() == 1


def test_a_reviewer_keeps_consortia_of_his_sub_regions(as_, world, region):
    city = RegionFactory(prefecture=True, parent=region)
    response = as_("dave").post(url("consortia"), {"name": "市级联合体", "kind": "city_consortium", "region": city.code})
    assert response.status_code == 201, response.content


# --- filters --------------------------------------------------------------------------------------
def test_partnerships_filter_by_kind(as_, world):
    world.active.kinds = [PartnershipKind.JOINT_RND, PartnershipKind.APPRENTICESHIP]
    world.active.save()
    pat = as_("pat")
    assert ids(pat.get(url("partnerships"), {"kind": "joint_rnd"})) == {world.active.pk}
    assert ids(pat.get(url("partnerships"), {"kind": "order_class"})) == {world.proposed.pk, world.bobs.pk,
                                                                          world.faraway.pk}
    assert pat.get(url("partnerships"), {"kind": "tea_party"}).status_code == 400


def test_partnerships_filter_by_the_academic_year_they_were_active_in(as_, world, school_a, enterprise):
    def partnership(status, start, end=None):
        return PartnershipFactory(school=school_a, enterprise=enterprise, status=status,
                                  start_date=datetime.date.fromisoformat(start),
                                  end_date=end and datetime.date.fromisoformat(end))

    Partnership.objects.all().delete()
    open_ended = partnership(Status.ACTIVE, "2020-09-01")
    ended_in_year = partnership(Status.ENDED, "2022-01-01", "2024-09-01")
    suspended = partnership(Status.SUSPENDED, "2025-08-31")
    partnership(Status.ENDED, "2022-01-01", "2024-08-31")  # ended the day before the year began
    partnership(Status.ACTIVE, "2025-09-01")  # starts the day after the year ends
    partnership(Status.PROPOSED, "2024-09-01")  # never agreed
    partnership(Status.DECLINED, "2024-09-01")
    expected = {open_ended.pk, ended_in_year.pk, suspended.pk}
    assert ids(as_("alice").get(url("partnerships"), {"active_in": 2024})) == expected
    assert set(Partnership.objects.filter(active_in_q(2024)).values_list("pk", flat=True)) == expected
    assert set(PartnershipQuerySet(Partnership).active_in(2024).values_list("pk", flat=True)) == expected
    assert as_("alice").get(url("partnerships"), {"active_in": "last year"}).status_code == 400


def test_partnerships_filter_by_school_enterprise_program_status_region_and_sector(as_, world, school_a, region):
    pat = as_("pat")
    sub = RegionFactory(prefecture=True, parent=region)
    in_sub = PartnershipFactory(school=SchoolFactory(region=sub), enterprise=EnterpriseFactory(
        region=sub, sector=SectorFactory(code="C3901")))
    assert ids(pat.get(url("partnerships"), {"school": school_a.pk})) == {world.proposed.pk, world.active.pk}
    assert ids(pat.get(url("partnerships"), {"enterprise": world.mallorys.pk})) == {world.bobs.pk}
    assert ids(pat.get(url("partnerships"), {"program": world.program_b.pk})) == {world.bobs.pk}
    assert ids(pat.get(url("partnerships"), {"status": "proposed"})) == {world.proposed.pk, in_sub.pk}
    assert ids(pat.get(url("partnerships"), {"region": region.code})) == {
        world.proposed.pk, world.active.pk, world.bobs.pk, in_sub.pk}
    assert ids(pat.get(url("partnerships"), {"region": sub.code})) == {in_sub.pk}
    assert ids(pat.get(url("partnerships"), {"sector": "C39"})) == {in_sub.pk}
    assert ids(pat.get(url("partnerships"), {"search": world.bobs.title})) == {world.bobs.pk}


def test_contributions_filter_by_party_kind_and_academic_year(as_, world):
    autumn = ContributionFactory(partnership=world.active, party=ContributionParty.SCHOOL,
                                 date=datetime.date(2024, 9, 1), kind="funds")
    summer = ContributionFactory(partnership=world.active, date=datetime.date(2025, 8, 31))
    ContributionFactory(partnership=world.active, date=datetime.date(2025, 9, 1))
    alice = as_("alice")
    assert ids(alice.get(url("contributions"), {"year": 2024})) == {autumn.pk, summer.pk}
    assert ids(alice.get(url("contributions"), {"year": 2024, "party": "enterprise"})) == {summer.pk}
    assert ids(alice.get(url("contributions"), {"kind": "funds"})) == {autumn.pk}
    assert len(ids(alice.get(url("contributions"), {"partnership": world.active.pk}))) == 3


def test_patents_filter_by_the_academic_year_of_grant_licensee_and_transfer(as_, world, school_a, enterprise):
    granted_2024 = PatentFactory(school=school_a, granted_on=datetime.date(2025, 3, 1),
                                 transferred_on=datetime.date(2025, 6, 1), licensee=enterprise)
    granted_2023 = PatentFactory(school=school_a, granted_on=datetime.date(2024, 3, 1))
    alice = as_("alice")
    assert ids(alice.get(url("patents"), {"year": 2024})) == {granted_2024.pk}
    assert ids(alice.get(url("patents"), {"enterprise": enterprise.pk})) == {granted_2024.pk}
    assert ids(alice.get(url("patents"), {"licensee": enterprise.pk})) == {granted_2024.pk}
    assert ids(alice.get(url("patents"), {"transferred": "true"})) == {granted_2024.pk}
    assert ids(alice.get(url("patents"), {"transferred": "false"})) == {granted_2023.pk}


def test_projects_filter_by_the_enterprises_region_and_the_projects_sector(as_, world, enterprise, region):
    here = EnterpriseProjectFactory(enterprise=enterprise, sector=SectorFactory(code="C3902"))
    far = EnterpriseProjectFactory(enterprise=world.far_enterprise)
    pat = as_("pat")
    assert ids(pat.get(url("projects"), {"region": region.code})) == {here.pk}
    assert ids(pat.get(url("projects"), {"sector": "C39"})) == {here.pk}
    assert ids(pat.get(url("projects"), {"enterprise": world.far_enterprise.pk, "status": "open"})) == {far.pk}


def test_other_lists_filter_by_their_obvious_fields(as_, world, school_a, enterprise, region):
    pat = as_("pat")
    demand = TalentDemandFactory(enterprise=enterprise, year=2026)
    TalentDemandFactory(enterprise=world.far_enterprise, year=2026)
    assert ids(pat.get(url("talent-demands"), {"region": region.code, "year": 2026})) == {demand.pk}
    base = TrainingBaseFactory(school=school_a, open_to_public=True)
    TrainingBaseFactory(enterprise=enterprise)
    assert ids(pat.get(url("training-bases"), {"school": school_a.pk, "open_to_public": "true"})) == {base.pk}
    use = TrainingBaseUsageFactory(base=base, year=2023)
    TrainingBaseUsageFactory(base=base, year=2024)
    assert ids(pat.get(url("training-base-usage"), {"base": base.pk, "year": 2023})) == {use.pk}
    service = TechnicalServiceFactory(school=school_a, enterprise=enterprise, year=2023)
    TechnicalServiceFactory(school=school_a, enterprise=enterprise, year=2024)
    assert ids(pat.get(url("technical-services"), {"school": school_a.pk, "year": 2023})) == {service.pk}
    consortium = ConsortiumFactory(region=region, kind="industry_community")
    ConsortiumMemberFactory(consortium=consortium, school=school_a)
    ConsortiumFactory(region=world.far)
    assert ids(pat.get(url("consortia"), {"region": region.code})) == {consortium.pk}
    assert ids(pat.get(url("consortia"), {"kind": "industry_community", "school": school_a.pk})) == {consortium.pk}


# --- query counts do not grow with the rows -------------------------------------------------------
def _rows(kind: str, w) -> Callable[[], object]:
    """A maker of one more row of `kind` that alice (school A) sees, each with its own related rows."""
    school = w.school_a

    def partnership():
        return PartnershipFactory(school=school, enterprise=EnterpriseFactory(region=w.region),
                                  programs=[ProgramFactory(school=school), ProgramFactory(school=school)])

    makers = {
        "consortia": lambda: ConsortiumMemberFactory(
            consortium=ConsortiumFactory(region=RegionFactory(), sector=SectorFactory()), school=SchoolFactory()),
        "consortium-members": lambda: ConsortiumMemberFactory(enterprise=EnterpriseFactory()),
        "partnerships": partnership,
        "contributions": lambda: ContributionFactory(partnership=partnership()),
        "projects": lambda: EnterpriseProjectFactory(),
        "project-adoptions": lambda: ProjectAdoptionFactory(
            course=CourseFactory(program=ProgramFactory(school=school))),
        "talent-demands": lambda: TalentDemandFactory(),
        "training-bases": lambda: TrainingBaseFactory(enterprise=EnterpriseFactory()),
        "training-base-usage": lambda: TrainingBaseUsageFactory(),
        "technical-services": lambda: TechnicalServiceFactory(school=school),
        "patents": lambda: PatentFactory(school=school, licensee=EnterpriseFactory()),
    }
    return makers[kind]


LISTS = ["consortia", "consortium-members", "partnerships", "contributions", "projects", "project-adoptions",
         "talent-demands", "training-bases", "training-base-usage", "technical-services", "patents"]


@pytest.mark.parametrize("who", ["pat", "alice"])
@pytest.mark.parametrize("prefix", LISTS)
def test_a_list_costs_the_same_queries_for_1_and_25_rows(as_, region, school_a, prefix, who):
    make = _rows(prefix, SimpleNamespace(region=region, school_a=school_a))
    client = as_(who)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(prefix))
        assert response.status_code == 200
        return response.data["count"], len(queries)

    make()
    rows_1, queries_1 = count()
    for _ in range(24):
        make()
    rows_25, queries_25 = count()
    assert (rows_1, rows_25) == (1, 25)
    assert queries_25 == queries_1


def test_a_partnership_answers_in_the_same_queries_whatever_its_programs(as_, world, school_a, enterprise):
    """Detail reads use the list's prefetching too."""
    many = PartnershipFactory(school=school_a, enterprise=enterprise,
                              programs=[ProgramFactory(school=school_a) for _ in range(5)])
    alice = as_("alice")
    with CaptureQueriesContext(connection) as few_queries:
        alice.get(url("partnerships", world.proposed.pk))
    with CaptureQueriesContext(connection) as many_queries:
        assert len(alice.get(url("partnerships", many.pk)).data["program_names"]) == 5
    assert len(many_queries) == len(few_queries)


def test_money_is_written_and_read_as_decimal_strings(as_, world):
    response = as_("alice").post(url("contributions"), {**_entry(world.active, "school"), "value": "1234.5"})
    assert response.data["value"] == "1234.50"
    assert Contribution.objects.get().value == Decimal("1234.50")


def test_an_agreement_uploaded_with_a_proposal_is_downloaded_only_by_those_who_see_the_partnership(
    settings, tmp_path, college_admin_a, school_a, enterprise, liaison, outsider, other_reviewer
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = APIClient()
    client.force_authenticate(college_admin_a)
    body = {"enterprise": enterprise.pk, "title": "订单班协议", "kinds": ["order_class"], "start_date": "2025-09-01",
            "agreement": SimpleUploadedFile("协议.pdf", b"%PDF-1.4 agreement", content_type="application/pdf")}
    response = client.post("/api/v1/partnerships/", body, format="multipart")
    assert response.status_code == 201, response.content
    url = response.json()["agreement_url"]
    assert url.endswith(f"/api/v1/partnerships/{response.json()['id']}/agreement/")
    for user, expected in [(college_admin_a, 200), (liaison, 200), (outsider, 404), (other_reviewer, 404)]:
        client.force_authenticate(user)
        download = client.get(url)
        assert download.status_code == expected
        if expected == 200:
            assert b"".join(download.streaming_content) == b"%PDF-1.4 agreement"
