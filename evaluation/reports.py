"""The annual report: one school's or one region's industry-education integration in one academic
year, as a printable web page and as a PDF made from the same HTML.

A report reads only what published runs stored (indicator values, warnings, program advice) and the
partnership records of the year; it never recomputes an indicator. Every read goes through
portal.scoping.restrict, and the subjects a user may report on are narrowed the same way: a college
administrator their own school, a reviewer the schools and regions of their region's subtree, a
platform administrator all; any other subject answers 404. A report costs a fixed number of queries
whatever the number of schools.

Charts are drawn on the server as small inline SVGs (a trend sparkline per indicator with a dashed
target line, bars in the rankings), so they print and go into the PDF without JavaScript; the
numbers behind each chart are in a table beside it. The PDF is rendered by WeasyPrint, imported
only when a PDF is asked for: a server without it (or without the pango library it needs) answers
503 and the pages keep working.
"""
from __future__ import annotations

import logging
from collections import Counter
from functools import reduce
from operator import or_

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Sum, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerships.choices import DEEP_KINDS, ContributionParty, PartnershipKind
from partnerships.models import Partnership
from partnerships.querysets import active_in_q, dated_in_q
from portal.choices import Role
from portal.fields import choice_set_contains
from portal.models import Region, School
from portal.scoping import VIEW, region_subtree_q, restrict
from programs.models import Program

from .choices import UNRESOLVED_WARNING_STATUSES, Condition, Level, Recommendation, Severity
from .indicators.catalogue import BAND, CNY, COUNT, MAX, MIN, RATIO, REGISTRY, SCORE
from .models import EvaluationRun, IndicatorValue, ProgramRecommendation
from .models import Warning as IndicatorWarning
from .pages import NO_DATA, format_number, format_target, indicator_name, value_state

logger = logging.getLogger(__name__)

TREND_YEARS = 5  # published years shown in a trend, ending with the report's year
# The indicators schools and sub-regions are ranked by in a region's report (catalogue keys).
KEY_INDICATORS = ("employment_rate", "dual_qualified_ratio", "deep_cooperation_share", "practical_hours_share")
REGION_WARNING_LIST = 30  # warnings listed in a region's report (all are counted)
ADVICE = (Recommendation.ENROLMENT_REDUCED, Recommendation.SUSPENDED)
# A school's partnerships (through the `partnerships` relation) with at least one deep kind.
DEEP_PARTNERSHIPS_Q = reduce(or_, (choice_set_contains("partnerships__kinds", kind) for kind in DEEP_KINDS))
PARTIES = tuple(ContributionParty)
SEVERITY_RANK = Case(When(severity=Severity.HIGH, then=Value(0)), default=Value(1), output_field=IntegerField())
LEVEL_RANK = Case(When(level=Level.REGION, then=Value(0)), When(level=Level.SCHOOL, then=Value(1)),
                  default=Value(2), output_field=IntegerField())
PDF_STYLESHEETS = ("portal/portal.css", "portal/reports.css", "portal/print.css")
PDF_UNAVAILABLE = gettext_lazy("PDF generation is not available on this server (WeasyPrint/pango missing).")


# --- who may report on what -----------------------------------------------------------------------


def report_schools(user) -> QuerySet:
    """The schools `user` may read a report of: a college administrator their own, a reviewer those
    of their region's subtree, a platform administrator all (schools themselves are public, so the
    report narrows them by the role's scope)."""
    schools = restrict(School.objects.select_related("region", "region__parent"), user, VIEW)
    if user.role == Role.PLATFORM_ADMIN:
        return schools
    if user.role == Role.GOV_REVIEWER and user.region_id:
        return schools.filter(region_subtree_q(user.region_id))
    if user.role == Role.COLLEGE_ADMIN and user.school_id:
        return schools.filter(pk=user.school_id)
    return schools.none()


def report_regions(user) -> QuerySet:
    """The regions `user` may read a report of: a reviewer their region and its sub-regions, a
    platform administrator all."""
    regions = restrict(Region.objects.select_related("parent"), user, VIEW)
    if user.role == Role.PLATFORM_ADMIN:
        return regions
    if user.role == Role.GOV_REVIEWER and user.region_id:
        return regions.filter(region_subtree_q(user.region_id, path=""))
    return regions.none()


