"""Cross-tenant attacks on the browser pages and their exports.

Every page route that takes a URL argument (the URL resolver's, admin aside) is requested by the
personas of tenant A (alice, carol, dave) with the arguments naming rows of tenant B, by GET and by
POST (with a forged body that names B's rows too). PAGES says what each answers; a new route fails
test_every_page_route_with_an_argument_is_attacked until it is added there. Whatever the answer:
nothing is written, a refusal says nothing of B, and a page that may be shown (B's directory data)
shows no private text of B. List pages, dashboards, reports and exports get B's rows in their
filters; exports and the annual reports (PDF included) of A's users hold no row of B at all.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from evaluation import runs
from evaluation.choices import FeedbackDimension
from evaluation.models import IndicatorValue
from portal.scoping import restrict

from . import tenants as t
from .test_csrf import browser_routes, fill

ROUTES = browser_routes()
Y = t.Y


def each(alice: tuple[int, int], carol: tuple[int, int], dave: tuple[int, int]) -> dict[str, tuple[int, int]]:
    """The (GET, POST) answers each persona of tenant A gets."""
    return {"alice": alice, "carol": carol, "dave": dave}


def same(get: int, post: int) -> dict[str, tuple[int, int]]:
    return each((get, post), (get, post), (get, post))


KEEPERS_ONLY = each((404, 404), (403, 403), (403, 403))  # college-admin pages: others 403 before any lookup
HIDDEN = same(404, 404)
HIDDEN_VIEW = same(404, 405)
HIDDEN_ACTION = same(405, 404)
PUBLIC_VIEW = same(200, 405)
NOT_YOURS = same(403, 403)

# url name -> [(what the arguments name, arguments naming tenant B's rows, expected answers)]
Args = Callable[[object], dict]
PAGES: dict[str, list[tuple[str, Args, dict]]] = {
    "token-revoke": [("b_alice's token", lambda b: {"pk": b.token.pk}, HIDDEN_ACTION)],
    "programs:program-detail": [("program", lambda b: {"pk": b.program.pk}, PUBLIC_VIEW)],
    "programs:program-edit": [("program", lambda b: {"pk": b.program.pk}, NOT_YOURS)],
    "programs:course-add": [("program", lambda b: {"program": b.program.pk}, NOT_YOURS)],
    "programs:course-edit": [("course", lambda b: {"program": b.program.pk, "pk": b.course.pk}, NOT_YOURS)],
    "programs:course-delete": [("course", lambda b: {"program": b.program.pk, "pk": b.course.pk}, same(405, 403))],
    "programs:teacher-detail": [("teacher", lambda b: {"pk": b.teacher.pk}, HIDDEN_VIEW)],
    "programs:teacher-edit": [("teacher", lambda b: {"pk": b.teacher.pk}, KEEPERS_ONLY)],
    "programs:teacher-delete": [("teacher", lambda b: {"pk": b.teacher.pk}, HIDDEN_ACTION)],
    "programs:placement-edit": [("placement", lambda b: {"pk": b.placement.pk}, KEEPERS_ONLY)],
    "programs:placement-delete": [("placement", lambda b: {"pk": b.placement.pk}, HIDDEN_ACTION)],
    "programs:placement-verify": [("placement", lambda b: {"pk": b.placement.pk}, HIDDEN_ACTION)],
    "programs:program-year-add": [("program", lambda b: {"program": b.program.pk}, NOT_YOURS)],
    "programs:program-year-edit": [("figures", lambda b: {"program": b.program.pk, "pk": b.record.pk}, NOT_YOURS)],
    "programs:program-year-delete": [("figures", lambda b: {"program": b.program.pk, "pk": b.record.pk},
                                      HIDDEN_ACTION)],
    "programs:import-preview": [("b_alice's upload", lambda b: {"token": b.import_token},
                                 each((404, 405), (403, 403), (403, 403)))],
    "programs:import-confirm": [("b_alice's upload", lambda b: {"token": b.import_token},
                                 each((405, 404), (403, 403), (403, 403)))],
    "programs:import-cancel": [("b_alice's upload", lambda b: {"token": b.import_token},
                                each((405, 404), (403, 403), (403, 403)))],
    "programs:import-progress": [("b_alice's upload", lambda b: {"token": b.import_token},
                                  each((404, 405), (403, 403), (403, 403)))],
    "programs:import-status": [("b_alice's upload", lambda b: {"token": b.import_token},
                                each((404, 405), (403, 403), (403, 403)))],
    "partnerships:partnership-detail": [("partnership", lambda b: {"pk": b.partnership.pk}, HIDDEN_VIEW)],
    "partnerships:partnership-edit": [("partnership", lambda b: {"pk": b.partnership.pk}, HIDDEN)],
    "partnerships:partnership-agreement": [("partnership", lambda b: {"pk": b.partnership.pk}, HIDDEN_VIEW)],
    **{f"partnerships:partnership-{action}": [("partnership", lambda b: {"pk": b.partnership.pk}, HIDDEN_ACTION),
                                              ("active one", lambda b: {"pk": b.active.pk}, HIDDEN_ACTION)]
       for action in ("accept", "decline", "suspend", "end")},
    "partnerships:contribution-add": [("partnership", lambda b: {"partnership": b.active.pk}, HIDDEN)],
    "partnerships:project-detail": [("open project", lambda b: {"pk": b.project.pk}, PUBLIC_VIEW),
                                    ("draft", lambda b: {"pk": b.draft.pk}, HIDDEN_VIEW)],
    "partnerships:project-edit": [("open project", lambda b: {"pk": b.project.pk}, NOT_YOURS),
                                  ("draft", lambda b: {"pk": b.draft.pk}, each((403, 403), (404, 404), (403, 403)))],
    "partnerships:project-status": [("open project", lambda b: {"pk": b.project.pk}, same(405, 403)),
                                    ("draft", lambda b: {"pk": b.draft.pk}, HIDDEN_ACTION)],
    # An open project is any college's to adopt, into its own courses only: the forged body names B's course.
    "partnerships:project-adopt": [("open project", lambda b: {"pk": b.project.pk},
                                    each((200, 403), (403, 403), (403, 403))),
                                   ("draft", lambda b: {"pk": b.draft.pk}, HIDDEN)],
    "partnerships:adoption-edit": [("adoption", lambda b: {"pk": b.adoption.pk}, HIDDEN)],
    "partnerships:demand-detail": [("demand", lambda b: {"pk": b.demand.pk}, PUBLIC_VIEW)],
    "partnerships:demand-edit": [("demand", lambda b: {"pk": b.demand.pk}, NOT_YOURS)],
    "partnerships:base-detail": [("base", lambda b: {"pk": b.base.pk}, PUBLIC_VIEW)],
    "partnerships:base-edit": [("base", lambda b: {"pk": b.base.pk}, NOT_YOURS)],
    "partnerships:usage-add": [("base", lambda b: {"base": b.base.pk}, NOT_YOURS)],
    "partnerships:usage-edit": [("use", lambda b: {"base": b.base.pk, "pk": b.usage.pk}, NOT_YOURS)],
    "partnerships:service-edit": [("service", lambda b: {"pk": b.service.pk}, KEEPERS_ONLY)],
    "partnerships:patent-edit": [("patent", lambda b: {"pk": b.patent.pk}, KEEPERS_ONLY)],
    "directory:school-detail": [("school", lambda b: {"pk": b.school.pk}, PUBLIC_VIEW)],
    "directory:enterprise-detail": [("enterprise", lambda b: {"pk": b.enterprise.pk}, PUBLIC_VIEW)],
    "directory:program-detail": [("program", lambda b: {"pk": b.program.pk}, PUBLIC_VIEW)],
    "directory:project-detail": [("open project", lambda b: {"pk": b.project.pk}, PUBLIC_VIEW),
                                 ("draft", lambda b: {"pk": b.draft.pk}, HIDDEN_VIEW)],
    "directory:consortium-detail": [("consortium", lambda b: {"pk": b.consortium_p.pk}, PUBLIC_VIEW)],
    "evaluation:partnership-feedback-add": [("partnership", lambda b: {"pk": b.active.pk}, HIDDEN)],
    # Any liaison sees the form; the service refuses a non-partner's scores (shown on the form).
    "evaluation:program-feedback-add": [("program", lambda b: {"pk": b.program.pk},
                                         each((403, 403), (200, 200), (403, 403)))],
    "evaluation:records": [("school value", lambda b: {"indicator": "dual_qualified_ratio", "level": "school",
                                                       "subject": b.school.pk, "year": Y}, HIDDEN_VIEW)],
    "evaluation:school-report": [("school", lambda b: {"pk": b.school.pk, "year": Y}, HIDDEN)],
    "evaluation:region-report": [("province", lambda b: {"code": b.P.code, "year": Y}, HIDDEN)],
    "evaluation:warning-acknowledge": [("warning", lambda b: {"pk": b.warning.pk}, HIDDEN_ACTION)],
    # A record's audit trail: platform admins and reviewers (of the record's region) only.
    "history": [(f"{label} of B", lambda b, app=app, model=model, key=key: {
        "app_label": app, "model_name": model, "pk": getattr(b, key).pk}, each((403, 405), (403, 405), (404, 405)))
        for label, app, model, key in (("teacher", "programs", "teacher", "teacher"),
                                       ("partnership", "partnerships", "partnership", "active"),
                                       ("school", "portal", "school", "school"))],
}
# Routes whose arguments name no row of any tenant.
NO_TENANT_ROWS = {"programs:import-template": "a blank template of an import kind"}


def forged_post(b) -> dict:
    """A body a form of any page could take, naming B's rows wherever a form names a row."""
    return {
        "title": "forged", "name": "forged", "note": "forged", "comment": "forged", "status": "completed",
        "verified": "on", "school": b.school.pk, "enterprise": b.enterprise.pk, "program": b.program.pk,
        "programs": [b.program.pk], "course": b.course.pk, "teacher": b.teacher.pk, "base": b.base.pk,
        "partnership": b.active.pk, "year": 2026, "students": 5, "party": "school", "kind": "funds", "value": "1",
        "date": "2025-01-01", "code": "999999", "staff_no": "F1", "theory_hours": 1, "practice_hours": 1,
        **{f"score_{dimension}": "5" for dimension in FeedbackDimension.values},
    }


