"""Every database constraint, broken through the API and through a page: 400 or a form error, never
a 500, and nothing written.

The models' own tests (*/tests/test_constraints.py) hold each rule at the model and database level,
and tests/api/test_errors.py sends many bad values to the API. Here every constraint of every model
(Meta.constraints and unique fields, read from the models, so a new one fails
test_every_constraint_is_broken_somewhere until it is added) is broken by a real request: through
the API resource that writes the model and through the page that does (the portal's own form, or
the admin's for what only platform admins keep), each starting from a write that succeeds.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import models
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from partnerships.tests.factories import ConsortiumMemberFactory
from portal.models import Region, Sector
from portal.tests.factories import credit_code
from tests.security import tenants as t

APPS = ("portal", "programs", "partnerships", "evaluation")


@dataclass(frozen=True)
class Writer:
    """How tenant A's `persona` writes a new row of a model: an API resource and a body, and a page
    (URL name and arguments) with what to type into its form. Values may be rows: the API gets
    regions and sectors by code and other rows by id, a form gets ids."""

    persona: str
    api: tuple[str, Callable] | None
    page: tuple[str, Callable, Callable] | None
    page_persona: str | None = None  # when the page is another's (the admin is platform admins')


def program_year_figures(year: int = 2026) -> dict:
    return {"year": year, "enrolled": 60, "students": 160, "graduates": 50, "employed": 45, "employed_in_field": 40,
            "employed_by_partners": 10, "order_class_students": 20, "apprentices": 5}


NONE = lambda a: {}  # a page whose URL names nothing

WRITERS: dict[str, Writer] = {
    "portal.Region": Writer("pat", ("regions", lambda a: {"code": "989898", "name": "新省", "level": "province"}),
                            ("admin:portal_region_add", NONE,
                             lambda a: {"code": "989898", "name": "新省", "name_en": "New", "level": "province"})),
    "portal.Sector": Writer("pat", ("sectors", lambda a: {"code": "T9901", "name": "新行业"}),
                            ("admin:portal_sector_add", NONE, lambda a: {"code": "T9901", "name": "新行业"})),
    "portal.School": Writer("pat", ("schools", lambda a: {
        "name": "新职业学院", "code": "8888888888", "level": "higher_vocational", "region": a.P, "ownership": "public"}),
        ("admin:portal_school_add", NONE, lambda a: {
            "name": "新职业学院", "code": "8888888888", "level": "higher_vocational", "region": a.P,
            "ownership": "public"})),
    "portal.Enterprise": Writer("pat", ("enterprises", lambda a: {
        "name": "新有限公司", "credit_code": credit_code(987654321, "110000"), "region": a.P, "sector": a.sector,
        "size": "small"}),
        ("admin:portal_enterprise_add", NONE, lambda a: {
            "name": "新有限公司", "credit_code": credit_code(987654321, "110000"), "region": a.P, "sector": a.sector,
            "size": "small"})),
    "portal.User": Writer("pat", ("users", lambda a: {
        "username": "amy", "password": "Ew7-long-Passphrase", "role": "college_admin", "school": a.school}),
        ("admin:portal_user_add", NONE, lambda a: {
            "username": "amy", "password1": "Ew7-long-Passphrase", "password2": "Ew7-long-Passphrase",
            "usable_password": "true", "role": "college_admin", "school": a.school})),
    "programs.Program": Writer("alice", ("programs", lambda a: {
        "school": a.school, "code": "560701", "name": "新专业", "sector": a.sector, "established_year": 2024}),
        ("programs:program-add", NONE, lambda a: {
            "code": "560701", "name": "新专业", "sector": a.sector, "established_year": 2024, "status": "active"})),
    "programs.Course": Writer("alice", ("courses", lambda a: {
        "program": a.program, "code": "NEW-1", "name": "新课程", "theory_hours": 16, "practice_hours": 48}),
        ("programs:course-add", lambda a: {"program": a.program.pk},
         lambda a: {"code": "NEW-1", "name": "新课程", "theory_hours": 16, "practice_hours": 48})),
    "programs.ProgramYear": Writer("alice", ("program-years", lambda a: {"program": a.program, **program_year_figures()}),
                                   ("programs:program-year-add", lambda a: {"program": a.program.pk},
                                    lambda a: program_year_figures())),
    "programs.Teacher": Writer("alice", ("teachers", lambda a: {
        "school": a.school, "name": "新老师", "staff_no": "NEW001", "employment": "full_time"}),
        ("programs:teacher-add", NONE, lambda a: {
            "staff_no": "NEW001", "name": "新老师", "employment": "full_time", "annual_teaching_hours": 100})),
    "programs.TeacherPlacement": Writer("alice", ("teacher-placements", lambda a: {
        "teacher": a.teacher, "enterprise": a.enterprise, "start_date": "2025-07-01", "end_date": "2025-07-31",
        "activity": "training"}),
        ("programs:placement-add", NONE, lambda a: {
            "teacher": a.teacher, "enterprise": a.enterprise, "start_date": "2025-07-01", "end_date": "2025-07-31",
            "activity": "training"})),
    "partnerships.Consortium": Writer("dave", ("consortia", lambda a: {
        "name": "新联合体", "kind": "city_consortium", "region": a.P}),
        ("admin:partnerships_consortium_add", NONE, lambda a: {
            "name": "新联合体", "kind": "city_consortium", "region": a.P}), page_persona="pat"),
    "partnerships.ConsortiumMember": Writer("dave", ("consortium-members", lambda a: {
        "consortium": a.consortium_p, "other_name": "行业协会", "other_kind": "association", "role": "member"}),
        ("admin:partnerships_consortiummember_add", NONE, lambda a: {
            "consortium": a.consortium_p, "other_name": "行业协会", "other_kind": "association", "role": "member"}),
        page_persona="pat"),
    "partnerships.Partnership": Writer("alice", ("partnerships", lambda a: {
        "school": a.school, "enterprise": a.enterprise, "title": "新合作协议", "kinds": ["order_class"],
        "start_date": "2025-09-01"}),
        ("partnerships:partnership-add", NONE, lambda a: {
            "enterprise": a.enterprise, "title": "新合作协议", "kinds": ["order_class"], "start_date": "2025-09-01"})),
    "partnerships.Contribution": Writer("alice", ("contributions", lambda a: {
        "partnership": a.active, "party": "school", "kind": "funds", "value": "100.00", "date": "2025-03-01"}),
        ("partnerships:contribution-add", lambda a: {"partnership": a.active.pk}, lambda a: {
            "party": "school", "kind": "funds", "value": "100.00", "date": "2025-03-01"})),
    "partnerships.EnterpriseProject": Writer("carol", ("projects", lambda a: {
        "enterprise": a.enterprise, "title": "新项目", "sector": a.sector, "capacity": 10}),
        ("partnerships:project-add", NONE, lambda a: {"title": "新项目", "sector": a.sector, "capacity": 10})),
    "partnerships.ProjectAdoption": Writer("alice", ("project-adoptions", lambda a: {
        "project": a.project, "course": a.course, "year": 2026, "students": 20}),
        ("partnerships:project-adopt", lambda a: {"pk": a.project.pk},
         lambda a: {"course": a.course, "year": 2026, "students": 20})),
    "partnerships.TalentDemand": Writer("carol", ("talent-demands", lambda a: {
        "enterprise": a.enterprise, "position": "运维工程师", "sector": a.sector, "region": a.P, "headcount": 3,
        "year": 2026}),
        ("partnerships:demand-add", NONE, lambda a: {
            "position": "运维工程师", "sector": a.sector, "region": a.P, "headcount": 3, "year": 2026})),
    "partnerships.TrainingBase": Writer("alice", ("training-bases", lambda a: {"name": "新实训基地", "school": a.school}),
                                        ("partnerships:base-add", NONE, lambda a: {
                                            "name": "新实训基地", "equipment_value": "100", "capacity_hours": 10})),
    "partnerships.TrainingBaseUsage": Writer("alice", ("training-base-usage", lambda a: {
        "base": a.base, "year": 2026, "internal_hours": 100, "external_hours": 10}),
        ("partnerships:usage-add", lambda a: {"base": a.base.pk},
         lambda a: {"year": 2026, "internal_hours": 100, "external_hours": 10})),
    "partnerships.TechnicalService": Writer("alice", ("technical-services", lambda a: {
        "school": a.school, "enterprise": a.enterprise, "title": "设备诊断", "year": 2025, "amount": "100.00"}),
        ("partnerships:service-add", NONE, lambda a: {
            "title": "设备诊断", "enterprise": a.enterprise, "year": 2025, "amount": "100.00"})),
    "partnerships.Patent": Writer("alice", ("patents", lambda a: {
        "school": a.school, "number": "ZL209999999999.9", "title": "一种夹具", "granted_on": "2025-01-01"}),
        ("partnerships:patent-add", NONE, lambda a: {
            "number": "ZL209999999999.9", "title": "一种夹具", "granted_on": "2025-01-01"})),
    "evaluation.Feedback": Writer("carol", ("feedback", lambda a: {
        "enterprise": a.enterprise, "program": a.program, "year": 2025,
        "scores": [{"dimension": "professional_skills", "score": 4}]}),
        ("evaluation:program-feedback-add", lambda a: {"pk": a.program.pk},
         lambda a: {"year": 2025, "score_professional_skills": "4"})),
    "evaluation.TargetOverride": Writer("pat", ("target-overrides", lambda a: {
        "indicator": "employment_rate", "region": a.P, "target": 0.9}),
        ("admin:evaluation_targetoverride_add", NONE, lambda a: {
            "indicator": "employment_rate", "region": a.P, "target": 0.9})),
    "evaluation.EvaluationRun": Writer("dave", ("evaluation-runs", lambda a: {"year": 2026}), None),
}


@dataclass(frozen=True)
class Break:
    """What makes a new row break one constraint, added to the writer's API body and form."""

    change: Callable
    via: str | None = None  # the model whose writer writes it (scores are written with their feedback)
    api: bool = True
    page: bool = True
    persona: str | None = None
    why_not: str = ""  # why a channel cannot express it


