"""Spreadsheet import of teachers, courses and program-year figures: upload → preview → confirm,
all-or-nothing, the school's own programs only, progress of large files, who may use it, and the
safe spreadsheet writer of portal.spreadsheets."""
from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from portal.spreadsheets import escape_cell, read_table, write_csv, write_xlsx
from portal.tests.factories import EnterpriseFactory
from programs import imports
from programs.models import Course, ProgramYear, Teacher
from programs.tests.factories import (
    CourseFactory,
    ProgramFactory,
    ProgramYearFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    yield tmp_path
    cache.clear()


@pytest.fixture
def program_a(school_a):
    return ProgramFactory(school=school_a, code="460301", name="智能制造技术")


@pytest.fixture
def admin_client(client, college_admin_a):
    client.force_login(college_admin_a)
    return client


def xlsx_file(rows, name="data.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX_TYPE)


def csv_file(rows, name="data.csv", bom=True):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8"),
                              content_type="text/csv")


def upload(client, kind, file):
    return client.post(reverse("programs:import"), {"kind": kind, "file": file})


def token_of(response) -> str:
    assert response.status_code == 302, getattr(response, "content", b"")[:2000]
    match = re.fullmatch(r"/teaching/import/([A-Za-z0-9_-]+)/", response.url)
    assert match, response.url
    return match.group(1)


def confirm(client, token):
    return client.post(reverse("programs:import-confirm", args=[token]))


TEACHER_HEADERS = ["staff_no", "name", "employment", "professional", "dual_qualified", "dual_qualified_level",
                   "dual_qualified_since", "employer_credit_code", "annual_teaching_hours", "active"]


# --- a valid file imports fully -------------------------------------------------------------------


def test_a_valid_xlsx_of_teachers_imports_fully(admin_client, school_a, enterprise):
    TeacherFactory(school=school_a, staff_no="T001", name="旧名字", annual_teaching_hours=100)
    rows = [
        TEACHER_HEADERS,
        ["T001", "王老师", "full_time", "yes", "yes", "senior", datetime.datetime(2021, 9, 1), None, 360, "yes"],
        [1002, "李师傅", "part_time_industry", "no", "no", None, None, enterprise.credit_code, 64, True],
        ["T003", "赵老师", "full_time", None, None, None, None, None, None, None],
    ]
    response = upload(admin_client, "teachers", xlsx_file(rows))
    token = token_of(response)

    preview = admin_client.get(response.url)
    assert preview.status_code == 200
    assert preview.context["counts"] == {"rows": 3, "create": 2, "update": 1, "unchanged": 0, "invalid": 0}
    assert "Confirm the import" in preview.content.decode()
    assert Teacher.objects.filter(school=school_a).count() == 1  # the preview writes nothing

    done = confirm(admin_client, token)
    assert done.status_code == 302 and done.url == reverse("programs:import-progress", args=[token])
    summary = admin_client.get(done.url)
    assert summary.context["status"]["created"] == 2 and summary.context["status"]["updated"] == 1
    assert "2 records created, 1 record updated" in summary.content.decode()

    teachers = {t.staff_no: t for t in Teacher.objects.filter(school=school_a)}
    assert set(teachers) == {"T001", "1002", "T003"}
    first = teachers["T001"]
    assert (first.name, first.dual_qualified, first.dual_qualified_level) == ("王老师", True, "senior")
    assert first.dual_qualified_since == datetime.date(2021, 9, 1) and first.annual_teaching_hours == 360
    industry = teachers["1002"]
    assert industry.employer == enterprise and industry.professional is False and industry.annual_teaching_hours == 64
    third = teachers["T003"]  # empty cells: the defaults of a new teacher
    assert (third.professional, third.dual_qualified, third.active, third.annual_teaching_hours) == (True, False,
                                                                                                    True, 0)
    # the upload is gone once imported; its preview leads to the summary
    assert admin_client.get(reverse("programs:import-preview", args=[token])).url == done.url


def test_a_valid_csv_of_courses_imports_fully(admin_client, program_a):
    CourseFactory(program=program_a, code="C01", name="旧课程", theory_hours=10, practice_hours=10)
    CourseFactory(program=program_a, code="C09", name="不变", theory_hours=8, practice_hours=8, professional=True)
    rows = [
        ["program_code", "code", "name", "theory_hours", "practice_hours", "professional",
         "co_developed_with_credit_code"],
        ["460301", "C01", "工业机器人编程", "32", "64", "是", ""],
        ["460301", "C02", "电气控制", "48", "16", "否", ""],
        ["460301", "C09", "不变", "8", "8", "yes", ""],
    ]
    token = token_of(upload(admin_client, "courses", csv_file(rows)))
    preview = admin_client.get(reverse("programs:import-preview", args=[token]))
    assert preview.context["counts"] == {"rows": 3, "create": 1, "update": 1, "unchanged": 1, "invalid": 0}
    summary = admin_client.get(confirm(admin_client, token).url)
    assert summary.context["status"]["created"] == 1
    assert summary.context["status"]["updated"] == 1
    assert summary.context["status"]["unchanged"] == 1
    courses = {c.code: c for c in Course.objects.filter(program=program_a)}
    assert (courses["C01"].name, courses["C01"].theory_hours, courses["C01"].practice_hours) == ("工业机器人编程",
                                                                                                  32, 64)
    assert courses["C02"].professional is False and courses["C02"].theory_hours == 48


def test_program_years_import_from_a_csv_without_bom_with_chinese_headers(admin_client, program_a):
    ProgramYearFactory(program=program_a, year=2023)
    rows = [
        ["专业代码", "学年", "招生人数", "在校生数", "毕业生数", "就业人数", "对口就业人数", "合作企业录用人数",
         "订单班学生数", "学徒数"],
        ["460301", "2023", "60", "160", "50", "48", "40", "10", "20", "10"],
        ["460301", "2024-2025", "55", "150", "45", "42", "35", "12", "20", "10"],
    ]
    token = token_of(upload(admin_client, "program_years", csv_file(rows, bom=False)))
    confirm(admin_client, token)
    years = {y.year: y for y in ProgramYear.objects.filter(program=program_a)}
    assert set(years) == {2023, 2024}
    assert (years[2023].enrolled, years[2023].graduates, years[2023].employed) == (60, 50, 48)
    assert (years[2024].students, years[2024].employed_by_partners) == (150, 12)


def test_a_teacher_is_updated_by_staff_number(admin_client, school_a, school_b):
    mine = TeacherFactory(school=school_a, staff_no="T100", name="张三", active=True, annual_teaching_hours=200)
    theirs = TeacherFactory(school=school_b, staff_no="T100", name="乙校张三")
    rows = [["staff_no", "name", "active"], ["T100", "张三丰", "no"]]
    token = token_of(upload(admin_client, "teachers", xlsx_file(rows)))
    assert admin_client.get(reverse("programs:import-preview", args=[token])).context["counts"]["update"] == 1
    confirm(admin_client, token)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.name, mine.active, mine.annual_teaching_hours) == ("张三丰", False, 200)  # column left out: kept
    assert theirs.name == "乙校张三"  # the other school's teacher with the same staff number is untouched
    assert Teacher.objects.count() == 2


