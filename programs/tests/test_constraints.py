"""Every rule on programs, courses, program years, teachers and placements holds twice: full_clean()
names the field, and the database refuses a write that skips Python validation."""
import datetime

import factory
import pytest
from django.db.models import F

from portal.tests.constraint_checks import (
    assert_database_refuses_the_update,
    assert_database_refuses_the_write,
    assert_full_clean_names_the_field,
    assert_valid_record_saves,
)
from portal.tests.factories import EnterpriseFactory, build_unsaved, same_as
from programs.models import PROGRAM_YEAR_COUNT_FIELDS
from programs.tests.factories import (
    CourseFactory,
    ProgramFactory,
    ProgramYearFactory,
    TeacherFactory,
    TeacherPlacementFactory,
)

pytestmark = pytest.mark.django_db(transaction=False)

VALID = [
    pytest.param(ProgramFactory, {}, id="program"),
    pytest.param(CourseFactory, {"theory_hours": 0, "practice_hours": 16}, id="practice-only course"),
    pytest.param(CourseFactory, {"theory_hours": 16, "practice_hours": 0}, id="theory-only course"),
    pytest.param(ProgramYearFactory, {}, id="program year"),
    pytest.param(
        ProgramYearFactory,
        {"students": 30, "graduates": 10, "employed": 10, "employed_in_field": 10, "employed_by_partners": 10,
         "order_class_students": 20, "apprentices": 10},
        id="program year with every inequality at its limit",
    ),
    pytest.param(ProgramYearFactory, dict.fromkeys(PROGRAM_YEAR_COUNT_FIELDS, 0), id="program year of zeros"),
    pytest.param(TeacherFactory, {}, id="full-time teacher"),
    pytest.param(TeacherFactory, {"part_time": True, "dual": True}, id="dual-qualified part-time industry teacher"),
    pytest.param(TeacherFactory, {"dual_qualified": True}, id="dual-qualified teacher without level yet"),
    pytest.param(TeacherPlacementFactory, {"end_date": datetime.date(2024, 7, 1)}, id="one-day placement"),
]

EMPLOYER = factory.SubFactory(EnterpriseFactory)

# (factory, overrides that break one rule, the field full_clean() must name)
BAD = [
    pytest.param(ProgramFactory, {"code": "46010"}, "code", id="program code of 5 digits"),
    pytest.param(ProgramFactory, {"code": "46010A"}, "code", id="program code with a letter"),
    pytest.param(ProgramFactory, same_as(ProgramFactory, "school", "code"), "__all__",
                 id="program code twice in a school"),
    pytest.param(ProgramFactory, {"status": "deleted"}, "status", id="unknown program status"),
    pytest.param(ProgramFactory, {"established_year": 1949}, "established_year", id="program established before 1950"),
    pytest.param(CourseFactory, {"theory_hours": -1}, "theory_hours", id="negative theory hours"),
    pytest.param(CourseFactory, {"practice_hours": -1}, "practice_hours", id="negative practice hours"),
    pytest.param(CourseFactory, {"theory_hours": 0, "practice_hours": 0}, "practice_hours", id="course of 0+0 hours"),
    pytest.param(CourseFactory, same_as(CourseFactory, "program", "code"), "__all__",
                 id="course code twice in a program"),
    pytest.param(ProgramYearFactory, {"year": 1949}, "year", id="program year before 1950"),
    pytest.param(ProgramYearFactory, {"year": 2101}, "year", id="program year after 2100"),
    pytest.param(ProgramYearFactory, same_as(ProgramYearFactory, "program", "year"), "__all__",
                 id="program year twice"),
    *[
        # Negative counts; the fields a negative count would make "larger" are zeroed so that only
        # this rule breaks.
        pytest.param(ProgramYearFactory, {**dict.fromkeys(PROGRAM_YEAR_COUNT_FIELDS, 0), field: -1}, field,
                     id=f"negative {field}")
        for field in PROGRAM_YEAR_COUNT_FIELDS
    ],
    pytest.param(ProgramYearFactory, {"graduates": 40, "employed": 41}, "employed", id="employed above graduates"),
    pytest.param(ProgramYearFactory, {"employed": 30, "employed_in_field": 31, "employed_by_partners": 5},
                 "employed_in_field", id="employed in field above employed"),
    pytest.param(ProgramYearFactory, {"employed": 30, "employed_in_field": 20, "employed_by_partners": 31},
                 "employed_by_partners", id="employed by partners above employed"),
    pytest.param(ProgramYearFactory, {"students": 100, "order_class_students": 60, "apprentices": 41},
                 "order_class_students", id="order-class students plus apprentices above students"),
    pytest.param(TeacherFactory, {"dual_qualified_level": "senior"}, "dual_qualified_level",
                 id="dual-qualified level without dual-qualified"),
    pytest.param(TeacherFactory, {"dual_qualified_since": datetime.date(2020, 9, 1)}, "dual_qualified_since",
                 id="dual-qualified date without dual-qualified"),
    pytest.param(TeacherFactory, {"dual": True, "dual_qualified_level": "expert"}, "dual_qualified_level",
                 id="unknown dual-qualified level"),
    pytest.param(TeacherFactory, {"employment": "part_time_industry"}, "employer",
                 id="part-time industry teacher without employer"),
    pytest.param(TeacherFactory, {"employer": EMPLOYER}, "employer", id="full-time teacher with an employer"),
    pytest.param(TeacherFactory, {"employment": "contract"}, "employment", id="unknown employment"),
    pytest.param(TeacherFactory, {"annual_teaching_hours": -1}, "annual_teaching_hours",
                 id="negative teaching hours"),
    pytest.param(TeacherFactory, same_as(TeacherFactory, "school", "staff_no"), "__all__",
                 id="staff number twice in a school"),
    pytest.param(TeacherPlacementFactory, {"end_date": datetime.date(2024, 6, 30)}, "end_date",
                 id="placement ending before it starts"),
    pytest.param(TeacherPlacementFactory, {"activity": "holiday"}, "activity", id="unknown placement activity"),
]

