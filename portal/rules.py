"""Who sees and changes the tenancy models (DESIGN.md section 2); registered in PortalConfig.ready."""
from .choices import Role
from .models import Enterprise, Region, School, Sector, User
from .scoping import Rule, register


def register_rules() -> None:
    # Reference data: everyone reads, platform admins change.
    register(Region, Rule(public=True))
    register(Sector, Rule(public=True))
    # The directory: everyone reads; a college admin edits their own school's profile, a liaison
    # their own enterprise's (the code and credit code stay as registered); neither deletes it.
    register(School, Rule(public=True, change={Role.COLLEGE_ADMIN: ("", {})}, deletable=False))
    register(Enterprise, Rule(public=True, change={Role.ENTERPRISE_LIAISON: ("", {})}, deletable=False))
    register(User, Rule(own_account=True))
