"""The admin site: platform administrators only. Every tracked record's History page shows its
audit trail (portal.audit) instead of the admin's own log of changes made through the admin."""
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class AuditHistoryMixin:
    """The History page of a tracked record: who created, changed or deleted it, when, and which
    fields changed from what to what, whichever way (page, API, admin, import, run) it happened."""

    audit_history_per_page = 50

    def history_view(self, request, object_id, extra_context=None):
        from .audit import entries_for, is_tracked
        from .history import present

        if not is_tracked(self.model):
            return super().history_view(request, object_id, extra_context)
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        page = Paginator(entries_for(self.model, obj.pk), self.audit_history_per_page).get_page(request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("History of %(record)s") % {"record": obj},
            "subtitle": None,
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "object": obj,
            "opts": self.opts,
            "entries": present(page.object_list),
            "page_obj": page,
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/audit_history.html", context)


class PortalAdminSite(admin.AdminSite):
    """The Django admin of the portal; every other role works through the pages and the API."""

    site_header = _("Industry-education partnership portal")
    site_title = _("Industry-education partnership portal")
    index_title = _("Platform administration")

    def has_permission(self, request):
        # is_staff alone is not enough: a college admin flagged as staff by mistake must still stay out.
        return bool(request.user.is_active and getattr(request.user, "is_platform_admin", False) and request.user.is_staff)

    def register(self, model_or_iterable, admin_class=None, **options):
        # Every model admin gets the audit trail as its History page (untracked models keep Django's).
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditHistoryMixin):
            admin_class = type(admin_class.__name__, (AuditHistoryMixin, admin_class),
                               {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__})
        super().register(model_or_iterable, admin_class, **options)