def mistyped_credit_code() -> str:
    code = credit_code(424242)
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def non_negative(field_name: str) -> Break:
    return Break(lambda a: {field_name: -1})


STATUS_NOT_WRITTEN = "set by the services only: read-only in the API, not in any form"

# constraint name (or app_label.Model.field for a unique field) -> how to break it
BREAKS: dict[str, Break] = {
    "portal.Region.code": Break(lambda a: {"code": a.P.code}),
    "region_code_6_digits": Break(lambda a: {"code": "98989"}),
    "region_level_valid": Break(lambda a: {"level": "state"}),
    "region_parent_matches_level": Break(lambda a: {"level": "prefecture"}),
    "portal.Sector.code": Break(lambda a: {"code": a.sector.code}),
    "sector_code_format": Break(lambda a: {"code": "Z39"}),
    "portal.School.code": Break(lambda a: {"code": a.school.code}),
    "school_code_10_digits": Break(lambda a: {"code": "123"}),
    "school_level_valid": Break(lambda a: {"level": "kindergarten"}),
    "school_ownership_valid": Break(lambda a: {"ownership": "mixed"}),
    "portal.Enterprise.credit_code": Break(lambda a: {"credit_code": a.enterprise.credit_code}),
    "enterprise_credit_code_format": Break(lambda a: {"credit_code": "91110000"}),
    "enterprise_credit_code_check_char": Break(lambda a: {"credit_code": mistyped_credit_code()}),
    "enterprise_size_valid": Break(lambda a: {"size": "huge"}),
    "portal.User.username": Break(lambda a: {"username": "alice"}),
    "user_scope_matches_role": Break(lambda a: {"role": "gov_reviewer"}),  # a reviewer with a school, no region
    "user_role_valid": Break(lambda a: {"role": "wizard"}),
    "program_code_unique_per_school": Break(lambda a: {"code": a.program.code}),
    "program_code_6_digits": Break(lambda a: {"code": "12AB"}),
    "program_status_valid": Break(lambda a: {"status": "thriving"}),
    "program_established_year_plausible": Break(lambda a: {"established_year": 1800}),
    "course_code_unique_per_program": Break(lambda a: {"code": a.course.code}),
    "course_theory_hours_non_negative": non_negative("theory_hours"),
    "course_practice_hours_non_negative": non_negative("practice_hours"),
    "course_hours_sum_positive": Break(lambda a: {"theory_hours": 0, "practice_hours": 0}),
    "program_year_unique": Break(lambda a: {"year": a.record.year}),
    "program_year_year_plausible": Break(lambda a: {"year": 1800}),
    **{f"program_year_{name}_non_negative": non_negative(name) for name in (
        "enrolled", "students", "graduates", "employed", "employed_in_field", "employed_by_partners",
        "order_class_students", "apprentices")},
    "program_year_employed_lte_graduates": Break(lambda a: {"employed": 51}),
    "program_year_employed_in_field_lte_employed": Break(lambda a: {"employed_in_field": 46}),
    "program_year_employed_by_partners_lte_employed": Break(lambda a: {"employed_by_partners": 46}),
    "program_year_order_class_and_apprentices_lte_students": Break(lambda a: {"order_class_students": 156}),
    "teacher_staff_no_unique_per_school": Break(lambda a: {"staff_no": a.teacher.staff_no}),
    "teacher_employment_valid": Break(lambda a: {"employment": "volunteer"}),
    "teacher_dual_level_valid": Break(lambda a: {"dual_qualified": True, "dual_qualified_level": "grand",
                                                 "dual_qualified_since": "2020-09-01"}),
    "teacher_annual_teaching_hours_non_negative": non_negative("annual_teaching_hours"),
    "teacher_dual_level_only_when_dual_qualified": Break(lambda a: {"dual_qualified_level": "senior"}),
    "teacher_employer_only_for_part_time_industry": Break(lambda a: {"employer": a.enterprise}),
    "placement_end_date_not_before_start_date": Break(lambda a: {"end_date": "2025-06-01"}),
    "placement_activity_valid": Break(lambda a: {"activity": "holiday"}),
    "consortium_kind_valid": Break(lambda a: {"kind": "club"}),
    "consortium_member_exactly_one": Break(lambda a: {"school": a.school}),  # and another body
    "consortium_member_other_kind_with_other_name": Break(lambda a: {"other_kind": ""}),
    "consortium_member_school_once": Break(lambda a: {"other_name": "", "other_kind": "", "school": a.school}),
    "consortium_member_enterprise_once": Break(lambda a: {"other_name": "", "other_kind": "",
                                                          "enterprise": a.enterprise}),
    "consortium_member_role_valid": Break(lambda a: {"role": "boss"}),
    "consortium_member_other_kind_valid": Break(lambda a: {"other_kind": "guild"}),
    "partnership_end_date_not_before_start_date": Break(lambda a: {"end_date": "2020-01-01"}),
    "partnership_status_valid": Break(lambda a: {}, api=False, page=False, why_not=STATUS_NOT_WRITTEN),
    "partnership_kinds_valid": Break(lambda a: {"kinds": ["telepathy"]}),
    "contribution_value_non_negative": Break(lambda a: {"value": "-1.00"}),
    "contribution_party_valid": Break(lambda a: {"party": "bank"}),
    "contribution_kind_valid": Break(lambda a: {"kind": "gold"}),
    "project_end_date_not_before_start_date": Break(lambda a: {"start_date": "2025-09-01", "end_date": "2025-01-01"}),
    "project_capacity_non_negative": non_negative("capacity"),
    "project_status_valid": Break(lambda a: {"status": "lost"}, page=False,
                                  why_not="the page moves a project's status by its own buttons (tested in "
                                          "tests/security/test_mass_assignment.py)"),
    "adoption_unique_per_course_year": Break(lambda a: {"year": a.adoption.year}),
    "adoption_year_plausible": Break(lambda a: {"year": 1800}),
    "adoption_students_non_negative": non_negative("students"),
    "talent_demand_headcount_positive": Break(lambda a: {"headcount": 0}),
    "talent_demand_year_plausible": Break(lambda a: {"year": 1800}),
    "training_base_exactly_one_owner": Break(lambda a: {"enterprise": a.enterprise}, page=False,
                                             why_not="the page makes the user's own organisation the owner"),
    "training_base_equipment_value_non_negative": Break(lambda a: {"equipment_value": "-1"}),
    "training_base_enterprise_equipment_value_non_negative": Break(lambda a: {"enterprise_equipment_value": "-1"}),
    "training_base_capacity_hours_non_negative": non_negative("capacity_hours"),
    "training_base_enterprise_equipment_lte_total": Break(lambda a: {"equipment_value": "10",
                                                                     "enterprise_equipment_value": "20"}),
    "training_base_usage_unique_per_year": Break(lambda a: {"year": a.usage.year}),
    "training_base_usage_year_plausible": Break(lambda a: {"year": 1800}),
    "training_base_usage_internal_hours_non_negative": non_negative("internal_hours"),
    "training_base_usage_external_hours_non_negative": non_negative("external_hours"),
    "technical_service_year_plausible": Break(lambda a: {"year": 1800}),
    "technical_service_amount_non_negative": Break(lambda a: {"amount": "-1.00"}),
    "partnerships.Patent.number": Break(lambda a: {"number": a.patent.number}),
    "patent_transferred_on_not_before_granted_on": Break(lambda a: {"granted_on": "2025-02-01",
                                                                   "transferred_on": "2024-01-01"}),
    "feedback_about_partnership_or_program": Break(lambda a: {"partnership": a.active}, page=False,
                                                   why_not="the page's URL names the one subject"),
    "feedback_from_enterprise_or_evaluator": Break(lambda a: {"evaluator": "第三方评价机构"}, persona="pat",
                                                   page=False, why_not="the page's feedback is the liaison's"),
    "feedback_year_plausible": Break(lambda a: {"year": 1800}),
    "feedback_score_once_per_dimension": Break(
        lambda a: {"scores": [{"dimension": "professional_skills", "score": 5},
                              {"dimension": "professional_skills", "score": 4}]},
        via="evaluation.Feedback", page=False, why_not="the form has one score field per dimension"),
    "feedback_score_1_to_5": Break(lambda a: {"scores": [{"dimension": "professional_skills", "score": 9}],
                                              "score_professional_skills": "9"}, via="evaluation.Feedback"),
    "feedback_score_dimension_valid": Break(lambda a: {"scores": [{"dimension": "charm", "score": 3}]},
                                            via="evaluation.Feedback", page=False,
                                            why_not="the form offers the catalogue's dimensions only"),
    "evaluation_run_year_plausible": Break(lambda a: {"year": 1800}, page=False,
                                           why_not="the dashboard's run button is not a form page (its bad year "
                                                   "is a message: evaluation/tests/test_dashboards.py)"),
    "target_override_once_per_region": Break(lambda a: {"indicator": a.target.indicator}),
    "target_override_band_ordered": Break(lambda a: {"indicator": "supply_demand_ratio", "target": 1.5,
                                                     "target_upper": 1.0}),
}

