"""manage.py seed_demo: what it promises, that a second run creates and changes nothing, and that
its rows are valid. The module seeds once (twice, for idempotence) and rolls everything back at the
end."""
from __future__ import annotations

from collections import Counter
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Max, Q, Sum
from django.test.utils import override_settings

from demo.seed import DEMO_PASSWORD, DEMO_USERS, SEEDED_MODELS, YEARS, build_world, runner, seed_demo
from evaluation.models import Feedback
from partnerships.choices import ContributionKind, ContributionParty, PartnershipKind, PartnershipStatus, ProjectStatus
from partnerships.models import (
    Consortium,
    ConsortiumMember,
    Contribution,
    EnterpriseProject,
    Partnership,
    Patent,
    ProjectAdoption,
    TalentDemand,
    TrainingBase,
    TrainingBaseUsage,
)
from portal.choices import Role, SchoolLevel
from portal.models import Enterprise, School, User
from portal.validators import validate_credit_code
from programs.models import Course, Program, ProgramYear, Teacher, TeacherPlacement

pytestmark = pytest.mark.django_db

APP_LABELS = ("portal", "programs", "partnerships", "evaluation")
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as the root conftest, for client.login


def model_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for label in APP_LABELS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }


def last_changes() -> dict[str, object]:
    return {
        model._meta.label: model._default_manager.aggregate(last=Max("updated_at"))["last"]
        for label in APP_LABELS
        for model in apps.get_app_config(label).get_models()
        if any(f.name == "updated_at" for f in model._meta.get_fields())
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Run the command, then the seed again; everything is rolled back after the module."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            output = StringIO()
            call_command("seed_demo", stdout=output)
            first = SimpleNamespace(counts=model_counts(), changes=last_changes(), output=output.getvalue())
            second = seed_demo()
            yield SimpleNamespace(
                first=first, second=second, counts=model_counts(), changes=last_changes(),
            )
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_planning_is_deterministic():
    first, second = build_world().plan.rows, build_world().plan.rows
    assert first == second


def test_second_run_creates_nothing_and_changes_nothing(seeded):
    assert seeded.counts == seeded.first.counts
    assert seeded.second.created == 0
    assert all(tally.created == 0 and tally.found > 0 for tally in seeded.second.tallies)
    assert seeded.changes == seeded.first.changes


def test_command_prints_counts_and_the_demo_logins(seeded):
    output = seeded.first.output
    for label in ("portal.School", "programs.ProgramYear", "evaluation.FeedbackScore"):
        assert label in output
    for user in DEMO_USERS:
        assert user.username in output
    assert DEMO_PASSWORD in output


def test_missing_reference_data_stops_the_command_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(runner, "REQUIRED_SECTORS", [*runner.REQUIRED_SECTORS, "C99"])
    before = model_counts()
    with pytest.raises(CommandError, match=r"sectors C99.*run `manage.py migrate` first"):
        call_command("seed_demo", stdout=StringIO())
    assert model_counts() == before


def test_about_twenty_schools_of_all_three_levels_public_and_private(seeded):
    assert 18 <= School.objects.count() <= 22
    assert set(School.objects.values_list("level", flat=True)) == set(SchoolLevel.values)
    assert set(School.objects.values_list("ownership", flat=True)) == {"public", "private"}
    assert School.objects.values("region").distinct().count() >= 5
    assert not School.objects.filter(name_en="").exists()


def test_about_150_enterprises_with_valid_credit_codes(seeded):
    enterprises = list(Enterprise.objects.all())
    assert 140 <= len(enterprises) <= 160
    for enterprise in enterprises:
        validate_credit_code(enterprise.credit_code)
        assert enterprise.name_en
    assert {e.size for e in enterprises} == {"micro", "small", "medium", "large"}
    assert 0 < sum(e.integration_certified for e in enterprises) < len(enterprises)
    assert len({e.sector_id for e in enterprises}) >= 15


def test_about_200_programs_each_with_three_years_and_six_to_twelve_courses(seeded):
    assert 190 <= Program.objects.count() <= 210
    years = Program.objects.annotate(n=Count("years"))
    assert {p.n for p in years} == {3}
    assert set(ProgramYear.objects.values_list("year", flat=True)) == {2023, 2024, 2025}
    courses = set(Program.objects.annotate(n=Count("courses")).values_list("n", flat=True))
    assert min(courses) >= 6 and max(courses) <= 12
    statuses = Counter(Program.objects.values_list("status", flat=True))
    assert statuses["active"] > Program.objects.count() / 2
    assert statuses["warning"] and statuses["closed"]
    assert Course.objects.filter(professional=True, co_developed_with__isnull=False).exists()


def test_practical_share_is_around_half_with_some_programs_below(seeded):
    shares = [
        p.practice / (p.practice + p.theory)
        for p in Program.objects.annotate(practice=Sum("courses__practice_hours"), theory=Sum("courses__theory_hours"))
    ]
    assert 0.4 <= sum(shares) / len(shares) <= 0.6
    assert sum(share < 0.5 for share in shares) >= 10
    assert sum(share > 0.55 for share in shares) >= 10


def test_program_years_respect_the_inequalities_and_scatter_around_the_targets(seeded):
    assert not ProgramYear.objects.filter(
        Q(employed__gt=F("graduates")) | Q(employed_in_field__gt=F("employed"))
        | Q(employed_by_partners__gt=F("employed"))
        | Q(order_class_students__gt=F("students") - F("apprentices"))
    ).exists()
    totals = ProgramYear.objects.aggregate(employed=Sum("employed"), graduates=Sum("graduates"))
    assert 0.8 <= totals["employed"] / totals["graduates"] <= 0.9
    enrolled = {(py.program_id, py.year): py.enrolled for py in ProgramYear.objects.all()}
    falling = [
        pid for (pid, year), value in enrolled.items()
        if year == 2025 and enrolled[(pid, 2024)] and (value - enrolled[(pid, 2024)]) / enrolled[(pid, 2024)] < -0.3
    ]
    assert 3 <= len(falling) <= 40


def test_every_partnership_kind_and_status_with_programs_of_the_same_school(seeded):
    kinds = {kind for p in Partnership.objects.all() for kind in p.kinds}
    assert kinds == set(PartnershipKind.values)
    assert set(Partnership.objects.values_list("status", flat=True)) == set(PartnershipStatus.values)
    assert not Partnership.programs.through.objects.exclude(program__school=F("partnership__school")).exists()
    assert Partnership.objects.filter(programs__isnull=True).exists()
    ledger = set(Contribution.objects.values_list("party", "kind"))
    assert {party for party, _ in ledger} == set(ContributionParty.values)
    assert {kind for _, kind in ledger} == set(ContributionKind.values)


def test_consortia_have_schools_enterprises_and_other_bodies_as_leads_and_members(seeded):
    kinds = set(Consortium.objects.values_list("kind", flat=True))
    assert {"city_consortium", "industry_community"} <= kinds
    city = Consortium.objects.get(kind="city_consortium", region__code="440100")
    for consortium in (city, Consortium.objects.get(kind="industry_community")):
        members = ConsortiumMember.objects.filter(consortium=consortium)
        assert members.filter(school__isnull=False).exists() and members.filter(enterprise__isnull=False).exists()
        assert members.exclude(other_name="").exists()
        assert set(members.values_list("role", flat=True)) == {"lead", "member"}
    assert set(ConsortiumMember.objects.exclude(other_kind="").values_list("other_kind", flat=True)) >= {
        "association", "research_institute", "government",
    }


def test_projects_demands_bases_services_patents_and_feedback(seeded):
    assert set(EnterpriseProject.objects.values_list("status", flat=True)) == set(ProjectStatus.values)
    assert ProjectAdoption.objects.exists()
    assert set(TalentDemand.objects.values_list("year", flat=True)) == {2023, 2024, 2025}
    assert TrainingBase.objects.filter(school__isnull=False).exists()
    assert TrainingBase.objects.filter(enterprise__isnull=False).exists()
    assert TrainingBase.objects.filter(consortium__isnull=False).exists()
    assert TrainingBaseUsage.objects.filter(internal_hours=0, external_hours=0).exists()
    assert Patent.objects.filter(transferred_on__isnull=False, licensee__isnull=False).exists()
    assert Patent.objects.filter(transferred_on__isnull=True).exists()
    assert Feedback.objects.filter(partnership__isnull=False).exists()
    assert Feedback.objects.filter(program__isnull=False, enterprise__isnull=False).exists()


def test_teachers_and_placements_cover_the_cases_the_indicators_distinguish(seeded):
    assert Teacher.objects.filter(employment="part_time_industry", employer__isnull=False).exists()
    assert Teacher.objects.filter(dual_qualified=True).exclude(dual_qualified_level="").exists()
    assert Teacher.objects.filter(active=False).exists()
    duplicates = Teacher.objects.values("school", "staff_no").annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicates.exists()
    placements = list(TeacherPlacement.objects.all())
    assert any(p.verified for p in placements) and any(not p.verified for p in placements)
    assert any(p.days >= 30 for p in placements) and any(p.days < 30 for p in placements)
    assert {p.start_date.year for p in placements} >= {2024, 2025, 2026}


def test_each_demo_login_works_with_the_documented_password(seeded, client):
    users = {user.username: user for user in User.objects.filter(username__in=[u.username for u in DEMO_USERS])}
    assert {u.role for u in users.values()} == set(Role.values)
    for username in users:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert users["college"].school.name == "广东交通职业技术学院"
    assert users["reviewer"].region.code == "440000"
    assert users["reviewer_gz"].region.code == "440100"


def test_the_demo_enterprise_has_pending_proposals_and_unverified_placements(seeded):
    enterprise = User.objects.get(username="enterprise").enterprise
    assert enterprise.partnerships.filter(status="proposed").count() >= 2
    assert enterprise.partnerships.filter(status="active").values("school").distinct().count() >= 2
    assert enterprise.hosted_placements.filter(verified=False).exists()
    assert enterprise.hosted_placements.filter(verified=True, verified_by__username="enterprise").exists()


def test_a_sample_of_every_seeded_model_passes_full_clean(seeded):
    for model in [User, *SEEDED_MODELS]:
        if model._meta.auto_created:
            continue
        pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
        sample = pks[:: max(1, len(pks) // 15)]
        for obj in model._default_manager.filter(pk__in=sample):
            obj.full_clean()


def test_command_evaluates_every_demo_year_once(seeded):
    from evaluation.models import EvaluationRun, IndicatorValue, ProgramRecommendation, Warning

    published = EvaluationRun.objects.filter(published=True, status="succeeded")
    assert sorted(published.values_list("year", flat=True)) == list(YEARS)
    for year in YEARS:
        assert f"Evaluated {year}:" in seeded.first.output
        assert IndicatorValue.objects.published().filter(year=year, value__isnull=False).exists()
        assert Warning.objects.filter(year=year, status="open").exists()
    advice = set(ProgramRecommendation.objects.published().values_list("recommendation", flat=True))
    assert advice == {"none", "enrolment_reduced", "suspended"}
