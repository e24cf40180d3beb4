"""Partnerships of every kind and status with their contribution ledgers, enterprise projects and
their adoption into courses, and talent demands sized against the graduates of each city and sector."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from demo.names import DEMO_COLLEGE
from partnerships.choices import DEEP_KINDS
from partnerships.models import Contribution, EnterpriseProject, Partnership, ProjectAdoption, TalentDemand

from .catalogue import FAMILIES
from .store import PartnershipProgram
from .world import (
    YEARS,
    EnterpriseInfo,
    PartnershipInfo,
    ProgramInfo,
    SchoolInfo,
    World,
    academic_year,
    at_ten,
    random_date,
    weighted,
)

KIND_WEIGHTS = {
    "internship_base": 16, "order_class": 10, "apprenticeship": 7, "joint_rnd": 5, "industry_college": 4,
    "training_base": 9, "curriculum_codev": 8, "textbook_codev": 5, "teacher_exchange": 7,
    "technical_service": 6, "employment": 12, "international": 2,
}
DEEP = {str(kind) for kind in DEEP_KINDS}
KIND_TITLES = {
    "internship_base": "校外实习基地共建协议", "order_class": "订单班合作协议", "apprenticeship": "现代学徒制培养协议",
    "joint_rnd": "联合技术研发协议", "industry_college": "产业学院共建协议", "training_base": "实训基地共建协议",
    "curriculum_codev": "课程共建协议", "textbook_codev": "教材共编协议", "teacher_exchange": "教师互聘互兼协议",
    "technical_service": "技术服务合作协议", "employment": "毕业生就业合作协议", "international": "国际化人才培养合作协议",
}
KIND_WORDS = {
    "internship_base": "实习基地", "order_class": "订单培养", "apprenticeship": "现代学徒制", "joint_rnd": "联合研发",
    "industry_college": "产业学院", "training_base": "共建实训基地", "curriculum_codev": "课程共建",
    "textbook_codev": "教材共编", "teacher_exchange": "教师互聘", "technical_service": "技术服务",
    "employment": "毕业生就业", "international": "国际合作",
}
STATUS_WEIGHTS = {"active": 60, "ended": 13, "suspended": 6, "proposed": 11, "declined": 10}
SIZE_WEIGHT = {"micro": 0.5, "small": 1.0, "medium": 1.6, "large": 2.5}
PHASES = "二三四五六七八九"

# The demo enterprise's agreements: together they use all 12 kinds and all 5 statuses.
SCRIPTED = [
    (DEMO_COLLEGE, "active", ["order_class", "industry_college", "apprenticeship"], dt.date(2021, 9, 1), None),
    (DEMO_COLLEGE, "proposed", ["joint_rnd", "textbook_codev"], dt.date(2025, 11, 1), None),
    ("4144011113", "proposed", ["curriculum_codev", "teacher_exchange"], dt.date(2026, 1, 1), None),
    ("4144012920", "proposed", ["internship_base", "employment"], dt.date(2025, 12, 1), None),
    ("4144012833", "declined", ["international"], dt.date(2025, 3, 1), None),
    ("4144013720", "active", ["training_base", "internship_base", "technical_service"], dt.date(2022, 3, 1),
     dt.date(2027, 2, 28)),
    ("4144012869", "ended", ["order_class", "employment"], dt.date(2019, 9, 1), dt.date(2024, 8, 31)),
    ("3144010021", "suspended", ["apprenticeship"], dt.date(2022, 9, 1), None),
]


def _dates(rng, status: str) -> tuple[dt.date, dt.date | None]:
    if status == "active":
        start = random_date(rng, dt.date(2018, 3, 1), dt.date(2025, 6, 30))
        end = None if rng.random() < 0.5 else dt.date(rng.randint(2026, 2029), rng.choice([6, 7, 8]), 30)
    elif status == "ended":
        start = random_date(rng, dt.date(2017, 9, 1), dt.date(2023, 6, 30))
        end = random_date(rng, max(start + dt.timedelta(days=365), dt.date(2022, 6, 30)), dt.date(2025, 7, 31))
    elif status == "suspended":
        start, end = random_date(rng, dt.date(2019, 9, 1), dt.date(2024, 9, 1)), None
    elif status == "proposed":
        start = random_date(rng, dt.date(2025, 9, 15), dt.date(2026, 3, 31))
        end = None if rng.random() < 0.6 else start.replace(year=start.year + 3) - dt.timedelta(days=1)
    else:  # declined
        start, end = random_date(rng, dt.date(2024, 3, 1), dt.date(2025, 12, 31)), None
    return start, end


def _add_partnership(
    world: World, rng, school: SchoolInfo, enterprise: EnterpriseInfo, status: str, kinds: list[str],
    start: dt.date, end: dt.date | None, programs: list[ProgramInfo],
) -> PartnershipInfo:
    primary = kinds[0]
    if len(programs) == 1:
        topic = f"{programs[0].name}专业"
    elif programs:
        topic = FAMILIES[programs[0].family].label
    else:
        topic = ""
    title = f"{topic}{KIND_TITLES[primary]}（{enterprise.short}）"
    phase = 0
    while world.plan.has(Partnership, (school.key, title)):
        title = f"{topic}{KIND_TITLES[primary]}（{enterprise.short}·{PHASES[phase]}期）"
        phase += 1
    words = "、".join(KIND_WORDS[k] for k in kinds)
    field = topic or FAMILIES[enterprise.family].label
    responded = None
    if status != "proposed":
        responded = at_ten(start - dt.timedelta(days=rng.randint(3, 40)))
    key = world.plan.add(
        Partnership, school=school.key, enterprise=enterprise.key, title=title, kinds=sorted(kinds), status=status,
        start_date=start, end_date=end, description=f"{school.seed.name}与{enterprise.name}围绕{field}开展{words}等合作。",
        proposed_by=("college",) if school.seed.code == DEMO_COLLEGE else None, responded_at=responded,
    )
    for program in programs:
        world.plan.add(PartnershipProgram, partnership=key, program=program.key)
    partnership = PartnershipInfo(school, enterprise, title, sorted(kinds), status, start, end, programs)
    school.partnerships.append(partnership)
    enterprise.partnerships.append(partnership)
    for program in programs:
        program.partnerships.append(partnership)
    world.partnerships.append(partnership)
    return partnership


def build_partnerships(world: World) -> None:
    rng = world.rng("partnerships")
    demo = world.demo_enterprise
    for code, status, kinds, start, end in SCRIPTED:
        school = world.school(code)
        programs = [p for p in school.programs if p.family in ("auto", "autoservice") and p.status != "closed"]
        _add_partnership(world, rng, school, demo, status, kinds, start, end, programs[:2])
    statuses, status_weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    for school in world.schools:
        families = school.families
        weights = [
            (4.0 if e.family in families else 0.25) * (2.0 if e.city == school.seed.city else 1.0)
            * SIZE_WEIGHT[e.size] * (1.4 if e.certified else 1.0)
            for e in world.enterprises
        ]
        kinds_all = list(KIND_WEIGHTS)
        kind_weights = [w * (school.depth if k in DEEP else 1.0) for k, w in KIND_WEIGHTS.items()]
        for _ in range(round(len(school.programs) * school.intensity)):
            enterprise = weighted(rng, world.enterprises, weights)
            status = weighted(rng, statuses, status_weights)
            kinds = [weighted(rng, kinds_all, kind_weights)]
            for _extra in range(weighted(rng, [0, 1, 2], [50, 35, 15])):
                kind = weighted(rng, kinds_all, kind_weights)
                if kind not in kinds:
                    kinds.append(kind)
            matching = [p for p in school.programs if p.family == enterprise.family]
            if matching and rng.random() < 0.92:
                programs = rng.sample(matching, min(len(matching), rng.randint(1, 2)))
            elif rng.random() < 0.3:
                programs = [rng.choice(school.programs)]
            else:
                programs = []
            start, end = _dates(rng, status)
            _add_partnership(world, rng, school, enterprise, status, kinds, start, end, programs)
    # Most programs that found no partner above have a long-standing internship base agreement with an
    # enterprise of their field; the rest stay without one (program early warning flags them).
    for program in world.programs:
        if program.status == "closed" or program.partnerships or rng.random() < 0.15:
            continue
        field = [e for e in world.enterprises if e.family == program.family] or world.enterprises
        start = random_date(rng, dt.date(2017, 3, 1), dt.date(2022, 6, 30))
        _add_partnership(world, rng, program.school, rng.choice(field), "active", ["internship_base"], start, None,
                         [program])


PARTY_KINDS = {
    "enterprise": (("equipment", "funds", "staff_time", "ip", "venue"), (30, 20, 25, 8, 17)),
    "school": (("venue", "staff_time", "funds", "equipment"), (35, 35, 15, 15)),
    "government": (("funds", "equipment"), (85, 15)),
    "other": (("funds", "ip", "equipment"), (60, 20, 20)),
}
VALUE_RANGES = {
    "equipment": (50_000, 1_800_000), "funds": (20_000, 600_000), "staff_time": (5_000, 120_000),
    "ip": (10_000, 300_000), "venue": (10_000, 240_000),
}
NOTES = {
    "enterprise": {"equipment": "捐赠/投放生产型实训设备", "funds": "设立奖学金及项目建设资金",
                   "staff_time": "派出工程师担任兼职教师、指导实习", "ip": "许可使用企业技术标准与案例资源",
                   "venue": "提供生产车间作为教学场地"},
    "school": {"venue": "提供校内实训场地与办公用房", "staff_time": "教师参与企业技术攻关与员工培训",
               "funds": "学校配套建设经费", "equipment": "学校采购配套教学设备",
               "ip": "学校专利技术作价投入"},
    "government": {"funds": "市级产教融合专项补助资金", "equipment": "政府采购公共实训设备",
                   "venue": "园区提供公共实训场地"},
    "other": {"funds": "行业协会奖补资金", "ip": "研究院授权使用专利技术", "equipment": "社会捐赠设备"},
}


def _money(rng, kind: str) -> Decimal:
    low, high = VALUE_RANGES[kind]
    return Decimal(round(rng.uniform(low, high), -2)).quantize(Decimal("0.01"))


def build_contributions(world: World) -> None:
    rng = world.rng("contributions")
    plan = world.plan

    def add(partnership: PartnershipInfo, party: str, kind: str, day: dt.date) -> None:
        key = (partnership.key, party, kind, day)
        if not plan.has(Contribution, key):
            plan.add(Contribution, partnership=partnership.key, party=party, kind=kind, value=_money(rng, kind),
                     date=day, note=NOTES[party][kind])

    # The demo college's industry college with the demo enterprise: a ledger with every party and kind.
    flagship = world.partnerships[0]
    for offset, (party, kind) in enumerate(
        [(party, kind) for party, (kinds, _w) in PARTY_KINDS.items() for kind in kinds]
        + [("school", "ip"), ("government", "venue")]
    ):
        add(flagship, party, kind, dt.date(2024, 10, 8) + dt.timedelta(days=9 * offset))
    parties = list(PARTY_KINDS)
    for partnership in world.partnerships:
        deep = bool(set(partnership.kinds) & DEEP)
        party_weights = [50 if deep else 28, 35, 10, 5]
        for year in YEARS:
            if not partnership.active_in(year) or rng.random() > 0.75:
                continue
            start, end = partnership.window(year)
            for _ in range(rng.randint(1, 3)):
                party = weighted(rng, parties, party_weights)
                kinds, weights = PARTY_KINDS[party]
                add(partnership, party, weighted(rng, kinds, weights), random_date(rng, start, end))


PROJECT_STATUSES = (("draft", "open", "in_progress", "completed", "cancelled"), (12, 25, 25, 28, 10))


def _project_dates(rng, status: str) -> tuple[dt.date | None, dt.date | None]:
    if status == "draft":
        return None, None
    if status == "open":
        start = random_date(rng, dt.date(2025, 10, 8), dt.date(2026, 3, 2))
    elif status == "in_progress":
        start = random_date(rng, dt.date(2025, 3, 1), dt.date(2025, 11, 30))
    elif status == "completed":
        start = random_date(rng, dt.date(2023, 9, 11), dt.date(2025, 3, 31))
    else:
        return random_date(rng, dt.date(2024, 3, 1), dt.date(2025, 10, 31)), None
    return start, start + dt.timedelta(days=rng.randint(60, 180))


def build_projects(world: World) -> None:
    """Projects of ~70 enterprises (every status), adopted by professional courses of the same field."""
    rng = world.rng("projects")
    demo = world.demo_enterprise
    posting = [e for e in world.enterprises if e is not demo and rng.random() < (0.75 if e.size == "large" else 0.45)]
    courses_of = defaultdict(list)  # family -> [(program, course)]
    for program in world.programs:
        if program.status != "closed":
            for course in program.courses:
                if course.professional:
                    courses_of[program.family].append((program, course))
    for enterprise in [demo, *posting]:
        family = enterprise.info
        if enterprise is demo:
            topics, statuses = family.projects[:5], list(PROJECT_STATUSES[0])
        else:
            topics = rng.sample(family.projects, min(len(family.projects), rng.randint(1, 3)))
            statuses = [weighted(rng, *PROJECT_STATUSES) for _ in topics]
        for topic, status in zip(topics, statuses):
            start, end = _project_dates(rng, status)
            capacity = rng.choice([10, 15, 20, 30, 40, 60])
            title = f"{enterprise.short}{topic}项目"
            key = world.plan.add(
                EnterpriseProject, enterprise=enterprise.key, title=title,
                summary=f"{enterprise.name}提供真实生产任务：{topic}。学生在企业导师指导下分组完成调研、方案设计与实施，"
                        "成果由企业评审。",
                skills=family.skills, sector=(family.sector,), capacity=capacity, status=status,
                start_date=start, end_date=end,
            )
            if status not in ("in_progress", "completed") or not courses_of[enterprise.family]:
                continue
            partners = {p.school for p in enterprise.partnerships if p.status in ("active", "ended", "suspended")}
            candidates = courses_of[enterprise.family]
            preferred = [c for c in candidates if c[0].school in partners]
            pool = preferred if preferred and rng.random() < 0.8 else candidates
            first_year = academic_year(start)
            for _program, course in rng.sample(pool, min(len(pool), rng.randint(1, 3))):
                years = [first_year]
                if status == "completed" and first_year < YEARS[-1] and rng.random() < 0.3:
                    years.append(first_year + 1)
                for year in years:
                    outcome = (
                        f"完成{topic}方案并通过企业验收，企业采纳{rng.randint(1, 5)}项改进建议。"
                        if status == "completed" else "项目进行中，已完成需求分析与方案设计。"
                    )
                    world.plan.add(
                        ProjectAdoption, project=key, course=course.key, year=year,
                        students=rng.randint(10, capacity), outcome=outcome,
                    )


def build_talent_demands(world: World) -> None:
    """Demand per city, sector and year sized so graduates ÷ demand scatter around the 0.8–1.5 band."""
    rng = world.rng("talent_demands")
    graduates = defaultdict(int)
    for program in world.programs:
        for year, figures in program.years.items():
            graduates[(program.school.seed.city, program.family, year)] += figures["graduates"]
    demands: dict[tuple, int] = defaultdict(int)  # (enterprise, position, city, family, year) -> headcount
    for (city, family, year), supply in sorted(graduates.items()):
        if supply == 0 or (supply < 150 and rng.random() < 0.12):  # no demand posted: no ratio
            continue
        ratio = weighted(rng, [rng.uniform(0.85, 1.45), rng.uniform(0.45, 0.78), rng.uniform(1.6, 2.6)], [70, 15, 15])
        total = max(1, round(supply / ratio))
        employers = world.enterprises_of(family, city) or world.enterprises_of(family)
        employer_weights = [SIZE_WEIGHT[e.size] ** 2 for e in employers]
        parts = max(1, min(total, -(-total // 60), 12))  # about 60 positions a row at most
        for index in range(parts):
            share = total // parts + (1 if index < total % parts else 0)
            enterprise = weighted(rng, employers, employer_weights)
            demands[(enterprise, rng.choice(FAMILIES[family].positions), city, family, year)] += share
    for enterprise in world.enterprises:  # fields no college here trains for: no supply at all
        if enterprise.family in ("techservice", "pharma"):
            for year in YEARS:
                position = rng.choice(enterprise.info.positions)
                demands[(enterprise, position, enterprise.city, enterprise.family, year)] += rng.randint(5, 40)
    for (enterprise, position, city, family, year), headcount in demands.items():
        world.plan.add(
            TalentDemand, enterprise=enterprise.key, position=position, sector=(FAMILIES[family].sector,),
            region=(city,), headcount=headcount, skills=FAMILIES[family].skills, year=year,
        )
