"""Evaluation's browser pages: the role home pages (a dashboard of indicators, warnings, advice and
what needs attention) and the stakeholder feedback an enterprise gives.

The home page is made for the user's role: a college administrator sees how their school stands
(the latest published indicator values against their targets, open warnings, program advice) and
what needs their attention; an enterprise liaison what awaits their answer and what their
enterprise offers; reviewers and platform admins the organisations they oversee. Every block is read
through portal.scoping.restrict and costs a fixed number of queries whatever the number of rows.

Feedback: an enterprise's liaison scores one of its partnerships (communication, responsiveness,
mutual benefit, outcomes) or the graduates of a program of a partner school (professional skills,
work attitude, teamwork, learning ability). Every write goes through
evaluation.services.feedback_give, which holds the rules; its errors are shown on the form. The
feedback lists on the partnership and program pages are rendered by the template tags in
evaluation.templatetags.evaluation_pages, so the lower apps never import this one.
"""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views import generic

from partnerships.choices import PartnershipStatus
from partnerships.models import EnterpriseProject, Partnership, TalentDemand
from portal.choices import Role
from portal.models import Region, Sector
from portal.pages import PageMixin, get_visible_or_404
from portal.scoping import VIEW, restrict
from portal.selectors import organisation_counts
from portal.views import optional_url
from portal.years import academic_year_of
from programs.choices import ProgramStatus
from programs.models import Program, TeacherPlacement

from . import services
from .choices import UNRESOLVED_WARNING_STATUSES, Condition, FeedbackDimension, Level, Recommendation, Severity
from .indicators.catalogue import BAND, CNY, COUNT, MAX, MIN, RATIO, REGISTRY
from .models import EvaluationRun, Feedback, FeedbackScore, IndicatorValue, ProgramRecommendation
from .models import Warning as IndicatorWarning
from .targets import target_of

LIST_LIMIT = 5  # rows shown per block of the home page; the count says how many there are in all


# --- the home page --------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: who you are, what you work for, what needs you, where to go next."""
    user = request.user
    context = {"role_label": Role(user.role).label if user.role in Role.values else "", "scope": user.scope}
    if user.role == Role.GOV_REVIEWER:
        context["counts"] = organisation_counts(user.region)
    elif user.role == Role.PLATFORM_ADMIN:
        context["counts"] = {
            **organisation_counts(),
            "regions": Region.objects.count(),
            "sectors": Sector.objects.count(),
        }
    elif user.role == Role.COLLEGE_ADMIN and user.school_id:
        context["college"] = college_home(user)
    elif user.role == Role.ENTERPRISE_LIAISON and user.enterprise_id:
        context["liaison"] = liaison_home(user)
    context["directory_url"] = optional_url("directory:index")
    return render(request, "portal/home.html", context)


# --- the school home ------------------------------------------------------------------------------


def _block(queryset, limit: int = LIST_LIMIT) -> dict:
    """The first rows of a queryset and how many rows it has in all (two queries)."""
    return {"rows": list(queryset[:limit]), "count": queryset.count()}


def indicator_name(definition) -> str:
    return definition.name_zh if (get_language() or "").lower().startswith("zh") else definition.name_en


def format_number(unit: str, value: float | None) -> str:
    """A value as people read it: ratios as percentages, money in yuan, counts whole, scores of 5."""
    if value is None:
        return "—"
    if unit == RATIO:
        return f"{value * 100:.1f}".removesuffix(".0") + " %"
    if unit == CNY:
        return f"¥{value:,.0f}"
    if unit == COUNT:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def format_target(definition, target: float | None, upper: float | None) -> str | None:
    if not definition.direction or target is None:
        return None
    if definition.direction == MIN:
        return f"≥ {format_number(definition.unit, target)}"
    if definition.direction == MAX:
        return f"≤ {format_number(definition.unit, target)}"
    if definition.direction == BAND and upper is not None:
        return f"{format_number(definition.unit, target)} – {format_number(definition.unit, upper)}"
    return None


# The state of a value against its target: (key, label, badge modifier)
MEETS = ("meets", _("meets the target"), "ok")
MISSES = ("misses", _("misses the target"), "warn")
MISSES_BADLY = ("misses_badly", _("misses the target by far"), "bad")
NO_DATA = ("no_data", _("no data"), "")
NO_TARGET = ("no_target", _("no target"), "")


