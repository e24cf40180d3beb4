"""Reusable reads of the teaching models."""
from __future__ import annotations

from django.db import models
from django.db.models import Count, F, FloatField, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Cast, Coalesce, NullIf


class ProgramQuerySet(models.QuerySet):
    def with_course_totals(self) -> "ProgramQuerySet":
        """Annotate course_count, practice_total, hours_total and practical_share_value
        (Σ practice hours ÷ Σ all hours of the program's courses; None without hours) in the same query."""
        # Correlated subqueries rather than a join + GROUP BY: a page of 100 programs reads only those
        # programs' courses (and a count of the rows reads none), where grouping aggregated every
        # course of every visible program before sorting and paging: 3 million at national scale.
        from .models import Course

        courses = Course.objects.filter(program=OuterRef("pk")).order_by().values("program")

        def total(expression) -> Subquery:
            return Subquery(courses.annotate(total=expression).values("total"), output_field=IntegerField())

        return self.annotate(
            course_count=Coalesce(total(Count("id")), 0),
            practice_total=total(Sum("practice_hours")),
            hours_total=total(Sum(F("theory_hours") + F("practice_hours"))),
        ).annotate(practical_share_value=Cast("practice_total", FloatField()) / NullIf(F("hours_total"), 0))
