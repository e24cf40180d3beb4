"""Choices of the evaluation models."""
from django.db import models
from django.utils.translation import gettext_lazy as _


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
