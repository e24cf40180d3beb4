"""Writes of the evaluation models that carry a rule: giving stakeholder feedback, acknowledging
warnings."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.choices import PartnershipStatus
from partnerships.models import Partnership
from portal.choices import Role
from portal.models import User
from portal.scoping import VIEW, restrict

from .choices import WarningStatus
from .models import Feedback, FeedbackScore, Warning


def _check_subject(feedback: Feedback) -> None:
    """An enterprise gives feedback only on its own partnerships and on the graduates of programs of
    schools it is a partner of (a declined proposal is no partnership)."""
    if not feedback.enterprise_id:
        return
    if feedback.partnership_id:
        partnership = feedback.partnership
        if partnership.enterprise_id != feedback.enterprise_id or partnership.status == PartnershipStatus.DECLINED:
            raise ValidationError(
                {"partnership": _("Feedback can only be given on a partnership of the enterprise giving it.")}
            )
    if feedback.program_id:
        partner = (
            Partnership.objects.filter(enterprise=feedback.enterprise_id, school=feedback.program.school_id)
            .exclude(status=PartnershipStatus.DECLINED)
            .exists()
        )
        if not partner:
            raise ValidationError(
                {"program": _("Feedback on graduates can only be given on programs of a partner school.")}
            )


def _save_scores(feedback: Feedback, scores: Iterable[Mapping[str, Any]]) -> None:
    rows = [FeedbackScore(feedback=feedback, dimension=s["dimension"], score=s["score"]) for s in scores]
    if not rows:
        raise ValidationError({"scores": _("Give a score on at least one dimension.")})
    dimensions = [row.dimension for row in rows]
    if len(set(dimensions)) != len(dimensions):
        raise ValidationError({"scores": _("Each dimension can be scored only once in a feedback.")})
    for row in rows:
        try:
            row.full_clean(exclude=["feedback"])
        except ValidationError as exc:
            raise ValidationError({"scores": exc.messages}) from None
    feedback.scores.all().delete()
    for row in rows:  # one by one (a handful): each score is in the audit trail with who gave it
        row.save()


@transaction.atomic
def feedback_give(*, by: User, scores: Iterable[Mapping[str, Any]], **fields: Any) -> Feedback:
    """Record an enterprise's feedback (a liaison's is always from their own enterprise) or, by a
    platform admin, a third-party evaluator's; with its scores, all or nothing."""
    feedback = Feedback(**fields)
    if by.role == Role.ENTERPRISE_LIAISON:
        if feedback.evaluator:
            raise PermissionDenied(_("Only a platform administrator records feedback from third-party evaluators."))
        feedback.enterprise = by.enterprise
    elif by.role != Role.PLATFORM_ADMIN:
        raise PermissionDenied(_("Feedback is given by enterprise liaisons."))
    feedback.given_by = by
    _check_subject(feedback)
    feedback.full_clean()
    feedback.save()
    _save_scores(feedback, scores)
    return feedback


@transaction.atomic
def feedback_update(*, feedback: Feedback, by: User, scores: Iterable[Mapping[str, Any]] | None = None,
                    **fields: Any) -> Feedback:
    """Correct given feedback (platform admins only); `scores`, when given, replace the old ones."""
    if by.role != Role.PLATFORM_ADMIN:
        raise PermissionDenied(_("Given feedback can only be changed by a platform administrator."))
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    for name, value in fields.items():
        setattr(feedback, name, value)
    _check_subject(feedback)
    feedback.full_clean()
    feedback.save(update_fields=[*fields, "updated_at"])
    if scores is not None:
        _save_scores(feedback, scores)
    return feedback


@transaction.atomic
def warning_acknowledge(warning: Warning, by: User, note: str | None = None) -> Warning:
    """A reviewer (for a warning in their region) or a platform admin acknowledges an open warning,
    optionally with a note. The acknowledgement and the note stay while later runs still find the
    warning. Rights are checked before the state (403 before 400), under a row lock."""
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    may = by.role == Role.PLATFORM_ADMIN or (
        by.role == Role.GOV_REVIEWER and restrict(Warning.objects.filter(pk=warning.pk), by, VIEW).exists()
    )
    if not may:
        raise PermissionDenied(_("Only the education authority of the region or a platform administrator may "
                                 "acknowledge a warning."))
    if warning.status == WarningStatus.RESOLVED:
        raise ValidationError(_("This warning is resolved: a later run no longer found it, so there is nothing to "
                                "acknowledge."))
    if warning.status == WarningStatus.ACKNOWLEDGED:
        raise ValidationError(_("This warning has already been acknowledged."))
    warning.status = WarningStatus.ACKNOWLEDGED
    warning.acknowledged_by = by
    warning.acknowledged_at = timezone.now()
    update_fields = ["status", "acknowledged_by", "acknowledged_at", "updated_at"]
    if note is not None:
        warning.note = note
        update_fields.append("note")
    warning.save(update_fields=update_fields)
    return warning
