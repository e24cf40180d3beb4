"""Synthetic data for `make bench`: the whole domain at a scale (bench.scales), loaded with PostgreSQL
COPY so that a province generates in seconds and the nation in minutes.

How it stays fast: ids are assigned here (1…n per table, sequences set afterwards), rows are
formatted as COPY text by hand-written f-strings, and a background thread streams each chunk to the
server while the next one is being formatted (psycopg2 releases the GIL while it waits on the
socket), so Python and PostgreSQL each keep one core busy. Keys, indexes and foreign keys are
dropped for the load and re-created afterwards in one pass each, as pg_restore does: re-creating a
unique key or adding a foreign key back checks every row, so nothing that violates one can be
committed. CHECK constraints stay in place during the load and check every row as it arrives.

The data follow the real shapes: a few very large colleges and many small ones (lognormal sizes,
scaled to the scale's totals), enterprises whose popularity is Pareto-distributed, partnerships
mostly between a school and enterprises of its programs' fields in its own province, students
flowing from intake to graduation, and so on. Everything is drawn from random.Random streams seeded
with `seed` (one per table), so a seed always gives the same rows.
"""
from __future__ import annotations

import bisect
import datetime as dt
import gc
import itertools
import queue
import random
import threading
import time
from array import array
from collections import defaultdict
from collections.abc import Sequence
from typing import IO, Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from demo.names import BRANDS, EVALUATOR, GIVEN_DOUBLE, GIVEN_SINGLE, SURNAMES
from demo.seed.catalogue import (
    ENTERPRISE_MIX,
    FAMILIES,
    GENERAL_COURSES,
    MAJORS,
    STUDY_YEARS,
)
from demo.seed.cooperation import (
    KIND_TITLES,
    KIND_WEIGHTS,
    KIND_WORDS,
    NOTES,
    PARTY_KINDS,
    PROJECT_STATUSES,
    VALUE_RANGES,
)
from demo.seed.resources import (
    GRADUATE_COMMENTS,
    GRADUATE_DIMENSIONS,
    PARTNERSHIP_COMMENTS,
    PARTNERSHIP_DIMENSIONS,
    patent_number,
)
from partnerships.choices import DEEP_KINDS
from portal.choices import Role
from portal.models import Region, Sector
from portal.validators import CREDIT_CODE_ALPHABET, credit_code_check_char

from .scales import Scale

# Apps whose tables are emptied and filled (reference regions and sectors excepted).
DOMAIN_APPS = ("portal", "programs", "partnerships", "evaluation")
REFERENCE_TABLES = ("portal_region", "portal_sector")
# Tables outside the domain apps that only make sense with the old users (stale logins).
EXTRA_TRUNCATE = ("django_session",)

HV, SV, VU = "higher_vocational", "secondary_vocational", "vocational_undergraduate"
LEVELS = (HV, VU, SV)
LEVEL_SCHOOL_CODE = {HV: "4", VU: "4", SV: "3"}
# Relative size of one school of each level: programs and teachers (scaled to the scale's totals).
LEVEL_PROGRAMS = {HV: 43.0, VU: 36.0, SV: 7.2}
LEVEL_TEACHERS = {HV: 440.0, VU: 900.0, SV: 100.0}
LEVEL_SIGMA = {HV: 0.5, VU: 0.35, SV: 0.65}  # spread of the lognormal school sizes
PROGRAM_RANGE = {HV: (3, 110), VU: (5, 70), SV: (1, 40)}
LEVEL_SERVICES = {HV: 1.0, VU: 3.0, SV: 0.08}  # technical services and patents per teacher, relative
LEVEL_PATENTS = {HV: 1.0, VU: 4.0, SV: 0.05}
INTAKE = {HV: (60, 220), SV: (40, 150), VU: (50, 180)}

# Mainland provinces by population (millions, 2023): where schools and enterprises are.
PROVINCE_WEIGHTS = {
    "11": 22, "12": 14, "13": 74, "14": 35, "15": 24, "21": 42, "22": 24, "23": 31, "31": 25, "32": 85,
    "33": 66, "34": 61, "35": 42, "36": 45, "37": 102, "41": 99, "42": 58, "43": 66, "44": 127, "45": 50,
    "46": 10, "50": 32, "51": 84, "52": 39, "53": 47, "54": 4, "61": 40, "62": 25, "63": 6, "64": 7, "65": 26,
}

FAMILY_KEYS = list(FAMILIES)
FAMILY_INDEX = {key: index for index, key in enumerate(FAMILY_KEYS)}
KINDS = list(KIND_WEIGHTS)
DEEP_MASK = sum(1 << KINDS.index(str(kind)) for kind in DEEP_KINDS)
ORDER_CLASS_BIT, APPRENTICESHIP_BIT, EMPLOYMENT_BIT = (1 << KINDS.index(k) for k in
                                                       ("order_class", "apprenticeship", "employment"))
P_STATUSES = ("active", "ended", "suspended", "proposed", "declined")  # the first three were agreed
P_STATUS_WEIGHTS = (62, 13, 6, 10, 9)
PROGRAM_STATUSES = ("active", "warning", "enrolment_reduced", "suspended", "closed")
CLOSED = 4
SIZES = ("micro", "small", "medium", "large")
SIZE_WEIGHTS = (15, 40, 30, 15)
SIZE_PULL = (0.5, 1.0, 1.6, 2.5)  # how strongly schools are drawn to an enterprise of the size
CERTIFIED_CHANCE = (0.0, 0.01, 0.05, 0.15)
CONSORTIUM_KINDS = ("city_consortium", "industry_community", "vocational_group")
ACTIVITY_TEXT = {"observation": "考察观摩", "training": "接受培训", "post_practice": "顶岗实践", "rnd": "参与研发"}

HV_WORDS = ("工业", "交通", "信息", "商贸", "建筑", "机电", "轻工", "电子", "科技", "城市", "经济", "财经",
            "工程", "铁道", "水利", "农业", "卫生", "旅游", "航空", "现代", "应用", "环境", "能源", "化工",
            "纺织", "外贸", "司法", "艺术", "体育", "幼儿师范", "电力", "医药", "食品", "海洋", "理工", "开放")
SV_SUFFIXES = ("职业学校", "中等专业学校", "职业技术学校", "职业中等专业学校")
DIRECTIONS = ("智能化方向", "数字化运营方向", "国际化方向", "订单培养方向", "现代学徒制方向", "产业学院方向")
BRAND_CHARS = sorted({char for name, _en in BRANDS for char in name})
OTHER_BODIES = (("{place}{label}行业协会", "association"), ("{place}{label}研究院", "research_institute"),
                ("{place}人力资源和社会保障局", "government"), ("{place}工业和信息化局", "government"),
                ("{place}{label}产业促进会", "other"))

NULL = "\\N"
T, F = "t", "f"
CHUNK_ROWS = 8192


def _short(name: str) -> str:
    """A region's name without its administrative suffix, as used inside organisation names."""
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _cn(n: int) -> str:
    """1 … 99 in Chinese numerals (第二, 第十五)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 100:
        tens = "" if n < 20 else digits[n // 10]
        return f"{tens}十{digits[n % 10] if n % 10 else ''}"
    return str(n)


def _apportion(total: int, weights: Sequence[float], low: int, high: int) -> list[int]:
    """Whole numbers in [low, high], proportional to `weights`, that add up to `total` (when the
    bounds allow it): the skewed sizes of a level scaled to the level's total."""
    n = len(weights)
    if not n:
        return []
    total = max(n * low, min(n * high, total))

    def filled(factor: float) -> list[float]:
        return [min(high, max(low, factor * w)) for w in weights]

    lo, hi = 0.0, 1.0
    while sum(filled(hi)) < total and hi < 1e15:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        if sum(filled(mid)) < total:
            lo = mid
        else:
            hi = mid
    values = filled(hi)
    counts = [int(v) for v in values]
    rest = total - sum(counts)
    order = sorted(range(n), key=lambda i: values[i] - counts[i], reverse=rest > 0)
    for i in itertools.cycle(order):
        if rest == 0:
            break
        if rest > 0 and counts[i] < high:
            counts[i] += 1
            rest -= 1
        elif rest < 0 and counts[i] > low:
            counts[i] -= 1
            rest += 1
    return counts


class _Picker:
    """Draws from items with the given weights in O(log n) (cumulative weights and bisection)."""

    __slots__ = ("cumulative", "items", "total")

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1] if self.cumulative else 0.0

    def __bool__(self) -> bool:
        return bool(self.items)

    def pick(self, r: float) -> Any:
        """The item at r ∈ [0, 1) of the cumulative weight."""
        index = bisect.bisect_right(self.cumulative, r * self.total)
        return self.items[min(index, len(self.items) - 1)]


# --- streaming COPY -------------------------------------------------------------------------------


class _Copy:
    """One `COPY table (columns) FROM STDIN`, fed with text rows by the caller while a background
    thread hands the finished chunks to psycopg2 (which reads them through `read`)."""

    def __init__(self, cursor, table: str, columns: Sequence[str], *, freeze: bool = False) -> None:
        self.table = table
        self.sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN{' WITH (FREEZE)' if freeze else ''}"
        self.lines: list[str] = []
        self.rows = 0
        self.error: BaseException | None = None
        self.chunks: queue.Queue[str | None] = queue.Queue(maxsize=6)  # None: abort
        self.thread = threading.Thread(target=self._run, args=(cursor,), name=f"copy {table}", daemon=True)
        self.thread.start()

    def _run(self, cursor) -> None:
        try:
            cursor.copy_expert(self.sql, self, size=1 << 16)
        except Exception as exc:  # noqa: BLE001 - handed to the producing thread, which raises it
            self.error = exc

    def read(self, size: int = -1) -> str:
        chunk = self.chunks.get()
        if chunk is None:  # psycopg2 ends the COPY with this error: the server keeps nothing of it
            raise RuntimeError("generation stopped")
        return chunk

    def add(self, line: str) -> None:
        self.lines.append(line)
        if len(self.lines) >= CHUNK_ROWS:
            self._flush()

    def _put(self, data: str | None) -> None:
        while True:
            if self.error is not None:
                raise self.error
            if not self.thread.is_alive():
                raise RuntimeError(f"COPY into {self.table} stopped early")
            try:
                self.chunks.put(data, timeout=0.2)
                return
            except queue.Full:
                continue

    def _flush(self) -> None:
        if self.lines:
            self.rows += len(self.lines)
            data = "".join(self.lines)
            self.lines = []
            self._put(data)

    def close(self) -> int:
        self._flush()
        self._put("")  # end of data
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.rows

    def abort(self) -> None:
        """Fail the COPY on the server and wait for the thread, so the connection is free again."""
        if self.error is None and self.thread.is_alive():
            try:
                self._put(None)
            except Exception:  # noqa: BLE001,S110 - the COPY failed already: nothing left to stop
                pass
        self.thread.join()


