"""The in-memory demo world the builders share: what was generated so far (schools, enterprises,
programs, partnerships …) and the plan of rows. Generation never reads the database, so every run
plans exactly the same rows."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from zoneinfo import ZoneInfo

from demo.names import GIVEN_DOUBLE, GIVEN_SINGLE, SURNAMES, SchoolSeed

from .catalogue import FAMILIES, Family
from .store import Key, Plan

SEED = 20250901
YEARS = (2023, 2024, 2025)  # academic years with data; 2025 = 2025-09-01 … 2026-08-31
FIRST_DAY = dt.date(YEARS[0], 9, 1)
LAST_DAY = dt.date(YEARS[-1] + 1, 8, 31)
TZ = ZoneInfo("Asia/Shanghai")

T = TypeVar("T")


def year_start(year: int) -> dt.date:
    return dt.date(year, 9, 1)


def year_end(year: int) -> dt.date:
    return dt.date(year + 1, 8, 31)


def academic_year(day: dt.date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def at_ten(day: dt.date) -> dt.datetime:
    """A fixed office-hours moment of a day (for answered/verified timestamps)."""
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=TZ)


def weighted(rng: random.Random, items: Sequence[T], weights: Sequence[float]) -> T:
    return rng.choices(items, weights=weights, k=1)[0]


def clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN_DOUBLE) if rng.random() < 0.55 else rng.choice(GIVEN_SINGLE)
    return rng.choice(SURNAMES) + given


@dataclass(eq=False)
class SchoolInfo:
    seed: SchoolSeed
    dual_ratio: float  # share of full-time professional teachers who are dual-qualified
    part_time_ratio: float  # part-time industry teachers per full-time teacher
    diligence: float  # how often teachers go to enterprise practice
    intensity: float  # partnerships per program
    depth: float  # weight of deep kinds of cooperation
    quality: float  # mean feedback score enterprises give
    codev: float  # share of professional courses co-developed
    programs: list[ProgramInfo] = field(default_factory=list)
    partnerships: list[PartnershipInfo] = field(default_factory=list)

    @property
    def key(self) -> Key:
        return (self.seed.code,)

    @property
    def families(self) -> set[str]:
        return {program.family for program in self.programs}


@dataclass(eq=False)
class EnterpriseInfo:
    credit_code: str
    name: str
    short: str
    city: str
    family: str
    size: str
    certified: bool
    partnerships: list[PartnershipInfo] = field(default_factory=list)

    @property
    def key(self) -> Key:
        return (self.credit_code,)

    @property
    def info(self) -> Family:
        return FAMILIES[self.family]


@dataclass(eq=False)
class CourseInfo:
    key: Key
    name: str
    professional: bool


@dataclass(eq=False)
class ProgramInfo:
    school: SchoolInfo
    code: str
    name: str
    family: str
    status: str
    trend: str  # normal | falling | closed
    established: int
    courses: list[CourseInfo] = field(default_factory=list)
    partnerships: list[PartnershipInfo] = field(default_factory=list)
    years: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def key(self) -> Key:
        return (self.school.key, self.code)

    @property
    def sector(self) -> str:
        return FAMILIES[self.family].sector

    def kinds_active_in(self, year: int) -> set[str]:
        return {kind for p in self.partnerships if p.active_in(year) for kind in p.kinds}


@dataclass(eq=False)
class PartnershipInfo:
    school: SchoolInfo
    enterprise: EnterpriseInfo
    title: str
    kinds: list[str]
    status: str
    start: dt.date
    end: dt.date | None
    programs: list[ProgramInfo]

    @property
    def key(self) -> Key:
        return (self.school.key, self.title)

    def active_in(self, year: int) -> bool:
        """INDICATORS.md: active, suspended or ended, and its dates overlap the academic year."""
        return (
            self.status in ("active", "suspended", "ended")
            and self.start <= year_end(year)
            and (self.end is None or self.end >= year_start(year))
        )

    def window(self, year: int) -> tuple[dt.date, dt.date]:
        """The part of the academic year the partnership ran (call only when active_in(year))."""
        start = max(self.start, year_start(year))
        end = min(self.end or year_end(year), year_end(year))
        return start, end


@dataclass(eq=False)
class TeacherInfo:
    school: SchoolInfo
    key: Key
    family: str | None  # the field a professional teacher teaches
    employment: str
    professional: bool
    active: bool


class World:
    """Everything generated so far; builders add to it in order."""

    def __init__(self) -> None:
        self.plan = Plan()
        self.schools: list[SchoolInfo] = []
        self.enterprises: list[EnterpriseInfo] = []
        self.demo_enterprise: EnterpriseInfo | None = None
        self.partnerships: list[PartnershipInfo] = []
        self.teachers: list[TeacherInfo] = []
        self.consortia: list[Key] = []

    @staticmethod
    def rng(section: str) -> random.Random:
        """An independent random stream per section: changing one builder does not shift the others."""
        return random.Random(f"{SEED}:{section}")

    def school(self, code: str) -> SchoolInfo:
        return next(s for s in self.schools if s.seed.code == code)

    @property
    def programs(self) -> list[ProgramInfo]:
        return [program for school in self.schools for program in school.programs]

    def enterprises_of(self, family: str, city: str | None = None) -> list[EnterpriseInfo]:
        return [e for e in self.enterprises if e.family == family and (city is None or e.city == city)]