# --- invalid rows: nothing is saved ---------------------------------------------------------------


def test_one_bad_row_imports_nothing_and_the_preview_names_row_and_column(admin_client, program_a):
    rows = [
        ["program_code", "code", "name", "theory_hours", "practice_hours"],
        ["460301", "C01", "课程一", 32, 32],
        ["460301", "C02", "课程二", "many", 16],  # sheet row 3
        ["460301", "C03", "课程三", 0, 0],  # sheet row 4: the model's own rule
    ]
    token = token_of(upload(admin_client, "courses", xlsx_file(rows)))
    preview = admin_client.get(reverse("programs:import-preview", args=[token]))
    page = preview.content.decode()
    assert preview.context["counts"]["invalid"] == 2
    assert (3, "theory_hours", "Enter a whole number.") in preview.context["errors"]
    assert (4, "practice_hours", "A course has at least one hour of theory or practice.") in preview.context["errors"]
    assert "Row 3, column theory_hours:" in page and "Confirm the import" not in page
    assert "?errors=1" in page
    only_errors = admin_client.get(reverse("programs:import-preview", args=[token]) + "?errors=1")
    assert [item["row"].number for item in only_errors.context["rows"]] == [3, 4]

    # confirming anyway (a forged POST) saves nothing
    response = confirm(admin_client, token)
    assert response.status_code == 302 and response.url == reverse("programs:import-preview", args=[token])
    assert not Course.objects.exists()


