"""Pages: a college's teachers, their placements in enterprises (verified by the host enterprise's
liaison) and the yearly figures of a program (enrolment to employment)."""
from __future__ import annotations

import django_filters as filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import generic

from portal.choices import Role
from portal.models import Enterprise, School
from portal.pages import (
    ChildFormMixin,
    Column,
    PageMixin,
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    get_visible_or_404,
)
from portal.scoping import CHANGE, may_write, restrict

from .. import services
from ..choices import DualQualifiedLevel, Employment, PlacementActivity
from ..models import Program, ProgramYear, Teacher, TeacherPlacement


def keeps_teachers(user) -> bool:
    """College admins keep their own school's teachers and placements; platform admins all."""
    return user.is_platform_admin or (user.role == Role.COLLEGE_ADMIN and user.school_id is not None)


class KeeperRequiredMixin:
    """Pages only college admins (and platform admins) use: anyone else signed in gets 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not keeps_teachers(request.user):
            raise PermissionDenied(_("Only college administrators keep teachers and their placements."))
        return super().dispatch(request, *args, **kwargs)


class AnyYesNo(forms.NullBooleanSelect):
    """A yes/no filter whose empty choice means "any" (and submits an empty value)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]

    def format_value(self, value):
        value = super().format_value(value)
        return "" if value == "unknown" else value


class InvalidFilterSafeMixin:
    """ScopedListView returns early on an invalid filter value before setting `search` and
    `current_ordering`; give them their empty defaults so such a request lists nothing instead of failing."""

    def get_queryset(self):
        self.search, self.current_ordering = "", ""
        return super().get_queryset()


def _yes_no(value: bool):
    return _("yes") if value else _("no")


