"""The SQL floor of the evaluation benchmark: every (indicator, level) step of a run as one
hand-written PostgreSQL aggregate statement, run on the same database, results fetched, nothing
written.

The floor is what the engine's run time is measured against, so it must compute exactly what the
engine computes (evaluation/indicators/): the same subjects (every current program, every school,
every consortium, every region with a school in its subtree, every region × sector pair with supply
or demand) and the same numerator and denominator for each, including the engine's defaults for a
subject without records (0 ÷ 0 for a ratio, (0, NULL) for a sum, (NULL, NULL) for an enrolment
change without records). The work the engine does in Python (merging a teacher's overlapping
placements, pooling schools into their regions, pairing supply with demand) is done here in SQL.
`compare()` proves the two agree, value by value.

The statements are assembled from model table names and choice constants, never from input (the
year bounds are bound parameters): hence the `# nosec B608` on each."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import connections

from evaluation.indicators.catalogue import (
    CONSORTIUM,
    PROGRAM,
    REGION,
    REGION_SECTOR,
    SCHOOL,
)
from evaluation.indicators.engine import steps
from evaluation.indicators.teaching import PRACTICE_DAYS
from evaluation.models import Feedback, FeedbackScore
from partnerships.choices import DEEP_KINDS, ContributionParty
from partnerships.models import (
    Consortium,
    ConsortiumMember,
    Contribution,
    Partnership,
    Patent,
    ProjectAdoption,
    TalentDemand,
    TechnicalService,
    TrainingBase,
    TrainingBaseUsage,
)
from partnerships.querysets import AGREED_STATUSES
from portal.models import Enterprise, Region, School
from portal.years import academic_year_bounds
from programs.choices import Employment, ProgramStatus
from programs.models import Course, Program, ProgramYear, Teacher, TeacherPlacement

Subject = int | tuple[int, int]  # an id, or (region id, sector id)
Number = int | Decimal
Pair = tuple[Number | None, Number | None]
Results = dict[tuple[str, str], dict[Subject, Pair]]

# --- names ----------------------------------------------------------------------------------------

REGION_T = Region._meta.db_table
SCHOOL_T = School._meta.db_table
ENTERPRISE_T = Enterprise._meta.db_table
PROGRAM_T = Program._meta.db_table
COURSE_T = Course._meta.db_table
PROGRAM_YEAR_T = ProgramYear._meta.db_table
TEACHER_T = Teacher._meta.db_table
PLACEMENT_T = TeacherPlacement._meta.db_table
PARTNERSHIP_T = Partnership._meta.db_table
PARTNERSHIP_PROGRAMS_T = Partnership.programs.through._meta.db_table
CONTRIBUTION_T = Contribution._meta.db_table
ADOPTION_T = ProjectAdoption._meta.db_table
DEMAND_T = TalentDemand._meta.db_table
BASE_T = TrainingBase._meta.db_table
USAGE_T = TrainingBaseUsage._meta.db_table
SERVICE_T = TechnicalService._meta.db_table
PATENT_T = Patent._meta.db_table
CONSORTIUM_T = Consortium._meta.db_table
MEMBER_T = ConsortiumMember._meta.db_table
FEEDBACK_T = Feedback._meta.db_table
SCORE_T = FeedbackScore._meta.db_table


def _lit(value: str) -> str:
    """A choice value as an SQL literal (choice values are plain words: nothing to escape)."""
    if not re.fullmatch(r"[a-z_]+", value):
        raise ValueError(f"not a plain choice value: {value!r}")
    return f"'{value}'"


CLOSED = _lit(ProgramStatus.CLOSED)
FULL_TIME = _lit(Employment.FULL_TIME)
PART_TIME = _lit(Employment.PART_TIME_INDUSTRY)
ENTERPRISE_PARTY = _lit(ContributionParty.ENTERPRISE)
AGREED = "(" + ", ".join(_lit(status) for status in AGREED_STATUSES) + ")"


def _active(a: str) -> str:
    """Partnership `a` is active in Y: agreed, and [start, end or open] overlaps the year."""
    return (
        f"{a}.status IN {AGREED} AND {a}.start_date <= %(last_day)s "
        f"AND ({a}.end_date IS NULL OR {a}.end_date >= %(first_day)s)"
    )


def _deep(a: str) -> str:
    """Partnership `a` has a deep kind (kinds are stored as ",a,b,")."""
    return "(" + " OR ".join(f"strpos({a}.kinds, ',{kind},') > 0" for kind in DEEP_KINDS) + ")"


def _up(region_id: str) -> str:
    """Joins giving `up.region_id`: the region `region_id`, its parent and its grandparent, as the
    engine's chain (region, region__parent, region__parent__parent)."""
    return (
        f"JOIN {REGION_T} r0 ON r0.id = {region_id} "
        f"LEFT JOIN {REGION_T} r1 ON r1.id = r0.parent_id "
        f"JOIN LATERAL (VALUES (r0.id), (r0.parent_id), (r1.parent_id)) AS up (region_id) ON up.region_id IS NOT NULL"
    )


