"""Pages: enterprise projects and their adoption into courses, talent demands, training bases and
their yearly use, technical services and patents.

Liaisons post their enterprise's projects (drafts stay private until opened) and talent demands;
college admins adopt open projects into their own courses through `services.project_adopt` (the
API's path) and keep their school's training bases, technical services and patents.
"""
from __future__ import annotations

import datetime
from typing import Any

import django_filters as filters
from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Prefetch, UniqueConstraint
from django.forms.models import ModelChoiceIterator
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic

from portal.choices import Role
from portal.models import Enterprise, Region, School, Sector
from portal.pages import (
    ChildFormMixin,
    Column,
    PageMixin,
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    get_visible_or_404,
    may_change,
)
from portal.scoping import CHANGE, VIEW, may_write, restrict
from portal.years import academic_year_of
from programs.models import Course

from .. import services
from ..choices import ProjectStatus
from ..filters import (
    EnterpriseProjectFilterSet,
    PatentFilterSet,
    TalentDemandFilterSet,
    TechnicalServiceFilterSet,
    TrainingBaseFilterSet,
)
from ..models import (
    EnterpriseProject,
    Patent,
    ProjectAdoption,
    TalentDemand,
    TechnicalService,
    TrainingBase,
    TrainingBaseUsage,
)

SECTION = "projects"
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _current_year() -> int:
    return academic_year_of(datetime.date.today())


def _move_unique_errors(form, field: str) -> None:
    """Show the errors of the model's unique constraints (which Django reports for the whole row)
    beside `field`, where the user fixes them."""
    errors = form._errors or {}
    if NON_FIELD_ERRORS not in errors or field not in form.fields:
        return
    unique = {str(c.violation_error_message) for c in form._meta.model._meta.constraints
              if isinstance(c, UniqueConstraint)}
    whole_row = errors[NON_FIELD_ERRORS].as_data()
    moved = [e for e in whole_row if str(e.message) in unique]
    if not moved:
        return
    rest = [e for e in whole_row if e not in moved]
    if rest:
        errors[NON_FIELD_ERRORS] = form.error_class(rest, error_class="nonfield", renderer=form.renderer)
    else:
        del errors[NON_FIELD_ERRORS]
    errors.setdefault(field, form.error_class(renderer=form.renderer)).extend(moved)


class UniqueErrorsBesideMixin:
    """Form pages showing unique-constraint errors beside `unique_field`."""

    unique_field = "year"

    def form_invalid(self, form):
        _move_unique_errors(form, self.unique_field)
        return super().form_invalid(form)


def _own_organisation_only(form, name: str) -> None:
    """When the user may choose exactly one organisation (their own), preselect it without a blank."""
    field = form.fields.get(name)
    if field is not None and len(field.queryset) == 1:
        field.empty_label = None


class CreatorMixin:
    """Add pages open only to the roles that keep such rows (others: 403 before any form)."""

    creator_roles: tuple[str, ...] = ()

    @classmethod
    def user_may_create(cls, user) -> bool:
        return user.is_platform_admin or user.role in cls.creator_roles

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.user_may_create(request.user):
            raise PermissionDenied(_("You may not add such records."))
        return super().dispatch(request, *args, **kwargs)


# --- choices for filters --------------------------------------------------------------------------


def _sector_choices() -> list[tuple[str, str]]:
    return [("", _("Any sector")), *((s.code, str(s)) for s in Sector.objects.order_by("code"))]


def _region_choices() -> list[tuple[str, str]]:
    return [("", _("Any region")), *((r.code, str(r)) for r in Region.objects.order_by("code"))]


def _page_filters(filterset) -> None:
    """The API's help texts (English, for integrators) are not shown on pages."""
    for flt in filterset.filters.values():
        flt.extra.pop("help_text", None)


def _as_select(filterset, name: str, choices, label) -> None:
    """Show a code filter of the API's FilterSet (sector, region) as a labelled select."""
    flt = filterset.filters[name]
    flt.label = label
    flt.extra["widget"] = forms.Select(choices=choices)


