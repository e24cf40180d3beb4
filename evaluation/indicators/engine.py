"""compute() and compute_all(): every subject of a level at once, in a constant number of queries."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from . import cooperation, teaching
from .base import Context, Pair, Row, Totals, value_of
from .catalogue import (
    CNY,
    CONSORTIUM,
    PROGRAM,
    REGION,
    REGISTRY,
    SCHOOL,
    Indicator,
)

Computation = Callable[[Context, str], Totals]

# Every catalogue key → the function computing its totals for a level.
COMPUTATIONS: dict[str, Computation] = {
    "practical_hours_share": teaching.practical_hours_share,
    "dual_qualified_ratio": teaching.dual_qualified_ratio,
    "teacher_practice_rate": teaching.teacher_practice_rate,
    "part_time_teacher_ratio": teaching.part_time_teacher_ratio,
    "program_partnership_rate": cooperation.program_partnership_rate,
    "deep_cooperation_share": cooperation.deep_cooperation_share,
    "codeveloped_course_share": teaching.codeveloped_course_share,
    "project_teaching_share": teaching.project_teaching_share,
    "order_class_share": teaching.order_class_share,
    "employment_rate": teaching.employment_rate,
    "field_employment_rate": teaching.field_employment_rate,
    "partner_employment_share": teaching.partner_employment_share,
    "enrolment_change": teaching.enrolment_change,
    "enterprise_contribution": cooperation.enterprise_contribution,
    "enterprise_contribution_share": cooperation.enterprise_contribution_share,
    "technical_service_revenue": cooperation.technical_service_revenue,
    "patent_conversion_rate": cooperation.patent_conversion_rate,
    "training_base_utilisation": cooperation.training_base_utilisation,
    "social_training_share": cooperation.social_training_share,
    "enterprise_satisfaction": teaching.enterprise_satisfaction,
    "consortium_active_share": cooperation.consortium_active_share,
    "supply_demand_ratio": cooperation.supply_demand_ratio,
    "certified_enterprises": cooperation.certified_enterprises,
}
assert COMPUTATIONS.keys() == REGISTRY.keys()


def _default(indicator: Indicator) -> Pair:
    """The pair of a subject without any record: an empty sum is 0; a ratio is 0 ÷ 0 (no data);
    enrolment change has no records to compare."""
    if indicator.key == "enrolment_change":
        return (None, None)
    if indicator.is_sum:
        return (Decimal(0) if indicator.unit == CNY else 0, None)
    return (0, 0)


def _subject_fields(ctx: Context, level: str, subject) -> dict:
    if level == PROGRAM:
        return {"program_id": subject, "school_id": ctx.program_schools[subject]}
    if level == SCHOOL:
        return {"school_id": subject}
    if level == CONSORTIUM:
        return {"consortium_id": subject}
    if level == REGION:
        return {"region_id": subject}
    region_id, sector_id = subject
    return {"region_id": region_id, "sector_id": sector_id}


def _subjects(ctx: Context, level: str, totals: Totals) -> list:
    if level == PROGRAM:
        return list(ctx.program_schools)
    if level == SCHOOL:
        return list(ctx.school_regions)
    if level == CONSORTIUM:
        return ctx.consortium_ids
    if level == REGION:
        return ctx.region_ids
    return sorted(totals)  # region × sector: the pairs with supply or demand recorded


def compute_step(ctx: Context, indicator: Indicator, level: str) -> list[Row]:
    if level not in indicator.levels:
        raise ValueError(f"{indicator.key} has no {level} level (levels: {', '.join(indicator.levels)})")
    totals = COMPUTATIONS[indicator.key](ctx, level)
    default = _default(indicator)
    rows = []
    for subject in _subjects(ctx, level, totals):
        numerator, denominator = totals.get(subject, default)
        rows.append(
            Row(
                indicator=indicator.key,
                level=level,
                year=ctx.year,
                numerator=numerator,
                denominator=denominator,
                value=value_of(numerator, denominator, is_sum=indicator.is_sum),
                **_subject_fields(ctx, level, subject),
            )
        )
    return rows


def compute(key: str, level: str, year: int, *, context: Context | None = None) -> list[Row]:
    """One indicator at one level for year `year`: one row per subject of the level."""
    return compute_step(context or Context(year), REGISTRY[key], level)


def steps() -> list[tuple[Indicator, str]]:
    """Every (indicator, level) pair of the catalogue, in catalogue order: the steps of a run."""
    return [(indicator, level) for indicator in REGISTRY.values() for level in indicator.levels]


def compute_all(year: int) -> list[Row]:
    """Every indicator at every level for year `year`, in catalogue order."""
    ctx = Context(year)
    return [row for indicator, level in steps() for row in compute_step(ctx, indicator, level)]
