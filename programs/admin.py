"""Admin for teaching: programs with their courses and yearly figures, teachers with their
placements in enterprises."""
from __future__ import annotations

from django.contrib import admin
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from portal.admin import province_filter, section_filter

from .models import Course, Program, ProgramYear, Teacher, TeacherPlacement

PLACEMENT_READONLY = ("verified", "verified_by", "verified_at")


def percent(value: float | None) -> str | None:
    return None if value is None else f"{value:.1%}"


class CourseInline(admin.TabularInline):
    model = Course
    extra = 0
    fields = ("code", "name", "theory_hours", "practice_hours", "professional", "co_developed_with")
    autocomplete_fields = ("co_developed_with",)
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("co_developed_with")


class ProgramYearInline(admin.TabularInline):
    model = ProgramYear
    extra = 0
    fields = ("year", *ProgramYear.COUNT_FIELDS)


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = (
        "name", "code", "school", "sector", "established_year", "status", "course_count", "practical_share",
    )
    list_filter = (
        "status", "school__level", province_filter("school__region"), section_filter("sector"), "established_year",
    )
    search_fields = ("name", "code", "school__name", "school__code", "sector__name", "sector__code")
    autocomplete_fields = ("school", "sector")
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("school", "sector")
    inlines = (CourseInline, ProgramYearInline)
    ordering = ("school__name", "code")  # GROUP BY (the sums) drops Meta.ordering

    def get_queryset(self, request):
        # Computed for the whole page in the changelist query, so it can be sorted on.
        return super().get_queryset(request).with_course_totals()

    @admin.display(description=_("courses"), ordering="course_count")
    def course_count(self, obj):
        return obj.course_count

    # Programs without course hours sort as the lowest share on every database.
    @admin.display(description=_("practical share"), ordering=F("practical_share_value").asc(nulls_first=True))
    def practical_share(self, obj):
        return percent(obj.practical_share_value)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = (
        "code", "name", "program", "school", "theory_hours", "practice_hours", "total_hours", "professional",
        "co_developed_with",
    )
    list_filter = (
        "professional",
        ("co_developed_with", admin.EmptyFieldListFilter),
        "program__school__level",
        province_filter("program__school__region"),
    )
    search_fields = (
        "code", "name", "program__name", "program__code", "program__school__name", "co_developed_with__name",
    )
    autocomplete_fields = ("program", "co_developed_with")
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("program__school", "co_developed_with")

    @admin.display(description=_("school"), ordering="program__school__name")
    def school(self, obj):
        return obj.program.school

    @admin.display(description=_("total hours"), ordering=F("theory_hours") + F("practice_hours"))
    def total_hours(self, obj):
        return obj.total_hours


@admin.register(ProgramYear)
class ProgramYearAdmin(admin.ModelAdmin):
    list_display = (
        "program", "school", "year", "enrolled", "students", "graduates", "employed", "employed_in_field",
        "employed_by_partners", "order_class_students", "apprentices",
    )
    list_filter = ("year", "program__school__level", province_filter("program__school__region"))
    search_fields = ("program__name", "program__code", "program__school__name", "program__school__code")
    autocomplete_fields = ("program",)
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("program__school",)

    @admin.display(description=_("school"), ordering="program__school__name")
    def school(self, obj):
        return obj.program.school


class TeacherPlacementInline(admin.TabularInline):
    model = TeacherPlacement
    extra = 0
    fields = ("enterprise", "start_date", "end_date", "activity", *PLACEMENT_READONLY)
    readonly_fields = PLACEMENT_READONLY
    autocomplete_fields = ("enterprise",)
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("enterprise", "verified_by")


@admin.register(Teacher)
class TeacherAdmin(admin.ModelAdmin):
    list_display = (
        "name", "staff_no", "school", "employment", "employer", "professional", "dual_qualified",
        "dual_qualified_level", "annual_teaching_hours", "active",
    )
    list_filter = (
        "active", "employment", "professional", "dual_qualified", "dual_qualified_level", "school__level",
        province_filter("school__region"),
    )
    search_fields = ("name", "staff_no", "school__name", "school__code", "employer__name")
    autocomplete_fields = ("school", "employer")
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("school", "employer")
    inlines = (TeacherPlacementInline,)


@admin.register(TeacherPlacement)
class TeacherPlacementAdmin(admin.ModelAdmin):
    list_display = ("teacher", "school", "enterprise", "activity", "start_date", "end_date", "days", "verified")
    list_filter = ("verified", "activity", province_filter("enterprise__region"))
    search_fields = (
        "teacher__name", "teacher__staff_no", "teacher__school__name", "enterprise__name", "enterprise__credit_code",
    )
    date_hierarchy = "start_date"
    autocomplete_fields = ("teacher", "enterprise")
    readonly_fields = (*PLACEMENT_READONLY, "created_at", "updated_at")
    list_select_related = ("teacher__school", "enterprise")

    @admin.display(description=_("school"), ordering="teacher__school__name")
    def school(self, obj):
        return obj.teacher.school

    @admin.display(description=_("days"))
    def days(self, obj):
        return obj.days
