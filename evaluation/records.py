"""The records behind an indicator value: for every indicator key, the rows of the portal's own
records that produce its value for one subject and year, and how each row counts.

`records_for(key, subject, year, user)` answers a `Records`: a queryset of every record behind
the value (narrowed by `portal.scoping.restrict` of the records' own model), the columns to show,
and for each row what it adds to the numerator and to the denominator (`rec_num`, `rec_den`: 1 or 0
for counted rows, an amount for sums). Σ rec_num and Σ rec_den over the records reproduce the
stored numerator and denominator, because the selections below mirror the definitions of
INDICATORS.md as implemented in evaluation.indicators.teaching and .cooperation:

- snapshot records (teachers, courses, programs) are the current ones: active teachers, courses and
  programs of programs that are not closed;
- flow records (program years, contributions, services, usage, feedback) are those of year Y,
  whatever their program's status (program level: that program's);
- partnerships count when active in Y (agreed, and their dates overlap Y);
- a region is its subtree: the schools (enterprises, talent demands) of the region and its
  sub-regions; a consortium its member schools and enterprises.

Every records queryset costs a constant number of queries: count, one page, totals (and for teacher
practice one query of placements), whatever the number of records.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partnerships.choices import DEEP_KINDS, ContributionParty, PartnershipKind
from partnerships.models import (
    ConsortiumMember,
    Contribution,
    Partnership,
    Patent,
    ProjectAdoption,
    TalentDemand,
    TechnicalService,
    TrainingBaseUsage,
)
from partnerships.querysets import AGREED_STATUSES, active_in_q, dated_in_q
from portal.fields import choice_set_contains
from portal.models import Enterprise
from portal.scoping import region_subtree_q, restrict
from portal.years import academic_year_bounds
from programs.choices import Employment, ProgramStatus
from programs.models import Course, Program, ProgramYear, Teacher, TeacherPlacement

from .choices import Level
from .indicators.catalogue import REGISTRY
from .indicators.teaching import PRACTICE_DAYS, practice_days
from .models import FeedbackScore

PROGRAM = Level.PROGRAM.value
SCHOOL = Level.SCHOOL.value
CONSORTIUM = Level.CONSORTIUM.value
REGION = Level.REGION.value
REGION_SECTOR = Level.REGION_SECTOR.value

Number = int | Decimal


@dataclass(frozen=True)
class Subject:
    """What a value is about: the ids its level needs (program rows also carry their school)."""

    level: str
    program_id: int | None = None
    school_id: int | None = None
    consortium_id: int | None = None
    region_id: int | None = None
    sector_id: int | None = None

    @classmethod
    def of(cls, row) -> Subject:
        """The subject of an IndicatorValue (or Warning) row."""
        return cls(row.level, row.program_id, row.school_id, row.consortium_id, row.region_id, row.sector_id)


@dataclass(frozen=True)
class Col:
    """One column of the records table: a heading, the cell (an attribute path through relations,
    with choice labels, or a key of a values() row, or a callable), whether it is a number, the page a
    cell links to as (URL name, path of the pk), and the levels it is shown at (None: all)."""

    label: Any
    value: str | Callable[[Any], Any]
    numeric: bool = False
    link: tuple[str, str] | None = None
    levels: tuple[str, ...] | None = None

    def cell(self, obj) -> Any:
        if callable(self.value):
            return self.value(obj)
        return resolve(obj, self.value)


@dataclass(frozen=True)
class Part:
    """How rows count towards the numerator or the denominator: `flag` rows count 1 or 0 (shown as
    yes / no), the others add an amount; `what` says what is counted or summed."""

    what: Any
    flag: bool = True


def resolve(obj, path: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(path)
    for name in path.split("__"):
        if obj is None:
            return None
        display = getattr(obj, f"get_{name}_display", None)
        obj = display() if callable(display) else getattr(obj, name)
    return obj


@dataclass
class Records:
    """The records behind one value and how they count (see the module docstring)."""

    key: str
    subject: Subject
    year: int
    queryset: QuerySet
    columns: list[Col]
    numerator: Part
    denominator: Part | None
    decorate_rows: Callable[[list], None] | None = None
    compute_totals: Callable[[], tuple[Number | None, Number | None]] | None = None
    notes: list[Any] = field(default_factory=list)

    @property
    def definition(self):
        return REGISTRY[self.key]

    def rows(self, objects: Iterable) -> list:
        """Rows of the queryset (a page, or all of them) ready to be shown: with their counts."""
        rows = list(objects)
        if self.decorate_rows is not None and rows:
            self.decorate_rows(rows)
        return rows

    def contribution(self, row, which: str) -> Number | None:
        value = resolve(row, f"rec_{which}")
        return 0 if value is None else value

    def totals(self) -> tuple[Number | None, Number | None]:
        """Σ of what the records add to the numerator and the denominator (None: no denominator)."""
        if self.compute_totals is not None:
            return self.compute_totals()
        sums = {"num": Sum("rec_num")}
        if self.denominator is not None:
            sums["den"] = Sum("rec_den")
        totals = self.queryset.order_by().aggregate(**sums)
        num = totals["num"] or 0
        den = (totals["den"] or 0) if self.denominator is not None else None
        return num, den


# --- building blocks ------------------------------------------------------------------------------


def flag(condition: Q | Exists) -> Case:
    """1 for rows where the condition holds, else 0."""
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


ONE = Value(1, output_field=IntegerField())
ZERO = Value(0, output_field=IntegerField())
NOTHING_Q = Q(pk__in=[])


def subject_q(subject: Subject, school: str, program: str | None = None) -> Q:
    """Rows of the subject reached through the path to their school (and to their program)."""
    if subject.level == PROGRAM:
        if program is None:
            raise Http404
        return Q(**{program: subject.program_id})
    if subject.level == SCHOOL:
        return Q(**{school: subject.school_id})
    if subject.level == REGION:
        return region_subtree_q(subject.region_id, f"{school}__region")
    raise Http404


def member_ids(subject: Subject, kind: str) -> QuerySet:
    """The consortium's member schools (kind="school") or enterprises (kind="enterprise")."""
    return ConsortiumMember.objects.filter(
        consortium_id=subject.consortium_id, **{f"{kind}__isnull": False}
    ).values(f"{kind}_id")


