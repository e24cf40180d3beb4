"""Admin for reference data (regions, sectors), organisations (schools, enterprises), user accounts,
API tokens and the audit trail; also the list filters every app's admin shares (province, industry
section)."""
from __future__ import annotations

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminURLFieldWidget
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Count
from django.db.models.functions import Length
from django.template.loader import render_to_string
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .choices import RegionLevel
from .history import actor_name, present
from .models import ApiToken, Enterprise, Region, School, Sector, User, new_token_key


# --- Shared list filters ---------------------------------------------------------------------
# A national portal holds ~3,000 regions and ~100 industry divisions: a plain related-field filter
# would list them all. Administrators narrow by province (the first two digits of every
# administrative division code) and by GB/T 4754 section (the letter of every sector code).


class ProvinceListFilter(admin.SimpleListFilter):
    """Rows whose region (at `region_path`) lies in a province, whatever its level."""

    title = _("province")
    parameter_name = "province"
    region_path = "region"

    def lookups(self, request, model_admin):
        provinces = Region.objects.filter(level=RegionLevel.PROVINCE).only("code", "name", "name_en")
        return [(region.code[:2], region.display_name) for region in provinces]

    def queryset(self, request, queryset):
        if self.value():
            prefix = f"{self.region_path}__" if self.region_path else ""
            return queryset.filter(**{f"{prefix}code__startswith": self.value()})
        return queryset


class SectorSectionListFilter(admin.SimpleListFilter):
    """Rows whose sector (at `sector_path`) belongs to a GB/T 4754 section (A–T)."""

    title = _("industry section")
    parameter_name = "section"
    sector_path = "sector"

    def lookups(self, request, model_admin):
        sections = Sector.objects.annotate(code_length=Length("code")).filter(code_length=1)
        return [(sector.code, f"{sector.code} {sector.display_name}") for sector in sections]

    def queryset(self, request, queryset):
        if self.value():
            prefix = f"{self.sector_path}__" if self.sector_path else ""
            return queryset.filter(**{f"{prefix}code__startswith": self.value()})
        return queryset


def province_filter(region_path: str) -> type[ProvinceListFilter]:
    """A province filter following `region_path` (e.g. "school__region"; "" for the region itself)."""
    return type("ProvinceListFilter", (ProvinceListFilter,), {"region_path": region_path})


def section_filter(sector_path: str) -> type[SectorSectionListFilter]:
    """An industry-section filter following `sector_path` ("" for the sector itself)."""
    return type("SectorSectionListFilter", (SectorSectionListFilter,), {"sector_path": sector_path})


# --- Reference data --------------------------------------------------------------------------


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "level", "parent")
    list_filter = ("level", province_filter(""))
    search_fields = ("code", "name", "name_en")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)
    list_per_page = 50


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "parent")
    list_filter = (section_filter(""),)
    search_fields = ("code", "name", "name_en")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)
    list_per_page = 50


# --- Organisations ---------------------------------------------------------------------------

# Websites are usually typed without a scheme; assume https (Django 6's default) rather than http.
HTTPS_URL_FIELDS = {models.URLField: {"widget": AdminURLFieldWidget, "assume_scheme": "https"}}


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "ownership", "region", "program_count", "updated_at")
    list_filter = ("level", "ownership", province_filter("region"))
    search_fields = ("name", "name_en", "code", "region__name")
    autocomplete_fields = ("region",)
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("region",)
    formfield_overrides = HTTPS_URL_FIELDS
    ordering = ("name",)  # GROUP BY (the count) drops Meta.ordering; autocomplete pages need one

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(program_count=Count("programs"))

    @admin.display(description=_("programs"), ordering="program_count")
    def program_count(self, obj):
        return obj.program_count


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "sector", "size", "region", "integration_certified")
    list_filter = ("integration_certified", "size", section_filter("sector"), province_filter("region"))
    search_fields = ("name", "name_en", "credit_code", "sector__name", "region__name")
    autocomplete_fields = ("region", "sector")
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("region", "sector")
    formfield_overrides = HTTPS_URL_FIELDS


# --- Accounts --------------------------------------------------------------------------------

