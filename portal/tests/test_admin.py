"""The Django admin: open to active staff platform administrators only; every model's changelist,
search, filters, add and change pages work; changelists cost the same queries for 1 row as for 20;
the user forms enforce the role's scope.

This module spans every app on purpose: it walks the whole admin registry.
"""
from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.admin import DerivedDataAdmin
from evaluation.models import (
    EvaluationRun,
    Feedback,
    FeedbackScore,
    IndicatorValue,
    ProgramRecommendation,
    TargetOverride,
    Warning,
)
from evaluation.tests.factories import (
    EvaluationRunFactory,
    FeedbackFactory,
    FeedbackScoreFactory,
    IndicatorValueFactory,
    ProgramRecommendationFactory,
    TargetOverrideFactory,
    WarningFactory,
)
from partnerships import models as coop
from partnerships.tests import factories as coop_factories
from portal.models import ApiToken, Enterprise, Region, School, Sector, User
from portal.tests.factories import (
    PASSWORD,
    CollegeAdminFactory,
    EnterpriseFactory,
    LiaisonFactory,
    RegionFactory,
    ReviewerFactory,
    SchoolFactory,
    SectorFactory,
)
from programs.models import Course, Program, ProgramYear, Teacher, TeacherPlacement
from programs.tests.factories import (
    CourseFactory,
    ProgramFactory,
    ProgramYearFactory,
    TeacherFactory,
    TeacherPlacementFactory,
)

pytestmark = pytest.mark.django_db


# --- One row of each model, each with its own related rows (so a per-row query would show) ----


def make_program() -> Program:
    program = ProgramFactory()
    CourseFactory.create_batch(2, program=program, co_developed_with=EnterpriseFactory())
    return program


def make_consortium() -> coop.Consortium:
    consortium = coop_factories.ConsortiumFactory(sector=SectorFactory())
    coop_factories.ConsortiumMemberFactory(consortium=consortium, role="lead")
    coop_factories.ConsortiumMemberFactory(consortium=consortium, other_name="市机械行业协会", other_kind="association")
    return consortium


def make_partnership() -> coop.Partnership:
    partnership = coop_factories.PartnershipFactory(programs=[ProgramFactory()])
    coop_factories.ContributionFactory(partnership=partnership)
    return partnership


def make_project() -> coop.EnterpriseProject:
    project = coop_factories.EnterpriseProjectFactory()
    coop_factories.ProjectAdoptionFactory(project=project)
    return project


def make_training_base() -> coop.TrainingBase:
    owners = [{}, {"enterprise": EnterpriseFactory()}, {"consortium": make_consortium()}]
    base = coop_factories.TrainingBaseFactory(**owners[coop.TrainingBase.objects.count() % 3])
    coop_factories.TrainingBaseUsageFactory(base=base)
    return base


def make_feedback() -> Feedback:
    feedback = FeedbackFactory(partnership=make_partnership())
    FeedbackScoreFactory(feedback=feedback, dimension="communication")
    FeedbackScoreFactory(feedback=feedback, dimension="outcomes")
    return feedback


def make_user() -> User:
    return [CollegeAdminFactory, LiaisonFactory, ReviewerFactory][User.objects.count() % 3]()


