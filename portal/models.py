"""Tenancy: reference data (regions, sectors), the organisations users belong to (schools,
enterprises) and the user model with its role and scope."""
from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import EnterpriseSize, Ownership, RegionLevel, Role, SchoolLevel
from .db import choice_check
from .validators import (
    CREDIT_CODE_PATTERN,
    REGION_CODE_PATTERN,
    SCHOOL_CODE_PATTERN,
    SECTOR_CODE_PATTERN,
    code_format_condition,
    credit_code_check_condition,
    validate_credit_code,
    validate_region_code,
    validate_school_code,
    validate_sector_code,
)


class TimeStampedModel(models.Model):
    """Adds when a record was created and last changed (integrators sync on `updated_at`)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class BilingualNameMixin(models.Model):
    """A Chinese official `name` and an English `name_en`; `display_name` follows the UI language."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def display_name(self) -> str:
        if self.name_en and not (get_language() or "en").startswith("zh"):
            return self.name_en
        return self.name


class Region(BilingualNameMixin):
    """An administrative division (province, prefecture-level city or county) by its official code."""

    Level = RegionLevel

    code = models.CharField(_("code"), max_length=6, unique=True, validators=[validate_region_code])
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent region"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=code_format_condition("code", REGION_CODE_PATTERN),
                name="region_code_6_digits",
                violation_error_message=_("A region code is the 6-digit administrative division code."),
            ),
            choice_check("level", RegionLevel, "region_level_valid"),
            models.CheckConstraint(
                condition=(Q(level="province") & Q(parent__isnull=True)) | (~Q(level="province") & Q(parent__isnull=False)),
                name="region_parent_matches_level",
                violation_error_message=_("A province has no parent region; every other region has one."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.code})"

    def clean(self) -> None:
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A region cannot be its own parent.")})
        if (self.level == RegionLevel.PROVINCE) != (self.parent_id is None):
            raise ValidationError({"parent": _("A province has no parent region; every other region has one.")})


class Sector(BilingualNameMixin):
    """An industry of the national industry classification GB/T 4754-2017 (section or division)."""

    code = models.CharField(_("code"), max_length=5, unique=True, validators=[validate_sector_code])
    parent = models.ForeignKey(
        "self", verbose_name=_("parent sector"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        constraints = [
            models.CheckConstraint(
                condition=code_format_condition("code", SECTOR_CODE_PATTERN),
                name="sector_code_format",
                violation_error_message=_("A sector code is a section letter A–T, optionally with 2–4 digits."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def is_section(self) -> bool:
        return len(self.code) == 1


class School(TimeStampedModel):
    """A vocational college or school: the organisation a college administrator belongs to."""

    Level = SchoolLevel
    Ownership = Ownership

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    code = models.CharField(_("school code"), max_length=10, unique=True, validators=[validate_school_code])
    level = models.CharField(_("level"), max_length=30, choices=Level.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="schools")
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices, default=Ownership.PUBLIC)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        constraints = [
            models.CheckConstraint(
                condition=code_format_condition("code", SCHOOL_CODE_PATTERN),
                name="school_code_10_digits",
                violation_error_message=_("A school code is the 10-digit national school identification code."),
            ),
            choice_check("level", SchoolLevel, "school_level_valid"),
            choice_check("ownership", Ownership, "school_ownership_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Enterprise(TimeStampedModel):
    """An enterprise that cooperates with schools: the organisation an enterprise liaison belongs to."""

    Size = EnterpriseSize

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="enterprises")
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="enterprises")
    size = models.CharField(_("size"), max_length=10, choices=Size.choices)
    integration_certified = models.BooleanField(_("certified industry-education integration enterprise"), default=False)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        constraints = [
            models.CheckConstraint(
                condition=code_format_condition("credit_code", CREDIT_CODE_PATTERN),
                name="enterprise_credit_code_format",
                violation_error_message=_("A unified social credit code has 18 characters (digits and capitals)."),
            ),
            models.CheckConstraint(
                condition=credit_code_check_condition("credit_code"),
                name="enterprise_credit_code_check_char",
                violation_error_message=_("This unified social credit code's check character is wrong."),
            ),
            choice_check("size", EnterpriseSize, "enterprise_size_valid"),
        ]

    def __str__(self) -> str:
        return self.name


# Which scope field each role needs; all others must be empty.
ROLE_SCOPE_FIELD: dict[str, str | None] = {
    Role.COLLEGE_ADMIN: "school",
    Role.ENTERPRISE_LIAISON: "enterprise",
    Role.GOV_REVIEWER: "region",
    Role.PLATFORM_ADMIN: None,
}
SCOPE_FIELDS = ("school", "enterprise", "region")


def _scope_condition() -> Q:
    condition = Q()
    for role, needed in ROLE_SCOPE_FIELD.items():
        role_q = Q(role=role.value)
        for field in SCOPE_FIELDS:
            role_q &= Q(**{f"{field}__isnull": field != needed})
        condition |= role_q
    return condition


class PortalUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.PLATFORM_ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person or service account: one role and exactly the one scope its role needs."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    school = models.ForeignKey(
        School, verbose_name=_("school"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )

    objects = PortalUserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=_scope_condition(),
                name="user_scope_matches_role",
                violation_error_message=_(
                    "The scope must match the role: a college administrator has a school, an enterprise liaison "
                    "an enterprise, a government reviewer a region, a platform administrator none."
                ),
            ),
            choice_check("role", Role, "user_role_valid"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        needed = ROLE_SCOPE_FIELD.get(self.role)
        if self.role not in ROLE_SCOPE_FIELD:
            return  # the choices validation names the role field
        errors = {}
        if needed and getattr(self, f"{needed}_id") is None:
            errors[needed] = _("An account with the role “%(role)s” needs a %(scope)s.") % {
                "role": Role(self.role).label,
                "scope": self._meta.get_field(needed).verbose_name,
            }
        for field in SCOPE_FIELDS:
            if field != needed and getattr(self, f"{field}_id") is not None:
                errors[field] = _("An account with the role “%(role)s” has no %(scope)s; leave it empty.") % {
                    "role": Role(self.role).label,
                    "scope": self._meta.get_field(field).verbose_name,
                }
        if errors:
            raise ValidationError(errors)

    @property
    def is_platform_admin(self) -> bool:
        return self.is_active and self.role == Role.PLATFORM_ADMIN

    @property
    def scope(self):
        """The school, enterprise or region this account works for (None for platform admins)."""
        field = ROLE_SCOPE_FIELD.get(self.role)
        return getattr(self, field) if field else None


def new_token_key() -> str:
    return secrets.token_hex(20)


class ApiToken(models.Model):
    """An API token of a user: read-write or read-only; only a SHA-256 digest of the key is stored."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(_("key digest"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("key prefix"), max_length=8, editable=False)
    read_only = models.BooleanField(_("read-only"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str = "", read_only: bool = False) -> tuple["ApiToken", str]:
        """Create a token and return it with its key; the key is shown once and never stored."""
        key = new_token_key()
        token = cls.objects.create(user=user, name=name, read_only=read_only, digest=cls.hash(key), prefix=key[:8])
        return token, key
