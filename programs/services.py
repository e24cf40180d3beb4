"""Writes of the teaching models that carry a rule: verifying a placement, deleting a teacher."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.choices import Role
from portal.models import User

from .models import Teacher, TeacherPlacement


def may_verify_placement(*, user: User, placement: TeacherPlacement) -> bool:
    """Only the host enterprise's liaison (or a platform admin) confirms a placement took place."""
    if user.role == Role.PLATFORM_ADMIN:
        return True
    return user.role == Role.ENTERPRISE_LIAISON and user.enterprise_id == placement.enterprise_id


@transaction.atomic
def placement_verify(*, placement: TeacherPlacement, by: User) -> TeacherPlacement:
    """The host enterprise confirms a teacher's placement; from then on the school cannot change it."""
    placement = TeacherPlacement.objects.select_for_update().get(pk=placement.pk)
    if not may_verify_placement(user=by, placement=placement):
        raise PermissionDenied(
            _("Only the host enterprise's liaison or a platform administrator may verify a placement.")
        )
    if placement.verified:
        raise ValidationError(_("This placement has already been verified."))
    placement.verified = True
    placement.verified_at = timezone.now()
    placement.verified_by = by
    placement.full_clean()
    placement.save(update_fields=["verified", "verified_at", "verified_by", "updated_at"])
    return placement


@transaction.atomic
def teacher_delete(*, teacher: Teacher, by: User) -> None:
    """Delete a teacher and their placements, unless a host enterprise has verified one of them
    (verified placements are evidence only a platform admin may remove; mark the teacher inactive)."""
    teacher = Teacher.objects.select_for_update().get(pk=teacher.pk)
    if by.role != Role.PLATFORM_ADMIN and teacher.placements.filter(verified=True).exists():
        raise ValidationError(
            _(
                "This teacher has placements verified by their host enterprises and cannot be deleted; "
                "mark the teacher inactive instead."
            )
        )
    teacher.delete()
