"""Small but well-formed sample files of every document kind the portal accepts, and some it refuses.

Images are written by Pillow and the XLSX by openpyxl; the other office packages carry the parts
their formats require ([Content_Types].xml and the main folder for OOXML, a first stored `mimetype`
entry for OpenDocument); the legacy office files are OLE2 compound files (MS-CFB) with the stream
that names their format, built by `ole2()`.
"""
from __future__ import annotations

import io
import math
import struct
import zipfile

from PIL import Image

from portal.spreadsheets import write_xlsx

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
# What must never pass as a document: a Windows program and a web page, whatever their names say.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def zip_package(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            compress = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=compress)
    return buffer.getvalue()


CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def ooxml(folder: str, main: str, *, extra: dict[str, bytes] | None = None) -> bytes:
    return zip_package({"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": b"<Relationships/>",
                        f"{folder}/{main}": b"<document/>", **(extra or {})})


def opendocument(kind: str) -> bytes:
    return zip_package({"mimetype": f"application/vnd.oasis.opendocument.{kind}".encode(),
                        "content.xml": b"<office:document-content/>", "META-INF/manifest.xml": b"<manifest/>"})


def ole2(*names: str) -> bytes:
    """An OLE2 compound file (512-byte sectors) whose directory holds a root and empty streams named
    `names` (four entries a sector, the directory chained through the FAT over as many sectors as
    needed); a name starting with "/" is made a storage instead."""
    entries = [("Root Entry", 5)] + [(name.lstrip("/"), 1 if name.startswith("/") else 2) for name in names]
    directory_sectors = math.ceil(len(entries) / 4)
    header = bytearray(512)
    header[0:8] = OLE2_SIGNATURE
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)  # versions, byte order, sector shifts
    struct.pack_into("<II", header, 44, 1, 1)  # one FAT sector; the directory starts at sector 1
    struct.pack_into("<III", header, 56, 4096, END, 0)  # mini stream cutoff, no mini FAT
    struct.pack_into("<II", header, 68, END, 0)  # no DIFAT sectors
    struct.pack_into("<109I", header, 76, 0, *([FREE] * 108))  # the FAT is sector 0
    fat = [FAT_SECTOR] + [sector + 1 for sector in range(1, directory_sectors)] + [END]
    fat_sector = struct.pack("<128I", *(fat + [FREE] * (128 - len(fat))))
    directory = bytearray()
    for index, (name, entry_type) in enumerate(entries):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry[: len(encoded)] = encoded
        struct.pack_into("<HBB", entry, 64, len(encoded), entry_type, 1)
        right = index + 1 if 0 < index < len(entries) - 1 else NO_STREAM
        child = 1 if index == 0 and len(entries) > 1 else NO_STREAM
        struct.pack_into("<III", entry, 68, NO_STREAM, right, child)
        struct.pack_into("<II", entry, 116, END, 0)  # empty stream
        directory += entry
    directory += b"\x00" * (directory_sectors * 512 - len(directory))
    return bytes(header) + fat_sector + bytes(directory)


def samples() -> dict[str, tuple[str, bytes]]:
    """A well-formed file of every accepted kind: {kind: (file name, content)}."""
    return {
        "pdf": ("协议.pdf", PDF),
        "png": ("scan.png", image("PNG")),
        "jpeg": ("scan.JPG", image("JPEG")),
        "gif": ("scan.gif", image("GIF")),
        "webp": ("scan.webp", image("WEBP")),
        "docx": ("agreement.docx", ooxml("word", "document.xml")),
        "xlsx": ("budget.xlsx", write_xlsx(["item", "value"], [["equipment", 1000]])),
        "pptx": ("slides.pptx", ooxml("ppt", "presentation.xml")),
        "odt": ("agreement.odt", opendocument("text")),
        "ods": ("budget.ods", opendocument("spreadsheet")),
        "odp": ("slides.odp", opendocument("presentation")),
        "doc": ("agreement.doc", ole2("\x01CompObj", "WordDocument", "1Table", "\x05SummaryInformation")),
        "xls": ("budget.xls", ole2("Workbook")),
        "ppt": ("slides.ppt", ole2("Current User", "PowerPoint Document", "Pictures")),
    }