# --- shapes: every subject of a level with the pair of an aggregate, or the default --------------
# An aggregate is a SELECT returning (<key>, num, den) with one row per key that has records.


def _per_program(agg: str) -> str:
    """Every current program with its pair from `agg` (program_id, num, den), else 0 ÷ 0."""
    return (
        f"SELECT p.id, COALESCE(agg.num, 0), COALESCE(agg.den, 0) FROM {PROGRAM_T} p "  # nosec B608
        f"LEFT JOIN ({agg}) agg ON agg.program_id = p.id WHERE p.status <> {CLOSED} ORDER BY p.id"
    )


def _den(is_sum: bool, expression: str) -> str:
    return "NULL::numeric" if is_sum else f"COALESCE({expression}, 0)"


def _per_school(agg: str, *, is_sum: bool = False) -> str:
    """Every school with its pair from `agg` (school_id, num, den), else the default."""
    return (
        f"SELECT s.id, COALESCE(agg.num, 0), {_den(is_sum, 'agg.den')} FROM {SCHOOL_T} s "  # nosec B608
        f"LEFT JOIN ({agg}) agg ON agg.school_id = s.id ORDER BY s.id"
    )


def _per_region(agg: str, *, is_sum: bool = False) -> str:
    """Every region with a school in its subtree, pooling its schools' pairs from `agg` (school_id,
    num, den): Σ numerators, Σ denominators."""
    return (
        f"SELECT up.region_id, COALESCE(SUM(agg.num), 0), {_den(is_sum, 'SUM(agg.den)')} FROM {SCHOOL_T} s "  # nosec B608
        f"{_up('s.region_id')} LEFT JOIN ({agg}) agg ON agg.school_id = s.id "
        "GROUP BY up.region_id ORDER BY up.region_id"
    )


def _per_consortium(agg: str, *, is_sum: bool = False) -> str:
    """Every consortium with its pair from `agg` (consortium_id, num, den), else the default."""
    return (
        f"SELECT k.id, COALESCE(agg.num, 0), {_den(is_sum, 'agg.den')} FROM {CONSORTIUM_T} k "  # nosec B608
        f"LEFT JOIN ({agg}) agg ON agg.consortium_id = k.id ORDER BY k.id"
    )


def _school_and_region(agg: str, *, is_sum: bool = False) -> dict[str, str]:
    return {SCHOOL: _per_school(agg, is_sum=is_sum), REGION: _per_region(agg, is_sum=is_sum)}


# --- current courses (snapshot) -------------------------------------------------------------------

_ADOPTED = f"EXISTS (SELECT 1 FROM {ADOPTION_T} ad WHERE ad.course_id = c.id AND ad.year = %(year)s)"  # nosec B608
COURSE_PAIRS = {  # indicator → (num, den, only professional courses)
    "practical_hours_share": ("SUM(c.practice_hours)", "SUM(c.theory_hours + c.practice_hours)", False),
    "codeveloped_course_share": ("COUNT(*) FILTER (WHERE c.co_developed_with_id IS NOT NULL)", "COUNT(*)", True),
    "project_teaching_share": (f"COUNT(*) FILTER (WHERE {_ADOPTED})", "COUNT(*)", True),
}


