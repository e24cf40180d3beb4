"""Schools, enterprises (with valid unified social credit codes) and consortia with their members."""
from __future__ import annotations

import datetime as dt

from demo.names import BRANDS, CITIES, CITY_DISTRICTS, CONSORTIA, DEMO_COLLEGE, ENTERPRISE_CITY_WEIGHTS, SCHOOLS
from partnerships.models import Consortium, ConsortiumMember
from portal.models import Enterprise, School
from portal.validators import CREDIT_CODE_ALPHABET, credit_code_check_char

from .catalogue import ENTERPRISE_MIX, FAMILIES
from .world import EnterpriseInfo, SchoolInfo, World, random_date, weighted

# The enterprise the `enterprise` demo login works for: large, certified, partner of many colleges.
DEMO_ENTERPRISE_ORG = ("440113", "MA59H3C2X")  # registration district and organisation part
DEMO_ENTERPRISE = {
    "name": "广州华驰新能源汽车股份有限公司",
    "name_en": "Guangzhou Huachi New Energy Vehicle Co., Ltd.",
    "short": "华驰新能源",
    "city": "440100",
    "family": "auto",
    "size": "large",
    "certified": True,
}
SIZES = ("micro", "small", "medium", "large")
SIZE_WEIGHTS = (15, 40, 30, 15)
CERTIFIED_CHANCE = {"micro": 0.0, "small": 0.04, "medium": 0.2, "large": 0.55}


def build_schools(world: World) -> None:
    rng = world.rng("schools")
    for seed in SCHOOLS:
        school = SchoolInfo(
            seed=seed,
            dual_ratio=rng.uniform(0.32, 0.78),
            part_time_ratio=rng.uniform(0.08, 0.36),
            diligence=rng.uniform(0.35, 0.95),
            intensity=rng.uniform(1.1, 2.0),
            depth=rng.uniform(0.4, 1.5),
            quality=rng.uniform(2.9, 4.4),
            codev=rng.uniform(0.05, 0.45),
        )
        if seed.code == DEMO_COLLEGE:  # good, not perfect
            school.dual_ratio, school.diligence, school.quality = 0.62, 0.8, 3.9
        world.schools.append(school)
        world.plan.add(
            School, code=seed.code, name=seed.name, name_en=seed.name_en, level=seed.level,
            region=(seed.city,), ownership=seed.ownership,
        )


def credit_code(district: str, organisation: str) -> str:
    """GB 32100-2015: 9 (registered by market regulation) 1 (company), division, organisation part, check."""
    first17 = f"91{district}{organisation}"
    return first17 + credit_code_check_char(first17)


def _random_credit_parts(rng, city: str) -> tuple[str, str]:
    district = city[:4] + rng.choice(CITY_DISTRICTS.get(city, ("02", "03", "04", "21")))
    if rng.random() < 0.7:  # registered after 2015: "MA" codes
        organisation = "MA" + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(6)) + str(rng.randint(0, 9))
    else:
        organisation = "".join(str(rng.randint(0, 9)) for _ in range(9))
    return district, organisation


