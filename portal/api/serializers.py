"""Base serializer and relation fields shared by every app's API."""
from __future__ import annotations

import copy

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from portal.choices import Role
from portal.scoping import VIEW, restrict

from .exceptions import django_errors


class _ScopedQuerysetMixin:
    """A related object may only be named if the caller may see it (else: 400, does not exist)."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return queryset
        return restrict(queryset, request.user, VIEW)


class ScopedPrimaryKeyRelatedField(_ScopedQuerysetMixin, serializers.PrimaryKeyRelatedField):
    pass


class CodeRelatedField(_ScopedQuerysetMixin, serializers.SlugRelatedField):
    """Regions and sectors are named by their official code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)


class ChoiceSetSerializerField(serializers.MultipleChoiceField):
    """A ChoiceSetField (e.g. partnership kinds) as a JSON list of choice values."""

    def to_internal_value(self, data):
        if isinstance(data, str) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        if not data and not self.allow_empty:
            self.fail("empty")
        return sorted(super().to_internal_value(data))

    def to_representation(self, value):
        return sorted(value or [])


class OwnOrganisationDefaultMixin:
    """On create, a college admin's school and a liaison's enterprise default to their own (the
    change scope still decides whether the caller may write the row)."""

    own_school_field: str | None = None
    own_enterprise_field: str | None = None

    def own_organisation_defaults(self, attrs: dict, user) -> None:
        if user.role == Role.COLLEGE_ADMIN and self.own_school_field and self.own_school_field not in attrs:
            attrs[self.own_school_field] = user.school
        liaison = user.role == Role.ENTERPRISE_LIAISON
        if liaison and self.own_enterprise_field and self.own_enterprise_field not in attrs:
            attrs[self.own_enterprise_field] = user.enterprise

    def validate(self, attrs):
        request = self.context.get("request")
        if self.instance is None and request is not None:
            self.own_organisation_defaults(attrs, request.user)
        return super().validate(attrs)


class PortalModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose relations are scoped to what the caller may see and whose data must
    also pass the model's own validation (field validators, clean(), constraints), so the API refuses
    exactly what forms and the database refuse, with the field named."""

    serializer_related_field = ScopedPrimaryKeyRelatedField

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            field = _model_field(model, name)
            if field is not None and field.concrete and not field.many_to_many:
                setattr(instance, name, value)
        try:
            instance.full_clean(exclude=self._clean_exclude(model))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_errors(exc)) from None
        return attrs

    def _clean_exclude(self, model) -> list[str]:
        # Fields the serializer does not write are not the caller's to fix (e.g. set by a service).
        written = {name for name, f in self.fields.items() if not f.read_only}
        return [f.name for f in model._meta.concrete_fields if f.name not in written and not f.primary_key]


def _model_field(model, name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