def published_years(user) -> list[int]:
    """The academic years that have a published run, oldest first (one query)."""
    runs = restrict(EvaluationRun.objects.filter(published=True), user, VIEW)
    return sorted(set(runs.values_list("year", flat=True)))


def year_label(year: int) -> str:
    return f"{year}–{year + 1}"


# --- formatting and charts ------------------------------------------------------------------------


def format_change(unit: str, delta: float | None) -> str:
    """A change from last year as people read it: percentage points for ratios."""
    if delta is None:
        return "—"
    magnitude = abs(delta)
    if unit == RATIO:
        number = f"{magnitude * 100:.1f}".removesuffix(".0")
    elif unit in (CNY, COUNT):
        number = f"{magnitude:,.0f}"
    else:
        number = f"{magnitude:.2f}"
    sign = "±" if number.strip("0.") == "" else "+" if delta > 0 else "−"
    if unit == RATIO:
        return sign + _("%(n)s pp") % {"n": number}
    return f"{sign}¥{number}" if unit == CNY else f"{sign}{number}"


def change_tone(direction: str | None, delta: float | None) -> str:
    """Whether a change moved the value the way its target wants: "ok", "bad" or "" (neutral)."""
    if not delta or direction not in (MIN, MAX):
        return ""
    better = delta > 0 if direction == MIN else delta < 0
    return "ok" if better else "bad"


SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 34, 4


# The smallest span a trend's vertical axis shows, so that noise does not look like a swing: 10
# percentage points for ratios, half a point for scores, a tenth of the largest value otherwise.
MIN_SPAN = {RATIO: 0.10, SCORE: 0.5}


def sparkline(values: list[float | None], target: float | None = None, upper: float | None = None,
              unit: str = RATIO) -> dict | None:
    """Coordinates of a small trend line (one point per year, gaps skipped) and of the target line(s),
    in a SPARK_WIDTH × SPARK_HEIGHT box; None when no year has a value."""
    present = [(index, value) for index, value in enumerate(values) if value is not None]
    if not present:
        return None
    marks = [value for _, value in present] + [t for t in (target, upper) if t is not None]
    low, high = min(marks), max(marks)
    span = MIN_SPAN.get(unit) or max(abs(low), abs(high)) / 10 or 1.0
    if high - low < span:
        middle = (high + low) / 2
        low, high = middle - span / 2, middle + span / 2
    inner_w, inner_h = SPARK_WIDTH - 2 * SPARK_PAD, SPARK_HEIGHT - 2 * SPARK_PAD

    def x(index: int) -> float:
        if len(values) == 1:
            return SPARK_PAD + inner_w / 2
        return round(SPARK_PAD + index * inner_w / (len(values) - 1), 1)

    def y(value: float) -> float:
        return round(SPARK_PAD + (high - value) / (high - low) * inner_h, 1)

    dots = [{"x": x(index), "y": y(value)} for index, value in present]
    return {
        "width": SPARK_WIDTH, "height": SPARK_HEIGHT,
        "points": " ".join(f"{dot['x']},{dot['y']}" for dot in dots),
        "dots": dots, "last": dots[-1],
        "target_y": y(target) if target is not None else None,
        "upper_y": y(upper) if upper is not None else None,
    }


BAR_WIDTH = 90


def bar(value: float | None, scale: float, target: float | None = None) -> dict | None:
    """A horizontal bar (and the target's mark) for a value on a 0…scale axis, BAR_WIDTH wide."""
    if value is None or scale <= 0:
        return None
    width = max(0.0, min(1.0, value / scale)) * BAR_WIDTH
    mark = None if target is None or target < 0 else round(min(1.0, target / scale) * BAR_WIDTH, 1)
    return {"width": BAR_WIDTH, "length": round(width, 1), "target_x": mark}


def _bar_scale(unit: str, numbers) -> float:
    numbers = [n for n in numbers if n is not None]
    if unit == RATIO:
        return max([1.0, *numbers])
    return max(numbers, default=0.0)


# --- indicator tables -----------------------------------------------------------------------------


def _definition_target(definition) -> tuple[float | None, float | None]:
    if isinstance(definition.target, tuple):
        return definition.target
    return definition.target, None


