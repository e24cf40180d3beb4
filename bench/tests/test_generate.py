"""bench.generate on PostgreSQL: the tiny scale fills every domain table with rows that pass every
model validation, counts what it loaded, leaves sequences, keys and indexes as migrations made them,
gives every indicator data at each of its levels, and repeats itself for a seed."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import psycopg2
import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.db import connection, transaction
from django.db.models import Count

from bench.generate import (
    DOMAIN_APPS,
    REFERENCE_TABLES,
    _Loader,
    domain_tables,
    generate,
)
from bench.scales import PROVINCE, SCALES, TINY
from evaluation.indicators.engine import compute_all, steps
from evaluation.models import Feedback, FeedbackScore
from partnerships.models import Partnership
from portal.choices import Role
from portal.models import Enterprise, Region, School, User
from portal.tests.factories import SchoolFactory, credit_code
from programs.models import Course, Program, Teacher, TeacherPlacement

pytestmark = pytest.mark.django_db

PASSWORD = "bench-Pass-2025"
# What the evaluation writes (runs, values, warnings, recommendations) and what users make for
# themselves (API tokens, group memberships) is left empty: the benchmark measures producing them.
LEFT_EMPTY = {
    "evaluation_evaluationrun", "evaluation_indicatorvalue", "evaluation_warning",
    "evaluation_programrecommendation", "portal_apitoken", "portal_user_groups", "portal_user_user_permissions",
}
GENERATED_AT_RANDOM = {"created_at", "updated_at", "date_joined", "password"}  # the clock and the salt


@pytest.fixture
def postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "bench.generate loads with PostgreSQL COPY: run with "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/gen"
        )


@pytest.fixture
def tiny(postgresql) -> dict:
    return generate(TINY, year=2025, seed=2025, password=PASSWORD)


def domain_models():
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.db_table not in REFERENCE_TABLES:
                yield model


def schema() -> set[tuple[str, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace"
        )
        constraints = set(cursor.fetchall())
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        return constraints | set(cursor.fetchall())


def fingerprint(table: str) -> str:
    """A digest of a table's rows in id order, without the columns that depend on the clock or a salt."""
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table)
                   if c.name not in GENERATED_AT_RANDOM]
        cursor.execute(
            f"SELECT md5(coalesce(string_agg(row({', '.join(columns)})::text, '|' ORDER BY id), '')) "
            f"FROM {table}"
        )
        return cursor.fetchone()[0]


def test_scales_are_tiny_a_thirtieth_of_the_nation_and_the_nation():
    assert set(SCALES) == {"tiny", "province", "national"}
    national = SCALES["national"]
    assert (national.higher_vocational, national.secondary_vocational, national.vocational_undergraduate) == (
        1_560, 7_100, 50)
    assert PROVINCE.programs == 4_000 and PROVINCE.teachers == round(1_400_000 / 30)
    assert PROVINCE.province == "440000" and national.province is None
    assert TINY.schools < 10


def test_tiny_fills_every_domain_table_and_reports_the_rows_it_loaded(tiny):
    assert set(tiny["tables"]) == set(domain_tables())
    for model in domain_models():
        table = model._meta.db_table
        assert model.objects.count() == tiny["tables"][table], table
        if table not in LEFT_EMPTY:
            assert tiny["tables"][table] > 0, f"{table} is empty"
    assert tiny["total_rows"] == sum(tiny["tables"].values())
    assert tiny["seconds"] > 0
    assert Region.objects.filter(code="440000").exists()  # reference data kept


def test_generated_rows_pass_every_model_validation(tiny):
    checked = 0
    for model in domain_models():
        for obj in model.objects.order_by("pk")[:20]:
            obj.full_clean()
            checked += 1
    assert checked > 300


def test_the_data_spreads_over_every_level_status_and_kind(tiny):
    assert set(School.objects.values_list("level", flat=True)) == {
        "higher_vocational", "secondary_vocational", "vocational_undergraduate"}
    assert set(School.objects.values_list("region__parent__code", flat=True)) == {"440000"}
    assert {"active", "ended", "proposed"} <= set(Partnership.objects.values_list("status", flat=True))
    assert Teacher.objects.filter(employment="part_time_industry", employer__isnull=False).exists()
    assert Teacher.objects.filter(dual_qualified=True).exclude(dual_qualified_level="").exists()
    assert TeacherPlacement.objects.filter(verified=True).exists()
    assert TeacherPlacement.objects.filter(verified=False).exists()
    largest = School.objects.annotate(n=Count("teachers")).order_by("-n").first()
    smallest = School.objects.annotate(n=Count("teachers")).order_by("n").first()
    assert largest.n > 3 * smallest.n  # skewed sizes


def test_every_indicator_has_a_value_at_each_of_its_levels(tiny):
    rows = compute_all(2025)
    with_value = {(row.indicator, row.level) for row in rows if row.value is not None}
    missing = [(indicator.key, level) for indicator, level in steps() if (indicator.key, level) not in with_value]
    assert missing == []