ROW_MAKERS = {
    Region: lambda: RegionFactory(prefecture=True),
    Sector: lambda: SectorFactory(parent=SectorFactory(code="C")),
    School: SchoolFactory,
    Enterprise: EnterpriseFactory,
    User: make_user,
    Group: lambda: Group.objects.create(name=f"group {Group.objects.count()}"),
    ApiToken: lambda: ApiToken.issue(user=make_user())[0],
    Program: make_program,
    Course: lambda: CourseFactory(co_developed_with=EnterpriseFactory()),
    ProgramYear: ProgramYearFactory,
    Teacher: lambda: TeacherFactory(part_time=True, dual=True),
    TeacherPlacement: lambda: TeacherPlacementFactory(teacher=TeacherFactory()),
    coop.Consortium: make_consortium,
    coop.ConsortiumMember: lambda: make_consortium().members.first(),
    coop.Partnership: make_partnership,
    coop.Contribution: lambda: make_partnership().contributions.first(),
    coop.EnterpriseProject: make_project,
    coop.ProjectAdoption: lambda: make_project().adoptions.first(),
    coop.TalentDemand: coop_factories.TalentDemandFactory,
    coop.TrainingBase: make_training_base,
    coop.TrainingBaseUsage: lambda: make_training_base().usage.first(),
    coop.TechnicalService: coop_factories.TechnicalServiceFactory,
    coop.Patent: lambda: coop_factories.PatentFactory(
        transferred_on=datetime.date(2024, 6, 1), licensee=EnterpriseFactory()
    ),
    Feedback: make_feedback,
    FeedbackScore: lambda: make_feedback().scores.first(),
    EvaluationRun: lambda: EvaluationRunFactory(published=False, requested_by=make_user()),
    IndicatorValue: lambda: IndicatorValueFactory(run=EvaluationRunFactory(published=False)),
    Warning: lambda: WarningFactory(acknowledged_by=make_user(), status="acknowledged"),
    ProgramRecommendation: lambda: ProgramRecommendationFactory(run=EvaluationRunFactory(published=False)),
    TargetOverride: lambda: TargetOverrideFactory(indicator="dual_qualified_ratio", region=RegionFactory()),
    # The audit trail: every tracked row made above already wrote one; this is one more.
    LogEntry: lambda: LogEntry.objects.get_for_object(SchoolFactory()).get(),
}

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def world():
    """One row of every registered model."""
    return {model: ROW_MAKERS[model]() for model in REGISTERED}


# --- Who may enter ---------------------------------------------------------------------------


