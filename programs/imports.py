"""Spreadsheet import of a school's teachers, courses and program-year figures.

The flow: `read_upload` reads an uploaded XLSX/CSV (portal.spreadsheets) and maps its header row to
the columns of the chosen kind (English keys or Chinese aliases); `store_upload` keeps the parsed
rows under MEDIA_ROOT/imports/<random token>.json until the user confirms; `validate` checks every
row (cell formats, the school's own programs, enterprises by credit code, duplicates in the file,
then the model's full_clean) and says whether it would create or update a record; `run_import`
re-validates and, only when every row is valid, saves them all in one transaction, reporting
progress and the summary through the cache (`progress`). Large files run as the Celery task
`import_task` (in-process when no broker is configured).

Matching: teachers by (school, staff_no), courses by (program of the school, code), program years
by (program, year). An empty cell means no value where a field may be empty (dates, enterprises,
the dual-qualified level); elsewhere the default for a new record and "unchanged" for an existing
one. A column left out of the file leaves existing records' values unchanged.
"""
from __future__ import annotations

import datetime
import functools
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit import acting_as
from portal.models import Enterprise, School, User
from portal.scoping import CHANGE, VIEW, restrict
from portal.spreadsheets import SpreadsheetError, Table, read_table

from .choices import DualQualifiedLevel, Employment
from .models import Course, Program, ProgramYear, Teacher

log = logging.getLogger(__name__)

BACKGROUND_THRESHOLD = 500  # rows: larger files are saved by a Celery task behind a progress page
UPLOAD_TTL = 24 * 3600  # seconds an unconfirmed upload and a finished import's summary are kept
STORE_SUBDIR = "imports"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
MAX_REPORTED_ERRORS = 200  # errors kept in the cache for the progress page

TEXT, INTEGER, YEAR, BOOLEAN, DATE, CHOICE, ENTERPRISE, PROGRAM = (
    "text", "integer", "year", "boolean", "date", "choice", "enterprise", "program")

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


# --- what can be imported -------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportColumn:
    """One column of an import: its header key, the model field it fills, how a cell is read."""

    key: str
    field: str
    type: str = TEXT
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: type[models.TextChoices] | None = None
    help: Any = ""

    @property
    def label(self) -> str:
        return self.key


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: Any
    model: type[models.Model]
    columns: tuple[ImportColumn, ...]
    match: tuple[str, ...]  # column keys that find an existing record
    description: Any = ""

    def column(self, key: str) -> ImportColumn | None:
        return next((c for c in self.columns if c.key == key), None)

    @property
    def headers(self) -> list[str]:
        return [c.key for c in self.columns]


PROGRAM_CODE_HELP = gettext_lazy("The 6-digit major code of one of your school's programs.")
BOOLEAN_HELP = gettext_lazy("yes or no (also true/false, 1/0, 是/否).")

TEACHERS = ImportKind(
    key="teachers",
    label=gettext_lazy("Teachers"),
    model=Teacher,
    match=("staff_no",),
    description=gettext_lazy("One row per teacher; an existing teacher is found by the staff number and updated."),
    columns=(
        ImportColumn("staff_no", "staff_no", required=True,
                     aliases=("工号", "教师工号", "staff_number", "staff number"),
                     help=gettext_lazy("The teacher's staff number at your school.")),
        ImportColumn("name", "name", required=True, aliases=("姓名", "教师姓名"), help=gettext_lazy("Full name.")),
        ImportColumn("employment", "employment", CHOICE, choices=Employment,
                     aliases=("用工类型", "聘用类型", "教师类型"),
                     help=gettext_lazy("full_time or part_time_industry (default full_time).")),
        ImportColumn("professional", "professional", BOOLEAN, aliases=("专业课教师",),
                     help=gettext_lazy("Teaches professional courses: yes or no (default yes).")),
        ImportColumn("dual_qualified", "dual_qualified", BOOLEAN, aliases=("双师型", "双师"),
                     help=gettext_lazy("Dual-qualified: yes or no (default no).")),
        ImportColumn("dual_qualified_level", "dual_qualified_level", CHOICE, aliases=("双师等级",),
                     choices=DualQualifiedLevel,
                     help=gettext_lazy("junior, intermediate or senior; only for dual-qualified teachers.")),
        ImportColumn("dual_qualified_since", "dual_qualified_since", DATE, aliases=("双师认定日期", "认定日期"),
                     help=gettext_lazy("Date as YYYY-MM-DD; only for dual-qualified teachers.")),
        ImportColumn("employer_credit_code", "employer", ENTERPRISE,
                     aliases=("企业信用代码", "工作单位信用代码", "所在企业信用代码"),
                     help=gettext_lazy("Unified social credit code of the enterprise employing a part-time "
                                       "industry teacher; empty for full-time teachers.")),
        ImportColumn("annual_teaching_hours", "annual_teaching_hours", INTEGER, aliases=("年授课学时", "年课时"),
                     help=gettext_lazy("Whole number of teaching hours a year (default 0).")),
        ImportColumn("active", "active", BOOLEAN, aliases=("在职", "在岗"),
                     help=gettext_lazy("Still teaching: yes or no (default yes).")),
    ),
)

