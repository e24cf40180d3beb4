"""Drill-down from a stored indicator value to the records that produce it, and their exports.

URL (namespace "evaluation"): `records` at
    /evaluation/records/<indicator>/<level>/<subject>/<year>/
where `subject` is written by the `evaluation-subject` path converter: the pk for a program, school
or consortium ("42"), the region CODE for a region ("440100"), and "REGIONCODE:SECTORCODE" for a
region × sector value ("440000:C39"). The converter accepts letters and digits with at most one
colon, nothing else (no slashes, dots or percent signs reach the view). `records_url()` and
`records_url_for(row)` build these URLs for other pages (dashboards, warnings, home cards).

The page shows the stored value of the published run (value, numerator, denominator, target,
formula), links up to the subject (the school's dashboard, the program, the consortium, the
region), and the records behind the value (evaluation.records), paginated, with what each row adds
to the numerator and the denominator and the totals over every record next to the stored ones.
`?format=csv` or `?format=xlsx` downloads exactly the table's rows (every page, the same columns,
translated headings) through portal.spreadsheets, which escapes formula injection and writes CSV
with a UTF-8 BOM.

Scoping: the value must be visible to the user (portal.scoping.restrict over published
IndicatorValue rows), else 404, for the page and the export alike; the records themselves pass
through restrict() of their own model. Queries are constant in the number of records.
"""
from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, register_converter, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View

from portal.scoping import restrict
from portal.spreadsheets import FORMATS, spreadsheet_response
from portal.views import optional_url

from .choices import Level
from .indicators.catalogue import REGISTRY
from .models import IndicatorValue
from .pages import format_number, format_target, indicator_name, value_state
from .records import Records, Subject, headers, records_for, resolve

PAGE_SIZE = 50
ID_LEVELS = (Level.PROGRAM.value, Level.SCHOOL.value, Level.CONSORTIUM.value)


class SubjectConverter:
    """A subject in a records URL: letters and digits, optionally "A:B" (region code : sector code)."""

    regex = r"[0-9A-Za-z]+(?::[0-9A-Za-z]+)?"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        value = str(value)
        if not re.fullmatch(self.regex, value):
            raise ValueError(value)
        return value


register_converter(SubjectConverter, "evaluation-subject")


# --- URLs for other pages -------------------------------------------------------------------------


def records_url(indicator: str, level: str, year: int, *, program: int | None = None, school: int | None = None,
                consortium: int | None = None, region_code: str | None = None,
                sector_code: str | None = None) -> str:
    """The records page of one value, its subject given as its level needs it."""
    if level == Level.PROGRAM:
        subject = program
    elif level == Level.SCHOOL:
        subject = school
    elif level == Level.CONSORTIUM:
        subject = consortium
    elif level == Level.REGION:
        subject = region_code
    else:
        subject = f"{region_code}:{sector_code}"
    return reverse("evaluation:records", args=[indicator, level, subject, year])


def records_url_for(row) -> str:
    """The records page of an IndicatorValue or Warning row (load `region` and `sector` with
    select_related for region-level rows, or this costs a query each)."""
    return records_url(
        row.indicator, row.level, row.year, program=row.program_id, school=row.school_id,
        consortium=row.consortium_id,
        region_code=row.region.code if row.region_id else None,
        sector_code=row.sector.code if row.sector_id else None,
    )


# --- the stored value -----------------------------------------------------------------------------


def stored_value(user, indicator: str, level: str, subject: str, year: int) -> IndicatorValue:
    """The published value the user may see, or 404 (an unknown indicator, level or subject too)."""
    definition = REGISTRY.get(indicator)
    if definition is None or level not in definition.levels:
        raise Http404
    rows = IndicatorValue.objects.published().filter(indicator=indicator, level=level, year=year)
    if level in ID_LEVELS:
        if not subject.isdigit() or len(subject) > 18:
            raise Http404
        rows = rows.filter(**{f"{level}_id": int(subject)})
    elif level == Level.REGION:
        rows = rows.filter(region__code=subject)
    else:
        region_code, _colon, sector_code = subject.partition(":")
        if not sector_code:
            raise Http404
        rows = rows.filter(region__code=region_code, sector__code=sector_code)
    value = (
        restrict(rows, user)
        .select_related("run", "program", "school", "consortium", "region", "sector")
        .order_by("-run_id")
        .first()
    )
    if value is None:
        raise Http404
    return value