def build_enterprises(world: World) -> None:
    rng = world.rng("enterprises")
    demo = EnterpriseInfo(
        credit_code=credit_code(*DEMO_ENTERPRISE_ORG), name=DEMO_ENTERPRISE["name"], short=DEMO_ENTERPRISE["short"],
        city=DEMO_ENTERPRISE["city"], family=DEMO_ENTERPRISE["family"], size=DEMO_ENTERPRISE["size"],
        certified=DEMO_ENTERPRISE["certified"],
    )
    world.demo_enterprise = demo
    rows = [(demo, DEMO_ENTERPRISE["name_en"])]
    used_names, used_shorts, used_codes = {demo.name}, {demo.short}, {demo.credit_code}
    cities, city_weights = list(ENTERPRISE_CITY_WEIGHTS), list(ENTERPRISE_CITY_WEIGHTS.values())
    for family, count in ENTERPRISE_MIX.items():
        info = FAMILIES[family]
        for _ in range(count - (1 if family == demo.family else 0)):
            city = weighted(rng, cities, city_weights)
            size = weighted(rng, SIZES, SIZE_WEIGHTS)
            while True:
                brand, brand_en = rng.choice(BRANDS)
                industry, industry_en, industry_short = rng.choice(info.industries)
                short = brand + industry_short
                tech = "科技" if "科技" not in industry and rng.random() < 0.35 else ""
                province_wide = size == "large" and rng.random() < 0.4
                prefix, prefix_en = ("广东", "Guangdong") if province_wide else CITIES[city]
                if size == "large":
                    suffix, suffix_en = rng.choice([("集团有限公司", "Group Co., Ltd."), ("股份有限公司", "Co., Ltd.")])
                else:
                    suffix, suffix_en = "有限公司", "Co., Ltd."
                name = f"{prefix}{brand}{industry}{tech}{suffix}"
                if name not in used_names and short not in used_shorts:
                    break
            while (code := credit_code(*_random_credit_parts(rng, city))) in used_codes:
                pass
            used_names.add(name)
            used_shorts.add(short)
            used_codes.add(code)
            technology = "Technology" if tech else ""
            name_en = " ".join(filter(None, [prefix_en, brand_en, industry_en, technology, suffix_en]))
            enterprise = EnterpriseInfo(
                credit_code=code, name=name, short=short, city=city, family=family, size=size,
                certified=rng.random() < CERTIFIED_CHANCE[size],
            )
            rows.append((enterprise, name_en))
    for enterprise, name_en in rows:
        world.enterprises.append(enterprise)
        world.plan.add(
            Enterprise, credit_code=enterprise.credit_code, name=enterprise.name, name_en=name_en,
            region=(enterprise.city,), sector=(enterprise.info.sector,), size=enterprise.size,
            integration_certified=enterprise.certified,
        )


def build_consortia(world: World) -> None:
    """Consortia after programs: member schools are those running programs of the consortium's field."""
    rng = world.rng("consortia")
    size_rank = {size: rank for rank, size in enumerate(SIZES)}
    for seed in CONSORTIA:
        established = dt.date(*seed.established)
        key = world.plan.add(
            Consortium, name=seed.name, kind=seed.kind, region=(seed.region,), sector=(seed.sector,),
            established_on=established, description=seed.description,
        )
        world.consortia.append(key)

        def joined() -> dt.date:
            return random_date(rng, established, clip_date(established + dt.timedelta(days=420)))

        def member(role: str, when: dt.date, *, school=None, enterprise=None, other_name="", other_kind="") -> None:
            world.plan.add(
                ConsortiumMember, consortium=key, school=school, enterprise=enterprise, other_name=other_name,
                other_kind=other_kind, role=role, joined_on=when,
            )

        schools = [world.school(code) for code in seed.lead_schools]
        for school in schools:
            member("lead", established, school=school.key)
        for school in world.schools:
            if school in schools or (seed.school_cities and school.seed.city not in seed.school_cities):
                continue
            if school.families & set(seed.school_families):
                member("member", joined(), school=school.key)
        candidates = [
            e for e in world.enterprises
            if e.family in seed.enterprise_families and (not seed.enterprise_cities or e.city in seed.enterprise_cities)
        ]
        if seed.sector == "C36":
            lead = world.demo_enterprise
        else:  # the largest certified candidate leads
            lead = max(candidates, key=lambda e: (size_rank[e.size], e.certified, e.credit_code))
        member("lead", established, enterprise=lead.key)
        others = [e for e in candidates if e is not lead]
        for enterprise in rng.sample(others, min(seed.enterprises, len(others))):
            member("member", joined(), enterprise=enterprise.key)
        for other in seed.others:
            when = established if other.role == "lead" else joined()
            member(other.role, when, other_name=other.name, other_kind=other.kind)


def clip_date(day: dt.date) -> dt.date:
    return min(day, dt.date(2025, 8, 31))

