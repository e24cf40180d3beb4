"""Programs, courses (practical share around 50 %), yearly program figures, teachers and teacher
placements in enterprises."""
from __future__ import annotations

import datetime as dt

from demo.names import DEMO_COLLEGE
from programs.models import Course, Program, ProgramYear, Teacher, TeacherPlacement

from .catalogue import FAMILIES, GENERAL_COURSES, MAJORS, STUDY_YEARS
from .world import (
    YEARS,
    CourseInfo,
    ProgramInfo,
    TeacherInfo,
    World,
    at_ten,
    clip,
    person_name,
    random_date,
    weighted,
    year_start,
)

# Every active full-time professional teacher of this school practised ≥ 30 verified days in 2023 and 2024.
MODEL_SCHOOL = "4144012870"


def build_programs(world: World) -> None:
    rng = world.rng("programs")
    for school in world.schools:
        level = school.seed.level
        majors = MAJORS[level]
        preferred = [m for m in majors if m.family in school.seed.families]
        others = [m for m in majors if m.family not in school.seed.families]
        rng.shuffle(preferred)
        rng.shuffle(others)
        for major in sorted((preferred + others)[: school.seed.programs]):
            roll = rng.random()
            if roll < 0.035:
                trend, status = "stopped", "closed"
            elif roll < 0.05:
                trend, status = "stopped", "suspended"
            elif roll < 0.14:  # enrolment falls by more than 30 % in 2025
                trend, status = "falling", weighted(rng, ["warning", "enrolment_reduced", "active"], [4, 2, 3])
            else:
                trend, status = "normal", weighted(rng, ["active", "warning"], [95, 5])
            if level == "vocational_undergraduate":
                established = rng.randint(2019, 2021)
            else:
                established = rng.randint(1999, 2020)
            program = ProgramInfo(
                school=school, code=major.code, name=major.name, family=major.family, status=status, trend=trend,
                established=established,
            )
            school.programs.append(program)
            world.plan.add(
                Program, school=school.key, code=major.code, name=major.name, sector=(program.sector,),
                established_year=established, status=status,
            )


def _general_practice(rng, name: str) -> float:
    if name.startswith("体育") or name == "劳动教育":
        return rng.uniform(0.7, 0.9)
    if name == "信息技术":
        return rng.uniform(0.4, 0.6)
    return rng.choice([0.0, 0.0, 0.125, 0.25])


def _practical_target(rng) -> float:
    if rng.random() < 0.08:  # theory-heavy programs, below the 50 % rule
        return rng.uniform(0.32, 0.46)
    return clip(rng.gauss(0.6, 0.05), 0.47, 0.75)


def build_courses(world: World) -> None:
    """6–12 courses per program; hours shaped so the program's practical share is near its target."""
    rng = world.rng("courses")
    for program in world.programs:
        school, family = program.school, FAMILIES[program.family]
        entries = []  # [name, total hours, practice fraction, adjustable, professional]
        for name in rng.sample(GENERAL_COURSES[school.seed.level], rng.randint(2, 3)):
            entries.append([name, rng.choice([32, 48, 64]), _general_practice(rng, name), False, False])
        for name in rng.sample(family.courses, rng.randint(3, min(7, len(family.courses)))):
            entries.append([name, rng.choice([48, 64, 72, 96]), rng.uniform(0.35, 0.65), True, True])
        if rng.random() < 0.5:
            entries.append([f"{family.label}综合实训", rng.choice([60, 90, 120]), 1.0, False, True])
        if rng.random() < 0.3 or len(entries) < 6:
            entries.append([f"{program.name}专业导论", rng.choice([16, 32]), 0.0, False, True])
        target = _practical_target(rng)
        for _ in range(4):  # move the professional courses' practice fractions towards the target
            total = sum(e[1] for e in entries)
            share = sum(e[1] * e[2] for e in entries) / total
            adjustable = sum(e[1] for e in entries if e[3])
            delta = (target - share) * total / adjustable
            for e in entries:
                if e[3]:
                    e[2] = clip(e[2] + delta, 0.0, 0.95)
        partners = [p.enterprise for p in program.partnerships if p.status in ("active", "suspended", "ended")]
        partners += [
            p.enterprise for p in school.partnerships
            if p.enterprise.family == program.family and p.status in ("active", "ended")
        ]
        codev_chance = school.codev * (1.6 if program.partnerships else 0.4)
        for number, (name, total, fraction, _adjustable, professional) in enumerate(entries, start=1):
            practice = round(total * fraction)
            co_developer = None
            if professional and partners and rng.random() < codev_chance:
                co_developer = rng.choice(partners).key
            key = world.plan.add(
                Course, program=program.key, code=f"{program.code}{number:02d}", name=name,
                theory_hours=total - practice, practice_hours=practice, professional=professional,
                co_developed_with=co_developer,
            )
            program.courses.append(CourseInfo(key=key, name=name, professional=professional))