# The key of an aggregate by program, or by school.
BY_PROGRAM = ("p.id", "program_id")
BY_SCHOOL = ("p.school_id", "school_id")


def _courses(key: str, by: tuple[str, str]) -> str:
    num, den, professional = COURSE_PAIRS[key]
    where = f"p.status <> {CLOSED}" + (" AND c.professional" if professional else "")
    return (
        f"SELECT {by[0]} AS {by[1]}, {num} AS num, {den} AS den FROM {COURSE_T} c "  # nosec B608
        f"JOIN {PROGRAM_T} p ON p.id = c.program_id WHERE {where} GROUP BY {by[0]}"
    )


# --- program-year records of Y (flow: closed programs count above program level) -----------------

PROGRAM_YEAR_PAIRS = {
    "order_class_share": ("y.order_class_students + y.apprentices", "y.students"),
    "employment_rate": ("y.employed", "y.graduates"),
    "field_employment_rate": ("y.employed_in_field", "y.employed"),
    "partner_employment_share": ("y.employed_by_partners", "y.employed"),
}


def _program_years(key: str, by: tuple[str, str]) -> str:
    num, den = PROGRAM_YEAR_PAIRS[key]
    return (
        f"SELECT {by[0]} AS {by[1]}, SUM({num}) AS num, SUM({den}) AS den FROM {PROGRAM_YEAR_T} y "  # nosec B608
        f"JOIN {PROGRAM_T} p ON p.id = y.program_id WHERE y.year = %(year)s GROUP BY {by[0]}"
    )


ENROLMENT_CHANGE = (
    f"SELECT p.id, cur.enrolled - prev.enrolled, prev.enrolled FROM {PROGRAM_T} p "  # nosec B608
    f"LEFT JOIN {PROGRAM_YEAR_T} cur ON cur.program_id = p.id AND cur.year = %(year)s "
    f"LEFT JOIN {PROGRAM_YEAR_T} prev ON prev.program_id = p.id AND prev.year = %(previous_year)s "
    f"WHERE p.status <> {CLOSED} ORDER BY p.id"
)

# Feedback of Y: a program's (its school's) or a partnership's (the partnership's school's).
SATISFACTION_BY_PROGRAM = (
    f"SELECT f.program_id, SUM(fs.score) AS num, COUNT(*) AS den FROM {SCORE_T} fs "  # nosec B608
    f"JOIN {FEEDBACK_T} f ON f.id = fs.feedback_id WHERE f.year = %(year)s AND f.program_id IS NOT NULL "
    "GROUP BY f.program_id"
)
SATISFACTION_BY_SCHOOL = (
    "SELECT COALESCE(p.school_id, pa.school_id) AS school_id, SUM(fs.score) AS num, COUNT(*) AS den "  # nosec B608
    f"FROM {SCORE_T} fs JOIN {FEEDBACK_T} f ON f.id = fs.feedback_id "
    f"LEFT JOIN {PROGRAM_T} p ON p.id = f.program_id LEFT JOIN {PARTNERSHIP_T} pa ON pa.id = f.partnership_id "
    "WHERE f.year = %(year)s GROUP BY COALESCE(p.school_id, pa.school_id)"
)

# --- teachers (snapshot: active ones) -------------------------------------------------------------

