"""The demo data of `manage.py seed_demo`: a deterministic, idempotent Guangdong world of colleges,
enterprises and their cooperation over the academic years 2023–2025 (see runner.seed_demo)."""
from .runner import DEMO_PASSWORD, DEMO_USERS, ReferenceDataMissing, SeedResult, build_world, seed_demo
from .store import SEEDED_MODELS
from .world import YEARS

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "SEEDED_MODELS",
    "YEARS",
    "ReferenceDataMissing",
    "SeedResult",
    "build_world",
    "seed_demo",
]