INTAKE = {"higher_vocational": (60, 220), "secondary_vocational": (40, 150), "vocational_undergraduate": (50, 180)}


def build_program_years(world: World) -> None:
    """Enrolment to employment for 2023–2025, consistent with the intakes of earlier years."""
    rng = world.rng("program_years")
    for program in world.programs:
        level = program.school.seed.level
        length = STUDY_YEARS[level]
        intake: dict[int, int] = {}
        size = rng.randint(*INTAKE[level])
        for year in range(YEARS[0] - length - 1, YEARS[-1] + 1):
            if year < program.established:
                intake[year] = 0
                continue
            if intake.get(year - 1):
                size = max(15, round(size * (1 + rng.gauss(0.03, 0.07))))
            intake[year] = size
        if program.trend == "falling":
            if rng.random() < 0.4:
                intake[2024] = round(intake[2024] * rng.uniform(0.75, 0.9))
            intake[2025] = round(intake[2024] * rng.uniform(0.42, 0.66))
        elif program.trend == "stopped":
            intake[2025] = 0
        employment = clip(rng.gauss(0.91, 0.03), 0.78, 0.98)
        if rng.random() < 0.05 or (program.trend != "normal" and rng.random() < 0.5):
            employment = rng.uniform(0.64, 0.82)
        in_field = clip(rng.gauss(0.7, 0.09), 0.4, 0.93)
        for year in YEARS:
            students = round(sum(intake.get(year - k, 0) * 0.97**k for k in range(length)))
            graduates = min(students, round(intake.get(year - length + 1, 0) * rng.uniform(0.9, 0.97)))
            employed = min(graduates, round(graduates * clip(employment + rng.gauss(0, 0.025), 0.5, 0.99)))
            employed_in_field = min(employed, round(employed * clip(in_field + rng.gauss(0, 0.03), 0.3, 0.97)))
            kinds = program.kinds_active_in(year)
            partner_share = rng.uniform(0.08, 0.35) if kinds else rng.uniform(0.0, 0.03)
            if kinds & {"employment", "order_class"}:
                partner_share += 0.1
            order_share = rng.uniform(0.15, 0.4) if "order_class" in kinds else rng.uniform(0.0, 0.08)
            apprentice_share = rng.uniform(0.08, 0.25) if "apprenticeship" in kinds else rng.uniform(0.0, 0.04)
            order_class = round(students * order_share)
            figures = {
                "enrolled": intake[year],
                "students": students,
                "graduates": graduates,
                "employed": employed,
                "employed_in_field": employed_in_field,
                "employed_by_partners": min(employed, round(employed * partner_share)),
                "order_class_students": order_class,
                "apprentices": min(students - order_class, round(students * apprentice_share)),
            }
            program.years[year] = figures
            world.plan.add(ProgramYear, program=program.key, year=year, **figures)


def build_teachers(world: World) -> None:
    rng = world.rng("teachers")
    for school in world.schools:
        families = [p.family for p in school.programs]
        employers = [p.enterprise for p in school.partnerships if p.status in ("active", "suspended", "ended")]
        employers = employers or [e for e in world.enterprises if e.city == school.seed.city]
        professional_count = round(len(school.programs) * rng.uniform(3.5, 5.0))
        general_count = max(4, round(professional_count * rng.uniform(0.2, 0.35)))
        full_time = professional_count + general_count
        part_time = round(full_time * school.part_time_ratio)
        for number in range(1, full_time + part_time + 1):
            is_full_time = number <= full_time
            professional = not is_full_time or number <= professional_count
            hired = rng.randint(1995, 2024)
            dual_chance = school.dual_ratio if (is_full_time and professional) else (0.05 if is_full_time else 0.2)
            dual = rng.random() < dual_chance
            level, since = "", None
            if dual:
                level = weighted(rng, ["junior", "intermediate", "senior"], [35, 45, 20])
                since = random_date(rng, dt.date(max(hired, 2008), 1, 1), dt.date(2025, 6, 30))
            values = {
                "school": school.key,
                "name": person_name(rng),
                "staff_no": f"{hired}{number:04d}" if is_full_time else f"JZ{number - full_time:04d}",
                "active": rng.random() > 0.05,
                "employment": "full_time" if is_full_time else "part_time_industry",
                "professional": professional,
                "dual_qualified": dual,
                "dual_qualified_level": level,
                "dual_qualified_since": since,
                "employer": None if is_full_time else rng.choice(employers).key,
                "annual_teaching_hours": rng.randint(240, 520) if is_full_time else rng.randint(32, 160),
            }
            world.plan.add(Teacher, **values)
            world.teachers.append(TeacherInfo(
                school=school, key=(school.key, values["staff_no"]),
                family=families[number % len(families)] if professional else None,
                employment=values["employment"], professional=professional, active=values["active"],
            ))