ENGINE_ONLY = "written by evaluation runs only: read-only in the API and the admin, no page writes it"
# Constraints no request can break, and why.
UNBREAKABLE: dict[str, str] = {
    "portal.ApiToken.digest": "made by ApiToken.issue from a new random key; no request names it",
    "evaluation_run_one_active_per_year": "a request while a run is under way answers with that run (202): "
                                          "tests/faults/test_concurrency.py starts two at once",
    **{name: ENGINE_ONLY for name in (
        "evaluation_run_one_published_per_year", "evaluation_run_progress_percent", "evaluation_run_published_succeeded",
        "evaluation_run_status_valid", "evaluation_run_trigger_valid", "indicator_value_subject_matches_level",
        "indicator_value_level_valid", "indicator_value_year_plausible", "program_recommendation_once_per_run",
        "program_recommendation_years_0_to_3", "program_recommendation_valid", "program_recommendation_year_plausible",
        "warning_one_unresolved_per_subject", "warning_subject_matches_level", "warning_level_valid",
        "warning_severity_valid", "warning_status_valid", "warning_year_plausible")},
}


def constraints() -> dict[str, str]:
    """Every constraint of the project's models (name -> model label), unique fields included."""
    found = {}
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        for constraint in model._meta.constraints:
            found[constraint.name] = model._meta.label
        for f in model._meta.fields:
            if f.unique and not f.primary_key:
                found[f"{model._meta.label}.{f.name}"] = model._meta.label
    return found