def value_state(value) -> tuple[str, object, str]:
    """Whether a published value meets the target stored with it (INDICATORS.md, exact comparison)."""
    definition = value.definition
    if value.value is None:
        return NO_DATA
    if not definition.direction or value.target is None:
        return NO_TARGET
    target = target_of(definition.direction, value.target, value.target_upper)
    if value.numerator is not None and value.denominator:
        miss = target.miss(value.numerator, value.denominator)
    else:
        miss = target.miss(Decimal(repr(value.value)), 1)
    if miss is None:
        return MEETS
    return MISSES_BADLY if miss == Severity.HIGH else MISSES


def college_home(user) -> dict:
    """What a college administrator's home shows, in a constant number of queries."""
    school_id = user.school_id
    run_year = restrict(EvaluationRun.objects.filter(published=True), user, VIEW).order_by("-year").values_list(
        "year", flat=True).first()

    # Indicator values of the school in the latest published year, in catalogue order.
    order = {key: index for index, key in enumerate(REGISTRY)}
    values = []
    if run_year is not None:
        rows = restrict(
            IndicatorValue.objects.published().filter(year=run_year, level=Level.SCHOOL, school_id=school_id), user
        )
        for row in sorted(rows, key=lambda v: order.get(v.indicator, len(order))):
            definition = row.definition
            state, state_label, tone = value_state(row)
            values.append({
                "key": row.indicator,
                "name": indicator_name(definition),
                "value": format_number(definition.unit, row.value),
                "target": format_target(definition, row.target, row.target_upper),
                "state": state, "state_label": state_label, "tone": tone,
                "formula": definition.formula,
                "source": definition.source,
                "numerator": row.numerator, "denominator": row.denominator,
            })

    level_rank = Case(When(level=Level.SCHOOL, then=Value(0)), default=Value(1), output_field=IntegerField())
    severity_rank = Case(When(severity=Severity.HIGH, then=Value(0)), default=Value(1), output_field=IntegerField())
    warnings = restrict(
        IndicatorWarning.objects.filter(school_id=school_id, status__in=UNRESOLVED_WARNING_STATUSES), user
    ).select_related("program").order_by("-year", severity_rank, level_rank, "indicator", "pk")
    warning_block = {"rows": list(warnings[:LIST_LIMIT]), **warnings.aggregate(
        count=Count("pk"), high=Count("pk", filter=Q(severity=Severity.HIGH)))}
    warning_block["rows"] = [
        {"warning": w, "name": indicator_name(REGISTRY[w.indicator]),
         "value": format_number(REGISTRY[w.indicator].unit, w.value),
         "target": format_target(REGISTRY[w.indicator], w.target, w.target_upper)}
        for w in warning_block["rows"]
    ]

    recommendations = []
    if run_year is not None:
        recommendations = list(restrict(
            ProgramRecommendation.objects.published().filter(
                year=run_year, school_id=school_id,
                recommendation__in=[Recommendation.ENROLMENT_REDUCED, Recommendation.SUSPENDED],
            ), user,
        ).select_related("program").order_by("-recommendation", "program__code"))
    condition_labels = dict(Condition.choices)
    for rec in recommendations:
        rec.condition_labels = [condition_labels.get(c, c) for c in rec.conditions]
        rec.program_url = optional_url("programs:program-detail", rec.program_id)

    # What needs attention.
    figures_year = run_year if run_year is not None else academic_year_of(timezone.localdate())
    proposals = restrict(
        Partnership.objects.filter(school_id=school_id, status=PartnershipStatus.PROPOSED), user
    ).select_related("enterprise").order_by("start_date", "pk")
    placements = restrict(
        TeacherPlacement.objects.filter(teacher__school_id=school_id, verified=False), user
    ).select_related("teacher", "enterprise").order_by("start_date", "pk")
    missing = restrict(
        Program.objects.filter(school_id=school_id).exclude(status=ProgramStatus.CLOSED).exclude(
            years__year=figures_year), user,
    ).order_by("code")
    missing_block = _block(missing)
    for program in missing_block["rows"]:
        program.url = optional_url("programs:program-detail", program.pk)

    return {
        "year": run_year,
        "values": values,
        "warnings": warning_block,
        "recommendations": recommendations,
        "proposals": _block(proposals),
        "placements": _block(placements),
        "missing_figures": missing_block,
        "figures_year": figures_year,
        "links": {
            "proposals": optional_url("partnerships:partnership-list", query="status=proposed"),
            "placements": optional_url("programs:placement-list", query="verified=false"),
            "programs": optional_url("programs:program-list"),
            "import": optional_url("programs:import"),
        },
    }


