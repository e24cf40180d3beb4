"""Admin for cooperation: consortia and members, partnerships and their contribution ledger,
enterprise projects and their adoption, talent demands, training bases and their use, technical
services and patents."""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.admin import province_filter, section_filter
from portal.documents import AdminDocumentInput
from portal.fields import ChoiceSetField, choice_set_contains

from .choices import PartnershipKind
from .models import (
    Consortium,
    ConsortiumMember,
    Contribution,
    EnterpriseProject,
    Partnership,
    Patent,
    ProjectAdoption,
    TalentDemand,
    TechnicalService,
    TrainingBase,
    TrainingBaseUsage,
)

TIMESTAMPS = ("created_at", "updated_at")


# --- Consortia -------------------------------------------------------------------------------


class ConsortiumMemberInline(admin.TabularInline):
    model = ConsortiumMember
    extra = 0
    fields = ("school", "enterprise", "other_name", "other_kind", "role", "joined_on")
    autocomplete_fields = ("school", "enterprise")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("school", "enterprise")


@admin.register(Consortium)
class ConsortiumAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "sector", "established_on", "member_count")
    list_filter = ("kind", province_filter("region"), section_filter("sector"))
    search_fields = ("name", "region__name", "region__code", "sector__name", "sector__code")
    date_hierarchy = "established_on"
    autocomplete_fields = ("region", "sector")
    readonly_fields = TIMESTAMPS
    list_select_related = ("region", "sector")
    inlines = (ConsortiumMemberInline,)
    ordering = ("name",)  # GROUP BY (the count) drops Meta.ordering

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj):
        return obj.member_count


@admin.register(ConsortiumMember)
class ConsortiumMemberAdmin(admin.ModelAdmin):
    list_display = ("consortium", "member", "role", "other_kind", "joined_on")
    list_filter = ("role", "other_kind", "consortium__kind")
    search_fields = ("consortium__name", "school__name", "enterprise__name", "other_name")
    autocomplete_fields = ("consortium", "school", "enterprise")
    list_select_related = ("consortium", "school", "enterprise")

    @admin.display(description=_("member"))
    def member(self, obj):
        return str(obj)


# --- Partnerships ----------------------------------------------------------------------------


class PartnershipKindFilter(admin.SimpleListFilter):
    """Partnerships with a given kind of cooperation among their kinds."""

    title = _("kind of cooperation")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return PartnershipKind.choices

    def queryset(self, request, queryset):
        if self.value() in PartnershipKind.values:
            return queryset.filter(choice_set_contains("kinds", self.value()))
        return queryset


class ContributionInline(admin.TabularInline):
    model = Contribution
    extra = 0
    fields = ("party", "kind", "value", "date", "note")


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ("title", "school", "enterprise", "kind_labels", "status", "start_date", "end_date")
    list_filter = ("status", PartnershipKindFilter, province_filter("school__region"), "school__level")
    search_fields = (
        "title", "school__name", "school__code", "enterprise__name", "enterprise__credit_code", "description",
    )
    date_hierarchy = "start_date"
    autocomplete_fields = ("school", "enterprise", "programs")
    readonly_fields = ("status", "proposed_by", "responded_at", *TIMESTAMPS)
    fieldsets = (
        (None, {"fields": ("school", "enterprise", "title", "kinds", "programs", "description")}),
        (_("Agreement"), {"fields": ("start_date", "end_date", "agreement")}),
        (_("Workflow"), {"fields": ("status", "proposed_by", "responded_at", *TIMESTAMPS)}),
    )
    list_select_related = ("school", "enterprise")
    inlines = (ContributionInline,)
    # ChoiceSetField is a TextField: without this the admin's textarea default would win.
    formfield_overrides = {ChoiceSetField: {"widget": forms.CheckboxSelectMultiple}}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # The current agreement links to the download that checks access (nothing serves MEDIA_URL).
        url = reverse("partnerships:partnership-agreement", args=[obj.pk]) if obj is not None else ""
        form.base_fields["agreement"].widget = AdminDocumentInput(download_url=url)
        return form

    @admin.display(description=_("kinds of cooperation"))
    def kind_labels(self, obj):
        labels = dict(PartnershipKind.choices)
        return ", ".join(str(labels.get(kind, kind)) for kind in obj.kinds)


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ("partnership", "school", "enterprise", "party", "kind", "value", "date")
    list_filter = ("party", "kind", "partnership__status")
    search_fields = ("partnership__title", "partnership__school__name", "partnership__enterprise__name", "note")
    date_hierarchy = "date"
    autocomplete_fields = ("partnership",)
    readonly_fields = TIMESTAMPS
    list_select_related = ("partnership__school", "partnership__enterprise")

    @admin.display(description=_("school"), ordering="partnership__school__name")
    def school(self, obj):
        return obj.partnership.school

    @admin.display(description=_("enterprise"), ordering="partnership__enterprise__name")
    def enterprise(self, obj):
        return obj.partnership.enterprise


# --- Enterprise projects and talent demand ---------------------------------------------------