def _next_url(request, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return default


# --- teachers -------------------------------------------------------------------------------------


class TeacherPageFilterSet(filters.FilterSet):
    active = filters.BooleanFilter(label=_("Active"), widget=AnyYesNo)
    employment = filters.ChoiceFilter(label=_("Employment"), choices=Employment.choices, empty_label=_("Any"))
    professional = filters.BooleanFilter(label=_("Teaches professional courses"), widget=AnyYesNo)
    dual_qualified = filters.BooleanFilter(label=_("Dual-qualified"), widget=AnyYesNo)
    dual_qualified_level = filters.ChoiceFilter(
        label=_("Dual-qualified level"), choices=DualQualifiedLevel.choices, empty_label=_("Any")
    )

    class Meta:
        model = Teacher
        fields = ["active", "employment", "professional", "dual_qualified", "dual_qualified_level"]


def _dual(teacher):
    if not teacher.dual_qualified:
        return _("no")
    return teacher.get_dual_qualified_level_display() or _("yes")


TEACHER_COLUMNS = (
    Column(_("Staff number"), "staff_no", sort="staff_no"),
    Column(_("Name"), "name", link="programs:teacher-detail", sort="name"),
    Column(_("Employment"), "employment", sort="employment"),
    Column(_("Employer"), "employer"),
    Column(_("Dual-qualified"), _dual, sort="dual"),
    Column(_("Professional courses"), lambda t: _yes_no(t.professional)),
    Column(_("Active"), lambda t: _yes_no(t.active), sort="active"),
    Column(_("Teaching hours a year"), "annual_teaching_hours", sort="hours", numeric=True),
    Column(_("Placements"), "placement_count", sort="placements", numeric=True),
)


class TeacherListView(KeeperRequiredMixin, InvalidFilterSafeMixin, ScopedListView):
    """The teachers the user keeps: a college admin's own school's (platform admins: all)."""

    model = Teacher
    perm = CHANGE
    queryset = Teacher.objects.select_related("school", "employer").annotate(placement_count=Count("placements"))
    title = _("Teachers")
    section = "teachers"
    filterset_class = TeacherPageFilterSet
    search_fields = ("name", "staff_no")
    orderings = {"staff_no": "staff_no", "name": "name", "employment": "employment", "dual": "dual_qualified_level",
                 "active": "active", "hours": "annual_teaching_hours", "placements": "placement_count"}
    default_ordering = ("staff_no",)
    create_url = "programs:teacher-add"
    template_name = "programs/teachers/teacher_list.html"
    empty_text = _("No teachers yet. Add them one by one or import a spreadsheet.")

    @property
    def columns(self):
        if self.request.user.is_platform_admin:
            return (Column(_("School"), "school", sort="school"), *TEACHER_COLUMNS)
        return TEACHER_COLUMNS

    def ordering_fields(self):
        if self.request.user.is_platform_admin:
            self.orderings = {**type(self).orderings, "school": "school__name"}
        return super().ordering_fields()


class TeacherForm(forms.ModelForm):
    class Meta:
        model = Teacher
        fields = ["school", "staff_no", "name", "employment", "employer", "professional", "active",
                  "dual_qualified", "dual_qualified_level", "dual_qualified_since", "annual_teaching_hours"]
        widgets = {
            "dual_qualified_since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "annual_teaching_hours": forms.NumberInput(attrs={"min": 0}),
        }
        help_texts = {
            "employer": _("Only for a part-time industry teacher: the enterprise that employs them."),
            "dual_qualified_level": _("Only for a dual-qualified teacher."),
            "dual_qualified_since": _("Only for a dual-qualified teacher: the date the qualification was granted."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = Enterprise.objects.order_by("name")
        self.fields["school"].queryset = School.objects.order_by("name")
        if user is not None and not user.is_platform_admin:
            self.fields["school"].empty_label = None  # a college admin's own school is the only choice

    def clean(self):
        cleaned = super().clean()
        school, staff_no = cleaned.get("school"), cleaned.get("staff_no")
        if school and staff_no:
            others = Teacher.objects.filter(school=school, staff_no=staff_no).exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error("staff_no", _("This school already has a teacher with this staff number."))
        return cleaned


class TeacherFormMixin(KeeperRequiredMixin):
    model = Teacher
    form_class = TeacherForm
    section = "teachers"
    changeable_choices = ("school",)
    template_name = "programs/teachers/teacher_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    race_error = {"staff_no": _("This school already has a teacher with this staff number.")}
    success_url_name = "programs:teacher-detail"


class TeacherCreateView(TeacherFormMixin, ScopedCreateView):
    title = _("Add a teacher")
    success_message = _("The teacher was added.")

    def get_initial(self):
        return {"school": self.request.user.school_id}


class TeacherUpdateView(TeacherFormMixin, ScopedUpdateView):
    success_message = _("The teacher was saved.")


class TeacherDetailView(ScopedDetailView):
    """A teacher with the placements the user may see; editable by their school."""

    model = Teacher
    queryset = Teacher.objects.select_related("school", "employer")
    template_name = "programs/teachers/teacher_detail.html"
    section = "teachers"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        placements = restrict(
            TeacherPlacement.objects.filter(teacher=self.object).select_related("enterprise", "verified_by"), user
        ).order_by("verified", "-start_date", "pk")
        may_change = restrict(Teacher.objects.filter(pk=self.object.pk), user, CHANGE).exists()
        context.update(
            may_change=may_change,
            placement_rows=_placement_rows(list(placements), user),
        )
        return context


class TeacherDeleteView(PageMixin, generic.View):
    """Delete a teacher (POST only) through the service, which refuses when a placement is verified."""

    def post(self, request, pk: int):
        teacher = get_visible_or_404(Teacher, request.user, pk=pk)
        if not restrict(Teacher.objects.filter(pk=teacher.pk), request.user, CHANGE).exists():
            raise PermissionDenied(_("You may not change this record."))
        try:
            services.teacher_delete(teacher=teacher, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("programs:teacher-detail", pk=teacher.pk)
        messages.success(request, _("The teacher %(name)s was deleted.") % {"name": teacher.name})
        return redirect("programs:teacher-list")


# --- placements -----------------------------------------------------------------------------------


def _placement_rows(placements: list[TeacherPlacement], user) -> list[tuple[TeacherPlacement, bool, bool]]:
    """(placement, user may edit it, user may verify it) — one query for the whole page."""
    ids = [p.pk for p in placements]
    changeable = set(restrict(TeacherPlacement.objects.filter(pk__in=ids), user, CHANGE).values_list("pk", flat=True))
    return [
        (p, p.pk in changeable, not p.verified and services.may_verify_placement(user=user, placement=p))
        for p in placements
    ]


def _refusal(user, pk: int):
    """Why a visible placement may not be changed: say so when only its verification stands in the way."""
    placement = TeacherPlacement.objects.select_related("teacher").get(pk=pk)
    if placement.verified and may_write(user, TeacherPlacement, {"verified": False}, placement):
        return _("The host enterprise has verified this placement; it can no longer be changed or deleted.")
    return _("You may not change this record.")


class PlacementPageFilterSet(filters.FilterSet):
    verified = filters.BooleanFilter(label=_("Verified"), widget=AnyYesNo)
    activity = filters.ChoiceFilter(label=_("Activity"), choices=PlacementActivity.choices, empty_label=_("Any"))

    class Meta:
        model = TeacherPlacement
        fields = ["verified", "activity"]


class PlacementListView(InvalidFilterSafeMixin, ScopedListView):
    """Teacher placements the user may see: a college admin's own teachers', the placements an
    enterprise hosts for its liaison (to verify), a region's for reviewers. Unverified ones first."""

    model = TeacherPlacement
    queryset = TeacherPlacement.objects.select_related("teacher__school", "enterprise")
    template_name = "programs/teachers/placement_list.html"
    filterset_class = PlacementPageFilterSet
    search_fields = ("teacher__name", "teacher__staff_no", "enterprise__name")
    orderings = {"teacher": "teacher__name", "school": "teacher__school__name", "enterprise": "enterprise__name",
                 "start": "start_date", "verified": "verified"}
    default_ordering = ("verified", "-start_date")
    create_url = "programs:placement-add"
    empty_text = _("No placements yet.")
    history_links = True

    def dispatch(self, request, *args, **kwargs):
        liaison = request.user.is_authenticated and request.user.role == Role.ENTERPRISE_LIAISON
        self.section = "placements" if liaison else "teachers"
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        user = self.request.user
        if user.role == Role.ENTERPRISE_LIAISON:
            return _("Placements hosted by %(enterprise)s") % {"enterprise": user.enterprise}
        return _("Teacher placements")

    @property
    def columns(self):
        user = self.request.user
        columns = [Column(_("Teacher"), "teacher__name", link="programs:teacher-detail", sort="teacher")]
        if user.role != Role.COLLEGE_ADMIN:
            columns.append(Column(_("School"), "teacher__school", sort="school"))
        if user.role != Role.ENTERPRISE_LIAISON:
            columns.append(Column(_("Host enterprise"), "enterprise", sort="enterprise"))
        columns += [
            Column(_("Period"), lambda p: f"{p.start_date:%Y-%m-%d} – {p.end_date:%Y-%m-%d}", sort="start"),
            Column(_("Days"), "days", numeric=True),
            Column(_("Activity"), "activity"),
        ]
        return tuple(columns)

    def may_create(self) -> bool:
        return keeps_teachers(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Column links go to the teacher's page (the row's pk is the placement's): point them right.
        rows = []
        for (obj, cells), (_p, may_edit, may_verify) in zip(
            context["rows"], _placement_rows(list(context["object_list"]), self.request.user), strict=True
        ):
            cells = [(c, v, reverse(c.link, args=[obj.teacher_id]) if c.link else u) for c, v, u in cells]
            rows.append((obj, cells, may_edit, may_verify))
        context["rows"] = rows
        return context


class PlacementForm(forms.ModelForm):
    class Meta:
        model = TeacherPlacement
        fields = ["teacher", "enterprise", "start_date", "end_date", "activity", "description"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = Teacher.objects.order_by("name", "staff_no")
        self.fields["enterprise"].queryset = Enterprise.objects.order_by("name")


class PlacementFormMixin(KeeperRequiredMixin):
    model = TeacherPlacement
    form_class = PlacementForm
    section = "teachers"
    changeable_choices = ("teacher",)
    template_name = "programs/teachers/placement_form.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "next": _next_url(self.request, "")}

    def get_success_url(self):
        return _next_url(self.request, reverse("programs:teacher-detail", args=[self.object.teacher_id])
                         + "#placements")


class PlacementCreateView(PlacementFormMixin, ScopedCreateView):
    title = _("Add a teacher placement")
    success_message = _("The placement was added. The host enterprise's liaison can now verify it.")

    def get_initial(self):
        teacher = self.request.GET.get("teacher", "")
        return {"teacher": int(teacher)} if teacher.isdigit() else {}


class PlacementUpdateView(PlacementFormMixin, ScopedUpdateView):
    success_message = _("The placement was saved.")

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except PermissionDenied:
            raise PermissionDenied(_refusal(self.request.user, self.kwargs["pk"])) from None

    def get_title(self):
        return _("Edit the placement of %(teacher)s") % {"teacher": self.object.teacher.name}


class PlacementDeleteView(PageMixin, generic.View):
    """Delete an unverified placement (POST only) of one of the user's teachers."""

    def post(self, request, pk: int):
        placement = get_visible_or_404(TeacherPlacement, request.user, pk=pk)
        if not restrict(TeacherPlacement.objects.filter(pk=placement.pk), request.user, CHANGE).exists():
            raise PermissionDenied(_refusal(request.user, placement.pk))
        placement.delete()
        messages.success(request, _("The placement was deleted."))
        return redirect(_next_url(request, reverse("programs:teacher-detail", args=[placement.teacher_id])))


class PlacementVerifyView(PageMixin, generic.View):
    """The host enterprise's liaison confirms a placement took place (POST only, through the service)."""

    def post(self, request, pk: int):
        placement = get_visible_or_404(TeacherPlacement, request.user, pk=pk)
        try:
            services.placement_verify(placement=placement, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The placement of %(teacher)s was verified.")
                             % {"teacher": placement.teacher.name})
        return redirect(_next_url(request, reverse("programs:placement-list")))


# --- program-year figures -------------------------------------------------------------------------


class ProgramYearForm(forms.ModelForm):
    class Meta:
        model = ProgramYear
        fields = ["year", *ProgramYear.COUNT_FIELDS]
        widgets = {name: forms.NumberInput(attrs={"min": 0}) for name in ProgramYear.COUNT_FIELDS}
        help_texts = {
            "year": _("The first calendar year of the academic year: 2024 means 2024–2025."),
            "employed": _("At most the number of graduates."),
            "employed_in_field": _("At most the number of employed graduates."),
            "employed_by_partners": _("At most the number of employed graduates."),
            "order_class_students": _("Order-class students and apprentices together are at most the students."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs.update(min=1950, max=2100)

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        if year is not None and self.instance.program_id is not None:
            others = ProgramYear.objects.filter(program_id=self.instance.program_id, year=year)
            if others.exclude(pk=self.instance.pk).exists():
                self.add_error("year", _("This program already has figures for this year; edit them instead."))
        return cleaned


class ProgramYearFormMixin(ChildFormMixin):
    """Figures live under their program: the program is fixed by the URL and must be one the user may change."""

    model = ProgramYear
    form_class = ProgramYearForm
    template_name = "programs/teachers/program_year_form.html"
    section = "programs"
    parent_model = Program
    parent_field = "program"
    parent_denied = _("You may not change this program's figures.")
    parent_url_name = "programs:program-detail"
    parent_anchor = "#years"

    race_error = {"year": _("This program already has figures for this year; edit them instead.")}


class ProgramYearCreateView(ProgramYearFormMixin, ScopedCreateView):
    success_message = _("The figures were added.")

    def get_title(self):
        return _("Add yearly figures to %(program)s") % {"program": self.program.name}

    def get_initial(self):
        latest = self.program.years.order_by("-year").values_list("year", flat=True).first()
        return {"year": latest + 1} if latest else {}


class ProgramYearUpdateView(ProgramYearFormMixin, ScopedUpdateView):
    success_message = _("The figures were saved.")

    def get_queryset(self):
        return super().get_queryset().filter(program=self.program)

    def get_title(self):
        return _("Figures of %(program)s for %(year)s–%(next)s") % {
            "program": self.program.name, "year": self.object.year, "next": self.object.year + 1}


class ProgramYearDeleteView(PageMixin, generic.View):
    """Delete one year's figures (POST only) of a program the user may change."""

    def post(self, request, program: int, pk: int):
        year = get_visible_or_404(ProgramYear, request.user, pk=pk, program=program)
        if not restrict(ProgramYear.objects.filter(pk=year.pk), request.user, CHANGE).exists():
            raise PermissionDenied(_("You may not change this program's figures."))
        year.delete()
        messages.success(request, _("The figures for %(year)s–%(next)s were deleted.")
                         % {"year": year.year, "next": year.year + 1})
        return redirect(reverse("programs:program-detail", args=[program]) + "#years")


urlpatterns = [
    path("teachers/", TeacherListView.as_view(), name="teacher-list"),
    path("teachers/add/", TeacherCreateView.as_view(), name="teacher-add"),
    path("teachers/<int:pk>/", TeacherDetailView.as_view(), name="teacher-detail"),
    path("teachers/<int:pk>/edit/", TeacherUpdateView.as_view(), name="teacher-edit"),
    path("teachers/<int:pk>/delete/", TeacherDeleteView.as_view(), name="teacher-delete"),
    path("placements/", PlacementListView.as_view(), name="placement-list"),
    path("placements/add/", PlacementCreateView.as_view(), name="placement-add"),
    path("placements/<int:pk>/edit/", PlacementUpdateView.as_view(), name="placement-edit"),
    path("placements/<int:pk>/delete/", PlacementDeleteView.as_view(), name="placement-delete"),
    path("placements/<int:pk>/verify/", PlacementVerifyView.as_view(), name="placement-verify"),
    path("programs/<int:program>/years/add/", ProgramYearCreateView.as_view(), name="program-year-add"),
    path("programs/<int:program>/years/<int:pk>/edit/", ProgramYearUpdateView.as_view(), name="program-year-edit"),
    path("programs/<int:program>/years/<int:pk>/delete/", ProgramYearDeleteView.as_view(),
         name="program-year-delete"),
]
