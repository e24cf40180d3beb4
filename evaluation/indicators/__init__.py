"""The indicator registry of INDICATORS.md and its set-based computation (pure reads).

`REGISTRY` holds the typed definitions in catalogue order; `compute(key, level, year)` returns one
`Row` per subject of the level, `compute_all(year)` every indicator at every level. Each
indicator and level costs a constant number of aggregate queries, whatever the number of subjects.
"""
from .base import Context, Row
from .catalogue import LEVELS, REGISTRY, Indicator
from .engine import compute, compute_all

__all__ = ["LEVELS", "REGISTRY", "Context", "Indicator", "Row", "compute", "compute_all"]
