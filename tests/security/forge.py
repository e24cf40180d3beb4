"""Forged values for fields a request may not set (mass assignment): for each model field, a value of
the right type that differs from the row's, and the way to read the stored value back."""
from __future__ import annotations

import datetime
from typing import Any

from django.db import models

SKIPPED = (models.FileField, models.AutoField, models.BigAutoField)


def forgeable_fields(model: type[models.Model]) -> list[models.Field]:
    """The model's concrete and many-to-many fields, files and the primary key aside."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not isinstance(f, SKIPPED)]
    return fields + list(model._meta.many_to_many)


def stored(row: models.Model, field: models.Field) -> Any:
    """The field's value as stored: an id for a relation, sorted ids for a many-to-many."""
    if field.many_to_many:
        return sorted(getattr(row, field.name).values_list("pk", flat=True)) if row.pk else []
    return getattr(row, field.attname)


def forged(field: models.Field, current: Any, others: list[models.Model]) -> tuple[Any, Any] | None:
    """(what to send, what it would store) for a value other than `current`; `others` offers rows to
    name in a relation. None when no such value can be made."""
    if field.is_relation:
        candidates = [o for o in others if isinstance(o, field.related_model)
                      and o.pk not in (current if field.many_to_many else [current])]
        if not candidates:
            return None
        row = candidates[0]
        return ([row.pk], [row.pk]) if field.many_to_many else (row.pk, row.pk)
    if field.choices:
        for value, _label in field.flatchoices:
            if value != current and value not in ("", None):
                return value, value
        return None
    if isinstance(field, models.BooleanField):
        return (not current), (not current)
    if isinstance(field, models.DateTimeField):
        moment = datetime.datetime(2001, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)
        return moment.isoformat().replace("+00:00", "Z"), moment
    if isinstance(field, models.DateField):
        return "2001-02-03", datetime.date(2001, 2, 3)
    if isinstance(field, models.IntegerField):
        value = 4242 if current != 4242 else 4243
        return value, value
    if isinstance(field, (models.FloatField, models.DecimalField)):
        return 42.5, 42.5
    if isinstance(field, models.JSONField):
        return {"forged": True}, {"forged": True}
    if isinstance(field, (models.CharField, models.TextField)):
        value = "forged"[: field.max_length or 6] if current != "forged" else "faked"
        return value, value
    return None


def same(stored_value: Any, forged_value: Any) -> bool:
    if isinstance(stored_value, float) or isinstance(forged_value, float):
        try:
            return abs(float(stored_value) - float(forged_value)) < 1e-9
        except (TypeError, ValueError):
            return False
    try:
        from decimal import Decimal

        if isinstance(stored_value, Decimal):
            return stored_value == Decimal(str(forged_value))
    except ArithmeticError:
        return False
    return stored_value == forged_value