def indicator_rows(values, level: str, year: int, trend_years: list[int]) -> list[dict]:
    """One row per indicator of `level` (catalogue order): the value of `year` against the target
    stored with it, last year's value and the change, and the trend over `trend_years`."""
    by_key_year = {(row.indicator, row.year): row for row in values}
    rows = []
    for key, definition in REGISTRY.items():
        if level not in definition.levels:
            continue
        current, previous = by_key_year.get((key, year)), by_key_year.get((key, year - 1))
        if current is not None:
            target, upper = current.target, current.target_upper
            state, state_label, tone = value_state(current)
        else:
            target, upper = _definition_target(definition) if definition.direction else (None, None)
            state, state_label, tone = NO_DATA
        value = current.value if current is not None else None
        last = previous.value if previous is not None else None
        delta = value - last if value is not None and last is not None else None
        trend = [by_key_year.get((key, trend_year)) for trend_year in trend_years]
        trend_values = [row.value if row is not None else None for row in trend]
        target_text = format_target(definition, target, upper)
        described = "; ".join(
            f"{year_label(trend_year)}: {format_number(definition.unit, number)}"
            for trend_year, number in zip(trend_years, trend_values, strict=True)
        )
        if target_text:
            described += "; " + _("target %(target)s") % {"target": target_text}
        rows.append({
            "key": key,
            "name": indicator_name(definition),
            "unit": definition.unit,
            "formula": definition.formula,
            "value": format_number(definition.unit, value),
            "raw": value,
            "target": target_text or "—",
            "state": state, "state_label": state_label, "tone": tone,
            "last": format_number(definition.unit, last),
            "change": format_change(definition.unit, delta),
            "change_tone": change_tone(definition.direction, delta),
            # "n of d" for ratios (a score's sum and count, or a sum of money, say nothing more)
            "numerator": current.numerator if current is not None and definition.unit == RATIO else None,
            "denominator": current.denominator if current is not None and definition.unit == RATIO else None,
            "trend": [format_number(definition.unit, number) for number in trend_values],
            "spark": sparkline(
                trend_values,
                target if definition.direction in (MIN, MAX, BAND) else None,
                upper if definition.direction == BAND else None,
                definition.unit,
            ),
            "spark_label": described,
        })
    return rows


def _values(user, year: int, trend_years: list[int], **subject) -> list[IndicatorValue]:
    years = sorted({*trend_years, year, year - 1})
    return list(restrict(IndicatorValue.objects.published().filter(year__in=years, **subject), user, VIEW))


def _summary(rows: list[dict]) -> dict:
    states = Counter(row["state"] for row in rows)
    return {"meets": states["meets"], "misses": states["misses"] + states["misses_badly"],
            "misses_badly": states["misses_badly"], "no_data": states["no_data"]}


# --- warnings, advice, partnerships ---------------------------------------------------------------


def _warning_row(warning) -> dict:
    definition = REGISTRY[warning.indicator]
    if warning.level == Level.PROGRAM and warning.program is not None:
        subject = f"{warning.program.name} ({warning.program.code})"
    elif warning.level == Level.SCHOOL and warning.school is not None:
        subject = warning.school.name
    elif warning.level == Level.CONSORTIUM and warning.consortium is not None:
        subject = warning.consortium.name
    elif warning.level == Level.REGION_SECTOR and warning.sector is not None:
        subject = f"{warning.region.display_name} × {warning.sector.display_name}"
    elif warning.region is not None:
        subject = warning.region.display_name
    else:
        subject = "—"
    return {
        "warning": warning, "name": indicator_name(definition), "subject": subject,
        "value": format_number(definition.unit, warning.value),
        "target": format_target(definition, warning.target, warning.target_upper) or "—",
    }


def _recommendation_rows(queryset) -> list:
    labels = dict(Condition.choices)
    rows = list(queryset.select_related("program", "school").order_by("-recommendation", "school__name",
                                                                     "program__code"))
    for row in rows:
        row.condition_labels = [labels.get(condition, condition) for condition in row.conditions]
    return rows


def _party_sums(year: int) -> dict:
    """Contributions dated in the year, per party, as annotations or aggregates of partnerships."""
    in_year = dated_in_q(year, "contributions__date")
    return {
        f"{party.value}_total": Sum("contributions__value", filter=in_year & Q(contributions__party=party.value))
        for party in PARTIES
    }


def _kind_labels(kinds) -> list[dict]:
    labels = dict(PartnershipKind.choices)
    deep = {str(kind) for kind in DEEP_KINDS}
    return [{"label": labels.get(kind, kind), "deep": kind in deep} for kind in kinds]