def test_every_constraint_is_broken_somewhere():
    names = set(constraints())
    assert names == set(BREAKS) | set(UNBREAKABLE), (names - set(BREAKS) - set(UNBREAKABLE),
                                                     (set(BREAKS) | set(UNBREAKABLE)) - names)
    assert not set(BREAKS) & set(UNBREAKABLE)


@pytest.fixture
def a(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    tenant = t.build().a
    # School A is a member of its province's consortium too (for the once-per-consortium rule).
    ConsortiumMemberFactory(consortium=tenant.consortium_p, school=tenant.school)
    return tenant


def for_api(value):
    if isinstance(value, (Region, Sector)):
        return value.code
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list):
        return [for_api(v) for v in value]
    return value


def for_form(data: dict) -> dict:
    form = {}
    for name, value in data.items():
        if isinstance(value, bool):
            if value:
                form[name] = "on"
        elif value is None:
            form[name] = ""
        elif isinstance(value, models.Model):
            form[name] = str(value.pk)
        elif isinstance(value, list):
            if value and isinstance(value[0], dict):
                continue  # nested API data (scores): no form field takes it
            form[name] = [str(getattr(v, "pk", v)) for v in value]
        else:
            form[name] = str(value)
    return form


def count(label: str) -> int:
    return apps.get_model(label)._base_manager.count()


