"""Pages: spreadsheet import of a school's teachers, courses and program-year figures.

Choose what to import and upload an XLSX/CSV file (templates downloadable) → a preview of every row
with its errors and whether it creates or updates a record → confirm: nothing is saved unless every
row is valid, then all rows in one transaction → a summary. Large files are saved in the background
behind a progress page polling a JSON status. College admins import into their own school, platform
admins into any school; an upload is visible to the user who made it only (404 for anyone else).
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import generic

from portal.models import School
from portal.pages import PageMixin
from portal.spreadsheets import CSV, FORMATS, MAX_BYTES, MAX_ROWS, XLSX, SpreadsheetError, spreadsheet_response

from .. import imports

FINISHED = ("done", "invalid", "failed")


class ImportAccessMixin(PageMixin):
    """Signed-in users who may import (college admins, platform admins); others 403."""

    section = "imports"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not imports.may_import(request.user):
            raise PermissionDenied(_("Only college administrators may import spreadsheets."))
        return super().dispatch(request, *args, **kwargs)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to import"), widget=forms.RadioSelect,
                             choices=[(k.key, k.label) for k in imports.KINDS.values()])
    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.none(), required=False)
    file = forms.FileField(
        label=_("Spreadsheet"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv,application/vnd.openxmlformats-"
                                                         "officedocument.spreadsheetml.sheet"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["file"].help_text = _(
            "An XLSX workbook (first sheet) or a CSV file in UTF-8, at most %(size)s MB and %(rows)s rows; "
            "the first row holds the column names.") % {"size": MAX_BYTES // (1024 * 1024), "rows": MAX_ROWS}
        if user.is_platform_admin:
            self.fields["school"].queryset = imports.importable_schools(user)
            self.fields["school"].required = True
        else:
            del self.fields["school"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is too big; the limit is %(limit)s MB.")
                                        % {"limit": MAX_BYTES // (1024 * 1024)})
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.user.is_platform_admin:
            self.school = cleaned.get("school")
        else:
            self.school = imports.importable_schools(self.user).get(pk=self.user.school_id)
        upload, kind = cleaned.get("file"), cleaned.get("kind")
        if upload is not None and kind:
            try:
                self.parsed = imports.read_upload(imports.get_kind(kind), upload)
            except SpreadsheetError as exc:
                self.add_error("file", exc.message)
        return cleaned


class ImportStartView(ImportAccessMixin, generic.FormView):
    """Choose what to import, download a template, upload a file."""

    template_name = "programs/imports/start.html"
    form_class = UploadForm
    title = _("Import spreadsheets")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        kind = self.request.GET.get("kind")
        return {"kind": kind if kind in imports.KINDS else imports.TEACHERS.key}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kinds"] = [
            {"kind": kind, "templates": [(fmt.upper(), reverse("programs:import-template", args=[kind.key, fmt]))
                                         for fmt in (XLSX, CSV)]}
            for kind in imports.KINDS.values()
        ]
        context["threshold"] = imports.BACKGROUND_THRESHOLD
        return context

    def form_valid(self, form):
        token = imports.store_upload(form.parsed, user=self.request.user, school=form.school)
        for warning in form.parsed.warnings:
            messages.warning(self.request, warning)
        return redirect("programs:import-preview", token=token)


class ImportTemplateView(ImportAccessMixin, generic.View):
    """An empty import template: the header row of English column keys (the XLSX with a notes sheet)."""

    def get(self, request, kind: str, fmt: str):
        if kind not in imports.KINDS or fmt not in FORMATS:
            raise Http404
        import_kind = imports.KINDS[kind]
        notes = [[str(_("Column")), str(_("Required")), str(_("What to enter"))]] + [
            [column.key, str(_("yes")) if column.required else "", str(column.help)] for column in import_kind.columns
        ]
        return spreadsheet_response(fmt, f"import-{kind.replace('_', '-')}", import_kind.headers, [],
                                    **({"title": kind, "notes": notes, "notes_title": str(_("Notes"))}
                                       if fmt == XLSX else {}))


class UploadMixin(ImportAccessMixin):
    """Pages of one stored upload: only its uploader sees it, for a school they may still import into."""

    def get_upload(self) -> imports.StoredUpload:
        upload = imports.load_upload(self.kwargs["token"])
        if upload is None or upload.user_id != self.request.user.pk:
            raise Http404
        self.school = imports.importable_schools(self.request.user).filter(pk=upload.school_id).first()
        if self.school is None:
            raise Http404
        return upload

    def finished_redirect(self):
        """An upload already imported (or being imported) leads to its progress page."""
        state = imports.progress(self.kwargs["token"])
        if state and state.get("user") == self.request.user.pk and state.get("state") != "invalid":
            return redirect("programs:import-progress", token=self.kwargs["token"])
        raise Http404


class ImportPreviewView(UploadMixin, generic.TemplateView):
    """Every row with its errors and whether it creates or updates a record; confirm when all are valid."""

    template_name = "programs/imports/preview.html"
    title = _("Check the import")

    def get(self, request, *args, **kwargs):
        try:
            self.upload = self.get_upload()
        except Http404:
            return self.finished_redirect()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result = imports.validate(self.upload, school=self.school, user=self.request.user)
        only_errors = self.request.GET.get("errors") == "1"
        rows = result.error_rows if only_errors else result.rows
        columns = result.columns
        context.update(
            upload=self.upload,
            school=self.school,
            result=result,
            only_errors=only_errors,
            columns=columns,
            rows=[{"row": row, "cells": [(key, row.values.get(key, ""), row.error_for(key)) for key in columns],
                   "row_errors": row.error_for("")} for row in rows],
            errors=[(row.number, error.column, error.message) for row in result.error_rows for error in row.errors],
            counts={"rows": len(result.rows), "create": result.count(imports.CREATE),
                    "update": result.count(imports.UPDATE), "unchanged": result.count(imports.UNCHANGED),
                    "invalid": len(result.error_rows)},
            background=len(result.rows) > imports.BACKGROUND_THRESHOLD,
        )
        return context


class ImportConfirmView(UploadMixin, generic.View):
    """Save every row (POST): re-validated; nothing saved unless all rows are valid."""

    def post(self, request, token: str):
        try:
            upload = self.get_upload()
        except Http404:
            return self.finished_redirect()
        state = imports.start(upload, user=request.user)
        if state == "invalid":
            messages.error(request, _("Nothing was saved: some rows are not valid. Correct them in the file and "
                                      "upload it again."))
            return redirect("programs:import-preview", token=token)
        return redirect("programs:import-progress", token=token)


class ImportCancelView(UploadMixin, generic.View):
    """Drop an upload that was not imported (POST)."""

    def post(self, request, token: str):
        self.get_upload()
        imports.discard_upload(token)
        messages.success(request, _("The upload was discarded; nothing was saved."))
        return redirect("programs:import")


def _state_for(request, token: str) -> dict:
    state = imports.progress(token)
    if not state or state.get("user") != request.user.pk:
        raise Http404
    return state


def _status(state: dict) -> dict:
    total, done = state.get("total") or 0, state.get("done") or 0
    return {
        "state": state.get("state"),
        "finished": state.get("state") in FINISHED,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 100,
        "created": state.get("created", 0),
        "updated": state.get("updated", 0),
        "unchanged": state.get("unchanged", 0),
        "message": state.get("message", ""),
    }


class ImportProgressView(ImportAccessMixin, generic.TemplateView):
    """The progress of a confirmed import (polled by pages.js), then its summary."""

    template_name = "programs/imports/progress.html"

    def get_title(self):
        state = getattr(self, "state", {}).get("state")
        if state == "done":
            return _("Import finished")
        if state in ("invalid", "failed"):
            return _("Import not saved")
        return _("Import in progress")

    def get(self, request, *args, **kwargs):
        self.state = _state_for(request, kwargs["token"])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = _status(self.state)
        kind = imports.KINDS.get(self.state.get("kind", ""))
        context.update(
            token=kwargs["token"],
            status=status,
            kind=kind,
            errors=self.state.get("errors", []),
            upload_available=imports.load_upload(kwargs["token"]) is not None,
            summary=", ".join(filter(None, [
                ngettext("%(n)s record created", "%(n)s records created", status["created"]) % {"n": status["created"]},
                ngettext("%(n)s record updated", "%(n)s records updated", status["updated"]) % {"n": status["updated"]},
                (ngettext("%(n)s row unchanged", "%(n)s rows unchanged", status["unchanged"])
                 % {"n": status["unchanged"]}) if status["unchanged"] else "",
            ])),
            status_url=reverse("programs:import-status", args=[kwargs["token"]]),
        )
        return context


class ImportStatusView(ImportAccessMixin, generic.View):
    """The progress of a confirmed import as JSON: state, done, total, percent, counts."""

    def get(self, request, token: str):
        response = JsonResponse(_status(_state_for(request, token)))
        response["Cache-Control"] = "no-store"
        return response


urlpatterns = [
    path("import/", ImportStartView.as_view(), name="import"),
    path("import/templates/<slug:kind>.<slug:fmt>", ImportTemplateView.as_view(), name="import-template"),
    path("import/<slug:token>/", ImportPreviewView.as_view(), name="import-preview"),
    path("import/<slug:token>/confirm/", ImportConfirmView.as_view(), name="import-confirm"),
    path("import/<slug:token>/cancel/", ImportCancelView.as_view(), name="import-cancel"),
    path("import/<slug:token>/progress/", ImportProgressView.as_view(), name="import-progress"),
    path("import/<slug:token>/status/", ImportStatusView.as_view(), name="import-status"),
]
