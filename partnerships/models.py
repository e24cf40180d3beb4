"""Cooperation between organisations: consortia, partnerships and their contribution ledger,
enterprise projects and their adoption into courses, talent demands, training bases and their use,
technical services and patents."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.db import NON_NEGATIVE, choice_check, date_order_check, date_order_errors, non_negative_checks
from portal.documents import validate_document
from portal.fields import ChoiceSetField
from portal.models import Enterprise, Region, School, Sector, TimeStampedModel
from programs.models import YEAR_VALIDATORS, Course, Program, year_check

from .querysets import PartnershipQuerySet
from .choices import (
    ConsortiumKind,
    ContributionKind,
    ContributionParty,
    MemberRole,
    OtherBodyKind,
    PartnershipKind,
    PartnershipStatus,
    ProjectStatus,
)

MONEY = {"max_digits": 14, "decimal_places": 2, "validators": NON_NEGATIVE}


def exactly_one_condition(*fields: str) -> Q:
    """Exactly one of the (nullable foreign key) fields is set."""
    condition = Q()
    for chosen in fields:
        branch = Q()
        for field in fields:
            branch &= Q(**{f"{field}__isnull": field != chosen})
        condition |= branch
    return condition


class Consortium(TimeStampedModel):
    """A city-level consortium, industry community or vocational education group."""

    Kind = ConsortiumKind

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=ConsortiumKind.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="consortia")
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), null=True, blank=True, on_delete=models.PROTECT, related_name="consortia"
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("consortium")
        verbose_name_plural = _("consortia")
        constraints = [choice_check("kind", ConsortiumKind, "consortium_kind_valid")]

    def __str__(self) -> str:
        return self.name


class ConsortiumMember(models.Model):
    """A member of a consortium: a school, an enterprise, or another body named here."""

    consortium = models.ForeignKey(
        Consortium, verbose_name=_("consortium"), on_delete=models.CASCADE, related_name="members"
    )
    school = models.ForeignKey(
        School, verbose_name=_("school"), null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    other_name = models.CharField(_("other body"), max_length=200, blank=True)
    other_kind = models.CharField(_("kind of other body"), max_length=30, choices=OtherBodyKind.choices, blank=True)
    role = models.CharField(_("member role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    class Meta:
        ordering = ["consortium", "role", "id"]
        verbose_name = _("consortium member")
        verbose_name_plural = _("consortium members")
        constraints = [
            models.CheckConstraint(
                condition=(Q(school__isnull=False) & Q(enterprise__isnull=True) & Q(other_name=""))
                | (Q(school__isnull=True) & Q(enterprise__isnull=False) & Q(other_name=""))
                | (Q(school__isnull=True) & Q(enterprise__isnull=True) & ~Q(other_name="")),
                name="consortium_member_exactly_one",
                violation_error_message=_("A member is exactly one of: a school, an enterprise, another body."),
            ),
            models.CheckConstraint(
                condition=Q(other_name="", other_kind="") | (~Q(other_name="") & ~Q(other_kind="")),
                name="consortium_member_other_kind_with_other_name",
                violation_error_message=_("Another body needs both a name and a kind."),
            ),
            models.UniqueConstraint(
                fields=["consortium", "school"],
                condition=Q(school__isnull=False),
                name="consortium_member_school_once",
                violation_error_message=_("This school is already a member of the consortium."),
            ),
            models.UniqueConstraint(
                fields=["consortium", "enterprise"],
                condition=Q(enterprise__isnull=False),
                name="consortium_member_enterprise_once",
                violation_error_message=_("This enterprise is already a member of the consortium."),
            ),
            choice_check("role", MemberRole, "consortium_member_role_valid"),
            choice_check("other_kind", OtherBodyKind, "consortium_member_other_kind_valid", blank=True),
        ]

    def __str__(self) -> str:
        return str(self.school or self.enterprise or self.other_name)

    def clean(self) -> None:
        chosen = [bool(self.school_id), bool(self.enterprise_id), bool(self.other_name)]
        if sum(chosen) != 1:
            raise ValidationError({"school": _("A member is exactly one of: a school, an enterprise, another body.")})
        if self.other_name and not self.other_kind:
            raise ValidationError({"other_kind": _("Say what kind of body this is.")})
        if self.other_kind and not self.other_name:
            raise ValidationError({"other_name": _("Name the other body.")})


class Partnership(TimeStampedModel):
    """An agreement between a school and an enterprise: proposed by the college, accepted or
    declined by the enterprise."""

    Kind = PartnershipKind
    Status = PartnershipStatus

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="partnerships")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="partnerships"
    )
    title = models.CharField(_("title"), max_length=200)
    kinds = ChoiceSetField(_("kinds of cooperation"), item_choices=PartnershipKind.choices)
    programs = models.ManyToManyField(Program, verbose_name=_("programs"), blank=True, related_name="partnerships")
    status = models.CharField(
        _("status"), max_length=20, choices=PartnershipStatus.choices, default=PartnershipStatus.PROPOSED, editable=False
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    agreement = models.FileField(_("agreement document"), upload_to="agreements/%Y/%m/", blank=True,
                                 validators=[validate_document])
    description = models.TextField(_("description"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            date_order_check("partnership"),
            choice_check("status", PartnershipStatus, "partnership_status_valid"),
            models.CheckConstraint(
                condition=Q(kinds__regex=r"^,((%s),)+\Z" % "|".join(k.value for k in PartnershipKind)),
                name="partnership_kinds_valid",
                violation_error_message=_("A partnership has one or more known kinds of cooperation."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if errors := date_order_errors(self):
            raise ValidationError(errors)


class Contribution(TimeStampedModel):
    """An entry of a partnership's benefit-sharing ledger: who put in what, worth how much."""

    Party = ContributionParty
    Kind = ContributionKind

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="contributions"
    )
    party = models.CharField(_("party"), max_length=20, choices=ContributionParty.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=ContributionKind.choices)
    value = models.DecimalField(_("value (CNY)"), **MONEY)
    date = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            *non_negative_checks("contribution", "value"),
            choice_check("party", ContributionParty, "contribution_party_valid"),
            choice_check("kind", ContributionKind, "contribution_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_party_display()} {self.get_kind_display()} {self.value}"


class EnterpriseProject(TimeStampedModel):
    """A real enterprise project offered for project-based teaching (企业真实项目进课堂)."""

    Status = ProjectStatus

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="projects"
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    skills = models.TextField(_("skills"), blank=True)
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="projects")
    capacity = models.PositiveIntegerField(_("capacity (students)"), default=0, validators=NON_NEGATIVE)
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("enterprise project")
        verbose_name_plural = _("enterprise projects")
        constraints = [
            date_order_check("project"),
            *non_negative_checks("project", "capacity"),
            choice_check("status", ProjectStatus, "project_status_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if errors := date_order_errors(self):
            raise ValidationError(errors)


class ProjectAdoption(TimeStampedModel):
    """A course takes an enterprise project into its teaching for a year."""

    project = models.ForeignKey(
        EnterpriseProject, verbose_name=_("project"), on_delete=models.CASCADE, related_name="adoptions"
    )
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="adoptions")
    year = models.PositiveSmallIntegerField(_("academic year"), validators=YEAR_VALIDATORS)
    students = models.PositiveIntegerField(_("students"), default=0, validators=NON_NEGATIVE)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        ordering = ["-year", "id"]
        verbose_name = _("project adoption")
        verbose_name_plural = _("project adoptions")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "course", "year"],
                name="adoption_unique_per_course_year",
                violation_error_message=_("This course already adopted this project for this year."),
            ),
            year_check("adoption"),
            *non_negative_checks("adoption", "students"),
        ]

    def __str__(self) -> str:
        return f"{self.project} → {self.course} ({self.year})"