def member_pair_q(subject: Subject, prefix: str = "") -> Q:
    """Partnerships between a member school and a member enterprise of the consortium."""
    return Q(**{f"{prefix}school__in": member_ids(subject, "school")}) & Q(
        **{f"{prefix}enterprise__in": member_ids(subject, "enterprise")}
    )


def scoped(queryset: QuerySet, user) -> QuerySet:
    return restrict(queryset, user)


def kinds_label(obj) -> str:
    labels = dict(PartnershipKind.choices)
    return ", ".join(str(labels.get(kind, kind)) for kind in (resolve(obj, "kinds") or []))


# Columns shared by several record kinds. SCHOOL_COL is shown where rows come from several schools.
ABOVE_SCHOOL = (REGION, CONSORTIUM, REGION_SECTOR)
ABOVE_PROGRAM = (SCHOOL, REGION, CONSORTIUM, REGION_SECTOR)


def school_col(path: str) -> Col:
    return Col(_("school"), path, link=("directory:school-detail", f"{path}_id"), levels=ABOVE_SCHOOL)


def program_col(path: str) -> Col:
    return Col(_("program"), path, link=("programs:program-detail", f"{path}_id"), levels=ABOVE_PROGRAM)


# --- courses (current, snapshot) ------------------------------------------------------------------


def _courses(subject: Subject, user, *, professional: bool) -> QuerySet:
    qs = Course.objects.exclude(program__status=ProgramStatus.CLOSED).filter(
        subject_q(subject, "program__school", "program")
    )
    if professional:
        qs = qs.filter(professional=True)
    return scoped(qs, user).select_related("program", "program__school", "co_developed_with").order_by(
        "program__school__name", "program__code", "code", "pk"
    )