def subject_label(value: IndicatorValue) -> str:
    if value.level == Level.PROGRAM:
        return f"{value.program.name} ({value.program.code}) · {value.school.name}"
    if value.level == Level.SCHOOL:
        return value.school.name
    if value.level == Level.CONSORTIUM:
        return value.consortium.name
    if value.level == Level.REGION:
        return value.region.display_name
    return f"{value.region.display_name} × {value.sector}"


def up_links(value: IndicatorValue) -> list[dict]:
    """Links from the value up to its subject: the school's (or region's) dashboard when that page
    exists, else the directory page; the program; the consortium."""
    links = []
    if value.school_id:
        links.append({
            "label": value.school.name,
            "url": optional_url("evaluation:dashboard", query=f"school={value.school_id}")
            or optional_url("directory:school-detail", value.school_id),
        })
    if value.program_id:
        links.append({"label": value.program.name, "url": optional_url("programs:program-detail", value.program_id)})
    if value.consortium_id:
        links.append({"label": value.consortium.name,
                      "url": optional_url("directory:consortium-detail", value.consortium_id)})
    if value.region_id:
        links.append({"label": value.region.display_name,
                      "url": optional_url("evaluation:dashboard", query=f"region={value.region.code}")})
    if value.sector_id:
        links.append({"label": str(value.sector), "url": None})
    return links


# --- cells ----------------------------------------------------------------------------------------


def plain_number(number) -> str:
    """An exact number as people read it: 1,234 or 1,234.5 (no trailing zeros); None as —."""
    if number is None:
        return "—"
    number = Decimal(str(number)) if not isinstance(number, Decimal) else number
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,}"


def same(recomputed, stored) -> bool:
    if recomputed is None or stored is None:
        return recomputed is None and stored is None
    return Decimal(str(recomputed)) == Decimal(stored)


