"""The data-set sizes `make bench SCALE=…` generates: national (China's vocational education at its
real size), province (one thirtieth of it, one province's worth) and tiny (a handful of rows of every
kind, for CI).

National figures: about 1,560 higher vocational colleges, 7,100 secondary vocational schools and 50
vocational undergraduate universities (Ministry of Education statistics, 2023-2024), some 120,000
programs, 1.4 million teachers, and the enterprises and agreements around them. Counts of the
records that follow from others (placements per teacher, contributions per partnership year,
feedback scores …) are not listed here: the generator derives them in proportion.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Scale:
    """How many of each thing a data set holds (per academic year where a field says so)."""

    name: str
    higher_vocational: int
    secondary_vocational: int
    vocational_undergraduate: int
    programs: int
    courses_per_program: int  # mean; programs vary around it
    teachers: int  # full-time and part-time industry teachers together
    enterprises: int
    partnerships: int
    consortia: int
    projects: int  # enterprise projects offered for project-based teaching
    talent_demands: int  # per academic year
    training_bases: int
    technical_services: int  # per academic year
    patents: int
    province: str | None  # code of the one province whose subtree holds every school; None: all provinces

    @property
    def schools(self) -> int:
        return self.higher_vocational + self.secondary_vocational + self.vocational_undergraduate

    def fraction(self, divisor: int, *, name: str, province: str | None) -> Scale:
        """This scale divided by `divisor` (at least one of everything), e.g. one province of the nation."""
        counts = {
            f.name: max(1, round(getattr(self, f.name) / divisor))
            for f in fields(self)
            if f.type == "int" and f.name != "courses_per_program"
        }
        return replace(self, name=name, province=province, **counts)


NATIONAL = Scale(
    name="national",
    higher_vocational=1_560,
    secondary_vocational=7_100,
    vocational_undergraduate=50,
    programs=120_000,
    courses_per_program=25,
    teachers=1_400_000,
    enterprises=200_000,
    partnerships=500_000,
    consortia=1_800,
    projects=120_000,
    talent_demands=150_000,
    training_bases=30_000,
    technical_services=60_000,
    patents=90_000,
    province=None,
)

# Guangdong (440000) ships with all its prefecture-level cities in portal/data/regions.csv.
PROVINCE = NATIONAL.fraction(30, name="province", province="440000")

TINY = Scale(
    name="tiny",
    higher_vocational=3,
    secondary_vocational=3,
    vocational_undergraduate=1,
    programs=24,
    courses_per_program=8,
    teachers=160,
    enterprises=50,
    partnerships=60,
    consortia=3,
    projects=16,
    talent_demands=20,
    training_bases=12,
    technical_services=8,
    patents=10,
    province="440000",
)

SCALES: dict[str, Scale] = {scale.name: scale for scale in (TINY, PROVINCE, NATIONAL)}