_CORE = f"t.active AND t.employment = {FULL_TIME} AND t.professional"
DUAL_QUALIFIED = (
    f"SELECT t.school_id, COUNT(*) FILTER (WHERE t.dual_qualified) AS num, COUNT(*) AS den FROM {TEACHER_T} t "  # nosec B608
    f"WHERE {_CORE} GROUP BY t.school_id"
)
PART_TIME_TEACHERS = (
    f"SELECT t.school_id, COUNT(*) FILTER (WHERE t.employment = {PART_TIME}) AS num, "  # nosec B608
    f"COUNT(*) FILTER (WHERE t.employment = {FULL_TIME}) AS den FROM {TEACHER_T} t WHERE t.active GROUP BY t.school_id"
)
# Per active full-time professional teacher, the verified placement days inside Y, each day once:
# placements clipped to the year, ordered by start; each adds its days after the latest end before it
# (`covered`), as teaching.practice_days does in Python. A teacher without placements has one row of
# NULLs (clipped with CASE: GREATEST and LEAST would turn a NULL date into the year's bound), which
# adds GREATEST(0, NULL) = 0 days. Teachers drive the join (placements through their teacher index),
# so a stale row estimate cannot make the planner recompute the placements once per teacher.
_START = "CASE WHEN pl.start_date < %(first_day)s THEN %(first_day)s ELSE pl.start_date END"
_END = "CASE WHEN pl.end_date > %(last_day)s THEN %(last_day)s ELSE pl.end_date END"
_PRACTICE_DAYS = (
    "SELECT w.school_id, SUM(GREATEST(0, w.e - GREATEST(w.s, w.covered + 1) + 1)) AS days FROM ("  # nosec B608
    f"SELECT t.id, t.school_id, {_START} AS s, {_END} AS e, "
    f"MAX({_END}) OVER (PARTITION BY t.id ORDER BY pl.start_date, pl.end_date "
    "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS covered "
    f"FROM {TEACHER_T} t LEFT JOIN {PLACEMENT_T} pl ON pl.teacher_id = t.id AND pl.verified "
    f"AND pl.start_date <= %(last_day)s AND pl.end_date >= %(first_day)s WHERE {_CORE}"
    ") w GROUP BY w.id, w.school_id"
)
TEACHER_PRACTICE = (
    "SELECT d.school_id, COUNT(*) FILTER (WHERE d.days >= %(practice_days)s) AS num, COUNT(*) AS den "  # nosec B608
    f"FROM ({_PRACTICE_DAYS}) d GROUP BY d.school_id"
)

# --- partnerships ---------------------------------------------------------------------------------

PROGRAM_PARTNERSHIP = (
    "SELECT p.school_id, COUNT(*) FILTER (WHERE EXISTS ("  # nosec B608
    f"SELECT 1 FROM {PARTNERSHIP_PROGRAMS_T} pp JOIN {PARTNERSHIP_T} a ON a.id = pp.partnership_id "
    f"WHERE pp.program_id = p.id AND {_active('a')})) AS num, COUNT(*) AS den "
    f"FROM {PROGRAM_T} p WHERE p.status <> {CLOSED} GROUP BY p.school_id"
)
DEEP_BY_SCHOOL = (
    f"SELECT a.school_id, COUNT(*) FILTER (WHERE {_deep('a')}) AS num, COUNT(*) AS den FROM {PARTNERSHIP_T} a "  # nosec B608
    f"WHERE {_active('a')} GROUP BY a.school_id"
)
# A consortium's partnerships: between a member school and a member enterprise of it.
_MEMBER_PAIR = (
    f"JOIN {MEMBER_T} ms ON ms.school_id = a.school_id "
    f"JOIN {MEMBER_T} me ON me.enterprise_id = a.enterprise_id AND me.consortium_id = ms.consortium_id"
)
DEEP_BY_CONSORTIUM = (
    f"SELECT ms.consortium_id, COUNT(*) FILTER (WHERE {_deep('a')}) AS num, COUNT(*) AS den "  # nosec B608
    f"FROM {PARTNERSHIP_T} a {_MEMBER_PAIR} WHERE {_active('a')} GROUP BY ms.consortium_id"
)
CONSORTIUM_ACTIVE = (
    "SELECT m.consortium_id, COUNT(*) FILTER (WHERE EXISTS ("  # nosec B608
    f"SELECT 1 FROM {PARTNERSHIP_T} a JOIN {MEMBER_T} ms ON ms.school_id = a.school_id "
    f"AND ms.consortium_id = m.consortium_id WHERE a.enterprise_id = m.enterprise_id AND {_active('a')}"
    f")) AS num, COUNT(*) AS den FROM {MEMBER_T} m WHERE m.enterprise_id IS NOT NULL GROUP BY m.consortium_id"
)

# --- contributions, services, patents -------------------------------------------------------------