def _money(value) -> str:
    return format_number(CNY, float(value or 0))


def school_partnerships(user, school: School, year: int) -> dict:
    """The school's partnerships active in the year with their kinds, depth and the contributions of
    each party dated in the year (two queries)."""
    partnerships = list(
        restrict(Partnership.objects.active_in(year).filter(school=school), user, VIEW)
        .select_related("enterprise")
        .prefetch_related(Prefetch("programs", queryset=Program.objects.order_by("code")))
        .annotate(**_party_sums(year))
        .order_by("enterprise__name", "start_date", "pk")
    )
    totals = dict.fromkeys((party.value for party in PARTIES), 0)
    deep_count = 0
    for partnership in partnerships:
        partnership.kind_labels = _kind_labels(partnership.kinds)
        partnership.deep = any(kind["deep"] for kind in partnership.kind_labels)
        deep_count += partnership.deep
        sums = [getattr(partnership, f"{party.value}_total") or 0 for party in PARTIES]
        partnership.party_sums = [_money(value) for value in sums]
        partnership.total = _money(sum(sums))
        for party, value in zip(PARTIES, sums, strict=True):
            totals[party.value] += value
    return {
        "rows": partnerships, "count": len(partnerships), "deep": deep_count,
        "shallow": len(partnerships) - deep_count,
        "deep_share": format_number(RATIO, deep_count / len(partnerships)) if partnerships else "—",
        "parties": [party.label for party in PARTIES],
        "totals": [_money(totals[party.value]) for party in PARTIES],
        "total": _money(sum(totals.values())),
    }


def region_partnerships(user, region: Region, year: int) -> dict:
    """Partnerships of the region's schools active in the year: how many of each kind, how many deep,
    and what each party put in during the year (two queries)."""
    active = restrict(
        Partnership.objects.active_in(year).filter(region_subtree_q(region.pk, "school__region")), user, VIEW
    )
    kinds = list(active.values_list("kinds", flat=True))
    sums = active.aggregate(**_party_sums(year))
    deep = {str(kind) for kind in DEEP_KINDS}
    counts = Counter(kind for row in kinds for kind in row)
    deep_count = sum(1 for row in kinds if deep.intersection(row))
    scale = max(counts.values(), default=0)
    by_kind = [
        {"label": label, "deep": value in deep, "count": counts[value], "bar": bar(counts[value], scale)}
        for value, label in PartnershipKind.choices
    ]
    by_kind.sort(key=lambda row: (-row["count"], row["label"]))
    values = [sums[f"{party.value}_total"] or 0 for party in PARTIES]
    return {
        "count": len(kinds), "deep": deep_count, "shallow": len(kinds) - deep_count,
        "deep_share": format_number(RATIO, deep_count / len(kinds)) if kinds else "—",
        "by_kind": by_kind,
        "parties": [party.label for party in PARTIES],
        "totals": [_money(value) for value in values],
        "total": _money(sum(values)),
    }


# --- the two reports ------------------------------------------------------------------------------


def _frame(user, year: int) -> dict:
    """What every report shows around its subject: the year, the published run, the trend years."""
    if not 1950 <= year <= 2100:
        raise Http404
    runs = {run.year: run for run in restrict(EvaluationRun.objects.filter(published=True), user, VIEW)}
    years = sorted(runs)
    return {
        "year": year, "year_label": year_label(year), "run": runs.get(year),
        "trend_years": [y for y in years if y <= year][-TREND_YEARS:],
        "years": years,
        "generated": timezone.localtime(),
    }


def school_report(user, school: School, year: int) -> dict:
    """Everything a school's report shows, in a constant number of queries."""
    report = _frame(user, year)
    trend_years = report["trend_years"]
    values = _values(user, year, trend_years, level=Level.SCHOOL, school=school)
    rows = indicator_rows(values, Level.SCHOOL, year, trend_years)
    warnings = list(
        restrict(IndicatorWarning.objects.filter(school=school, year=year, status__in=UNRESOLVED_WARNING_STATUSES),
                 user, VIEW)
        .select_related("school", "program")
        .order_by(SEVERITY_RANK, LEVEL_RANK, "indicator", "program__code", "pk")
    )
    severities = Counter(warning.severity for warning in warnings)
    recommendations = _recommendation_rows(restrict(
        ProgramRecommendation.objects.published().filter(year=year, school=school, recommendation__in=ADVICE),
        user, VIEW,
    ))
    return {
        **report,
        "kind": "school", "subject": school, "subject_name": school.name,
        "indicators": rows, "summary": _summary(rows),
        "warnings": {
            "rows": [_warning_row(warning) for warning in warnings], "count": len(warnings),
            "high": severities[Severity.HIGH], "medium": severities[Severity.MEDIUM],
            "acknowledged": sum(1 for warning in warnings if warning.status == "acknowledged"),
        },
        "recommendations": recommendations,
        "partnerships": school_partnerships(user, school, year),
    }


