"""The dashboard: how industry-education integration stands for one subject in one academic year.

The subject depends on who asks (DESIGN.md section 2, read through portal.scoping):

- a reviewer sees their region, drills down into a sub-region of it (`?region=CODE`) or opens one of
  its schools (`?school=ID`); anything outside their region's subtree answers 404;
- a platform admin sees any region (by default the province with the most schools) or school;
- a college administrator sees their own school;
- an enterprise liaison sees a consortium their enterprise belongs to (`?consortium=ID`).

Everything is read from the stored values of the year's published run (IndicatorValue.published()),
never recomputed, in a fixed number of queries whatever the number of schools: a card per
indicator of the subject's level (value against its stored target, change from the previous year,
and for a region the number of its schools below target), charts (distribution of the region's
schools, trend over the years, supply vs demand by sector, enterprise participation by sector,
ranked sub-regions) each with a table holding the same numbers, a ranking table of the region's
schools (or of the school's programs) with its CSV/XLSX export, warnings and program advice, and a
button that starts an evaluation run and follows its progress.

Enterprise participation by sector is one aggregate query over the records (enterprises of the
region, or partners of the school, with a partnership active in the year, per sector section), not a
stored indicator: no indicator stores it per sector.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce, Substr
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partnerships.models import Consortium, Partnership
from partnerships.querysets import active_in_q
from portal.choices import Role, SchoolLevel
from portal.models import Enterprise, Region, School, Sector
from portal.scoping import region_subtree_q, restrict
from portal.spreadsheets import CSV, FORMATS, spreadsheet_response
from portal.views import optional_url
from programs.choices import ProgramStatus
from programs.models import Program

from . import runs
from .choices import ACTIVE_RUN_STATUSES, UNRESOLVED_WARNING_STATUSES, Recommendation, RunStatus, Severity
from .indicators.catalogue import (
    BAND,
    CNY,
    CONSORTIUM,
    COUNT,
    MAX,
    MIN,
    PROGRAM,
    RATIO,
    REGION,
    REGION_SECTOR,
    REGISTRY,
    SCHOOL,
)
from .models import EvaluationRun, IndicatorValue, ProgramRecommendation
from .models import Warning as IndicatorWarning
from .pages import MISSES, MISSES_BADLY, format_number, format_target, indicator_name, value_state

RUN_ROLES = (Role.GOV_REVIEWER, Role.PLATFORM_ADMIN)
PAGE_SIZE = 25
DEFAULT_INDICATOR = "practical_hours_share"
SORT_NAME = "name"
LIST_LIMIT = 10
MISSED = (MISSES[0], MISSES_BADLY[0])

# Chart colours (the portal's palette; portal.css)
BRAND, BRAND_LIGHT, OK, WARN, BAD, GREY = "#0f5d8c", "#7fb3d5", "#1e7d45", "#a86400", "#b3261e", "#9aa7b3"
TONE_COLOURS = {"ok": OK, "warn": WARN, "bad": BAD, "": GREY}


# --- small helpers --------------------------------------------------------------------------------


def records_url(key: str, level: str, pk, year: int) -> str | None:
    """The page listing the records behind one value (evaluation:records, the subject named by its
    pk, or a region by its code), or None while that page does not exist. The ranking links every
    cell: the URL is resolved once per indicator and level, then filled in."""
    prefix = _records_prefix(key, level)
    return None if prefix is None else f"{prefix}{pk}/{year}/"


@lru_cache(maxsize=512)
def _records_prefix(key: str, level: str) -> str | None:
    url = optional_url("evaluation:records", key, level, "0", 1900)
    return None if url is None else url[: -len("0/1900/")]


def level_indicators(level: str) -> list:
    """The catalogue's indicators computed at `level`, in catalogue order."""
    return [definition for definition in REGISTRY.values() if level in definition.levels]


def year_label(year: int) -> str:
    return f"{year}–{year + 1}"


def chart_number(unit: str, value: float | None) -> float | None:
    """A value in the units people read (ratios as percentages), rounded as shown on the page; also
    what the exports write."""
    if value is None:
        return None
    if unit == RATIO:
        return round(value * 100, 1)
    if unit in (CNY, COUNT):
        return round(value)
    return round(value, 2)


def unit_label(unit: str) -> str:
    return {RATIO: "%", CNY: _("CNY"), COUNT: _("count"), "score": _("score 1–5")}.get(unit, unit)