def test_a_database_rule_across_fields_becomes_a_row_error(admin_client, program_a, enterprise):
    rows = [TEACHER_HEADERS,
            ["T1", "甲", "full_time", "yes", "no", "senior", None, None, 10, "yes"],
            ["T2", "乙", "full_time", "yes", "no", None, None, enterprise.credit_code, 10, "yes"],
            ["T3", "丙", "part_time_industry", "yes", "no", None, None, "91110000000000000X", 10, "yes"],
            ["T3", "丙", "full_time", "yes", "no", None, None, None, 10, "yes"]]
    token = token_of(upload(admin_client, "teachers", xlsx_file(rows)))
    errors = admin_client.get(reverse("programs:import-preview", args=[token])).context["errors"]
    columns = {(row, column) for row, column, _message in errors}
    assert (2, "dual_qualified_level") in columns
    assert (3, "employer_credit_code") in columns
    assert (4, "employer_credit_code") in columns  # no such enterprise
    assert (5, "staff_no") in columns  # the same teacher twice in the file
    assert [c for r, c, _m in errors if r == 4] == ["employer_credit_code"]  # one message per problem
    assert not Teacher.objects.exists()


def test_the_confirmation_validates_again(admin_client, program_a):
    """Data changed between preview and confirmation: the rows are checked again, nothing is saved."""
    rows = [["program_code", "year", "enrolled"], ["460301", 2024, 10]]
    token = token_of(upload(admin_client, "program_years", csv_file(rows)))
    assert admin_client.get(reverse("programs:import-preview", args=[token])).context["result"].valid
    program_a.delete()
    response = confirm(admin_client, token)
    assert response.url == reverse("programs:import-preview", args=[token])
    preview = admin_client.get(response.url)
    assert "Nothing was saved" in preview.content.decode()
    assert preview.context["errors"] == [(2, "program_code", "Your school has no program with the code 460301.")]
    assert not ProgramYear.objects.exists()


def test_confirming_twice_imports_once(admin_client, school_a):
    token = token_of(upload(admin_client, "teachers", csv_file([["staff_no", "name"], ["T1", "王"]])))
    first, second = confirm(admin_client, token), confirm(admin_client, token)
    assert first.url == second.url == reverse("programs:import-progress", args=[token])
    assert Teacher.objects.filter(school=school_a).count() == 1
    assert admin_client.get(reverse("programs:import-status", args=[token])).json()["created"] == 1


def test_a_program_code_of_another_school_is_refused(client, college_admin_b, program_a, school_b):
    ProgramFactory(school=school_b, code="460302")
    client.force_login(college_admin_b)
    rows = [["program_code", "year", "enrolled", "students"], ["460302", 2024, 10, 30], ["460301", 2024, -1, 30]]
    token = token_of(upload(client, "program_years", csv_file(rows)))
    preview = client.get(reverse("programs:import-preview", args=[token]))
    assert preview.context["errors"] == [
        (3, "program_code", "Your school has no program with the code 460301."),
        (3, "enrolled", "Ensure this value is greater than or equal to 0."),  # the other cells are checked too
    ]
    confirm(client, token)
    assert not ProgramYear.objects.exists()


def test_a_file_without_required_columns_is_refused_at_upload(admin_client):
    response = upload(admin_client, "teachers", csv_file([["name", "foo"], ["王", "x"]]))
    assert response.status_code == 200
    assert "Required columns are missing: staff_no." in response.context["form"].errors["file"][0]


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("t.pdf", b"%PDF-1.4 something"), "Upload an XLSX workbook or a CSV file (UTF-8)."),
        (SimpleUploadedFile("t.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
         "Old Excel files (.xls) cannot be read"),
        (SimpleUploadedFile("t.xlsx", b"not a zip at all"), "This file is not a valid XLSX workbook."),
        (SimpleUploadedFile("t.csv", b""), "The submitted file is empty."),
        (SimpleUploadedFile("t.csv", b"\xef\xbb\xbf\r\n\r\n"), "The file is empty."),
        (SimpleUploadedFile("t.csv", b"staff_no,name\r\n"), "The file has a header row but no data rows."),
        (SimpleUploadedFile("t.csv", "工号,姓名\n1,王\n".encode("gbk")), "The CSV file is not UTF-8 text"),
        (SimpleUploadedFile("t.csv", b"staff_no,name\n" + b"x" * (5 * 1024 * 1024)), "The file is too big"),
    ],
    ids=["wrong-type", "old-xls", "broken-xlsx", "empty", "blank", "no-rows", "not-utf8", "too-big"],
)
def test_unreadable_files_get_a_clear_message(admin_client, file, message):
    response = upload(admin_client, "teachers", file)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert message.split("(")[0] in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert not Teacher.objects.exists()


