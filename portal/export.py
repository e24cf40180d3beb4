"""Pages: a college exports all of its own data as one archive (portal.archive), at /account/export/.

A college admin exports their own school (asking for another answers 403); a platform admin picks
any school (`?school=<id>`); other roles have no school data of their own to export (403). The
download streams the ZIP one workbook at a time, so a large school never sits whole in memory.
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .archive import archive_filename, iter_archive, tables
from .choices import Role
from .models import School


def school_to_export(request: HttpRequest) -> School | None:
    """The school whose data the user asks for: a college admin's own, a platform admin's choice
    (None while they have not chosen)."""
    user, requested = request.user, request.GET.get("school", "").strip()
    if user.role == Role.COLLEGE_ADMIN and user.school_id is not None:
        if requested and requested != str(user.school_id):
            raise PermissionDenied(_("You may export your own school's data only."))
        return user.school
    if user.role == Role.PLATFORM_ADMIN:
        if not requested:
            return None
        if not requested.isdigit() or len(requested) > 18:  # no id; or too long for any database column
            raise Http404
        return get_object_or_404(School, pk=int(requested))
    raise PermissionDenied(_("A college's data is exported by its college administrators."))


@login_required
def export_page(request: HttpRequest) -> HttpResponse:
    """What the archive holds, and the button that downloads it (for a platform admin, a school picker)."""
    school = school_to_export(request)
    picker = None
    if school is None:
        picker = School.objects.order_by("name", "pk").only("pk", "name", "code")
    own = request.user.role == Role.COLLEGE_ADMIN
    context = {
        "title": _("Export your school's data") if own else _("Export a school's data"),
        "section": "",
        "school": school,
        "schools": picker,
        "tables": [str(table.title) for table in tables()],
    }
    return render(request, "portal/export.html", context)


@login_required
def export_download(request: HttpRequest) -> StreamingHttpResponse:
    """The archive as a ZIP download (one XLSX per table), streamed."""
    school = school_to_export(request)
    if school is None:
        raise Http404
    response = StreamingHttpResponse(
        iter_archive(school=school, user=request.user, language=get_language()), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="{archive_filename(school)}"'
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


urlpatterns = [
    path("", export_page, name="school-export"),
    path("download/", export_download, name="school-export-download"),
]