def format_change(definition, delta: float | None) -> dict | None:
    """The change from the previous year as shown on a card, with whether it is for the better."""
    if delta is None:
        return None
    unit = definition.unit
    flat = abs(delta) < (0.0005 if unit == RATIO else 0.005)  # rounds to no change as shown
    if unit == RATIO:
        points = "±0" if flat else f"{delta * 100:+.1f}".replace("-", "−")
        text = _("%(points)s pts") % {"points": points}
    elif flat:
        text = "±0"
    elif unit == CNY:
        text = ("+" if delta >= 0 else "−") + f"¥{abs(delta):,.0f}"
    elif unit == COUNT:
        text = f"{delta:+,.0f}"
    else:
        text = f"{delta:+.2f}"
    trend = "flat" if flat else ("up" if delta > 0 else "down")
    if trend == "flat" or definition.direction not in (MIN, MAX):
        tone = ""
    else:
        tone = "ok" if (trend == "up") == (definition.direction == MIN) else "bad"
    return {"text": text, "trend": trend, "tone": tone}


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _query(params, drop: tuple[str, ...] = (), **updates) -> str:
    """The query string of `params` without `drop` and with `updates` (None removes)."""
    query = params.copy()
    for name in drop:
        query.pop(name, None)
    for name, value in updates.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return query.urlencode()


# --- the subject ----------------------------------------------------------------------------------


@dataclass
class Subject:
    """What the dashboard is about: a region, a school or a consortium (None: nothing to show)."""

    level: str
    region: Region | None = None
    school: School | None = None
    consortium: Consortium | None = None
    root_id: int | None = None  # the top of the user's view (their region); None: the whole country
    consortia: list = field(default_factory=list)  # a liaison's consortia, to choose from

    @property
    def obj(self):
        return {REGION: self.region, SCHOOL: self.school, CONSORTIUM: self.consortium}[self.level]

    @property
    def name(self) -> str:
        obj = self.obj
        if obj is None:
            return ""
        return obj.display_name if isinstance(obj, Region) else obj.name

    def value_filter(self) -> dict:
        """The IndicatorValue / Warning columns naming this subject."""
        return {"level": self.level, self.level: self.obj}

    @property
    def records_key(self) -> str:
        """How a records URL names the subject: a region by its code, anything else by its pk."""
        return self.region.code if self.level == REGION else str(self.obj.pk)

    def params(self) -> dict:
        """The query parameters that name this subject on the dashboard."""
        if self.level == REGION:
            return {"region": self.region.code}
        return {self.level: str(self.obj.pk)}

    def region_chain(self) -> list[Region]:
        """The regions from the top of the user's view down to the subject's region."""
        region = self.region or (self.school.region if self.school else None)
        chain = []
        while region is not None:
            chain.append(region)
            if region.pk == self.root_id:
                break
            region = region.parent
        return list(reversed(chain))


REGION_CHAIN = ("parent__parent",)


def _scoped_region(user, code: str) -> Region:
    regions = Region.objects.select_related(*REGION_CHAIN).filter(code=code)
    if user.role == Role.GOV_REVIEWER:
        regions = regions.filter(region_subtree_q(user.region_id, ""))
    region = regions.first()
    if region is None:
        raise Http404
    return region


def default_province() -> Region | None:
    """The province with the most schools (a platform admin's first view)."""
    top = (
        School.objects.order_by()
        .annotate(province=Coalesce(F("region__parent__parent_id"), F("region__parent_id"), F("region_id")))
        .values("province").annotate(n=Count("pk")).order_by("-n", "province").first()
    )
    regions = Region.objects.select_related(*REGION_CHAIN)
    if top is not None:
        return regions.filter(pk=top["province"]).first()
    return regions.filter(parent__isnull=True).order_by("code").first()


def resolve_subject(request: HttpRequest) -> Subject:
    """The subject the request names, within the user's view (404 outside it)."""
    user, get = request.user, request.GET
    code = get.get("region", "").strip()
    school_id, consortium_id = get.get("school"), get.get("consortium")
    schools = School.objects.select_related("region__parent__parent")
    if user.role in RUN_ROLES:
        reviewer = user.role == Role.GOV_REVIEWER
        in_scope = region_subtree_q(user.region_id) if reviewer else Q()
        root_id = user.region_id if reviewer else None
        if school_id is not None:
            school = schools.filter(in_scope, pk=_int(school_id) or 0).first()
            if school is None:
                raise Http404
            return Subject(SCHOOL, school=school, root_id=root_id)
        if consortium_id is not None:
            consortium = Consortium.objects.select_related("region").filter(
                in_scope, pk=_int(consortium_id) or 0).first()
            if consortium is None:
                raise Http404
            return Subject(CONSORTIUM, consortium=consortium, root_id=root_id)
        if code:
            return Subject(REGION, region=_scoped_region(user, code), root_id=root_id)
        region = _scoped_region(user, user.region.code) if reviewer else default_province()
        return Subject(REGION, region=region, root_id=root_id)
    if user.role == Role.COLLEGE_ADMIN and user.school_id:
        if code or consortium_id is not None or (school_id is not None and _int(school_id) != user.school_id):
            raise Http404
        return Subject(SCHOOL, school=schools.get(pk=user.school_id), root_id=user.school.region_id)
    if user.role == Role.ENTERPRISE_LIAISON and user.enterprise_id:
        if code or school_id is not None:
            raise Http404
        consortia = list(
            Consortium.objects.filter(members__enterprise_id=user.enterprise_id).select_related("region")
            .distinct().order_by("name", "pk")
        )
        chosen = consortia[0] if consortia else None
        if consortium_id is not None:
            chosen = next((c for c in consortia if c.pk == _int(consortium_id)), None)
            if chosen is None:
                raise Http404
        return Subject(CONSORTIUM, consortium=chosen, consortia=consortia)
    raise PermissionDenied(_("Your account has no organisation to show a dashboard for."))


