"""Reusable reads of the teaching models."""
from __future__ import annotations

from django.db import models
from django.db.models import Count, F, FloatField, Sum
from django.db.models.functions import Cast, NullIf


class ProgramQuerySet(models.QuerySet):
    def with_course_totals(self) -> "ProgramQuerySet":
        """Annotate course_count, practice_total, hours_total and practical_share_value
        (Σ practice hours ÷ Σ all hours of the program's courses; None without hours) in the same query."""
        return self.annotate(
            course_count=Count("courses"),
            practice_total=Sum("courses__practice_hours"),
            hours_total=Sum(F("courses__theory_hours") + F("courses__practice_hours")),
        ).annotate(practical_share_value=Cast("practice_total", FloatField()) / NullIf(F("hours_total"), 0))
