from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default = True
    name = "portal"
    verbose_name = _("Organisations and accounts")

    def ready(self) -> None:
        from . import audit, checks  # noqa: F401  (checks registers the system checks)
        from .archive import register_tables
        from .rules import register_audit, register_rules

        register_rules()
        register_tables()
        register_audit()
        audit.connect()


class PortalAdminConfig(admin_apps.AdminConfig):
    """The Django admin, open to platform administrators only (see portal.admin_site)."""

    default = False
    default_site = "portal.admin_site.PortalAdminSite"