class TalentDemand(TimeStampedModel):
    """Positions an enterprise needs to fill in a year (人才需求)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="talent_demands"
    )
    position = models.CharField(_("position"), max_length=200)
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="talent_demands")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="talent_demands")
    headcount = models.PositiveIntegerField(_("headcount"), validators=[MinValueValidator(1)])
    skills = models.TextField(_("skills"), blank=True)
    year = models.PositiveSmallIntegerField(_("academic year"), validators=YEAR_VALIDATORS)

    class Meta:
        ordering = ["-year", "id"]
        verbose_name = _("talent demand")
        verbose_name_plural = _("talent demands")
        constraints = [
            models.CheckConstraint(
                condition=Q(headcount__gte=1),
                name="talent_demand_headcount_positive",
                violation_error_message=_("A talent demand asks for at least one person."),
            ),
            year_check("talent_demand"),
        ]

    def __str__(self) -> str:
        return f"{self.position} ×{self.headcount} ({self.year})"


class TrainingBase(TimeStampedModel):
    """A practical training base (实训基地) owned by a school, an enterprise or a consortium."""

    name = models.CharField(_("name"), max_length=200)
    school = models.ForeignKey(
        School, verbose_name=_("school"), null=True, blank=True, on_delete=models.CASCADE, related_name="training_bases"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="training_bases",
    )
    consortium = models.ForeignKey(
        Consortium,
        verbose_name=_("consortium"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="training_bases",
    )
    co_built = models.BooleanField(_("co-built by school and enterprise"), default=False)
    on_campus = models.BooleanField(_("on campus"), default=True)
    open_to_public = models.BooleanField(_("open to the public"), default=False)
    equipment_value = models.DecimalField(_("equipment value (CNY)"), default=0, **MONEY)
    enterprise_equipment_value = models.DecimalField(_("equipment provided by enterprises (CNY)"), default=0, **MONEY)
    capacity_hours = models.PositiveIntegerField(_("capacity (hours per year)"), default=0, validators=NON_NEGATIVE)

    class Meta:
        ordering = ["name"]
        verbose_name = _("training base")
        verbose_name_plural = _("training bases")
        constraints = [
            models.CheckConstraint(
                condition=exactly_one_condition("school", "enterprise", "consortium"),
                name="training_base_exactly_one_owner",
                violation_error_message=_("A training base has exactly one owner: a school, an enterprise or a consortium."),
            ),
            *non_negative_checks("training_base", "equipment_value", "enterprise_equipment_value", "capacity_hours"),
            models.CheckConstraint(
                condition=Q(enterprise_equipment_value__lte=F("equipment_value")),
                name="training_base_enterprise_equipment_lte_total",
                violation_error_message=_("Equipment provided by enterprises cannot exceed the base's equipment value."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner(self):
        return self.school or self.enterprise or self.consortium

    def clean(self) -> None:
        owners = [self.school_id, self.enterprise_id, self.consortium_id]
        if sum(o is not None for o in owners) != 1:
            raise ValidationError(
                {"school": _("A training base has exactly one owner: a school, an enterprise or a consortium.")}
            )
        if (
            self.equipment_value is not None
            and self.enterprise_equipment_value is not None
            and self.enterprise_equipment_value > self.equipment_value
        ):
            raise ValidationError(
                {"enterprise_equipment_value": _("Equipment provided by enterprises cannot exceed the base's equipment value.")}
            )


class TrainingBaseUsage(TimeStampedModel):
    """How many hours a training base was used in a year, by the owner and by outside users."""

    base = models.ForeignKey(TrainingBase, verbose_name=_("training base"), on_delete=models.CASCADE, related_name="usage")
    year = models.PositiveSmallIntegerField(_("academic year"), validators=YEAR_VALIDATORS)
    internal_hours = models.PositiveIntegerField(_("internal hours"), default=0, validators=NON_NEGATIVE)
    external_hours = models.PositiveIntegerField(_("external (social training) hours"), default=0, validators=NON_NEGATIVE)

    class Meta:
        ordering = ["-year", "base"]
        verbose_name = _("training base usage")
        verbose_name_plural = _("training base usage")
        constraints = [
            models.UniqueConstraint(
                fields=["base", "year"],
                name="training_base_usage_unique_per_year",
                violation_error_message=_("This training base already has usage recorded for this year."),
            ),
            year_check("training_base_usage"),
            *non_negative_checks("training_base_usage", "internal_hours", "external_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.base} {self.year}"


class TechnicalService(TimeStampedModel):
    """A paid technical service (横向技术服务) a school delivered, by year of payment."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="technical_services"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("client enterprise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="technical_services",
    )
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("academic year"), validators=YEAR_VALIDATORS)
    amount = models.DecimalField(_("amount received (CNY)"), **MONEY)

    class Meta:
        ordering = ["-year", "id"]
        verbose_name = _("technical service")
        verbose_name_plural = _("technical services")
        constraints = [year_check("technical_service"), *non_negative_checks("technical_service", "amount")]

    def __str__(self) -> str:
        return self.title


class Patent(TimeStampedModel):
    """A patent granted to a school, and whether it was transferred or licensed."""

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="patents")
    number = models.CharField(_("patent number"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    granted_on = models.DateField(_("granted on"))
    transferred_on = models.DateField(_("transferred or licensed on"), null=True, blank=True)
    licensee = models.ForeignKey(
        Enterprise, verbose_name=_("licensee"), null=True, blank=True, on_delete=models.SET_NULL, related_name="patents"
    )

    class Meta:
        ordering = ["-granted_on", "id"]
        verbose_name = _("patent")
        verbose_name_plural = _("patents")
        constraints = [date_order_check("patent", "granted_on", "transferred_on")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        if errors := date_order_errors(self, "granted_on", "transferred_on"):
            raise ValidationError(errors)
