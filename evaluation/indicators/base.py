"""Result rows, the per-run context (subjects loaded once) and the roll-ups shared by every indicator."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from partnerships.models import Consortium
from portal.models import Region, School
from portal.years import academic_year_bounds
from programs.choices import ProgramStatus
from programs.models import Program

from .catalogue import PROGRAM, REGION, SCHOOL

Number = int | Decimal
Pair = tuple[Number | None, Number | None]  # (numerator, denominator)
Totals = dict[Any, Pair]  # subject → pair; the subject is an id, or (region id, sector id)


@dataclass(frozen=True)
class Row:
    """One computed value: an indicator for one subject of one level in one year.

    Program rows carry their school; region × sector rows carry region and sector. Numerator and
    denominator are exact (int or Decimal); `value` is a float, or None for "no data"."""

    indicator: str
    level: str
    year: int
    program_id: int | None = None
    school_id: int | None = None
    consortium_id: int | None = None
    region_id: int | None = None
    sector_id: int | None = None
    numerator: Number | None = None
    denominator: Number | None = None
    value: float | None = None


def add(a: Number | None, b: Number | None) -> Number | None:
    """Sum where None means "nothing recorded": None + None stays None."""
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def add_pair(a: Pair, b: Pair) -> Pair:
    return add(a[0], b[0]), add(a[1], b[1])


def value_of(num: Number | None, den: Number | None, *, is_sum: bool) -> float | None:
    """A sum's value is its numerator; a ratio (or mean) is None without data or with a zero denominator."""
    if is_sum:
        return None if num is None else float(num)
    if num is None or den is None or den == 0:
        return None
    return float(num) / float(den)


class Context:
    """One computation for year Y: subjects are loaded once, and intermediate aggregates are shared
    between the levels (and indicators) that need them, so each costs a constant number of queries."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.first_day, self.last_day = academic_year_bounds(year)
        self._memo: dict[str, Any] = {}
        self._shared: dict[str, Any] = {}  # aggregates that do not depend on the year, shared by for_year()

    SNAPSHOTS = ("school_regions", "program_schools", "consortium_regions", "region_parents")

    def for_year(self, year: int) -> Context:
        """A context for another year that shares this one's subjects (they are snapshots, the same
        for every year), so looking back costs only the year's own aggregates."""
        other = Context(year)
        for name in self.SNAPSHOTS:
            if name in self.__dict__:
                other.__dict__[name] = self.__dict__[name]
        other._shared = self._shared
        return other

    def memo(self, name: str, compute: Callable[[], Any]) -> Any:
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]

    def shared(self, name: str, compute: Callable[[], Any]) -> Any:
        """Like memo(), for results that are the same in every year (current courses): computed once
        for a context and the contexts for_year() made from it."""
        if name not in self._shared:
            self._shared[name] = compute()
        return self._shared[name]

    @cached_property
    def school_regions(self) -> dict[int, tuple[int, ...]]:
        """Every school → its region and that region's ancestors (province → prefecture → county)."""
        rows = School.objects.order_by("id").values_list(
            "id", "region_id", "region__parent_id", "region__parent__parent_id"
        )
        return {school_id: chain(*regions) for school_id, *regions in rows}

    @cached_property
    def program_schools(self) -> dict[int, int]:
        """Every current program (status not closed) → its school."""
        rows = Program.objects.exclude(status=ProgramStatus.CLOSED).order_by("id").values_list("id", "school_id")
        return dict(rows)

    @cached_property
    def consortium_regions(self) -> dict[int, int]:
        """Every consortium → its region."""
        return dict(Consortium.objects.order_by("id").values_list("id", "region_id"))

    @property
    def consortium_ids(self) -> list[int]:
        return list(self.consortium_regions)

    @cached_property
    def region_parents(self) -> dict[int, int | None]:
        """Every region → its parent region (None for a province)."""
        return dict(Region.objects.order_by().values_list("id", "parent_id"))

    def region_chain(self, region_id: int | None) -> tuple[int, ...]:
        """A region and its ancestors, nearest first."""
        regions: list[int] = []
        while region_id is not None and region_id not in regions:
            regions.append(region_id)
            region_id = self.region_parents.get(region_id)
        return tuple(regions)

    @cached_property
    def region_ids(self) -> list[int]:
        """Regions with at least one school in their subtree."""
        return sorted({region for regions in self.school_regions.values() for region in regions})


def chain(*regions: int | None) -> tuple[int, ...]:
    """A region and its ancestors as loaded by `region`, `region__parent`, `region__parent__parent`."""
    return tuple(region for region in regions if region is not None)


def group_sum(items: Iterable[tuple[Any, Pair]]) -> Totals:
    totals: Totals = {}
    for key, pair in items:
        totals[key] = add_pair(totals.get(key, (None, None)), pair)
    return totals


def schools_to_regions(ctx: Context, school_totals: Totals) -> Totals:
    """Pool school pairs into the school's region and every region above it (Σ num / Σ den)."""
    return group_sum(
        (region, pair)
        for school, pair in school_totals.items()
        for region in ctx.school_regions.get(school, ())
    )


def by_level(ctx: Context, level: str, program_rows: list[dict]) -> Totals:
    """Program-grouped rows ({program_id, school_id, num, den}) → program, school or region totals.

    Program level keeps current programs only; school and region levels keep every row the query
    returned (flow records of closed programs count there)."""
    if level == PROGRAM:
        return {
            row["program_id"]: (row["num"], row["den"])
            for row in program_rows
            if row["program_id"] in ctx.program_schools
        }
    schools = group_sum(
        (row["school_id"], (row["num"], row["den"])) for row in program_rows if row["school_id"] is not None
    )
    if level == SCHOOL:
        return schools
    if level == REGION:
        return schools_to_regions(ctx, schools)
    raise ValueError(level)


def school_or_region(ctx: Context, level: str, school_totals: Totals) -> Totals:
    if level == SCHOOL:
        return school_totals
    if level == REGION:
        return schools_to_regions(ctx, school_totals)
    raise ValueError(level)


def zero(n: Number | None) -> Number:
    return 0 if n is None else n
