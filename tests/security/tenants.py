"""Two disjoint tenants for the cross-tenant attack tests, built with tests/security/world.py.

Tenant A ("Alpha": alice of its school, carol of its enterprise, dave reviewing its province) is the
attacker; tenant B ("Bravo", users b_alice, b_carol, b_dave, in a province of its own) is the victim.
Nothing of B is A's: every row of B is either directory data every signed-in user reads (DESIGN.md
section 2: regions, sectors, schools, enterprises, consortia, programs, courses, training bases and
their use, open projects, talent demands, targets and runs) or invisible to every persona of A.
Each tenant also has a draft project (private to its enterprise) and a consortium in its own
province (kept by its reviewer), which world.build does not make.
"""
from __future__ import annotations

from types import SimpleNamespace

from django.apps import apps
from django.db import connection

from partnerships.choices import ProjectStatus
from partnerships.tests.factories import (
    ConsortiumFactory,
    ConsortiumMemberFactory,
    EnterpriseProjectFactory,
)

from . import world as security_world

A_TEXT, B_TEXT = "Alpha", "Bravo"
ATTACKERS = ("alice", "carol", "dave")  # tenant A's college admin, liaison and reviewer
Y = security_world.Y

# The world rows of a tenant by attribute, and those every signed-in user of any tenant may read.
ROW_KEYS = (
    "P", "sector", "school", "enterprise", "alice", "carol", "dave", "token", "program", "course", "record",
    "teacher", "placement", "partnership", "active", "contribution", "project", "draft", "adoption", "demand",
    "base", "usage", "service", "patent", "consortium", "consortium_p", "member", "member_p", "feedback", "score",
    "run", "value", "warning", "recommendation", "target",
)
PUBLIC_KEYS = frozenset({
    "P", "sector", "school", "enterprise", "program", "course", "project", "demand", "base", "usage", "consortium",
    "consortium_p", "member", "member_p", "run", "target",
})


def build() -> SimpleNamespace:
    a = security_world.build(A_TEXT)
    b = security_world.build(B_TEXT, prefix="b_")
    for tenant in (a, b):
        tenant.draft = EnterpriseProjectFactory(enterprise=tenant.enterprise, status=ProjectStatus.DRAFT,
                                                title=f"{tenant.text} 草稿项目", summary=f"{tenant.text} draft summary")
        tenant.consortium_p = ConsortiumFactory(region=tenant.P, name=f"{tenant.text} 市域产教联合体")
        tenant.member_p = ConsortiumMemberFactory(consortium=tenant.consortium_p, enterprise=tenant.enterprise)
    return SimpleNamespace(a=a, b=b)


def private_texts(tenant) -> list[str]:
    """Texts of the tenant's rows that no user of another tenant may read anywhere: if one shows up
    in a page or an export of another tenant's user, a row leaked."""
    return [
        tenant.teacher.name, tenant.placement.description, tenant.partnership.title, tenant.partnership.description,
        tenant.active.title, tenant.contribution.note, tenant.adoption.outcome,
        tenant.service.title, tenant.patent.title, tenant.feedback.comment, tenant.warning.note, tenant.draft.title,
        tenant.draft.summary,
    ]


def rows_of(tenant, model) -> list[tuple[str, object]]:
    """(key, row) of the tenant's world rows of `model`; for the audit trail's entries, those about
    the tenant's rows (keyed "log:<key>", private like everything a trail tells)."""
    rows = [(key, getattr(tenant, key)) for key in ROW_KEYS if type(getattr(tenant, key)) is model]
    if not rows and model._meta.label == "auditlog.LogEntry":
        from django.contrib.contenttypes.models import ContentType

        for key in ROW_KEYS:
            row = getattr(tenant, key)
            entries = model.objects.filter(content_type=ContentType.objects.get_for_model(row), object_id=row.pk)
            rows += [(f"log:{key}", entry) for entry in entries]
    return rows


# Tables a request may write without changing anything a user owns: sessions and login bookkeeping.
BOOKKEEPING = ("django_session", "axes_", "auditlog_")


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (bookkeeping aside), to prove a refused request wrote nothing."""
    result = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table.startswith(BOOKKEEPING) or table in result:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            result[table] = cursor.fetchall()
    return result


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(table for table in before if before[table] != after.get(table))
