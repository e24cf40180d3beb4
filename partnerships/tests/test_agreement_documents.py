"""Agreement documents of partnerships, on the pages and through the API: only PDF, images and office
documents up to the size limit, checked by content (a refused upload saves nothing: no record, no
file); downloads only for those who may see the partnership, as attachments with the content type
of what the file is and `nosniff`; nothing under MEDIA_ROOT has a public URL."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from partnerships.models import Partnership
from partnerships.tests.factories import PartnershipFactory
from portal.documents import KINDS
from portal.tests.documents import EXE, HTML, PDF, samples

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def page_url(name: str, *args) -> str:
    return reverse(f"partnerships:{name}", args=args)


def proposal(enterprise, **overrides) -> dict:
    return {"enterprise": enterprise.pk, "title": "订单班合作协议", "kinds": ["order_class"],
            "start_date": "2025-09-01", **overrides}


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- uploads refused ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content"), [("协议.pdf", EXE), ("agreement.pdf", HTML), ("setup.exe", PDF)])
def test_the_propose_page_refuses_a_renamed_program_or_page_and_saves_nothing(client, college_admin_a, enterprise,
                                                                             media, name, content):
    client.force_login(college_admin_a)
    response = client.post(page_url("partnership-add"),
                           proposal(enterprise, agreement=SimpleUploadedFile(name, content, "application/pdf")))
    assert response.status_code == 200
    errors = response.context["form"].errors["agreement"]
    assert errors and ("renamed file" in errors[0] or "must end in one of" in errors[0])
    assert errors[0] in response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert Partnership.objects.count() == 0
    assert stored_files(media) == []


@pytest.mark.parametrize(("name", "content"), [("协议.pdf", EXE), ("agreement.pdf", HTML), ("page.html", HTML)])
def test_the_api_refuses_a_renamed_program_or_page_and_saves_nothing(college_admin_a, enterprise, media, name,
                                                                     content):
    response = api_as(college_admin_a).post(
        "/api/v1/partnerships/", proposal(enterprise, agreement=SimpleUploadedFile(name, content, "application/pdf")),
        format="multipart",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["agreement"]
    assert Partnership.objects.count() == 0
    assert stored_files(media) == []


def test_a_document_over_the_size_limit_is_refused_on_the_page_and_through_the_api(settings, client, college_admin_a,
                                                                                  enterprise, media):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (2 * 1024 * 1024)
    client.force_login(college_admin_a)
    response = client.post(page_url("partnership-add"),
                           proposal(enterprise, agreement=SimpleUploadedFile("协议.pdf", big)))
    assert response.context["form"].errors["agreement"] == ["The file is too big (2 MB); the limit is 1 MB."]
    response = api_as(college_admin_a).post(
        "/api/v1/partnerships/", proposal(enterprise, agreement=SimpleUploadedFile("协议.pdf", big)),
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json() == {"agreement": ["The file is too big (2 MB); the limit is 1 MB."]}
    assert Partnership.objects.count() == 0 and stored_files(media) == []


def test_replacing_the_agreement_with_a_bad_file_keeps_the_old_one(client, college_admin_a, school_a, enterprise,
                                                                   media):
    partnership = PartnershipFactory(school=school_a, enterprise=enterprise,
                                     agreement=SimpleUploadedFile("协议.pdf", PDF))
    before = partnership.agreement.name
    client.force_login(college_admin_a)
    data = proposal(enterprise, agreement=SimpleUploadedFile("new.pdf", EXE))
    response = client.post(page_url("partnership-edit", partnership.pk), data)
    assert response.status_code == 200 and response.context["form"].errors["agreement"]
    response = api_as(college_admin_a).patch(f"/api/v1/partnerships/{partnership.pk}/",
                                             {"agreement": SimpleUploadedFile("new.pdf", EXE)}, format="multipart")
    assert response.status_code == 400
    partnership.refresh_from_db()
    assert partnership.agreement.name == before
    assert [path.name for path in stored_files(media)] == [Path(before).name]


def test_other_fields_change_without_reading_the_stored_agreement_again(client, college_admin_a, school_a, enterprise):
    partnership = PartnershipFactory(school=school_a, enterprise=enterprise,
                                     agreement=SimpleUploadedFile("协议.pdf", PDF))
    partnership.agreement.storage.delete(partnership.agreement.name)  # even when the file went missing
    response = api_as(college_admin_a).patch(f"/api/v1/partnerships/{partnership.pk}/", {"title": "新标题"})
    assert response.status_code == 200, response.content
    assert Partnership.objects.get().title == "新标题"


# --- uploads accepted ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_accepted_kind_is_uploaded_through_the_api_and_downloaded_as_what_it_is(college_admin_a, liaison,
                                                                                     enterprise, kind):
    name, content = samples()[kind]
    response = api_as(college_admin_a).post(
        "/api/v1/partnerships/", proposal(enterprise, agreement=SimpleUploadedFile(name, content, "text/html")),
        format="multipart",
    )
    assert response.status_code == 201, response.content
    download = api_as(liaison).get(response.json()["agreement_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == KINDS[kind].content_type
    assert b"".join(download.streaming_content) == content


@pytest.mark.parametrize("kind", ["pdf", "jpeg", "docx", "odt", "xls"])
def test_accepted_kinds_are_uploaded_on_the_propose_page(client, college_admin_a, enterprise, kind):
    name, content = samples()[kind]
    client.force_login(college_admin_a)
    response = client.post(page_url("partnership-add"),
                           proposal(enterprise, agreement=SimpleUploadedFile(name, content)))
    assert response.status_code == 302, response.context["form"].errors
    partnership = Partnership.objects.get()
    with partnership.agreement.open("rb") as stored:
        assert stored.read() == content


def test_the_propose_form_says_what_may_be_uploaded(client, college_admin_a):
    client.force_login(college_admin_a)
    page = client.get(page_url("partnership-add")).content.decode()
    assert 'accept=".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx,.odt,.ods,.odp,.doc,.xls,.ppt"' in page
    assert "up to 10 MB" in page


# --- downloads ----------------------------------------------------------------------------------


@pytest.fixture
def signed(school_a, enterprise):
    return PartnershipFactory(school=school_a, enterprise=enterprise,
                              agreement=SimpleUploadedFile("协议 (signed).pdf", PDF))


def download_urls(partnership) -> list[str]:
    return [page_url("partnership-agreement", partnership.pk), f"/api/v1/partnerships/{partnership.pk}/agreement/"]


@pytest.mark.parametrize("persona", ["college_admin_a", "liaison", "reviewer", "platform_admin"])
def test_those_who_see_the_partnership_download_it_as_an_attachment(client, request, signed, persona):
    client.force_login(request.getfixturevalue(persona))
    for address in download_urls(signed):
        response = client.get(address)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
        assert response["Content-Disposition"].endswith(".pdf")
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("persona", ["college_admin_b", "outsider", "other_reviewer"])
def test_another_schools_admin_an_unrelated_liaison_or_reviewer_gets_404(client, request, signed, persona):
    client.force_login(request.getfixturevalue(persona))
    for address in download_urls(signed):
        assert client.get(address).status_code == 404


def test_anonymous_visitors_download_nothing(client, signed):
    assert client.get(download_urls(signed)[0]).status_code == 302  # to the login page
    assert client.get(download_urls(signed)[1]).status_code == 401


def test_a_file_stored_before_the_checks_is_served_as_opaque_bytes(client, liaison, school_a, enterprise):
    legacy = PartnershipFactory(school=school_a, enterprise=enterprise,
                                agreement=SimpleUploadedFile("old.html", HTML))  # factories skip validation
    client.force_login(liaison)
    for address in download_urls(legacy):
        response = client.get(address)
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"] == 'attachment; filename="old.html"'
        assert response["X-Content-Type-Options"] == "nosniff"


def test_stored_documents_have_no_public_url(client, liaison, signed):
    path = f"/media/{signed.agreement.name}"
    assert Path(signed.agreement.path).is_file()
    assert client.get(path).status_code == 404
    client.force_login(liaison)  # not even for someone who may download it through the portal
    assert client.get(path).status_code == 404


def test_the_edit_page_and_the_admin_link_the_current_agreement_to_the_checked_download(client, college_admin_a,
                                                                                        platform_admin, signed):
    download = page_url("partnership-agreement", signed.pk)
    client.force_login(college_admin_a)
    page = client.get(page_url("partnership-edit", signed.pk)).content.decode()
    assert f'href="{download}"' in page and "/media/" not in page
    assert f">{Path(signed.agreement.name).name}</a>" in page
    platform_admin.is_staff = True
    platform_admin.save()
    client.force_login(platform_admin)
    page = client.get(reverse("admin:partnerships_partnership_change", args=[signed.pk])).content.decode()
    assert f'href="{download}"' in page and "/media/" not in page
