"""Program early warning (INDICATORS.md, 专业预警与退出).

For each current program the run for year Y evaluates Y, Y−1 and Y−2 from the records, so the
result does not depend on which earlier runs happened. A year is flagged when any condition holds:
practical teaching share below 0.50, employment rate below its (possibly regional) target, no
partnership active in the year, enrolment down by more than 30 %. Two consecutive flagged years
ending with Y advise `enrolment_reduced`, three advise `suspended`. Years before a program was
established are not evaluated. Costs a constant number of queries: the year's aggregates are shared
with the indicators, and each earlier year adds its own few."""
from __future__ import annotations

from dataclasses import dataclass

from programs.choices import ProgramStatus
from programs.models import Program

from .choices import Condition, Recommendation
from .indicators import cooperation, teaching
from .indicators.base import Context, Row
from .indicators.catalogue import PROGRAM, REGISTRY
from .targets import Targets, default_target

YEARS_BACK = 3  # Y, Y−1, Y−2


@dataclass(frozen=True)
class Advice:
    program_id: int
    school_id: int
    year: int
    conditions: list[str]
    consecutive_years: int
    recommendation: str
    history: dict[str, list[str]]


def _conditions_by_program(ctx: Context, targets: Targets, established: dict[int, int]) -> dict[int, list[str]]:
    """The conditions that hold in ctx.year for every current program established by then."""
    practical_floor = default_target(REGISTRY["practical_hours_share"])
    drop_floor = default_target(REGISTRY["enrolment_change"])
    practical = teaching.practical_hours_share(ctx, PROGRAM)
    employment = teaching.employment_rate(ctx, PROGRAM)
    change = teaching.enrolment_change(ctx, PROGRAM)
    partnered = cooperation.partnered_programs(ctx)
    result: dict[int, list[str]] = {}
    for program, school in ctx.program_schools.items():
        if established.get(program, ctx.year) > ctx.year:
            continue
        conditions = []
        if practical_floor.miss(*practical.get(program, (0, 0))):
            conditions.append(Condition.LOW_PRACTICAL_SHARE.value)
        target = targets.for_row(Row("employment_rate", PROGRAM, ctx.year, program_id=program, school_id=school))
        if target.miss(*employment.get(program, (0, 0))):
            conditions.append(Condition.LOW_EMPLOYMENT.value)
        if program not in partnered:
            conditions.append(Condition.NO_PARTNERSHIP.value)
        if drop_floor.miss(*change.get(program, (None, None))):
            conditions.append(Condition.ENROLMENT_DROP.value)
        result[program] = conditions
    return result


def recommend(ctx: Context, targets: Targets) -> list[Advice]:
    """One piece of advice per current program for ctx.year."""
    established = dict(
        Program.objects.exclude(status=ProgramStatus.CLOSED).order_by().values_list("id", "established_year")
    )
    years = [ctx.year - back for back in range(YEARS_BACK)]
    by_year = {
        year: _conditions_by_program(ctx if year == ctx.year else ctx.for_year(year), targets, established)
        for year in years
    }
    advice = []
    for program, school in ctx.program_schools.items():
        history = {str(year): by_year[year].get(program, []) for year in years}
        consecutive = 0
        for year in years:
            if not by_year[year].get(program):
                break
            consecutive += 1
        if consecutive >= 3:
            recommendation = Recommendation.SUSPENDED
        elif consecutive == 2:
            recommendation = Recommendation.ENROLMENT_REDUCED
        else:
            recommendation = Recommendation.NONE
        advice.append(
            Advice(program, school, ctx.year, history[str(ctx.year)], consecutive, recommendation.value, history)
        )
    return advice