# --- the dashboard --------------------------------------------------------------------------------


class Dashboard:
    """Everything the dashboard shows for one request, each part read once (cached)."""

    def __init__(self, request: HttpRequest):
        self.request = request
        self.user = request.user
        self.get = request.GET
        self.subject = resolve_subject(request)

    # - the year and the chosen indicator

    @cached_property
    def published_years(self) -> list[int]:
        return sorted(set(
            restrict(EvaluationRun.objects.filter(published=True), self.user).values_list("year", flat=True)
        ))

    @cached_property
    def year(self) -> int:
        asked = self.get.get("year")
        if asked:
            try:
                return runs.validate_year(asked)
            except ValidationError:
                pass
        return self.published_years[-1] if self.published_years else runs.current_year()

    @property
    def year_choices(self) -> list[int]:
        return sorted({*self.published_years, self.year, runs.current_year()}, reverse=True)

    @cached_property
    def indicators(self) -> list:
        """The indicators of the subject's level (its cards; the choice of the charts)."""
        return level_indicators(self.subject.level)

    @cached_property
    def indicator(self):
        keys = [d.key for d in self.indicators]
        key = self.get.get("indicator")
        if key not in keys:
            key = DEFAULT_INDICATOR if DEFAULT_INDICATOR in keys else keys[0]
        return REGISTRY[key]

    def url(self, **updates) -> str:
        """The dashboard with the current query changed by `updates` (None removes a parameter)."""
        return f"{reverse('evaluation:dashboard')}?{_query(self.get, ('page', 'run'), **updates)}"

    def subject_url(self, **params) -> str:
        query = {"year": self.year, **params}
        return f"{reverse('evaluation:dashboard')}?{urlencode(query)}"

    # - reading stored values

    def values(self, **lookup):
        return restrict(IndicatorValue.objects.published().filter(**lookup), self.user)

    @cached_property
    def children(self) -> list[Region]:
        if self.subject.level != REGION:
            return []
        return list(self.subject.region.children.order_by("code"))

    @cached_property
    def lower_values(self) -> dict[int, dict[str, IndicatorValue]]:
        """The year's values one level down, by row object pk and indicator: the region's schools'
        school-level values, or the school's programs' program-level values (one query)."""
        subject = self.subject
        if subject.level == REGION:
            rows = self.values(level=SCHOOL, year=self.year).filter(
                region_subtree_q(subject.region.pk, "school__region"))
            pk_field = "school_id"
        elif subject.level == SCHOOL:
            rows = self.values(level=PROGRAM, year=self.year, school=subject.school)
            pk_field = "program_id"
        else:
            return {}
        result: dict[int, dict[str, IndicatorValue]] = {}
        for row in rows.only("indicator", "level", "year", "school_id", "program_id", "value", "numerator",
                             "denominator", "target", "target_upper"):
            result.setdefault(getattr(row, pk_field), {})[row.indicator] = row
        return result

    # - the cards

    def cards(self) -> list[dict]:
        subject, year = self.subject, self.year
        rows = self.values(year__in=[year, year - 1], **subject.value_filter())
        by_key = {(row.indicator, row.year): row for row in rows}
        below: dict[str, int] = {}  # schools below target, per indicator
        measured: dict[str, int] = {}  # schools with a value, per indicator
        if subject.level == REGION:
            for school_values in self.lower_values.values():
                for key, row in school_values.items():
                    if row.value is not None:
                        measured[key] = measured.get(key, 0) + 1
                    if value_state(row)[0] in MISSED:
                        below[key] = below.get(key, 0) + 1
        cards = []
        for definition in self.indicators:
            current, previous = by_key.get((definition.key, year)), by_key.get((definition.key, year - 1))
            card = {
                "key": definition.key,
                "name": indicator_name(definition),
                "formula": definition.formula,
                "source": definition.source,
                "value": "—", "state": "no_data", "state_label": _("no data"), "tone": "", "target": None,
                "change": None, "previous": None, "url": None,
                "below": below.get(definition.key, 0) if measured.get(definition.key) and definition.direction
                else None,
                "measured": measured.get(definition.key, 0),
                "schools_url": self.url(sort=definition.key, dir="asc") + "#ranking",
            }
            if current is not None:
                state, label, tone = value_state(current)
                card.update(
                    value=format_number(definition.unit, current.value), state=state, state_label=label, tone=tone,
                    target=format_target(definition, current.target, current.target_upper),
                    numerator=current.numerator, denominator=current.denominator,
                    url=records_url(definition.key, subject.level, subject.records_key, year),
                )
            if previous is not None:
                card["previous"] = format_number(definition.unit, previous.value)
            if current is not None and previous is not None and None not in (current.value, previous.value):
                card["change"] = format_change(definition, current.value - previous.value)
            cards.append(card)
        return cards

    # - the charts (each a spec for dashboards.js and its table)

    def charts(self) -> list[dict]:
        subject = self.subject
        charts = []
        if subject.level == REGION and SCHOOL in self.indicator.levels:
            charts.append(self.distribution_chart())
        charts.append(self.trend_chart())
        if subject.level == REGION and self.children and REGION in self.indicator.levels:
            charts.append(self.subregion_chart())
        if subject.level == REGION:
            charts.append(self.supply_demand_chart())
        if subject.level in (REGION, SCHOOL):
            charts.append(self.participation_chart())
        return charts

    def _spec(self, chart_id: str, kind: str, title: str, description: str, labels: list, datasets: list,
              *, unit: str = COUNT, category: str = "", links: list | None = None, note: str = "",
              axis_labels: list | None = None) -> dict:
        return {
            "id": chart_id, "kind": kind, "title": title, "description": description, "labels": labels,
            "axis_labels": axis_labels or labels,
            "datasets": datasets, "unit": unit, "category": category, "links": links or [None] * len(labels),
            "empty": not any(v is not None for d in datasets for v in d["data"]), "note": note,
            "rows": [
                {"label": label, "link": (links or [None] * len(labels))[i],
                 "cells": [d["texts"][i] for d in datasets]}
                for i, label in enumerate(labels)
            ],
        }

    def distribution_chart(self) -> dict:
        """How the region's schools spread over the chosen indicator: counts per 10 % bin."""
        definition = self.indicator
        values = []
        for school_values in self.lower_values.values():
            row = school_values.get(definition.key)
            if row is not None and row.value is not None:
                exact = (Fraction(row.numerator) / Fraction(row.denominator)
                         if row.numerator is not None and row.denominator else Fraction(repr(row.value)))
                values.append(exact)
        labels, counts = histogram(definition.unit, values)
        missing = len(self._all_objects) - len(values)
        name = indicator_name(definition)
        return self._spec(
            "distribution", "bar", _("Schools by %(indicator)s") % {"indicator": name},
            _("Number of the region's schools in each band of %(indicator)s, %(year)s.") % {
                "indicator": name, "year": year_label(self.year)},
            labels,
            [{"label": _("Schools"), "data": counts, "texts": [str(c) for c in counts], "color": BRAND}],
            unit=COUNT, category=name,
            note=(_("%(n)s of the region's schools have no value and are not counted.") % {"n": missing}
                  if missing > 0 else ""),
        )

    def trend_chart(self) -> dict:
        definition, subject = self.indicator, self.subject
        rows = {row.year: row for row in self.values(indicator=definition.key, **subject.value_filter())}
        years = sorted(rows)
        name = indicator_name(definition)
        value_data = [chart_number(definition.unit, rows[y].value) for y in years]
        datasets = [{"label": name, "data": value_data,
                     "texts": [format_number(definition.unit, rows[y].value) for y in years], "color": BRAND}]
        if definition.direction:
            lower = [chart_number(definition.unit, rows[y].target) for y in years]
            label = _("Lower bound of the target") if definition.direction == BAND else _("Target")
            datasets.append({"label": label, "data": lower, "dashed": True, "color": WARN,
                             "texts": [format_number(definition.unit, rows[y].target) for y in years]})
            if definition.direction == BAND:
                datasets.append({
                    "label": _("Upper bound of the target"), "dashed": True, "color": BAD,
                    "data": [chart_number(definition.unit, rows[y].target_upper) for y in years],
                    "texts": [format_number(definition.unit, rows[y].target_upper) for y in years]})
        return self._spec(
            "trend", "line", _("%(indicator)s over the years") % {"indicator": name},
            _("%(indicator)s of %(subject)s in each academic year with a published evaluation, with its target.") % {
                "indicator": name, "subject": subject.name},
            [year_label(y) for y in years], datasets, unit=definition.unit, category=_("Academic year"),
        )

    def subregion_chart(self) -> dict:
        definition = self.indicator
        rows = {row.region_id: row for row in self.values(
            indicator=definition.key, level=REGION, year=self.year, region__in=self.children)}
        ordered = sorted(self.children, key=lambda r: (rows.get(r.pk) is None or rows[r.pk].value is None,
                                                       -(rows[r.pk].value or 0) if r.pk in rows else 0, r.code))
        name = indicator_name(definition)
        data, texts, colours = [], [], []
        for region in ordered:
            row = rows.get(region.pk)
            value = row.value if row else None
            data.append(chart_number(definition.unit, value))
            texts.append(format_number(definition.unit, value))
            colours.append(TONE_COLOURS[value_state(row)[2]] if row else GREY)
        return self._spec(
            "subregions", "hbar", _("Sub-regions by %(indicator)s") % {"indicator": name},
            _("%(indicator)s of each sub-region of %(region)s, %(year)s, highest first; colours against the target.")
            % {"indicator": name, "region": self.subject.name, "year": year_label(self.year)},
            [r.display_name for r in ordered],
            [{"label": name, "data": data, "texts": texts, "colors": colours, "color": BRAND}],
            unit=definition.unit, category=_("Sub-region"),
            links=[self.subject_url(region=r.code, indicator=definition.key) for r in ordered],
        )

    def supply_demand_chart(self) -> dict:
        rows = list(self.values(indicator="supply_demand_ratio", level=REGION_SECTOR, year=self.year,
                                region=self.subject.region).select_related("sector").order_by("sector__code"))
        labels = [f"{row.sector.code} {row.sector.display_name}" for row in rows]
        graduates = [round(row.numerator) if row.numerator is not None else 0 for row in rows]
        demand = [round(row.denominator) if row.denominator is not None else 0 for row in rows]
        ratio = [format_number(RATIO, row.value) for row in rows]
        return self._spec(
            "supply", "bar", _("Graduates and talent demand by sector"),
            _("Graduates of the region's programs in each sector against the headcount enterprises asked for, "
              "%(year)s (talent supply / demand).") % {"year": year_label(self.year)},
            labels,
            [{"label": _("Graduates"), "data": graduates, "texts": [str(n) for n in graduates], "color": BRAND},
             {"label": _("Talent demand"), "data": demand, "texts": [str(n) for n in demand], "color": WARN},
             {"label": _("Supply / demand"), "data": [None] * len(rows), "texts": ratio, "table_only": True}],
            unit=COUNT, category=_("Sector"), axis_labels=[row.sector.code for row in rows],
        )

    def participation_chart(self) -> dict:
        """Enterprises with a partnership active in the year, per sector section: one aggregate query
        (the enterprises of the region; for a school, its partner enterprises)."""
        subject, year = self.subject, self.year
        partnerships = restrict(Partnership.objects.filter(active_in_q(year), enterprise=OuterRef("pk")), self.user)
        enterprises = Enterprise.objects.all()
        if subject.level == REGION:
            enterprises = enterprises.filter(region_subtree_q(subject.region.pk))
            description = _("Enterprises of the region with a partnership active in %(year)s, by sector.")
        else:
            partnerships = partnerships.filter(school=subject.school)
            description = _("Enterprises with a partnership with the school active in %(year)s, by sector.")
        counts = list(
            enterprises.filter(Exists(partnerships)).order_by()
            .annotate(section=Substr("sector__code", 1, 1)).values("section")
            .annotate(n=Count("pk")).order_by("section")
        )
        names = {s.code: s.display_name for s in Sector.objects.filter(code__in=[c["section"] for c in counts])}
        labels = [f"{c['section']} {names.get(c['section'], '')}".strip() for c in counts]
        data = [c["n"] for c in counts]
        return self._spec(
            "participation", "bar", _("Enterprise participation by sector"),
            description % {"year": year_label(year)}, labels,
            [{"label": _("Enterprises"), "data": data, "texts": [str(n) for n in data], "color": OK}],
            unit=COUNT, category=_("Sector"), axis_labels=[c["section"] for c in counts],
        )

    # - the ranking table

    @cached_property
    def table_kind(self) -> str | None:
        return {REGION: "schools", SCHOOL: "programs"}.get(self.subject.level)

    @cached_property
    def columns(self) -> list:
        return level_indicators(SCHOOL if self.table_kind == "schools" else PROGRAM)

    def filters(self) -> dict:
        get = self.get
        level = get.get("level", "")
        sub = get.get("subregion", "")
        return {
            "level": level if level in SchoolLevel.values else "",
            "subregion": sub if any(r.code == sub for r in self.children) else "",
            "search": get.get("search", "").strip()[:100],
        }

    @cached_property
    def _all_objects(self) -> list:
        """Every row object of the table: the region's schools, or the school's current programs."""
        return self._fetch_objects(filtered=False)

    def ranking_objects(self) -> list:
        """The table's row objects with the filters applied (one query, shared when unfiltered)."""
        if not any(self.filters().values()):
            return self._all_objects
        return self._fetch_objects(filtered=True)

    def _fetch_objects(self, filtered: bool) -> list:
        subject = self.subject
        flt = self.filters() if filtered else {"level": "", "subregion": "", "search": ""}
        if self.table_kind == "schools":
            rows = School.objects.filter(region_subtree_q(subject.region.pk)).select_related("region")
            if flt["level"]:
                rows = rows.filter(level=flt["level"])
            if flt["subregion"]:
                child = next(r for r in self.children if r.code == flt["subregion"])
                rows = rows.filter(region_subtree_q(child.pk))
            if flt["search"]:
                rows = rows.filter(Q(name__icontains=flt["search"]) | Q(name_en__icontains=flt["search"])
                                   | Q(code__icontains=flt["search"]))
        elif self.table_kind == "programs":
            rows = restrict(Program.objects.filter(school=subject.school), self.user).exclude(
                status=ProgramStatus.CLOSED)
            if flt["search"]:
                rows = rows.filter(Q(name__icontains=flt["search"]) | Q(code__icontains=flt["search"]))
        else:
            return []
        return list(rows.order_by("name", "pk") if self.table_kind == "schools" else rows.order_by("code", "pk"))

    @cached_property
    def sort(self) -> tuple[str, bool]:
        key = self.get.get("sort", SORT_NAME)
        if key not in {SORT_NAME, *(d.key for d in self.columns)}:
            key = SORT_NAME
        default = "asc" if key == SORT_NAME else "desc"
        descending = self.get.get("dir", default) == "desc"
        return key, descending

    def ranking_rows(self) -> list[dict]:
        """Every row of the table (filtered and sorted), as the page and the exports show it."""
        kind, year = self.table_kind, self.year
        level = SCHOOL if kind == "schools" else PROGRAM
        key, descending = self.sort
        objects = self.ranking_objects()
        values = self.lower_values
        if key != SORT_NAME:
            def sort_key(obj):
                row = values.get(obj.pk, {}).get(key)
                value = row.value if row is not None else None
                return (value is None, -value if (value is not None and descending) else (value or 0))
            objects = sorted(objects, key=sort_key)
        elif descending:
            objects = list(reversed(objects))
        rows = []
        for obj in objects:
            cells = []
            for definition in self.columns:
                row = values.get(obj.pk, {}).get(definition.key)
                value = row.value if row is not None else None
                state, label, tone = value_state(row) if row is not None else ("no_data", _("no data"), "")
                cells.append({
                    "key": definition.key, "value": value, "text": format_number(definition.unit, value),
                    "export": chart_number(definition.unit, value), "state": state, "label": label, "tone": tone,
                    "url": records_url(definition.key, level, obj.pk, year) if row is not None else None,
                })
            if kind == "schools":
                fields = [obj.name, obj.code, obj.region.display_name, obj.get_level_display()]
                url = self.subject_url(school=obj.pk)
            else:
                fields = [obj.name, obj.code]
                url = optional_url("directory:program-detail", obj.pk)
            rows.append({"pk": obj.pk, "fields": fields, "url": url, "cells": cells})
        return rows

    def ranking_headers(self) -> list[str]:
        if self.table_kind == "schools":
            return [_("School"), _("School code"), _("Region"), _("Level")]
        return [_("Program"), _("Program code")]

    def ranking(self) -> dict | None:
        if self.table_kind is None:
            return None
        key, descending = self.sort
        name_dir = "desc" if key == SORT_NAME and not descending else "asc"
        page = Paginator(self.ranking_rows(), PAGE_SIZE).get_page(self.get.get("page"))
        columns = []
        for definition in self.columns:
            active = key == definition.key
            columns.append({
                "key": definition.key, "name": indicator_name(definition), "active": active,
                "descending": active and descending,
                "url": "?" + _query(self.get, ("page", "run"), sort=definition.key,
                                    dir="asc" if active and descending else "desc") + "#ranking",
                "target": format_target(definition, *_default_target(definition)),
            })
        return {
            "kind": self.table_kind,
            "headers": self.ranking_headers(),
            "columns": columns,
            "page": page,
            "rows": page.object_list,
            "name_sort": {"active": key == SORT_NAME, "descending": key == SORT_NAME and descending,
                          "url": "?" + _query(self.get, ("page", "run"), sort=SORT_NAME, dir=name_dir) + "#ranking"},
            "filters": self.filters(),
            "levels": SchoolLevel.choices,
            "query_without_page": _query(self.get, ("page", "run")),
            "export_query": _query(self.get, ("page", "run", "format")),
            "sort": key, "dir": "desc" if descending else "asc",
        }

    def export(self, fmt: str) -> HttpResponse:
        headers = [*self.ranking_headers(),
                   *(f"{indicator_name(d)} ({unit_label(d.unit)})" for d in self.columns)]
        rows = [[*row["fields"], *(cell["export"] for cell in row["cells"])] for row in self.ranking_rows()]
        subject = self.subject
        name = f"ranking-{self.table_kind}-{subject.level}-{subject.obj.pk}-{self.year}"
        return spreadsheet_response(fmt, name, headers, rows, title=_("Ranking"))

    # - warnings, advice, runs

    def subject_rows_q(self) -> Q:
        """Warnings and recommendations about the subject or anything inside it."""
        subject = self.subject
        if subject.level == REGION:
            region_id = subject.region.pk
            return (region_subtree_q(region_id, "school__region") | region_subtree_q(region_id, "consortium__region")
                    | region_subtree_q(region_id, "region"))
        return Q(**{subject.level: subject.obj})

    def warnings(self) -> dict:
        counts = restrict(
            IndicatorWarning.objects.filter(self.subject_rows_q(), year=self.year,
                                            status__in=UNRESOLVED_WARNING_STATUSES), self.user,
        ).aggregate(count=Count("pk"), high=Count("pk", filter=Q(severity=Severity.HIGH)))
        subject = self.subject
        # The warnings page filters by region code; a school or consortium is found by its name.
        where = {"region": subject.region.code} if subject.level == REGION else {"search": subject.name}
        counts["url"] = optional_url("evaluation:warning-list", query=urlencode({**where, "year": self.year}))
        return counts

    def recommendations(self) -> dict | None:
        subject = self.subject
        if subject.level == CONSORTIUM:
            return None
        scope = (region_subtree_q(subject.region.pk, "school__region") if subject.level == REGION
                 else Q(school=subject.school))
        rows = restrict(
            ProgramRecommendation.objects.published().filter(
                scope, year=self.year, recommendation__in=[Recommendation.ENROLMENT_REDUCED, Recommendation.SUSPENDED]),
            self.user,
        ).select_related("program", "school").order_by("-recommendation", "school__name", "program__code", "pk")
        shown = list(rows[:LIST_LIMIT])
        for rec in shown:
            rec.program_url = optional_url("directory:program-detail", rec.program_id)
        return {"rows": shown, "count": rows.count(),
                "url": optional_url("evaluation:recommendation-list",
                                    query=urlencode({**subject.params(), "year": self.year}))}

    def run_box(self) -> dict:
        """The year's latest run, and whether to follow it (under way, or the one just started)."""
        latest = EvaluationRun.objects.filter(year=self.year).order_by("-pk").first()
        asked = _int(self.get.get("run"))
        may_start = self.user.role in RUN_ROLES
        follow = latest is not None and (latest.active or (asked == latest.pk and may_start))
        if latest is not None:
            latest.status_label = dict(RunStatus.choices).get(latest.status, latest.status)
        return {
            "run": latest, "follow": follow, "may_start": may_start,
            "status_url": f"{reverse('evaluation:run-status')}?run={latest.pk}" if latest else "",
            "done_url": self.url(),
        }

    # - breadcrumbs and pickers

    def breadcrumbs(self) -> list[dict]:
        subject = self.subject
        if subject.level == CONSORTIUM or self.user.role not in RUN_ROLES:
            return []
        crumbs = [{"label": r.display_name, "url": self.subject_url(region=r.code)} for r in subject.region_chain()]
        if subject.level == SCHOOL:
            crumbs.append({"label": subject.school.name, "url": None})
        elif crumbs:
            crumbs[-1]["url"] = None
        return crumbs

    def context(self) -> dict:
        subject = self.subject
        if subject.obj is None:
            return {"subject": subject, "empty": True, "year": self.year, "title": _("Dashboard")}
        charts = self.charts()
        return {
            "subject": subject,
            "title": _("Dashboard: %(subject)s") % {"subject": subject.name},
            "year": self.year,
            "year_next": self.year + 1,
            "year_choices": [(y, year_label(y)) for y in self.year_choices],
            "has_values": self.year in self.published_years,
            "indicator": self.indicator,
            "indicator_choices": [(d.key, indicator_name(d)) for d in self.indicators],
            "cards": self.cards(),
            "charts": charts,
            "chart_data": {"charts": [_client_spec(c) for c in charts]},
            "children": [{"region": r, "url": self.subject_url(region=r.code)} for r in self.children],
            "ranking": self.ranking(),
            "warnings": self.warnings(),
            "recommendations": self.recommendations(),
            "run_box": self.run_box(),
            "breadcrumbs": self.breadcrumbs(),
            "provinces": (list(Region.objects.filter(parent__isnull=True).order_by("code"))
                          if self.user.role == Role.PLATFORM_ADMIN else []),
            "subject_params": subject.params(),
            "report_url": optional_url("evaluation:report-index"),
        }


