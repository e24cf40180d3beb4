"""Uploaded documents (partnership agreements): which files are accepted, and how they are served.

Accepted are PDF; PNG, JPEG, GIF and WebP images; Word, Excel and PowerPoint files (OOXML .docx,
.xlsx, .pptx and the legacy .doc, .xls, .ppt) and OpenDocument files (.odt, .ods, .odp), up to
settings.DOCUMENT_MAX_BYTES. The kind is read from the content (magic bytes, the parts of a zip
package, the streams of an OLE2 compound file), never from the name or the browser's content type,
and the name's extension must name that kind: a program or web page renamed to .pdf, or a workbook
renamed to .docx, is refused. Office files carrying macros are refused too.

Stored files live in MEDIA_ROOT, outside the static tree, and no URL serves MEDIA_ROOT: they are
downloaded only through views that first check who may see the record they belong to, and those
answer with `document_response` (an attachment, with the content type of the kind its content is,
`nosniff`, no caching by shared caches).
"""
from __future__ import annotations

import os
import struct
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class DocumentKind:
    """One kind of document the portal accepts: its name for users, extensions and content type."""

    key: str
    label: Any
    extensions: tuple[str, ...]
    content_type: str


KINDS: dict[str, DocumentKind] = {
    kind.key: kind
    for kind in (
        DocumentKind("pdf", _("PDF document"), (".pdf",), "application/pdf"),
        DocumentKind("png", _("PNG image"), (".png",), "image/png"),
        DocumentKind("jpeg", _("JPEG image"), (".jpg", ".jpeg"), "image/jpeg"),
        DocumentKind("gif", _("GIF image"), (".gif",), "image/gif"),
        DocumentKind("webp", _("WebP image"), (".webp",), "image/webp"),
        DocumentKind("docx", _("Word document"), (".docx",),
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        DocumentKind("xlsx", _("Excel workbook"), (".xlsx",),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        DocumentKind("pptx", _("PowerPoint presentation"), (".pptx",),
                     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        DocumentKind("odt", _("OpenDocument text"), (".odt",), "application/vnd.oasis.opendocument.text"),
        DocumentKind("ods", _("OpenDocument spreadsheet"), (".ods",), "application/vnd.oasis.opendocument.spreadsheet"),
        DocumentKind("odp", _("OpenDocument presentation"), (".odp",),
                     "application/vnd.oasis.opendocument.presentation"),
        DocumentKind("doc", _("Word 97–2003 document"), (".doc",), "application/msword"),
        DocumentKind("xls", _("Excel 97–2003 workbook"), (".xls",), "application/vnd.ms-excel"),
        DocumentKind("ppt", _("PowerPoint 97–2003 presentation"), (".ppt",), "application/vnd.ms-powerpoint"),
    )
}
KIND_BY_EXTENSION = {extension: kind for kind in KINDS.values() for extension in kind.extensions}
EXTENSIONS = tuple(KIND_BY_EXTENSION)
OCTET_STREAM = "application/octet-stream"

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
# An office package lists a few hundred parts at most; far more means something else (or a bomb).
MAX_ZIP_ENTRIES = 10_000
ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
OOXML_FOLDERS = (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"))
# Streams that identify the legacy formats inside an OLE2 compound file, and the storages that hold
# their macros (Word's "Macros", Excel's "_VBA_PROJECT_CUR").
OLE2_STREAMS = (("WordDocument", "doc"), ("Workbook", "xls"), ("Book", "xls"), ("PowerPoint Document", "ppt"))
OLE2_MACRO_STORAGES = {"macros", "_vba_project_cur", "vba"}


def max_megabytes() -> str:
    return _megabytes(settings.DOCUMENT_MAX_BYTES)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def _help_text() -> str:
    return str(_("A PDF, an image (PNG, JPEG, GIF, WebP) or an office document (Word, Excel, PowerPoint, "
                 "OpenDocument), up to %(limit)s MB.") % {"limit": max_megabytes()})


# The accepted files and the size limit, for help texts (evaluated when shown, in the user's language).
help_text = lazy(_help_text, str)


# --- reading the content --------------------------------------------------------------------------


@dataclass(frozen=True)
class Inspection:
    """What the content of a file is: one of KINDS (None: none of them), and whether it has macros."""

    kind: str | None
    macros: bool = False


def inspect_document(file: IO[bytes]) -> Inspection:
    """The kind of document `file` holds, from its content; the file is left at its start."""
    try:
        file.seek(0)
        head = file.read(16)
        if head.startswith(b"%PDF-"):
            return Inspection("pdf")
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return Inspection("png")
        if head.startswith(b"\xff\xd8\xff"):
            return Inspection("jpeg")
        if head.startswith((b"GIF87a", b"GIF89a")):
            return Inspection("gif")
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return Inspection("webp")
        if head.startswith(ZIP_SIGNATURE):
            return _inspect_zip(file)
        if head.startswith(OLE2_SIGNATURE):
            return _inspect_ole2(file)
        return Inspection(None)
    finally:
        file.seek(0)


def detect_kind(file: IO[bytes]) -> str | None:
    return inspect_document(file).kind


def _inspect_zip(file: IO[bytes]) -> Inspection:
    """An OpenDocument file (a `mimetype` entry naming its kind) or an OOXML package
    (`[Content_Types].xml` and the main folder of its kind). Only the zip's directory and the tiny
    `mimetype` entry are read: nothing is unpacked."""
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                return Inspection(None)
            names = [entry.filename for entry in entries]
            if "mimetype" in names:
                entry = archive.getinfo("mimetype")
                if entry.file_size > 100:
                    return Inspection(None)
                mimetype = archive.read(entry).decode("ascii", "replace").strip()
                return Inspection(ODF_MIMETYPES.get(mimetype))
            if "[Content_Types].xml" not in names:
                return Inspection(None)
            lowered = [name.lower() for name in names]
            macros = any(name.endswith("vbaproject.bin") or "/macrosheets/" in name for name in lowered)
            for folder, kind in OOXML_FOLDERS:
                if any(name.startswith(folder) for name in lowered):
                    return Inspection(kind, macros=macros)
            return Inspection(None)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return Inspection(None)


def _inspect_ole2(file: IO[bytes]) -> Inspection:
    names = {name.lower(): name for name in ole2_entry_names(file)}
    macros = bool(OLE2_MACRO_STORAGES & set(names))
    for stream, kind in OLE2_STREAMS:
        if stream.lower() in names:
            return Inspection(kind, macros=macros)
    return Inspection(None)


_END = 0xFFFFFFFA  # sector numbers from here on are markers (end of chain, free, FAT, DIFAT)


def ole2_entry_names(file: IO[bytes]) -> set[str]:
    """The names of the storages and streams in an OLE2 compound file (MS-CFB): the directory is
    read by following its sector chain through the FAT. A damaged file gives what could be read;
    every loop is bounded by the file's number of sectors, so a cyclic chain cannot hang it."""
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(0)
    header = file.read(512)
    if len(header) < 512 or not header.startswith(OLE2_SIGNATURE):
        return set()
    sector_shift = struct.unpack_from("<H", header, 30)[0]
    if sector_shift not in (9, 12):
        return set()
    sector_size = 1 << sector_shift
    per_sector = sector_size // 4
    fat_count, first_directory = struct.unpack_from("<II", header, 44)
    first_difat, difat_count = struct.unpack_from("<II", header, 68)
    max_sectors = size // sector_size + 1

    def read_sector(number: int) -> bytes:
        file.seek((number + 1) * sector_size)
        return file.read(sector_size)

    fat_sectors = [n for n in struct.unpack_from("<109I", header, 76) if n < _END]
    difat, hops = first_difat, 0
    while difat < _END and hops < min(difat_count, max_sectors) and len(fat_sectors) < fat_count:
        data = read_sector(difat)
        if len(data) < sector_size:
            break
        numbers = struct.unpack(f"<{per_sector}I", data)
        fat_sectors.extend(n for n in numbers[:-1] if n < _END)
        difat, hops = numbers[-1], hops + 1

    def next_sector(number: int) -> int:
        index, offset = divmod(number, per_sector)
        if index >= len(fat_sectors):
            return _END
        data = read_sector(fat_sectors[index])
        return struct.unpack_from("<I", data, offset * 4)[0] if len(data) == sector_size else _END

    names: set[str] = set()
    sector, seen = first_directory, set()
    while sector < _END and sector not in seen and len(seen) < max_sectors:
        seen.add(sector)
        data = read_sector(sector)
        for offset in range(0, len(data) - 127, 128):
            length = struct.unpack_from("<H", data, offset + 64)[0]
            entry_type = data[offset + 66]
            if entry_type in (1, 2) and 2 <= length <= 64 and length % 2 == 0:  # storage or stream
                names.add(data[offset:offset + length - 2].decode("utf-16-le", "replace"))
        sector = next_sector(sector)
    return names


# --- validating an upload -------------------------------------------------------------------------


def _size(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(0)
    return size


def validate_document(value) -> None:
    """Refuse an uploaded document that is too big, of a kind not accepted, whose content is not
    what its name says, or that carries macros (messages for the user, in their language).

    A file already stored (a committed FieldFile) was checked when it was uploaded and is not read
    again, so changing other fields of a record never needs its document."""
    if not value or getattr(value, "_committed", False):
        return
    size, limit = _size(value), settings.DOCUMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            _("The file is too big (%(size)s MB); the limit is %(limit)s MB."),
            code="document_too_big", params={"size": _megabytes(size), "limit": _megabytes(limit)},
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="document_empty")
    extension = os.path.splitext(os.path.basename(value.name or ""))[1].lower()
    expected = KIND_BY_EXTENSION.get(extension)
    if expected is None:
        raise ValidationError(
            _("Upload a PDF, an image (PNG, JPEG, GIF, WebP) or an office document (Word, Excel, PowerPoint, "
              "OpenDocument): the file's name must end in one of %(extensions)s."),
            code="document_type", params={"extensions": ", ".join(EXTENSIONS)},
        )
    found = inspect_document(value)
    if found.kind != expected.key:
        if found.kind is None:
            raise ValidationError(
                _("This file's name says %(kind)s (“%(extension)s”), but its content is not. Upload the "
                  "document itself, not a renamed file."),
                code="document_content", params={"kind": expected.label, "extension": extension},
            )
        actual = KINDS[found.kind]
        raise ValidationError(
            _("This file's name says %(kind)s (“%(extension)s”), but its content is of another kind: "
              "%(actual)s. Give it the extension %(actual_extension)s."),
            code="document_content",
            params={"kind": expected.label, "extension": extension, "actual": actual.label,
                    "actual_extension": actual.extensions[0]},
        )
    if found.macros:
        raise ValidationError(
            _("Documents with macros are not accepted; save it without macros (for example as PDF or %(extension)s)."),
            code="document_macros", params={"extension": expected.extensions[0]},
        )


# --- serving a stored document --------------------------------------------------------------------


def download_name(name: str) -> str:
    """The file name a download offers: the stored name's last part (storage made it safe when the
    file was saved), without control characters."""
    base = os.path.basename(name or "") or "document"
    return "".join(char for char in base if char.isprintable()) or "document"


def document_response(document) -> FileResponse:
    """Answer with a stored document (a FieldFile) as an attachment. Call it only after checking that
    the user may see the record it belongs to. The content type is that of the kind the content is
    (application/octet-stream for a file that is none of them, e.g. one stored before these checks);
    `nosniff` and a sandboxing CSP keep browsers from running it as a page; only the user's own
    browser may cache it. A missing file is a 404."""
    if not document:
        raise Http404
    try:
        handle = document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    kind = detect_kind(handle)
    response = FileResponse(
        handle, as_attachment=True, filename=download_name(document.name),
        content_type=KINDS[kind].content_type if kind else OCTET_STREAM,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- showing a stored document in a form ----------------------------------------------------------


class DocumentLink:
    """A stored document as a file input shows it: its name, linking to `url` (the view that checks
    who may see it) instead of FieldFile.url, which would point into MEDIA_URL, where nothing is served."""

    def __init__(self, document, url: str):
        self.document, self.url = document, url

    def __str__(self) -> str:
        return download_name(self.document.name)

    def __bool__(self) -> bool:
        return bool(self.document)


class DocumentInputMixin:
    """A clearable file input for documents: the current file links to `download_url`, and the
    browser's picker offers the accepted extensions."""

    download_url: str = ""

    def __init__(self, attrs=None, *, download_url: str = ""):
        super().__init__({"accept": ",".join(EXTENSIONS), **(attrs or {})})
        self.download_url = download_url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"].get("is_initial"):
            context["widget"]["value"] = DocumentLink(value, self.download_url)
        return context


class DocumentInput(DocumentInputMixin, forms.ClearableFileInput):
    pass


class AdminDocumentInput(DocumentInputMixin, AdminFileWidget):
    pass


__all__ = [
    "AdminDocumentInput",
    "DocumentInput",
    "EXTENSIONS",
    "KINDS",
    "DocumentKind",
    "Inspection",
    "detect_kind",
    "document_response",
    "help_text",
    "inspect_document",
    "ole2_entry_names",
    "validate_document",
]