def test_sequences_continue_after_the_generated_ids(tiny):
    with connection.cursor() as cursor:
        for model in domain_models():
            table = model._meta.db_table
            if not tiny["tables"][table]:
                continue
            cursor.execute(f"SELECT nextval(pg_get_serial_sequence(%s, 'id')), max(id) FROM {table}",
                           [table])
            following, highest = cursor.fetchone()
            assert following > highest, table
    region = Region.objects.get(code="440100")
    school = SchoolFactory(region=region)
    enterprise = Enterprise.objects.create(name="新增企业", credit_code=credit_code(123_456_789, "440100"),
                                           region=region, sector=Program.objects.first().sector, size="small")
    program = Program.objects.create(school=school, code="460103", name="数控技术", sector=enterprise.sector,
                                     established_year=2020)
    Course.objects.create(program=program, code="C1", name="机械制图", theory_hours=32, practice_hours=32)
    teacher = Teacher.objects.create(school=school, name="新教师", staff_no="N1")
    TeacherPlacement.objects.create(teacher=teacher, enterprise=enterprise, start_date=dt.date(2025, 9, 1),
                                    end_date=dt.date(2025, 10, 1), activity="training")
    partnership = Partnership.objects.create(school=school, enterprise=enterprise, title="新协议",
                                             kinds=["internship_base"], start_date=dt.date(2025, 9, 1))
    partnership.programs.add(program)
    feedback = Feedback.objects.create(enterprise=enterprise, partnership=partnership, year=2025)
    FeedbackScore.objects.create(feedback=feedback, dimension="communication", score=4)
    User.objects.create_user(username="new_user", password=PASSWORD, role=Role.PLATFORM_ADMIN)
    assert school.pk > tiny["tables"]["portal_school"]


def test_keys_indexes_and_foreign_keys_are_as_migrations_made_them(postgresql):
    before = schema()
    generate(TINY, year=2025, seed=2025, password=PASSWORD)
    assert schema() == before


def test_the_measurement_accounts_log_in_with_the_password(tiny):
    users = tiny["users"]
    assert set(users) == {"platform_admin", "reviewer", "college_admin_largest", "college_admin_median", "liaison"}
    accounts = {key: authenticate(username=username, password=PASSWORD) for key, username in users.items()}
    assert all(accounts.values()), accounts
    assert accounts["platform_admin"].is_platform_admin and accounts["platform_admin"].is_superuser
    assert accounts["reviewer"].role == Role.GOV_REVIEWER and accounts["reviewer"].region.code == "440000"
    largest = School.objects.annotate(n=Count("programs")).order_by("-n", "id").first()
    assert accounts["college_admin_largest"].school == largest
    assert accounts["college_admin_median"].school != largest
    liaison = accounts["liaison"]
    assert liaison.role == Role.ENTERPRISE_LIAISON
    assert liaison.enterprise.partnerships.count() == max(
        Enterprise.objects.annotate(n=Count("partnerships")).values_list("n", flat=True))
    for user in accounts.values():
        user.full_clean()


def test_a_seed_always_gives_the_same_rows_and_another_seed_others(postgresql):
    tables = [t for t in domain_tables() if t not in LEFT_EMPTY]
    generate(TINY, year=2025, seed=7, password=PASSWORD)
    first = {table: fingerprint(table) for table in tables}
    generate(TINY, year=2025, seed=7, password=PASSWORD)
    assert {table: fingerprint(table) for table in tables} == first
    generate(TINY, year=2025, seed=8, password=PASSWORD)
    assert fingerprint("programs_teacher") != first["programs_teacher"]


def test_a_failed_generation_leaves_the_database_as_it_was(postgresql):
    school = SchoolFactory(region=Region.objects.get(code="440100"))
    before = schema()
    with pytest.raises(LookupError, match="990000"):
        generate(replace(TINY, province="990000"), password=PASSWORD)  # no such region
    assert School.objects.filter(pk=school.pk).exists()
    assert schema() == before


def test_a_row_the_database_refuses_stops_the_copy_with_the_database_error(postgresql):
    connection.ensure_connection()
    loader = _Loader(None)
    refused = pytest.raises(psycopg2.errors.CheckViolation, match="region_code_6_digits")
    with refused, transaction.atomic(), loader.stream("portal_region", ["code", "name", "name_en", "level"]) as add:
        add("12345\t坏码\t\tprovince\n")
    assert Region.objects.filter(code="440000").exists()  # the connection is usable again


def test_an_error_while_rows_are_written_fails_the_copy_and_frees_the_connection(postgresql):
    connection.ensure_connection()
    loader = _Loader(None)
    with pytest.raises(ZeroDivisionError), transaction.atomic(), loader.stream(
        "portal_region", ["code", "name", "name_en", "level"]
    ) as add:
        add("990001\t写了一半\t\tprovince\n")
        add(f"{1 / 0}")
    # the COPY ended (an unfinished one would refuse every other statement on the connection)
    assert Region.objects.filter(code="440000").exists()