COURSE_COLS = [
    school_col("program__school"),
    program_col("program"),
    Col(_("course code"), "code"),
    Col(_("name"), "name"),
]


def practical_hours_share(subject, year, user) -> Records:
    qs = _courses(subject, user, professional=False).annotate(
        rec_num=F("practice_hours"),
        rec_den=ExpressionWrapper(F("theory_hours") + F("practice_hours"), output_field=IntegerField()),
    )
    columns = [*COURSE_COLS, Col(_("professional course"), "professional"),
               Col(_("theory hours"), "theory_hours", numeric=True)]
    return Records("practical_hours_share", subject, year, qs, columns,
                   Part(_("practice hours"), flag=False), Part(_("theory + practice hours"), flag=False))


def codeveloped_course_share(subject, year, user) -> Records:
    qs = _courses(subject, user, professional=True).annotate(
        rec_num=flag(Q(co_developed_with__isnull=False)), rec_den=ONE
    )
    columns = [*COURSE_COLS, Col(_("co-developed with"), "co_developed_with")]
    return Records("codeveloped_course_share", subject, year, qs, columns,
                   Part(_("co-developed with an enterprise")), Part(_("current professional course")))


def project_teaching_share(subject, year, user) -> Records:
    adoptions = ProjectAdoption.objects.filter(course=OuterRef("pk"), year=year)
    qs = _courses(subject, user, professional=True).annotate(
        adoptions_in_year=Count("adoptions", filter=Q(adoptions__year=year), distinct=True),
        rec_num=flag(Exists(adoptions)),
        rec_den=ONE,
    )
    columns = [*COURSE_COLS, Col(_("project adoptions in the year"), "adoptions_in_year", numeric=True)]
    return Records("project_teaching_share", subject, year, qs, columns,
                   Part(_("enterprise project adopted in the year")), Part(_("current professional course")))


# --- program-year records (flow) ------------------------------------------------------------------


def _program_years(subject: Subject, user, years: Iterable[int]) -> QuerySet:
    if subject.level == REGION_SECTOR:
        raise Http404
    qs = ProgramYear.objects.filter(subject_q(subject, "program__school", "program"), year__in=list(years))
    return scoped(qs, user).select_related("program", "program__school").order_by(
        "program__school__name", "program__code", "year", "pk"
    )


PROGRAM_YEAR_COLS = [
    school_col("program__school"),
    program_col("program"),
    Col(_("major code"), "program__code"),
    Col(_("program status"), "program__status"),
]


def _program_year_records(key: str, num: str | tuple[str, str], den: str, num_part: Part, den_part: Part,
                          extra: list[Col]):
    def build(subject, year, user) -> Records:
        num_expr = F(num) if isinstance(num, str) else ExpressionWrapper(
            F(num[0]) + F(num[1]), output_field=IntegerField())
        qs = _program_years(subject, user, [year]).annotate(rec_num=num_expr, rec_den=F(den))
        return Records(key, subject, year, qs, [*PROGRAM_YEAR_COLS, *extra], num_part, den_part)

    return build


order_class_share = _program_year_records(
    "order_class_share", ("order_class_students", "apprentices"), "students",
    Part(_("order-class students + apprentices"), flag=False), Part(_("students"), flag=False),
    [Col(_("order-class students"), "order_class_students", numeric=True),
     Col(_("apprentices"), "apprentices", numeric=True)],
)
employment_rate = _program_year_records(
    "employment_rate", "employed", "graduates",
    Part(_("employed graduates"), flag=False), Part(_("graduates"), flag=False), [],
)
field_employment_rate = _program_year_records(
    "field_employment_rate", "employed_in_field", "employed",
    Part(_("employed in their field"), flag=False), Part(_("employed graduates"), flag=False),
    [Col(_("graduates"), "graduates", numeric=True)],
)
partner_employment_share = _program_year_records(
    "partner_employment_share", "employed_by_partners", "employed",
    Part(_("employed by partner enterprises"), flag=False), Part(_("employed graduates"), flag=False),
    [Col(_("graduates"), "graduates", numeric=True)],
)


