"""Teaching at a college: programs (majors), courses, yearly program figures, teachers and their
placements in enterprises."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.db import NON_NEGATIVE, choice_check, date_order_check, date_order_errors, non_negative_checks
from portal.models import Enterprise, School, Sector, TimeStampedModel
from portal.validators import PROGRAM_CODE_PATTERN, code_format_condition, validate_program_code

from .querysets import ProgramQuerySet
from .choices import DualQualifiedLevel, Employment, PlacementActivity, ProgramStatus

YEAR_VALIDATORS = [MinValueValidator(1950), MaxValueValidator(2100)]


def year_check(prefix: str, field: str = "year") -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 1950, f"{field}__lte": 2100}),
        name=f"{prefix}_{field}_plausible",
        violation_error_message=_("A year lies between 1950 and 2100."),
    )


class Program(TimeStampedModel):
    """A program (major, 专业) a school runs, by its national major catalogue code."""

    Status = ProgramStatus

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="programs")
    code = models.CharField(_("major code"), max_length=6, validators=[validate_program_code])
    name = models.CharField(_("name"), max_length=200)
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="programs")
    established_year = models.PositiveSmallIntegerField(_("established in"), validators=YEAR_VALIDATORS)
    status = models.CharField(_("status"), max_length=20, choices=ProgramStatus.choices, default=ProgramStatus.ACTIVE)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["school__name", "code"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "code"],
                name="program_code_unique_per_school",
                violation_error_message=_("This school already has a program with this code."),
            ),
            models.CheckConstraint(
                condition=code_format_condition("code", PROGRAM_CODE_PATTERN),
                name="program_code_6_digits",
                violation_error_message=_("A program code is the 6-digit code of the national major catalogue."),
            ),
            choice_check("status", ProgramStatus, "program_status_valid"),
            year_check("program", "established_year"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Course(TimeStampedModel):
    """A course of a program with its theory and practice hours (学时)."""

    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="courses")
    code = models.CharField(_("course code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    theory_hours = models.PositiveIntegerField(_("theory hours"), validators=NON_NEGATIVE)
    practice_hours = models.PositiveIntegerField(_("practice hours"), validators=NON_NEGATIVE)
    professional = models.BooleanField(_("professional course"), default=True)
    co_developed_with = models.ForeignKey(
        Enterprise,
        verbose_name=_("co-developed with"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="co_developed_courses",
    )

    class Meta:
        ordering = ["program", "code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "code"],
                name="course_code_unique_per_program",
                violation_error_message=_("This program already has a course with this code."),
            ),
            *non_negative_checks("course", "theory_hours", "practice_hours"),
            models.CheckConstraint(
                condition=Q(theory_hours__gt=0) | Q(practice_hours__gt=0),
                name="course_hours_sum_positive",
                violation_error_message=_("A course has at least one hour of theory or practice."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.theory_hours == 0 and self.practice_hours == 0:
            raise ValidationError({"practice_hours": _("A course has at least one hour of theory or practice.")})

    @property
    def total_hours(self) -> int:
        return (self.theory_hours or 0) + (self.practice_hours or 0)


# The program-year inequalities of DESIGN.md: (smaller field, larger field, message).
PROGRAM_YEAR_INEQUALITIES = [
    ("employed", "graduates", _("Employed graduates cannot outnumber graduates.")),
    ("employed_in_field", "employed", _("Graduates employed in their field cannot outnumber employed graduates.")),
    ("employed_by_partners", "employed", _("Graduates hired by partners cannot outnumber employed graduates.")),
]


PROGRAM_YEAR_COUNT_FIELDS = (
    "enrolled",
    "students",
    "graduates",
    "employed",
    "employed_in_field",
    "employed_by_partners",
    "order_class_students",
    "apprentices",
)


class ProgramYear(TimeStampedModel):
    """One program's figures for one academic year: enrolment to employment."""

    COUNT_FIELDS = PROGRAM_YEAR_COUNT_FIELDS

    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("academic year"), validators=YEAR_VALIDATORS)
    enrolled = models.PositiveIntegerField(_("new intake"), default=0, validators=NON_NEGATIVE)
    students = models.PositiveIntegerField(_("students"), default=0, validators=NON_NEGATIVE)
    graduates = models.PositiveIntegerField(_("graduates"), default=0, validators=NON_NEGATIVE)
    employed = models.PositiveIntegerField(_("employed graduates"), default=0, validators=NON_NEGATIVE)
    employed_in_field = models.PositiveIntegerField(_("employed in their field"), default=0, validators=NON_NEGATIVE)
    employed_by_partners = models.PositiveIntegerField(
        _("hired by partner enterprises"), default=0, validators=NON_NEGATIVE
    )
    order_class_students = models.PositiveIntegerField(_("order-class students"), default=0, validators=NON_NEGATIVE)
    apprentices = models.PositiveIntegerField(_("apprentices"), default=0, validators=NON_NEGATIVE)

    class Meta:
        ordering = ["program", "-year"]
        verbose_name = _("program year")
        verbose_name_plural = _("program years")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "year"],
                name="program_year_unique",
                violation_error_message=_("This program already has figures for this year."),
            ),
            year_check("program_year"),
            *non_negative_checks("program_year", *PROGRAM_YEAR_COUNT_FIELDS),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{small}__lte": F(large)}),
                    name=f"program_year_{small}_lte_{large}",
                    violation_error_message=message,
                )
                for small, large, message in PROGRAM_YEAR_INEQUALITIES
            ],
            models.CheckConstraint(
                condition=Q(order_class_students__lte=F("students") - F("apprentices")),
                name="program_year_order_class_and_apprentices_lte_students",
                violation_error_message=_("Order-class students and apprentices together cannot outnumber students."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.year}"

    def clean(self) -> None:
        errors = {}
        for small, large, message in PROGRAM_YEAR_INEQUALITIES:
            a, b = getattr(self, small), getattr(self, large)
            if a is not None and b is not None and a > b:
                errors[small] = message
        if None not in (self.order_class_students, self.apprentices, self.students):
            if self.order_class_students + self.apprentices > self.students:
                errors["order_class_students"] = _(
                    "Order-class students and apprentices together cannot outnumber students."
                )
        if errors:
            raise ValidationError(errors)


class Teacher(TimeStampedModel):
    """A teacher of a school: full-time or a part-time teacher from industry."""

    Employment = Employment
    DualQualifiedLevel = DualQualifiedLevel

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="teachers")
    name = models.CharField(_("name"), max_length=100)
    staff_no = models.CharField(_("staff number"), max_length=30)
    active = models.BooleanField(_("active"), default=True)
    employment = models.CharField(_("employment"), max_length=20, choices=Employment.choices, default=Employment.FULL_TIME)
    professional = models.BooleanField(_("teaches professional courses"), default=True)
    dual_qualified = models.BooleanField(_("dual-qualified"), default=False)
    dual_qualified_level = models.CharField(
        _("dual-qualified level"), max_length=20, choices=DualQualifiedLevel.choices, blank=True
    )
    dual_qualified_since = models.DateField(_("dual-qualified since"), null=True, blank=True)
    employer = models.ForeignKey(
        Enterprise,
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="part_time_teachers",
        help_text=_("The enterprise a part-time industry teacher works for."),
    )
    annual_teaching_hours = models.PositiveIntegerField(_("annual teaching hours"), default=0, validators=NON_NEGATIVE)

    class Meta:
        ordering = ["school", "staff_no"]
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "staff_no"],
                name="teacher_staff_no_unique_per_school",
                violation_error_message=_("This school already has a teacher with this staff number."),
            ),
            choice_check("employment", Employment, "teacher_employment_valid"),
            choice_check("dual_qualified_level", DualQualifiedLevel, "teacher_dual_level_valid", blank=True),
            *non_negative_checks("teacher", "annual_teaching_hours"),
            models.CheckConstraint(
                condition=Q(dual_qualified=True) | (Q(dual_qualified_level="") & Q(dual_qualified_since__isnull=True)),
                name="teacher_dual_level_only_when_dual_qualified",
                violation_error_message=_("Only a dual-qualified teacher has a dual-qualified level and date."),
            ),
            models.CheckConstraint(
                condition=Q(employment="part_time_industry", employer__isnull=False)
                | Q(employment="full_time", employer__isnull=True),
                name="teacher_employer_only_for_part_time_industry",
                violation_error_message=_(
                    "A part-time industry teacher names the enterprise that employs them; a full-time teacher does not."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.staff_no})"

    def clean(self) -> None:
        errors = {}
        if not self.dual_qualified:
            if self.dual_qualified_level:
                errors["dual_qualified_level"] = _("Only a dual-qualified teacher has a dual-qualified level.")
            if self.dual_qualified_since:
                errors["dual_qualified_since"] = _("Only a dual-qualified teacher has a dual-qualified date.")
        if self.employment == Employment.PART_TIME_INDUSTRY and self.employer_id is None:
            errors["employer"] = _("A part-time industry teacher names the enterprise that employs them.")
        if self.employment == Employment.FULL_TIME and self.employer_id is not None:
            errors["employer"] = _("A full-time teacher has no enterprise employer; leave it empty.")
        if errors:
            raise ValidationError(errors)


class TeacherPlacement(TimeStampedModel):
    """A teacher's practice in an enterprise (教师企业实践); verified by the host enterprise."""

    Activity = PlacementActivity

    teacher = models.ForeignKey(Teacher, verbose_name=_("teacher"), on_delete=models.CASCADE, related_name="placements")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("host enterprise"), on_delete=models.PROTECT, related_name="hosted_placements"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    activity = models.CharField(_("activity"), max_length=20, choices=PlacementActivity.choices)
    description = models.TextField(_("description"), blank=True)
    verified = models.BooleanField(_("verified by the enterprise"), default=False, editable=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("teacher placement")
        verbose_name_plural = _("teacher placements")
        constraints = [
            date_order_check("placement"),
            choice_check("activity", PlacementActivity, "placement_activity_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} @ {self.enterprise} {self.start_date:%Y-%m-%d}"

    def clean(self) -> None:
        if errors := date_order_errors(self):
            raise ValidationError(errors)

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1
