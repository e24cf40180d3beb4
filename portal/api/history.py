"""The audit trail in the API: `GET /api/v1/<resource>/{id}/history/` on every tracked resource (the
base viewset's `history` action) and `GET /api/v1/history/` across records, which also reaches
records that were deleted. Platform admins read every record's trail; reviewers those of records in
their region (portal.audit.may_read_history); everyone else gets 403."""
from __future__ import annotations

import django_filters
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import BasePermission

from portal.audit import is_tracked, may_read_any_history, may_read_history
from portal.choices import Role

ACTIONS = {LogEntry.Action.CREATE: "created", LogEntry.Action.UPDATE: "updated", LogEntry.Action.DELETE: "deleted"}
ACTION_CODES = {name: code for code, name in ACTIONS.items()}


class MayReadHistory(BasePermission):
    message = _("Only platform administrators and reviewers read the history of records.")

    def has_permission(self, request, view) -> bool:
        return may_read_any_history(request.user)


class HistoryEntrySerializer(serializers.ModelSerializer):
    """One entry of a record's history: who did what, when, with the changed fields' old and new values."""

    action = serializers.SerializerMethodField(help_text="created, updated or deleted.")
    actor = serializers.SerializerMethodField(help_text="The user's username; null for the system "
                                                         "(schedules, commands).")
    model = serializers.SerializerMethodField(help_text="The record's kind as app_label.model, e.g. programs.course.")
    object_id = serializers.IntegerField(read_only=True, help_text="The record's id.")
    object_repr = serializers.CharField(read_only=True, help_text="The record as it was named then.")
    changes = serializers.SerializerMethodField(
        help_text='{"field": [old, new]}, with related records by id; a many-to-many field: '
                  '{"field": {"type": "m2m", "operation": "add" or "delete", "objects": [names]}}; '
                  'secret fields show "******".'
    )

    class Meta:
        model = LogEntry
        fields = ["id", "timestamp", "action", "actor", "model", "object_id", "object_repr", "changes"]

    @extend_schema_field(serializers.ChoiceField(choices=list(ACTION_CODES)))
    def get_action(self, entry: LogEntry) -> str:
        return ACTIONS.get(entry.action, "accessed")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, entry: LogEntry) -> str | None:
        return entry.actor.get_username() if entry.actor is not None else None

    def get_model(self, entry: LogEntry) -> str:
        return f"{entry.content_type.app_label}.{entry.content_type.model}"

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_changes(self, entry: LogEntry) -> dict:
        return entry.changes or {}


def tracked_model(label: str):
    """The tracked model named `app_label.model` (case-insensitive), or a 400."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        model = None
    if not is_tracked(model):
        raise ValidationError({"model": [_("No history is kept of “%(model)s”.") % {"model": label}]})
    return model


class HistoryFilterSet(django_filters.FilterSet):
    model = django_filters.CharFilter(method="filter_model", label="The kind of record, as app_label.model "
                                                                   "(e.g. programs.course).")
    object_id = django_filters.NumberFilter(label="The record's id (with model).")
    action = django_filters.ChoiceFilter(choices=[(name, name) for name in ACTION_CODES], method="filter_action",
                                         label="created, updated or deleted.")
    actor = django_filters.CharFilter(field_name="actor__username", label="The acting user's username.")
    since = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="gte",
                                             label="Entries at or after this time (ISO 8601).")
    until = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="lt",
                                             label="Entries before this time (ISO 8601).")

    class Meta:
        model = LogEntry
        fields = ["model", "object_id", "action", "actor", "since", "until"]

    def filter_model(self, queryset, name, value):
        return queryset.filter(content_type=ContentType.objects.get_for_model(tracked_model(value)))

    def filter_action(self, queryset, name, value: str):
        return queryset.filter(action=ACTION_CODES[value])


class HistoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The audit trail across records, newest first, deleted records included. Platform admins list
    every entry (filter by `model`, `object_id`, `action`, `actor`, `since`, `until`); reviewers ask for
    one record in their region, with `model` and `object_id` (404 outside their region)."""

    queryset = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    serializer_class = HistoryEntrySerializer
    filterset_class = HistoryFilterSet
    permission_classes = [*viewsets.GenericViewSet.permission_classes, MayReadHistory]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["timestamp"]

    def get_queryset(self):
        queryset = super().get_queryset().filter(action__in=list(ACTIONS))
        user = self.request.user
        if user.role == Role.PLATFORM_ADMIN:
            return queryset
        label, object_id = self.request.query_params.get("model"), self.request.query_params.get("object_id")
        if not label or not object_id:
            raise ValidationError({"object_id": [_("Give the record's model and object_id: reviewers read the "
                                                   "history of one record at a time.")]})
        try:
            object_id = int(object_id)
        except ValueError:
            raise ValidationError({"object_id": [_("Enter a whole number.")]}) from None
        model = tracked_model(label)
        if not may_read_history(user, model, object_id):
            raise NotFound()
        return queryset