COURSES = ImportKind(
    key="courses",
    label=gettext_lazy("Courses"),
    model=Course,
    match=("program_code", "code"),
    description=gettext_lazy("One row per course; an existing course is found by its program and course code."),
    columns=(
        ImportColumn("program_code", "program", PROGRAM, required=True, aliases=("专业代码",), help=PROGRAM_CODE_HELP),
        ImportColumn("code", "code", required=True, aliases=("课程代码", "course_code"),
                     help=gettext_lazy("The course code, unique within the program.")),
        ImportColumn("name", "name", required=True, aliases=("课程名称", "名称"), help=gettext_lazy("Course name.")),
        ImportColumn("theory_hours", "theory_hours", INTEGER, required=True, aliases=("理论学时",),
                     help=gettext_lazy("Whole number of theory hours.")),
        ImportColumn("practice_hours", "practice_hours", INTEGER, required=True, aliases=("实践学时", "实训学时"),
                     help=gettext_lazy("Whole number of practice hours.")),
        ImportColumn("professional", "professional", BOOLEAN, aliases=("专业课",),
                     help=gettext_lazy("Professional course: yes or no (default yes).")),
        ImportColumn("co_developed_with_credit_code", "co_developed_with", ENTERPRISE,
                     aliases=("合作开发企业信用代码", "合作企业信用代码"),
                     help=gettext_lazy("Unified social credit code of the enterprise that co-developed the "
                                       "course; may be empty.")),
    ),
)

PROGRAM_YEARS = ImportKind(
    key="program_years",
    label=gettext_lazy("Program-year figures"),
    model=ProgramYear,
    match=("program_code", "year"),
    description=gettext_lazy("One row per program and academic year; existing figures for that year are updated."),
    columns=(
        ImportColumn("program_code", "program", PROGRAM, required=True, aliases=("专业代码",), help=PROGRAM_CODE_HELP),
        ImportColumn("year", "year", YEAR, required=True, aliases=("学年", "年份", "academic_year"),
                     help=gettext_lazy("The academic year by its first calendar year, e.g. 2024 for 2024–2025.")),
        ImportColumn("enrolled", "enrolled", INTEGER, aliases=("招生人数", "新生人数"),
                     help=gettext_lazy("New intake.")),
        ImportColumn("students", "students", INTEGER, aliases=("在校生数", "在校生人数"),
                     help=gettext_lazy("Students of the program.")),
        ImportColumn("graduates", "graduates", INTEGER, aliases=("毕业生数", "毕业生人数"),
                     help=gettext_lazy("Graduates.")),
        ImportColumn("employed", "employed", INTEGER, aliases=("就业人数",),
                     help=gettext_lazy("Employed graduates (at most the graduates).")),
        ImportColumn("employed_in_field", "employed_in_field", INTEGER, aliases=("对口就业人数",),
                     help=gettext_lazy("Graduates employed in their field (at most the employed).")),
        ImportColumn("employed_by_partners", "employed_by_partners", INTEGER, aliases=("合作企业录用人数",),
                     help=gettext_lazy("Graduates hired by partner enterprises (at most the employed).")),
        ImportColumn("order_class_students", "order_class_students", INTEGER, aliases=("订单班学生数", "订单班人数"),
                     help=gettext_lazy("Order-class students.")),
        ImportColumn("apprentices", "apprentices", INTEGER, aliases=("学徒数", "学徒人数"),
                     help=gettext_lazy("Apprentices (with order-class students at most the students).")),
    ),
)