SCOPE_HELP = _(
    "A college administrator needs a school, an enterprise liaison an enterprise, a government reviewer "
    "a region; a platform administrator none."
)


class PortalUserCreationForm(AdminUserCreationForm):
    """The add form: a username, a password, and the role with the one scope it needs.

    Being a ModelForm, it runs User.clean(), whose errors name the scope field at fault.
    """

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email", "role", "school", "enterprise", "region")
        help_texts = {"role": SCOPE_HELP}


class PortalUserChangeForm(UserChangeForm):
    """The change form; like the add form it runs User.clean() on role and scope."""

    class Meta(UserChangeForm.Meta):
        model = User
        help_texts = {"role": SCOPE_HELP}


ROLE_AND_SCOPE = (_("Role and scope"), {"fields": ("role", "school", "enterprise", "region")})


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ROLE_AND_SCOPE,
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "usable_password", "password1", "password2")}),
        ROLE_AND_SCOPE,
    )
    list_display = ("username", "full_name", "email", "role", "scope", "is_active", "is_staff", "last_login")
    list_filter = ("role", "is_active", "is_staff", "is_superuser", "groups")
    search_fields = (
        "username", "first_name", "last_name", "email", "school__name", "enterprise__name", "region__name",
    )
    autocomplete_fields = ("school", "enterprise", "region")
    list_select_related = ("school", "enterprise", "region")

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description=_("scope"))
    def scope(self, obj):
        return obj.scope


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens: the key is shown once, when the token is created; only its digest is stored."""

    list_display = ("prefix", "name", "user", "read_only", "created_at", "last_used_at")
    list_filter = ("read_only",)
    list_select_related = ("user",)
    search_fields = ("prefix", "name", "user__username")
    autocomplete_fields = ("user",)
    fields = ("user", "name", "read_only", "prefix", "created_at", "last_used_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")

    def save_model(self, request, obj, form, change):
        if not change:
            key = new_token_key()
            obj.digest, obj.prefix = ApiToken.hash(key), key[:8]
            obj.save()
            messages.warning(
                request,
                _("The new token's key is %(key)s — copy it now: it is not stored and cannot be shown again.")
                % {"key": key},
            )
            return
        super().save_model(request, obj, form, change)


# --- The audit trail -------------------------------------------------------------------------


class TrackedKindFilter(admin.SimpleListFilter):
    """Entries of one kind of record, among the kinds the audit trail keeps (no scan of the log)."""

    title = _("kind of record")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = ContentType.objects.get_for_models(*auditlog.get_models())
        return sorted(((ct.pk, capfirst(model._meta.verbose_name)) for model, ct in kinds.items()),
                      key=lambda choice: str(choice[1]))

    def queryset(self, request, queryset):
        return queryset.filter(content_type_id=self.value()) if self.value() else queryset


if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)  # auditlog's own, replaced by this one


@admin.register(LogEntry)
class AuditEntryAdmin(LogEntryAdmin):
    """Every entry of the audit trail, deleted records' included; read-only."""

    list_display = ("timestamp", "record", "action", "changed_fields", "who")
    list_filter = ("action", TrackedKindFilter)
    search_fields = ("object_repr", "actor__username", "actor__first_name", "actor__last_name")
    readonly_fields = ("timestamp", "who", "record", "action", "remote_addr", "changes_table")
    fieldsets = ((None, {"fields": ("timestamp", "who", "remote_addr", "record", "action", "changes_table")}),)

    @admin.display(description=_("record"), ordering="object_repr")
    def record(self, obj):
        return f"{capfirst(obj.content_type.name)}: {obj.object_repr}"

    @admin.display(description=_("who"))
    def who(self, obj):
        return actor_name(obj)

    @admin.display(description=_("changed fields"))
    def changed_fields(self, obj):
        model = obj.content_type.model_class()
        labels = []
        for name in obj.changes or {}:
            try:
                labels.append(str(capfirst(model._meta.get_field(name).verbose_name)))
            except (AttributeError, FieldDoesNotExist):
                labels.append(name)
        return ", ".join(sorted(labels)) or "—"

    @admin.display(description=_("changes"))
    def changes_table(self, obj):
        return render_to_string("components/history_entries.html", {"entries": present([obj])})