def enrolment_change(subject, year, user) -> Records:
    """The program's records of Y and Y−1: Y adds its intake to the numerator, Y−1 subtracts its
    intake from it and is the denominator; without both records there is no value."""
    qs = _program_years(subject, user, [year - 1, year]).annotate(
        rec_num=Case(When(year=year, then=F("enrolled")), default=-F("enrolled"), output_field=IntegerField()),
        rec_den=Case(When(year=year - 1, then=F("enrolled")), default=ZERO, output_field=IntegerField()),
    )

    def totals():
        sums = qs.order_by().aggregate(
            num=Sum("rec_num"), den=Sum("rec_den"),
            current=Count("pk", filter=Q(year=year)), previous=Count("pk", filter=Q(year=year - 1)),
        )
        if not sums["current"] or not sums["previous"]:
            return None, None
        return sums["num"], sums["den"]

    columns = [*PROGRAM_YEAR_COLS, Col(_("academic year"), "year"), Col(_("new intake"), "enrolled", numeric=True)]
    return Records("enrolment_change", subject, year, qs, columns,
                   Part(_("new intake in Y, minus new intake in Y−1"), flag=False),
                   Part(_("new intake in Y−1"), flag=False), compute_totals=totals,
                   notes=[_("Without records for both years there is no value.")])


# --- teachers (active, snapshot) ------------------------------------------------------------------


def _teachers(subject: Subject, user, **filters) -> QuerySet:
    qs = Teacher.objects.filter(subject_q(subject, "school"), active=True, **filters)
    return scoped(qs, user).select_related("school").order_by("school__name", "staff_no", "pk")


TEACHER_COLS = [school_col("school"), Col(_("name"), "name"), Col(_("staff number"), "staff_no")]
CORE = {"employment": Employment.FULL_TIME, "professional": True}


def dual_qualified_ratio(subject, year, user) -> Records:
    qs = _teachers(subject, user, **CORE).annotate(rec_num=flag(Q(dual_qualified=True)), rec_den=ONE)
    columns = [*TEACHER_COLS, Col(_("dual-qualified level"), "dual_qualified_level"),
               Col(_("dual-qualified since"), "dual_qualified_since")]
    return Records("dual_qualified_ratio", subject, year, qs, columns,
                   Part(_("dual-qualified")), Part(_("active full-time professional teacher")))


def part_time_teacher_ratio(subject, year, user) -> Records:
    qs = _teachers(subject, user, employment__in=[Employment.FULL_TIME, Employment.PART_TIME_INDUSTRY]).annotate(
        rec_num=flag(Q(employment=Employment.PART_TIME_INDUSTRY)),
        rec_den=flag(Q(employment=Employment.FULL_TIME)),
    ).select_related("employer")
    columns = [*TEACHER_COLS, Col(_("employment"), "employment"), Col(_("employer"), "employer")]
    return Records("part_time_teacher_ratio", subject, year, qs, columns,
                   Part(_("active part-time industry teacher")), Part(_("active full-time teacher")))


