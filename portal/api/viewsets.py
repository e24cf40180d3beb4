"""The base viewset every API resource uses: rows scoped by portal.scoping, writes checked against
the caller's change scope before anything is saved, and each tracked record's audit trail at
`…/{id}/history/`."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied

from portal.audit import entries_for, is_tracked, may_read_history
from portal.scoping import CHANGE, DELETE, VIEW, changeable_q, may_write, restrict

from .history import HistoryEntrySerializer, MayReadHistory


class ScopedViewSetMixin:
    """Lists and details show only what the caller may see (others: 404); create, update and
    delete answer 403 outside the caller's change scope and write nothing."""

    denied_message = _("You may not change this record.")

    write_actions = ("update", "partial_update", "destroy")
    # Added to the default permissions (signed in; read-only tokens only read), never replacing them.
    extra_permission_classes: tuple = ()

    def get_permissions(self):
        permissions = [*super().get_permissions(), *(permission() for permission in self.extra_permission_classes)]
        return [*permissions, MayReadHistory()] if self.action == "history" else permissions

    @classmethod
    def get_extra_actions(cls):
        # Only the models the audit trail keeps have a history (not derived data such as indicator values).
        model = getattr(getattr(cls, "queryset", None), "model", None)
        return [a for a in super().get_extra_actions() if a.__name__ != "history" or is_tracked(model)]

    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user, VIEW)

    def get_object(self):
        # Visible (else 404) first, then changeable (else 403), before any input is validated.
        instance = super().get_object()
        if self.action in self.write_actions:
            self.check_may_change(instance, DELETE if self.action == "destroy" else CHANGE)
        return instance

    # -- history -------------------------------------------------------------------------------
    @extend_schema(responses=HistoryEntrySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[], serializer_class=HistoryEntrySerializer)
    def history(self, request, *args, **kwargs):
        """The record's history, newest first: who created, changed or deleted it, when, and which fields
        changed from what to what (platform admins; reviewers for records in their region)."""
        instance = self.get_object()
        if not may_read_history(request.user, type(instance), instance.pk):
            raise NotFound()
        page = self.paginate_queryset(entries_for(type(instance), instance.pk))
        return self.get_paginated_response(HistoryEntrySerializer(page, many=True).data)

    # -- checks --------------------------------------------------------------------------------
    def check_may_change(self, instance, perm: str = CHANGE) -> None:
        condition = changeable_q(type(instance), self.request.user, perm)
        if condition is None:
            return
        if not type(instance)._base_manager.filter(condition, pk=instance.pk).exists():
            raise PermissionDenied(self.denied_message)

    def check_may_write(self, serializer) -> None:
        model = serializer.Meta.model
        if not may_write(self.request.user, model, serializer.validated_data, serializer.instance):
            raise PermissionDenied(self.denied_message)

    # -- writes --------------------------------------------------------------------------------
    def perform_create(self, serializer):
        self.check_may_write(serializer)
        self.create_object(serializer)

    def perform_update(self, serializer):
        self.check_may_write(serializer)
        self.update_object(serializer)

    def perform_destroy(self, instance):
        self.destroy_object(instance)

    # Override these to call a service.
    def create_object(self, serializer):
        serializer.save()

    def update_object(self, serializer):
        serializer.save()

    def destroy_object(self, instance):
        instance.delete()


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """A read-write resource."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """A read-only resource."""


__all__ = ["ScopedModelViewSet", "ScopedReadOnlyViewSet", "ScopedViewSetMixin"]