KINDS: dict[str, ImportKind] = {kind.key: kind for kind in (TEACHERS, COURSES, PROGRAM_YEARS)}


def get_kind(key: str) -> ImportKind:
    try:
        return KINDS[key]
    except KeyError:
        raise LookupError(key) from None


# --- who may import into which school -------------------------------------------------------------


def importable_schools(user):
    """The schools whose data `user` may import: a college admin's own school; every school for a
    platform admin; none for anyone else (the same change scope as the rest of the portal)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return School.objects.none()
    if user.is_platform_admin or user.school_id:
        return restrict(School.objects.all(), user, CHANGE).order_by("name")
    return School.objects.none()


def may_import(user) -> bool:
    return getattr(user, "is_authenticated", False) and (
        user.is_platform_admin or (user.school_id is not None and importable_schools(user).exists())
    )


# --- reading the file -----------------------------------------------------------------------------


def _normalise_header(text: Any) -> str:
    text = str(text or "").strip().strip("*").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def map_headers(kind: ImportKind, headers: list[str]) -> tuple[dict[int, str], list[str], list[str]]:
    """Which column index holds which column key; errors (missing or repeated columns) and
    warnings (columns that are not recognised and will be ignored)."""
    lookup: dict[str, str] = {}
    for column in kind.columns:
        for name in (column.key, *column.aliases):
            lookup[_normalise_header(name)] = column.key
    mapping: dict[int, str] = {}
    errors: list[str] = []
    warnings: list[str] = []
    seen: dict[str, str] = {}
    for index, header in enumerate(headers):
        if not str(header or "").strip():
            continue
        key = lookup.get(_normalise_header(header))
        if key is None:
            warnings.append(_("The column “%(column)s” is not recognised and will be ignored.") % {"column": header})
            continue
        if key in seen:
            errors.append(_("The columns “%(first)s” and “%(second)s” both mean %(key)s; keep one of them.") % {
                "first": seen[key], "second": header, "key": key})
            continue
        seen[key] = str(header)
        mapping[index] = key
    missing = [c.key for c in kind.columns if c.required and c.key not in seen]
    if missing:
        errors.insert(0, _("Required columns are missing: %(columns)s. Download the template to see the "
                           "expected header row.") % {"columns": ", ".join(missing)})
    return mapping, errors, warnings


@dataclass
class ParsedUpload:
    kind: ImportKind
    filename: str
    columns: list[str]  # the column keys present in the file, in the file's order
    rows: list[tuple[int, dict[str, Any]]]  # (row number in the sheet, {column key: cell value})
    warnings: list[str] = field(default_factory=list)


def read_upload(kind: ImportKind, upload) -> ParsedUpload:
    """Read an uploaded file for `kind`; a SpreadsheetError says what is wrong with it."""
    table: Table = read_table(upload)
    mapping, errors, warnings = map_headers(kind, table.headers)
    if errors:
        raise SpreadsheetError(" ".join(errors))
    rows = [(number, {key: cells[i] if i < len(cells) else None for i, key in mapping.items()})
            for number, cells in table.rows]
    return ParsedUpload(kind=kind, filename=os.path.basename(getattr(upload, "name", "") or ""),
                        columns=list(mapping.values()), rows=rows, warnings=warnings)


# --- keeping an upload between preview and confirm ------------------------------------------------


def _store_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / STORE_SUBDIR


def _store_path(token: str) -> Path:
    if not TOKEN_RE.match(token or ""):
        raise LookupError(token)
    return _store_dir() / f"{token}.json"


def store_upload(parsed: ParsedUpload, *, user, school: School) -> str:
    """Keep the parsed rows for the preview and the confirmation; returns a random token."""
    directory = _store_dir()
    directory.mkdir(parents=True, exist_ok=True)
    _remove_stale(directory)
    token = secrets.token_urlsafe(24)
    payload = {
        "kind": parsed.kind.key, "user": user.pk, "school": school.pk, "filename": parsed.filename,
        "created": time.time(), "columns": parsed.columns, "warnings": parsed.warnings,
        "rows": [[number, values] for number, values in parsed.rows],
    }
    path = _store_path(token)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False)
    return token


def _remove_stale(directory: Path) -> None:
    limit = time.time() - UPLOAD_TTL
    for path in directory.glob("*.json"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


@dataclass
class StoredUpload:
    token: str
    kind: ImportKind
    user_id: int
    school_id: int
    filename: str
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]]
    warnings: list[str]


def load_upload(token: str) -> StoredUpload | None:
    """The stored upload of `token`, or None when there is none (any more)."""
    try:
        path = _store_path(token)
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (LookupError, OSError, ValueError):
        return None
    if data.get("created", 0) < time.time() - UPLOAD_TTL:
        discard_upload(token)
        return None
    return StoredUpload(
        token=token, kind=get_kind(data["kind"]), user_id=data["user"], school_id=data["school"],
        filename=data.get("filename", ""), columns=data["columns"],
        rows=[(int(number), values) for number, values in data["rows"]], warnings=data.get("warnings", []),
    )


def discard_upload(token: str) -> None:
    try:
        _store_path(token).unlink(missing_ok=True)
    except (LookupError, OSError):
        pass


# --- cell values ----------------------------------------------------------------------------------

TRUE_WORDS = {"true", "yes", "y", "t", "1", "是", "有", "√", "✓"}
FALSE_WORDS = {"false", "no", "n", "f", "0", "否", "无", "×", "✗"}


class CellError(Exception):
    pass


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_integer(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError(_("Enter a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError(_("Enter a whole number."))
    text = _text(value).replace(",", "").replace(" ", "")
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(float(text)) if "." in text else int(text)
    raise CellError(_("Enter a whole number."))


def parse_year(value: Any) -> int:
    text = _text(value)
    match = re.fullmatch(r"(\d{4})\s*[-–—/]\s*(\d{4}|\d{2})", text)
    if match:
        return int(match.group(1))
    try:
        return parse_integer(value)
    except CellError:
        raise CellError(_("Enter the academic year as a year, e.g. 2024 (for 2024–2025).")) from None


def parse_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(_("Enter yes or no."))


def parse_date(value: Any) -> datetime.date:
    text = _text(value)
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", text)
    if match:
        try:
            return datetime.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise CellError(_("Enter a date as YYYY-MM-DD."))


@functools.cache
def _choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value, _label in choices.choices:
        lookup[value.lower()] = value
        lookup[value.replace("_", " ").lower()] = value
        lookup[value.replace("_", "-").lower()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[str(choices(value).label).lower()] = value
    return lookup


def parse_choice(value: Any, choices: type[models.TextChoices]) -> str:
    text = _text(value).lower()
    found = _choice_lookup(choices).get(text)
    if found is None:
        raise CellError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)})
    return found


def display(value: Any) -> str:
    """A cell as the preview shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return _text(value)