def teacher_practice_rate(subject, year, user) -> Records:
    """Active full-time professional teachers and their verified placement days inside Y (clipped to
    the year, overlaps counted once: evaluation.indicators.teaching.practice_days)."""
    first, last = academic_year_bounds(year)
    qs = _teachers(subject, user, **CORE).annotate(rec_den=ONE)

    def days_by_teacher(teachers) -> dict[int, tuple[int, int]]:
        """teacher id → (verified placement days in Y, number of such placements): one query."""
        placements = (
            TeacherPlacement.objects.filter(
                teacher__in=teachers, verified=True, start_date__lte=last, end_date__gte=first
            )
            .order_by("teacher_id", "start_date", "end_date")
            .values_list("teacher_id", "start_date", "end_date")
        )
        intervals: dict[int, list] = {}
        for teacher_id, start, end in placements:
            intervals.setdefault(teacher_id, []).append((start, end))
        return {t: (practice_days(spans, first, last), len(spans)) for t, spans in intervals.items()}

    def decorate(rows: list) -> None:
        found = days_by_teacher([row.pk for row in rows])
        for row in rows:
            row.practice_days, row.placement_count = found.get(row.pk, (0, 0))
            row.rec_num = 1 if row.practice_days >= PRACTICE_DAYS else 0

    def totals():
        found = days_by_teacher(qs.order_by().values("pk"))
        meeting = sum(1 for days, _n in found.values() if days >= PRACTICE_DAYS)
        return meeting, qs.order_by().count()

    columns = [*TEACHER_COLS,
               Col(_("verified placements in the year"), "placement_count", numeric=True),
               Col(_("verified placement days in the year"), "practice_days", numeric=True)]
    return Records("teacher_practice_rate", subject, year, qs, columns,
                   Part(_("at least 30 verified days in the year")), Part(_("active full-time professional teacher")),
                   decorate_rows=decorate, compute_totals=totals)


# --- programs and partnerships --------------------------------------------------------------------


def program_partnership_rate(subject, year, user) -> Records:
    linked = Partnership.objects.filter(active_in_q(year), programs=OuterRef("pk"))
    qs = scoped(
        Program.objects.exclude(status=ProgramStatus.CLOSED).filter(subject_q(subject, "school")), user
    ).select_related("school").annotate(
        partnerships_in_year=Count("partnerships", filter=active_in_q(year, "partnerships__"), distinct=True),
        rec_num=flag(Exists(linked)),
        rec_den=ONE,
    ).order_by("school__name", "code", "pk")
    columns = [school_col("school"), Col(_("major code"), "code"),
               Col(_("name"), "name", link=("programs:program-detail", "pk")), Col(_("status"), "status"),
               Col(_("partnerships active in the year"), "partnerships_in_year", numeric=True)]
    return Records("program_partnership_rate", subject, year, qs, columns,
                   Part(_("linked to a partnership active in the year")), Part(_("current program")))


PARTNERSHIP_COLS = [
    school_col("school"),
    Col(_("enterprise"), "enterprise", link=("directory:enterprise-detail", "enterprise_id")),
    Col(_("title"), "title", link=("partnerships:partnership-detail", "pk")),
    Col(_("kinds of cooperation"), kinds_label),
    Col(_("status"), "status"),
    Col(_("start date"), "start_date"),
    Col(_("end date"), "end_date"),
]


def deep_cooperation_share(subject, year, user) -> Records:
    qs = Partnership.objects.filter(active_in_q(year))
    if subject.level == CONSORTIUM:
        qs = qs.filter(member_pair_q(subject))
    else:
        qs = qs.filter(subject_q(subject, "school"))
    deep = reduce(or_, (choice_set_contains("kinds", kind) for kind in DEEP_KINDS))
    qs = scoped(qs, user).select_related("school", "enterprise").annotate(
        rec_num=flag(deep), rec_den=ONE
    ).order_by("school__name", "enterprise__name", "start_date", "pk")
    return Records("deep_cooperation_share", subject, year, qs, list(PARTNERSHIP_COLS),
                   Part(_("has a deep kind of cooperation")), Part(_("partnership active in the year")))


def _contributions(subject: Subject, year: int, user, **filters) -> QuerySet:
    qs = Contribution.objects.filter(dated_in_q(year), partnership__status__in=AGREED_STATUSES, **filters)
    if subject.level == CONSORTIUM:
        qs = qs.filter(member_pair_q(subject, "partnership__"))
    else:
        qs = qs.filter(subject_q(subject, "partnership__school"))
    return scoped(qs, user).select_related("partnership", "partnership__school", "partnership__enterprise").order_by(
        "partnership__school__name", "date", "pk"
    )


