"""Training bases and their yearly use, technical services, patents and stakeholder feedback."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from demo.names import EVALUATOR
from evaluation.models import Feedback, FeedbackScore
from partnerships.models import Patent, TechnicalService, TrainingBase, TrainingBaseUsage

from .catalogue import FAMILIES
from .cooperation import DEEP
from .store import key_of
from .world import YEARS, World, clip, random_date, weighted

CONSORTIUM_BASES = ("广州市智能制造公共实训中心", "新能源汽车产教融合共享实训基地")


def _money(rng, low: float, high: float) -> Decimal:
    return Decimal(round(rng.uniform(low, high), -3)).quantize(Decimal("0.01"))


def build_training_bases(world: World) -> None:
    rng = world.rng("training_bases")
    plan = world.plan
    bases = []  # (key, capacity, open to the public)

    def add(name: str, *, school=None, enterprise=None, consortium=None, co_built: bool, on_campus: bool,
            open_to_public: bool, value: Decimal, enterprise_share: float, capacity: int) -> None:
        key = plan.add(
            TrainingBase, name=name, school=school, enterprise=enterprise, consortium=consortium, co_built=co_built,
            on_campus=on_campus, open_to_public=open_to_public, equipment_value=value,
            enterprise_equipment_value=(value * Decimal(enterprise_share)).quantize(Decimal("0.01")),
            capacity_hours=capacity,
        )
        bases.append((key, capacity, open_to_public))

    for school in world.schools:
        families = []
        for program in school.programs:
            if program.family not in families:
                families.append(program.family)
        for family in families[: rng.randint(2, 3)]:
            name = f"{school.seed.name}{rng.choice(FAMILIES[family].bases)}"
            if plan.has(TrainingBase, (name,)):
                continue
            co_built = rng.random() < 0.4
            add(name, school=school.key, co_built=co_built, on_campus=rng.random() < 0.9,
                open_to_public=rng.random() < 0.35, value=_money(rng, 800_000, 25_000_000),
                enterprise_share=rng.uniform(0.15, 0.6) if co_built else 0.0,
                capacity=rng.randrange(3000, 24001, 100))
    owners = [e for e in world.enterprises if e.size in ("large", "medium") and e.info.bases]
    for enterprise in rng.sample(owners, min(16, len(owners))):
        add(f"{enterprise.short}产教融合实训基地", enterprise=enterprise.key, co_built=rng.random() < 0.6,
            on_campus=False, open_to_public=rng.random() < 0.5, value=_money(rng, 500_000, 12_000_000),
            enterprise_share=rng.uniform(0.7, 1.0), capacity=rng.randrange(2000, 12001, 100))
    for name, consortium in zip(CONSORTIUM_BASES, world.consortia):
        add(name, consortium=consortium, co_built=True, on_campus=False, open_to_public=True,
            value=_money(rng, 15_000_000, 40_000_000), enterprise_share=rng.uniform(0.3, 0.5),
            capacity=rng.randrange(20000, 40001, 500))

    for index, (key, capacity, open_to_public) in enumerate(bases):
        level = rng.uniform(0.25, 1.05)
        new_in_2024 = rng.random() < 0.1
        always_idle = index % 29 == 7  # a few bases stand idle all the time: zero rows
        for year in YEARS:
            if year == YEARS[0] and new_in_2024:
                continue
            if always_idle or rng.random() < 0.06:
                internal = external = 0
            else:
                used = round(capacity * clip(level + rng.gauss(0, 0.08), 0.05, 1.2))
                external = round(used * (rng.uniform(0.05, 0.4) if open_to_public else rng.uniform(0.0, 0.08)))
                internal = used - external
            plan.add(TrainingBaseUsage, base=key, year=year, internal_hours=internal, external_hours=external)


def build_technical_services(world: World) -> None:
    rng = world.rng("technical_services")
    for school in world.schools:
        undergraduate = school.seed.level == "vocational_undergraduate"
        clients = [p.enterprise for p in school.partnerships if p.status in ("active", "ended", "suspended")]
        clients = clients or [e for e in world.enterprises if e.family in school.families]
        for _ in range(rng.randint(2, 10) + (3 if undergraduate else 0)):
            client, year = rng.choice(clients), rng.choice(YEARS)
            title = f"{client.short}{rng.choice(client.info.services)}"
            if world.plan.has(TechnicalService, (school.key, title, year)):
                continue
            world.plan.add(
                TechnicalService, school=school.key, enterprise=client.key, title=title, year=year,
                amount=_money(rng, 30_000, 2_200_000 if undergraduate else 1_200_000),
            )


PATENT_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


def patent_number(filed: int, kind: int, serial: int) -> str:
    """A Chinese patent number: ZL, filing year, kind (1 invention, 2 utility model), serial, check digit."""
    digits = f"{filed}{kind}{serial:07d}"
    check = sum(int(d) * w for d, w in zip(digits, PATENT_WEIGHTS)) % 11
    return f"ZL{digits}.{'X' if check == 10 else check}"


def build_patents(world: World) -> None:
    rng = world.rng("patents")
    for school in world.schools:
        families = sorted(school.families)
        for _ in range(rng.randint(2, 10)):
            family = rng.choice(families)
            kind = weighted(rng, [2, 1], [72, 28])
            granted = random_date(rng, dt.date(2019, 1, 1), dt.date(2025, 12, 31))
            examination = rng.randint(700, 1100) if kind == 1 else rng.randint(180, 420)  # days
            filed = (granted - dt.timedelta(days=examination)).year
            number = patent_number(filed, kind, rng.randint(0, 9_999_999))
            if world.plan.has(Patent, (number,)):
                continue
            transferred, licensee = None, None
            if rng.random() < 0.3:
                transferred = min(granted + dt.timedelta(days=rng.randint(30, 700)), dt.date(2026, 6, 30))
                partners = [p.enterprise for p in school.partnerships if p.enterprise.family == family]
                licensee = rng.choice(partners or world.enterprises_of(family) or world.enterprises).key
            world.plan.add(
                Patent, school=school.key, number=number, title=rng.choice(FAMILIES[family].patents),
                granted_on=granted, transferred_on=transferred, licensee=licensee,
            )


PARTNERSHIP_DIMENSIONS = ("communication", "responsiveness", "mutual_benefit", "outcomes")
GRADUATE_DIMENSIONS = ("professional_skills", "work_attitude", "teamwork", "learning_ability")
PARTNERSHIP_COMMENTS = (
    (4.0, "合作顺畅，实习学生表现好，希望扩大合作规模。"),
    (3.0, "合作总体良好，建议加强过程沟通，及时反馈学生实习情况。"),
    (0.0, "响应较慢，合作成果未达预期，建议明确双方责任与投入。"),
)
GRADUATE_COMMENTS = (
    (4.0, "毕业生专业基础扎实，上手快，愿意长期录用。"),
    (3.0, "毕业生工作态度端正，实操能力有待加强。"),
    (0.0, "毕业生岗位技能与企业需求差距较大，建议增加实践教学。"),
)


def build_feedback(world: World) -> None:
    rng = world.rng("feedback")
    plan = world.plan
    demo = world.demo_enterprise

    def add(mean: float, dimensions, comments, *, enterprise=None, evaluator="", partnership=None, program=None,
            year: int) -> None:
        values = {"enterprise": enterprise.key if enterprise else None, "evaluator": evaluator,
                  "partnership": partnership, "program": program, "year": year}
        if plan.has(Feedback, key_of(Feedback, values)):
            return
        comment = next(text for floor, text in comments if mean >= floor)
        key = plan.add(Feedback, **values, comment=comment,
                       given_by=("enterprise",) if enterprise is demo else None)
        for dimension in dimensions:
            plan.add(FeedbackScore, feedback=key, dimension=dimension,
                     score=int(clip(round(rng.gauss(mean, 0.7)), 1, 5)))

    for partnership in world.partnerships:
        for year in YEARS:
            if partnership.active_in(year) and rng.random() < 0.5:
                mean = partnership.school.quality + rng.gauss(0, 0.35) + (0.3 if set(partnership.kinds) & DEEP else 0)
                add(mean, PARTNERSHIP_DIMENSIONS, PARTNERSHIP_COMMENTS, enterprise=partnership.enterprise,
                    partnership=partnership.key, year=year)
    for program in world.programs:
        employers = [p.enterprise for p in program.partnerships if p.status in ("active", "ended", "suspended")]
        employers = employers or world.enterprises_of(program.family) or world.enterprises
        for year in YEARS:
            if program.years[year]["graduates"] and rng.random() < 0.3:
                add(program.school.quality + rng.gauss(0, 0.4), GRADUATE_DIMENSIONS, GRADUATE_COMMENTS,
                    enterprise=rng.choice(employers), program=program.key, year=year)
        if rng.random() < 0.1:
            add(program.school.quality + rng.gauss(0, 0.3), GRADUATE_DIMENSIONS, GRADUATE_COMMENTS,
                evaluator=EVALUATOR, program=program.key, year=2024)