def _default_target(definition) -> tuple[float | None, float | None]:
    if definition.direction == BAND:
        return definition.target
    return definition.target, None


def _client_spec(chart: dict) -> dict:
    """What dashboards.js needs of a chart (the rest is for the table). A ranked bar chart leaves out
    the bars without a value (its table lists them with "—")."""
    datasets = [d for d in chart["datasets"] if not d.get("table_only")]
    keep = list(range(len(chart["labels"])))
    if chart["kind"] == "hbar":
        keep = [i for i in keep if any(d["data"][i] is not None for d in datasets)]

    def pick(items):
        return [items[i] for i in keep] if items is not None else None

    return {
        "id": chart["id"], "kind": chart["kind"], "title": chart["title"], "labels": pick(chart["axis_labels"]),
        "names": pick(chart["labels"]), "unit": chart["unit"], "category": chart["category"],
        "datasets": [
            {"label": d["label"], "data": pick(d["data"]), "color": d.get("color"), "colors": pick(d.get("colors")),
             "dashed": d.get("dashed", False)}
            for d in datasets
        ],
    }


def histogram(unit: str, values: list[Fraction]) -> tuple[list[str], list[int]]:
    """Counts of `values` per bin: 10-percentage-point bins for ratios (from 0 up to 100 %, or up to
    the largest value above it; a value on a bin's lower edge belongs to it, the largest value to the
    last bin), ten
    equal bins between the smallest and largest value otherwise."""
    if not values:
        return [], []
    if unit == RATIO and min(values) >= 0:
        top = max(10, math.ceil(max(values) * 10))
        counts = [0] * top
        for value in values:
            counts[min(math.floor(value * 10), top - 1)] += 1
        labels = [f"{i * 10}–{(i + 1) * 10} %" for i in range(top)]
        return labels, counts
    low, high = min(values), max(values)
    if low == high:
        return [format_number(unit, float(low))], [len(values)]
    width = (high - low) / 10
    counts = [0] * 10
    for value in values:
        counts[min(math.floor((value - low) / width), 9)] += 1
    labels = [f"{format_number(unit, float(low + i * width))} – {format_number(unit, float(low + (i + 1) * width))}"
              for i in range(10)]
    return labels, counts


