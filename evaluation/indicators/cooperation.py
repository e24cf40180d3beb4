"""Indicators of cooperation: partnerships, contributions, services, patents, training bases,
consortia, talent supply and demand, certified enterprises."""
from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from partnerships.choices import DEEP_KINDS, ContributionParty
from partnerships.models import (
    ConsortiumMember,
    Contribution,
    Partnership,
    Patent,
    TalentDemand,
    TechnicalService,
    TrainingBaseUsage,
)
from partnerships.querysets import AGREED_STATUSES, active_in_q, dated_in_q
from portal.fields import choice_set_contains
from portal.models import Enterprise
from programs.choices import ProgramStatus
from programs.models import Program, ProgramYear

from .base import Context, Totals, chain, group_sum, school_or_region, zero
from .catalogue import CONSORTIUM

DEEP_Q = reduce(or_, (choice_set_contains("kinds", kind) for kind in DEEP_KINDS))

# A partnership between a member school and a member enterprise of the same consortium; the
# consortium is then `school__memberships__consortium` (each school and enterprise is a member once).
MEMBER_PAIR = {"school__memberships__consortium": F("enterprise__memberships__consortium")}


def _pairs(rows, key: str, num: str, den: str | None) -> Totals:
    return {row[key]: (zero(row[num]), zero(row[den]) if den else None) for row in rows}


def program_partnership_rate(ctx: Context, level: str) -> Totals:
    """Current programs linked to a partnership active in Y ÷ current programs."""

    def query() -> Totals:
        linked = Exists(Partnership.objects.filter(active_in_q(ctx.year), programs=OuterRef("pk")))
        rows = (
            Program.objects.exclude(status=ProgramStatus.CLOSED)
            .order_by()
            .values("school_id")
            .annotate(den=Count("id"), num=Count("id", filter=Q(linked)))
        )
        return _pairs(rows, "school_id", "num", "den")

    return school_or_region(ctx, level, ctx.memo("program_partnership", query))


def partnered_programs(ctx: Context) -> set[int]:
    """Programs linked to at least one partnership active in Y (for program early warning)."""

    def query() -> set[int]:
        links = Partnership.programs.through.objects.filter(
            partnership__in=Partnership.objects.filter(active_in_q(ctx.year)).values("pk")
        )
        return set(links.order_by().values_list("program_id", flat=True).distinct())

    return ctx.memo("partnered_programs", query)


def deep_cooperation_share(ctx: Context, level: str) -> Totals:
    """Partnerships active in Y with a deep kind ÷ partnerships active in Y (a consortium: those
    between a member school and a member enterprise)."""
    active = Partnership.objects.filter(active_in_q(ctx.year)).order_by()
    if level == CONSORTIUM:
        rows = (
            active.filter(**MEMBER_PAIR)
            .values(consortium=F("school__memberships__consortium"))
            .annotate(den=Count("id"), num=Count("id", filter=DEEP_Q))
        )
        return _pairs(rows, "consortium", "num", "den")
    rows = ctx.memo(
        "deep_cooperation",
        lambda: list(active.values("school_id").annotate(den=Count("id"), num=Count("id", filter=DEEP_Q))),
    )
    return school_or_region(ctx, level, _pairs(rows, "school_id", "num", "den"))


def _contributions(ctx: Context) -> list[dict]:
    """Per school: contributions dated in Y on agreed partnerships, by the enterprise and by all parties."""

    def query() -> list[dict]:
        return list(
            Contribution.objects.filter(dated_in_q(ctx.year), partnership__status__in=AGREED_STATUSES)
            .order_by()
            .values(school=F("partnership__school_id"))
            .annotate(
                enterprise=Sum("value", filter=Q(party=ContributionParty.ENTERPRISE)),
                total=Sum("value"),
            )
        )

    return ctx.memo("contributions", query)


def enterprise_contribution(ctx: Context, level: str) -> Totals:
    """Σ value of enterprise-party contributions dated in Y (CNY)."""
    if level == CONSORTIUM:
        rows = (
            Contribution.objects.filter(
                dated_in_q(ctx.year),
                party=ContributionParty.ENTERPRISE,
                partnership__status__in=AGREED_STATUSES,
                partnership__school__memberships__consortium=F("partnership__enterprise__memberships__consortium"),
            )
            .order_by()
            .values(consortium=F("partnership__school__memberships__consortium"))
            .annotate(num=Sum("value"))
        )
        return _pairs(rows, "consortium", "num", None)
    return school_or_region(ctx, level, _pairs(_contributions(ctx), "school", "enterprise", None))


def enterprise_contribution_share(ctx: Context, level: str) -> Totals:
    """Enterprise-party contributions dated in Y ÷ all parties' contributions dated in Y."""
    return school_or_region(ctx, level, _pairs(_contributions(ctx), "school", "enterprise", "total"))


def technical_service_revenue(ctx: Context, level: str) -> Totals:
    """Σ amount of technical services of Y (CNY)."""
    rows = ctx.memo(
        "technical_services",
        lambda: list(
            TechnicalService.objects.filter(year=ctx.year).order_by().values("school_id").annotate(num=Sum("amount"))
        ),
    )
    return school_or_region(ctx, level, _pairs(rows, "school_id", "num", None))


