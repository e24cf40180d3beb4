from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Teaching")

    def ready(self) -> None:
        from .archive import register_tables
        from .rules import register_audit, register_rules

        register_rules()
        register_tables()
        register_audit()