class MineFilterMixin:
    """A "mine" check box for the organisation the user belongs to (`mine_path`)."""

    mine_path = "enterprise"
    mine_attr = "enterprise_id"

    def filter_mine(self, qs, name, value):
        own = getattr(self.request.user, self.mine_attr, None)
        return qs.filter(**{self.mine_path: own}) if value and own else qs

    def drop_mine_unless_member(self) -> None:
        if not getattr(self.request.user, self.mine_attr, None):
            self.filters.pop("mine", None)


# --- enterprise projects --------------------------------------------------------------------------
STATUS_BADGE = {
    ProjectStatus.DRAFT: "",
    ProjectStatus.OPEN: "badge--ok",
    ProjectStatus.IN_PROGRESS: "badge--warn",
    ProjectStatus.COMPLETED: "",
    ProjectStatus.CANCELLED: "badge--bad",
}


class ProjectPageFilterSet(MineFilterMixin, EnterpriseProjectFilterSet):
    enterprise = filters.ModelChoiceFilter(queryset=Enterprise.objects.order_by("name"), label=_("Enterprise"))
    mine = filters.BooleanFilter(method="filter_mine", label=_("Only my enterprise's projects"),
                                 widget=forms.CheckboxInput)

    class Meta(EnterpriseProjectFilterSet.Meta):
        fields = ["status", "sector", "region", "enterprise", "mine"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _page_filters(self)
        self.filters["status"].label = _("Status")
        _as_select(self, "sector", _sector_choices(), _("Sector"))
        _as_select(self, "region", _region_choices(), _("Enterprise's region"))
        self.drop_mine_unless_member()


class ProjectListView(ScopedListView):
    """Projects on offer (open, in progress, completed, cancelled) to every signed-in user; drafts
    only to their own enterprise."""

    model = EnterpriseProject
    queryset = EnterpriseProject.objects.select_related("enterprise", "sector")
    template_name = "partnerships/project_list.html"
    title = _("Enterprise projects")
    section = SECTION
    filterset_class = ProjectPageFilterSet
    search_fields = ("title", "summary", "skills", "enterprise__name")
    orderings = {"title": "title", "capacity": "capacity", "start": "start_date", "status": "status",
                 "created": "created_at"}
    default_ordering = ("-created_at",)
    create_url = "partnerships:project-add"
    empty_text = _("No projects on offer yet.")
    columns = (
        Column(_("Title"), "title", link="partnerships:project-detail", sort="title"),
        Column(_("Enterprise"), "enterprise__name"),
        Column(_("Sector"), "sector"),
        Column(_("Status"), "status", sort="status"),
        Column(_("Capacity (students)"), "capacity", sort="capacity", numeric=True),
        Column(_("Start date"), "start_date", sort="start"),
        Column(_("End date"), "end_date"),
    )

    def may_create(self) -> bool:
        return ProjectCreateView.user_may_create(self.request.user)


class ProjectForm(forms.ModelForm):
    class Meta:
        model = EnterpriseProject
        fields = ["enterprise", "title", "summary", "skills", "sector", "capacity", "start_date", "end_date"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "skills": forms.Textarea(attrs={"rows": 2}),
            "capacity": forms.NumberInput(attrs={"min": 0}),
            "start_date": DATE,
            "end_date": DATE,
        }
        help_texts = {"skills": _("The skills students practise, e.g. PLC programming, machine vision.")}


class EnterpriseRecordFormMixin(CreatorMixin):
    """Records an enterprise keeps (projects, talent demands): liaisons create them for their own
    enterprise only."""

    section = SECTION
    changeable_choices = ("enterprise",)
    creator_roles = (Role.ENTERPRISE_LIAISON,)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        _own_organisation_only(form, "enterprise")
        return form


class ProjectFormMixin(EnterpriseRecordFormMixin):
    model = EnterpriseProject
    form_class = ProjectForm


    success_url_name = "partnerships:project-detail"


class ProjectCreateView(ProjectFormMixin, ScopedCreateView):
    """A liaison posts a project for their enterprise; it stays a private draft until opened."""

    title = _("Post a project")
    success_message = _("The project was saved as a draft. Open it when colleges may adopt it.")

    def get_initial(self):
        enterprise = self.request.user.enterprise
        return {"enterprise": enterprise.pk, "sector": enterprise.sector_id} if enterprise else {}


class ProjectUpdateView(ProjectFormMixin, ScopedUpdateView):
    success_message = _("The project was saved.")


# Status changes offered on a project's page: target → (states it may come from, button label).
TRANSITIONS: dict[str, tuple[tuple[str, ...], Any]] = {
    ProjectStatus.OPEN: ((ProjectStatus.DRAFT,), _("Open for adoption")),
    ProjectStatus.IN_PROGRESS: ((ProjectStatus.OPEN,), _("Mark in progress")),
    ProjectStatus.COMPLETED: ((ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS), _("Close as completed")),
    ProjectStatus.CANCELLED: ((ProjectStatus.DRAFT, ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS),
                              _("Close as cancelled")),
}


def _course_label(course: Course) -> str:
    return f"{course.program.name} · {course.code} {course.name}"


class _OfferedChoices(ModelChoiceIterator):
    def __init__(self, field):
        super().__init__(field)
        if field.offered is not None:
            self.queryset = field.offered


class OfferedModelChoiceField(forms.ModelChoiceField):
    """Accepts any row of `queryset` (the rows the user may see, so a visible but foreign choice
    reaches the change-scope check and answers 403) but offers only the rows in `offered`."""

    iterator = _OfferedChoices
    offered = None

    def offer(self, queryset) -> None:
        self.offered = queryset
        self.queryset = self.queryset  # rebuild the widget's choices

    def label_from_instance(self, obj) -> str:
        return _course_label(obj)


class AdoptionForm(forms.ModelForm):
    course = OfferedModelChoiceField(queryset=Course.objects.select_related("program"), label=_("Course"))

    class Meta:
        model = ProjectAdoption
        fields = ["course", "year", "students", "outcome"]
        widgets = {
            "year": forms.NumberInput(attrs={"min": 1950, "max": 2100}),
            "students": forms.NumberInput(attrs={"min": 0}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"year": _("The academic year it starts in: 2025 means 2025–2026.")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        course = self.fields["course"]
        course.queryset = restrict(course.queryset, user, VIEW)
        course.offer(restrict(Course.objects.select_related("program").order_by("program__code", "code"),
                              user, CHANGE))


def _may_adopt(user) -> bool:
    return user.is_platform_admin or user.role == Role.COLLEGE_ADMIN


class ProjectDetailView(ScopedDetailView):
    """A project, its adoptions (those the user may see) and, as fits the user: edit and status
    buttons (its enterprise) or the adoption form (college admins, open or in-progress projects)."""

    model = EnterpriseProject
    queryset = EnterpriseProject.objects.select_related("enterprise", "sector")
    template_name = "partnerships/project_detail.html"
    context_object_name = "project"
    section = SECTION

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project, user = self.object, self.request.user
        changeable = may_change(project, user)
        adoptions = restrict(
            project.adoptions.select_related("course__program__school").order_by("-year", "id"), user, VIEW
        )
        adoptable = project.status in services.ADOPTABLE
        context.update(
            may_change=changeable,
            status_badge=STATUS_BADGE.get(project.status, ""),
            transitions=[
                {"status": target, "label": label}
                for target, (sources, label) in TRANSITIONS.items()
                if project.status in sources
            ] if changeable else [],
            adoptions=[{"adoption": a, "may_change": a.course.program.school_id == user.school_id
                        or user.is_platform_admin} for a in adoptions],
            adoption_form=AdoptionForm(user=user, initial={"year": _current_year()})
            if adoptable and _may_adopt(user) else None,
        )
        return context


class ProjectStatusForm(forms.ModelForm):
    class Meta:
        model = EnterpriseProject
        fields = ["status"]


class ProjectStatusView(PageMixin, generic.View):
    """Open, start or close a project (POST only): its enterprise only; the status saved as the API
    saves it (model form, then the whole row validated)."""

    def post(self, request, pk: int):
        project = get_visible_or_404(EnterpriseProject, request.user, pk=pk)
        if not may_change(project, request.user):
            raise PermissionDenied(_("You may not change this project."))
        target = request.POST.get("status", "")
        sources = TRANSITIONS.get(target, ((),))[0]
        detail = reverse("partnerships:project-detail", args=[project.pk])
        if project.status not in sources:
            messages.error(request, _("A %(status)s project cannot be moved to that status.")
                           % {"status": project.get_status_display()})
            return redirect(detail)
        form = ProjectStatusForm({"status": target}, instance=project)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            if not may_write(request.user, EnterpriseProject, form.cleaned_data, project):
                raise PermissionDenied(_("You may not change this project."))
            form.instance.full_clean()
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(detail)
        form.instance.save(update_fields=["status", "updated_at"])
        messages.success(request, _("The project is now %(status)s.") % {"status": project.get_status_display()})
        return redirect(detail)


# --- adoptions ------------------------------------------------------------------------------------


class AdoptionCreateView(UniqueErrorsBesideMixin, ScopedCreateView):
    """A college admin adopts a visible project into one of their own courses for a year."""

    model = ProjectAdoption
    form_class = AdoptionForm
    template_name = "partnerships/project_adopt.html"
    section = SECTION
    success_message = _("The project was adopted into the course.")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.project = get_visible_or_404(EnterpriseProject, request.user, pk=kwargs["pk"])
        if not _may_adopt(request.user):
            raise PermissionDenied(_("Only college administrators adopt projects into their courses."))
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return _("Adopt %(project)s") % {"project": self.project.title}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"year": _current_year()}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.instance.project = self.project
        return form

    def check_may_write(self, form) -> None:
        if not may_write(self.request.user, ProjectAdoption, {**form.cleaned_data, "project": self.project}):
            raise PermissionDenied(_("You may only adopt projects into your own school's courses."))

    def save(self, form):
        return services.project_adopt(by=self.request.user, project=self.project, **form.cleaned_data)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "project": self.project}

    def get_success_url(self):
        return reverse("partnerships:project-detail", args=[self.project.pk]) + "#adoptions"


class AdoptionUpdateForm(forms.ModelForm):
    class Meta:
        model = ProjectAdoption
        fields = ["year", "students", "outcome"]
        widgets = AdoptionForm.Meta.widgets
        help_texts = AdoptionForm.Meta.help_texts


class AdoptionUpdateView(UniqueErrorsBesideMixin, ScopedUpdateView):
    """Correct an adoption (year, students, outcome) of the school's own course."""

    model = ProjectAdoption
    queryset = ProjectAdoption.objects.select_related("project", "course__program")
    form_class = AdoptionUpdateForm
    template_name = "partnerships/project_adopt.html"
    section = SECTION
    success_message = _("The adoption was saved.")

    def get_title(self):
        return _("Adoption of %(project)s by %(course)s") % {
            "project": self.object.project.title, "course": self.object.course.name}

    def save(self, form):
        return services.project_adoption_update(adoption=self.object, by=self.request.user, **form.cleaned_data)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "project": self.object.project}

    def get_success_url(self):
        return reverse("partnerships:project-detail", args=[self.object.project_id]) + "#adoptions"