# --- validating rows ------------------------------------------------------------------------------


@dataclass
class RowError:
    column: str  # a column key, or "" for the row as a whole
    message: str


@dataclass
class RowResult:
    number: int
    values: dict[str, Any]
    action: str | None = None  # CREATE, UPDATE or UNCHANGED once the row is valid
    errors: list[RowError] = field(default_factory=list)
    instance: models.Model | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    def error_for(self, column: str) -> list[str]:
        return [e.message for e in self.errors if e.column == column]


@dataclass
class Validation:
    kind: ImportKind
    columns: list[str]
    rows: list[RowResult]

    @property
    def error_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not self.error_rows

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.valid and r.action == action)

    @property
    def error_count(self) -> int:
        return sum(len(r.errors) for r in self.rows)


class _Context:
    """What the rows of one file refer to, loaded once: the school's programs and existing records,
    the enterprises named by credit code."""

    def __init__(self, kind: ImportKind, school: School, user, rows: list[tuple[int, dict[str, Any]]]):
        self.kind, self.school, self.user = kind, school, user
        self.programs: dict[str, Program] = {}
        self.existing: dict[tuple, models.Model] = {}
        if kind.model is Teacher:
            teachers = restrict(Teacher.objects.filter(school=school), user, CHANGE).select_related("employer")
            self.existing = {(t.staff_no,): t for t in teachers}
        else:
            programs = restrict(Program.objects.filter(school=school), user, CHANGE)
            self.programs = {p.code: p for p in programs}
            if kind.model is Course:
                courses = restrict(Course.objects.filter(program__school=school), user, CHANGE)
                self.existing = {(c.program_id, c.code): c for c in courses.select_related("co_developed_with")}
            else:
                years = restrict(ProgramYear.objects.filter(program__school=school), user, CHANGE)
                self.existing = {(y.program_id, y.year): y for y in years}
        codes = {
            _text(values.get(c.key)).upper()
            for _n, values in rows for c in kind.columns
            if c.type == ENTERPRISE and not _blank(values.get(c.key))
        }
        self.enterprises: dict[str, Enterprise] = {}
        codes_list = sorted(codes)
        for start in range(0, len(codes_list), 500):
            chunk = codes_list[start:start + 500]
            for enterprise in restrict(Enterprise.objects.filter(credit_code__in=chunk), user, VIEW):
                self.enterprises[enterprise.credit_code] = enterprise


