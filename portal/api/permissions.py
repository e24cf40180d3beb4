"""API permission classes; row-level rules live in portal.scoping."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from portal.choices import Role
from portal.models import ApiToken


class TokenScopePermission(BasePermission):
    """A read-only token may only read."""

    message = _("This API token is read-only.")

    def has_permission(self, request, view) -> bool:
        token = request.auth
        return not (isinstance(token, ApiToken) and token.read_only and request.method not in SAFE_METHODS)


class IsPlatformAdmin(BasePermission):
    message = _("Only a platform administrator may do this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.role == Role.PLATFORM_ADMIN)


class ReadOnlyUnlessPlatformAdmin(BasePermission):
    """Reference data: everyone signed in reads; platform admins write."""

    message = IsPlatformAdmin.message

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or IsPlatformAdmin().has_permission(request, view)