# (factory of a valid saved row, QuerySet.update() arguments that break one rule)
BAD_UPDATES = [
    pytest.param(ProgramFactory, {"code": "4601"}, id="program code shortened"),
    pytest.param(CourseFactory, {"theory_hours": 0, "practice_hours": 0}, id="course hours zeroed"),
    pytest.param(ProgramYearFactory, {"employed": F("graduates") + 1}, id="employed raised above graduates"),
    pytest.param(ProgramYearFactory, {"employed_in_field": F("employed") + 1}, id="employed in field above employed"),
    pytest.param(ProgramYearFactory, {"employed_by_partners": F("employed") + 1},
                 id="employed by partners above employed"),
    pytest.param(ProgramYearFactory, {"apprentices": F("students") - F("order_class_students") + 1},
                 id="apprentices raised above what students leave"),
    pytest.param(ProgramYearFactory, {"students": F("order_class_students") + F("apprentices") - 1},
                 id="students lowered below order class and apprentices"),
    pytest.param(ProgramYearFactory, {"graduates": -1, "employed": -1, "employed_in_field": -1,
                                      "employed_by_partners": -1}, id="negative graduates"),
    pytest.param(TeacherFactory, {"dual_qualified_level": "junior"}, id="level given to a non-dual-qualified teacher"),
    pytest.param(TeacherFactory, {"employment": "part_time_industry"}, id="turned part-time without employer"),
    pytest.param(TeacherPlacementFactory, {"end_date": F("start_date") - datetime.timedelta(days=1)},
                 id="placement end moved before start"),
]


@pytest.mark.parametrize("factory_class, overrides", VALID)
def test_a_valid_record_passes_full_clean_and_saves(factory_class, overrides):
    assert_valid_record_saves(factory_class, overrides)


@pytest.mark.parametrize("factory_class, bad, field", BAD)
def test_full_clean_names_the_broken_field_and_nothing_is_written(factory_class, bad, field):
    assert_full_clean_names_the_field(factory_class, bad, field)


@pytest.mark.parametrize("write", ["save", "bulk_create"])
@pytest.mark.parametrize("factory_class, bad, field", BAD)
def test_the_database_refuses_a_direct_write_and_nothing_is_written(factory_class, bad, field, write):
    assert_database_refuses_the_write(factory_class, bad, write)


@pytest.mark.parametrize("factory_class, changes", BAD_UPDATES)
def test_the_database_refuses_an_update_that_breaks_a_rule(factory_class, changes):
    assert_database_refuses_the_update(factory_class, changes)


def test_the_same_program_code_may_be_used_by_another_school():
    program = ProgramFactory()
    other = build_unsaved(ProgramFactory, code=program.code)
    other.full_clean()
    other.save()


def test_the_same_staff_number_may_be_used_by_another_school():
    teacher = TeacherFactory()
    other = build_unsaved(TeacherFactory, staff_no=teacher.staff_no)
    other.full_clean()
    other.save()


def test_a_course_knows_its_total_hours_and_a_placement_its_days():
    assert CourseFactory.build(theory_hours=20, practice_hours=44).total_hours == 64
    placement = TeacherPlacementFactory.build(start_date=datetime.date(2024, 7, 1), end_date=datetime.date(2024, 7, 31))
    assert placement.days == 31
