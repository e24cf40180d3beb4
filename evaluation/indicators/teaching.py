"""Indicators of teaching: courses, program years, teachers and their placements, feedback."""
from __future__ import annotations

import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from evaluation.models import FeedbackScore
from partnerships.models import ProjectAdoption
from programs.choices import Employment, ProgramStatus
from programs.models import Course, ProgramYear, Teacher, TeacherPlacement

from .base import Context, Totals, by_level, school_or_region, zero

# Verified placement days inside the year that meet the "one month a year" rule.
PRACTICE_DAYS = 30


# --- current courses (snapshot) -------------------------------------------------------------------


def _courses(ctx: Context) -> list[dict]:
    """Per program (current ones only): hours, professional courses, co-developed ones, adopted ones."""

    def query() -> list[dict]:
        adopted = Exists(ProjectAdoption.objects.filter(course=OuterRef("pk"), year=ctx.year))
        professional = Q(professional=True)
        return list(
            Course.objects.exclude(program__status=ProgramStatus.CLOSED)
            .order_by()
            .values("program_id", school_id=F("program__school_id"))
            .annotate(
                practice=Sum("practice_hours"),
                hours=Sum(F("theory_hours") + F("practice_hours")),
                n_professional=Count("id", filter=professional),
                codeveloped=Count("id", filter=professional & Q(co_developed_with__isnull=False)),
                adopted=Count("id", filter=professional & Q(adopted)),
            )
        )

    return ctx.memo("courses", query)


def _pick(rows: list[dict], num: str, den: str) -> list[dict]:
    return [{"program_id": r["program_id"], "school_id": r["school_id"], "num": zero(r[num]), "den": zero(r[den])} for r in rows]


def practical_hours_share(ctx: Context, level: str) -> Totals:
    """Σ practice hours ÷ Σ all hours of current courses (the same in every year: program early
    warning looks back with the hours already read for Y)."""
    return by_level(ctx, level, ctx.shared("course_hours", lambda: _pick(_courses(ctx), "practice", "hours")))


def codeveloped_course_share(ctx: Context, level: str) -> Totals:
    """Current professional courses co-developed with an enterprise ÷ current professional courses."""
    return by_level(ctx, level, _pick(_courses(ctx), "codeveloped", "n_professional"))


def project_teaching_share(ctx: Context, level: str) -> Totals:
    """Current professional courses with an enterprise-project adoption for Y ÷ current professional courses."""
    return by_level(ctx, level, _pick(_courses(ctx), "adopted", "n_professional"))


# --- program-year records of Y (flow) -------------------------------------------------------------


def _program_years(ctx: Context) -> list[dict]:
    """Per program (closed ones included): the sums of its record for Y."""

    def query() -> list[dict]:
        return list(
            ProgramYear.objects.filter(year=ctx.year)
            .order_by()
            .values("program_id", school_id=F("program__school_id"))
            .annotate(
                students=Sum("students"),
                placed=Sum(F("order_class_students") + F("apprentices")),
                graduates=Sum("graduates"),
                employed=Sum("employed"),
                in_field=Sum("employed_in_field"),
                by_partners=Sum("employed_by_partners"),
            )
        )

    return ctx.memo("program_years", query)


def order_class_share(ctx: Context, level: str) -> Totals:
    """Σ (order-class students + apprentices) ÷ Σ students of Y."""
    return by_level(ctx, level, _pick(_program_years(ctx), "placed", "students"))


def employment_rate(ctx: Context, level: str) -> Totals:
    """Σ employed ÷ Σ graduates of Y."""
    return by_level(ctx, level, _pick(_program_years(ctx), "employed", "graduates"))


def field_employment_rate(ctx: Context, level: str) -> Totals:
    """Σ employed in field ÷ Σ employed of Y."""
    return by_level(ctx, level, _pick(_program_years(ctx), "in_field", "employed"))


def partner_employment_share(ctx: Context, level: str) -> Totals:
    """Σ employed by partner enterprises ÷ Σ employed of Y."""
    return by_level(ctx, level, _pick(_program_years(ctx), "by_partners", "employed"))


