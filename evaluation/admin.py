"""Admin for stakeholder feedback and its scores."""
from __future__ import annotations

from django.contrib import admin
from django.db.models import Avg, F
from django.utils.translation import gettext_lazy as _

from portal.admin import province_filter

from .models import Feedback, FeedbackScore


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
