"""Choices of the tenancy models (TextChoices: stored value, translated label)."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user account is for; each role has exactly one kind of scope."""

    COLLEGE_ADMIN = "college_admin", _("college administrator")
    ENTERPRISE_LIAISON = "enterprise_liaison", _("enterprise liaison")
    GOV_REVIEWER = "gov_reviewer", _("government reviewer")
    PLATFORM_ADMIN = "platform_admin", _("platform administrator")


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("province")
    PREFECTURE = "prefecture", _("prefecture-level city")
    COUNTY = "county", _("county-level division")


class SchoolLevel(models.TextChoices):
    HIGHER_VOCATIONAL = "higher_vocational", _("higher vocational college")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("secondary vocational school")
    VOCATIONAL_UNDERGRADUATE = "vocational_undergraduate", _("vocational undergraduate university")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("public")
    PRIVATE = "private", _("private")


class EnterpriseSize(models.TextChoices):
    MICRO = "micro", _("micro")
    SMALL = "small", _("small")
    MEDIUM = "medium", _("medium")
    LARGE = "large", _("large")