def enrolment_change(ctx: Context, level: str) -> Totals:
    """(enrolled(Y) − enrolled(Y−1)) ÷ enrolled(Y−1) per current program; no data without both records."""
    rows = (
        ProgramYear.objects.filter(year__in=[ctx.year - 1, ctx.year])
        .exclude(program__status=ProgramStatus.CLOSED)
        .order_by()
        .values("program_id")
        .annotate(
            current=Sum("enrolled", filter=Q(year=ctx.year)),
            previous=Sum("enrolled", filter=Q(year=ctx.year - 1)),
        )
    )
    totals: Totals = {}
    for row in rows:
        current, previous = row["current"], row["previous"]
        numerator = current - previous if current is not None and previous is not None else None
        totals[row["program_id"]] = (numerator, previous)
    return totals


def enterprise_satisfaction(ctx: Context, level: str) -> Totals:
    """Σ scores ÷ number of scores of feedback for Y: on a program (its graduates) or on a partnership
    (counted for the partnership's school)."""

    def query() -> list[dict]:
        return list(
            FeedbackScore.objects.filter(feedback__year=ctx.year)
            .order_by()
            .values(
                program_id=F("feedback__program_id"),
                school_id=Coalesce("feedback__program__school_id", "feedback__partnership__school_id"),
            )
            .annotate(num=Sum("score"), den=Count("id"))
        )

    return by_level(ctx, level, ctx.memo("feedback", query))


# --- teachers (snapshot: active ones) -------------------------------------------------------------


def _teachers(ctx: Context) -> dict[int, dict]:
    """Per school: active full-time professional teachers, dual-qualified ones, full-time, part-time."""

    def query() -> dict[int, dict]:
        full_time = Q(employment=Employment.FULL_TIME)
        core = full_time & Q(professional=True)
        rows = (
            Teacher.objects.filter(active=True)
            .order_by()
            .values("school_id")
            .annotate(
                core=Count("id", filter=core),
                dual=Count("id", filter=core & Q(dual_qualified=True)),
                full_time=Count("id", filter=full_time),
                part_time=Count("id", filter=Q(employment=Employment.PART_TIME_INDUSTRY)),
            )
        )
        return {row["school_id"]: row for row in rows}

    return ctx.memo("teachers", query)


def dual_qualified_ratio(ctx: Context, level: str) -> Totals:
    """Dual-qualified ÷ all active full-time professional teachers."""
    return school_or_region(ctx, level, {s: (r["dual"], r["core"]) for s, r in _teachers(ctx).items()})


def part_time_teacher_ratio(ctx: Context, level: str) -> Totals:
    """Active part-time industry teachers ÷ active full-time teachers."""
    return school_or_region(ctx, level, {s: (r["part_time"], r["full_time"]) for s, r in _teachers(ctx).items()})


def practice_days(intervals: list[tuple[datetime.date, datetime.date]], first: datetime.date,
                  last: datetime.date) -> int:
    """Days inside [first, last] covered by the intervals (inclusive), each day counted once.
    `intervals` must be sorted by start date."""
    days = 0
    covered_to: datetime.date | None = None  # last day already counted
    for start, end in intervals:
        start, end = max(start, first), min(end, last)
        if covered_to is not None:
            start = max(start, covered_to + datetime.timedelta(days=1))
        if end < start:
            continue
        days += (end - start).days + 1
        covered_to = end
    return days


def teacher_practice_rate(ctx: Context, level: str) -> Totals:
    """Active full-time professional teachers with ≥ 30 verified placement days inside Y ÷ all of them.

    One query returns every verified placement overlapping Y of those teachers, ordered by teacher
    and start; the day count merges each teacher's intervals in one pass."""

    def query() -> dict[int, int]:
        placements = (
            TeacherPlacement.objects.filter(
                verified=True,
                start_date__lte=ctx.last_day,
                end_date__gte=ctx.first_day,
                teacher__active=True,
                teacher__employment=Employment.FULL_TIME,
                teacher__professional=True,
            )
            .order_by("teacher_id", "start_date", "end_date")
            .values_list("teacher_id", "teacher__school_id", "start_date", "end_date")
        )
        meeting: dict[int, int] = {}
        current: tuple[int, int] | None = None
        intervals: list = []

        def close() -> None:
            if current and practice_days(intervals, ctx.first_day, ctx.last_day) >= PRACTICE_DAYS:
                meeting[current[1]] = meeting.get(current[1], 0) + 1

        for teacher_id, school_id, start, end in placements:
            if current is None or current[0] != teacher_id:
                close()
                current, intervals = (teacher_id, school_id), []
            intervals.append((start, end))
        close()
        return meeting

    meeting = ctx.memo("placements", query)
    teachers = _teachers(ctx)
    return school_or_region(ctx, level, {s: (meeting.get(s, 0), r["core"]) for s, r in teachers.items()})
