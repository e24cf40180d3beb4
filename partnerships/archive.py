"""The partnerships app's tables in a college's data archive (portal.archive); registered in the
AppConfig.ready. Training bases are those the school owns; consortia appear through the school's
memberships."""
from django.utils.translation import gettext_lazy as _

from portal.archive import ArchiveTable, register

from .models import (
    ConsortiumMember,
    Contribution,
    Partnership,
    Patent,
    ProjectAdoption,
    TechnicalService,
    TrainingBase,
    TrainingBaseUsage,
)

ENTERPRISE = ("name", "credit_code")


def register_tables() -> None:
    register(
        ArchiveTable("partnerships", _("Partnerships"), Partnership, ("school",), related={"enterprise": ENTERPRISE}),
        ArchiveTable("contributions", _("Contributions"), Contribution, ("partnership__school",),
                     related={"partnership": ("title",)}),
        ArchiveTable("project_adoptions", _("Project adoptions"), ProjectAdoption, ("course__program__school",),
                     related={"project": ("title",), "course": ("code", "name")}),
        ArchiveTable("training_bases", _("Training bases"), TrainingBase, ("school",)),
        ArchiveTable("training_base_usage", _("Training base usage"), TrainingBaseUsage, ("base__school",),
                     related={"base": ("name",)}),
        ArchiveTable("technical_services", _("Technical services"), TechnicalService, ("school",),
                     related={"enterprise": ENTERPRISE}),
        ArchiveTable("patents", _("Patents"), Patent, ("school",), related={"licensee": ENTERPRISE}),
        ArchiveTable("consortium_memberships", _("Consortium memberships"), ConsortiumMember, ("school",),
                     related={"consortium": ("name", "kind")}),
    )
