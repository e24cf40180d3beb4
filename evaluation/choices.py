"""Choices of the evaluation models."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FeedbackDimension(models.TextChoices):
    """Named dimensions an enterprise scores from 1 to 5."""

    # On a partnership
    COMMUNICATION = "communication", _("communication")
    RESPONSIVENESS = "responsiveness", _("responsiveness")
    MUTUAL_BENEFIT = "mutual_benefit", _("mutual benefit")
    OUTCOMES = "outcomes", _("outcomes")
    # On a program's graduates
    PROFESSIONAL_SKILLS = "professional_skills", _("professional skills")
    WORK_ATTITUDE = "work_attitude", _("work attitude")
    TEAMWORK = "teamwork", _("teamwork")
    LEARNING_ABILITY = "learning_ability", _("learning ability")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class RunTrigger(models.TextChoices):
    """Who or what started an evaluation run."""

    REQUEST = "request", _("a user's request")
    SCHEDULE = "schedule", _("the nightly schedule")
    COMMAND = "command", _("the evaluate command")


class Level(models.TextChoices):
    """The levels an indicator is computed at (the subject of a value or warning)."""

    PROGRAM = "program", _("program")
    SCHOOL = "school", _("school")
    CONSORTIUM = "consortium", _("consortium")
    REGION = "region", _("region")
    REGION_SECTOR = "region_sector", _("region × sector")


class Direction(models.TextChoices):
    MIN = "min", _("at least the target")
    MAX = "max", _("at most the target")
    BAND = "band", _("inside the band")


class Severity(models.TextChoices):
    MEDIUM = "medium", pgettext_lazy("warning severity", "medium")
    HIGH = "high", pgettext_lazy("warning severity", "high")


class WarningStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("warning status", "open")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    RESOLVED = "resolved", _("resolved")


UNRESOLVED_WARNING_STATUSES = (WarningStatus.OPEN, WarningStatus.ACKNOWLEDGED)


class Condition(models.TextChoices):
    """Program early-warning conditions (INDICATORS.md, 专业预警与退出)."""

    LOW_PRACTICAL_SHARE = "low_practical_share", _("practical teaching share below 50 %")
    LOW_EMPLOYMENT = "low_employment", _("employment rate below its target")
    NO_PARTNERSHIP = "no_partnership", _("no partnership active in the year")
    ENROLMENT_DROP = "enrolment_drop", _("enrolment down by more than 30 %")


class Recommendation(models.TextChoices):
    NONE = "none", _("none")
    ENROLMENT_REDUCED = "enrolment_reduced", _("reduce enrolment")
    SUSPENDED = "suspended", _("suspend enrolment")