def api_write(a, writer: Writer, change: dict, persona: str | None = None):
    prefix, body = writer.api
    api = APIClient()
    api.force_authenticate(getattr(a, persona or writer.persona))
    data = {name: for_api(value) for name, value in {**body(a), **change}.items()}
    return api.post(f"/api/v1/{prefix}/", data, format="json")


def page_form(client: Client, url: str) -> tuple[dict, bool]:
    """The form data as the page shows it, and whether it is the admin's."""
    from tests.security.test_mass_assignment import form_data

    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    if "adminform" in page.context:
        data = form_data(page.context["adminform"].form)
        for inline in page.context["inline_admin_formsets"]:
            prefix = inline.formset.prefix
            data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                         f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
        return data, True
    return form_data(page.context["form"]), False


def page_write(a, writer: Writer, change: dict):
    name, kwargs, data = writer.page
    client = Client()
    client.force_login(getattr(a, writer.page_persona or writer.persona))
    url = reverse(name, kwargs=kwargs(a))
    shown, admin = page_form(client, url)
    return client.post(url, {**shown, **for_form({**data(a), **change})}), admin


def form_errors(response, admin: bool) -> bool:
    if response.status_code != 200 or response.context is None:
        return False
    if admin:
        return bool(response.context["adminform"].form.errors or response.context.get("errors"))
    return bool(response.context["form"].errors)