# --- large files: progress ------------------------------------------------------------------------


def test_a_large_file_is_saved_by_the_task_with_progress(admin_client, school_a, celery_eager, monkeypatch):
    # Tasks in-process, as with no broker (CI configures one; a real worker is tested in evaluation).
    celery_eager(True)
    monkeypatch.setattr(imports, "BACKGROUND_THRESHOLD", 5)
    calls = []
    original = imports.import_task.delay
    monkeypatch.setattr(imports.import_task, "delay", lambda token: calls.append(token) or original(token))
    rows = [["staff_no", "name"]] + [[f"T{n:03d}", f"教师{n}"] for n in range(12)]
    token = token_of(upload(admin_client, "teachers", csv_file(rows)))
    preview = admin_client.get(reverse("programs:import-preview", args=[token]))
    assert "saved in the background" in preview.content.decode()
    response = confirm(admin_client, token)
    assert calls == [token]  # the Celery task ran (in-process: no broker configured)
    assert Teacher.objects.filter(school=school_a).count() == 12
    status = admin_client.get(reverse("programs:import-status", args=[token])).json()
    assert status == {"state": "done", "finished": True, "done": 12, "total": 12, "percent": 100, "created": 12,
                      "updated": 0, "unchanged": 0, "message": ""}
    page = admin_client.get(response.url).content.decode()
    assert "12 records created" in page


def test_the_progress_page_polls_while_the_import_runs(admin_client, college_admin_a):
    token = "A" * 32
    imports.set_progress(token, state="saving", user=college_admin_a.pk, kind="teachers", total=800, done=200)
    page = admin_client.get(reverse("programs:import-progress", args=[token])).content.decode()
    status_url = reverse("programs:import-status", args=[token])
    assert f'data-import-status="{status_url}"' in page
    assert 'max="800" value="200"' in page and "Saving rows: 200 of 800" in page
    assert admin_client.get(status_url).json()["percent"] == 25


# --- who may import -------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login(client):
    for url in (reverse("programs:import"), reverse("programs:import-template", args=["teachers", "csv"])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["liaison", "reviewer"])