# --- the enterprise home --------------------------------------------------------------------------


def liaison_home(user) -> dict:
    """What an enterprise liaison's home shows, in a constant number of queries."""
    enterprise_id = user.enterprise_id
    proposals = restrict(
        Partnership.objects.filter(enterprise_id=enterprise_id, status=PartnershipStatus.PROPOSED), user
    ).select_related("school").order_by("start_date", "pk")
    placements = restrict(
        TeacherPlacement.objects.filter(enterprise_id=enterprise_id, verified=False), user
    ).select_related("teacher", "teacher__school").order_by("start_date", "pk")
    projects = restrict(EnterpriseProject.objects.filter(enterprise_id=enterprise_id), user).select_related(
        "sector").annotate(adoption_count=Count("adoptions", distinct=True)).order_by("-created_at", "-pk")
    demands = restrict(TalentDemand.objects.filter(enterprise_id=enterprise_id), user).select_related(
        "sector", "region").order_by("-year", "position", "pk")
    project_block = _block(projects, 10)
    for project in project_block["rows"]:
        project.url = optional_url("directory:project-detail", project.pk)
    return {
        "proposals": _block(proposals),
        "placements": _block(placements),
        "projects": project_block,
        "demands": _block(demands, 10),
        "links": {
            "proposals": optional_url("partnerships:partnership-list", query="status=proposed"),
            "placements": optional_url("programs:placement-list", query="verified=false"),
            "projects": optional_url("partnerships:project-list"),
            "enterprise": optional_url("directory:enterprise-detail", enterprise_id),
        },
    }


# --- feedback -------------------------------------------------------------------------------------


# The dimensions an enterprise scores a partnership on, and those it scores a program's graduates on.
PARTNERSHIP_DIMENSIONS = (
    FeedbackDimension.COMMUNICATION,
    FeedbackDimension.RESPONSIVENESS,
    FeedbackDimension.MUTUAL_BENEFIT,
    FeedbackDimension.OUTCOMES,
)
GRADUATE_DIMENSIONS = (
    FeedbackDimension.PROFESSIONAL_SKILLS,
    FeedbackDimension.WORK_ATTITUDE,
    FeedbackDimension.TEAMWORK,
    FeedbackDimension.LEARNING_ABILITY,
)

SCORE_CHOICES = [("", _("Not scored")), *((str(n), str(n)) for n in range(1, 6))]


def visible_feedback(queryset, user) -> list[Feedback]:
    """The feedback of `queryset` the user may see, newest year first, with who gave it and its
    scores: two queries whatever the number of rows."""
    return list(
        restrict(queryset, user, VIEW)
        .select_related("enterprise", "given_by")
        .prefetch_related(Prefetch("scores", queryset=FeedbackScore.objects.order_by("dimension")))
    )


def may_give_partnership_feedback(user, partnership: Partnership) -> bool:
    """The enterprise's liaison, on any of its partnerships but a declined proposal."""
    return (
        user.role == Role.ENTERPRISE_LIAISON
        and user.enterprise_id == partnership.enterprise_id
        and partnership.status != PartnershipStatus.DECLINED
    )


def is_partner_of_program_school(user, program: Program) -> bool:
    """Whether the user is the liaison of an enterprise in partnership (not declined) with the
    program's school (one query); evaluation.services.feedback_give checks the same when saving."""
    if user.role != Role.ENTERPRISE_LIAISON or not user.enterprise_id:
        return False
    return Partnership.objects.filter(enterprise=user.enterprise_id, school=program.school_id).exclude(
        status=PartnershipStatus.DECLINED).exists()