def _parse_cell(column: ImportColumn, value: Any, context: _Context) -> Any:
    if column.type == TEXT:
        return _text(value)
    if column.type == INTEGER:
        return parse_integer(value)
    if column.type == YEAR:
        return parse_year(value)
    if column.type == BOOLEAN:
        return parse_boolean(value)
    if column.type == DATE:
        return parse_date(value)
    if column.type == CHOICE:
        return parse_choice(value, column.choices)
    if column.type == ENTERPRISE:
        code = _text(value).upper()
        enterprise = context.enterprises.get(code)
        if enterprise is None:
            raise CellError(_("No enterprise with the credit code %(code)s is registered in the portal.") % {
                "code": code})
        return enterprise
    if column.type == PROGRAM:
        code = _text(value)
        program = context.programs.get(code)
        if program is None:
            raise CellError(_("Your school has no program with the code %(code)s.") % {"code": code})
        return program
    raise ValueError(column.type)


def _empty_value(model_field: models.Field) -> Any:
    """What an empty cell means for a field that may be empty; NOT_EMPTY otherwise."""
    if model_field.null:
        return None
    if model_field.blank and isinstance(model_field, models.CharField):
        return ""
    return _NOT_EMPTY


_NOT_EMPTY = object()


def _snapshot(instance: models.Model, kind: ImportKind) -> dict[str, Any]:
    return {c.field: getattr(instance, f"{c.field}_id" if c.type in (ENTERPRISE, PROGRAM) else c.field)
            for c in kind.columns}


def validate(upload: StoredUpload | ParsedUpload, *, school: School, user, thorough: bool = False,
             progress: Callable[[int, int], None] | None = None) -> Validation:
    """Check every row of an upload against `school`'s records; nothing is written.

    Every row gets the model's full_clean: its field checks and its own rules (clean), which repeat
    the database constraints in Python. `thorough` (the confirmation) also checks the database
    constraints themselves and the related records, a few queries a row; the preview leaves those
    out to stay quick with thousands of rows (the related records were just loaded from the database)."""
    kind = upload.kind
    context = _Context(kind, school, user, upload.rows)
    present = [c for c in kind.columns if c.key in upload.columns]
    field_to_column = {c.field: c.key for c in kind.columns}
    results: list[RowResult] = []
    seen: dict[tuple, int] = {}
    total = len(upload.rows)
    for index, (number, values) in enumerate(upload.rows, start=1):
        row = RowResult(number=number, values={k: display(v) for k, v in values.items()})
        results.append(row)
        parsed: dict[str, Any] = {}
        for column in present:
            raw = values.get(column.key)
            if _blank(raw):
                if column.required:
                    row.errors.append(RowError(column.key, _("This field is required.")))
                continue
            try:
                parsed[column.key] = _parse_cell(column, raw, context)
            except CellError as exc:
                row.errors.append(RowError(column.key, str(exc)))
        _build(kind, row, parsed, present, context, seen, field_to_column, thorough)
        if progress is not None and (index % 50 == 0 or index == total):
            progress(index, total)
    return Validation(kind=kind, columns=[c.key for c in present], rows=results)