class _Loader:
    """Opens COPY streams one table at a time on the Django connection's psycopg2 connection and
    keeps the row count of every table."""

    def __init__(self, out: IO[str] | None, *, freeze: bool = False) -> None:
        self.out = out
        self.freeze = freeze
        self.counts: dict[str, int] = {}
        self.cursor = connection.connection.cursor()

    def say(self, line: str) -> None:
        if self.out is not None:
            self.out.write(line + "\n")
            if hasattr(self.out, "flush"):
                self.out.flush()

    def stream(self, table: str, columns: Sequence[str]) -> _TableStream:
        return _TableStream(self, table, columns)


class _TableStream:
    """`with loader.stream(table, columns) as add: add(line)`; reports rows and time when done."""

    def __init__(self, loader: _Loader, table: str, columns: Sequence[str]) -> None:
        self.loader, self.table, self.columns = loader, table, columns

    def __enter__(self):
        self.started = time.perf_counter()
        self.copy = _Copy(self.loader.cursor, self.table, self.columns, freeze=self.loader.freeze)
        return self.copy.add

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.copy.abort()
            return
        rows = self.copy.close()
        seconds = time.perf_counter() - self.started
        self.loader.counts[self.table] = self.loader.counts.get(self.table, 0) + rows
        self.loader.say(f"  {self.table:<36} {rows:>11,} rows {seconds:7.1f} s")


# --- the tables -----------------------------------------------------------------------------------


def domain_tables() -> list[str]:
    """Every table of the domain apps (with many-to-many tables) except the reference data."""
    tables = []
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            table = model._meta.db_table
            if table not in REFERENCE_TABLES and table not in tables:
                tables.append(table)
    return tables


class _School:
    """What later tables need to know about a school (its ranges of program and teacher ids, fields,
    partners) and the traits that make schools differ."""

    __slots__ = (
        "active_partners",
        "by_family",
        "codev",
        "depth",
        "diligence",
        "dual",
        "first_program",
        "first_teacher",
        "focus",
        "id",
        "index",
        "intensity",
        "level",
        "n_programs",
        "n_teachers",
        "name",
        "part_time",
        "partners",
        "place",
        "province",
        "quality",
        "region",
    )

    def __init__(self, index: int, level: str, region: int, province: int, place: str) -> None:
        self.index, self.id, self.level = index, index + 1, level
        self.region, self.province, self.place = region, province, place
        self.partners: list[int] = []  # enterprise ids of agreed partnerships (repeats = weight)
        self.active_partners: list[int] = []  # … of those active in the year Y
        self.by_family: dict[int, list[int]] = defaultdict(list)  # family → program ids