_CONTRIBUTIONS = (
    f"FROM {CONTRIBUTION_T} c JOIN {PARTNERSHIP_T} a ON a.id = c.partnership_id "
    f"WHERE c.date >= %(first_day)s AND c.date <= %(last_day)s AND a.status IN {AGREED}"
)
_BY_ENTERPRISE = f"SUM(c.value) FILTER (WHERE c.party = {ENTERPRISE_PARTY})"
CONTRIBUTION_BY_SCHOOL = (
    f"SELECT a.school_id, {_BY_ENTERPRISE} AS num, NULL::numeric AS den {_CONTRIBUTIONS} GROUP BY a.school_id"
)
CONTRIBUTION_SHARE = f"SELECT a.school_id, {_BY_ENTERPRISE} AS num, SUM(c.value) AS den {_CONTRIBUTIONS} GROUP BY a.school_id"
CONTRIBUTION_BY_CONSORTIUM = (
    f"SELECT ms.consortium_id, SUM(c.value) AS num, NULL::numeric AS den FROM {CONTRIBUTION_T} c "  # nosec B608
    f"JOIN {PARTNERSHIP_T} a ON a.id = c.partnership_id {_MEMBER_PAIR} "
    f"WHERE c.date >= %(first_day)s AND c.date <= %(last_day)s AND a.status IN {AGREED} "
    f"AND c.party = {ENTERPRISE_PARTY} GROUP BY ms.consortium_id"
)
SERVICE_REVENUE = (
    f"SELECT ts.school_id, SUM(ts.amount) AS num, NULL::numeric AS den FROM {SERVICE_T} ts "  # nosec B608
    "WHERE ts.year = %(year)s GROUP BY ts.school_id"
)
PATENT_CONVERSION = (
    "SELECT pt.school_id, COUNT(*) FILTER (WHERE pt.transferred_on <= %(last_day)s) AS num, COUNT(*) AS den "  # nosec B608
    f"FROM {PATENT_T} pt WHERE pt.granted_on <= %(last_day)s GROUP BY pt.school_id"
)

# --- training bases with a usage row for Y --------------------------------------------------------

_USAGE = f"FROM {USAGE_T} u JOIN {BASE_T} b ON b.id = u.base_id"
BASE_UTILISATION = (
    "SELECT b.school_id, SUM(u.internal_hours + u.external_hours) AS num, SUM(b.capacity_hours) AS den "
    f"{_USAGE} WHERE u.year = %(year)s AND b.school_id IS NOT NULL GROUP BY b.school_id"
)
SOCIAL_TRAINING = (
    "SELECT b.school_id, SUM(u.external_hours) AS num, SUM(u.internal_hours + u.external_hours) AS den "
    f"{_USAGE} WHERE u.year = %(year)s AND b.school_id IS NOT NULL GROUP BY b.school_id"
)
# A consortium's bases: its own, and those of its member schools and member enterprises.
_HOURS = "u.internal_hours + u.external_hours AS used, b.capacity_hours AS capacity"
BASE_UTILISATION_BY_CONSORTIUM = (
    "SELECT o.consortium_id, SUM(o.used) AS num, SUM(o.capacity) AS den FROM ("  # nosec B608
    f"SELECT b.consortium_id, {_HOURS} {_USAGE} WHERE u.year = %(year)s AND b.consortium_id IS NOT NULL "
    f"UNION ALL SELECT m.consortium_id, {_HOURS} {_USAGE} JOIN {MEMBER_T} m ON m.school_id = b.school_id "
    "WHERE u.year = %(year)s "
    f"UNION ALL SELECT m.consortium_id, {_HOURS} {_USAGE} JOIN {MEMBER_T} m ON m.enterprise_id = b.enterprise_id "
    "WHERE u.year = %(year)s"
    ") o GROUP BY o.consortium_id"
)

# --- regions --------------------------------------------------------------------------------------