def assert_refused(client, user):
    client.force_login(user)
    for url in (reverse("admin:index"), admin_url(coop.Partnership, "changelist"), admin_url(User, "add")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("persona", ["college_admin_a", "liaison", "reviewer"])
def test_other_roles_stay_out_of_the_admin_even_with_the_staff_flag(client, request, persona):
    user = request.getfixturevalue(persona)
    user.is_staff = True
    user.save()
    assert_refused(client, user)


def test_platform_admin_without_the_staff_flag_stays_out_of_the_admin(client, platform_admin):
    platform_admin.is_staff = False
    platform_admin.save()
    assert_refused(client, platform_admin)


def test_anonymous_visitor_is_sent_to_the_admin_login(client):
    response = client.get(admin_url(School, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_platform_admin_sees_the_portal_header(platform_client):
    response = platform_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Industry-education partnership portal" in response.content.decode()


def test_every_model_has_a_row_maker_for_these_tests():
    assert set(REGISTERED) <= set(ROW_MAKERS), "add a row maker for each newly registered model"


# --- Every page of every model ---------------------------------------------------------------


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_platform_admin_lists_searches_and_filters_every_model(platform_client, world, model):
    url = admin_url(model, "changelist")
    response = platform_client.get(url)
    assert response.status_code == 200
    assert platform_client.get(url, {"q": "测试"}).status_code == 200

    model_admin = admin.site._registry[model]
    specs = response.context["cl"].filter_specs
    assert bool(specs) == bool(model_admin.list_filter)
    for spec in specs:
        choices = list(spec.choices(response.context["cl"]))
        if len(choices) > 1:  # [0] is "All"
            filtered = platform_client.get(url + choices[1]["query_string"])
            assert filtered.status_code == 200, f"filter {spec.title} was refused"  # 302 ?e=1 when invalid


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_platform_admin_opens_every_add_page(platform_client, model):
    # Evaluation results are written by runs only, the audit trail by every write: their add page is refused.
    derived = model in {EvaluationRun, IndicatorValue, Warning, ProgramRecommendation, LogEntry}
    assert platform_client.get(admin_url(model, "add")).status_code == (403 if derived else 200)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_platform_admin_opens_every_change_page(platform_client, world, model):
    row = world[model]
    assert platform_client.get(admin_url(model, "change", row.pk)).status_code == 200


def test_every_foreign_key_is_an_autocomplete_with_a_searchable_target():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in {"portal", "programs", "partnerships", "evaluation"}:
            continue
        if isinstance(model_admin, DerivedDataAdmin):  # read-only: no form to pick anything in
            continue
        editable_fks = {
            f.name for f in model._meta.get_fields()
            if (f.many_to_one or f.many_to_many) and f.concrete and f.editable and not f.auto_created
            and f.name not in {"groups", "user_permissions"}
        }
        assert editable_fks <= set(model_admin.autocomplete_fields), model._meta.label


def test_autocomplete_finds_a_school_by_name(platform_client):
    SchoolFactory(name="顺德职业技术学院")
    response = platform_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "portal", "model_name": "user", "field_name": "school", "term": "顺德"},
    )
    assert [row["text"] for row in response.json()["results"]] == ["顺德职业技术学院"]


# --- Changelists cost the same for 1 row as for 20 -------------------------------------------


def changelist_queries(client, model) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_queries_do_not_grow_with_rows(platform_client, model):
    ROW_MAKERS[model]()
    with_one = changelist_queries(platform_client, model)
    for _ in range(19):
        ROW_MAKERS[model]()
    assert changelist_queries(platform_client, model) == with_one


# --- User accounts: role and scope -----------------------------------------------------------


def user_form(response):
    return response.context["adminform"].form


def add_user(client, **fields):
    data = {"username": "new-user", "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD,
            "role": "", "school": "", "enterprise": "", "region": "", **fields}
    return client.post(admin_url(User, "add"), data)


def test_user_add_form_requires_a_role(platform_client):
    response = add_user(platform_client)
    assert response.status_code == 200
    assert "role" in user_form(response).errors
    assert "a government reviewer a region" in response.content.decode()  # the role's help text
    assert not User.objects.filter(username="new-user").exists()


def test_user_add_form_refuses_a_college_admin_without_a_school(platform_client):
    response = add_user(platform_client, role="college_admin")
    assert response.status_code == 200
    assert user_form(response).errors["school"] == ["An account with the role “college administrator” needs a school."]
    assert not User.objects.filter(username="new-user").exists()


def test_user_add_form_refuses_a_scope_the_role_does_not_have(platform_client):
    response = add_user(platform_client, role="enterprise_liaison", enterprise=EnterpriseFactory().pk,
                        school=SchoolFactory().pk)
    assert response.status_code == 200
    [message] = user_form(response).errors["school"]
    assert "has no school" in message


def test_user_add_form_creates_a_college_admin_of_a_school(platform_client):
    school = SchoolFactory()
    response = add_user(platform_client, role="college_admin", school=school.pk)
    assert response.status_code == 302
    user = User.objects.get(username="new-user")
    assert (user.role, user.school, user.check_password(PASSWORD)) == ("college_admin", school, True)


def test_user_change_form_refuses_removing_a_reviewers_region(platform_client):
    reviewer = ReviewerFactory()
    response = platform_client.post(admin_url(User, "change", reviewer.pk), {
        "username": reviewer.username, "email": reviewer.email, "first_name": "", "last_name": "", "is_active": "on",
        "role": "gov_reviewer", "region": "", "date_joined_0": "2024-09-01", "date_joined_1": "08:00:00",
    })
    assert response.status_code == 200
    assert user_form(response).errors["region"] == ["An account with the role “government reviewer” needs a region."]
    reviewer.refresh_from_db()
    assert reviewer.region_id is not None


def test_user_list_shows_role_and_scope_and_searches_by_school_name(platform_client):
    college_admin = CollegeAdminFactory(school=SchoolFactory(name="深圳职业技术大学"))
    LiaisonFactory()
    response = platform_client.get(admin_url(User, "changelist"), {"q": "深圳职业"})
    assert list(response.context["cl"].result_list) == [college_admin]
    content = response.content.decode()
    assert "深圳职业技术大学" in content and "college administrator" in content