# --- talent demands -------------------------------------------------------------------------------


class DemandPageFilterSet(MineFilterMixin, TalentDemandFilterSet):
    enterprise = filters.ModelChoiceFilter(queryset=Enterprise.objects.order_by("name"), label=_("Enterprise"))
    mine = filters.BooleanFilter(method="filter_mine", label=_("Only my enterprise's demands"),
                                 widget=forms.CheckboxInput)

    class Meta(TalentDemandFilterSet.Meta):
        fields = ["sector", "region", "year", "enterprise", "mine"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _page_filters(self)
        _as_select(self, "sector", _sector_choices(), _("Sector"))
        _as_select(self, "region", _region_choices(), _("Region"))
        self.filters["year"].label = _("Academic year")
        self.drop_mine_unless_member()


class DemandListView(ScopedListView):
    model = TalentDemand
    queryset = TalentDemand.objects.select_related("enterprise", "sector", "region")
    template_name = "partnerships/demand_list.html"
    title = _("Talent demands")
    section = SECTION
    filterset_class = DemandPageFilterSet
    search_fields = ("position", "skills", "enterprise__name")
    orderings = {"position": "position", "headcount": "headcount", "year": "year"}
    default_ordering = ("-year", "position")
    create_url = "partnerships:demand-add"
    empty_text = _("No talent demands yet.")
    columns = (
        Column(_("Position"), "position", link="partnerships:demand-detail", sort="position"),
        Column(_("Enterprise"), "enterprise__name"),
        Column(_("Sector"), "sector"),
        Column(_("Region"), "region__name"),
        Column(_("Headcount"), "headcount", sort="headcount", numeric=True),
        Column(_("Academic year"), "year", sort="year", numeric=True),
    )

    def may_create(self) -> bool:
        return DemandCreateView.user_may_create(self.request.user)


class DemandForm(forms.ModelForm):
    class Meta:
        model = TalentDemand
        fields = ["enterprise", "position", "sector", "region", "headcount", "skills", "year"]
        widgets = {
            "headcount": forms.NumberInput(attrs={"min": 1}),
            "skills": forms.Textarea(attrs={"rows": 3}),
            "year": forms.NumberInput(attrs={"min": 1950, "max": 2100}),
        }
        help_texts = {"year": _("The academic year it starts in: 2025 means 2025–2026.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.order_by("code")


class DemandFormMixin(EnterpriseRecordFormMixin):
    model = TalentDemand
    form_class = DemandForm


    success_url_name = "partnerships:demand-detail"


class DemandCreateView(DemandFormMixin, ScopedCreateView):
    title = _("Post a talent demand")
    success_message = _("The talent demand was posted.")

    def get_initial(self):
        enterprise = self.request.user.enterprise
        initial = {"year": _current_year()}
        if enterprise:
            initial.update(enterprise=enterprise.pk, sector=enterprise.sector_id, region=enterprise.region_id)
        return initial


class DemandUpdateView(DemandFormMixin, ScopedUpdateView):
    success_message = _("The talent demand was saved.")


class DemandDetailView(ScopedDetailView):
    model = TalentDemand
    queryset = TalentDemand.objects.select_related("enterprise", "sector", "region")
    template_name = "partnerships/demand_detail.html"
    section = SECTION

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "may_change": may_change(self.object, self.request.user)}


# --- training bases and their yearly use ----------------------------------------------------------
OWNER_FIELDS = ("school", "enterprise", "consortium")
BASE_FIELDS = ["name", "co_built", "on_campus", "open_to_public", "equipment_value", "enterprise_equipment_value",
               "capacity_hours"]


def _owner_of(user) -> dict[str, Any]:
    """The organisation a new base of this user belongs to."""
    if user.role == Role.COLLEGE_ADMIN:
        return {"school": user.school}
    if user.role == Role.ENTERPRISE_LIAISON:
        return {"enterprise": user.enterprise}
    return {}


class BasePageFilterSet(TrainingBaseFilterSet):
    school = filters.ModelChoiceFilter(queryset=School.objects.order_by("name"), label=_("School"))
    enterprise = filters.ModelChoiceFilter(queryset=Enterprise.objects.order_by("name"), label=_("Enterprise"))

    class Meta(TrainingBaseFilterSet.Meta):
        fields = ["school", "enterprise", "co_built", "on_campus", "open_to_public"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _page_filters(self)
        user = self.request.user
        if user.role in (Role.COLLEGE_ADMIN, Role.ENTERPRISE_LIAISON):  # they list their own bases only
            self.filters.pop("school")
            self.filters.pop("enterprise")
        self.filters["co_built"].label = _("Co-built")
        self.filters["on_campus"].label = _("On campus")
        self.filters["open_to_public"].label = _("Open to the public")


class BaseListView(ScopedListView):
    """College admins and liaisons list the bases they keep; reviewers and platform admins all."""

    model = TrainingBase
    queryset = TrainingBase.objects.select_related("school", "enterprise", "consortium")
    template_name = "partnerships/base_list.html"
    title = _("Training bases")
    section = SECTION
    filterset_class = BasePageFilterSet
    search_fields = ("name", "school__name", "enterprise__name", "consortium__name")
    orderings = {"name": "name", "equipment": "equipment_value", "capacity": "capacity_hours"}
    default_ordering = ("name",)
    create_url = "partnerships:base-add"
    empty_text = _("No training bases yet.")
    columns = (
        Column(_("Name"), "name", link="partnerships:base-detail", sort="name"),
        Column(_("Owner"), "owner"),
        Column(_("Co-built"), lambda b: _("yes") if b.co_built else _("no")),
        Column(_("Open to the public"), lambda b: _("yes") if b.open_to_public else _("no")),
        Column(_("Equipment value (CNY)"), "equipment_value", sort="equipment", numeric=True),
        Column(_("Capacity (hours per year)"), "capacity_hours", sort="capacity", numeric=True),
    )

    def get_queryset(self):
        qs = super().get_queryset()
        if self.request.user.role in (Role.COLLEGE_ADMIN, Role.ENTERPRISE_LIAISON):
            qs = restrict(qs, self.request.user, CHANGE)
        return qs

    def may_create(self) -> bool:
        return BaseCreateView.user_may_create(self.request.user)


class BaseFormMixin:
    model = TrainingBase
    section = SECTION

    def get_form_class(self):
        owners = list(OWNER_FIELDS) if self.request.user.is_platform_admin else []
        return forms.modelform_factory(
            TrainingBase, fields=[*owners, *BASE_FIELDS],
            widgets={name: forms.NumberInput(attrs={"min": 0}) for name in BASE_FIELDS[4:]},
        )


    success_url_name = "partnerships:base-detail"


class BaseCreateView(BaseFormMixin, CreatorMixin, ScopedCreateView):
    title = _("Add a training base")
    creator_roles = (Role.COLLEGE_ADMIN, Role.ENTERPRISE_LIAISON)
    success_message = _("The training base was added.")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for name, owner in _owner_of(self.request.user).items():
            setattr(form.instance, name, owner)
        return form

    def check_may_write(self, form) -> None:
        values = {**{name: getattr(form.instance, name) for name in OWNER_FIELDS}, **form.cleaned_data}
        if not may_write(self.request.user, TrainingBase, values):
            raise PermissionDenied(_("You may not change this record."))


class BaseUpdateView(BaseFormMixin, ScopedUpdateView):
    success_message = _("The training base was saved.")


class BaseDetailView(ScopedDetailView):
    model = TrainingBase
    queryset = TrainingBase.objects.select_related("school", "enterprise", "consortium").prefetch_related(
        Prefetch("usage", queryset=TrainingBaseUsage.objects.order_by("-year"))
    )
    template_name = "partnerships/base_detail.html"
    section = SECTION

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "may_change": may_change(self.object, self.request.user)}


class UsageForm(forms.ModelForm):
    class Meta:
        model = TrainingBaseUsage
        fields = ["year", "internal_hours", "external_hours"]
        widgets = {
            "year": forms.NumberInput(attrs={"min": 1950, "max": 2100}),
            "internal_hours": forms.NumberInput(attrs={"min": 0}),
            "external_hours": forms.NumberInput(attrs={"min": 0}),
        }
        help_texts = {"year": _("The academic year it starts in: 2025 means 2025–2026.")}


class UsageFormMixin(ChildFormMixin, UniqueErrorsBesideMixin):
    """Usage rows live under their base: the base is fixed by the URL and must be one the user keeps."""

    model = TrainingBaseUsage
    form_class = UsageForm
    section = SECTION
    template_name = "partnerships/base_usage_form.html"
    parent_model = TrainingBase
    parent_field = "base"
    parent_denied = _("You may not change this training base's use.")
    parent_url_name = "partnerships:base-detail"
    parent_anchor = "#usage"


class UsageCreateView(UsageFormMixin, ScopedCreateView):
    success_message = _("The year's use was recorded.")

    def get_title(self):
        return _("Record a year's use of %(base)s") % {"base": self.base.name}

    def get_initial(self):
        return {"year": _current_year()}


class UsageUpdateView(UsageFormMixin, ScopedUpdateView):
    success_message = _("The year's use was saved.")

    def get_queryset(self):
        return super().get_queryset().filter(base=self.base)


# --- technical services and patents ---------------------------------------------------------------


class SchoolRecordListMixin:
    """Rows of a school (services, patents): the row links to its edit page for those who keep
    them; the others read the columns."""

    create_view = None
    editor_link = ""

    def may_create(self) -> bool:
        return self.create_view.user_may_create(self.request.user)

    def get_context_data(self, **kwargs):
        user = self.request.user
        editor = user.is_platform_admin or user.role == Role.COLLEGE_ADMIN
        self.columns = tuple(
            Column(c.label, c.value, link=self.editor_link if editor and c.link else None, sort=c.sort,
                   numeric=c.numeric)
            for c in type(self).columns
        )
        return super().get_context_data(**kwargs)


class SchoolRecordFormMixin(CreatorMixin):
    section = SECTION
    changeable_choices = ("school",)
    creator_roles = (Role.COLLEGE_ADMIN,)
    list_url = ""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        _own_organisation_only(form, "school")
        return form


    def get_initial(self):
        return {"school": self.request.user.school_id}

    def get_success_url(self):
        return reverse(self.list_url)


class ServicePageFilterSet(TechnicalServiceFilterSet):
    enterprise = filters.ModelChoiceFilter(queryset=Enterprise.objects.order_by("name"),
                                           label=_("Client enterprise"))

    class Meta(TechnicalServiceFilterSet.Meta):
        fields = ["enterprise", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _page_filters(self)
        self.filters["year"].label = _("Academic year")


class ServiceForm(forms.ModelForm):
    class Meta:
        model = TechnicalService
        fields = ["school", "title", "enterprise", "year", "amount"]
        widgets = {"year": forms.NumberInput(attrs={"min": 1950, "max": 2100}),
                   "amount": forms.NumberInput(attrs={"min": 0, "step": "0.01"})}
        help_texts = {"year": _("The academic year the payment was received in.")}


class ServiceCreateView(SchoolRecordFormMixin, ScopedCreateView):
    model = TechnicalService
    form_class = ServiceForm
    title = _("Add a technical service")
    success_message = _("The technical service was added.")
    list_url = "partnerships:service-list"

    def get_initial(self):
        return {**super().get_initial(), "year": _current_year()}


class ServiceUpdateView(SchoolRecordFormMixin, ScopedUpdateView):
    model = TechnicalService
    form_class = ServiceForm
    success_message = _("The technical service was saved.")
    list_url = "partnerships:service-list"


class ServiceListView(SchoolRecordListMixin, ScopedListView):
    """A school's paid technical services (its college admins; reviewers in their region; the client
    enterprise those naming it)."""

    model = TechnicalService
    queryset = TechnicalService.objects.select_related("school", "enterprise")
    template_name = "partnerships/service_list.html"
    title = _("Technical services")
    section = SECTION
    filterset_class = ServicePageFilterSet
    search_fields = ("title", "enterprise__name", "school__name")
    orderings = {"title": "title", "year": "year", "amount": "amount"}
    default_ordering = ("-year", "title")
    create_url = "partnerships:service-add"
    create_view = ServiceCreateView
    editor_link = "partnerships:service-edit"
    empty_text = _("No technical services yet.")
    history_links = True
    columns = (
        Column(_("Title"), "title", link="partnerships:service-edit", sort="title"),
        Column(_("School"), "school__name"),
        Column(_("Client enterprise"), "enterprise__name"),
        Column(_("Academic year"), "year", sort="year", numeric=True),
        Column(_("Amount received (CNY)"), "amount", sort="amount", numeric=True),
    )


class PatentPageFilterSet(PatentFilterSet):
    licensee = filters.ModelChoiceFilter(queryset=Enterprise.objects.order_by("name"), label=_("Licensee"))

    class Meta(PatentFilterSet.Meta):
        fields = ["licensee", "year", "transferred"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _page_filters(self)
        self.filters.pop("enterprise", None)
        self.filters.pop("school", None)
        self.filters["year"].label = _("Granted in academic year")
        self.filters["transferred"].label = _("Transferred or licensed")


class PatentForm(forms.ModelForm):
    class Meta:
        model = Patent
        fields = ["school", "number", "title", "granted_on", "transferred_on", "licensee"]
        widgets = {"granted_on": DATE, "transferred_on": DATE}
        help_texts = {"number": _("As granted, e.g. ZL202310000001.1.")}


class PatentCreateView(SchoolRecordFormMixin, ScopedCreateView):
    model = Patent
    form_class = PatentForm
    title = _("Add a patent")
    success_message = _("The patent was added.")
    list_url = "partnerships:patent-list"


class PatentUpdateView(SchoolRecordFormMixin, ScopedUpdateView):
    model = Patent
    form_class = PatentForm
    success_message = _("The patent was saved.")
    list_url = "partnerships:patent-list"


class PatentListView(SchoolRecordListMixin, ScopedListView):
    model = Patent
    queryset = Patent.objects.select_related("school", "licensee")
    template_name = "partnerships/patent_list.html"
    title = _("Patents")
    section = SECTION
    filterset_class = PatentPageFilterSet
    search_fields = ("number", "title", "licensee__name")
    orderings = {"number": "number", "granted": "granted_on", "transferred": "transferred_on"}
    default_ordering = ("-granted_on",)
    create_url = "partnerships:patent-add"
    create_view = PatentCreateView
    editor_link = "partnerships:patent-edit"
    empty_text = _("No patents yet.")
    history_links = True
    columns = (
        Column(_("Patent number"), "number", link="partnerships:patent-edit", sort="number"),
        Column(_("Title"), "title"),
        Column(_("School"), "school__name"),
        Column(_("Granted on"), "granted_on", sort="granted"),
        Column(_("Transferred or licensed on"), "transferred_on", sort="transferred"),
        Column(_("Licensee"), "licensee__name"),
    )


urlpatterns = [
    path("projects/", ProjectListView.as_view(), name="project-list"),
    path("projects/add/", ProjectCreateView.as_view(), name="project-add"),
    path("projects/<int:pk>/", ProjectDetailView.as_view(), name="project-detail"),
    path("projects/<int:pk>/edit/", ProjectUpdateView.as_view(), name="project-edit"),
    path("projects/<int:pk>/status/", ProjectStatusView.as_view(), name="project-status"),
    path("projects/<int:pk>/adopt/", AdoptionCreateView.as_view(), name="project-adopt"),
    path("adoptions/<int:pk>/edit/", AdoptionUpdateView.as_view(), name="adoption-edit"),
    path("demands/", DemandListView.as_view(), name="demand-list"),
    path("demands/add/", DemandCreateView.as_view(), name="demand-add"),
    path("demands/<int:pk>/", DemandDetailView.as_view(), name="demand-detail"),
    path("demands/<int:pk>/edit/", DemandUpdateView.as_view(), name="demand-edit"),
    path("training-bases/", BaseListView.as_view(), name="base-list"),
    path("training-bases/add/", BaseCreateView.as_view(), name="base-add"),
    path("training-bases/<int:pk>/", BaseDetailView.as_view(), name="base-detail"),
    path("training-bases/<int:pk>/edit/", BaseUpdateView.as_view(), name="base-edit"),
    path("training-bases/<int:base>/usage/add/", UsageCreateView.as_view(), name="usage-add"),
    path("training-bases/<int:base>/usage/<int:pk>/edit/", UsageUpdateView.as_view(), name="usage-edit"),
    path("technical-services/", ServiceListView.as_view(), name="service-list"),
    path("technical-services/add/", ServiceCreateView.as_view(), name="service-add"),
    path("technical-services/<int:pk>/edit/", ServiceUpdateView.as_view(), name="service-edit"),
    path("patents/", PatentListView.as_view(), name="patent-list"),
    path("patents/add/", PatentCreateView.as_view(), name="patent-add"),
    path("patents/<int:pk>/edit/", PatentUpdateView.as_view(), name="patent-edit"),
]