CERTIFIED_ENTERPRISES = (
    "SELECT g.region_id, COALESCE(e.num, 0), NULL::integer FROM ("  # nosec B608
    f"SELECT DISTINCT up.region_id FROM {SCHOOL_T} s {_up('s.region_id')}"
    ") g LEFT JOIN ("
    f"SELECT up.region_id, COUNT(*) AS num FROM {ENTERPRISE_T} e {_up('e.region_id')} "
    "WHERE e.integration_certified GROUP BY up.region_id"
    ") e ON e.region_id = g.region_id ORDER BY g.region_id"
)
# Supply: graduates of Y of the sector's programs (closed ones too) at schools in the region subtree;
# demand: headcount of Y's talent demands of the sector in the region subtree.
SUPPLY_DEMAND = (
    "SELECT COALESCE(sup.region_id, dem.region_id), COALESCE(sup.sector_id, dem.sector_id), "  # nosec B608
    "COALESCE(sup.n, 0), COALESCE(dem.n, 0) FROM ("
    f"SELECT up.region_id, p.sector_id, SUM(y.graduates) AS n FROM {PROGRAM_YEAR_T} y "
    f"JOIN {PROGRAM_T} p ON p.id = y.program_id JOIN {SCHOOL_T} s ON s.id = p.school_id {_up('s.region_id')} "
    "WHERE y.year = %(year)s GROUP BY up.region_id, p.sector_id"
    ") sup FULL JOIN ("
    f"SELECT up.region_id, d.sector_id, SUM(d.headcount) AS n FROM {DEMAND_T} d {_up('d.region_id')} "
    "WHERE d.year = %(year)s GROUP BY up.region_id, d.sector_id"
    ") dem ON dem.region_id = sup.region_id AND dem.sector_id = sup.sector_id ORDER BY 1, 2"
)


def _statements() -> dict[tuple[str, str], str]:
    by_indicator: dict[str, dict[str, str]] = {}
    for key in COURSE_PAIRS:
        by_indicator[key] = {
            PROGRAM: _per_program(_courses(key, BY_PROGRAM)),
            SCHOOL: _per_school(_courses(key, BY_SCHOOL)),
            REGION: _per_region(_courses(key, BY_SCHOOL)),
        }
    for key in PROGRAM_YEAR_PAIRS:
        by_indicator[key] = {
            PROGRAM: _per_program(_program_years(key, BY_PROGRAM)),
            SCHOOL: _per_school(_program_years(key, BY_SCHOOL)),
            REGION: _per_region(_program_years(key, BY_SCHOOL)),
        }
    by_indicator.update({
        "dual_qualified_ratio": _school_and_region(DUAL_QUALIFIED),
        "teacher_practice_rate": _school_and_region(TEACHER_PRACTICE),
        "part_time_teacher_ratio": _school_and_region(PART_TIME_TEACHERS),
        "program_partnership_rate": _school_and_region(PROGRAM_PARTNERSHIP),
        "deep_cooperation_share": {
            **_school_and_region(DEEP_BY_SCHOOL), CONSORTIUM: _per_consortium(DEEP_BY_CONSORTIUM),
        },
        "enrolment_change": {PROGRAM: ENROLMENT_CHANGE},
        "enterprise_contribution": {
            **_school_and_region(CONTRIBUTION_BY_SCHOOL, is_sum=True),
            CONSORTIUM: _per_consortium(CONTRIBUTION_BY_CONSORTIUM, is_sum=True),
        },
        "enterprise_contribution_share": _school_and_region(CONTRIBUTION_SHARE),
        "technical_service_revenue": _school_and_region(SERVICE_REVENUE, is_sum=True),
        "patent_conversion_rate": _school_and_region(PATENT_CONVERSION),
        "training_base_utilisation": {
            **_school_and_region(BASE_UTILISATION), CONSORTIUM: _per_consortium(BASE_UTILISATION_BY_CONSORTIUM),
        },
        "social_training_share": _school_and_region(SOCIAL_TRAINING),
        "enterprise_satisfaction": {
            PROGRAM: _per_program(SATISFACTION_BY_PROGRAM), **_school_and_region(SATISFACTION_BY_SCHOOL),
        },
        "consortium_active_share": {CONSORTIUM: _per_consortium(CONSORTIUM_ACTIVE)},
        "supply_demand_ratio": {REGION_SECTOR: SUPPLY_DEMAND},
        "certified_enterprises": {REGION: CERTIFIED_ENTERPRISES},
    })
    # In the order of a run; a step of the engine without a statement here is an error at import.
    return {(indicator.key, level): by_indicator[indicator.key][level] for indicator, level in steps()}


# Every (indicator key, level) step of a run → its one SQL statement, returning (subject…, num, den).
STATEMENTS: dict[tuple[str, str], str] = _statements()


