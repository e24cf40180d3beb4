"""The indicator registry of INDICATORS.md and its set-based computation (pure reads).

`catalogue.REGISTRY` holds the typed definitions in catalogue order; `engine.compute(key, level,
year)` returns one `Row` per subject of the level, `engine.compute_all(year)` every indicator at
every level. Each indicator and level costs a constant number of aggregate queries, whatever the
number of subjects. (The package imports nothing itself, so the models may import the catalogue.)
"""
