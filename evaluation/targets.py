"""Targets and how far a value misses them (INDICATORS.md, "Warnings").

A subject's target is the catalogue default unless a platform admin set one for its region or a
region above it (the nearest override wins). Comparisons are exact: the value is taken as the
fraction numerator ÷ denominator and the target as the decimal it is written as."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .choices import Level, Severity
from .indicators.base import Context, Number, Row
from .indicators.catalogue import BAND, MAX, MIN, REGISTRY, Indicator
from .models import TargetOverride


def exact(number: float | Number) -> Fraction:
    """A target as written (0.85 is 17/20, not the nearest binary float), a count or amount as is."""
    return Fraction(repr(number)) if isinstance(number, float) else Fraction(number)


@dataclass(frozen=True)
class Target:
    direction: str
    target: float  # the target, or the lower bound of a band
    upper: float | None = None  # the upper bound of a band

    def miss(self, numerator: Number | None, denominator: Number | None) -> str | None:
        """The severity of the miss, or None when the value meets the target or there is no data."""
        if numerator is None or denominator is None or denominator == 0:
            return None
        value = Fraction(numerator) / Fraction(denominator)
        low = exact(self.target)
        if self.direction == MIN:
            return _severity(value < low, value < low - abs(low) / 2)
        if self.direction == MAX:
            return _severity(value > low, value > low + abs(low) / 2)
        if self.direction == BAND:
            high = exact(self.upper)
            if value < low:
                return _severity(True, value < low - abs(low) / 2)
            return _severity(value > high, value > high + abs(high) / 2)
        raise ValueError(self.direction)


def _severity(missed: bool, badly: bool) -> str | None:
    if not missed:
        return None
    return Severity.HIGH if badly else Severity.MEDIUM


def default_target(indicator: Indicator) -> Target | None:
    if not indicator.direction:
        return None
    if indicator.direction == BAND:
        low, high = indicator.target
        return Target(BAND, low, high)
    return Target(indicator.direction, indicator.target)


class Targets:
    """The targets of one run: overrides loaded once (one query), resolved per subject in memory."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.overrides: dict[tuple[str, int], Target] = {
            (key, region): Target(REGISTRY[key].direction, target, upper)
            for key, region, target, upper in TargetOverride.objects.order_by().values_list(
                "indicator", "region_id", "target", "target_upper"
            )
            if key in REGISTRY and REGISTRY[key].direction
        }
        self.defaults = {key: default_target(indicator) for key, indicator in REGISTRY.items()}

    def regions_of(self, row: Row) -> tuple[int, ...]:
        """The subject's region and the regions above it, nearest first."""
        ctx = self.ctx
        if row.level in (Level.PROGRAM, Level.SCHOOL):
            return ctx.school_regions.get(row.school_id, ())
        if row.level == Level.CONSORTIUM:
            return ctx.region_chain(ctx.consortium_regions.get(row.consortium_id))
        return ctx.region_chain(row.region_id)

    def for_row(self, row: Row) -> Target | None:
        default = self.defaults[row.indicator]
        if default is None or not self.overrides:
            return default
        for region in self.regions_of(row):
            override = self.overrides.get((row.indicator, region))
            if override is not None:
                return override
        return default
