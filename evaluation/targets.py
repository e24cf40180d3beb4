"""Targets and how far a value misses them (INDICATORS.md, "Warnings").

A subject's target is the catalogue default unless a platform admin set one for its region or a
region above it (the nearest override wins). Comparisons are exact: the value is taken as the
fraction numerator ÷ denominator and the target as the decimal it is written as."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, lru_cache

from .choices import Level, Severity
from .indicators.base import Context, Number, Row
from .indicators.catalogue import BAND, MAX, MIN, REGISTRY, Indicator
from .models import TargetOverride


def exact(number: float | Number) -> Fraction:
    """A target as written (0.85 is 17/20, not the nearest binary float), a count or amount as is."""
    return Fraction(repr(number)) if isinstance(number, float) else Fraction(number)


# A float comparison decides unless the value lies this close (relative) to a bound; then the exact
# fractions decide. Floats carry ~1e-16 relative error, so the fast path never disagrees with them.
CLOSE = 1e-9


@dataclass(frozen=True)
class Target:
    direction: str
    target: float  # the target, or the lower bound of a band
    upper: float | None = None  # the upper bound of a band

    @cached_property
    def _exact_bounds(self) -> tuple[Fraction, ...]:
        """(bound, bound missed badly) for the lower side and, for a band, the upper side."""
        low = exact(self.target)
        if self.direction == MIN:
            return (low, low - abs(low) / 2)
        if self.direction == MAX:
            return (low, low + abs(low) / 2)
        if self.direction == BAND:
            high = exact(self.upper)
            return (low, low - abs(low) / 2, high, high + abs(high) / 2)
        raise ValueError(self.direction)

    @cached_property
    def _float_bounds(self) -> tuple[float, ...]:
        return tuple(float(bound) for bound in self._exact_bounds)

    def miss(self, numerator: Number | None, denominator: Number | None) -> str | None:
        """The severity of the miss, or None when the value meets the target or there is no data.
        Decided exactly: by floats when the value is clearly on one side of every bound, else by
        the fraction numerator ÷ denominator against the target as written."""
        if numerator is None or denominator is None or denominator == 0:
            return None
        approx = float(numerator) / float(denominator)
        if all(abs(approx - bound) > CLOSE * max(1.0, abs(bound)) for bound in self._float_bounds):
            return self._decide(approx, self._float_bounds)
        return self._decide(Fraction(numerator) / Fraction(denominator), self._exact_bounds)

    def _decide(self, value, bounds) -> str | None:
        if self.direction == MIN:
            low, badly = bounds
            return _severity(value < low, value < badly)
        if self.direction == MAX:
            high, badly = bounds
            return _severity(value > high, value > badly)
        low, low_badly, high, high_badly = bounds
        if value < low:
            return _severity(True, value < low_badly)
        return _severity(value > high, value > high_badly)


@lru_cache(maxsize=4096)
def target_of(direction: str, target: float, upper: float | None = None) -> Target:
    """A Target, shared between the many values that carry the same one (pages judge thousands)."""
    return Target(direction, target, upper)


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
