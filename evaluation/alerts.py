"""Pages: the warnings list (filter, sort, acknowledge with a note, export) and the programs
recommended for reduced or suspended enrolment (filter, sort, export).

Both lists read stored rows (warnings; the recommendations of published runs) through
portal.scoping.restrict: a reviewer sees their region's subtree, a college administrator their
school and its programs, a liaison their consortia's warnings, a platform admin everything. A page
costs a fixed number of queries whatever the number of rows. The exports (CSV or XLSX, written by
portal.spreadsheets, which escapes formulas) hold the very cells the page shows, for the same
filters and ordering, over all pages. Acknowledging goes through
evaluation.services.warning_acknowledge, which holds the rule (reviewers of the region and platform
admins; an open warning only).
"""
from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

import django_filters as filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from portal.audit import may_read_any_history
from portal.choices import Role
from portal.fields import choice_set_contains
from portal.filters import RegionSubtreeFilter, YearFilter
from portal.models import Region, School
from portal.pages import Column, ScopedListView, get_visible_or_404
from portal.scoping import VIEW, restrict
from portal.spreadsheets import FORMATS, spreadsheet_response
from portal.views import optional_url

from . import services
from .choices import UNRESOLVED_WARNING_STATUSES, Condition, Level, Recommendation, Severity, WarningStatus
from .indicators.catalogue import REGISTRY
from .models import ProgramRecommendation
from .models import Warning as IndicatorWarning
from .pages import format_number, format_target, indicator_name

ALL = "all"
ADVISED = (Recommendation.ENROLMENT_REDUCED, Recommendation.SUSPENDED)
NOTE_MAX_LENGTH = 2000


# --- filters --------------------------------------------------------------------------------------


class DefaultingChoiceFilter(filters.ChoiceFilter):
    """A choice filter whose empty value narrows to `default_values` and whose "all" does not narrow."""

    def __init__(self, *args, default_values=(), **kwargs):
        self.default_values = tuple(default_values)
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value):
        if value == ALL:
            return qs
        if value in (None, ""):
            return qs.filter(**{f"{self.field_name}__in": self.default_values})
        return qs.filter(**{self.field_name: value})


class RegionCodeField(forms.CharField):
    """A region's 6-digit official code that must name a region (one query when given)."""

    def clean(self, value):
        value = super().clean(value)
        if value and not Region.objects.filter(code=value).exists():
            raise ValidationError(_("No region has the code %(code)s."), params={"code": value}, code="unknown_region")
        return value


class RegionCodeFilter(RegionSubtreeFilter):
    field_class = RegionCodeField


class ConditionFilter(filters.ChoiceFilter):
    def filter(self, qs: QuerySet, value):
        if value in (None, ""):
            return qs
        return qs.filter(choice_set_contains(self.field_name, value))


class SchoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return school_name(obj)


class SchoolFilter(filters.ModelChoiceFilter):
    field_class = SchoolChoiceField


def indicator_choices() -> list[tuple[str, str]]:
    """The catalogue's indicators, named in the current language (sorted by that name)."""
    return sorted(((key, indicator_name(definition)) for key, definition in REGISTRY.items()), key=lambda c: c[1])


