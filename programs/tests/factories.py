"""Factories for programs, courses, program years, teachers and placements (valid by default)."""
from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from portal.tests.factories import EnterpriseFactory, SchoolFactory, SectorFactory
from programs.choices import (
    DualQualifiedLevel,
    Employment,
    PlacementActivity,
    ProgramStatus,
)
from programs.models import Course, Program, ProgramYear, Teacher, TeacherPlacement


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program

    school = factory.SubFactory(SchoolFactory)
    code = factory.Sequence(lambda n: f"{460000 + n % 10**5:06d}")
    name = factory.Sequence(lambda n: f"智能制造技术{n}")
    sector = factory.SubFactory(SectorFactory)
    established_year = 2015
    status = ProgramStatus.ACTIVE


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    program = factory.SubFactory(ProgramFactory)
    code = factory.Sequence(lambda n: f"K{n:05d}")
    name = factory.Sequence(lambda n: f"工业机器人编程{n}")
    theory_hours = 32
    practice_hours = 32
    professional = True
    co_developed_with = None


class ProgramYearFactory(DjangoModelFactory):
    """Plausible figures that satisfy every inequality; pass `year` for a second year."""

    class Meta:
        model = ProgramYear

    program = factory.SubFactory(ProgramFactory)
    year = 2024
    enrolled = 50
    students = 150
    graduates = 45
    employed = 42
    employed_in_field = 35
    employed_by_partners = 12
    order_class_students = 20
    apprentices = 10


class TeacherFactory(DjangoModelFactory):
    """A full-time teacher; `part_time=True` for an industry teacher, `dual=True` for dual-qualified."""

    class Meta:
        model = Teacher

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"教师{n}")
    staff_no = factory.Sequence(lambda n: f"T{n:05d}")
    active = True
    employment = Employment.FULL_TIME
    professional = True
    dual_qualified = False
    dual_qualified_level = ""
    dual_qualified_since = None
    employer = None
    annual_teaching_hours = 320

    class Params:
        part_time = factory.Trait(
            employment=Employment.PART_TIME_INDUSTRY,
            employer=factory.SubFactory(EnterpriseFactory),
            annual_teaching_hours=64,
        )
        dual = factory.Trait(
            dual_qualified=True,
            dual_qualified_level=DualQualifiedLevel.INTERMEDIATE,
            dual_qualified_since=datetime.date(2020, 9, 1),
        )


class TeacherPlacementFactory(DjangoModelFactory):
    class Meta:
        model = TeacherPlacement

    teacher = factory.SubFactory(TeacherFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    start_date = datetime.date(2024, 7, 1)
    end_date = datetime.date(2024, 8, 15)
    activity = PlacementActivity.POST_PRACTICE
    description = ""
    verified = False
