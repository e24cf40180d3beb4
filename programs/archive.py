"""The programs app's tables in a college's data archive (portal.archive); registered in the AppConfig.ready."""
from django.utils.translation import gettext_lazy as _

from portal.archive import ArchiveTable, register

from .models import Course, Program, ProgramYear, Teacher, TeacherPlacement

ENTERPRISE = ("name", "credit_code")
PROGRAM = ("code", "name")


def register_tables() -> None:
    register(
        ArchiveTable("programs", _("Programs"), Program, ("school",), related={"sector": ("code", "name")}),
        ArchiveTable("courses", _("Courses"), Course, ("program__school",),
                     related={"program": PROGRAM, "co_developed_with": ENTERPRISE}),
        ArchiveTable("program_years", _("Program years"), ProgramYear, ("program__school",),
                     related={"program": PROGRAM}),
        ArchiveTable("teachers", _("Teachers"), Teacher, ("school",), related={"employer": ENTERPRISE}),
        ArchiveTable("teacher_placements", _("Teacher placements"), TeacherPlacement, ("teacher__school",),
                     related={"teacher": ("name", "staff_no"), "enterprise": ENTERPRISE}),
    )
