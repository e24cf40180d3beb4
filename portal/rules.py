"""Who sees and changes the tenancy models (DESIGN.md section 2), and which of them the audit trail
keeps (portal.audit); registered in PortalConfig.ready."""
from .audit import track
from .choices import Role
from .models import ApiToken, Enterprise, Region, School, Sector, User
from .scoping import Rule, register


def register_rules() -> None:
    # Reference data: everyone reads, platform admins change.
    register(Region, Rule(public=True, located=("",)))
    register(Sector, Rule(public=True))
    # The directory: everyone reads; a college admin edits their own school's profile, a liaison
    # their own enterprise's (the code and credit code stay as registered); neither deletes it.
    register(School, Rule(public=True, change={Role.COLLEGE_ADMIN: ("", {})}, deletable=False, located=("region",)))
    register(Enterprise, Rule(public=True, change={Role.ENTERPRISE_LIAISON: ("", {})}, deletable=False,
                              located=("region",)))
    register(User, Rule(own_account=True))


def register_audit() -> None:
    track(Region)
    track(Sector)
    track(School)
    track(Enterprise)
    # Logins are not changes; a new password is recorded as changed, never its hash.
    track(User, exclude=("last_login",), mask=("password",))
    # Issued and revoked tokens; the digest is a secret, the last use is bookkeeping.
    track(ApiToken, exclude=("digest", "last_used_at"))