CONTRIBUTION_COLS = [
    school_col("partnership__school"),
    Col(_("partnership"), "partnership__title", link=("partnerships:partnership-detail", "partnership_id")),
    Col(_("enterprise"), "partnership__enterprise"),
    Col(_("date"), "date"),
    Col(_("party"), "party"),
    Col(_("kind"), "kind"),
    Col(_("note"), "note"),
]
MONEY = DecimalField(max_digits=16, decimal_places=2)


def enterprise_contribution(subject, year, user) -> Records:
    qs = _contributions(subject, year, user, party=ContributionParty.ENTERPRISE).annotate(rec_num=F("value"))
    return Records("enterprise_contribution", subject, year, qs, list(CONTRIBUTION_COLS),
                   Part(_("value (CNY)"), flag=False), None)


def enterprise_contribution_share(subject, year, user) -> Records:
    qs = _contributions(subject, year, user).annotate(
        rec_num=Case(When(party=ContributionParty.ENTERPRISE, then=F("value")), default=Value(Decimal(0)),
                     output_field=MONEY),
        rec_den=F("value"),
    )
    return Records("enterprise_contribution_share", subject, year, qs, list(CONTRIBUTION_COLS),
                   Part(_("value put in by the enterprise party (CNY)"), flag=False),
                   Part(_("value (CNY)"), flag=False))


def technical_service_revenue(subject, year, user) -> Records:
    qs = scoped(TechnicalService.objects.filter(subject_q(subject, "school"), year=year), user).select_related(
        "school", "enterprise").annotate(rec_num=F("amount")).order_by("school__name", "title", "pk")
    columns = [school_col("school"), Col(_("title"), "title"), Col(_("enterprise"), "enterprise")]
    return Records("technical_service_revenue", subject, year, qs, columns,
                   Part(_("amount received (CNY)"), flag=False), None)


def patent_conversion_rate(subject, year, user) -> Records:
    _first, last = academic_year_bounds(year)
    qs = scoped(Patent.objects.filter(subject_q(subject, "school"), granted_on__lte=last), user).select_related(
        "school", "licensee").annotate(
        rec_num=flag(Q(transferred_on__lte=last)), rec_den=ONE
    ).order_by("school__name", "granted_on", "number", "pk")
    columns = [school_col("school"), Col(_("patent number"), "number"), Col(_("title"), "title"),
               Col(_("granted on"), "granted_on"), Col(_("transferred or licensed on"), "transferred_on"),
               Col(_("licensee"), "licensee")]
    return Records("patent_conversion_rate", subject, year, qs, columns,
                   Part(_("transferred or licensed by the end of the year")),
                   Part(_("granted by the end of the year")))


# --- training bases -------------------------------------------------------------------------------


def _usage(subject: Subject, year: int, user) -> QuerySet:
    qs = TrainingBaseUsage.objects.filter(year=year)
    if subject.level == CONSORTIUM:
        qs = qs.filter(
            Q(base__consortium_id=subject.consortium_id)
            | Q(base__school__in=member_ids(subject, "school"))
            | Q(base__enterprise__in=member_ids(subject, "enterprise"))
        )
    else:
        qs = qs.filter(base__school__isnull=False).filter(subject_q(subject, "base__school"))
    return scoped(qs, user).select_related(
        "base", "base__school", "base__enterprise", "base__consortium"
    ).order_by("base__name", "pk")


def base_owner(obj) -> Any:
    base = obj.base
    return base.school or base.enterprise or base.consortium


USAGE_COLS = [
    Col(_("training base"), "base__name"),
    Col(_("owner"), base_owner, levels=ABOVE_SCHOOL),
    Col(_("internal hours"), "internal_hours", numeric=True),
    Col(_("external (social training) hours"), "external_hours", numeric=True),
]
USED = ExpressionWrapper(F("internal_hours") + F("external_hours"), output_field=IntegerField())


def training_base_utilisation(subject, year, user) -> Records:
    qs = _usage(subject, year, user).annotate(rec_num=USED, rec_den=F("base__capacity_hours"))
    return Records("training_base_utilisation", subject, year, qs, list(USAGE_COLS),
                   Part(_("hours used (internal + external)"), flag=False),
                   Part(_("capacity (hours per year)"), flag=False))


