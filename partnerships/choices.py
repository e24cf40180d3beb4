"""Choices of the cooperation models."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsortiumKind(models.TextChoices):
    CITY_CONSORTIUM = "city_consortium", _("city-level industry-education consortium")
    INDUSTRY_COMMUNITY = "industry_community", _("industry-education community")
    VOCATIONAL_GROUP = "vocational_group", _("vocational education group")


class MemberRole(models.TextChoices):
    LEAD = "lead", _("lead")
    MEMBER = "member", _("member")


class OtherBodyKind(models.TextChoices):
    ASSOCIATION = "association", _("industry association")
    RESEARCH_INSTITUTE = "research_institute", _("research institute")
    GOVERNMENT = "government", _("government body")
    OTHER = "other", _("other")


class PartnershipKind(models.TextChoices):
    INTERNSHIP_BASE = "internship_base", _("internship base")
    ORDER_CLASS = "order_class", _("order class")
    APPRENTICESHIP = "apprenticeship", _("modern apprenticeship")
    JOINT_RND = "joint_rnd", _("joint research and development")
    INDUSTRY_COLLEGE = "industry_college", _("industry college")
    TRAINING_BASE = "training_base", _("co-built training base")
    CURRICULUM_CODEV = "curriculum_codev", _("curriculum co-development")
    TEXTBOOK_CODEV = "textbook_codev", _("textbook co-development")
    TEACHER_EXCHANGE = "teacher_exchange", _("teacher exchange")
    TECHNICAL_SERVICE = "technical_service", _("technical service")
    EMPLOYMENT = "employment", _("graduate employment")
    INTERNATIONAL = "international", _("international cooperation")


# Kinds that make a partnership "deep" (INDICATORS.md, deep_cooperation_share).
DEEP_KINDS = (
    PartnershipKind.JOINT_RND,
    PartnershipKind.INDUSTRY_COLLEGE,
    PartnershipKind.APPRENTICESHIP,
    PartnershipKind.CURRICULUM_CODEV,
    PartnershipKind.TEXTBOOK_CODEV,
    PartnershipKind.TECHNICAL_SERVICE,
)


class PartnershipStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    ENDED = "ended", _("ended")
    DECLINED = "declined", _("declined")


class ContributionParty(models.TextChoices):
    SCHOOL = "school", _("school")
    ENTERPRISE = "enterprise", _("enterprise")
    GOVERNMENT = "government", _("government")
    OTHER = "other", _("other")


class ContributionKind(models.TextChoices):
    EQUIPMENT = "equipment", _("equipment")
    FUNDS = "funds", _("funds")
    STAFF_TIME = "staff_time", _("staff time")
    IP = "ip", _("intellectual property")
    VENUE = "venue", _("venue")


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")
