"""Serializers of the teaching API: public field names as DESIGN.md section 4, ids for relations,
sectors by code, and the names integrators need (read-only, from the viewsets' select_related)."""
from __future__ import annotations

from rest_framework import serializers

from portal.api.serializers import CodeRelatedField, PortalModelSerializer
from portal.models import Sector
from programs.models import Course, Program, ProgramYear, Teacher, TeacherPlacement

TIMESTAMPS = ["created_at", "updated_at"]


class ProgramSerializer(PortalModelSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True)
    sector = CodeRelatedField(queryset=Sector.objects.all())
    sector_name = serializers.CharField(source="sector.name", read_only=True)
    # Annotated by ProgramQuerySet.with_course_totals() on the viewset's queryset.
    course_count = serializers.IntegerField(read_only=True, help_text="Number of courses of the program.")
    practical_share = serializers.FloatField(
        source="practical_share_value", read_only=True, allow_null=True,
        help_text="Practice hours ÷ all hours of the program's courses (0–1); null without course hours.",
    )

    class Meta:
        model = Program
        fields = ["id", "school", "school_name", "code", "name", "sector", "sector_name", "established_year",
                  "status", "course_count", "practical_share", *TIMESTAMPS]


class CourseSerializer(PortalModelSerializer):
    program_name = serializers.CharField(source="program.name", read_only=True)
    school = serializers.IntegerField(source="program.school_id", read_only=True,
                                      help_text="Id of the school running the program.")
    co_developed_with_name = serializers.CharField(source="co_developed_with.name", read_only=True,
                                                   allow_null=True)

    class Meta:
        model = Course
        fields = ["id", "program", "program_name", "school", "code", "name", "theory_hours", "practice_hours",
                  "professional", "co_developed_with", "co_developed_with_name", *TIMESTAMPS]


class ProgramYearSerializer(PortalModelSerializer):
    program_name = serializers.CharField(source="program.name", read_only=True)
    school = serializers.IntegerField(source="program.school_id", read_only=True,
                                      help_text="Id of the school running the program.")

    class Meta:
        model = ProgramYear
        fields = ["id", "program", "program_name", "school", "year", *ProgramYear.COUNT_FIELDS, *TIMESTAMPS]


class TeacherSerializer(PortalModelSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True)
    employer_name = serializers.CharField(source="employer.name", read_only=True, allow_null=True)

    class Meta:
        model = Teacher
        fields = ["id", "school", "school_name", "name", "staff_no", "active", "employment", "professional",
                  "dual_qualified", "dual_qualified_level", "dual_qualified_since", "employer", "employer_name",
                  "annual_teaching_hours", *TIMESTAMPS]


class TeacherPlacementSerializer(PortalModelSerializer):
    teacher_name = serializers.CharField(source="teacher.name", read_only=True)
    school = serializers.IntegerField(source="teacher.school_id", read_only=True, help_text="Id of the teacher's school.")
    school_name = serializers.CharField(source="teacher.school.name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    days = serializers.IntegerField(read_only=True, help_text="Length of the placement in days (both ends included).")

    class Meta:
        model = TeacherPlacement
        fields = ["id", "teacher", "teacher_name", "school", "school_name", "enterprise", "enterprise_name",
                  "start_date", "end_date", "days", "activity", "description", "verified", "verified_at",
                  "verified_by", *TIMESTAMPS]
        # Only the verify action sets these (the model marks them non-editable as well).
        read_only_fields = ["verified", "verified_at", "verified_by"]