def test_liaisons_and_reviewers_may_not_import(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programs:import")).status_code == 403
    response = client.post(reverse("programs:import"), {"kind": "teachers",
                                                        "file": csv_file([["staff_no", "name"], ["T1", "王"]])})
    assert response.status_code == 403
    assert not Teacher.objects.exists()


def test_another_schools_admin_cannot_see_or_confirm_an_upload(client, college_admin_a, college_admin_b, liaison):
    client.force_login(college_admin_a)
    token = token_of(upload(client, "teachers", csv_file([["staff_no", "name"], ["T1", "王"]])))
    for user, status in ((college_admin_b, 404), (liaison, 403)):
        client.force_login(user)
        assert client.get(reverse("programs:import-preview", args=[token])).status_code == status
        assert confirm(client, token).status_code == status
        assert client.post(reverse("programs:import-cancel", args=[token])).status_code == status
    client.logout()
    assert confirm(client, token).status_code == 302  # to the login
    assert not Teacher.objects.exists()
    # the status of someone else's import is not found either
    client.force_login(college_admin_a)
    confirm(client, token)
    client.force_login(college_admin_b)
    assert client.get(reverse("programs:import-status", args=[token])).status_code == 404
    assert client.get(reverse("programs:import-progress", args=[token])).status_code == 404


def test_a_platform_admin_chooses_the_school(client, platform_admin, school_a, school_b):
    client.force_login(platform_admin)
    assert "school" in client.get(reverse("programs:import")).context["form"].fields
    response = client.post(reverse("programs:import"), {"kind": "teachers", "school": school_b.pk,
                                                        "file": csv_file([["staff_no", "name"], ["T1", "王"]])})
    confirm(client, token_of(response))
    assert Teacher.objects.get().school == school_b


def test_cancelling_an_upload_discards_it(admin_client, media):
    token = token_of(upload(admin_client, "teachers", csv_file([["staff_no", "name"], ["T1", "王"]])))
    assert (media / "imports" / f"{token}.json").exists()
    admin_client.post(reverse("programs:import-cancel", args=[token]))
    assert not (media / "imports" / f"{token}.json").exists()
    assert admin_client.get(reverse("programs:import-preview", args=[token])).status_code == 404


# --- templates ------------------------------------------------------------------------------------


def test_the_start_page_offers_every_template(admin_client):
    page = admin_client.get(reverse("programs:import")).content.decode()
    for kind in ("teachers", "courses", "program_years"):
        for fmt in ("xlsx", "csv"):
            assert reverse("programs:import-template", args=[kind, fmt]) in page


@pytest.mark.parametrize("kind", ["teachers", "courses", "program_years"])
def test_the_templates_download_and_have_the_headers(admin_client, kind):
    expected = imports.KINDS[kind].headers
    xlsx = admin_client.get(reverse("programs:import-template", args=[kind, "xlsx"]))
    assert xlsx["Content-Type"] == XLSX_TYPE
    assert f'filename="import-{kind.replace("_", "-")}.xlsx"' in xlsx["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == expected and sheet.max_row == 1
    text = admin_client.get(reverse("programs:import-template", args=[kind, "csv"])).content.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == expected
    assert admin_client.get(reverse("programs:import-template", args=[kind, "ods"])).status_code == 404


def test_expected_headers_of_the_teacher_template():
    assert imports.KINDS["teachers"].headers == TEACHER_HEADERS
    assert imports.KINDS["program_years"].headers == [
        "program_code", "year", "enrolled", "students", "graduates", "employed", "employed_in_field",
        "employed_by_partners", "order_class_students", "apprentices"]


def test_a_filled_in_template_imports(admin_client, school_a):
    """Round trip: the downloaded XLSX template, filled in, is accepted as it is."""
    content = admin_client.get(reverse("programs:import-template", args=["teachers", "xlsx"])).content
    workbook = load_workbook(io.BytesIO(content))
    workbook.worksheets[0].append(["T9", "钱老师"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    token = token_of(upload(admin_client, "teachers", SimpleUploadedFile("filled.xlsx", buffer.getvalue())))
    confirm(admin_client, token)
    assert Teacher.objects.get(school=school_a).staff_no == "T9"


# --- the safe writer ------------------------------------------------------------------------------

DANGEROUS = ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_the_csv_writer_escapes_formula_cells():
    data = write_csv(["name", "hours"], [[value, -5] for value in DANGEROUS] + [["plain", 3]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["'" + v for v in DANGEROUS] + ["plain"]
    assert rows[1][1] == "-5"  # a number is a number, not a formula


def test_the_xlsx_writer_escapes_formula_cells():
    data = write_xlsx(["name", "hours"], [[value, -5] for value in DANGEROUS] + [["plain", 3]],
                      notes=[["=cmd|' /C calc'!A0", "x"]])
    workbook = load_workbook(io.BytesIO(data))  # formulas would come back as "=..." strings with data_type "f"
    sheet = workbook.worksheets[0]
    cells = [sheet.cell(row=n, column=1) for n in range(2, len(DANGEROUS) + 3)]
    # (XML stores a carriage return as a line feed)
    assert [c.value for c in cells] == ["'" + v.replace("\r", "\n") for v in DANGEROUS] + ["plain"]
    assert all(c.data_type == "s" for c in cells)
    assert sheet.cell(row=2, column=2).value == -5
    assert workbook.worksheets[1].cell(row=1, column=1).value == "'=cmd|' /C calc'!A0"


def test_escaped_cells_read_back_as_written():
    assert escape_cell("=1") == "'=1" and escape_cell("a=1") == "a=1" and escape_cell(-1) == -1
    table = read_table(SimpleUploadedFile("x.csv", write_csv(["name"], [["=1+2"], ["'quoted"]])))
    assert [cells[0] for _n, cells in table.rows] == ["=1+2", "'quoted"]


def test_reading_keeps_sheet_row_numbers_and_skips_blank_rows():
    table = read_table(xlsx_file([["staff_no", "name"], ["T1", "王"], [None, None], ["T2", "李"]]))
    assert table.headers == ["staff_no", "name"]
    assert [number for number, _cells in table.rows] == [2, 4]
    semicolons = read_table(SimpleUploadedFile("x.csv", "staff_no;name\nT1;王\n".encode()))
    assert semicolons.rows == [(2, ["T1", "王"])]


def test_an_enterprise_by_credit_code_on_a_course(admin_client, program_a):
    partner = EnterpriseFactory()
    rows = [["program_code", "code", "name", "theory_hours", "practice_hours", "co_developed_with_credit_code"],
            ["460301", "C01", "课程", 16, 16, partner.credit_code.lower()]]
    confirm(admin_client, token_of(upload(admin_client, "courses", csv_file(rows))))
    assert Course.objects.get().co_developed_with == partner
