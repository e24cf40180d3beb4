"""Writes of the cooperation models that carry a rule: the partnership life cycle (a college
proposes, the enterprise accepts or declines, the college suspends or ends), the contribution
ledger and project adoptions."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.choices import Role
from portal.models import School, User
from programs.models import Program

from .choices import PartnershipStatus, ProjectStatus
from .models import Contribution, EnterpriseProject, Partnership, ProjectAdoption

Status = PartnershipStatus


# --- partnerships ---------------------------------------------------------------------------------
def _check_programs(*, school: School | None, programs: Iterable[Program]) -> None:
    if school is None:
        return
    foreign = sorted(str(p) for p in programs if p.school_id != school.pk)
    if foreign:
        raise ValidationError(
            {"programs": _("Only programs of the partnership's school can be named: %(programs)s.")
             % {"programs": ", ".join(foreign)}}
        )


def _assign(instance, fields: dict[str, Any]) -> list[str]:
    """Set plain fields on `instance`; answer the names set."""
    for name, value in fields.items():
        setattr(instance, name, value)
    return list(fields)


@transaction.atomic
def partnership_propose(*, by: User, programs: Iterable[Program] = (), **fields: Any) -> Partnership:
    """A college proposes a partnership to an enterprise; it waits for the enterprise's answer."""
    programs = list(programs)
    partnership = Partnership(**fields)
    partnership.status = Status.PROPOSED
    partnership.proposed_by = by
    partnership.responded_at = None
    _check_programs(school=partnership.school if partnership.school_id else None, programs=programs)
    partnership.full_clean()
    partnership.save()
    partnership.programs.set(programs)
    return partnership


@transaction.atomic
def partnership_update(*, partnership: Partnership, by: User, **fields: Any) -> Partnership:
    """Change a partnership's terms. A college may do so only while it is proposed (re-checked
    under the row lock, so a change never races with the enterprise's answer)."""
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if by.role != Role.PLATFORM_ADMIN and partnership.status != Status.PROPOSED:
        raise PermissionDenied(_("A partnership can only be changed while it is proposed."))
    programs = fields.pop("programs", None)
    names = _assign(partnership, fields)
    _check_programs(
        school=partnership.school, programs=partnership.programs.all() if programs is None else programs
    )
    partnership.full_clean()
    partnership.save(update_fields=[*names, "updated_at"])
    if programs is not None:
        partnership.programs.set(programs)
    return partnership


def _may_answer(user: User, partnership: Partnership) -> bool:
    """The enterprise side answers a proposal."""
    return user.role == Role.PLATFORM_ADMIN or (
        user.role == Role.ENTERPRISE_LIAISON and user.enterprise_id == partnership.enterprise_id
    )


def _may_manage(user: User, partnership: Partnership) -> bool:
    """The school side suspends and ends a partnership."""
    return user.role == Role.PLATFORM_ADMIN or (
        user.role == Role.COLLEGE_ADMIN and user.school_id == partnership.school_id
    )


def _transition(*, partnership: Partnership, by: User, allowed: tuple[str, ...], to: str,
                side: Callable[[User, Partnership], bool], side_message: str, state_message: str,
                answer: bool = False) -> Partnership:
    """Move a partnership from one of the `allowed` states to `to`, under a row lock: first the
    caller's side (else 403), then the state (else 400)."""
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if not side(by, partnership):
        raise PermissionDenied(side_message)
    if partnership.status not in allowed:
        raise ValidationError(state_message % {"status": partnership.get_status_display()})
    partnership.status = to
    update_fields = ["status", "updated_at"]
    if answer:
        partnership.responded_at = timezone.now()
        update_fields.append("responded_at")
    partnership.full_clean()
    partnership.save(update_fields=update_fields)
    return partnership