class FeedbackForm(forms.Form):
    """Scores from 1 (poor) to 5 (excellent) on the given dimensions, a comment and the year."""

    year = forms.IntegerField(label=_("Academic year"), min_value=1950, max_value=2100,
                              help_text=_("The year the feedback is about (2025 = 2025–2026)."))
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, dimensions=PARTNERSHIP_DIMENSIONS, **kwargs):
        super().__init__(*args, **kwargs)
        self.dimensions = tuple(dimensions)
        labels = dict(FeedbackDimension.choices)
        scores = {
            f"score_{dimension.value}": forms.TypedChoiceField(
                label=labels[dimension], choices=SCORE_CHOICES, coerce=int, required=False, empty_value=None,
                widget=forms.RadioSelect(attrs={"class": "score-choice"}),
            )
            for dimension in self.dimensions
        }
        self.fields = {"year": self.fields["year"], **scores, "comment": self.fields["comment"]}

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.scores():
            raise ValidationError(_("Give a score on at least one dimension."))
        return cleaned

    def scores(self) -> list[dict]:
        return [
            {"dimension": dimension.value, "score": self.cleaned_data[f"score_{dimension.value}"]}
            for dimension in self.dimensions
            if self.cleaned_data.get(f"score_{dimension.value}") not in (None, "")
        ]


class FeedbackCreateView(PageMixin, generic.FormView):
    """Give feedback on one subject (fixed by the URL): invisible → 404, not the user's to score →
    403, the service's refusal → shown on the form, nothing written."""

    form_class = FeedbackForm
    template_name = "evaluation/feedback_form.html"
    subject_model: type = Partnership
    subject_field = "partnership"  # the Feedback field that names the subject
    dimensions: tuple = PARTNERSHIP_DIMENSIONS
    anchor = "feedback"  # where the subject's page shows its feedback

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.subject = get_visible_or_404(self.subject_model, request.user, pk=kwargs["pk"])
        self.check_allowed()
        return super().dispatch(request, *args, **kwargs)

    def check_allowed(self) -> None:
        raise NotImplementedError

    def subject_url(self) -> str:
        raise NotImplementedError

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "dimensions": self.dimensions}

    def get_initial(self):
        return {"year": academic_year_of(timezone.localdate())}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), self.subject_field: self.subject,
                "cancel_url": self.subject_url()}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.feedback_give(
                by=self.request.user, scores=form.scores(), year=data["year"], comment=data["comment"],
                **{self.subject_field: self.subject},
            )
        except ValidationError as exc:
            errors_by_field = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
            for field, errors in errors_by_field.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("Thank you: your feedback was saved."))
        return redirect(f"{self.subject_url()}#{self.anchor}")


class PartnershipFeedbackCreateView(FeedbackCreateView):
    """The enterprise's liaison gives feedback on one of its partnerships; others 403, a declined
    proposal takes none."""

    section = "partnerships"

    def check_allowed(self) -> None:
        user, partnership = self.request.user, self.subject
        if user.role != Role.ENTERPRISE_LIAISON or user.enterprise_id != partnership.enterprise_id:
            raise PermissionDenied(_("Feedback on a partnership is given by its enterprise's liaison."))
        if partnership.status == PartnershipStatus.DECLINED:
            raise PermissionDenied(_("A declined proposal takes no feedback."))

    def get_title(self):
        return _("Give feedback on %(partnership)s") % {"partnership": self.subject.title}

    def subject_url(self) -> str:
        return reverse("partnerships:partnership-detail", args=[self.subject.pk])


class ProgramFeedbackCreateView(FeedbackCreateView):
    """An enterprise's liaison gives feedback on the graduates of a program (every program is
    visible); the service refuses it unless the enterprise is a partner of the program's school.
    Other roles 403."""

    subject_model = Program
    subject_field = "program"
    dimensions = GRADUATE_DIMENSIONS
    anchor = "graduate-feedback"

    def check_allowed(self) -> None:
        user = self.request.user
        if user.role != Role.ENTERPRISE_LIAISON or not user.enterprise_id:
            raise PermissionDenied(_("Feedback on graduates is given by the liaisons of partner enterprises."))

    def get_title(self):
        return _("Give feedback on the graduates of %(program)s") % {"program": self.subject.name}

    def subject_url(self) -> str:
        return reverse("programs:program-detail", args=[self.subject.pk])


# Included by the root urls under /evaluation/ (evaluation.urls); the home page is the root URL "home".
urlpatterns = [
    path("partnerships/<int:pk>/feedback/add/", PartnershipFeedbackCreateView.as_view(),
         name="partnership-feedback-add"),
    path("programs/<int:pk>/feedback/add/", ProgramFeedbackCreateView.as_view(), name="program-feedback-add"),
]
