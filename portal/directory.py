"""The directory: schools, enterprises, programs, open projects and consortia for every signed-in user.

Read-only pages over the public directory data (portal.scoping.restrict VIEW, like the API): each
list searches, filters, sorts and paginates at a constant number of queries; each detail page shows
what a partner needs to know. Drafts of enterprise projects stay with their enterprise (404 to others).
"""
from __future__ import annotations

from dataclasses import dataclass

import django_filters as filters
from django import forms
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic

from partnerships.choices import ConsortiumKind, ProjectStatus
from partnerships.models import Consortium, ConsortiumMember, EnterpriseProject, TalentDemand
from programs.choices import ProgramStatus
from programs.models import Course, Program

from .choices import EnterpriseSize, Ownership, RegionLevel, SchoolLevel
from .filters import RegionSubtreeFilter, SectorFilter
from .models import Enterprise, Region, School, Sector
from .pages import Column, PageMixin, ScopedDetailView, ScopedListView
from .scoping import CHANGE, VIEW, restrict
from .views import optional_url

app_name = "directory"

OPEN_PROJECT_STATUSES = (ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS)


# --- filters --------------------------------------------------------------------------------------


def region_choices() -> list[tuple[str, str]]:
    """Provinces and their prefecture-level cities by code (a city right below its province)."""
    rows = Region.objects.filter(level__in=[RegionLevel.PROVINCE, RegionLevel.PREFECTURE]).order_by("code")
    return [("", _("All regions"))] + [
        (r.code, f"{r.display_name}" if r.level == RegionLevel.PROVINCE else f"— {r.display_name}") for r in rows
    ]


def sector_choices() -> list[tuple[str, str]]:
    """Sections (a letter, matching all its divisions) and divisions of GB/T 4754-2017."""
    rows = Sector.objects.filter(code__regex=r"^[A-Z]([0-9]{2})?$").order_by("code")
    return [("", _("All sectors"))] + [
        (s.code, f"{s.code} {s.display_name}" if s.is_section else f"— {s.code} {s.display_name}") for s in rows
    ]


class RegionChoiceFilter(RegionSubtreeFilter):
    """The region subtree filter as a list of provinces and cities (choices set per request)."""

    field_class = forms.ChoiceField


class SectorChoiceFilter(SectorFilter):
    """The sector filter (a section matches its divisions) as a list of sections and divisions."""

    field_class = forms.ChoiceField


class AnySelect(forms.NullBooleanSelect):
    """Yes / no / either, with "All" for either."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]


class DirectoryFilterSet(filters.FilterSet):
    """Loads the region and sector choices once per page (one query each)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.filters.values():
            if isinstance(f, RegionChoiceFilter):
                f.extra["choices"] = region_choices()
            elif isinstance(f, SectorChoiceFilter):
                f.extra["choices"] = sector_choices()


class SchoolFilterSet(DirectoryFilterSet):
    region = RegionChoiceFilter(label=_("Region"))
    level = filters.ChoiceFilter(choices=SchoolLevel.choices, label=_("Level"), empty_label=_("All levels"))
    ownership = filters.ChoiceFilter(choices=Ownership.choices, label=_("Ownership"), empty_label=_("All"))

    class Meta:
        model = School
        fields = ["region", "level", "ownership"]


class EnterpriseFilterSet(DirectoryFilterSet):
    region = RegionChoiceFilter(label=_("Region"))
    sector = SectorChoiceFilter(label=_("Sector"))
    size = filters.ChoiceFilter(choices=EnterpriseSize.choices, label=_("Size"), empty_label=_("All sizes"))
    certified = filters.BooleanFilter(field_name="integration_certified", label=_("Certified integration enterprise"),
                                      widget=AnySelect)

    class Meta:
        model = Enterprise
        fields = ["region", "sector", "size", "certified"]


class ProgramFilterSet(DirectoryFilterSet):
    region = RegionChoiceFilter(path="school__region", label=_("Region"))
    sector = SectorChoiceFilter(label=_("Sector"))
    level = filters.ChoiceFilter(field_name="school__level", choices=SchoolLevel.choices, label=_("School level"),
                                 empty_label=_("All levels"))
    status = filters.ChoiceFilter(choices=ProgramStatus.choices, label=_("Status"), empty_label=_("All"))

    class Meta:
        model = Program
        fields = ["region", "sector", "level", "status"]


class ProjectFilterSet(DirectoryFilterSet):
    status = filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in OPEN_PROJECT_STATUSES], label=_("Status"),
        empty_label=_("Open or in progress"),
    )
    sector = SectorChoiceFilter(label=_("Sector"))
    region = RegionChoiceFilter(path="enterprise__region", label=_("Region of the enterprise"))

    class Meta:
        model = EnterpriseProject
        fields = ["status", "sector", "region"]


