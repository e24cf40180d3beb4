"""Admin for stakeholder feedback, evaluation runs and their results, and regional target overrides."""
from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Avg, F
from django.utils.translation import gettext_lazy as _

from portal.admin import province_filter

from . import runs
from .models import (
    EvaluationRun,
    Feedback,
    FeedbackScore,
    IndicatorValue,
    ProgramRecommendation,
    TargetOverride,
    Warning,
)


class FeedbackSubjectFilter(admin.SimpleListFilter):
    """Feedback on a partnership or on a program's graduates."""

    title = _("about")
    parameter_name = "about"
    SUBJECTS = {"partnership": _("a partnership"), "program": _("a program's graduates")}

    def lookups(self, request, model_admin):
        return list(self.SUBJECTS.items())

    def queryset(self, request, queryset):
        if self.value() in self.SUBJECTS:
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


class FeedbackSourceFilter(admin.SimpleListFilter):
    """Feedback from an enterprise or from a third-party evaluator."""

    title = _("given by")
    parameter_name = "source"
    SOURCES = {"enterprise": _("an enterprise"), "evaluator": _("a third-party evaluator")}

    def lookups(self, request, model_admin):
        return list(self.SOURCES.items())

    def queryset(self, request, queryset):
        if self.value() == "enterprise":
            return queryset.filter(enterprise__isnull=False)
        if self.value() == "evaluator":
            return queryset.filter(enterprise__isnull=True)
        return queryset


class FeedbackScoreInline(admin.TabularInline):
    model = FeedbackScore
    extra = 0
    fields = ("dimension", "score")


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "subject", "average_score", "given_by", "created_at")
    list_filter = ("year", FeedbackSubjectFilter, FeedbackSourceFilter, province_filter("enterprise__region"))
    search_fields = (
        "enterprise__name", "evaluator", "partnership__title", "partnership__school__name", "program__name",
        "program__code", "program__school__name", "comment",
    )
    date_hierarchy = "created_at"
    autocomplete_fields = ("enterprise", "partnership", "program")
    readonly_fields = ("given_by", "created_at", "updated_at")
    list_select_related = ("enterprise", "partnership", "program", "given_by")
    inlines = (FeedbackScoreInline,)
    ordering = ("-year", "-id")  # GROUP BY (the average) drops Meta.ordering

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(average_score_value=Avg("scores__score"))

    @admin.display(description=_("from"))
    def source(self, obj):
        return obj.enterprise or obj.evaluator

    @admin.display(description=_("about"))
    def subject(self, obj):
        return obj.partnership or obj.program

    @admin.display(description=_("average score"), ordering=F("average_score_value").asc(nulls_first=True))
    def average_score(self, obj):
        value = obj.average_score_value
        return None if value is None else f"{value:.1f}"


@admin.register(FeedbackScore)
class FeedbackScoreAdmin(admin.ModelAdmin):
    list_display = ("feedback", "dimension", "score")
    list_filter = ("dimension", "score", "feedback__year")
    search_fields = ("feedback__enterprise__name", "feedback__evaluator", "feedback__partnership__title", "feedback__program__name")
    autocomplete_fields = ("feedback",)
    list_select_related = ("feedback__enterprise", "feedback__partnership", "feedback__program")


# --- Evaluation runs and what they publish (derived data: read-only here) ----------------------


class DerivedDataAdmin(admin.ModelAdmin):
    """Rows written by evaluation runs: platform admins inspect them, nobody edits them by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EvaluationRun)
class EvaluationRunAdmin(DerivedDataAdmin):
    list_display = ("id", "year", "status", "progress", "published", "trigger", "requested_by", "started_at",
                    "finished_at", "value_count", "warnings_opened", "warnings_resolved")
    list_filter = ("status", "published", "trigger", "year")
    search_fields = ("=year", "error", "requested_by__username")
    list_select_related = ("requested_by",)
    actions = ("run_again",)

    @admin.action(description=_("Run the evaluation again for the selected runs' years"))
    def run_again(self, request, queryset):
        for year in sorted(set(queryset.values_list("year", flat=True))):
            try:
                run, created = runs.request_run(year, by=request.user)
            except runs.QueueUnavailable:
                self.message_user(request, _("The task queue cannot be reached; no run was started."),
                                  messages.ERROR)
                return
            if created:
                self.message_user(request, _("Run #%(id)s for %(year)s was started.") % {"id": run.pk, "year": year})
            else:
                self.message_user(request, _("Run #%(id)s for %(year)s is already under way.")
                                  % {"id": run.pk, "year": year}, messages.WARNING)


class SubjectAdmin(DerivedDataAdmin):
    list_select_related = ("program", "school", "consortium", "region", "sector")
    search_fields = ("indicator", "program__name", "program__code", "school__name", "consortium__name",
                     "region__name", "region__code", "sector__code")

    @admin.display(description=_("subject"))
    def subject_display(self, obj):
        subject = obj.subject()
        if isinstance(subject, tuple):
            return " × ".join(str(part) for part in subject)
        return subject


@admin.register(IndicatorValue)
class IndicatorValueAdmin(SubjectAdmin):
    list_display = ("indicator", "level", "subject_display", "year", "value", "numerator", "denominator", "target",
                    "run")
    list_filter = ("indicator", "level", "year", "run__published", province_filter("school__region"))
    list_select_related = (*SubjectAdmin.list_select_related, "run")


@admin.register(Warning)
class WarningAdmin(SubjectAdmin):
    list_display = ("indicator", "level", "subject_display", "year", "value", "target", "severity", "status",
                    "acknowledged_by", "updated_at")
    list_filter = ("status", "severity", "indicator", "level", "year", province_filter("school__region"))
    list_select_related = (*SubjectAdmin.list_select_related, "acknowledged_by")
    date_hierarchy = "created_at"


@admin.register(ProgramRecommendation)
class ProgramRecommendationAdmin(DerivedDataAdmin):
    list_display = ("program", "school", "year", "recommendation", "consecutive_years", "conditions", "run")
    list_filter = ("recommendation", "consecutive_years", "year", "run__published", province_filter("school__region"))
    search_fields = ("program__name", "program__code", "school__name")
    list_select_related = ("program", "school", "run")


@admin.register(TargetOverride)
class TargetOverrideAdmin(admin.ModelAdmin):
    """A region's own target for an indicator; it applies to the region's subtree from the next run."""

    list_display = ("indicator", "region", "target", "target_upper", "updated_at")
    list_filter = ("indicator", province_filter("region"))
    search_fields = ("indicator", "region__name", "region__code", "note")
    autocomplete_fields = ("region",)
    list_select_related = ("region",)
