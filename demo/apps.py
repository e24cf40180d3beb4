from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Realistic demo data for a first look (seed_demo); knows every app, like the root urls."""

    name = "demo"
    verbose_name = _("Demo data")
