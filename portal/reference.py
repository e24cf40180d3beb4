"""Reference data shipped with the portal: administrative divisions (GB/T 2260 codes) and industries
(GB/T 4754-2017). Loaders upsert by code and write all rows or none; every bad row is reported.

The model parameters let a data migration pass its historical models (apps.get_model).
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import RegionLevel
from .validators import REGION_CODE_PATTERN, SECTOR_CODE_PATTERN

DATA_DIR = Path(__file__).resolve().parent / "data"
REGIONS_CSV = DATA_DIR / "regions.csv"
SECTORS_CSV = DATA_DIR / "sectors.csv"
LINE = "_line"  # key read_csv adds to each row: the file line the row is on

# Higher levels contain lower ones; a parent is always of a higher level (lower rank).
LEVEL_RANK = {RegionLevel.PROVINCE: 0, RegionLevel.PREFECTURE: 1, RegionLevel.COUNTY: 2}

Row = Mapping[str, Any]


@dataclass
class LoadResult:
    """How many rows a load created, updated and found unchanged."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


class ReferenceDataError(Exception):
    """Some rows are invalid; nothing was written. `errors` holds one message per problem."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        summary = ngettext(
            "Nothing was loaded: %(count)d problem found.", "Nothing was loaded: %(count)d problems found.", len(errors)
        ) % {"count": len(errors)}
        super().__init__("\n".join([summary, *errors]))


def read_csv(path: str | Path) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV file (an Excel BOM is accepted), each with its line number under LINE."""
    with open(path, encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        return [{**row, LINE: reader.line_num} for row in reader]


def _cell(row: Row, key: str) -> str:
    return (row.get(key) or "").strip()


def _numbered(rows: Iterable[Row]) -> list[tuple[int, Row]]:
    return [(int(row.get(LINE) or index + 2), row) for index, row in enumerate(rows)]


def _check_columns(rows: list[tuple[int, Row]], required: tuple[str, ...]) -> list[str]:
    if not rows:
        return []
    missing = [column for column in required if column not in rows[0][1]]
    return [_("The file has no “%(column)s” column.") % {"column": column} for column in missing]


def _line_error(line: int, message: str) -> str:
    return _("Line %(line)s: %(message)s") % {"line": line, "message": message}


def _check_code(code: str, pattern: str, seen: dict[str, int], line: int, format_message: str) -> list[str]:
    if not re.fullmatch(pattern, code):
        return [format_message % {"code": code}]
    if code in seen:
        return [_("code %(code)s is already on line %(line)s.") % {"code": code, "line": seen[code]}]
    seen[code] = line
    return []


def _raise_if(errors: list[str]) -> None:
    if errors:
        raise ReferenceDataError(errors)


def _upsert(model: type[models.Model], items: list[dict[str, Any]]) -> LoadResult:
    """Create or update validated `items` (parents first) by code; count what changed."""
    manager = model._default_manager
    codes = {item["code"] for item in items} | {item["parent_code"] for item in items if item["parent_code"]}
    by_code = {obj.code: obj for obj in manager.filter(code__in=codes)}
    result = LoadResult()
    for item in items:
        values = {key: value for key, value in item.items() if key != "parent_code"}
        values["parent_id"] = by_code[item["parent_code"]].pk if item["parent_code"] else None
        obj = by_code.get(item["code"])
        if obj is None:
            by_code[item["code"]] = manager.create(**values)
            result.created += 1
            continue
        changed = [field for field, value in values.items() if getattr(obj, field) != value]
        if changed:
            for field in changed:
                setattr(obj, field, values[field])
            obj.save(update_fields=changed)
            result.updated += 1
        else:
            result.unchanged += 1
    return result


def load_regions(rows: Iterable[Row], *, region_model: type[models.Model] | None = None) -> LoadResult:
    """Upsert regions (columns code, name, name_en, level, parent_code): all rows or none."""
    if region_model is None:
        from .models import Region

        region_model = Region
    numbered = _numbered(rows)
    errors = _check_columns(numbered, ("code", "name", "level", "parent_code"))
    _raise_if(errors)
    with transaction.atomic():
        file_levels = {_cell(row, "code"): _cell(row, "level") for _, row in numbered}
        parent_codes = {_cell(row, "parent_code") for _, row in numbered} - set(file_levels) - {""}
        db_levels = dict(region_model._default_manager.filter(code__in=parent_codes).values_list("code", "level"))
        seen: dict[str, int] = {}
        items: list[dict[str, Any]] = []
        for line, row in numbered:
            code, level, parent = _cell(row, "code"), _cell(row, "level"), _cell(row, "parent_code")
            problems = _check_code(
                code, REGION_CODE_PATTERN, seen, line,
                _("code “%(code)s” is not a 6-digit administrative division code."),
            )
            if not _cell(row, "name"):
                problems.append(_("the name is missing."))
            if level not in LEVEL_RANK:
                problems.append(
                    _("level “%(level)s” is not one of: %(choices)s.")
                    % {"level": level, "choices": ", ".join(LEVEL_RANK)}
                )
            else:
                parent_level = file_levels.get(parent) or db_levels.get(parent)
                problems += _region_parent_problems(code, level, parent, parent_level)
            errors += [_line_error(line, problem) for problem in problems]
            if not problems:
                items.append(
                    {"code": code, "name": _cell(row, "name"), "name_en": _cell(row, "name_en"), "level": level,
                     "parent_code": parent}
                )
        _raise_if(errors)
        return _upsert(region_model, sorted(items, key=lambda item: LEVEL_RANK[item["level"]]))


def _region_parent_problems(code: str, level: str, parent: str, parent_level: str | None) -> list[str]:
    """What is wrong with a region's level-code fit and its parent (given the parent's level, if known)."""
    problems: list[str] = []
    label = RegionLevel(level).label
    valid_code = re.fullmatch(REGION_CODE_PATTERN, code) is not None
    suffix_ok = {
        RegionLevel.PROVINCE: code.endswith("0000"),
        RegionLevel.PREFECTURE: code.endswith("00") and not code.endswith("0000"),
        RegionLevel.COUNTY: not code.endswith("00"),
    }[level]
    if valid_code and not suffix_ok:
        problems.append(
            _("code %(code)s does not fit level “%(level)s”: a province's code ends in 0000, a prefecture's in 00 "
              "(not 0000), a county's in two other digits.") % {"code": code, "level": label}
        )
    if level == RegionLevel.PROVINCE:
        if parent:
            problems.append(_("a province has no parent region; leave parent_code empty."))
    elif not parent:
        problems.append(_("a %(level)s needs a parent region in parent_code.") % {"level": label})
    elif parent_level is None:
        problems.append(_("parent region %(parent)s is neither in the file nor in the database.") % {"parent": parent})
    elif valid_code and parent[:2] != code[:2]:
        problems.append(_("parent region %(parent)s is in another province.") % {"parent": parent})
    elif LEVEL_RANK.get(parent_level, 99) >= LEVEL_RANK[level]:
        problems.append(
            _("parent region %(parent)s is a %(parent_level)s, which cannot contain a %(level)s.")
            % {"parent": parent, "parent_level": _level_label(parent_level), "level": label}
        )
    return problems


def _level_label(level: str) -> str:
    return str(RegionLevel(level).label) if level in LEVEL_RANK else level


def expected_sector_parent(code: str) -> str:
    """The GB/T 4754-2017 parent of a code: none for a section, the section for a division, else one digit less."""
    if len(code) <= 1:
        return ""
    return code[0] if len(code) == 3 else code[:-1]


def load_sectors(rows: Iterable[Row], *, sector_model: type[models.Model] | None = None) -> LoadResult:
    """Upsert sectors (columns code, name, name_en, parent_code): all rows or none."""
    if sector_model is None:
        from .models import Sector

        sector_model = Sector
    numbered = _numbered(rows)
    errors = _check_columns(numbered, ("code", "name", "parent_code"))
    _raise_if(errors)
    with transaction.atomic():
        file_codes = {_cell(row, "code") for _, row in numbered}
        parent_codes = {_cell(row, "parent_code") for _, row in numbered} - file_codes - {""}
        db_codes = set(sector_model._default_manager.filter(code__in=parent_codes).values_list("code", flat=True))
        seen: dict[str, int] = {}
        items: list[dict[str, Any]] = []
        for line, row in numbered:
            code, parent = _cell(row, "code"), _cell(row, "parent_code")
            problems = _check_code(
                code, SECTOR_CODE_PATTERN, seen, line,
                _("code “%(code)s” is not a GB/T 4754-2017 code (a section letter A–T, optionally with 2–4 digits)."),
            )
            if not _cell(row, "name"):
                problems.append(_("the name is missing."))
            expected = expected_sector_parent(code)
            if re.fullmatch(SECTOR_CODE_PATTERN, code) and parent != expected:
                if expected:
                    message = _("the parent of %(code)s is %(expected)s, not “%(parent)s”.")
                    problems.append(message % {"code": code, "expected": expected, "parent": parent})
                else:
                    problems.append(_("a section has no parent; leave parent_code empty."))
            elif parent and parent not in file_codes | db_codes:
                message = _("parent sector %(parent)s is neither in the file nor in the database.")
                problems.append(message % {"parent": parent})
            errors += [_line_error(line, problem) for problem in problems]
            if not problems:
                items.append(
                    {"code": code, "name": _cell(row, "name"), "name_en": _cell(row, "name_en"), "parent_code": parent}
                )
        _raise_if(errors)
        return _upsert(sector_model, sorted(items, key=lambda item: len(item["code"])))
