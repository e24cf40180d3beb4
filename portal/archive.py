"""A college's data as one archive: a ZIP holding one XLSX workbook per table of the school's own
records, and a contents workbook (which file holds what, how many rows, whose data, when).

Each app declares its tables in its own `archive.py` (registered from its AppConfig.ready, as its
scoping rules are), so this module never imports upward. A table names its model, the path(s) from
a row to its school, and which related names to write beside the ids; its columns are every
concrete field of the model (new fields appear without a change here), foreign keys as ids (plus
the named attributes of the related row), many-to-many relations as lists of ids, values as stored
(the codes the API uses).

Rows are the school's (`school_paths`) *and* visible to the user (portal.scoping.restrict), so a
college admin's archive can never hold another school's rows. Every table costs one query (two with
a many-to-many column): the related rows come by `select_related` on the paths the columns name,
never a query per row. On PostgreSQL the whole archive is read in one REPEATABLE READ transaction,
so its tables agree with each other. Cells go through portal.spreadsheets, which escapes formulas.
"""
from __future__ import annotations

import datetime
import io
import json
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.db import connection, models, transaction
from django.db.models import Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone, translation
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext as _

from .scoping import VIEW, restrict
from .spreadsheets import write_xlsx

CONTENTS_FILE = "00_contents.xlsx"


@dataclass(frozen=True)
class ArchiveTable:
    """One workbook of the archive: the rows of `model` that belong to the school."""

    key: str  # the file name's stem, e.g. "programs" (ASCII)
    title: Any  # what the contents workbook and the sheet call it (lazily translated)
    model: type[models.Model]
    school_paths: tuple[str, ...]  # lookups from a row to its school, any of which may match ("" = the school)
    related: Mapping[str, Sequence[str]] = field(default_factory=dict)  # {fk: attributes written beside its id}
    exclude: tuple[str, ...] = ()
    queryset: Callable[[], QuerySet] | None = None  # the base rows (default: all), e.g. published values only

    def columns(self) -> list[tuple[Any, Callable[[models.Model], Any]]]:
        """(heading, value of a row) for every concrete field, the named related attributes and the
        many-to-many relations."""
        columns: list[tuple[Any, Callable[[models.Model], Any]]] = []
        opts = self.model._meta
        for model_field in opts.concrete_fields:
            if model_field.name in self.exclude:
                continue
            heading = capfirst(model_field.verbose_name)
            if model_field.is_relation:
                columns.append((format_lazy("{} (id)", heading), _attribute(model_field.attname)))
                target = model_field.related_model._meta
                for attribute in self.related.get(model_field.name, ()):
                    sub_heading = capfirst(target.get_field(attribute).verbose_name)
                    columns.append((format_lazy("{}: {}", heading, sub_heading),
                                    _attribute(model_field.name, attribute)))
            else:
                columns.append((heading, _attribute(model_field.attname)))
        for many in opts.many_to_many:
            if many.name not in self.exclude:
                columns.append((format_lazy("{} (id)", capfirst(many.verbose_name)), _ids(many.name)))
        return columns

    def rows(self, *, school, user=None) -> QuerySet:
        """The school's rows of this table that `user` may see (None: a shell operator, who sees all)."""
        base = self.queryset() if self.queryset is not None else self.model._default_manager.all()
        condition = Q()
        for path in self.school_paths:
            condition |= Q(**{f"{path}__pk" if path else "pk": school.pk})
        rows = base.filter(condition)
        if user is not None:
            rows = restrict(rows, user, VIEW)
        related = [name for name in self.related if name not in self.exclude]
        many = [m.name for m in self.model._meta.many_to_many if m.name not in self.exclude]
        if related:
            rows = rows.select_related(*related)
        if many:
            rows = rows.prefetch_related(*many)
        return rows.order_by("pk")

    def workbook(self, *, school, user=None) -> tuple[bytes, int]:
        """This table as an XLSX workbook, and its number of rows."""
        columns = self.columns()
        rows = [[value(row) for _heading, value in columns] for row in self.rows(school=school, user=user)]
        return write_xlsx([heading for heading, _value in columns], rows, title=str(self.title)), len(rows)

    @property
    def filename(self) -> str:
        return f"{self.key}.xlsx"


def _attribute(*names: str) -> Callable[[models.Model], Any]:
    def value(row: models.Model) -> Any:
        obj: Any = row
        for name in names:
            if obj is None:
                return None
            obj = getattr(obj, name)
        return cell(obj)

    return value


def _ids(name: str) -> Callable[[models.Model], str]:
    def value(row: models.Model) -> str:
        return ", ".join(str(related.pk) for related in getattr(row, name).all())  # prefetched

    return value


def cell(value: Any) -> Any:
    """A stored value as a spreadsheet cell: lists joined, JSON as text, times in the portal's time
    zone, files by their stored name."""
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


# --- the registry ---------------------------------------------------------------------------------

_TABLES: dict[str, ArchiveTable] = {}


def register(*tables: ArchiveTable) -> None:
    for table in tables:
        _TABLES[table.key] = table


def tables() -> list[ArchiveTable]:
    """The registered tables, in the order the apps registered them (INSTALLED_APPS)."""
    return list(_TABLES.values())


# --- writing the archive --------------------------------------------------------------------------


class _Chunks(io.RawIOBase):
    """A write-only sink the ZIP writer fills and the stream empties after each workbook."""

    def __init__(self) -> None:
        super().__init__()
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


@contextmanager
def _snapshot() -> Iterator[None]:
    """One transaction for the whole archive; on PostgreSQL a read-only REPEATABLE READ snapshot, so
    every table shows the same moment (inside an outer transaction, that one's view is used)."""
    fresh = not connection.in_atomic_block
    with transaction.atomic():
        if fresh and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def iter_archive(*, school, user=None, language: str | None = None) -> Iterator[bytes]:
    """The archive of `school` as seen by `user` (None: everything of the school), as chunks of a ZIP
    file, one workbook at a time. Headings and titles are in `language` (default: the active one)."""
    language = language or translation.get_language()
    sink = _Chunks()
    with translation.override(language), _snapshot():
        contents = []
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:  # XLSX is zipped already
            for number, table in enumerate(tables(), start=1):
                data, count = table.workbook(school=school, user=user)
                filename = f"{number:02d}_{table.filename}"
                archive.writestr(filename, data)
                contents.append((filename, str(table.title), count))
                yield sink.take()
            archive.writestr(CONTENTS_FILE, _contents_workbook(school, user, contents))
        yield sink.take()


def _contents_workbook(school, user, contents: list[tuple[str, str, int]]) -> bytes:
    about = [
        [_("School"), school.name],
        [_("School code"), school.code],
        [_("Exported at"), timezone.localtime().replace(tzinfo=None, microsecond=0)],
        [_("Exported by"), user.get_username() if user is not None else _("a platform operator (manage.py)")],
    ]
    return write_xlsx([_("File"), _("Contents"), _("Rows")], contents, title=_("Contents"),
                      notes=[[_("About this archive"), ""], *about], notes_title=_("About"))


def write_archive(out: BinaryIO, *, school, user=None, language: str | None = None) -> None:
    """Write the archive of `school` to a binary file (the export_school command)."""
    for chunk in iter_archive(school=school, user=user, language=language):
        out.write(chunk)


def archive_filename(school) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"school-{school.code}-data-{stamp}.zip"



def register_tables() -> None:
    """The portal's own table: the school's record (registered in PortalConfig.ready)."""
    from django.utils.translation import gettext_lazy

    from .models import School

    register(ArchiveTable("school", gettext_lazy("School"), School, ("",), related={"region": ("code", "name")}))
