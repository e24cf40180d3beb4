"""A model field for a set of choices (a partnership's kinds) that works alike on SQLite and
PostgreSQL: stored as ",a,b," so `field__contains=",a,"` finds rows with kind a in one indexable
predicate, read and written as a sorted Python list."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def choice_set_contains(field: str, value: str) -> models.Q:
    """Rows whose choice set holds `value`."""
    return models.Q(**{f"{field}__contains": f",{value},"})


class ChoiceSetField(models.TextField):
    """A non-empty set of values from `choices`; the database sees ",a,b,"."""

    description = _("A set of choices")

    # The element choices are kept apart from Field.choices: Django would otherwise treat the
    # whole value as one choice (single select in forms and admin).
    def __init__(self, *args, item_choices=(), **kwargs):
        self.item_choices = list(item_choices)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["item_choices"] = self.item_choices
        if kwargs.get("default") is list:
            del kwargs["default"]
        return name, path, args, kwargs

    @staticmethod
    def _to_list(value) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            return [item for item in value.split(",") if item]
        return [str(item) for item in value]

    def from_db_value(self, value, expression, connection):
        return None if value is None else self._to_list(value)

    def to_python(self, value):
        return self._to_list(value)

    def get_prep_value(self, value):
        if value is None:
            return None
        items = sorted(set(self._to_list(value)))
        return "," + ",".join(items) + "," if items else ""

    def value_to_string(self, obj):
        return ",".join(self._to_list(self.value_from_object(obj)))

    def validate(self, value, model_instance):
        items = self._to_list(value)
        if not items and not self.blank:
            raise ValidationError(self.error_messages["blank"], code="blank")
        allowed = {str(key) for key, _label in self.item_choices}
        for item in items:
            if item not in allowed:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.item_choices,
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
            "label": self.verbose_name,
            "help_text": self.help_text,
        }
        defaults.update(kwargs)
        # Skip TextField/CharField formfield logic (it would build a plain TypedChoiceField).
        return forms.TypedMultipleChoiceField(**{k: v for k, v in defaults.items() if k != "form_class"})

    def get_internal_type(self):
        return "TextField"
