"""The main navigation: which sections each role sees (a context processor for every page).

Entries name URL patterns; an entry whose page does not exist (yet) is left out, so the apps add
their pages without touching this list's logic."""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .choices import Role

# (section, label, URL name, roles that see it; empty = every signed-in user)
ENTRIES = (
    ("home", _("Home"), "home", ()),
    ("dashboard", _("Dashboard"), "evaluation:dashboard", (Role.GOV_REVIEWER, Role.PLATFORM_ADMIN,
                                                           Role.COLLEGE_ADMIN, Role.ENTERPRISE_LIAISON)),
    ("warnings", _("Warnings"), "evaluation:warning-list", (Role.GOV_REVIEWER, Role.PLATFORM_ADMIN)),
    ("programs", _("Programs"), "programs:program-list", (Role.COLLEGE_ADMIN,)),
    ("teachers", _("Teachers"), "programs:teacher-list", (Role.COLLEGE_ADMIN,)),
    ("partnerships", _("Partnerships"), "partnerships:partnership-list",
     (Role.COLLEGE_ADMIN, Role.ENTERPRISE_LIAISON)),
    ("placements", _("Placements"), "programs:placement-list", (Role.ENTERPRISE_LIAISON,)),
    ("projects", _("Projects"), "partnerships:project-list", ()),
    ("imports", _("Import"), "programs:import", (Role.COLLEGE_ADMIN,)),
    ("directory", _("Directory"), "directory:index", ()),
    ("reports", _("Reports"), "evaluation:report-index", (Role.GOV_REVIEWER, Role.PLATFORM_ADMIN,
                                                           Role.COLLEGE_ADMIN)),
)


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = []
    for section, label, url_name, roles in ENTRIES:
        if roles and user.role not in roles:
            continue
        try:
            items.append({"section": section, "label": label, "url": reverse(url_name)})
        except NoReverseMatch:
            continue
    return {"navigation": items}