@pytest.mark.parametrize("label", sorted(WRITERS))
def test_each_writer_writes_a_valid_row(label, a):
    """The control: the bodies and forms the breaks start from are accepted."""
    writer = WRITERS[label]
    before = count(label)
    if writer.api:
        response = api_write(a, writer, {})
        assert response.status_code in (201, 202), (label, response.content[:400])
        assert count(label) == before + 1
        apps.get_model(label)._base_manager.filter(pk=response.json()["id"]).delete()
    if writer.page:
        response, admin = page_write(a, writer, {})
        assert response.status_code == 302, (label, response.status_code, form_errors(response, admin) and (
            response.context["adminform"].form.errors if admin else response.context["form"].errors))
        assert count(label) == before + 1


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_breaking_a_constraint_answers_400_or_a_form_error_and_writes_nothing(name, a):
    rule = BREAKS[name]
    label = constraints()[name]
    writer = WRITERS[rule.via or label]
    assert rule.api or rule.page or rule.why_not
    if not rule.api and not rule.page:
        pytest.skip(rule.why_not)
    before = {label: count(label), rule.via or label: count(rule.via or label)}
    if rule.api:
        assert writer.api, f"{name}: no API writes {label}"
        response = api_write(a, writer, rule.change(a), rule.persona)
        assert response.status_code == 400, (name, "API", response.status_code, response.content[:400])
        assert response.json(), name
        assert {k: count(k) for k in before} == before, (name, "API wrote")
    if rule.page:
        assert writer.page, f"{name}: no page writes {label}"
        response, admin = page_write(a, writer, rule.change(a))
        assert form_errors(response, admin), (name, "page", response.status_code)
        assert {k: count(k) for k in before} == before, (name, "page wrote")