def patent_conversion_rate(ctx: Context, level: str) -> Totals:
    """Patents granted and transferred by the end of Y ÷ patents granted by the end of Y."""
    end = ctx.last_day
    rows = ctx.memo(
        "patents",
        lambda: list(
            Patent.objects.filter(granted_on__lte=end)
            .order_by()
            .values("school_id")
            .annotate(den=Count("id"), num=Count("id", filter=Q(transferred_on__lte=end)))
        ),
    )
    return school_or_region(ctx, level, _pairs(rows, "school_id", "num", "den"))


# --- training bases -------------------------------------------------------------------------------

_USAGE = {
    "used": Sum(F("internal_hours") + F("external_hours")),
    "external": Sum("external_hours"),
    "capacity": Sum("base__capacity_hours"),  # one usage row per base and year: each base once
}


def _school_bases(ctx: Context) -> list[dict]:
    def query() -> list[dict]:
        return list(
            TrainingBaseUsage.objects.filter(year=ctx.year, base__school__isnull=False)
            .order_by()
            .values(school=F("base__school_id"))
            .annotate(**_USAGE)
        )

    return ctx.memo("school_bases", query)


def _consortium_bases(ctx: Context) -> Totals:
    """Per consortium: (used, capacity) over bases it owns or its member schools or enterprises own.
    A base has exactly one owner, so the three groups never overlap."""
    usage = TrainingBaseUsage.objects.filter(year=ctx.year).order_by()
    groups = [
        usage.filter(base__consortium__isnull=False).values(consortium=F("base__consortium_id")),
        usage.filter(base__school__memberships__isnull=False).values(
            consortium=F("base__school__memberships__consortium")
        ),
        usage.filter(base__enterprise__memberships__isnull=False).values(
            consortium=F("base__enterprise__memberships__consortium")
        ),
    ]
    return group_sum(
        (row["consortium"], (zero(row["used"]), zero(row["capacity"])))
        for rows in groups
        for row in rows.annotate(**_USAGE)
    )


def training_base_utilisation(ctx: Context, level: str) -> Totals:
    """Σ used hours ÷ Σ capacity hours over the subject's bases with a usage row for Y."""
    if level == CONSORTIUM:
        return _consortium_bases(ctx)
    return school_or_region(ctx, level, _pairs(_school_bases(ctx), "school", "used", "capacity"))


def social_training_share(ctx: Context, level: str) -> Totals:
    """Σ external hours ÷ Σ used hours over the school's bases with a usage row for Y."""
    return school_or_region(ctx, level, _pairs(_school_bases(ctx), "school", "external", "used"))


# --- consortia, regions ---------------------------------------------------------------------------


def consortium_active_share(ctx: Context, level: str) -> Totals:
    """Member enterprises with a partnership active in Y with a member school ÷ member enterprises."""
    active = Exists(
        Partnership.objects.filter(
            active_in_q(ctx.year),
            enterprise=OuterRef("enterprise_id"),
            school__memberships__consortium=OuterRef("consortium_id"),
        )
    )
    rows = (
        ConsortiumMember.objects.filter(enterprise__isnull=False)
        .order_by()
        .values("consortium_id")
        .annotate(den=Count("id"), num=Count("id", filter=Q(active)))
    )
    return _pairs(rows, "consortium_id", "num", "den")


REGION_CHAIN = ("region_id", "region__parent_id", "region__parent__parent_id")


def certified_enterprises(ctx: Context, level: str) -> Totals:
    """Certified integration enterprises in the region or its sub-regions."""
    rows = (
        Enterprise.objects.filter(integration_certified=True)
        .order_by()
        .values(*REGION_CHAIN)
        .annotate(num=Count("id"))
    )
    return group_sum(
        (region, (row["num"], None)) for row in rows for region in chain(*(row[f] for f in REGION_CHAIN))
    )


def supply_demand_ratio(ctx: Context, level: str) -> Totals:
    """Per (region, sector): Σ graduates of Y of the sector's programs at schools in the region subtree
    ÷ Σ headcount of Y's talent demands of the sector in the region subtree."""
    supply = (
        ProgramYear.objects.filter(year=ctx.year)
        .order_by()
        .values(school=F("program__school_id"), sector=F("program__sector_id"))
        .annotate(n=Sum("graduates"))
    )
    demand = (
        TalentDemand.objects.filter(year=ctx.year)
        .order_by()
        .values("sector_id", *REGION_CHAIN)
        .annotate(n=Sum("headcount"))
    )
    items = [
        ((region, row["sector"]), (zero(row["n"]), 0))
        for row in supply
        for region in ctx.school_regions.get(row["school"], ())
    ]
    items += [
        ((region, row["sector_id"]), (0, zero(row["n"])))
        for row in demand
        for region in chain(*(row[f] for f in REGION_CHAIN))
    ]
    return group_sum(items)