class _Generator:
    """Plans and streams every table; the attributes are what later tables need of earlier ones."""

    def __init__(self, scale: Scale, *, year: int, seed: int, password: str, loader: _Loader) -> None:
        self.scale, self.year, self.seed, self.loader = scale, year, seed, loader
        self.password_hash = make_password(password)
        self.years = (year - 2, year - 1, year)
        self.first = {y: dt.date(y, 9, 1).toordinal() for y in range(year - 12, year + 3)}
        self.last = {y: dt.date(y + 1, 8, 31).toordinal() for y in range(year - 12, year + 3)}
        self.base_day = dt.date(year - 40, 1, 1).toordinal()
        self.day_text = [dt.date.fromordinal(self.base_day + i).isoformat()
                         for i in range(dt.date(year + 8, 1, 1).toordinal() - self.base_day)]
        self.now = timezone.now().replace(microsecond=0).isoformat(sep=" ")
        self.stamps = f"{self.now}\t{self.now}"
        self.sector_ids = dict(Sector.objects.values_list("code", "id"))
        self.family_sector = [self.sector_ids[FAMILIES[key].sector] for key in FAMILY_KEYS]
        self.family_weights = [ENTERPRISE_MIX.get(key, 1) for key in FAMILY_KEYS]

    # helpers -------------------------------------------------------------------------------------

    def rng(self, section: str) -> random.Random:
        """An independent stream per table: changing one table does not shift the others."""
        return random.Random(f"{self.seed}:{section}")

    def day(self, ordinal: int) -> str:
        return self.day_text[ordinal - self.base_day]

    def day_or_null(self, ordinal: int) -> str:
        return self.day_text[ordinal - self.base_day] if ordinal else NULL

    @staticmethod
    def ordinal(year: int, month: int, day: int) -> int:
        return dt.date(year, month, day).toordinal()

    def academic_year(self, ordinal: int) -> int:
        day = dt.date.fromordinal(ordinal)
        return day.year if day.month >= 9 else day.year - 1

    @staticmethod
    def person(rnd) -> str:
        given = GIVEN_DOUBLE[int(rnd() * len(GIVEN_DOUBLE))] if rnd() < 0.55 else GIVEN_SINGLE[
            int(rnd() * len(GIVEN_SINGLE))]
        return SURNAMES[int(rnd() * len(SURNAMES))] + given

    def stream(self, table: str, columns: str):
        return self.loader.stream(table, columns.split())

    # regions ---------------------------------------------------------------------------------------

    def plan_regions(self) -> None:
        """Where schools and enterprises are: the leaves (prefectures, or the province itself where the
        reference data has none) of the scale's province or of every mainland province."""
        rows = list(Region.objects.values_list("id", "code", "name", "level", "parent_id"))
        self.region_code = {row[0]: row[1] for row in rows}
        children = defaultdict(list)
        for row in rows:
            if row[4] is not None:
                children[row[4]].append(row)
        if self.scale.province:
            provinces = [row for row in rows if row[1] == self.scale.province]
            if not provinces:
                raise LookupError(f"region {self.scale.province} is not loaded: run `manage.py migrate` first")
        else:
            provinces = [row for row in rows if row[3] == "province" and row[1][:2] in PROVINCE_WEIGHTS]
        rng = self.rng("regions")
        leaves, weights = [], []
        self.region_province: dict[int, int] = {}
        self.region_place: dict[int, str] = {}
        for province in sorted(provinces, key=lambda row: row[1]):
            subtree = sorted(children.get(province[0], []), key=lambda row: row[1]) or [province]
            local = [rng.lognormvariate(0, 0.5) * (2.5 if row[1][2:4] == "01" else 1.0) for row in subtree]
            share = PROVINCE_WEIGHTS.get(province[1][:2], 10) / sum(local)
            for row, weight in zip(subtree, local):
                leaves.append(row[0])
                weights.append(weight * share)
                self.region_province[row[0]] = province[0]
                self.region_place[row[0]] = _short(row[2])
            self.region_place[province[0]] = _short(province[2])
            self.region_province[province[0]] = province[0]
        self.leaf_picker = _Picker(leaves, weights)
        self.province_ids = [row[0] for row in sorted(provinces, key=lambda row: row[1])]
        self.reviewer_region = next(
            (row[0] for row in provinces if row[1] == (self.scale.province or "440000")), self.province_ids[0]
        )

    # schools ---------------------------------------------------------------------------------------

    def gen_schools(self) -> None:
        """Schools of each level with lognormal sizes: programs and teachers scaled to the level's totals."""
        rng = self.rng("schools")
        rnd = rng.random
        scale = self.scale
        counts = {HV: scale.higher_vocational, VU: scale.vocational_undergraduate, SV: scale.secondary_vocational}
        program_mass = sum(counts[lv] * LEVEL_PROGRAMS[lv] for lv in LEVELS)
        teacher_mass = sum(counts[lv] * LEVEL_TEACHERS[lv] for lv in LEVELS)
        self.schools: list[_School] = []
        used_names: set[str] = set()
        serial: dict[str, int] = defaultdict(int)
        numbered: dict[str, int] = defaultdict(int)
        with self.stream("portal_school", "id name name_en code level region_id ownership website created_at "
                                          "updated_at") as add:
            for level in LEVELS:
                n = counts[level]
                if not n:
                    continue
                sizes = [rng.lognormvariate(0, LEVEL_SIGMA[level]) for _ in range(n)]
                low, high = PROGRAM_RANGE[level]
                programs = _apportion(round(scale.programs * n * LEVEL_PROGRAMS[level] / program_mass), sizes, low,
                                      high)
                teacher_sizes = [s * rng.lognormvariate(0, 0.15) for s in sizes]
                teachers = _apportion(round(scale.teachers * n * LEVEL_TEACHERS[level] / teacher_mass),
                                      teacher_sizes, 6, 10**7)
                for i in range(n):
                    region = self.leaf_picker.pick(rnd())
                    province = self.region_province[region]
                    school = _School(len(self.schools), level, region, province, self.region_place[region])
                    school.n_programs, school.n_teachers = programs[i], teachers[i]
                    school.dual = 0.3 + rnd() * 0.5
                    school.part_time = 0.08 + rnd() * 0.28
                    school.diligence = 0.35 + rnd() * 0.6
                    school.intensity = rng.lognormvariate(0, 0.35)
                    school.depth = 0.4 + rnd() * 1.1
                    school.quality = 2.9 + rnd() * 1.5
                    school.codev = 0.05 + rnd() * 0.4
                    school.name = self._school_name(rnd, level, school.place, used_names, numbered)
                    # level digit, 1, province, and a serial scattered over six digits (7919 is prime to 10**6)
                    prefix = f"{LEVEL_SCHOOL_CODE[level]}1{self.region_code[region][:2]}"
                    serial[prefix] += 1
                    code = f"{prefix}{serial[prefix] * 7919 % 10**6:06d}"
                    ownership = "private" if rnd() < (0.3 if level != SV else 0.15) else "public"
                    add(f"{school.id}\t{school.name}\t\t{code}\t{level}\t{region}\t{ownership}\t\t{self.stamps}\n")
                    self.schools.append(school)
        self.school_by_region: dict[int, list[_School]] = defaultdict(list)
        self.school_by_province: dict[int, list[_School]] = defaultdict(list)
        for school in self.schools:
            self.school_by_region[school.region].append(school)
            self.school_by_province[school.province].append(school)

    @staticmethod
    def _school_name(rnd, level: str, place: str, used: set[str], numbered: dict[str, int]) -> str:
        words = HV_WORDS + tuple(FAMILIES[key].label for key in FAMILY_KEYS)
        for _ in range(8):
            word = words[int(rnd() * len(words))]
            if level == HV:
                name = f"{place}{word}{'职业技术学院' if rnd() < 0.75 else '职业学院'}"
            elif level == VU:
                name = f"{place}{word}职业技术大学"
            else:
                name = f"{place}{word}{SV_SUFFIXES[int(rnd() * len(SV_SUFFIXES))]}"
            if name not in used:
                used.add(name)
                return name
        numbered[place + level] += 1
        kind = {HV: "职业技术学院", VU: "职业技术大学", SV: "职业高级中学"}[level]
        name = f"{place}第{_cn(numbered[place + level])}{kind}"
        used.add(name)
        return name

    # enterprises -----------------------------------------------------------------------------------

    def gen_enterprises(self) -> None:
        """Enterprises where the schools are, by field and size; their pull on partners is Pareto-distributed."""
        rng = self.rng("enterprises")
        rnd = rng.random
        n = self.scale.enterprises
        family_picker = _Picker(range(len(FAMILY_KEYS)), self.family_weights)
        size_picker = _Picker(range(4), SIZE_WEIGHTS)
        self.ent_region = array("l")
        self.ent_province = array("l")
        self.ent_family = bytearray()
        self.ent_size = bytearray()
        self.ent_pull: list[float] = []
        self.ent_short: list[str] = []
        self.ent_name: list[str] = []
        used_names: set[str] = set()
        used_codes: set[str] = set()
        alphabet = CREDIT_CODE_ALPHABET
        with self.stream("portal_enterprise", "id name name_en credit_code region_id sector_id size "
                                              "integration_certified website created_at updated_at") as add:
            for index in range(n):
                region = self.leaf_picker.pick(rnd())
                family = family_picker.pick(rnd())
                size = size_picker.pick(rnd())
                info = FAMILIES[FAMILY_KEYS[family]]
                place = self.region_place[region]
                for attempt in range(12):
                    brand = BRAND_CHARS[int(rnd() * len(BRAND_CHARS))] + BRAND_CHARS[int(rnd() * len(BRAND_CHARS))]
                    industry, _en, industry_short = info.industries[int(rnd() * len(info.industries))]
                    tech = "科技" if "科技" not in industry and rnd() < 0.35 else ""
                    suffix = ("集团有限公司" if rnd() < 0.5 else "股份有限公司") if size == 3 else "有限公司"
                    name = f"{place}{brand}{industry}{tech}{suffix}"
                    if attempt >= 10:
                        name = f"{place}{brand}{industry}{tech}第{_cn(attempt)}分公司"
                    if name not in used_names:
                        break
                used_names.add(name)
                code = self._credit_code(rnd, self.region_code[region], alphabet)
                while code in used_codes:
                    code = self._credit_code(rnd, self.region_code[region], alphabet)
                used_codes.add(code)
                certified = T if rnd() < CERTIFIED_CHANCE[size] else F
                add(f"{index + 1}\t{name}\t\t{code}\t{region}\t{self.family_sector[family]}\t{SIZES[size]}\t"
                    f"{certified}\t\t{self.stamps}\n")
                self.ent_region.append(region)
                self.ent_province.append(self.region_province[region])
                self.ent_family.append(family)
                self.ent_size.append(size)
                self.ent_pull.append(min(60.0, rng.paretovariate(1.4)) * SIZE_PULL[size])
                self.ent_short.append(brand + industry_short)
                self.ent_name.append(name)
        groups: dict[Any, list[int]] = defaultdict(list)
        for index in range(n):
            family = self.ent_family[index]
            groups[("family", family)].append(index)
            groups[("province", self.ent_province[index], family)].append(index)
            groups[("region", self.ent_region[index], family)].append(index)
        self.ent_pickers = {
            key: _Picker([i + 1 for i in members], [self.ent_pull[i] for i in members])
            for key, members in groups.items()
        }
        self.ent_all = _Picker(range(1, n + 1), self.ent_pull)

    @staticmethod
    def _credit_code(rnd, region_code: str, alphabet: str) -> str:
        """GB 32100-2015: 9 (market regulation) 1 (company), registration district, organisation part, check."""
        district = region_code[:4] if region_code[2:4] != "00" else f"{region_code[:2]}{1 + int(rnd() * 16):02d}"
        district += f"{1 + int(rnd() * 20):02d}"
        if rnd() < 0.7:
            organisation = "MA" + "".join(alphabet[int(rnd() * 31)] for _ in range(6)) + str(int(rnd() * 10))
        else:
            organisation = f"{int(rnd() * 10**9):09d}"
        first17 = f"91{district}{organisation}"
        return first17 + credit_code_check_char(first17)

    def enterprise_near(self, rnd, province: int, region: int, family: int) -> int:
        """An enterprise of the field near the school (city, then province, then anywhere), by popularity."""
        r = rnd()
        if r < 0.45:
            picker = self.ent_pickers.get(("region", region, family))
            if picker:
                return picker.pick(rnd())
        if r < 0.85:
            picker = self.ent_pickers.get(("province", province, family))
            if picker:
                return picker.pick(rnd())
        picker = self.ent_pickers.get(("family", family))
        return picker.pick(rnd()) if picker else self.ent_all.pick(rnd())

    # programs --------------------------------------------------------------------------------------

    @staticmethod
    def catalogue(level: str, size: int) -> list[tuple[str, str, int]]:
        """The level's majors (2021 national catalogue), extended with directions of them (own codes in
        the same class) until a school of the largest size finds enough distinct ones."""
        real = [(m.code, m.name, FAMILY_INDEX[m.family]) for m in MAJORS[level]]
        majors = list(real)
        used = {code for code, _name, _family in real}
        next_suffix: dict[str, int] = defaultdict(lambda: 50)
        i = 0
        while len(majors) < size:
            code, name, family = real[i % len(real)]
            prefix = code[:4]
            while f"{prefix}{next_suffix[prefix]:02d}" in used:
                next_suffix[prefix] += 1
            new_code = f"{prefix}{next_suffix[prefix]:02d}"
            used.add(new_code)
            majors.append((new_code, f"{name}（{DIRECTIONS[(i // len(real)) % len(DIRECTIONS)]}）", family))
            i += 1
        return majors

    def gen_programs(self) -> None:
        """Each school's majors, mostly in a few fields of its own; a few falling, suspended or closed."""
        rng = self.rng("programs")
        rnd = rng.random
        y = self.year
        catalogues = {level: self.catalogue(level, PROGRAM_RANGE[level][1]) for level in LEVELS}
        self.prog_school = array("l")
        self.prog_family = bytearray()
        self.prog_status = bytearray()
        self.prog_trend = bytearray()  # 0 normal, 1 falling, 2 stopped
        self.prog_established = array("l")
        self.prog_code: list[str] = []
        self.prog_name: list[str] = []
        with self.stream("programs_program", "id school_id code name sector_id established_year status "
                                             "created_at updated_at") as add:
            for school in self.schools:
                majors, real = catalogues[school.level], len(MAJORS[school.level])
                families = sorted({family for _c, _n, family in majors})
                focus = set(rng.sample(families, min(len(families), 2 + int(rnd() * 5))))
                # the school's fields first, catalogue majors before their directions
                groups = [[m for m in part if (m[2] in focus) == wanted]
                          for part in (majors[:real], majors[real:]) for wanted in (True, False)]
                for group in groups:
                    rng.shuffle(group)
                chosen = sorted([m for group in groups for m in group][: school.n_programs])
                school.first_program = len(self.prog_school) + 1
                for code, name, family in chosen:
                    pid = len(self.prog_school) + 1
                    roll = rnd()
                    if roll < 0.03:
                        trend, status = 2, CLOSED
                    elif roll < 0.045:
                        trend, status = 2, 3
                    elif roll < 0.13:
                        trend, status = 1, (1, 2, 0)[int(rnd() * 3)]
                    else:
                        trend, status = 0, (1 if rnd() < 0.05 else 0)
                    if school.level == VU:
                        established = y - 6 + int(rnd() * 4)
                    elif rnd() < 0.04:
                        established = y - 1 + int(rnd() * 2)  # new: no graduates yet
                    else:
                        established = 1995 + int(rnd() * (y - 1998))
                    add(f"{pid}\t{school.id}\t{code}\t{name}\t{self.family_sector[family]}\t{established}\t"
                        f"{PROGRAM_STATUSES[status]}\t{self.stamps}\n")
                    self.prog_school.append(school.index)
                    self.prog_family.append(family)
                    self.prog_status.append(status)
                    self.prog_trend.append(trend)
                    self.prog_established.append(established)
                    self.prog_code.append(code)
                    self.prog_name.append(name)
                    school.by_family[family].append(pid)
                school.focus = sorted(school.by_family)

    # partnerships ----------------------------------------------------------------------------------

    def active_in(self, p: int, year: int) -> bool:
        """INDICATORS.md: agreed (active, suspended or ended) and overlapping the academic year."""
        end = self.p_end[p]
        return self.p_status[p] < 3 and self.p_start[p] <= self.last[year] and (end == 0 or end >= self.first[year])

    def _partnership_date_ranges(self) -> dict[str, tuple[int, ...]]:
        """Start (and end) windows of partnerships by status: agreements of the last years are still
        running, older ones ended, proposals lie ahead."""
        y, o = self.year, self.ordinal
        return {
            "active": (o(y - 7, 3, 1), o(y, 6, 30)),
            "ended": (o(y - 8, 9, 1), o(y - 2, 6, 30)),
            "ended_end": (o(y - 3, 6, 30), o(y, 7, 31)),
            "suspended": (o(y - 6, 9, 1), o(y - 1, 9, 1)),
            "proposed": (o(y, 9, 15), o(y + 1, 3, 31)),
            "declined": (o(y - 1, 3, 1), o(y, 12, 31)),
            "active_end": tuple(o(y + 1 + k // 3, 6 + k % 3, 30) for k in range(12)),
        }

    @staticmethod
    def _partnership_dates(rnd, status: int, ranges: dict[str, tuple[int, ...]]) -> tuple[int, int]:
        def between(window: tuple[int, ...]) -> int:
            return window[0] + int(rnd() * (window[1] - window[0] + 1))

        if status == 0:  # active
            ends = ranges["active_end"]
            return between(ranges["active"]), (0 if rnd() < 0.5 else ends[int(rnd() * len(ends))])
        if status == 1:  # ended
            start = between(ranges["ended"])
            low, high = ranges["ended_end"]
            return start, between((max(start + 365, low), high))
        if status == 2:  # suspended
            return between(ranges["suspended"]), 0
        if status == 3:  # proposed
            start = between(ranges["proposed"])
            return start, (0 if rnd() < 0.6 else start + 3 * 365 - 1)
        return between(ranges["declined"]), 0  # declined

    def gen_partnerships(self) -> None:
        """Agreements, mostly with enterprises of the school's fields nearby, linked to the programs of the field."""
        rng = self.rng("partnerships")
        rnd = rng.random
        per_school = _apportion(self.scale.partnerships, [s.n_programs * s.intensity for s in self.schools], 1, 10**7)
        status_picker = _Picker(range(5), P_STATUS_WEIGHTS)
        self.p_school = array("l")
        self.p_enterprise = array("l")
        self.p_status = bytearray()
        self.p_start = array("l")
        self.p_end = array("l")
        self.p_kinds = array("l")
        self.ent_partner_schools: dict[int, list[int]] = defaultdict(list)
        self.prog_partnerships: dict[int, list[int]] = defaultdict(list)
        self.ent_partnership_count = array("l", [0]) * (self.scale.enterprises + 1)
        links = array("l")
        ranges = self._partnership_date_ranges()
        first_day, last_day = self.first[self.year], self.last[self.year]
        kind_weights = list(KIND_WEIGHTS.values())
        columns = ("id school_id enterprise_id title kinds status start_date end_date agreement description "
                   "proposed_by_id responded_at created_at updated_at")
        with self.stream("partnerships_partnership", columns) as add:
            for school, count in zip(self.schools, per_school):
                kind_picker = _Picker(range(len(KINDS)), [
                    w * (school.depth if (DEEP_MASK >> k) & 1 else 1.0) for k, w in enumerate(kind_weights)
                ])
                focus = school.focus
                for _ in range(count):
                    p = len(self.p_school)
                    if rnd() < 0.8 and focus:
                        family = focus[int(rnd() * len(focus))]
                    else:
                        family = int(rnd() * len(FAMILY_KEYS))
                    enterprise = self.enterprise_near(rnd, school.province, school.region, family)
                    family = self.ent_family[enterprise - 1]
                    status = status_picker.pick(rnd())
                    start, end = self._partnership_dates(rnd, status, ranges)
                    first_kind = kind_picker.pick(rnd())
                    kinds = 1 << first_kind
                    extra = rnd()
                    for _extra in range(0 if extra < 0.5 else (1 if extra < 0.85 else 2)):
                        kinds |= 1 << kind_picker.pick(rnd())
                    matching = school.by_family.get(family)
                    if matching and rnd() < 0.9:
                        programs = [matching[int(rnd() * len(matching))]]
                        if len(matching) > 1 and rnd() < 0.5:  # a second program of the field
                            second = matching[int(rnd() * len(matching))]
                            if second != programs[0]:
                                programs.append(second)
                    elif rnd() < 0.3:
                        programs = [school.first_program + int(rnd() * school.n_programs)]
                    else:
                        programs = []
                    kind_names = [KINDS[k] for k in range(len(KINDS)) if (kinds >> k) & 1]
                    primary = KINDS[first_kind]
                    if len(programs) == 1:
                        topic = f"{self.prog_name[programs[0] - 1]}专业"
                    elif programs:
                        topic = FAMILIES[FAMILY_KEYS[family]].label
                    else:
                        topic = ""
                    short = self.ent_short[enterprise - 1]
                    title = f"{topic}{KIND_TITLES[primary]}（{short}）"
                    words = "、".join(KIND_WORDS[k] for k in kind_names)
                    description = f"{school.name}与{self.ent_name[enterprise - 1]}开展{words}等合作。"
                    responded = NULL if status == 3 else f"{self.day(start - 3 - int(rnd() * 38))} 10:00:00+08"
                    add(f"{p + 1}\t{school.id}\t{enterprise}\t{title}\t,{','.join(sorted(kind_names))},\t"
                        f"{P_STATUSES[status]}\t{self.day(start)}\t{self.day_or_null(end)}\t\t{description}\t"
                        f"{NULL}\t{responded}\t{self.stamps}\n")
                    self.p_school.append(school.index)
                    self.p_enterprise.append(enterprise)
                    self.p_status.append(status)
                    self.p_start.append(start)
                    self.p_end.append(end)
                    self.p_kinds.append(kinds)
                    self.ent_partnership_count[enterprise] += 1
                    if status < 3:
                        school.partners.append(enterprise)
                        self.ent_partner_schools[enterprise].append(school.index)
                        if (start <= last_day and (end == 0 or end >= first_day)):
                            school.active_partners.append(enterprise)
                    for program in programs:
                        links.append(p + 1)
                        links.append(program)
                        self.prog_partnerships[program].append(p)
        with self.stream("partnerships_partnership_programs", "id partnership_id program_id") as add:
            for i in range(0, len(links), 2):
                add(f"{i // 2 + 1}\t{links[i]}\t{links[i + 1]}\n")
        best = max(range(1, self.scale.enterprises + 1), key=lambda e: (self.ent_partnership_count[e], -e))
        self.liaison_enterprise = best

    def program_partners(self, pid: int) -> list[int]:
        """Enterprises of agreed partnerships linked to the program."""
        return [self.p_enterprise[p] for p in self.prog_partnerships.get(pid, ()) if self.p_status[p] < 3]

    def kinds_active(self, pid: int, year: int) -> int:
        kinds = 0
        for p in self.prog_partnerships.get(pid, ()):
            if self.active_in(p, year):
                kinds |= self.p_kinds[p]
        return kinds

    # consortia -------------------------------------------------------------------------------------

    def gen_consortia(self) -> None:
        """Consortia around a school's city or province, with member schools, their partners and other bodies."""
        rng = self.rng("consortia")
        rnd = rng.random
        y = self.year
        kind_picker = _Picker(range(3), (30, 25, 45))
        family_picker = _Picker(range(len(FAMILY_KEYS)), self.family_weights)
        school_weights = {s.index: (s.n_teachers + 20) * (3 if s.level != SV else 1) for s in self.schools}
        members: list[str] = []
        self.consortium_count = max(1, self.scale.consortia)
        names: dict[str, int] = defaultdict(int)
        with self.stream("partnerships_consortium", "id name kind region_id sector_id established_on description "
                                                    "created_at updated_at") as add:
            for index in range(self.consortium_count):
                cid = index + 1
                kind = CONSORTIUM_KINDS[index] if index < 3 else CONSORTIUM_KINDS[kind_picker.pick(rnd())]
                anchor = self.schools[int(rnd() * len(self.schools))]  # a consortium forms where schools are
                if kind == "city_consortium" or rnd() < 0.3:
                    region, pool = anchor.region, self.school_by_region[anchor.region]
                else:
                    region, pool = anchor.province, self.school_by_province[anchor.province]
                family = anchor.focus[int(rnd() * len(anchor.focus))] if anchor.focus and rnd() < 0.8 else (
                    family_picker.pick(rnd()))
                info = FAMILIES[FAMILY_KEYS[family]]
                place = self.region_place[region]
                name = {
                    "city_consortium": f"{place}{info.label}产教联合体",
                    "industry_community": f"{place}{info.label}行业产教融合共同体",
                    "vocational_group": f"{place}{info.label}职业教育集团",
                }[kind]
                names[name] += 1
                if names[name] > 1:
                    name = f"{name}（{_cn(names[name])}）"
                if kind == "vocational_group":
                    established = self.ordinal(y - 15 + int(rnd() * 14), 1 + int(rnd() * 12), 1 + int(rnd() * 28))
                else:
                    established = self.ordinal(y - 2 + int(rnd() * 3), 1 + int(rnd() * 8), 1 + int(rnd() * 28))
                description = (f"{place}{info.label}领域的院校、企业、行业组织与政府部门共同组建，"
                               "统筹实训资源、共育技术技能人才。")
                add(f"{cid}\t{name}\t{kind}\t{region}\t{self.family_sector[family]}\t{self.day(established)}\t"
                    f"{description}\t{self.stamps}\n")
                self._consortium_members(rng, cid, anchor, pool, family, region, established, school_weights,
                                         members)
        with self.stream("partnerships_consortiummember", "id consortium_id school_id enterprise_id other_name "
                                                          "other_kind role joined_on") as add:
            for i, line in enumerate(members, start=1):
                add(f"{i}\t{line}")

    def _consortium_members(self, rng, cid: int, anchor: _School, pool: list[_School], family: int, region: int,
                            established: int, school_weights: dict[int, float], members: list[str]) -> None:
        rnd = rng.random
        y = self.year

        def joined() -> str:
            return self.day(min(established + int(rnd() * 420), self.last[y]))

        fit = [s for s in pool if family in s.by_family and s is not anchor]
        rest = [s for s in pool if family not in s.by_family and s is not anchor]
        wanted = max(1, min(len(pool) - 1, round(rng.lognormvariate(1.8, 0.6))))
        chosen = [anchor]
        for group in (fit, rest):
            if len(chosen) > wanted:
                break
            weights = [school_weights[s.index] for s in group]
            picker = _Picker(group, weights) if group else None
            taken = {s.index for s in chosen}
            for _ in range(min(len(group), wanted + 1 - len(chosen)) * 2):
                if len(chosen) > wanted:
                    break
                school = picker.pick(rnd())
                if school.index not in taken:
                    taken.add(school.index)
                    chosen.append(school)
        leads = 2 if len(chosen) > 3 and rnd() < 0.2 else 1
        for position, school in enumerate(chosen):
            role, since = ("lead", self.day(established)) if position < leads else ("member", joined())
            members.append(f"{cid}\t{school.id}\t{NULL}\t\t\t{role}\t{since}\n")
        # Enterprises: the member schools' partners first (one active in Y at least), then others of the field.
        partners = [e for school in chosen for e in school.partners]
        active_now = sorted({e for school in chosen for e in school.active_partners})
        wanted_e = max(2, round(rng.lognormvariate(2.5, 0.7)))
        taken_e: list[int] = []
        seen: set[int] = set()
        if active_now:
            first = active_now[int(rnd() * len(active_now))]
            taken_e.append(first)
            seen.add(first)
        same_field = [e for e in partners if self.ent_family[e - 1] == family]
        for pool_e in (same_field, partners):
            for _ in range(len(pool_e)):
                if len(taken_e) >= wanted_e * 0.7 or not pool_e:
                    break
                e = pool_e[int(rnd() * len(pool_e))]
                if e not in seen:
                    seen.add(e)
                    taken_e.append(e)
        province = self.region_province[region]
        for _ in range(wanted_e * 2):
            if len(taken_e) >= wanted_e:
                break
            e = self.enterprise_near(rnd, province, region, family)
            if e not in seen:
                seen.add(e)
                taken_e.append(e)
        for position, e in enumerate(taken_e):
            role, since = ("lead", self.day(established)) if position == 0 else ("member", joined())
            members.append(f"{cid}\t{NULL}\t{e}\t\t\t{role}\t{since}\n")
        label = FAMILIES[FAMILY_KEYS[family]].label
        place = self.region_place[region]
        for template, kind in rng.sample(OTHER_BODIES, 1 + int(rnd() * 3)):
            members.append(f"{cid}\t{NULL}\t{NULL}\t{template.format(place=place, label=label)}\t{kind}\tmember\t"
                           f"{joined()}\n")

    # courses ---------------------------------------------------------------------------------------

    def gen_courses(self) -> None:
        """General courses first, then professional ones whose practice hours bring the program near its target
        practical share; some co-developed with the program's partners."""
        rng = self.rng("courses")
        rnd = rng.random
        mean = self.scale.courses_per_program
        self.course_first = array("l")
        self.course_general = bytearray()
        self.course_total = bytearray()
        variants = {
            family: [name for course in FAMILIES[key].courses
                     for name in (course, f"{course}实训", f"{course}课程设计", f"{course}（二）")]
            for family, key in enumerate(FAMILY_KEYS)
        }
        cid = 0
        with self.stream("programs_course", "id program_id code name theory_hours practice_hours professional "
                                            "co_developed_with_id created_at updated_at") as add:
            for pid in range(1, len(self.prog_school) + 1):
                school = self.schools[self.prog_school[pid - 1]]
                family = self.prog_family[pid - 1]
                n = max(4, min(60, round(mean * rng.lognormvariate(0, 0.25))))
                general_names = GENERAL_COURSES[school.level]
                n_general = max(1, min(len(general_names), round(n * (0.15 + rnd() * 0.15))))
                professional_names = variants[family]
                code = self.prog_code[pid - 1]
                # hours first, then practice so the program's practical share lands near its target
                general = []
                general_practice = 0
                for i in range(n_general):
                    name = general_names[i]
                    total = (32, 48, 64)[int(rnd() * 3)]
                    if name.startswith("体育") or name == "劳动教育":
                        fraction = 0.7 + rnd() * 0.2
                    elif name == "信息技术":
                        fraction = 0.4 + rnd() * 0.2
                    else:
                        fraction = (0.0, 0.0, 0.125, 0.25)[int(rnd() * 4)]
                    practice = round(total * fraction)
                    general_practice += practice
                    general.append((name, total, practice))
                professional_totals = [(48, 64, 72, 96)[int(rnd() * 4)] for _ in range(n - n_general)]
                all_hours = sum(t for _n, t, _p in general) + sum(professional_totals)
                target = 0.3 + rnd() * 0.16 if rnd() < 0.08 else min(0.75, max(0.47, rng.gauss(0.6, 0.05)))
                needed = (target * all_hours - general_practice) / max(1, sum(professional_totals))
                partners = self.program_partners(pid) or school.partners
                codev = school.codev * (1.6 if self.prog_partnerships.get(pid) else 0.4)
                self.course_first.append(cid + 1)
                self.course_general.append(n_general)
                self.course_total.append(n)
                for number, (name, total, practice) in enumerate(general, start=1):
                    cid += 1
                    add(f"{cid}\t{pid}\t{code}{number:02d}\t{name}\t{total - practice}\t{practice}\tf\t{NULL}\t"
                        f"{self.stamps}\n")
                offset = int(rnd() * len(professional_names))
                for number, total in enumerate(professional_totals, start=n_general + 1):
                    cid += 1
                    name = professional_names[(offset + number) % len(professional_names)]
                    fraction = min(0.95, max(0.05, needed + (rnd() - 0.5) * 0.2))
                    practice = round(total * fraction)
                    partner = partners[int(rnd() * len(partners))] if partners and rnd() < codev else NULL
                    add(f"{cid}\t{pid}\t{code}{number:02d}\t{name}\t{total - practice}\t{practice}\tt\t{partner}\t"
                        f"{self.stamps}\n")

    # program years ---------------------------------------------------------------------------------

    def gen_program_years(self) -> None:
        """Intakes flowing through the study years into graduates and employment, for Y−2 … Y."""
        rng = self.rng("program_years")
        rnd = rng.random
        gauss = rng.gauss
        y = self.year
        self.graduates: dict[int, array] = {year: array("l", [0]) * (len(self.prog_school) + 1) for year in self.years}
        self.supply: dict[tuple[int, int, int], int] = defaultdict(int)  # (region, family, year) → graduates
        columns = ("id program_id year enrolled students graduates employed employed_in_field employed_by_partners "
                   "order_class_students apprentices created_at updated_at")
        row = 0
        with self.stream("programs_programyear", columns) as add:
            for pid in range(1, len(self.prog_school) + 1):
                school = self.schools[self.prog_school[pid - 1]]
                length = STUDY_YEARS[school.level]
                established = self.prog_established[pid - 1]
                trend = self.prog_trend[pid - 1]
                low, high = INTAKE[school.level]
                size = low + int(rnd() * (high - low + 1))
                intake: dict[int, int] = {}
                for year in range(y - 2 - length - 1, y + 1):
                    if year < established:
                        intake[year] = 0
                        continue
                    if intake.get(year - 1):
                        size = max(15, round(size * (1 + gauss(0.03, 0.07))))
                    intake[year] = size
                if trend == 1:
                    if rnd() < 0.4:
                        intake[y - 1] = round(intake[y - 1] * (0.75 + rnd() * 0.15))
                    intake[y] = round(intake[y - 1] * (0.42 + rnd() * 0.24))
                elif trend == 2:
                    intake[y] = 0
                employment = min(0.98, max(0.78, gauss(0.91, 0.03)))
                if rnd() < 0.05 or (trend and rnd() < 0.5):
                    employment = 0.64 + rnd() * 0.18
                in_field = min(0.93, max(0.4, gauss(0.7, 0.09)))
                region = school.region
                family = self.prog_family[pid - 1]
                for year in self.years:
                    if year < established:
                        continue
                    students = round(sum(intake.get(year - k, 0) * 0.97**k for k in range(length)))
                    graduates = min(students, round(intake.get(year - length + 1, 0) * (0.9 + rnd() * 0.07)))
                    employed = min(graduates, round(graduates * min(0.99, max(0.5, employment + gauss(0, 0.025)))))
                    employed_in_field = min(employed, round(employed * min(0.97, max(0.3, in_field + gauss(0, 0.03)))))
                    kinds = self.kinds_active(pid, year)
                    partner_share = 0.08 + rnd() * 0.27 if kinds else rnd() * 0.03
                    if kinds & (EMPLOYMENT_BIT | ORDER_CLASS_BIT):
                        partner_share += 0.1
                    order_share = 0.15 + rnd() * 0.25 if kinds & ORDER_CLASS_BIT else rnd() * 0.08
                    apprentice_share = 0.08 + rnd() * 0.17 if kinds & APPRENTICESHIP_BIT else rnd() * 0.04
                    order_class = round(students * order_share)
                    apprentices = min(students - order_class, round(students * apprentice_share))
                    by_partners = min(employed, round(employed * partner_share))
                    row += 1
                    add(f"{row}\t{pid}\t{year}\t{intake[year]}\t{students}\t{graduates}\t{employed}\t"
                        f"{employed_in_field}\t{by_partners}\t{order_class}\t{apprentices}\t{self.stamps}\n")
                    self.graduates[year][pid] = graduates
                    self.supply[(region, family, year)] += graduates

    # teachers and placements -----------------------------------------------------------------------

    def gen_teachers(self) -> None:
        """Full-time (professional or general) and part-time industry teachers of each school."""
        rng = self.rng("teachers")
        rnd = rng.random
        y = self.year
        self.teacher_flag = bytearray()  # 1: active full-time professional, 2: left but practised before
        levels = ("junior", "intermediate", "senior")
        earliest_since = self.ordinal(2008, 1, 1)
        latest_since = self.ordinal(y, 6, 30)
        new_year = {year: self.ordinal(year, 1, 1) for year in range(1990, y + 1)}
        tid = 0
        columns = ("id school_id name staff_no active employment professional dual_qualified dual_qualified_level "
                   "dual_qualified_since employer_id annual_teaching_hours created_at updated_at")
        with self.stream("programs_teacher", columns) as add:
            for school in self.schools:
                school.first_teacher = tid + 1
                full_time = max(1, round(school.n_teachers / (1 + school.part_time)))
                professional_count = round(full_time * (0.62 + rnd() * 0.18))
                employers = school.partners
                for number in range(1, school.n_teachers + 1):
                    tid += 1
                    is_full_time = number <= full_time
                    professional = not is_full_time or number <= professional_count
                    hired = 1990 + int(rnd() * (y - 1990))
                    chance = school.dual if (is_full_time and professional) else (0.05 if is_full_time else 0.2)
                    active = rnd() > 0.05
                    if rnd() < chance:
                        r = rnd()
                        level = levels[0 if r < 0.35 else (1 if r < 0.8 else 2)]
                        first = max(earliest_since, new_year[hired])
                        since = self.day(first + int(rnd() * (latest_since - first + 1)))
                        dual = f"t\t{level}\t{since}"
                    else:
                        dual = f"f\t\t{NULL}"
                    if is_full_time:
                        staff_no, employment, employer = f"{hired}{number:05d}", "full_time", NULL
                        hours = 240 + int(rnd() * 281)
                        flag = (1 if active else (2 if rnd() < 0.3 else 0)) if professional else 0
                    else:
                        staff_no, employment = f"JZ{number - full_time:05d}", "part_time_industry"
                        if employers and rnd() < 0.8:
                            employer = employers[int(rnd() * len(employers))]
                        else:
                            family = school.focus[int(rnd() * len(school.focus))]
                            employer = self.enterprise_near(rnd, school.province, school.region, family)
                        hours = 32 + int(rnd() * 129)
                        flag = 0
                    self.teacher_flag.append(flag)
                    add(f"{tid}\t{school.id}\t{self.person(rnd)}\t{staff_no}\t{'t' if active else 'f'}\t{employment}\t"
                        f"{'t' if professional else 'f'}\t{dual}\t{employer}\t{hours}\t{self.stamps}\n")

    def _span_marks(self, year: int) -> tuple[int, int, int, int, int]:
        """Days of academic year `year` placements are planned around: its first day, 30 June, the
        summer and winter breaks, and early August."""
        o = self.ordinal
        return self.first[year], o(year + 1, 6, 30), o(year + 1, 7, 1), o(year + 1, 1, 8), o(year + 1, 8, 5)

    @staticmethod
    def _spans(rnd, marks: tuple[int, int, int, int, int]) -> list[tuple[int, int, str]]:
        """(start, days, activity) of one teacher's practice in one academic year: one to three placements."""
        first_day, june, summer, winter, august = marks
        r = rnd()
        if r < 0.5:  # one long stay (≥ 30 days)
            if rnd() < 0.7:
                spans = [(summer + int(rnd() * 21), 30 + int(rnd() * 16), "post_practice")]
            else:
                spans = [(winter + int(rnd() * 8), 30 + int(rnd() * 7), "rnd" if rnd() < 0.5 else "post_practice")]
        elif r < 0.7:  # a short visit
            start = first_day + 30 + int(rnd() * (june - first_day - 30))
            spans = [(start, 3 + int(rnd() * 18), "observation" if rnd() < 0.5 else "training")]
        elif r < 0.82:  # two overlapping stays: the union counts once
            start = summer + int(rnd() * 11)
            spans = [(start, 15 + int(rnd() * 8), "training"),
                     (start + 5 + int(rnd() * 10), 15 + int(rnd() * 8), "post_practice")]
        elif r < 0.95:  # winter and summer
            spans = [(winter + int(rnd() * 6), 12 + int(rnd() * 7), "training"),
                     (summer + int(rnd() * 16), 12 + int(rnd() * 9), "post_practice")]
        else:  # straddles two academic years
            spans = [(august + int(rnd() * 16), 25 + int(rnd() * 16), "post_practice")]
        if len(spans) < 3 and rnd() < 0.15:  # and an observation visit
            spans.append((first_day + 20 + int(rnd() * 200), 1 + int(rnd() * 5), "observation"))
        return spans

    def gen_placements(self) -> None:
        """Enterprise practice of full-time professional teachers: none, or one to three stays a year."""
        rng = self.rng("placements")
        rnd = rng.random
        verify = {self.year - 2: 0.92, self.year - 1: 0.85, self.year: 0.75}
        marks = {year: self._span_marks(year) for year in self.years}
        today = dt.date.today().toordinal()  # placements still under way wait for the enterprise
        liaison_enterprise, liaison_user = self.liaison_enterprise, self.user_ids["liaison"]
        projects = [FAMILIES[key].projects for key in FAMILY_KEYS]
        row = 0
        columns = ("id teacher_id enterprise_id start_date end_date activity description verified verified_at "
                   "verified_by_id created_at updated_at")
        with self.stream("programs_teacherplacement", columns) as add:
            for school in self.schools:
                partners = school.partners
                focus = school.focus
                for tid in range(school.first_teacher, school.first_teacher + school.n_teachers):
                    flag = self.teacher_flag[tid - 1]
                    if not flag or (flag == 2 and rnd() < 0.5):
                        continue
                    family = focus[tid % len(focus)]
                    for year in self.years:
                        if rnd() > school.diligence:
                            continue  # no practice this year
                        for start, days, activity in self._spans(rnd, marks[year]):
                            if partners and rnd() < 0.7:
                                host = partners[int(rnd() * len(partners))]
                            else:
                                host = self.enterprise_near(rnd, school.province, school.region, family)
                            end = start + days - 1
                            row += 1
                            host_projects = projects[self.ent_family[host - 1]]
                            description = f"{ACTIVITY_TEXT[activity]}：{host_projects[int(rnd() * len(host_projects))]}"
                            delay = 2 + int(rnd() * 19)  # drawn always: today's date must not shift the stream
                            if rnd() < verify[year] and end < today:
                                verified = f"t\t{self.day(min(end + delay, today))} 10:00:00+08\t" + (
                                    str(liaison_user) if host == liaison_enterprise else NULL)
                            else:
                                verified = f"f\t{NULL}\t{NULL}"
                            add(f"{row}\t{tid}\t{host}\t{self.day(start)}\t{self.day(end)}\t{activity}\t{description}\t"
                                f"{verified}\t{self.stamps}\n")

    # contributions, projects, demands ----------------------------------------------------------------

    def gen_contributions(self) -> None:
        """The benefit-sharing ledger of agreed partnerships in the years they were active."""
        rng = self.rng("contributions")
        rnd = rng.random
        parties = list(PARTY_KINDS)
        kind_pickers = {party: _Picker(kinds, weights) for party, (kinds, weights) in PARTY_KINDS.items()}
        deep_party, shallow_party = _Picker(parties, (50, 35, 10, 5)), _Picker(parties, (28, 35, 10, 5))
        row = 0
        with self.stream("partnerships_contribution", "id partnership_id party kind value date note created_at "
                                                      "updated_at") as add:
            for p in range(len(self.p_school)):
                if self.p_status[p] >= 3:
                    continue
                party_picker = deep_party if self.p_kinds[p] & DEEP_MASK else shallow_party
                for year in self.years:
                    if not self.active_in(p, year) or rnd() > 0.55:
                        continue
                    start = max(self.p_start[p], self.first[year])
                    end = min(self.p_end[p] or self.last[year], self.last[year])
                    for _ in range(1 + int(rnd() * 3)):
                        party = party_picker.pick(rnd())
                        kind = kind_pickers[party].pick(rnd())
                        low, high = VALUE_RANGES[kind]
                        value = round(low + rnd() * (high - low), -2)
                        row += 1
                        note = NOTES[party].get(kind, "")
                        add(f"{row}\t{p + 1}\t{party}\t{kind}\t{int(value)}.00\t"
                            f"{self.day(start + int(rnd() * (end - start + 1)))}\t{note}\t{self.stamps}\n")

    def _project_dates(self, rnd, status: str) -> tuple[int, int]:
        y, o = self.year, self.ordinal

        def between(a: int, b: int) -> int:
            return a + int(rnd() * (b - a + 1))

        if status == "draft":
            return 0, 0
        if status == "open":
            start = between(o(y, 10, 8), o(y + 1, 3, 2))
        elif status == "in_progress":
            start = between(o(y, 3, 1), o(y, 11, 30))
        elif status == "completed":
            start = between(o(y - 2, 9, 11), o(y, 3, 31))
        else:
            return between(o(y - 1, 3, 1), o(y, 10, 31)), 0
        return start, start + 60 + int(rnd() * 121)

    def gen_projects(self) -> None:
        """Enterprise projects of every status; those under way or done are adopted by professional courses."""
        rng = self.rng("projects")
        rnd = rng.random
        status_picker = _Picker(*PROJECT_STATUSES)
        capacities = (10, 15, 20, 30, 40, 60)
        # current programs by (province, family), for enterprises whose partners run none of the field
        by_province_family: dict[tuple[int, int], list[int]] = defaultdict(list)
        for pid in range(1, len(self.prog_school) + 1):
            if self.prog_status[pid - 1] != CLOSED:
                school = self.schools[self.prog_school[pid - 1]]
                by_province_family[(school.province, self.prog_family[pid - 1])].append(pid)
        adoptions: list[str] = []
        columns = ("id enterprise_id title summary skills sector_id capacity status start_date end_date created_at "
                   "updated_at")
        with self.stream("partnerships_enterpriseproject", columns) as add:
            for index in range(self.scale.projects):
                project = index + 1
                enterprise = self.ent_all.pick(rnd())
                family = self.ent_family[enterprise - 1]
                info = FAMILIES[FAMILY_KEYS[family]]
                topic = info.projects[int(rnd() * len(info.projects))]
                status = status_picker.pick(rnd())
                start, end = self._project_dates(rnd, status)
                capacity = capacities[int(rnd() * len(capacities))]
                short = self.ent_short[enterprise - 1]
                summary = (f"{self.ent_name[enterprise - 1]}提供真实生产任务：{topic}。"
                           "学生在企业导师指导下分组完成，成果由企业评审。")
                add(f"{project}\t{enterprise}\t{short}{topic}项目\t{summary}\t{info.skills}\t"
                    f"{self.family_sector[family]}\t{capacity}\t{status}\t{self.day_or_null(start)}\t"
                    f"{self.day_or_null(end)}\t{self.stamps}\n")
                if status not in ("in_progress", "completed", "open") or (status == "open" and rnd() < 0.5):
                    continue
                partner_schools = self.ent_partner_schools.get(enterprise, ())
                nearby = by_province_family.get((self.ent_province[enterprise - 1], family), ())
                first_year = self.academic_year(start)
                taken: set[tuple[int, int]] = set()
                for _ in range(1 + int(rnd() * 8)):  # several classes take the same project
                    pid = 0
                    if partner_schools and rnd() < 0.8:  # mostly at the enterprise's partner schools
                        programs = self.schools[partner_schools[int(rnd() * len(partner_schools))]].by_family.get(
                            family, ())
                        if programs:
                            pid = programs[int(rnd() * len(programs))]
                    if (not pid or self.prog_status[pid - 1] == CLOSED) and nearby:
                        pid = nearby[int(rnd() * len(nearby))]
                    if not pid or self.prog_status[pid - 1] == CLOSED:
                        continue
                    n_general, n_total = self.course_general[pid - 1], self.course_total[pid - 1]
                    course = self.course_first[pid - 1] + n_general + int(rnd() * (n_total - n_general))
                    years = [first_year]
                    if status == "completed" and first_year < self.year and rnd() < 0.3:
                        years.append(first_year + 1)
                    for year in years:
                        if (course, year) in taken:
                            continue
                        taken.add((course, year))
                        outcome = (f"完成{topic}方案并通过企业验收。" if status == "completed"
                                   else "项目进行中，已完成需求分析与方案设计。")
                        students = min(capacity, 10 + int(rnd() * (capacity - 9)))
                        adoptions.append(f"{project}\t{course}\t{year}\t{students}\t{outcome}\t{self.stamps}\n")
        with self.stream("partnerships_projectadoption", "id project_id course_id year students outcome created_at "
                                                         "updated_at") as add:
            for i, line in enumerate(adoptions, start=1):
                add(f"{i}\t{line}")

    def gen_talent_demands(self) -> None:
        """Demand per city, field and year sized against the graduates there (supply ÷ demand mostly in
        the 0.8–1.5 band, some far outside), split into rows of the scale's count."""
        rng = self.rng("talent_demands")
        rnd = rng.random
        row = 0
        columns = "id enterprise_id position sector_id region_id headcount skills year created_at updated_at"
        with self.stream("partnerships_talentdemand", columns) as add:
            for year in self.years:
                cells = sorted((key, supply) for key, supply in self.supply.items() if key[2] == year and supply)
                total_supply = sum(supply for _key, supply in cells) or 1
                rows_wanted = self.scale.talent_demands
                for (region, family, _year), supply in cells:
                    if supply < 100 and rnd() < 0.1:
                        continue  # nobody posted demand here: no ratio
                    r = rnd()
                    ratio = 0.85 + rnd() * 0.6 if r < 0.7 else (0.45 + rnd() * 0.33 if r < 0.85 else 1.6 + rnd())
                    headcount = max(1, round(supply / ratio))
                    parts = max(1, min(headcount, round(rows_wanted * supply / total_supply)))
                    province = self.region_province[region]
                    info = FAMILIES[FAMILY_KEYS[family]]
                    for part in range(parts):
                        share = headcount // parts + (1 if part < headcount % parts else 0)
                        enterprise = self.enterprise_near(rnd, province, region, family)
                        row += 1
                        add(f"{row}\t{enterprise}\t{info.positions[int(rnd() * len(info.positions))]}\t"
                            f"{self.family_sector[family]}\t{region}\t{share}\t{info.skills}\t{year}\t{self.stamps}\n")
                # fields no school here trains for: demand without supply
                for family in (FAMILY_INDEX["techservice"], FAMILY_INDEX["pharma"]):
                    info = FAMILIES[FAMILY_KEYS[family]]
                    for _ in range(max(1, rows_wanted // 100)):
                        enterprise = self.ent_pickers.get(("family", family), self.ent_all).pick(rnd())
                        row += 1
                        add(f"{row}\t{enterprise}\t{info.positions[int(rnd() * len(info.positions))]}\t"
                            f"{self.family_sector[family]}\t{self.ent_region[enterprise - 1]}\t{5 + int(rnd() * 36)}\t"
                            f"{info.skills}\t{year}\t{self.stamps}\n")

    # resources -------------------------------------------------------------------------------------

    def gen_training_bases(self) -> None:
        """Bases of schools, enterprises and consortia, with a usage row per year (zero rows for idle ones)."""
        rng = self.rng("training_bases")
        rnd = rng.random
        total = self.scale.training_bases
        n_consortium = min(self.consortium_count, max(1, round(total * 0.05)))
        n_enterprise = max(1, round(total * 0.25))
        per_school = _apportion(max(len(self.schools), total - n_consortium - n_enterprise),
                                [s.n_programs + 2 for s in self.schools], 1, 10**6)
        bases: list[tuple[int, int, bool]] = []  # (id, capacity, open to the public)
        columns = ("id name school_id enterprise_id consortium_id co_built on_campus open_to_public equipment_value "
                   "enterprise_equipment_value capacity_hours created_at updated_at")

        def money(low: float, high: float) -> int:
            return int(round(low + rnd() * (high - low), -3))

        with self.stream("partnerships_trainingbase", columns) as add:
            def base(name: str, owner: str, co_built: bool, on_campus: bool, open_to_public: bool, value: int,
                     share: float, capacity: int) -> None:
                bid = len(bases) + 1
                add(f"{bid}\t{name}\t{owner}\t{'t' if co_built else 'f'}\t{'t' if on_campus else 'f'}\t"
                    f"{'t' if open_to_public else 'f'}\t{value}.00\t{int(value * share)}.00\t{capacity}\t"
                    f"{self.stamps}\n")
                bases.append((bid, capacity, open_to_public))

            for school, count in zip(self.schools, per_school):
                for k in range(count):
                    family = school.focus[k % len(school.focus)]
                    names = FAMILIES[FAMILY_KEYS[family]].bases
                    name = f"{school.name}{names[(k // len(school.focus)) % len(names)]}"
                    if k >= len(school.focus) * len(names):
                        name += f"（{_cn(k // (len(school.focus) * len(names)) + 1)}期）"
                    co_built = rnd() < 0.4
                    base(name, f"{school.id}\t{NULL}\t{NULL}", co_built, rnd() < 0.9, rnd() < 0.35,
                         money(800_000, 25_000_000), 0.15 + rnd() * 0.45 if co_built else 0.0,
                         3000 + 100 * int(rnd() * 211))
            for _ in range(n_enterprise):
                enterprise = self.ent_all.pick(rnd())
                base(f"{self.ent_short[enterprise - 1]}产教融合实训基地", f"{NULL}\t{enterprise}\t{NULL}", rnd() < 0.6,
                     False, rnd() < 0.5, money(500_000, 12_000_000), 0.7 + rnd() * 0.3, 2000 + 100 * int(rnd() * 101))
            for consortium in range(1, n_consortium + 1):
                base(f"产教融合共享实训基地（{consortium}号）", f"{NULL}\t{NULL}\t{consortium}", True, False, True,
                     money(15_000_000, 40_000_000), 0.3 + rnd() * 0.2, 20_000 + 500 * int(rnd() * 41))
        row = 0
        with self.stream("partnerships_trainingbaseusage", "id base_id year internal_hours external_hours created_at "
                                                           "updated_at") as add:
            for bid, capacity, open_to_public in bases:
                level = 0.25 + rnd() * 0.8
                new = rnd() < 0.1
                idle = bid % 29 == 7
                for year in self.years:
                    if year == self.years[0] and new:
                        continue
                    if idle or rnd() < 0.06:
                        internal = external = 0
                    else:
                        used = round(capacity * min(1.2, max(0.05, level + rng.gauss(0, 0.08))))
                        external = round(used * (0.05 + rnd() * 0.35 if open_to_public else rnd() * 0.08))
                        internal = used - external
                    row += 1
                    add(f"{row}\t{bid}\t{year}\t{internal}\t{external}\t{self.stamps}\n")

    def gen_technical_services(self) -> None:
        """Paid services per year, most of them at undergraduate and higher vocational colleges."""
        rng = self.rng("technical_services")
        rnd = rng.random
        weights = [LEVEL_SERVICES[s.level] * s.n_teachers for s in self.schools]
        row = 0
        with self.stream("partnerships_technicalservice", "id school_id enterprise_id title year amount created_at "
                                                          "updated_at") as add:
            for year in self.years:
                counts = _apportion(self.scale.technical_services, weights, 0, 10**6)
                for school, count in zip(self.schools, counts):
                    top = 2_200_000 if school.level == VU else 1_200_000
                    for _ in range(count):
                        if school.partners and rnd() < 0.85:
                            client = school.partners[int(rnd() * len(school.partners))]
                        else:
                            family = school.focus[int(rnd() * len(school.focus))]
                            client = self.enterprise_near(rnd, school.province, school.region, family)
                        services = FAMILIES[FAMILY_KEYS[self.ent_family[client - 1]]].services
                        title = f"{self.ent_short[client - 1]}{services[int(rnd() * len(services))]}"
                        amount = int(round(30_000 + (top - 30_000) * rnd() ** 2, -2))
                        row += 1
                        add(f"{row}\t{school.id}\t{client if rnd() < 0.95 else NULL}\t{title}\t{year}\t{amount}.00\t"
                            f"{self.stamps}\n")

    def gen_patents(self) -> None:
        """Patents granted to schools in the last years, a quarter of them transferred or licensed."""
        rng = self.rng("patents")
        rnd = rng.random
        counts = _apportion(self.scale.patents, [LEVEL_PATENTS[s.level] * s.n_teachers for s in self.schools], 0,
                            10**6)
        used: set[str] = set()
        row = 0
        first_grant, last_grant = self.ordinal(self.year - 6, 1, 1), self.ordinal(self.year, 12, 31)
        latest_transfer = self.ordinal(self.year + 1, 6, 30)
        with self.stream("partnerships_patent", "id school_id number title granted_on transferred_on licensee_id "
                                                "created_at updated_at") as add:
            for school, count in zip(self.schools, counts):
                for _ in range(count):
                    family = school.focus[int(rnd() * len(school.focus))]
                    info = FAMILIES[FAMILY_KEYS[family]]
                    kind = 2 if rnd() < 0.72 else 1
                    granted = first_grant + int(rnd() * (last_grant - first_grant + 1))
                    examination = 700 + int(rnd() * 401) if kind == 1 else 180 + int(rnd() * 241)
                    filed = dt.date.fromordinal(granted - examination).year
                    number = patent_number(filed, kind, int(rnd() * 10_000_000))
                    while number in used:
                        number = patent_number(filed, kind, int(rnd() * 10_000_000))
                    used.add(number)
                    transferred = licensee = NULL
                    if rnd() < 0.25:
                        transferred = self.day(min(granted + 30 + int(rnd() * 671), latest_transfer))
                        if school.partners:
                            licensee = school.partners[int(rnd() * len(school.partners))]
                        else:
                            licensee = self.enterprise_near(rnd, school.province, school.region, family)
                    row += 1
                    add(f"{row}\t{school.id}\t{number}\t{info.patents[int(rnd() * len(info.patents))]}\t"
                        f"{self.day(granted)}\t{transferred}\t{licensee}\t{self.stamps}\n")

    def gen_feedback(self) -> None:
        """Scores on partnerships and on programs' graduates (every school hears about Y's graduates at least
        once), then four scored dimensions each."""
        rng = self.rng("feedback")
        rnd = rng.random
        gauss = rng.gauss
        liaison_enterprise, liaison_user = self.liaison_enterprise, self.user_ids["liaison"]
        means = array("f")
        about_graduates = bytearray()
        columns = "id enterprise_id evaluator partnership_id program_id year comment given_by_id created_at updated_at"

        def comment(texts, mean: float) -> str:
            return next(text for floor, text in texts if mean >= floor)

        with self.stream("evaluation_feedback", columns) as add:
            for p in range(len(self.p_school)):
                if self.p_status[p] >= 3:
                    continue
                school = self.schools[self.p_school[p]]
                for year in self.years:
                    if self.active_in(p, year) and rnd() < 0.25:
                        mean = school.quality + gauss(0, 0.35) + (0.3 if self.p_kinds[p] & DEEP_MASK else 0)
                        enterprise = self.p_enterprise[p]
                        given_by = liaison_user if enterprise == liaison_enterprise else NULL
                        means.append(mean)
                        about_graduates.append(0)
                        add(f"{len(means)}\t{enterprise}\t\t{p + 1}\t{NULL}\t{year}\t"
                            f"{comment(PARTNERSHIP_COMMENTS, mean)}\t{given_by}\t{self.stamps}\n")
            for school in self.schools:
                guaranteed = True  # every school hears from at least one employer about Y's graduates
                for pid in range(school.first_program, school.first_program + school.n_programs):
                    partners = self.program_partners(pid)
                    for year in self.years:
                        if not self.graduates[year][pid]:
                            continue
                        sure = guaranteed and year == self.year and self.prog_status[pid - 1] != CLOSED
                        if not sure and rnd() >= 0.3:
                            continue
                        guaranteed = guaranteed and not sure
                        if partners and rnd() < 0.8:
                            enterprise = partners[int(rnd() * len(partners))]
                        else:
                            enterprise = self.enterprise_near(rnd, school.province, school.region,
                                                              self.prog_family[pid - 1])
                        mean = school.quality + gauss(0, 0.4)
                        given_by = liaison_user if enterprise == liaison_enterprise else NULL
                        means.append(mean)
                        about_graduates.append(1)
                        add(f"{len(means)}\t{enterprise}\t\t{NULL}\t{pid}\t{year}\t{comment(GRADUATE_COMMENTS, mean)}\t"
                            f"{given_by}\t{self.stamps}\n")
                    if rnd() < 0.04 and self.graduates[self.year - 1][pid]:
                        mean = school.quality + gauss(0, 0.3)
                        means.append(mean)
                        about_graduates.append(1)
                        add(f"{len(means)}\t{NULL}\t{EVALUATOR}\t{NULL}\t{pid}\t{self.year - 1}\t"
                            f"{comment(GRADUATE_COMMENTS, mean)}\t{NULL}\t{self.stamps}\n")
        row = 0
        with self.stream("evaluation_feedbackscore", "id feedback_id dimension score") as add:
            for index, mean in enumerate(means):
                dimensions = GRADUATE_DIMENSIONS if about_graduates[index] else PARTNERSHIP_DIMENSIONS
                for dimension in dimensions:
                    row += 1
                    score = min(5, max(1, round(gauss(mean, 0.7))))
                    add(f"{row}\t{index + 1}\t{dimension}\t{score}\n")

    # users and targets -----------------------------------------------------------------------------

    def plan_users(self) -> None:
        """Fixed ids, so that rows loaded before the users (verified placements, feedback) can name them."""
        self.user_ids = {"platform_admin": 1, "reviewer": 2, "college_admin_largest": 3, "college_admin_median": 4,
                         "liaison": 5}

    def gen_users(self) -> None:
        """The accounts the measurements log in with, and two regional target overrides."""
        rng = self.rng("users")
        by_size = sorted(self.schools, key=lambda s: (s.n_programs, s.n_teachers, -s.id))
        largest, median = by_size[-1], by_size[len(by_size) // 2]
        if median is largest and len(by_size) > 1:
            median = by_size[0]
        accounts = [
            ("platform_admin", "bench_admin", Role.PLATFORM_ADMIN, NULL, NULL, NULL),
            ("reviewer", "bench_reviewer", Role.GOV_REVIEWER, NULL, NULL, self.reviewer_region),
            ("college_admin_largest", "bench_college_largest", Role.COLLEGE_ADMIN, largest.id, NULL, NULL),
            ("college_admin_median", "bench_college_median", Role.COLLEGE_ADMIN, median.id, NULL, NULL),
            ("liaison", "bench_liaison", Role.ENTERPRISE_LIAISON, NULL, self.liaison_enterprise, NULL),
        ]
        columns = ("id password last_login is_superuser username first_name last_name email is_staff is_active "
                   "date_joined role school_id enterprise_id region_id")
        usernames = {}
        with self.stream("portal_user", columns) as add:
            for key, username, role, school, enterprise, region in accounts:
                admin = "t" if role == Role.PLATFORM_ADMIN else "f"
                add(f"{self.user_ids[key]}\t{self.password_hash}\t{NULL}\t{admin}\t{username}\t{self.person(rng.random)}\t"
                    f"\t{username}@bench.example.com\t{admin}\tt\t{self.now}\t{role.value}\t{school}\t{enterprise}\t"
                    f"{region}\n")
                usernames[key] = username
        self.usernames = usernames
        with self.stream("evaluation_targetoverride", "id indicator region_id target target_upper note created_at "
                                                      "updated_at") as add:
            add(f"1\tdual_qualified_ratio\t{self.reviewer_region}\t0.55\t{NULL}\t省级“双师型”教师认定标准更高。\t"
                f"{self.stamps}\n")
            add(f"2\tsupply_demand_ratio\t{self.reviewer_region}\t0.7\t1.6\t本省产业转型期，供需比区间放宽。\t{self.stamps}\n")


# --- constraints, sequences, statistics -----------------------------------------------------------


class _Schema:
    """The foreign keys, primary and unique keys and indexes of the loaded tables, dropped before the
    load and re-created after it (as pg_restore does): building an index once over sorted data is
    cheaper than growing it row by row, and a foreign key added back checks every row in one query.
    Foreign keys of other tables that point into the loaded ones are included, since the keys they
    need are dropped too. CHECK and NOT NULL constraints stay in place throughout, and so do partial
    indexes (conditional unique constraints: small, and PostgreSQL would reword their conditions)."""

    def __init__(self, cursor, tables: Sequence[str]) -> None:
        self.cursor = cursor
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND (conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[])) "
            "ORDER BY 1, 2",
            [list(tables), list(tables)],
        )
        self.foreign_keys: list[tuple[str, str, str]] = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype IN ('p', 'u') AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [list(tables)],
        )
        self.keys: list[tuple[str, str, str]] = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND i.indpred IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            [list(tables)],
        )
        self.indexes: list[tuple[str, str]] = cursor.fetchall()

    def drop(self) -> None:
        for table, name, _definition in self.foreign_keys:
            self.cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quote(name)}")
        for table, name, _definition in self.keys:
            self.cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quote(name)}")
        for name, _definition in self.indexes:
            self.cursor.execute(f"DROP INDEX {name}")

    def restore(self) -> None:
        for table, name, definition in self.keys:
            self.cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_quote(name)} {definition}")
        for _name, definition in self.indexes:
            self.cursor.execute(definition)
        for table, name, definition in self.foreign_keys:
            self.cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_quote(name)} {definition}")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


