"""API resources of teaching: programs, courses, program years, teachers and teacher placements."""
from __future__ import annotations

from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from portal.api.viewsets import ScopedModelViewSet
from portal.scoping import CHANGE, may_write
from programs import services
from programs.filters import (
    CourseFilterSet,
    ProgramFilterSet,
    ProgramYearFilterSet,
    TeacherFilterSet,
    TeacherPlacementFilterSet,
)
from programs.models import Course, Program, ProgramYear, Teacher, TeacherPlacement

from .serializers import (
    CourseSerializer,
    ProgramSerializer,
    ProgramYearSerializer,
    TeacherPlacementSerializer,
    TeacherSerializer,
)


class ProgramViewSet(ScopedModelViewSet):
    """Programs (majors) of the colleges, with their course count and practical share computed live from
    the courses. Everyone signed in reads all; a college admin creates and changes their own school's."""

    queryset = (
        Program.objects.select_related("school", "sector")
        .with_course_totals()
        # ?ordering=practical_share: programs without course hours sort below 0 % on every database.
        .alias(practical_share=Coalesce(F("practical_share_value"), Value(-1.0)))
    )
    serializer_class = ProgramSerializer
    filterset_class = ProgramFilterSet
    search_fields = ["code", "name", "school__name", "school__name_en"]
    ordering_fields = ["code", "name", "established_year", "status", "course_count", "practical_share",
                       "created_at", "updated_at"]
    ordering = ["school__name", "code", "id"]

    def create_object(self, serializer):
        # Re-read the new row through the annotated queryset so the answer carries its course totals.
        program = serializer.save()
        serializer.instance = self.get_queryset().get(pk=program.pk)


class CourseViewSet(ScopedModelViewSet):
    """Courses of the programs with their theory and practice hours. Everyone signed in reads all; a college
    admin creates and changes the courses of their own school's programs."""

    queryset = Course.objects.select_related("program", "co_developed_with")
    serializer_class = CourseSerializer
    filterset_class = CourseFilterSet
    search_fields = ["code", "name", "program__name", "program__code"]
    ordering_fields = ["code", "name", "theory_hours", "practice_hours", "program", "created_at", "updated_at"]
    ordering = ["program_id", "code", "id"]


class ProgramYearViewSet(ScopedModelViewSet):
    """One program's figures for one academic year (enrolment to employment). A college admin keeps their
    own school's; reviewers read those of their region; enterprise liaisons see none."""

    queryset = ProgramYear.objects.select_related("program")
    serializer_class = ProgramYearSerializer
    filterset_class = ProgramYearFilterSet
    search_fields = ["program__code", "program__name"]
    ordering_fields = ["year", "program", *ProgramYear.COUNT_FIELDS, "updated_at"]
    ordering = ["-year", "program_id"]


class TeacherViewSet(ScopedModelViewSet):
    """Teachers of a college. A college admin keeps their own school's; a liaison reads the teachers their
    enterprise employs or hosts on a placement; reviewers read those of their region. A teacher with a
    placement verified by the host enterprise cannot be deleted (mark them inactive instead)."""

    queryset = Teacher.objects.select_related("school", "employer")
    serializer_class = TeacherSerializer
    filterset_class = TeacherFilterSet
    search_fields = ["name", "staff_no"]
    ordering_fields = ["name", "staff_no", "annual_teaching_hours", "dual_qualified_since", "created_at",
                       "updated_at"]
    ordering = ["school_id", "staff_no"]

    def destroy_object(self, instance):
        services.teacher_delete(teacher=instance, by=self.request.user)


class TeacherPlacementViewSet(ScopedModelViewSet):
    """Teachers' practice in enterprises (教师企业实践). A college admin keeps their own school's teachers'
    placements until the host enterprise verifies one; the host enterprise's liaison reads and verifies
    them (`POST …/{id}/verify/`); reviewers read those of their region."""

    queryset = TeacherPlacement.objects.select_related("teacher__school", "enterprise")
    serializer_class = TeacherPlacementSerializer
    filterset_class = TeacherPlacementFilterSet
    search_fields = ["teacher__name", "teacher__staff_no", "enterprise__name", "description"]
    ordering_fields = ["start_date", "end_date", "activity", "verified", "verified_at", "created_at", "updated_at"]
    ordering = ["-start_date", "id"]

    verified_message = _("The host enterprise has verified this placement; it can no longer be changed or deleted.")

    def check_may_change(self, instance, perm: str = CHANGE) -> None:
        try:
            super().check_may_change(instance, perm)
        except PermissionDenied:
            # Say why when the caller could change the placement were it not verified.
            if instance.verified and may_write(self.request.user, TeacherPlacement, {"verified": False}, instance):
                raise PermissionDenied(self.verified_message) from None
            raise

    @extend_schema(request=None, responses=TeacherPlacementSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """The host enterprise's liaison (or a platform admin) confirms the placement took place."""
        placement = services.placement_verify(placement=self.get_object(), by=request.user)
        return Response(self.get_serializer(placement).data)
