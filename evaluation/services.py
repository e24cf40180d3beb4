"""Writes of the evaluation models that carry a rule: giving stakeholder feedback."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerships.choices import PartnershipStatus
from partnerships.models import Partnership
from portal.choices import Role
from portal.models import User

from .models import Feedback, FeedbackScore


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
    FeedbackScore.objects.bulk_create(rows)


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
