"""Pages: a college's programs and their courses (the practical share follows the hours live)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic

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
from portal.scoping import CHANGE, VIEW, restrict

from ..filters import ProgramFilterSet
from ..models import Course, Program, ProgramYear


def _share(program) -> str | None:
    value = program.practical_share_value
    return None if value is None else f"{value:.0%}"


class ProgramListView(ScopedListView):
    """The programs the user keeps: a college admin's own school's (platform admins: all)."""

    model = Program
    perm = CHANGE
    queryset = Program.objects.select_related("school", "sector").with_course_totals()
    title = _("Programs")
    section = "programs"
    filterset_class = ProgramFilterSet
    search_fields = ("name", "code")
    orderings = {"code": "code", "name": "name", "share": "practical_share_value", "established": "established_year"}
    default_ordering = ("code",)
    create_url = "programs:program-add"
    columns = (
        Column(_("Code"), "code", sort="code"),
        Column(_("Name"), "name", link="programs:program-detail", sort="name"),
        Column(_("Sector"), "sector"),
        Column(_("Established"), "established_year", sort="established", numeric=True),
        Column(_("Status"), "status"),
        Column(_("Courses"), "course_count", numeric=True),
        Column(_("Practical share"), _share, sort="share", numeric=True),
    )

    def may_create(self) -> bool:
        return self.request.user.school_id is not None or self.request.user.is_platform_admin


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ["school", "code", "name", "sector", "established_year", "status"]


class ProgramCreateView(ScopedCreateView):
    model = Program
    form_class = ProgramForm
    title = _("Add a program")
    section = "programs"
    changeable_choices = ("school",)
    success_message = _("The program was added.")

    def get_initial(self):
        return {"school": self.request.user.school_id}

    success_url_name = "programs:program-detail"


class ProgramUpdateView(ScopedUpdateView):
    model = Program
    form_class = ProgramForm
    section = "programs"
    changeable_choices = ("school",)
    success_message = _("The program was saved.")

    success_url_name = "programs:program-detail"


class ProgramDetailView(ScopedDetailView):
    """A program with its courses (hours, practical share) and yearly figures; editable by its school."""

    model = Program
    template_name = "programs/program_detail.html"
    section = "programs"
    queryset = Program.objects.select_related("school", "sector").with_course_totals().prefetch_related(
        Prefetch("courses", queryset=Course.objects.select_related("co_developed_with").order_by("code")),
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["may_change"] = may_change(self.object, user)
        # Courses are directory data; yearly figures only for those who may see them (DESIGN.md §2).
        context["years"] = restrict(ProgramYear.objects.filter(program=self.object), user, VIEW).order_by("-year")
        return context


# --- courses --------------------------------------------------------------------------------------


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["code", "name", "theory_hours", "practice_hours", "professional", "co_developed_with"]
        widgets = {
            "theory_hours": forms.NumberInput(attrs={"min": 0, "data-hours": "theory"}),
            "practice_hours": forms.NumberInput(attrs={"min": 0, "data-hours": "practice"}),
        }


class CourseFormMixin(ChildFormMixin):
    """Course pages live under their program: the program is fixed by the URL and must be one the
    user may change. The page shows the program's practical share as it would be with this course."""

    model = Course
    form_class = CourseForm
    template_name = "programs/course_form.html"
    section = "programs"
    parent_model = Program
    parent_field = "program"
    parent_denied = _("You may not change this program's courses.")
    parent_url_name = "programs:program-detail"
    parent_anchor = "#courses"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        others = self.program.courses.all()
        if getattr(self, "object", None) is not None and self.object.pk:
            others = others.exclude(pk=self.object.pk)
        totals = Program.objects.filter(pk=self.program.pk).with_course_totals().values(
            "practice_total", "hours_total"
        ).get()
        own = self.object if getattr(self, "object", None) is not None and self.object.pk else None
        context.update(
            program=self.program,
            other_practice=(totals["practice_total"] or 0) - (own.practice_hours if own else 0),
            other_hours=(totals["hours_total"] or 0) - ((own.theory_hours + own.practice_hours) if own else 0),
        )
        return context


class CourseCreateView(CourseFormMixin, ScopedCreateView):
    success_message = _("The course was added.")

    def get_title(self):
        return _("Add a course to %(program)s") % {"program": self.program.name}


class CourseUpdateView(CourseFormMixin, ScopedUpdateView):
    success_message = _("The course was saved.")

    def get_queryset(self):
        return super().get_queryset().filter(program=self.program)


class CourseDeleteView(PageMixin, generic.View):
    """Delete a course (POST only) of a program the user may change."""

    def post(self, request, program: int, pk: int):
        course = get_visible_or_404(Course, request.user, pk=pk, program=program)
        if not restrict(Course.objects.filter(pk=course.pk), request.user, CHANGE).exists():
            raise PermissionDenied(_("You may not change this program's courses."))
        course.delete()
        messages.success(request, _("The course %(name)s was deleted.") % {"name": course.name})
        return redirect(reverse("programs:program-detail", args=[program]) + "#courses")


urlpatterns = [
    path("programs/", ProgramListView.as_view(), name="program-list"),
    path("programs/add/", ProgramCreateView.as_view(), name="program-add"),
    path("programs/<int:pk>/", ProgramDetailView.as_view(), name="program-detail"),
    path("programs/<int:pk>/edit/", ProgramUpdateView.as_view(), name="program-edit"),
    path("programs/<int:program>/courses/add/", CourseCreateView.as_view(), name="course-add"),
    path("programs/<int:program>/courses/<int:pk>/edit/", CourseUpdateView.as_view(), name="course-edit"),
    path("programs/<int:program>/courses/<int:pk>/delete/", CourseDeleteView.as_view(), name="course-delete"),
]