def social_training_share(subject, year, user) -> Records:
    qs = _usage(subject, year, user).annotate(rec_num=F("external_hours"), rec_den=USED)
    return Records("social_training_share", subject, year, qs, list(USAGE_COLS),
                   Part(_("external (social training) hours"), flag=False),
                   Part(_("hours used (internal + external)"), flag=False))


# --- feedback -------------------------------------------------------------------------------------


def feedback_about(feedback) -> Any:
    return feedback.program or feedback.partnership


def enterprise_satisfaction(subject, year, user) -> Records:
    qs = FeedbackScore.objects.filter(feedback__year=year)
    if subject.level == PROGRAM:
        qs = qs.filter(feedback__program_id=subject.program_id)
    else:
        qs = qs.filter(subject_q(subject, "feedback__program__school")
                       | subject_q(subject, "feedback__partnership__school"))
    qs = scoped(qs, user).select_related(
        "feedback", "feedback__enterprise", "feedback__program", "feedback__program__school",
        "feedback__partnership", "feedback__partnership__school",
    ).annotate(rec_num=F("score"), rec_den=ONE).order_by("feedback__id", "dimension", "pk")
    columns = [
        Col(_("school"), lambda s: (s.feedback.program or s.feedback.partnership).school, levels=ABOVE_SCHOOL),
        Col(_("about"), lambda s: feedback_about(s.feedback), levels=ABOVE_PROGRAM),
        Col(_("from"), lambda s: s.feedback.enterprise or s.feedback.evaluator),
        Col(_("dimension"), "dimension"),
    ]
    return Records("enterprise_satisfaction", subject, year, qs, columns,
                   Part(_("score (1–5)"), flag=False), Part(_("score counted")))


# --- consortia, regions ---------------------------------------------------------------------------


def consortium_active_share(subject, year, user) -> Records:
    if subject.level != CONSORTIUM:
        raise Http404
    active = Partnership.objects.filter(
        active_in_q(year),
        enterprise=OuterRef("enterprise_id"),
        school__memberships__consortium=OuterRef("consortium_id"),
    )
    qs = scoped(ConsortiumMember.objects.filter(consortium_id=subject.consortium_id, enterprise__isnull=False),
                user).select_related("enterprise").annotate(rec_num=flag(Exists(active)), rec_den=ONE).order_by(
        "enterprise__name", "pk")
    columns = [Col(_("enterprise"), "enterprise", link=("directory:enterprise-detail", "enterprise_id")),
               Col(_("member role"), "role"), Col(_("joined on"), "joined_on")]
    return Records("consortium_active_share", subject, year, qs, columns,
                   Part(_("partnership active in the year with a member school")), Part(_("member enterprise")))


def certified_enterprises(subject, year, user) -> Records:
    if subject.level != REGION:
        raise Http404
    qs = scoped(Enterprise.objects.filter(region_subtree_q(subject.region_id), integration_certified=True),
                user).select_related("region", "sector").annotate(rec_num=ONE).order_by("name", "pk")
    columns = [Col(_("name"), "name", link=("directory:enterprise-detail", "pk")),
               Col(_("unified social credit code"), "credit_code"), Col(_("region"), "region"),
               Col(_("sector"), "sector"), Col(_("size"), "size")]
    return Records("certified_enterprises", subject, year, qs, columns,
                   Part(_("certified integration enterprise")), None)