def _build(kind, row: RowResult, parsed, present, context: _Context, seen, field_to_column, thorough) -> None:
    """Find or make the row's record, set its fields and run the model's full_clean."""
    failed = {e.column for e in row.errors}
    instance = None
    if not any(key in failed for key in kind.match):  # else: still check the other cells
        key = tuple(v.pk if isinstance(v, models.Model) else v for v in (parsed[k] for k in kind.match))
        if key in seen:
            row.errors.append(RowError(kind.match[-1], _("Row %(row)s of this file already has this record; each "
                                                          "record may appear once.") % {"row": seen[key]}))
            return
        seen[key] = row.number
        instance = context.existing.get(key)
    if instance is None:
        instance = kind.model()
        if kind.model is Teacher:
            instance.school = context.school
        before = None
    else:
        before = _snapshot(instance, kind)
    excluded: set[str] = set()
    for column in present:
        if column.key in failed:
            excluded.add(column.field)
            continue
        if column.key in parsed:
            setattr(instance, column.field, parsed[column.key])
            continue
        model_field = kind.model._meta.get_field(column.field)
        empty = _empty_value(model_field)
        if empty is not _NOT_EMPTY:
            setattr(instance, column.field, empty)
        # else: the default of a new record, the current value of an existing one
    try:
        if thorough:
            instance.full_clean(exclude=excluded or None)
        else:
            loaded = {c.field for c in kind.columns if c.type in (ENTERPRISE, PROGRAM)} | {"school"}
            instance.full_clean(exclude=excluded | loaded, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            if name in excluded:  # the cell already has its own error
                continue
            column = "" if name == NON_FIELD_ERRORS else field_to_column.get(name, name)
            for message in messages:
                row.errors.append(RowError(column, message))
    if row.errors:
        return
    row.instance = instance
    if before is None:
        row.action = CREATE
    else:
        row.action = UPDATE if _snapshot(instance, kind) != before else UNCHANGED


# --- saving ---------------------------------------------------------------------------------------


def _progress_key(token: str) -> str:
    return f"programs:import:{token}"


def _lock_key(token: str) -> str:
    return f"programs:import:{token}:lock"


def progress(token: str) -> dict[str, Any] | None:
    """The state of the import of `token` (None before it was confirmed)."""
    return cache.get(_progress_key(token))


def set_progress(token: str, **state) -> dict[str, Any]:
    current = cache.get(_progress_key(token)) or {}
    current.update(state)
    cache.set(_progress_key(token), current, UPLOAD_TTL)
    return current


def start(upload: StoredUpload, *, user) -> str:
    """Record that `user` confirmed the import and run it: in this request for a small file, as a
    Celery task for a large one (in-process too when no broker is configured). Returns the state."""
    state = progress(upload.token)
    if state and state.get("state") in ("queued", "checking", "saving", "done"):
        return state["state"]
    if not cache.add(_lock_key(upload.token), True, UPLOAD_TTL):  # confirmed twice at once: run it once
        return (progress(upload.token) or {}).get("state", "queued")
    set_progress(upload.token, state="queued", kind=upload.kind.key, user=user.pk, total=len(upload.rows),
                 done=0, created=0, updated=0, unchanged=0, errors=[], message="",
                 language=translation.get_language() or settings.LANGUAGE_CODE)
    if len(upload.rows) > BACKGROUND_THRESHOLD:
        try:
            import_task.delay(upload.token)
        except Exception:
            if import_task.app.conf.task_always_eager:  # in-process: the error is the task's own
                raise
            # The task queue is down. Saving a large file in the request instead could outlast the web
            # worker's timeout, and a killed request would leave the import marked as saving; so nothing
            # is saved, the user is told, and the same upload can be confirmed again later.
            log.warning("task queue unreachable; import %s not started", upload.token, exc_info=True)
            set_progress(upload.token, state="failed", message=_(
                "The task queue cannot be reached; nothing was saved. Confirm the import again in a few minutes."))
            cache.delete(_lock_key(upload.token))
            return "failed"
        return (progress(upload.token) or {}).get("state", "queued")
    return run_import(upload.token)


class _Abort(Exception):
    def __init__(self, errors: list[dict[str, Any]]):
        super().__init__("import aborted")
        self.errors = errors


def _error_list(rows: Iterable[RowResult]) -> list[dict[str, Any]]:
    errors = []
    for row in rows:
        for error in row.errors:
            errors.append({"row": row.number, "column": error.column, "message": str(error.message)})
            if len(errors) >= MAX_REPORTED_ERRORS:
                return errors
    return errors


def run_import(token: str) -> str:
    """Re-validate the stored upload and, when every row is valid, save every row in one
    transaction. The state ("done", "invalid" or "failed") and counts go to the cache."""
    upload = load_upload(token)
    if upload is None:
        set_progress(token, state="failed", message=_("The uploaded file is no longer available; upload it again."))
        return "failed"
    try:
        user = User.objects.get(pk=upload.user_id, is_active=True)
        school = importable_schools(user).get(pk=upload.school_id)
    except (User.DoesNotExist, School.DoesNotExist):
        set_progress(token, state="failed", message=_("You may not import data for this school."))
        return "failed"
    total = len(upload.rows)
    # In a Celery worker there is no request: the audit trail names the user who confirmed the import.
    with translation.override(_language_of(token)), acting_as(user):
        try:
            with transaction.atomic():
                set_progress(token, state="checking", done=0, total=total)
                result = validate(upload, school=school, user=user, thorough=True,
                                  progress=lambda done, _total: set_progress(token, done=done))
                if not result.valid:
                    raise _Abort(_error_list(result.error_rows))
                set_progress(token, state="saving", done=0)
                counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0}
                for index, row in enumerate(result.rows, start=1):
                    if row.action != UNCHANGED:
                        _save_row(row)
                    counts[row.action] += 1
                    if index % 50 == 0 or index == total:
                        set_progress(token, done=index)
        except _Abort as abort:
            set_progress(token, state="invalid", errors=abort.errors,
                         message=_("Nothing was saved: some rows are not valid."))
            cache.delete(_lock_key(token))  # the user may correct data elsewhere and confirm again
            return "invalid"
        except Exception:
            log.exception("import %s failed", token)
            set_progress(token, state="failed", message=_("The import failed unexpectedly; nothing was saved."))
            cache.delete(_lock_key(token))
            return "failed"
    discard_upload(token)
    set_progress(token, state="done", done=total, created=counts[CREATE], updated=counts[UPDATE],
                 unchanged=counts[UNCHANGED], message="")
    return "done"


def _save_row(row: RowResult) -> None:
    """Save one validated record; a database refusal becomes that row's error (and aborts all)."""
    try:
        with transaction.atomic():
            row.instance.save()
    except ValidationError as exc:
        raise _Abort([{"row": row.number, "column": "", "message": " ".join(exc.messages)}]) from exc
    except DatabaseError as exc:
        log.warning("import row %s refused by the database: %s", row.number, exc)
        raise _Abort([{"row": row.number, "column": "", "message": _(
            "The database refused this row; it may conflict with a record saved meanwhile. Check the file "
            "and try again.")}]) from exc


def _language_of(token: str) -> str:
    return (progress(token) or {}).get("language") or settings.LANGUAGE_CODE


@shared_task(acks_late=True)
def import_task(token: str) -> str:
    """Save a confirmed upload (see run_import); safe to deliver twice: a finished import is left alone."""
    state = progress(token) or {}
    if state.get("state") == "done":
        return "done"
    return run_import(token)