class ConsortiumFilterSet(DirectoryFilterSet):
    kind = filters.ChoiceFilter(choices=ConsortiumKind.choices, label=_("Kind"), empty_label=_("All kinds"))
    region = RegionChoiceFilter(label=_("Region"))

    class Meta:
        model = Consortium
        fields = ["kind", "region"]


# --- lists ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RelatedColumn(Column):
    """A column linking to a related row's page: `link_pk` is the attribute path of its id."""

    link_pk: str = ""

    def url(self, obj) -> str | None:
        pk = obj
        for name in self.link_pk.split("__"):
            pk = getattr(pk, name, None)
        return reverse(self.link, args=[pk]) if self.link and pk is not None else None


def _certified(enterprise) -> str | None:
    return _("certified") if enterprise.integration_certified else None


SECTIONS = (
    ("schools", _("Schools"), "directory:school-list"),
    ("enterprises", _("Enterprises"), "directory:enterprise-list"),
    ("programs", _("Programs"), "directory:program-list"),
    ("projects", _("Open projects"), "directory:project-list"),
    ("consortia", _("Consortia"), "directory:consortium-list"),
)


class DirectoryMixin(PageMixin):
    """The directory's section in the main menu and its own tabs."""

    section = "directory"
    tab = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tabs"] = [{"key": key, "label": label, "url": reverse(name), "current": key == self.tab}
                           for key, label, name in SECTIONS]
        return context


class DirectoryListView(DirectoryMixin, ScopedListView):
    template_name = "directory/list.html"
    perm = VIEW

    def get_queryset(self):
        # ScopedListView returns early on invalid filters, before it reads these; the page still
        # shows the search box and the sortable headings then.
        self.search = self.request.GET.get("search", "").strip()[:100]
        self.current_ordering = ""
        return super().get_queryset()


class SchoolListView(DirectoryListView):
    model = School
    queryset = School.objects.select_related("region").annotate(program_count=Count("programs"))
    title = _("Schools")
    tab = "schools"
    filterset_class = SchoolFilterSet
    search_fields = ("name", "name_en", "code")
    orderings = {"name": "name", "code": "code", "region": "region__code", "programs": "program_count"}
    default_ordering = ("name",)
    empty_text = _("No schools are registered yet.")
    columns = (
        Column(_("Name"), "name", link="directory:school-detail", sort="name"),
        Column(_("School code"), "code", sort="code"),
        Column(_("Level"), "level"),
        Column(_("Ownership"), "ownership"),
        Column(_("Region"), "region", sort="region"),
        Column(_("Programs"), "program_count", sort="programs", numeric=True),
    )


class EnterpriseListView(DirectoryListView):
    model = Enterprise
    queryset = Enterprise.objects.select_related("region", "sector").annotate(
        open_project_count=Count("projects", filter=Q(projects__status__in=OPEN_PROJECT_STATUSES))
    )
    title = _("Enterprises")
    tab = "enterprises"
    filterset_class = EnterpriseFilterSet
    search_fields = ("name", "name_en", "credit_code")
    orderings = {"name": "name", "sector": "sector__code", "region": "region__code", "projects": "open_project_count"}
    default_ordering = ("name",)
    empty_text = _("No enterprises are registered yet.")
    columns = (
        Column(_("Name"), "name", link="directory:enterprise-detail", sort="name"),
        Column(_("Sector"), "sector", sort="sector"),
        Column(_("Region"), "region", sort="region"),
        Column(_("Size"), "size"),
        Column(_("Integration"), _certified),
        Column(_("Open projects"), "open_project_count", sort="projects", numeric=True),
    )


class ProgramListView(DirectoryListView):
    model = Program
    queryset = Program.objects.select_related("school", "sector")
    title = _("Programs")
    tab = "programs"
    filterset_class = ProgramFilterSet
    search_fields = ("name", "code", "school__name", "school__name_en")
    orderings = {"name": "name", "code": "code", "school": "school__name", "sector": "sector__code",
                 "established": "established_year"}
    default_ordering = ("school__name", "code")
    empty_text = _("No programs are registered yet.")
    columns = (
        Column(_("Name"), "name", link="directory:program-detail", sort="name"),
        Column(_("Major code"), "code", sort="code"),
        RelatedColumn(_("School"), "school", link="directory:school-detail", link_pk="school_id", sort="school"),
        Column(_("Sector"), "sector", sort="sector"),
        Column(_("Established"), "established_year", sort="established", numeric=True),
        Column(_("Status"), "status"),
    )