@pytest.fixture
def tenants(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    tenants = t.build()
    # A real stored upload of tenant B's college admin, whose token tenant A's users then try.
    uploader = Client()
    uploader.force_login(tenants.b.alice)
    file = SimpleUploadedFile("t.csv", f"staff_no,name\nT901,{t.B_TEXT} 新老师\n".encode(), content_type="text/csv")
    response = uploader.post(reverse("programs:import"), {"kind": "teachers", "file": file})
    assert response.status_code == 302, response.content[:500]
    tenants.b.import_token = re.fullmatch(r"/teaching/import/([A-Za-z0-9_-]+)/", response.url).group(1)
    return tenants


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def assert_shows_nothing_private_of_b(tenants, body: str, where: str) -> None:
    for text in t.private_texts(tenants.b):
        assert text not in body, f"{where}: shows {text!r} of tenant B"


def test_every_page_route_with_an_argument_is_attacked():
    named = {name for _route, name, arguments in ROUTES
             if arguments and not _route.startswith("admin/")}
    assert named == set(PAGES) | set(NO_TENANT_ROWS), (named - set(PAGES) - set(NO_TENANT_ROWS),
                                                        set(PAGES) - named)


CASES = [(name, what, args, expected) for name, variants in PAGES.items() for what, args, expected in variants]


@pytest.mark.parametrize(("name", "what", "args", "expected"), CASES, ids=[f"{n}-{w}" for n, w, _a, _e in CASES])
def test_a_page_naming_another_tenants_row_answers_as_promised_and_writes_nothing(name, what, args, expected,
                                                                                 tenants):
    url = reverse(name, kwargs=args(tenants.b))
    for persona, (get_status, post_status) in expected.items():
        client = client_of(getattr(tenants.a, persona))
        before = t.snapshot()
        for method, status in (("get", get_status), ("post", post_status)):
            response = client.get(url) if method == "get" else client.post(url, forged_post(tenants.b))
            where = f"{method.upper()} {url} ({what} of B) as {persona}"
            assert response.status_code == status, (where, response.status_code, text_of(response)[:300])
            body = text_of(response)
            if status == 200:
                assert_shows_nothing_private_of_b(tenants, body, where)
            else:
                assert t.B_TEXT not in body, f"{where}: the refusal names tenant B"
        assert t.changed_tables(before, t.snapshot()) == [], f"{url} as {persona} wrote"


def test_the_admin_turns_away_tenant_users_on_every_route(tenants):
    """Tenant users are not staff: every admin route (B's rows named where a route names one) sends
    them to the admin's login, and nothing is written."""
    for route, name, arguments in ROUTES:
        if not route.startswith("admin/") or not name or name in ("admin:login", "admin:logout"):
            continue
        url = reverse(name, kwargs=fill(tenants.b, route, name, arguments))
        for persona in t.ATTACKERS:
            client = client_of(getattr(tenants.a, persona))
            before = t.snapshot()
            for response in (client.get(url), client.post(url, {"name": "forged"})):
                assert response.status_code == 302, (url, persona, response.status_code)
                assert response.url.startswith(reverse("admin:login")), (url, persona, response.url)
            assert t.changed_tables(before, t.snapshot()) == [], (url, persona)


# --- lists, dashboards and exports with B's rows in their filters -----------------------------------

LIST_PAGES = [name for route, name, arguments in ROUTES
              if not arguments and name and not route.startswith(("admin/", "i18n/")) and name not in
              {"login", "logout", "healthz", "password_change_done", "programs:import", "evaluation:run-start"}]


def relation_params(b) -> list[dict]:
    return [
        {"school": b.school.pk}, {"enterprise": b.enterprise.pk}, {"program": b.program.pk},
        {"course": b.course.pk}, {"partnership": b.active.pk}, {"project": b.draft.pk}, {"teacher": b.teacher.pk},
        {"base": b.base.pk}, {"consortium": b.consortium_p.pk}, {"region": b.P.code}, {"sector": b.sector.code},
        {"licensee": b.enterprise.pk}, {"employer": b.enterprise.pk}, {"subregion": b.P.code},
        # Searches echo their term: B's name and words of its private texts, never a whole private text.
        {"search": t.B_TEXT}, {"search": "老师"}, {"search": "合作"}, {"search": "草稿"}, {"search": "note"},
        {"run": b.run.pk}, {"year": Y, "school": b.school.pk},
    ]


FILE_TYPES = ("text/csv", "application/vnd.openxmlformats", "application/zip", "application/pdf")


@pytest.mark.parametrize("name", LIST_PAGES)
def test_no_list_page_filter_shows_another_tenants_private_rows(name, tenants):
    """Pages show B's directory data (names in pickers and filters) but none of its private rows;
    a file they answer (an export) holds nothing of B at all."""
    url = reverse(name)
    formats = ({}, {"format": "csv"}, {"format": "xlsx"}) if "export" in name else ({},)
    for persona in t.ATTACKERS:
        client = client_of(getattr(tenants.a, persona))
        for params in [{}, *relation_params(tenants.b)]:
            for fmt in formats:
                response = client.get(url, {**params, **fmt})
                where = f"GET {url}?{params}{fmt} as {persona}"
                assert response.status_code in (200, 302, 400, 403, 404), (where, response.status_code)
                if response.get("Content-Type", "").startswith(FILE_TYPES):
                    assert t.B_TEXT not in file_text(response), f"{where}: an export holds a row of tenant B"
                else:
                    assert_shows_nothing_private_of_b(tenants, text_of(response), where)


def file_text(response) -> str:
    """The text of a CSV, XLSX, ZIP (of those) or PDF answer."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return _file_text(response["Content-Type"], content)


def _file_text(content_type: str, content: bytes) -> str:
    if content_type.startswith("text/csv"):
        return "\n".join(",".join(row) for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    if content_type.startswith("application/pdf"):
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    if content_type.startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                _file_text("application/vnd.openxmlformats" if member.endswith(".xlsx") else "text/csv",
                           archive.read(member)) for member in archive.namelist())
    workbook = load_workbook(io.BytesIO(content))
    return "\n".join(str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
                     if cell.value is not None)


@pytest.mark.parametrize(("persona", "params"), [
    ("alice", lambda b: {"school": b.school.pk}),
    ("alice", lambda b: {"consortium": b.consortium_p.pk}),
    ("alice", lambda b: {"region": b.P.code}),
    ("carol", lambda b: {"consortium": b.consortium_p.pk}),
    ("carol", lambda b: {"school": b.school.pk}),
    ("dave", lambda b: {"school": b.school.pk}),
    ("dave", lambda b: {"consortium": b.consortium_p.pk}),
    ("dave", lambda b: {"region": b.P.code}),
])
def test_the_dashboard_and_its_export_answer_404_for_another_tenants_subject(persona, params, tenants):
    client = client_of(getattr(tenants.a, persona))
    for url in (reverse("evaluation:dashboard"), reverse("evaluation:ranking-export")):
        for fmt in ({}, {"format": "xlsx"}):
            response = client.get(url, {**params(tenants.b), **fmt})
            assert response.status_code == 404, (url, persona, params(tenants.b), response.status_code)
            assert t.B_TEXT not in text_of(response)


def test_the_report_picker_answers_404_for_another_tenants_school_or_region(tenants):
    for persona in t.ATTACKERS:
        client = client_of(getattr(tenants.a, persona))
        for params in ({"year": Y, "school": tenants.b.school.pk}, {"year": Y, "region": tenants.b.P.code}):
            assert client.get(reverse("evaluation:report-index"), params).status_code == 404, (persona, params)


# --- what a real run publishes: every record page and export of B's values ---------------------------


@pytest.fixture
def evaluated(tenants):
    """Both tenants evaluated by a real run (in this process), so every indicator of every subject of
    B has a published value whose records page exists."""
    run, _created = runs.run_now(Y)
    assert run.status == "succeeded", run.error
    return tenants


def subject_of(value: IndicatorValue) -> str:
    if value.level in ("program", "school", "consortium"):
        return str(getattr(value, f"{value.level}_id"))
    if value.level == "region":
        return value.region.code
    return f"{value.region.code}:{value.sector.code}"


def values_of(tenant) -> list[IndicatorValue]:
    published = IndicatorValue.objects.published().select_related("region", "sector")
    return [v for v in published if v.school_id == tenant.school.pk or v.program_id == tenant.program.pk
            or v.consortium_id == tenant.consortium_p.pk or v.region_id == tenant.P.pk]


def records_url(value: IndicatorValue) -> str:
    return reverse("evaluation:records", args=[value.indicator, value.level, subject_of(value), value.year])


def test_every_record_page_and_export_of_another_tenants_values_answers_404(evaluated):
    b_values = values_of(evaluated.b)
    assert {v.level for v in b_values} >= {"program", "school", "consortium", "region"}, "the run computed B"
    for persona in t.ATTACKERS:
        user = getattr(evaluated.a, persona)
        client = client_of(user)
        own = restrict(IndicatorValue.objects.published().filter(pk__in=[v.pk for v in values_of(evaluated.a)]),
                       user).select_related("region", "sector").first()
        assert own is not None and client.get(records_url(own)).status_code == 200, (persona, "control")
        for value in b_values:
            for fmt in ("", "?format=csv", "?format=xlsx"):
                response = client.get(records_url(value) + fmt)
                assert response.status_code == 404, (persona, records_url(value) + fmt, response.status_code)
                assert t.B_TEXT not in text_of(response)


def test_exports_of_tenant_a_hold_no_row_of_tenant_b(evaluated):
    a = evaluated.a
    exports = [
        ("alice", reverse("evaluation:warning-export")), ("alice", reverse("evaluation:recommendation-export")),
        ("dave", reverse("evaluation:warning-export")), ("dave", reverse("evaluation:recommendation-export")),
        ("dave", reverse("evaluation:ranking-export")), ("carol", reverse("evaluation:warning-export")),
        ("alice", reverse("evaluation:ranking-export")),
    ]
    for persona, url in exports:
        client = client_of(getattr(a, persona))
        for fmt in ("csv", "xlsx"):
            response = client.get(url, {"format": fmt})
            assert response.status_code == 200, (persona, url, fmt)
            assert t.B_TEXT not in file_text(response), (persona, url, fmt)
    for value in values_of(a):
        if restrict(IndicatorValue.objects.filter(pk=value.pk), a.dave).exists():
            response = client_of(a.dave).get(records_url(value), {"format": "csv"})
            assert response.status_code == 200
            assert t.B_TEXT not in file_text(response), records_url(value)
    assert "Alpha" in file_text(client_of(a.dave).get(reverse("evaluation:ranking-export"), {"format": "csv"}))


def test_the_annual_reports_of_tenant_a_name_nothing_of_tenant_b(evaluated):
    a = evaluated.a
    for persona, url in (("alice", reverse("evaluation:school-report", args=[a.school.pk, Y])),
                         ("dave", reverse("evaluation:school-report", args=[a.school.pk, Y])),
                         ("dave", reverse("evaluation:region-report", args=[a.P.code, Y]))):
        client = client_of(getattr(a, persona))
        page = client.get(url)
        assert page.status_code == 200, (persona, url)
        assert t.B_TEXT not in text_of(page), (persona, url)
        pdf = client.get(url, {"format": "pdf"})
        if pdf.status_code == 503:
            pytest.skip("WeasyPrint cannot render PDFs here")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf", (persona, url, pdf.status_code)
        text = file_text(pdf)
        assert "Alpha" in text, "the PDF's text is readable (control)"
        assert t.B_TEXT not in text, (persona, url)


def test_no_user_of_tenant_b_is_named_in_tenant_a_pages(tenants):
    """Account names are private too: the home page and lists of A show none of B's usernames."""
    b_users = list(get_user_model().objects.filter(username__startswith="b_").values_list("username", flat=True))
    assert b_users
    for persona in t.ATTACKERS:
        client = client_of(getattr(tenants.a, persona))
        for name in ("home", "partnerships:partnership-list", "programs:placement-list", "evaluation:warning-list"):
            body = text_of(client.get(reverse(name)))
            assert not [u for u in b_users if re.search(rf"\b{u}\b", body)], (persona, name)


def test_another_tenants_annual_reports_answer_404_in_every_format(tenants):
    b = tenants.b
    for persona in t.ATTACKERS:
        client = client_of(getattr(tenants.a, persona))
        for url in (reverse("evaluation:school-report", args=[b.school.pk, Y]),
                    reverse("evaluation:region-report", args=[b.P.code, Y])):
            for params in ({}, {"format": "pdf"}):
                response = client.get(url, params)
                assert response.status_code == 404, (persona, url, params, response.status_code)
                assert t.B_TEXT not in text_of(response)