STEPS = (
    "plan_regions", "plan_users", "gen_schools", "gen_enterprises", "gen_programs", "gen_partnerships",
    "gen_consortia", "gen_courses", "gen_program_years", "gen_teachers", "gen_placements", "gen_contributions",
    "gen_projects", "gen_talent_demands", "gen_training_bases", "gen_technical_services", "gen_patents",
    "gen_feedback", "gen_users",
)


def generate(scale: Scale, *, year: int = 2025, seed: int = 2025, password: str, out: IO[str] | None = None) -> dict:
    """Empty the domain tables and fill them with a synthetic data set of `scale` for academic years
    year-2 … year; answer the rows per table, the total, the seconds taken and the usernames of the
    accounts made for the measurements (all with `password`).

    All of it is one transaction: a failure (a violated constraint included) leaves the database as
    it was. Run outside a transaction (the bench command), rows are loaded frozen and all-visible, as
    a vacuumed production database would hold them; inside one (a test), COPY cannot freeze them."""
    if connection.vendor != "postgresql":
        raise RuntimeError("bench.generate loads with PostgreSQL COPY: set DATABASE_URL=postgres://…")
    started = time.perf_counter()
    connection.ensure_connection()
    freeze = not connection.in_atomic_block
    tables = domain_tables()
    loader = _Loader(out, freeze=freeze)
    loader.say(f"generating scale {scale.name} (year {year}, seed {seed})")
    collecting = gc.isenabled()
    gc.disable()  # millions of long-lived rows' worth of lists: the collector would rescan them all
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # Checks still pending from earlier in the transaction (a test's own rows) run now, so the
            # constraints can be dropped and the tables emptied.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            existing = set(connection.introspection.table_names(cursor))
            truncate = [t for t in (*tables, *EXTRA_TRUNCATE) if t in existing]
            cursor.execute(f"TRUNCATE {', '.join(_quote(t) for t in truncate)} RESTART IDENTITY CASCADE")
            schema = _Schema(cursor, tables)
            schema.drop()

            generator = _Generator(scale, year=year, seed=seed, password=password, loader=loader)
            for step in STEPS:
                getattr(generator, step)()
            usernames = generator.usernames
            loaded = time.perf_counter()
            loader.say(f"loaded {sum(loader.counts.values()):,} rows in {loaded - started:.1f} s; "
                       "re-creating keys, indexes and foreign keys")

            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            schema.restore()
            for table, rows in loader.counts.items():
                if rows:  # ids run 1 … rows in every table
                    cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, rows])
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            checked = time.perf_counter()
            loader.say(f"constraints checked in {checked - loaded:.1f} s; analysing")
            cursor.execute(f"ANALYZE {', '.join(_quote(t) for t in tables)}")
    finally:
        loader.cursor.close()
        if collecting:
            gc.enable()
    seconds = time.perf_counter() - started
    counts = {table: loader.counts.get(table, 0) for table in tables}
    total = sum(counts.values())
    loader.say(f"done: {total:,} rows in {seconds:.1f} s")
    return {"tables": counts, "total_rows": total, "seconds": round(seconds, 2), "users": usernames}