class WarningPageFilterSet(filters.FilterSet):
    indicator = filters.ChoiceFilter(label=_("Indicator"), choices=(), empty_label=_("Any"))
    severity = filters.ChoiceFilter(label=_("Severity"), choices=Severity.choices, empty_label=_("Any"))
    status = DefaultingChoiceFilter(
        label=_("Status"), choices=[*WarningStatus.choices, (ALL, _("any status"))],
        empty_label=_("open or acknowledged"), default_values=UNRESOLVED_WARNING_STATUSES,
    )
    level = filters.ChoiceFilter(label=_("Subject level"), choices=Level.choices, empty_label=_("Any"))
    year = YearFilter(label=_("Year"))
    region = RegionCodeFilter(paths=("school__region", "consortium__region", "region"), label=_("Region code"))

    class Meta:
        model = IndicatorWarning
        fields = ["indicator", "severity", "status", "level", "year", "region"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The names follow the language of the request, so the choices are made per filter set.
        self.filters["indicator"].extra["choices"] = indicator_choices()


def _visible_recommendation_schools(request):
    if request is None:
        return School.objects.none()
    schools = restrict(ProgramRecommendation.objects.published(), request.user, VIEW).values("school")
    return School.objects.filter(pk__in=schools).order_by("name")


class RecommendationPageFilterSet(filters.FilterSet):
    recommendation = DefaultingChoiceFilter(
        label=_("Recommendation"), choices=[*Recommendation.choices, (ALL, _("any recommendation"))],
        empty_label=_("reduce or suspend enrolment"), default_values=ADVISED,
    )
    condition = ConditionFilter(label=_("Condition"), field_name="conditions", choices=Condition.choices,
                                empty_label=_("Any"))
    year = YearFilter(label=_("Year"))
    school = SchoolFilter(label=_("School"), queryset=_visible_recommendation_schools, empty_label=_("Any"))
    region = RegionCodeFilter(path="school__region", label=_("Region code"))

    class Meta:
        model = ProgramRecommendation
        fields = ["recommendation", "condition", "year", "school", "region"]


# --- shared list machinery ------------------------------------------------------------------------


def school_name(school) -> str:
    if school is None:
        return ""
    if school.name_en and not (get_language() or "en").lower().startswith("zh"):
        return school.name_en
    return school.name


def _heading(label, sort: str | None = None, numeric: bool = False) -> Column:
    """A column heading (and its sort key); the cells come from the view's `row`."""
    return Column(label, _no_cell, sort=sort, numeric=numeric)


def _no_cell(obj) -> None:
    return None


def _stamp(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


class AlertListView(ScopedListView):
    """A scoped list whose filter set is always bound (so the defaults of its empty values apply),
    whose rows are dicts of the shown cells (the export writes the same cells), and whose invalid
    filter values list nothing with a message."""

    filterset_class: type[filters.FilterSet]
    export_url_name = ""
    export_filename = ""
    export_title: Any = ""

    def get_queryset(self) -> QuerySet:
        self.search = self.request.GET.get("search", "").strip()[:100]
        self.current_ordering = ""
        qs = super(ScopedListView, self).get_queryset()  # restricted to the rows the user may see
        self.filterset = self.filterset_class(self.request.GET, queryset=qs, request=self.request)
        self.filters_invalid = not self.filterset.is_valid()
        if self.filters_invalid:
            return qs.none()
        qs = self.filterset.qs
        if self.search and self.search_fields:
            qs = qs.filter(reduce(or_, (Q(**{f"{f}__icontains": self.search}) for f in self.search_fields)))
        return qs.order_by(*self.ordering_fields())

    # A row as a dict of display strings (and links); the export writes `export_cells(row)`.
    def row(self, obj) -> dict:
        raise NotImplementedError

    def export_headers(self) -> list:
        raise NotImplementedError

    def export_cells(self, row: dict) -> list:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        export = reverse(self.export_url_name)
        encoded = query.urlencode()
        context.update(
            rows=[self.row(obj) for obj in context["object_list"]],
            filters_invalid=self.filters_invalid,
            export_links=[(fmt.upper(), f"{export}?{encoded + '&' if encoded else ''}format={fmt}") for fmt in FORMATS],
        )
        return context


class AlertExportMixin:
    """The list's rows over all pages as CSV or XLSX (`?format=`), for the same filters and ordering."""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        fmt = request.GET.get("format", "csv")
        query = request.GET.copy()
        query.pop("format", None)
        query.pop("page", None)
        back = reverse(self.list_url_name) + (f"?{query.urlencode()}" if query else "")
        if fmt not in FORMATS:
            messages.error(request, _("Downloads are available as CSV or XLSX."))
            return redirect(back)
        rows = self.get_queryset()
        if self.filters_invalid:
            messages.error(request, _("Some filter values are not valid; correct them before downloading."))
            return redirect(back)
        cells = [self.export_cells(self.row(obj)) for obj in rows.iterator(chunk_size=2000)]
        stamp = timezone.localdate().isoformat()
        return spreadsheet_response(fmt, f"{self.export_filename}-{stamp}", self.export_headers(), cells,
                                    title=str(self.export_title))


# --- warnings -------------------------------------------------------------------------------------


SEVERITY_RANK = Case(When(severity=Severity.MEDIUM, then=Value(1)), When(severity=Severity.HIGH, then=Value(2)),
                     default=Value(0), output_field=IntegerField())
INDICATOR_RANK = Case(*(When(indicator=key, then=Value(rank)) for rank, key in enumerate(REGISTRY)),
                      default=Value(len(REGISTRY)), output_field=IntegerField())
WARNING_EXPORT_HEADERS = (
    _("Subject level"), _("Subject"), _("Indicator"), _("Year"), _("Value"), _("Target"), _("Severity"), _("Status"),
    _("Acknowledged by"), _("Acknowledged at"), _("Note"), _("Updated"), _("Value (number)"), _("Target (number)"),
)
SEVERITY_TONES = {Severity.HIGH: "bad", Severity.MEDIUM: "warn"}
STATUS_TONES = {WarningStatus.OPEN: "bad", WarningStatus.ACKNOWLEDGED: "warn", WarningStatus.RESOLVED: "ok"}


def may_acknowledge(user) -> bool:
    """Reviewers (the warnings they see are in their region) and platform admins acknowledge."""
    return user.role in (Role.GOV_REVIEWER, Role.PLATFORM_ADMIN)


def warning_subject(warning) -> tuple[str, str | None]:
    """The subject's name as people read it and the page it links to (None when there is none yet)."""
    level = warning.level
    if level == Level.SCHOOL:
        return school_name(warning.school), optional_url("evaluation:dashboard", query=f"school={warning.school_id}")
    if level == Level.PROGRAM:
        name = f"{warning.program.name} ({warning.program.code}) · {school_name(warning.school)}"
        return name, optional_url("programs:program-detail", warning.program_id)
    if level == Level.CONSORTIUM:
        return warning.consortium.name, None
    if level == Level.REGION:
        return warning.region.display_name, None
    return f"{warning.region.display_name} · {warning.sector.display_name}", None


class WarningListView(AlertListView):
    """Warnings the user may see, unresolved ones unless asked otherwise."""

    model = IndicatorWarning
    queryset = IndicatorWarning.objects.select_related(
        "school", "program", "consortium", "region", "sector", "acknowledged_by"
    ).annotate(severity_rank=SEVERITY_RANK, indicator_rank=INDICATOR_RANK)
    filterset_class = WarningPageFilterSet
    title = _("Warnings")
    section = "warnings"
    template_name = "evaluation/alerts/warning_list.html"
    search_fields = ("school__name", "school__name_en", "program__name", "consortium__name", "region__name",
                     "region__name_en", "sector__name", "sector__name_en")
    orderings = {"value": "value", "severity": "severity_rank", "indicator": "indicator_rank", "year": "year",
                 "updated": "updated_at"}
    default_ordering = ("-year", "-severity_rank", "indicator_rank", "level")
    columns = (
        _heading(_("Subject")),
        _heading(_("Indicator"), sort="indicator"),
        _heading(_("Year"), sort="year", numeric=True),
        _heading(_("Value"), sort="value", numeric=True),
        _heading(_("Target"), numeric=True),
        _heading(_("Severity"), sort="severity"),
        _heading(_("Status")),
        _heading(_("Acknowledgement")),
        _heading(_("Updated"), sort="updated"),
    )
    export_url_name = "evaluation:warning-export"
    export_filename = "warnings"
    export_title = _("Warnings")
    empty_text = _("No open or acknowledged warnings.")

    def ordering_fields(self) -> list:
        # Warnings without a value (no data) come last whichever way values are sorted.
        fields = super().ordering_fields()
        return [F("value").desc(nulls_last=True) if f == "-value" else F("value").asc(nulls_last=True)
                if f == "value" else f for f in fields]

    def row(self, warning) -> dict:
        definition = REGISTRY.get(warning.indicator)
        subject, url = warning_subject(warning)
        by = warning.acknowledged_by
        return {
            "pk": warning.pk,
            "level": warning.get_level_display(),
            "subject": subject,
            "subject_url": url,
            "indicator": indicator_name(definition) if definition else warning.indicator,
            "year": warning.year,
            "value": format_number(definition.unit, warning.value) if definition else warning.value,
            "target": (format_target(definition, warning.target, warning.target_upper) if definition else None) or "—",
            "severity": warning.severity,
            "severity_label": warning.get_severity_display(),
            "severity_tone": SEVERITY_TONES.get(warning.severity, ""),
            "status": warning.status,
            "status_label": warning.get_status_display(),
            "status_tone": STATUS_TONES.get(warning.status, ""),
            "acknowledged_by": (by.get_full_name() or by.username) if by else "",
            "acknowledged_at": _stamp(warning.acknowledged_at),
            "note": warning.note,
            "updated": _stamp(warning.updated_at),
            "raw_value": warning.value,
            "raw_target": warning.target,
        }

    def export_headers(self) -> list:
        return [str(h) for h in WARNING_EXPORT_HEADERS]

    def export_cells(self, row: dict) -> list:
        return [row["level"], row["subject"], row["indicator"], row["year"], row["value"], row["target"],
                row["severity_label"], row["status_label"], row["acknowledged_by"], row["acknowledged_at"],
                row["note"], row["updated"], row["raw_value"], row["raw_target"]]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_acknowledge"] = may_acknowledge(self.request.user)
        context["show_history"] = may_read_any_history(self.request.user)  # every row lies in a reviewer's region
        context["note_max_length"] = NOTE_MAX_LENGTH
        context["next_url"] = self.request.get_full_path()
        return context


class WarningExportView(AlertExportMixin, WarningListView):
    list_url_name = "evaluation:warning-list"


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH, strip=True)


def _back(request: HttpRequest) -> str:
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return reverse("evaluation:warning-list")


@require_POST
@login_required
def warning_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """Acknowledge a warning with a note: invisible → 404, not a reviewer or platform admin → 403,
    resolved or already acknowledged → a message and nothing changes."""
    warning = get_visible_or_404(IndicatorWarning, request.user, pk=pk)
    if not may_acknowledge(request.user):
        raise PermissionDenied(_("Only the education authority of the region or a platform administrator may "
                                 "acknowledge a warning."))
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("note", []):
            messages.error(request, error)
        return redirect(_back(request))
    try:
        services.warning_acknowledge(warning, request.user, form.cleaned_data["note"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.warning(request, message)
        return redirect(_back(request))
    messages.success(request, _("Warning acknowledged."))
    return redirect(_back(request))


# --- program recommendations ----------------------------------------------------------------------


RECOMMENDATION_RANK = Case(When(recommendation=Recommendation.SUSPENDED, then=Value(2)),
                           When(recommendation=Recommendation.ENROLMENT_REDUCED, then=Value(1)),
                           default=Value(0), output_field=IntegerField())
RECOMMENDATION_TONES = {Recommendation.SUSPENDED: "bad", Recommendation.ENROLMENT_REDUCED: "warn",
                        Recommendation.NONE: "ok"}
HISTORY_YEARS = 3  # Y, Y−1, Y−2
RECOMMENDATION_EXPORT_HEADERS = (
    _("Program"), _("School"), _("Year"), _("Conditions"), _("Consecutive years"), _("Recommendation"),
)
# Short names of the conditions for the compact history (the full label is the chip's title).
CONDITION_SHORT = {
    Condition.LOW_PRACTICAL_SHARE: _("practice share"),
    Condition.LOW_EMPLOYMENT: _("low employment"),
    Condition.NO_PARTNERSHIP: _("no partner"),
    Condition.ENROLMENT_DROP: _("enrolment drop"),
}


class RecommendationListView(AlertListView):
    """The published advice on programs the user may see: reduce or suspend enrolment unless asked
    otherwise."""

    model = ProgramRecommendation
    queryset = ProgramRecommendation.objects.published().select_related("program", "school").annotate(
        recommendation_rank=RECOMMENDATION_RANK)
    filterset_class = RecommendationPageFilterSet
    title = _("Program recommendations")
    section = "warnings"
    template_name = "evaluation/alerts/recommendation_list.html"
    search_fields = ("program__name", "program__code", "school__name", "school__name_en")
    orderings = {"program": "program__name", "school": "school__name", "year": "year",
                 "consecutive": "consecutive_years", "recommendation": "recommendation_rank"}
    default_ordering = ("-year", "-recommendation_rank", "-consecutive_years", "school__name", "program__code")
    columns = (
        _heading(_("Program"), sort="program"),
        _heading(_("School"), sort="school"),
        _heading(_("Year"), sort="year", numeric=True),
        _heading(_("Conditions")),
        _heading(_("Consecutive years"), sort="consecutive", numeric=True),
        _heading(_("Recommendation"), sort="recommendation"),
        _heading(_("History")),
    )
    export_url_name = "evaluation:recommendation-export"
    export_filename = "program-recommendations"
    export_title = _("Program recommendations")
    empty_text = _("No program is recommended for reduced or suspended enrolment.")

    def row(self, rec) -> dict:
        labels = dict(Condition.choices)
        history = []
        for year in range(rec.year, rec.year - HISTORY_YEARS, -1):
            conditions = rec.history.get(str(year)) if isinstance(rec.history, dict) else None
            history.append({
                "year": year, "evaluated": conditions is not None,
                "conditions": [str(labels.get(c, c)) for c in conditions or ()],
                "chips": [(str(CONDITION_SHORT.get(c, c)), str(labels.get(c, c))) for c in conditions or ()],
                "count": len(conditions or ()),
            })
        return {
            "pk": rec.pk,
            "program": f"{rec.program.name} ({rec.program.code})",
            "program_name": rec.program.name,
            "program_code": rec.program.code,
            "program_url": optional_url("programs:program-detail", rec.program_id),
            "school": school_name(rec.school),
            "year": rec.year,
            "conditions": [str(labels.get(c, c)) for c in rec.conditions],
            "consecutive_years": rec.consecutive_years,
            "recommendation": rec.recommendation,
            "recommendation_label": rec.get_recommendation_display(),
            "recommendation_tone": RECOMMENDATION_TONES.get(rec.recommendation, ""),
            "history": history,
        }

    def export_headers(self) -> list:
        history = [gettext("Conditions in year Y−%(n)s") % {"n": n} if n else gettext("Conditions in year Y")
                   for n in range(HISTORY_YEARS)]
        return [*(str(h) for h in RECOMMENDATION_EXPORT_HEADERS), *history]

    def export_cells(self, row: dict) -> list:
        history = [
            ("; ".join(h["conditions"]) or gettext("none")) if h["evaluated"] else gettext("not evaluated")
            for h in row["history"]
        ]
        return [row["program"], row["school"], row["year"], "; ".join(row["conditions"]), row["consecutive_years"],
                row["recommendation_label"], *history]


class RecommendationExportView(AlertExportMixin, RecommendationListView):
    list_url_name = "evaluation:recommendation-list"


urlpatterns = [
    path("warnings/", WarningListView.as_view(), name="warning-list"),
    path("warnings/export/", WarningExportView.as_view(), name="warning-export"),
    path("warnings/<int:pk>/acknowledge/", warning_acknowledge, name="warning-acknowledge"),
    path("recommendations/", RecommendationListView.as_view(), name="recommendation-list"),
    path("recommendations/export/", RecommendationExportView.as_view(), name="recommendation-export"),
]
