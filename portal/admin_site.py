"""The admin site: platform administrators only."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    """The Django admin of the portal; every other role works through the pages and the API."""

    site_header = _("Industry-education partnership portal")
    site_title = _("Industry-education partnership portal")
    index_title = _("Platform administration")

    def has_permission(self, request):
        # is_staff alone is not enough: a college admin flagged as staff by mistake must still stay out.
        return bool(request.user.is_active and getattr(request.user, "is_platform_admin", False) and request.user.is_staff)