def supply_demand_ratio(subject, year, user) -> Records:
    """Program years of Y of the sector's programs at the region's schools (graduates: numerator) and
    talent demands of Y of the sector in the region (headcount: denominator), as one table."""
    if subject.level != REGION_SECTOR:
        raise Http404
    text = CharField()
    supply = scoped(ProgramYear.objects.filter(
        region_subtree_q(subject.region_id, "program__school__region"), program__sector_id=subject.sector_id,
        year=year), user).annotate(
        r_kind=Value("supply", output_field=text),
        r_org=F("program__school__name"),
        r_item=F("program__name"),
        r_code=F("program__code"),
        r_region=F("program__school__region__name"),
        rec_num=F("graduates"),
        rec_den=ZERO,
        r_pk=F("pk"),
    )
    demand = scoped(TalentDemand.objects.filter(
        region_subtree_q(subject.region_id), sector_id=subject.sector_id, year=year), user).annotate(
        r_kind=Value("demand", output_field=text),
        r_org=F("enterprise__name"),
        r_item=F("position"),
        r_code=Value("", output_field=text),
        r_region=F("region__name"),
        rec_num=ZERO,
        rec_den=F("headcount"),
        r_pk=F("pk"),
    )
    names = ("r_kind", "r_org", "r_item", "r_code", "r_region", "rec_num", "rec_den", "r_pk")
    qs = supply.order_by().values(*names).union(demand.order_by().values(*names), all=True).order_by(
        "-r_kind", "r_org", "r_item", "r_pk")

    def totals():
        graduates = supply.order_by().aggregate(n=Sum("graduates"))["n"] or 0
        headcount = demand.order_by().aggregate(n=Sum("headcount"))["n"] or 0
        return graduates, headcount

    kinds = {"supply": _("graduates of a program"), "demand": _("talent demand")}
    columns = [Col(_("record"), lambda r: kinds.get(r["r_kind"], r["r_kind"])),
               Col(_("school or enterprise"), "r_org"), Col(_("program or position"), "r_item"),
               Col(_("major code"), "r_code"), Col(_("region"), "r_region")]
    return Records("supply_demand_ratio", subject, year, qs, columns,
                   Part(_("graduates"), flag=False), Part(_("talent demand headcount"), flag=False),
                   compute_totals=totals)


BUILDERS: dict[str, Callable[[Subject, int, Any], Records]] = {
    "practical_hours_share": practical_hours_share,
    "dual_qualified_ratio": dual_qualified_ratio,
    "teacher_practice_rate": teacher_practice_rate,
    "part_time_teacher_ratio": part_time_teacher_ratio,
    "program_partnership_rate": program_partnership_rate,
    "deep_cooperation_share": deep_cooperation_share,
    "codeveloped_course_share": codeveloped_course_share,
    "project_teaching_share": project_teaching_share,
    "order_class_share": order_class_share,
    "employment_rate": employment_rate,
    "field_employment_rate": field_employment_rate,
    "partner_employment_share": partner_employment_share,
    "enrolment_change": enrolment_change,
    "enterprise_contribution": enterprise_contribution,
    "enterprise_contribution_share": enterprise_contribution_share,
    "technical_service_revenue": technical_service_revenue,
    "patent_conversion_rate": patent_conversion_rate,
    "training_base_utilisation": training_base_utilisation,
    "social_training_share": social_training_share,
    "enterprise_satisfaction": enterprise_satisfaction,
    "consortium_active_share": consortium_active_share,
    "supply_demand_ratio": supply_demand_ratio,
    "certified_enterprises": certified_enterprises,
}
assert BUILDERS.keys() == REGISTRY.keys()


def records_for(key: str, subject: Subject, year: int, user) -> Records:
    """The records behind `key` for the subject and year that `user` may see (Http404 for a key or
    level the catalogue does not have)."""
    definition = REGISTRY.get(key)
    if definition is None or subject.level not in definition.levels:
        raise Http404
    records = BUILDERS[key](subject, year, user)
    records.columns = [c for c in records.columns if c.levels is None or subject.level in c.levels]
    return records


def headers(records: Records) -> list[str]:
    """The table's column headings as text (the contribution columns included)."""
    labels = [capfirst(str(c.label)) for c in records.columns]
    labels.append(gettext("Numerator: %(what)s") % {"what": records.numerator.what})
    if records.denominator is not None:
        labels.append(gettext("Denominator: %(what)s") % {"what": records.denominator.what})
    return labels


__all__ = ["BUILDERS", "Col", "Part", "Records", "Subject", "headers", "records_for", "resolve"]