def _ranks(schools: list, key: str) -> None:
    """Rank schools by one indicator (1 = best for its direction; equal values share a rank)."""
    direction = REGISTRY[key].direction
    valued = [school for school in schools if school.key_values[key] is not None]
    valued.sort(key=lambda school: school.key_values[key], reverse=direction != MAX)
    rank, previous = 0, object()
    for position, school in enumerate(valued, start=1):
        if school.key_values[key] != previous:
            rank, previous = position, school.key_values[key]
        school.ranks[key] = rank


def region_report(user, region: Region, year: int) -> dict:
    """Everything a region's report shows, in a constant number of queries."""
    report = _frame(user, year)
    trend_years = report["trend_years"]
    values = _values(user, year, trend_years, level=Level.REGION, region=region)
    rows = indicator_rows(values, Level.REGION, year, trend_years)

    sectors = []
    for value in restrict(
        IndicatorValue.objects.published().filter(level=Level.REGION_SECTOR, region=region, year=year), user, VIEW
    ).select_related("sector").order_by("sector__code"):
        definition = value.definition
        state, state_label, tone = value_state(value)
        sectors.append({
            "sector": value.sector, "value": format_number(definition.unit, value.value),
            "supply": format_number(COUNT, float(value.numerator) if value.numerator is not None else None),
            "demand": format_number(COUNT, float(value.denominator) if value.denominator is not None else None),
            "target": format_target(definition, value.target, value.target_upper) or "—",
            "state": state, "state_label": state_label, "tone": tone,
        })

    # Schools of the region and its sub-regions, ranked by the key indicators.
    in_year = active_in_q(year, "partnerships__")
    schools = list(
        restrict(School.objects.filter(region_subtree_q(region.pk)), user, VIEW)
        .select_related("region", "region__parent")
        .annotate(
            partnership_count=Count("partnerships", filter=in_year, distinct=True),
            deep_count=Count("partnerships", filter=in_year & DEEP_PARTNERSHIPS_Q, distinct=True),
        )
        .order_by("name")
    )
    key_rows = restrict(
        IndicatorValue.objects.published().filter(
            level=Level.SCHOOL, year=year, indicator__in=KEY_INDICATORS, school__in=[s.pk for s in schools]
        ), user, VIEW,
    ) if schools else []
    key_values = {(value.school_id, value.indicator): value for value in key_rows}
    open_warnings = dict(
        restrict(IndicatorWarning.objects.filter(
            level__in=[Level.SCHOOL, Level.PROGRAM], year=year, status__in=UNRESOLVED_WARNING_STATUSES,
            school__in=[s.pk for s in schools]), user, VIEW)
        .values_list("school").annotate(n=Count("pk")).order_by()
    ) if schools else {}
    for school in schools:
        school.key_values = {}
        school.ranks = {}
        school.cells = []
        for key in KEY_INDICATORS:
            value = key_values.get((school.pk, key))
            school.key_values[key] = value.value if value is not None else None
            school.cells.append(value)
        school.open_warnings = open_warnings.get(school.pk, 0)
    for key in KEY_INDICATORS:
        _ranks(schools, key)
    first = KEY_INDICATORS[0]
    scale = _bar_scale(REGISTRY[first].unit, (school.key_values[first] for school in schools))
    for school in schools:
        cells = []
        for key, value in zip(KEY_INDICATORS, school.cells, strict=True):
            state, state_label, tone = value_state(value) if value is not None else NO_DATA
            cells.append({"value": format_number(REGISTRY[key].unit, school.key_values[key]),
                          "rank": school.ranks.get(key), "tone": tone, "state_label": state_label})
        school.cells = cells
        first_value = key_values.get((school.pk, first))
        school.bar = bar(school.key_values[first], scale, first_value.target if first_value is not None else None)
    schools.sort(key=lambda school: (school.ranks.get(first) is None, school.ranks.get(first, 0), school.name))

    # Sub-regions: their pooled key values and how many schools lie in each.
    children = list(restrict(Region.objects.filter(parent=region), user, VIEW).order_by("code"))
    child_values = {
        (value.region_id, value.indicator): value
        for value in restrict(IndicatorValue.objects.published().filter(
            level=Level.REGION, year=year, indicator__in=KEY_INDICATORS, region__parent=region), user, VIEW)
    }
    school_count = Counter()
    for school in schools:
        for child_id in (school.region_id, school.region.parent_id):
            school_count[child_id] += 1
    for child in children:
        child.school_count = school_count[child.pk]
        child.has_values = any((child.pk, key) in child_values for key in KEY_INDICATORS)
        child.cells = []
        for key in KEY_INDICATORS:
            value = child_values.get((child.pk, key))
            state, state_label, tone = value_state(value) if value is not None else NO_DATA
            child.cells.append({"value": format_number(REGISTRY[key].unit, value.value if value else None),
                                "tone": tone, "state_label": state_label})

    # Warnings on subjects in the region's subtree.
    warnings = restrict(IndicatorWarning.objects.filter(
        region_subtree_q(region.pk, "school__region") | region_subtree_q(region.pk, "consortium__region")
        | region_subtree_q(region.pk, "region"),
        year=year, status__in=UNRESOLVED_WARNING_STATUSES,
    ), user, VIEW)
    counts = warnings.aggregate(
        count=Count("pk"), high=Count("pk", filter=Q(severity=Severity.HIGH)),
        medium=Count("pk", filter=Q(severity=Severity.MEDIUM)),
        acknowledged=Count("pk", filter=Q(status="acknowledged")),
    )
    by_indicator = {}
    for key, severity, number in warnings.values_list("indicator", "severity").annotate(n=Count("pk")).order_by():
        entry = by_indicator.setdefault(key, {"name": indicator_name(REGISTRY[key]), "high": 0, "medium": 0})
        entry[severity] = number
    order = {key: index for index, key in enumerate(REGISTRY)}
    listed = warnings.select_related("school", "program", "consortium", "region", "sector").order_by(
        SEVERITY_RANK, LEVEL_RANK, "indicator", "school__name", "program__code", "pk")[:REGION_WARNING_LIST]

    recommendations = _recommendation_rows(restrict(
        ProgramRecommendation.objects.published().filter(
            region_subtree_q(region.pk, "school__region"), year=year, recommendation__in=ADVICE),
        user, VIEW,
    ))
    return {
        **report,
        "kind": "region", "subject": region, "subject_name": region.display_name,
        "indicators": rows, "summary": _summary(rows), "sectors": sectors,
        "key_indicators": [{"key": key, "name": indicator_name(REGISTRY[key])} for key in KEY_INDICATORS],
        "schools": schools,
        "children": [child for child in children if child.school_count or child.has_values],
        "empty_children": [child for child in children if not (child.school_count or child.has_values)],
        "warnings": {
            **counts,
            "by_indicator": [by_indicator[key] | {"total": by_indicator[key]["high"] + by_indicator[key]["medium"]}
                             for key in sorted(by_indicator, key=lambda k: order.get(k, 0))],
            "rows": [_warning_row(warning) for warning in listed],
        },
        "recommendations": recommendations,
        "partnerships": region_partnerships(user, region, year),
    }