class ProjectListView(DirectoryListView):
    model = EnterpriseProject
    queryset = EnterpriseProject.objects.filter(status__in=OPEN_PROJECT_STATUSES).select_related(
        "enterprise", "sector"
    )
    title = _("Open projects")
    tab = "projects"
    filterset_class = ProjectFilterSet
    search_fields = ("title", "skills", "summary", "enterprise__name", "enterprise__name_en")
    orderings = {"title": "title", "enterprise": "enterprise__name", "start": "start_date", "capacity": "capacity"}
    default_ordering = ("-created_at",)
    empty_text = _("No enterprise offers a project at the moment.")
    columns = (
        Column(_("Title"), "title", link="directory:project-detail", sort="title"),
        RelatedColumn(_("Enterprise"), "enterprise", link="directory:enterprise-detail", link_pk="enterprise_id",
                      sort="enterprise"),
        Column(_("Sector"), "sector"),
        Column(_("Status"), "status"),
        Column(_("Starts"), "start_date", sort="start"),
        Column(_("Students"), "capacity", sort="capacity", numeric=True),
    )


class ConsortiumListView(DirectoryListView):
    model = Consortium
    queryset = Consortium.objects.select_related("region", "sector").annotate(member_count=Count("members"))
    title = _("Consortia")
    tab = "consortia"
    filterset_class = ConsortiumFilterSet
    search_fields = ("name",)
    orderings = {"name": "name", "region": "region__code", "members": "member_count", "established": "established_on"}
    default_ordering = ("name",)
    empty_text = _("No consortia are registered yet.")
    columns = (
        Column(_("Name"), "name", link="directory:consortium-detail", sort="name"),
        Column(_("Kind"), "kind"),
        Column(_("Region"), "region", sort="region"),
        Column(_("Sector"), "sector"),
        Column(_("Established on"), "established_on", sort="established"),
        Column(_("Members"), "member_count", sort="members", numeric=True),
    )


# --- landing page ---------------------------------------------------------------------------------


class IndexView(DirectoryMixin, generic.TemplateView):
    """The five sections with how many records each holds, and searches suggested by the user's scope."""

    template_name = "directory/index.html"
    title = _("Directory")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        counts = {
            "schools": restrict(School.objects.all(), user).count(),
            "enterprises": restrict(Enterprise.objects.all(), user).count(),
            "programs": restrict(Program.objects.all(), user).count(),
            "projects": restrict(EnterpriseProject.objects.filter(status__in=OPEN_PROJECT_STATUSES), user).count(),
            "consortia": restrict(Consortium.objects.all(), user).count(),
        }
        descriptions = {
            "schools": _("Vocational colleges and schools: level, region, programs."),
            "enterprises": _("Enterprises by sector, region and size, with their projects and talent demands."),
            "programs": _("Programs (majors) every school runs, by sector and school level."),
            "projects": _("Real enterprise projects open for project-based teaching."),
            "consortia": _("City-level consortia, industry-education communities and vocational education groups."),
        }
        context["sections"] = [
            {"key": key, "label": label, "url": reverse(name), "count": counts[key], "description": descriptions[key]}
            for key, label, name in SECTIONS
        ]
        context["suggestions"] = self.suggestions(user)
        return context

    def suggestions(self, user) -> list[dict]:
        """Searches that fit the user's organisation: a college looks for enterprises and projects near
        it; an enterprise for programs in its sector and region."""
        links = []
        if user.school_id:
            region = user.school.region
            links.append({"label": _("Enterprises in %(region)s") % {"region": region.display_name},
                          "url": f"{reverse('directory:enterprise-list')}?region={region.code}"})
            links.append({"label": _("Open projects of enterprises in %(region)s") % {"region": region.display_name},
                          "url": f"{reverse('directory:project-list')}?region={region.code}"})
        elif user.enterprise_id:
            enterprise = user.enterprise
            section = enterprise.sector.code[:1]
            links.append({"label": _("Programs in your sector (%(sector)s)") % {"sector": enterprise.sector.code},
                          "url": f"{reverse('directory:program-list')}?sector={enterprise.sector.code}"})
            links.append({"label": _("Programs in section %(section)s in %(region)s") % {
                "section": section, "region": enterprise.region.display_name},
                "url": f"{reverse('directory:program-list')}?sector={section}&region={enterprise.region.code}"})
            links.append({"label": _("Schools in %(region)s") % {"region": enterprise.region.display_name},
                          "url": f"{reverse('directory:school-list')}?region={enterprise.region.code}"})
        elif user.region_id:
            links.append({"label": _("Consortia in %(region)s") % {"region": user.region.display_name},
                          "url": f"{reverse('directory:consortium-list')}?region={user.region.code}"})
        return links