class ProjectAdoptionInline(admin.TabularInline):
    model = ProjectAdoption
    extra = 0
    fields = ("course", "year", "students", "outcome")
    autocomplete_fields = ("course",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("course")


@admin.register(EnterpriseProject)
class EnterpriseProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "enterprise", "sector", "status", "capacity", "start_date", "end_date", "adoption_count")
    list_filter = ("status", section_filter("sector"), province_filter("enterprise__region"))
    search_fields = ("title", "summary", "skills", "enterprise__name", "sector__name", "sector__code")
    date_hierarchy = "start_date"
    autocomplete_fields = ("enterprise", "sector")
    readonly_fields = TIMESTAMPS
    list_select_related = ("enterprise", "sector")
    inlines = (ProjectAdoptionInline,)
    ordering = ("-created_at", "id")  # GROUP BY (the count) drops Meta.ordering

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(adoption_count=Count("adoptions"))

    @admin.display(description=_("adoptions"), ordering="adoption_count")
    def adoption_count(self, obj):
        return obj.adoption_count


@admin.register(ProjectAdoption)
class ProjectAdoptionAdmin(admin.ModelAdmin):
    list_display = ("project", "enterprise", "course", "school", "year", "students")
    list_filter = ("year", "project__status")
    search_fields = (
        "project__title", "project__enterprise__name", "course__code", "course__name", "course__program__name",
        "course__program__school__name",
    )
    autocomplete_fields = ("project", "course")
    readonly_fields = TIMESTAMPS
    list_select_related = ("project__enterprise", "course__program__school")

    @admin.display(description=_("enterprise"), ordering="project__enterprise__name")
    def enterprise(self, obj):
        return obj.project.enterprise

    @admin.display(description=_("school"), ordering="course__program__school__name")
    def school(self, obj):
        return obj.course.program.school


@admin.register(TalentDemand)
class TalentDemandAdmin(admin.ModelAdmin):
    list_display = ("position", "enterprise", "sector", "region", "headcount", "year")
    list_filter = ("year", section_filter("sector"), province_filter("region"))
    search_fields = ("position", "skills", "enterprise__name", "sector__name", "sector__code", "region__name")
    autocomplete_fields = ("enterprise", "sector", "region")
    readonly_fields = TIMESTAMPS
    list_select_related = ("enterprise", "sector", "region")


# --- Training bases --------------------------------------------------------------------------


class TrainingBaseOwnerFilter(admin.SimpleListFilter):
    """Training bases by the kind of their one owner."""

    title = _("owner")
    parameter_name = "owner"
    OWNERS = {"school": _("school"), "enterprise": _("enterprise"), "consortium": _("consortium")}

    def lookups(self, request, model_admin):
        return list(self.OWNERS.items())

    def queryset(self, request, queryset):
        if self.value() in self.OWNERS:
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


class TrainingBaseUsageInline(admin.TabularInline):
    model = TrainingBaseUsage
    extra = 0
    fields = ("year", "internal_hours", "external_hours")


@admin.register(TrainingBase)
class TrainingBaseAdmin(admin.ModelAdmin):
    list_display = (
        "name", "owner", "co_built", "on_campus", "open_to_public", "equipment_value", "enterprise_equipment_value",
        "capacity_hours",
    )
    list_filter = (TrainingBaseOwnerFilter, "co_built", "on_campus", "open_to_public")
    search_fields = ("name", "school__name", "enterprise__name", "consortium__name")
    autocomplete_fields = ("school", "enterprise", "consortium")
    readonly_fields = TIMESTAMPS
    list_select_related = ("school", "enterprise", "consortium")
    inlines = (TrainingBaseUsageInline,)

    @admin.display(description=_("owner"))
    def owner(self, obj):
        return obj.owner


@admin.register(TrainingBaseUsage)
class TrainingBaseUsageAdmin(admin.ModelAdmin):
    list_display = ("base", "year", "internal_hours", "external_hours")
    list_filter = ("year", "base__co_built", "base__open_to_public")
    search_fields = ("base__name", "base__school__name", "base__enterprise__name", "base__consortium__name")
    autocomplete_fields = ("base",)
    readonly_fields = TIMESTAMPS
    list_select_related = ("base",)


# --- Technical services and patents ----------------------------------------------------------


@admin.register(TechnicalService)
class TechnicalServiceAdmin(admin.ModelAdmin):
    list_display = ("title", "school", "enterprise", "year", "amount")
    list_filter = ("year", province_filter("school__region"))
    search_fields = ("title", "school__name", "school__code", "enterprise__name")
    autocomplete_fields = ("school", "enterprise")
    readonly_fields = TIMESTAMPS
    list_select_related = ("school", "enterprise")


@admin.register(Patent)
class PatentAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "school", "granted_on", "transferred_on", "licensee")
    list_filter = (("transferred_on", admin.EmptyFieldListFilter), province_filter("school__region"))
    search_fields = ("number", "title", "school__name", "licensee__name")
    date_hierarchy = "granted_on"
    autocomplete_fields = ("school", "licensee")
    readonly_fields = TIMESTAMPS
    list_select_related = ("school", "licensee")