# --- views ----------------------------------------------------------------------------------------


def _static_text(name: str) -> str:
    location = finders.find(name)
    if not location:
        location = staticfiles_storage.path(name)
    with open(location, encoding="utf-8") as stylesheet:
        return stylesheet.read()


def _pdf(request: HttpRequest, context: dict, filename: str) -> HttpResponse:
    """The report as a PDF from the same HTML, in the request's language; 503 without WeasyPrint."""
    try:
        import weasyprint
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError):  # not installed, or its pango library is missing
        logger.warning("PDF report asked for, but WeasyPrint cannot be imported")
        return render(request, "evaluation/reports/pdf_unavailable.html",
                      {"title": _("PDF not available"), "message": PDF_UNAVAILABLE,
                       "page_url": request.path}, status=503)
    html = render_to_string("evaluation/reports/pdf.html", {**context, "pdf": True}, request=request)
    # The document names no outside resource; refuse any that slipped in (no file:// or network reads).
    fetcher = URLFetcher(allowed_protocols=("data",))
    stylesheets = [weasyprint.CSS(string=_static_text(name), url_fetcher=fetcher)
                   for name in PDF_STYLESHEETS]
    document = weasyprint.HTML(string=html, base_url=request.build_absolute_uri("/"), url_fetcher=fetcher)
    response = HttpResponse(document.write_pdf(stylesheets=stylesheets), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response


def _respond(request: HttpRequest, report: dict, template: str, filename: str, urls: dict) -> HttpResponse:
    context = {**report, "title": _("Annual report %(year)s: %(subject)s") % {
        "year": report["year_label"], "subject": report["subject_name"]}, "section": "reports", **urls}
    if request.GET.get("format") == "pdf":
        return _pdf(request, context, filename)
    return render(request, template, context)


@login_required
def school_report_view(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    school = get_object_or_404(report_schools(request.user), pk=pk)
    report = school_report(request.user, school, year)
    url = reverse("evaluation:school-report", args=[school.pk, year])
    return _respond(request, report, "evaluation/reports/school.html",
                    f"annual-report-{school.code}-{year}.pdf",
                    {"pdf_url": f"{url}?format=pdf",
                     "year_urls": [(y, reverse("evaluation:school-report", args=[school.pk, y]))
                                   for y in report["years"]]})


@login_required
def region_report_view(request: HttpRequest, code: str, year: int) -> HttpResponse:
    region = get_object_or_404(report_regions(request.user), code=code)
    report = region_report(request.user, region, year)
    url = reverse("evaluation:region-report", args=[region.code, year])
    for child in report["children"]:
        child.url = reverse("evaluation:region-report", args=[child.code, year])
    for school in report["schools"]:
        school.url = reverse("evaluation:school-report", args=[school.pk, year])
    return _respond(request, report, "evaluation/reports/region.html",
                    f"annual-report-{region.code}-{year}.pdf",
                    {"pdf_url": f"{url}?format=pdf",
                     "year_urls": [(y, reverse("evaluation:region-report", args=[region.code, y]))
                                   for y in report["years"]]})


@login_required
def report_index(request: HttpRequest) -> HttpResponse:
    """Pick a report: a college administrator their school's years, a reviewer their region, its
    sub-regions and schools, a platform administrator any region or school (by a form)."""
    user = request.user
    years = published_years(user)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year not in years:
        year = years[-1] if years else None
    # The pickers' answers: open the chosen report (out of scope → 404).
    if year is not None and request.GET.get("school"):
        school = get_object_or_404(report_schools(user), pk=_int_or_404(request.GET["school"]))
        return redirect("evaluation:school-report", school.pk, year)
    if year is not None and request.GET.get("region"):
        region = get_object_or_404(report_regions(user), code=request.GET["region"])
        return redirect("evaluation:region-report", region.code, year)

    pick = user.role == Role.PLATFORM_ADMIN
    regions = list(report_regions(user).order_by("code")) if not pick else []
    schools = list(report_schools(user).order_by("region__code", "name")) if not pick else []
    if pick:
        choices = {"regions": list(Region.objects.order_by("code").only("code", "name", "name_en", "level")),
                   "schools": list(School.objects.order_by("name").only("pk", "name", "code"))}
    else:
        choices = {}
    for region in regions:
        region.depth = 0 if region.pk == user.region_id else 1 if region.parent_id == user.region_id else 2
    return render(request, "evaluation/reports/index.html", {
        "title": _("Annual reports"), "section": "reports",
        "years": [(y, year_label(y)) for y in reversed(years)], "year": year,
        "year_label": year_label(year) if year is not None else "",
        "regions": regions, "schools": schools, "pick": pick, "choices": choices,
        "own_school": user.school if user.role == Role.COLLEGE_ADMIN else None,
    })


def _int_or_404(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise Http404 from None


urlpatterns = [
    path("reports/", report_index, name="report-index"),
    path("reports/schools/<int:pk>/<int:year>/", school_report_view, name="school-report"),
    path("reports/regions/<str:code>/<int:year>/", region_report_view, name="region-report"),
]