ACTIVITY_TEXT = {"observation": "考察观摩", "training": "接受培训", "post_practice": "顶岗实践", "rnd": "参与研发"}
VERIFY_CHANCE = {2023: 0.92, 2024: 0.85, 2025: 0.8}
LAST_VERIFIED_END = dt.date(2026, 8, 31)  # later placements are still waiting for the enterprise


def _placement_spans(rng, year: int, *, long: bool = False) -> list[tuple[dt.date, int, str]]:
    """(start, days, activity) of one teacher's practice in one academic year (`long`: ≥ 30 days in it)."""
    summer = dt.date(year + 1, 7, 1)
    winter = dt.date(year + 1, 1, 8)
    pattern = "long" if long else weighted(rng, ["long", "short", "overlap", "split", "straddle"], [55, 20, 12, 8, 5])
    if pattern == "long":
        if rng.random() < 0.7:
            return [(random_date(rng, summer, summer + dt.timedelta(days=20)), rng.randint(30, 45), "post_practice")]
        return [(random_date(rng, winter, winter + dt.timedelta(days=7)), rng.randint(30, 36),
                 rng.choice(["rnd", "post_practice"]))]
    if pattern == "short":
        start = random_date(rng, year_start(year) + dt.timedelta(days=30), dt.date(year + 1, 6, 30))
        return [(start, rng.randint(3, 20), rng.choice(["observation", "training"]))]
    if pattern == "overlap":  # counted once: the union is 20–36 days
        start = random_date(rng, summer, summer + dt.timedelta(days=10))
        second = start + dt.timedelta(days=rng.randint(5, 14))
        return [(start, rng.randint(15, 22), "training"), (second, rng.randint(15, 22), "post_practice")]
    if pattern == "split":
        return [(random_date(rng, winter, winter + dt.timedelta(days=5)), rng.randint(12, 18), "training"),
                (random_date(rng, summer, summer + dt.timedelta(days=15)), rng.randint(12, 20), "post_practice")]
    # straddles two academic years: only part of it counts in each
    return [(dt.date(year + 1, 8, rng.randint(5, 20)), rng.randint(25, 40), "post_practice")]


def build_placements(world: World) -> None:
    rng = world.rng("placements")
    demo = world.demo_enterprise
    plan = world.plan

    def add(teacher: TeacherInfo, host, start: dt.date, days: int, activity: str, verified: bool) -> None:
        end = start + dt.timedelta(days=days - 1)
        key = (teacher.key, host.key, start)
        if plan.has(TeacherPlacement, key):
            return
        verified = verified and end <= LAST_VERIFIED_END
        plan.add(
            TeacherPlacement, teacher=teacher.key, enterprise=host.key, start_date=start, end_date=end,
            activity=activity, description=f"在{host.name}{ACTIVITY_TEXT[activity]}：{rng.choice(host.info.projects)}",
            verified=verified, verified_at=at_ten(end + dt.timedelta(days=rng.randint(2, 20))) if verified else None,
            verified_by=("enterprise",) if verified and host is demo else None,
        )

    # The demo college's teachers at the demo enterprise: some confirmed last year, some waiting now.
    college = [t for t in world.teachers if t.school.seed.code == DEMO_COLLEGE and t.active and t.professional
               and t.employment == "full_time" and t.family in ("auto", "autoservice")]
    for index, teacher in enumerate(college[:5]):
        if index < 2:
            add(teacher, demo, dt.date(2025, 7, 7 + index), 35, "post_practice", verified=True)
        else:
            add(teacher, demo, dt.date(2026, 9, 14 + index), 32, "rnd", verified=False)

    for teacher in world.teachers:
        if teacher.employment != "full_time" or not teacher.professional:
            continue
        if not teacher.active and rng.random() > 0.3:
            continue
        school = teacher.school
        partners = [p.enterprise for p in school.partnerships if p.status in ("active", "suspended", "ended")]
        same_field = [e for e in partners if e.family == teacher.family]
        hosts = same_field + same_field + partners or world.enterprises_of(teacher.family) or world.enterprises
        for year in YEARS:
            model = school.seed.code == MODEL_SCHOOL and teacher.active
            if not model and rng.random() > school.diligence:
                continue
            for start, days, activity in _placement_spans(rng, year, long=model):
                host = rng.choice(hosts)
                chance = 0.3 if (host is demo and year == 2025) else VERIFY_CHANCE[year]
                add(teacher, host, start, days, activity, verified=model or rng.random() < chance)

