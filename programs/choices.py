"""Choices of the teaching models."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgramStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    WARNING = "warning", _("under warning")
    ENROLMENT_REDUCED = "enrolment_reduced", _("enrolment reduced")
    SUSPENDED = "suspended", _("enrolment suspended")
    CLOSED = "closed", _("closed")


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("full-time teacher")
    PART_TIME_INDUSTRY = "part_time_industry", _("part-time industry teacher")


class DualQualifiedLevel(models.TextChoices):
    JUNIOR = "junior", _("junior")
    INTERMEDIATE = "intermediate", _("intermediate")
    SENIOR = "senior", _("senior")


class PlacementActivity(models.TextChoices):
    OBSERVATION = "observation", _("observation visit")
    TRAINING = "training", _("training")
    POST_PRACTICE = "post_practice", _("on-the-job post")
    RND = "rnd", _("research and development")
