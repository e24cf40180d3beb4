"""Run the seed: check the reference data, plan the demo world, write what is missing in one
transaction, create the demo logins, and report what happened."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction

from demo.names import CONSORTIA, DEMO_COLLEGE, ENTERPRISE_CITY_WEIGHTS, PROVINCE_CODE, SCHOOLS
from portal.choices import Role
from portal.models import ROLE_SCOPE_FIELD, Enterprise, Region, School, Sector

from .catalogue import REQUIRED_SECTORS
from .cooperation import build_contributions, build_partnerships, build_projects, build_talent_demands
from .organisations import DEMO_ENTERPRISE_ORG, build_consortia, build_enterprises, build_schools, credit_code
from .resources import build_feedback, build_patents, build_technical_services, build_training_bases
from .store import COOPERATION_AND_TEACHING, ORGANISATIONS, SEEDED_MODELS, Store, Tally, User
from .teaching import build_courses, build_placements, build_program_years, build_programs, build_teachers
from .world import World

DEMO_PASSWORD = "demo-pass-2025"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    full_name: str
    scope_model: type | None = None
    scope_key: tuple | None = None
    superuser: bool = False


DEMO_USERS = (
    DemoUser("admin", Role.PLATFORM_ADMIN, "平台管理员", superuser=True),
    DemoUser("college", Role.COLLEGE_ADMIN, "陈晓明", School, (DEMO_COLLEGE,)),
    DemoUser("enterprise", Role.ENTERPRISE_LIAISON, "黄志强", Enterprise, (credit_code(*DEMO_ENTERPRISE_ORG),)),
    DemoUser("reviewer", Role.GOV_REVIEWER, "李慧", Region, (PROVINCE_CODE,)),
    DemoUser("reviewer_gz", Role.GOV_REVIEWER, "梁文", Region, ("440100",)),
)


class ReferenceDataMissing(Exception):
    """Regions or sectors the demo needs are not in the database."""


@dataclass
class Login:
    username: str
    role: str
    scope: str
    created: bool


@dataclass
class SeedResult:
    tallies: list[Tally] = field(default_factory=list)
    logins: list[Login] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def created(self) -> int:
        return sum(t.created for t in self.tallies)


def check_reference_data() -> None:
    regions = {PROVINCE_CODE, *(s.city for s in SCHOOLS), *ENTERPRISE_CITY_WEIGHTS, *(c.region for c in CONSORTIA)}
    sectors = set(REQUIRED_SECTORS) | {c.sector for c in CONSORTIA}
    try:
        missing_regions = regions - set(Region.objects.filter(code__in=regions).values_list("code", flat=True))
        missing_sectors = sectors - set(Sector.objects.filter(code__in=sectors).values_list("code", flat=True))
    except DatabaseError as exc:  # no tables at all
        raise ReferenceDataMissing(f"The database is not set up ({exc}): run `manage.py migrate` first.") from exc
    if missing_regions or missing_sectors:
        missing = [f"regions {', '.join(sorted(missing_regions))}" if missing_regions else "",
                   f"sectors {', '.join(sorted(missing_sectors))}" if missing_sectors else ""]
        raise ReferenceDataMissing(
            f"Reference data is missing ({'; '.join(filter(None, missing))}): run `manage.py migrate` first "
            "(it loads the regions and sectors shipped with the portal), or `manage.py load_reference`."
        )


def build_world() -> World:
    """The whole demo as planned rows; pure (reads no database), so every run plans the same rows."""
    world = World()
    for step in (
        build_schools, build_enterprises, build_programs, build_consortia, build_partnerships, build_courses,
        build_program_years, build_teachers, build_placements, build_contributions, build_projects,
        build_talent_demands, build_training_bases, build_technical_services, build_patents, build_feedback,
    ):
        step(world)
    return world


def _scope_text(user) -> str:
    scope = user.scope
    if scope is None:
        return "—"
    code = getattr(scope, "code", None)
    return f"{scope.name} ({code})" if code else scope.name


def ensure_users(store: Store) -> tuple[Tally, list[Login]]:
    """Create the demo logins that are missing; existing accounts (and their passwords) are kept."""
    tally = Tally(User._meta.label)
    existing = {
        user.username: user
        for user in User.objects.filter(username__in=[u.username for u in DEMO_USERS]).select_related(
            "school", "enterprise", "region"
        )
    }
    logins = []
    for spec in DEMO_USERS:
        user = existing.get(spec.username)
        created = user is None
        if created:
            user = User(
                username=spec.username, role=spec.role, first_name=spec.full_name,
                email=f"{spec.username}@demo.example.com", is_staff=spec.superuser, is_superuser=spec.superuser,
            )
            if spec.scope_model is not None:
                scope_field = ROLE_SCOPE_FIELD[spec.role]
                setattr(user, scope_field, spec.scope_model.objects.get(pk=store.pk(spec.scope_model, spec.scope_key)))
            user.set_password(DEMO_PASSWORD)
            user.full_clean()
            user.save()
            tally.created += 1
        else:
            tally.found += 1
        logins.append(Login(spec.username, user.role, _scope_text(user), created))
    return tally, logins


def seed_demo() -> SeedResult:
    """Write the demo data that is missing, all or nothing; a second run creates and changes nothing."""
    started = time.monotonic()
    store = Store()
    with transaction.atomic():
        check_reference_data()
        world = build_world()
        store.load(Region)
        store.load(Sector)
        store.persist(world.plan, ORGANISATIONS)
        user_tally, logins = ensure_users(store)
        store.load(User)
        store.persist(world.plan, COOPERATION_AND_TEACHING)
    user_tally.total = User.objects.count()
    tallies = []
    for model in SEEDED_MODELS:
        tally = store.tallies[model]
        tally.total = model._default_manager.count()
        tallies.append(tally)
    tallies.insert(len(ORGANISATIONS), user_tally)
    return SeedResult(tallies=tallies, logins=logins, seconds=time.monotonic() - started)
