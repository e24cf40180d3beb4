"""Uploaded documents (portal.documents): accepted by content, not by name; refused when too big, of
another kind than their name says, or carrying macros; MEDIA_ROOT kept out of the static tree and
of every URL."""
from __future__ import annotations

import importlib
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, clear_url_caches, resolve
from django.utils import translation

from portal.checks import media_outside_static
from portal.documents import KINDS, detect_kind, ole2_entry_names, validate_document
from portal.tests.documents import EXE, HTML, PDF, ole2, ooxml, opendocument, samples, zip_package


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")  # what the browser says is ignored


def refusal(name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_document(upload(name, content))
    return caught.value


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_accepted_kind_is_recognised_by_its_content_and_accepted(kind):
    name, content = samples()[kind]
    assert detect_kind(io.BytesIO(content)) == kind
    file = upload(name, content)
    validate_document(file)
    assert file.tell() == 0  # left at its start, so it is stored whole


@pytest.mark.parametrize(("name", "content"), [
    ("协议.pdf", EXE), ("agreement.pdf", HTML), ("agreement.docx", EXE), ("scan.png", HTML),
    ("agreement.doc", EXE), ("agreement.docx", zip_package({"readme.txt": b"a zip, not a document"})),
    ("agreement.odt", zip_package({"mimetype": b"application/zip"})),
    ("agreement.pdf", b"  %PDF-1.4 behind spaces"), ("budget.xls", ole2("SomethingElse")),
])
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(name, content):
    error = refusal(name, content)
    assert error.code == "document_content"
    assert "Upload the document itself, not a renamed file." in error.messages[0]


def test_a_document_of_another_accepted_kind_is_refused_with_the_right_extension_named():
    error = refusal("agreement.docx", samples()["xlsx"][1])
    assert error.messages == [
        "This file's name says Word document (“.docx”), but its content is of another kind: Excel workbook. "
        "Give it the extension .xlsx."
    ]
    assert refusal("agreement.doc", samples()["xls"][1]).code == "document_content"
    assert refusal("scan.png", samples()["jpeg"][1]).code == "document_content"


@pytest.mark.parametrize("name", ["setup.exe", "page.html", "agreement", "agreement.pdf.exe", "macro.docm", "a.svg"])
def test_names_of_kinds_not_accepted_are_refused_whatever_the_content(name):
    error = refusal(name, PDF)
    assert error.code == "document_type"
    assert ".pdf, .png, .jpg, .jpeg" in error.messages[0]


@pytest.mark.parametrize(("name", "content"), [
    ("agreement.docx", ooxml("word", "document.xml", extra={"word/vbaProject.bin": b"\x00" * 16})),
    ("budget.xlsx", ooxml("xl", "workbook.xml", extra={"xl/macrosheets/sheet1.xml": b"<xm/>"})),
    ("agreement.doc", ole2("WordDocument", "/Macros")),
    ("budget.xls", ole2("Workbook", "/_VBA_PROJECT_CUR")),
])
def test_office_documents_with_macros_are_refused(name, content):
    assert refusal(name, content).code == "document_macros"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    settings.DOCUMENT_MAX_BYTES = 2 * 1024 * 1024
    error = refusal("协议.pdf", PDF + b"0" * (3 * 1024 * 1024))
    assert error.code == "document_too_big"
    assert error.messages == ["The file is too big (3 MB); the limit is 2 MB."]
    validate_document(upload("协议.pdf", PDF + b"0" * (2 * 1024 * 1024 - len(PDF))))  # exactly the limit


def test_an_empty_file_is_refused():
    assert refusal("empty.pdf", b"").code == "document_empty"


def test_messages_follow_the_users_language(settings):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    with translation.override("zh-hans"):
        message = refusal("协议.pdf", PDF + b"0" * (2 * 1024 * 1024)).messages[0]
    assert "too big" not in message and "2" in message and "1" in message


def test_a_stored_document_is_not_read_again_when_its_record_is_cleaned(tmp_path):
    from partnerships.models import Partnership

    partnership = Partnership(agreement="agreements/2020/01/missing.pdf")  # stored earlier, file gone since
    validate_document(partnership.agreement)  # no error, no read


def test_damaged_and_hostile_containers_are_refused_not_crashed_on():
    cyclic = bytearray(ole2("WordDocument"))
    cyclic[512 + 4:512 + 8] = (1).to_bytes(4, "little")  # the directory's FAT entry points to itself
    assert ole2_entry_names(io.BytesIO(bytes(cyclic))) == {"WordDocument"}
    for name, content in [("agreement.doc", ole2("WordDocument")[:700]), ("agreement.docx", b"PK\x03\x04broken"),
                          ("agreement.odt", zip_package({"mimetype": b"x" * 500})),
                          ("agreement.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600)]:
        assert refusal(name, content).code == "document_content"


def test_opendocument_and_ooxml_are_told_apart_from_their_own_parts():
    assert detect_kind(io.BytesIO(opendocument("spreadsheet"))) == "ods"
    assert detect_kind(io.BytesIO(ooxml("ppt", "presentation.xml"))) == "pptx"
    assert detect_kind(io.BytesIO(zip_package({"word/document.xml": b"<w/>"}))) is None  # no [Content_Types].xml


# --- where documents are kept -------------------------------------------------------------------


def test_media_root_lies_outside_the_static_tree(settings):
    assert media_outside_static() == []
    for static in (Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)):
        assert static.resolve() not in Path(settings.MEDIA_ROOT).resolve().parents


def test_a_media_root_inside_a_static_folder_fails_the_system_check(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.MEDIA_ROOT = tmp_path / "staticfiles" / "media"
    assert [error.id for error in media_outside_static()] == ["portal.E001"]
    settings.STATIC_ROOT, settings.STATICFILES_DIRS = tmp_path / "collected", [tmp_path / "staticfiles"]
    assert [error.id for error in media_outside_static()] == ["portal.E001"]


def test_no_url_serves_media_root_not_even_with_debug(settings):
    import portal.urls

    settings.DEBUG = True
    try:
        importlib.reload(portal.urls)
        clear_url_caches()
        for path in ("/media/agreements/2025/09/协议.pdf", f"{settings.MEDIA_URL}imports/x.json"):
            with pytest.raises(Resolver404):
                resolve(path)
    finally:
        settings.DEBUG = False
        importlib.reload(portal.urls)
        clear_url_caches()