# --- views ----------------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    board = Dashboard(request)
    return render(request, "evaluation/dashboard/dashboard.html", {**board.context(), "section": "dashboard"})


@login_required
@require_GET
def ranking_export(request: HttpRequest) -> HttpResponse:
    """The ranking table with the page's filters and sorting, every row (not one page), as CSV or XLSX."""
    fmt = request.GET.get("format", CSV)
    if fmt not in FORMATS:
        raise Http404
    board = Dashboard(request)
    if board.subject.obj is None or board.table_kind is None:
        raise Http404
    return board.export(fmt)


def _back(request: HttpRequest, **extra) -> str:
    target = request.POST.get("next", "")
    if not target or not url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                          require_https=request.is_secure()):
        target = reverse("evaluation:dashboard")
    if extra:
        target += ("&" if "?" in target else "?") + urlencode(extra)
    return target


@transaction.non_atomic_requests
@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    """Start an evaluation run for a year (reviewers and platform admins), then back to the
    dashboard, which follows its progress. Outside the request transaction, so the run is enqueued
    (or, without a broker, executed) at once and a queue failure can be told."""
    if request.user.role not in RUN_ROLES:
        raise PermissionDenied(_("Only an education authority (reviewer) or a platform administrator may start an "
                                 "evaluation run."))
    try:
        year = runs.validate_year(request.POST.get("year"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_back(request))
    try:
        run, created = runs.request_run(year, by=request.user)
    except runs.QueueUnavailable:
        messages.error(request, _("The task queue cannot be reached; no evaluation run was started. Try again in a "
                                  "few minutes."))
        return redirect(_back(request))
    if created:
        messages.info(request, _("Evaluation run for %(year)s started.") % {"year": year_label(year)})
    else:
        messages.info(request, _("An evaluation run for %(year)s is already under way; its progress is shown below.")
                      % {"year": year_label(year)})
    return redirect(_back(request, run=run.pk) + "#run")


@login_required
@require_GET
def run_status(request: HttpRequest) -> JsonResponse:
    """A run's status and progress, for the progress bar: `?run=<id>`, or `?year=` (the year's latest run)."""
    runs_visible = restrict(EvaluationRun.objects.all(), request.user)
    run_id = _int(request.GET.get("run"))
    if run_id is not None:
        run = runs_visible.filter(pk=run_id).first()
    else:
        year = _int(request.GET.get("year"))
        run = runs_visible.filter(year=year).order_by("-pk").first() if year is not None else None
    if run is None:
        raise Http404
    labels = dict(RunStatus.choices)
    return JsonResponse({
        "id": run.pk, "year": run.year, "status": run.status, "label": str(labels.get(run.status, run.status)),
        "progress": run.progress, "step": run.step, "finished": run.status not in ACTIVE_RUN_STATUSES,
    })


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/ranking.export", ranking_export, name="ranking-export"),
    path("runs/start/", run_start, name="run-start"),
    path("runs/status/", run_status, name="run-status"),
]
