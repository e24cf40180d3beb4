"""Helpers that declare database constraints the same way in every app."""
from __future__ import annotations

from django.db import models
from django.core.validators import MinValueValidator
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


# Field-level twin of non_negative_checks, so forms and full_clean() name the field.
NON_NEGATIVE = [MinValueValidator(0)]


def choice_check(field: str, choices: type[models.TextChoices], name: str, *, blank: bool = False) -> models.CheckConstraint:
    """The database refuses a value that is not one of the choices (or empty, when `blank`)."""
    values = [c.value for c in choices]
    if blank:
        values.append("")
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": values}),
        name=name,
        violation_error_message=_("A value is not one of the allowed choices."),
    )


def non_negative_checks(prefix: str, *fields: str) -> list[models.CheckConstraint]:
    """One constraint per field: hours, counts and money are never below zero."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{field}__gte": 0}),
            name=f"{prefix}_{field}_non_negative",
            violation_error_message=_("Hours, counts and amounts cannot be negative."),
        )
        for field in fields
    ]


def date_order_check(prefix: str, start: str = "start_date", end: str = "end_date") -> models.CheckConstraint:
    """An end date, when there is one, is not before the start date."""
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{start}__isnull": True}) | Q(**{f"{end}__gte": F(start)}),
        name=f"{prefix}_{end}_not_before_{start}",
        violation_error_message=_("The end date cannot be before the start date."),
    )


def date_order_errors(instance, start: str = "start_date", end: str = "end_date") -> dict:
    """The field-named twin of date_order_check, for a model's clean()."""
    a, b = getattr(instance, start), getattr(instance, end)
    if a and b and b < a:
        return {end: _("The end date cannot be before the start date.")}
    return {}
