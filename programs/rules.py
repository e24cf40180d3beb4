"""Who sees and changes the programs models (DESIGN.md section 2), and which of them the audit trail
keeps (portal.audit); registered in the AppConfig.ready."""
from portal.audit import track
from portal.choices import Role
from portal.scoping import Rule, register

from .models import Course, Program, ProgramYear, Teacher, TeacherPlacement


def register_rules() -> None:
    # Programs and courses are directory data: every signed-in user reads them all; a college admin
    # changes those of their own school.
    register(Program, Rule(public=True, change={Role.COLLEGE_ADMIN: ("school", {})}, located=("school__region",)))
    register(Course, Rule(public=True, change={Role.COLLEGE_ADMIN: ("program__school", {})},
                          located=("program__school__region",)))
    # Program years name no enterprise, so liaisons see none of them.
    register(
        ProgramYear,
        Rule(
            school=("program__school",),
            region=("program__school__region",),
            change={Role.COLLEGE_ADMIN: ("program__school", {})},
        ),
    )
    # A liaison reads the teachers their enterprise employs (part-time industry teachers) or hosts.
    register(
        Teacher,
        Rule(
            school=("school",),
            enterprise=("employer", "placements__enterprise"),
            region=("school__region",),
            change={Role.COLLEGE_ADMIN: ("school", {})},
        ),
    )
    # The school keeps its teachers' placements until the host enterprise verifies one; from then on
    # only a platform admin may change or delete it. Verifying is an action, not a change (services).
    register(
        TeacherPlacement,
        Rule(
            school=("teacher__school",),
            enterprise=("enterprise",),
            region=("teacher__school__region",),
            change={Role.COLLEGE_ADMIN: ("teacher__school", {"verified": {False}})},
        ),
    )


def register_audit() -> None:
    for model in (Program, Course, ProgramYear, Teacher, TeacherPlacement):
        track(model)
