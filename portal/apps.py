from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default = True
    name = "portal"
    verbose_name = _("Organisations and accounts")

    def ready(self) -> None:
        from .rules import register_rules

        register_rules()


class PortalAdminConfig(admin_apps.AdminConfig):
    """The Django admin, open to platform administrators only (see portal.admin_site)."""

    default = False
    default_site = "portal.admin_site.PortalAdminSite"