# --- details --------------------------------------------------------------------------------------


class DirectoryDetailView(DirectoryMixin, ScopedDetailView):
    perm = VIEW


class SchoolDetailView(DirectoryDetailView):
    """A school: its profile and contact facts, its programs and the consortia it belongs to."""

    model = School
    queryset = School.objects.select_related("region", "region__parent")
    template_name = "directory/school_detail.html"
    tab = "schools"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        school = self.object
        context.update(
            programs=list(restrict(Program.objects.filter(school=school), user)
                          .select_related("sector").with_course_totals().order_by("code")),
            memberships=list(restrict(ConsortiumMember.objects.filter(school=school), user)
                             .select_related("consortium").order_by("consortium__name")),
            own_school=user.school_id == school.pk,
        )
        return context


class EnterpriseDetailView(DirectoryDetailView):
    """An enterprise: its profile, the projects it offers now, its talent demands and consortia."""

    model = Enterprise
    queryset = Enterprise.objects.select_related("region", "region__parent", "sector")
    template_name = "directory/enterprise_detail.html"
    tab = "enterprises"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        enterprise = self.object
        context.update(
            projects=list(restrict(EnterpriseProject.objects.filter(enterprise=enterprise,
                                                                    status__in=OPEN_PROJECT_STATUSES), user)
                          .select_related("sector").order_by("-created_at", "pk")),
            demands=list(restrict(TalentDemand.objects.filter(enterprise=enterprise), user)
                         .select_related("sector", "region").order_by("-year", "position", "pk")),
            memberships=list(restrict(ConsortiumMember.objects.filter(enterprise=enterprise), user)
                             .select_related("consortium").order_by("consortium__name")),
        )
        return context


class ProgramDetailView(DirectoryDetailView):
    """A program: its school, sector and courses with their hours (practical share)."""

    model = Program
    queryset = Program.objects.select_related("school", "school__region", "sector").with_course_totals()
    template_name = "directory/program_detail.html"
    tab = "programs"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        program = self.object
        may_change = restrict(Program.objects.filter(pk=program.pk), user, CHANGE).exists()
        context.update(
            courses=list(restrict(Course.objects.filter(program=program), user)
                         .select_related("co_developed_with").order_by("code")),
            manage_url=optional_url("programs:program-detail", program.pk) if may_change else None,
        )
        return context


class ProjectDetailView(DirectoryDetailView):
    """An enterprise project (a draft only for its own enterprise)."""

    model = EnterpriseProject
    queryset = EnterpriseProject.objects.select_related("enterprise", "enterprise__region", "sector")
    template_name = "directory/project_detail.html"
    context_object_name = "project"
    tab = "projects"


# Within each role: schools, then enterprises, then other bodies.
MEMBER_KIND_ORDER = Case(When(school__isnull=False, then=Value(0)), When(enterprise__isnull=False, then=Value(1)),
                         default=Value(2), output_field=IntegerField())


class ConsortiumDetailView(DirectoryDetailView):
    """A consortium and its members (schools, enterprises, other bodies)."""

    model = Consortium
    queryset = Consortium.objects.select_related("region", "sector")
    template_name = "directory/consortium_detail.html"
    tab = "consortia"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        members = list(restrict(ConsortiumMember.objects.filter(consortium=self.object), self.request.user)
                       .select_related("school", "enterprise")
                       .order_by("role", MEMBER_KIND_ORDER, "school__name", "enterprise__name", "other_name", "pk"))
        context.update(members=members,
                       member_counts={"schools": sum(1 for m in members if m.school_id),
                                      "enterprises": sum(1 for m in members if m.enterprise_id),
                                      "others": sum(1 for m in members if m.other_name)})
        return context


urlpatterns = [
    path("", IndexView.as_view(), name="index"),
    path("schools/", SchoolListView.as_view(), name="school-list"),
    path("schools/<int:pk>/", SchoolDetailView.as_view(), name="school-detail"),
    path("enterprises/", EnterpriseListView.as_view(), name="enterprise-list"),
    path("enterprises/<int:pk>/", EnterpriseDetailView.as_view(), name="enterprise-detail"),
    path("programs/", ProgramListView.as_view(), name="program-list"),
    path("programs/<int:pk>/", ProgramDetailView.as_view(), name="program-detail"),
    path("projects/", ProjectListView.as_view(), name="project-list"),
    path("projects/<int:pk>/", ProjectDetailView.as_view(), name="project-detail"),
    path("consortia/", ConsortiumListView.as_view(), name="consortium-list"),
    path("consortia/<int:pk>/", ConsortiumDetailView.as_view(), name="consortium-detail"),
]
