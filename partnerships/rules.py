"""Who sees and changes the partnerships models (DESIGN.md section 2), and which of them the audit
trail keeps (portal.audit); registered in the AppConfig.ready.

A reviewer reads what lies in their region: partnerships and their ledgers when either party does,
school records (adoptions, technical services, patents) when the school does. State changes of a
partnership (accept, decline, suspend, end) are actions checked by partnerships.services, not changes.
"""
from django.db.models import Q

from portal.audit import track
from portal.choices import Role
from portal.scoping import Rule, register

from .choices import PartnershipStatus, ProjectStatus
from .models import (
    Consortium,
    ConsortiumMember,
    Contribution,
    EnterpriseProject,
    Partnership,
    Patent,
    ProjectAdoption,
    TalentDemand,
    TechnicalService,
    TrainingBase,
    TrainingBaseUsage,
)


def register_rules() -> None:
    # Consortia are directory data; the education authority of a region keeps those of its region.
    register(Consortium, Rule(public=True, change={Role.GOV_REVIEWER: ("region", {})}, located=("region",)))
    register(ConsortiumMember, Rule(public=True, change={Role.GOV_REVIEWER: ("consortium__region", {})},
                                    located=("consortium__region",)))

    # A college proposes and may change or withdraw a proposal until the enterprise answers.
    register(
        Partnership,
        Rule(
            school=("school",),
            enterprise=("enterprise",),
            region=("school__region", "enterprise__region"),
            change={Role.COLLEGE_ADMIN: ("school", {"status": {PartnershipStatus.PROPOSED}})},
        ),
    )
    # Each side keeps its own entries of the ledger.
    register(
        Contribution,
        Rule(
            school=("partnership__school",),
            enterprise=("partnership__enterprise",),
            region=("partnership__school__region", "partnership__enterprise__region"),
            change={
                Role.COLLEGE_ADMIN: ("partnership__school", {"party": {"school"}}),
                Role.ENTERPRISE_LIAISON: ("partnership__enterprise", {"party": {"enterprise"}}),
            },
        ),
    )

    # Projects on offer are public; drafts are the enterprise's own.
    register(
        EnterpriseProject,
        Rule(
            public=~Q(status=ProjectStatus.DRAFT),
            enterprise=("enterprise",),
            change={Role.ENTERPRISE_LIAISON: ("enterprise", {})},
            located=("enterprise__region",),
        ),
    )
    register(
        ProjectAdoption,
        Rule(
            school=("course__program__school",),
            enterprise=("project__enterprise",),
            region=("course__program__school__region",),
            change={Role.COLLEGE_ADMIN: ("course__program__school", {})},
        ),
    )
    register(TalentDemand, Rule(public=True, change={Role.ENTERPRISE_LIAISON: ("enterprise", {})},
                                located=("region", "enterprise__region")))

    # Training bases: the owner keeps them; a region's authority keeps the bases of its consortia.
    register(
        TrainingBase,
        Rule(
            public=True,
            change={
                Role.COLLEGE_ADMIN: ("school", {}),
                Role.ENTERPRISE_LIAISON: ("enterprise", {}),
                Role.GOV_REVIEWER: ("consortium__region", {}),
            },
            located=("school__region", "enterprise__region", "consortium__region"),
        ),
    )
    register(
        TrainingBaseUsage,
        Rule(
            public=True,
            change={
                Role.COLLEGE_ADMIN: ("base__school", {}),
                Role.ENTERPRISE_LIAISON: ("base__enterprise", {}),
                Role.GOV_REVIEWER: ("base__consortium__region", {}),
            },
            located=("base__school__region", "base__enterprise__region", "base__consortium__region"),
        ),
    )

    # A school's services and patents: its own; enterprises read those naming them.
    register(
        TechnicalService,
        Rule(
            school=("school",),
            enterprise=("enterprise",),
            region=("school__region",),
            change={Role.COLLEGE_ADMIN: ("school", {})},
        ),
    )
    register(
        Patent,
        Rule(
            school=("school",),
            enterprise=("licensee",),
            region=("school__region",),
            change={Role.COLLEGE_ADMIN: ("school", {})},
        ),
    )


def register_audit() -> None:
    for model in (Consortium, ConsortiumMember, Contribution, EnterpriseProject, ProjectAdoption, TalentDemand,
                  TrainingBase, TrainingBaseUsage, TechnicalService, Patent):
        track(model)
    track(Partnership, m2m=("programs",))