@transaction.atomic
def partnership_accept(*, partnership: Partnership, by: User) -> Partnership:
    """The enterprise accepts a proposed partnership: it becomes active."""
    return _transition(
        partnership=partnership, by=by, allowed=(Status.PROPOSED,), to=Status.ACTIVE, answer=True, side=_may_answer,
        side_message=_("Only the enterprise's liaison may accept or decline a proposed partnership."),
        state_message=_("Only a proposed partnership can be accepted; this one is %(status)s."),
    )


@transaction.atomic
def partnership_decline(*, partnership: Partnership, by: User) -> Partnership:
    """The enterprise declines a proposed partnership."""
    return _transition(
        partnership=partnership, by=by, allowed=(Status.PROPOSED,), to=Status.DECLINED, answer=True,
        side=_may_answer,
        side_message=_("Only the enterprise's liaison may accept or decline a proposed partnership."),
        state_message=_("Only a proposed partnership can be declined; this one is %(status)s."),
    )


@transaction.atomic
def partnership_suspend(*, partnership: Partnership, by: User) -> Partnership:
    """The college suspends an active partnership."""
    return _transition(
        partnership=partnership, by=by, allowed=(Status.ACTIVE,), to=Status.SUSPENDED, side=_may_manage,
        side_message=_("Only the school's administrator may suspend or end a partnership."),
        state_message=_("Only an active partnership can be suspended; this one is %(status)s."),
    )


@transaction.atomic
def partnership_end(*, partnership: Partnership, by: User) -> Partnership:
    """The college ends an active or suspended partnership."""
    return _transition(
        partnership=partnership, by=by, allowed=(Status.ACTIVE, Status.SUSPENDED), to=Status.ENDED,
        side=_may_manage,
        side_message=_("Only the school's administrator may suspend or end a partnership."),
        state_message=_("Only an active or suspended partnership can be ended; this one is %(status)s."),
    )


# --- the contribution ledger ----------------------------------------------------------------------
def _check_partnership_open(partnership: Partnership | None) -> None:
    if partnership is not None and partnership.status == Status.DECLINED:
        raise ValidationError({"partnership": _("A declined partnership has no contributions.")})


@transaction.atomic
def contribution_add(*, by: User, **fields: Any) -> Contribution:
    """Record an entry in a partnership's ledger (any partnership but a declined one)."""
    contribution = Contribution(**fields)
    _check_partnership_open(contribution.partnership if contribution.partnership_id else None)
    contribution.full_clean()
    contribution.save()
    return contribution


@transaction.atomic
def contribution_update(*, contribution: Contribution, by: User, **fields: Any) -> Contribution:
    """Correct an entry of a partnership's ledger."""
    names = _assign(contribution, fields)
    _check_partnership_open(contribution.partnership)
    contribution.full_clean()
    contribution.save(update_fields=[*names, "updated_at"])
    return contribution


# --- project adoptions ----------------------------------------------------------------------------
ADOPTABLE = (ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS)


def _check_adoptable(project: EnterpriseProject) -> None:
    if project.status not in ADOPTABLE:
        raise ValidationError(
            {"project": _("Only an open or in-progress project can be adopted; this one is %(status)s.")
             % {"status": project.get_status_display()}}
        )


@transaction.atomic
def project_adopt(*, by: User, **fields: Any) -> ProjectAdoption:
    """A course takes an open or in-progress enterprise project into its teaching for a year."""
    adoption = ProjectAdoption(**fields)
    if adoption.project_id:
        _check_adoptable(adoption.project)
    adoption.full_clean()
    adoption.save()
    return adoption


@transaction.atomic
def project_adoption_update(*, adoption: ProjectAdoption, by: User, **fields: Any) -> ProjectAdoption:
    """Change an adoption (students, outcome…); moving it to another project needs an adoptable one."""
    if "project" in fields and fields["project"].pk != adoption.project_id:
        _check_adoptable(fields["project"])
    names = _assign(adoption, fields)
    adoption.full_clean()
    adoption.save(update_fields=[*names, "updated_at"])
    return adoption