def year_params(year: int) -> dict[str, Any]:
    """The parameters every statement takes: the year, the year before, the year's bounds."""
    first_day, last_day = academic_year_bounds(year)
    return {
        "year": year,
        "previous_year": year - 1,
        "first_day": first_day,
        "last_day": last_day,
        "practice_days": PRACTICE_DAYS,
    }


def floor_all(year: int, *, using: str = "default") -> Results:
    """Every step of a run for `year`, one statement each, fetched into {step: {subject: (num, den)}}."""
    params = year_params(year)
    results: Results = {}
    with connections[using].cursor() as cursor:
        for step, sql in STATEMENTS.items():
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            if step[1] == REGION_SECTOR:
                pairs: dict[Subject, Pair] = {(region, sector): (num, den) for region, sector, num, den in rows}
            else:
                pairs = {subject: (num, den) for subject, num, den in rows}
            if len(pairs) != len(rows):
                raise RuntimeError(f"the statement of {step} returned a subject twice")
            results[step] = pairs
    return results


# A stored value as a tuple: IndicatorValue.objects.values_list(*VALUE_FIELDS).
VALUE_FIELDS = (
    "indicator", "level", "program_id", "school_id", "consortium_id", "region_id", "sector_id",
    "numerator", "denominator",
)
SUBJECT_FIELDS = {
    PROGRAM: ("program_id",),
    SCHOOL: ("school_id",),
    CONSORTIUM: ("consortium_id",),
    REGION: ("region_id",),
    REGION_SECTOR: ("region_id", "sector_id"),
}


def engine_pairs(rows: Iterable[Any]) -> Results:
    """Engine `Row`s, stored IndicatorValue rows of one run, or tuples of their VALUE_FIELDS, in the
    shape of floor_all()."""
    results: Results = {}
    for row in rows:
        if hasattr(row, "indicator"):
            value = {name: getattr(row, name) for name in VALUE_FIELDS}
        else:
            value = dict(zip(VALUE_FIELDS, row, strict=True))
        indicator, level = value["indicator"], value["level"]
        if level not in SUBJECT_FIELDS:
            raise ValueError(f"unknown level {level!r}")
        ids = tuple(value[name] for name in SUBJECT_FIELDS[level])
        subject: Subject = ids if len(ids) > 1 else ids[0]
        pairs = results.setdefault((indicator, level), {})
        if subject in pairs:
            raise ValueError(f"two rows for {indicator} at {level} level, subject {subject}")
        pairs[subject] = (value["numerator"], value["denominator"])
    return results


def _exact(number: Number | float | None) -> Decimal | None:
    return None if number is None else Decimal(number)


def _same(a: Pair, b: Pair) -> bool:
    return _exact(a[0]) == _exact(b[0]) and _exact(a[1]) == _exact(b[1])


def _fraction(pair: Pair) -> str:
    return f"{pair[0]} / {pair[1]}"


def compare(floor: Mapping[tuple[str, str], Mapping[Subject, Pair]],
            engine: Mapping[tuple[str, str], Mapping[Subject, Pair]]) -> list[str]:
    """Every difference between the floor's results and the engine's, one line each: a subject only
    one side has, or a numerator or denominator that differs (compared exactly, as Decimal; None is
    only equal to None). Empty when the two agree on every value."""
    differences = []
    for step in sorted(set(floor) | set(engine)):
        ours, theirs = floor.get(step, {}), engine.get(step, {})
        label = f"{step[0]} at {step[1]} level"
        for subject in sorted(set(ours) | set(theirs), key=_order):
            if subject not in theirs:
                differences.append(f"{label}, subject {subject}: missing from the engine (floor {_fraction(ours[subject])})")
            elif subject not in ours:
                differences.append(f"{label}, subject {subject}: missing from the floor (engine {_fraction(theirs[subject])})")
            elif not _same(ours[subject], theirs[subject]):
                differences.append(
                    f"{label}, subject {subject}: floor {_fraction(ours[subject])}, engine {_fraction(theirs[subject])}"
                )
    return differences


def _order(subject: Subject) -> tuple:
    return subject if isinstance(subject, tuple) else (subject,)
