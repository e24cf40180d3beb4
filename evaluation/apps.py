from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from .archive import register_tables
        from .rules import register_audit, register_rules

        register_rules()
        register_tables()
        register_audit()