def export_value(value: Any) -> Any:
    """A cell for a spreadsheet: numbers, dates and text (yes / no for flags)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    if isinstance(value, int | float | datetime.date):
        return value
    if isinstance(value, Model):
        return str(value)
    return str(value)


def page_cell(value: Any, numeric: bool) -> dict:
    """A cell for the page: its text, right-aligned when the column holds amounts."""
    if value is None or value == "":
        text = "—"
    elif isinstance(value, bool):
        text = _("yes") if value else _("no")
    elif numeric and isinstance(value, int | Decimal | float):
        text = plain_number(value)
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    else:
        text = str(value)
    return {"text": text, "numeric": numeric}


def row_values(records: Records, row) -> list[Any]:
    """The raw cells of one row: the columns, then what it adds to the numerator (and denominator)."""
    cells = [column.cell(row) for column in records.columns]
    for part, which in ((records.numerator, "num"), (records.denominator, "den")):
        if part is None:
            continue
        amount = records.contribution(row, which)
        cells.append(bool(amount) if part.flag else amount)
    return cells


def _link(name: str, pk) -> str | None:
    return None if pk is None else optional_url(name, pk)


def page_row(records: Records, row) -> list[dict]:
    """The cells of one row on the page: the columns (with their links), then the contributions."""
    values = row_values(records, row)
    cells = []
    for column, value in zip(records.columns, values, strict=False):
        cell = page_cell(value, column.numeric)
        if column.link:
            cell["url"] = _link(column.link[0], resolve(row, column.link[1]))
        cells.append(cell)
    parts = [p for p in (records.numerator, records.denominator) if p is not None]
    for part, value in zip(parts, values[len(records.columns):], strict=True):
        cell = page_cell(value, not part.flag)
        cell.update(contribution=True, counted=bool(value))
        cells.append(cell)
    return cells


# --- the view -------------------------------------------------------------------------------------


class RecordsView(LoginRequiredMixin, View):
    """The records behind one stored value; `?format=csv|xlsx` downloads them."""

    def get(self, request, indicator: str, level: str, subject: str, year: int) -> HttpResponse:
        value = stored_value(request.user, indicator, level, subject, year)
        records = records_for(indicator, Subject.of(value), year, request.user)
        fmt = request.GET.get("format", "")
        if fmt in FORMATS:
            return self.export(fmt, value, records, subject)
        if fmt:
            raise Http404
        return self.page(request, value, records)

    def export(self, fmt: str, value: IndicatorValue, records: Records, subject: str) -> HttpResponse:
        rows = ([export_value(v) for v in row_values(records, row)] for row in records.rows(records.queryset))
        filename = f"records-{value.indicator}-{value.level}-{subject.replace(':', '-')}-{value.year}"
        return spreadsheet_response(
            fmt, filename, headers(records), rows,
            title=_("Records"), notes=self.notes(value, records), notes_title=_("About this value"),
        )

    def notes(self, value: IndicatorValue, records: Records) -> list[list[Any]]:
        definition = value.definition
        return [
            [_("Indicator"), indicator_name(definition)],
            [_("Subject"), subject_label(value)],
            [_("Academic year"), f"{value.year}–{value.year + 1}"],
            [_("Value"), format_number(definition.unit, value.value)],
            [_("Numerator"), export_value(value.numerator)],
            [_("Denominator"), export_value(value.denominator)],
            [_("Target"), format_target(definition, value.target, value.target_upper) or "—"],
            [_("Formula"), str(definition.formula)],
            [_("Evaluation run"), f"#{value.run_id}"],
        ]

    def page(self, request, value: IndicatorValue, records: Records) -> HttpResponse:
        definition = value.definition
        paginator = Paginator(records.queryset, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        rows = [page_row(records, row) for row in records.rows(page.object_list)]
        num, den = records.totals()
        state, state_label, tone = value_state(value)
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        base = request.path
        heading_cells = [{"label": capfirst(str(c.label)), "numeric": c.numeric} for c in records.columns]
        parts = [{"role": _("Numerator"), "what": records.numerator.what}]
        if records.denominator is not None:
            parts.append({"role": _("Denominator"), "what": records.denominator.what})
        context = {
            "title": f"{indicator_name(definition)} · {subject_label(value)}",
            "section": "dashboard",
            "value": value,
            "definition": definition,
            "name": indicator_name(definition),
            "subject": subject_label(value),
            "level_label": Level(value.level).label,
            "year_label": f"{value.year}–{value.year + 1}",
            "display_value": format_number(definition.unit, value.value),
            "target": format_target(definition, value.target, value.target_upper),
            "state": state, "state_label": state_label, "tone": tone,
            "stored": {"num": plain_number(value.numerator), "den": plain_number(value.denominator)},
            "recomputed": {"num": plain_number(num), "den": plain_number(den)},
            "has_denominator": records.denominator is not None,
            "totals_match": same(num, value.numerator)
            and (records.denominator is None or same(den, value.denominator)),
            "totals_raw": (num, den),
            "up_links": up_links(value),
            "headings": heading_cells,
            "parts": parts,
            "rows": rows,
            "column_count": len(heading_cells),
            "page_obj": page,
            "paginator": paginator,
            "is_paginated": page.has_other_pages(),
            "query_without_page": query.urlencode(),
            "csv_url": f"{base}?format=csv",
            "xlsx_url": f"{base}?format=xlsx",
            "notes": records.notes,
        }
        return render(request, "evaluation/records/records.html", context)


urlpatterns = [
    path("records/<slug:indicator>/<slug:level>/<evaluation-subject:subject>/<int:year>/", RecordsView.as_view(),
         name="records"),
]
