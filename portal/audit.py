"""The audit trail: who created, changed or deleted which record, when, from which address, and which
fields changed from what to what (django-auditlog's LogEntry, changes as {field: [old, new]}).

Recording. Each app declares the models it tracks with `track()` (from its AppConfig.ready); their
saves and deletes are logged by auditlog's model signals. The actor is the request's user, whether a
session or an API token signed them in (`AuditMiddleware`), or the user named by `acting_as()` for
work done on someone's behalf outside a request (a spreadsheet import saved by a Celery worker);
nobody, shown as "system", for schedules and commands. Bulk writes of derived data (indicator values)
are not logged; state changes made with a conditional UPDATE or in bulk, which send no signals,
record their entries with `record_update()` and `record_in_bulk()` (runs opening and resolving
warnings).

Reading. `may_read_history()` says who reads which record's trail (portal.scoping.history_q for
existing rows; for a deleted one the regions it lay in, kept on its deletion entry) and
`entries_for()` lists a record's entries, newest first.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from auditlog.diff import model_instance_diff
from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.db.models.signals import pre_delete, pre_save
from django.utils.encoding import smart_str
from django.utils.functional import SimpleLazyObject

from .choices import Role
from .models import Region
from .scoping import HISTORY, region_subtree_q, restrict, rule_for

HIDDEN = "******"
# Every entry has its own time; these would only repeat it.
ALWAYS_EXCLUDED = ("created_at", "updated_at")

# --- what is recorded -----------------------------------------------------------------------------


def hide(value: str) -> str:
    """The mask of secret fields (password hashes): the entry says that they changed, never to what."""
    return HIDDEN


def track(model: type[models.Model], *, exclude: Iterable[str] = (), mask: Iterable[str] = (),
          m2m: Iterable[str] = ()) -> None:
    """Record every create, change and delete of `model`'s rows, except the `exclude` fields (and
    created_at/updated_at); `mask` fields are recorded as changed without their values; `m2m`
    relations are recorded as rows added and removed."""
    excluded = {*ALWAYS_EXCLUDED, *exclude}
    # The row's own columns only: left to itself auditlog would also list reverse relations (a
    # program's courses) and the id in every creation.
    fields = [f.name for f in model._meta.concrete_fields if not f.primary_key and f.name not in excluded]
    auditlog.register(model, include_fields=fields, exclude_fields=sorted(excluded), mask_fields=list(mask),
                      mask_callable="portal.audit.hide", m2m_fields=set(m2m))
    pre_delete.connect(_remember_regions, sender=model, dispatch_uid=f"audit-regions-{model._meta.label}")


def is_tracked(model: type[models.Model] | None) -> bool:
    return model is not None and auditlog.contains(model)


def masked_fields(model: type[models.Model]) -> frozenset[str]:
    return frozenset(auditlog.get_model_fields(model)["mask_fields"]) if is_tracked(model) else frozenset()


def _remember_regions(sender, instance, **kwargs) -> None:
    """Before a row goes, note the regions it lay in: its deletion entry keeps them, so that the
    reviewers of those regions may still read the trail of a record that no longer exists."""
    paths = rule_for(sender).region_paths
    if not paths or instance.pk is None:
        return
    lookups = [f"{path}__id" if path else "id" for path in paths]
    rows = sender._base_manager.filter(pk=instance.pk).values_list(*lookups)
    regions = sorted({region for row in rows for region in row if region is not None})
    # auditlog asks the instance for extra data when it writes the entry (LogEntry.additional_data).
    instance.get_additional_data = lambda: {"regions": regions}


def _applied(before: models.Model, values: dict) -> models.Model:
    after = copy.copy(before)
    for name, value in values.items():
        setattr(after, name, value)
    return after


def _diff(before: models.Model | None, after: models.Model | None) -> dict | None:
    return model_instance_diff(before, after, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES)


def record_update(before: models.Model, **values) -> LogEntry | None:
    """Record a change made with QuerySet.update() (no signals): `before` is the row as it was read
    (under the lock or condition of that UPDATE), `values` what the UPDATE set."""
    if not is_tracked(type(before)):
        return None
    after = _applied(before, values)
    changes = _diff(before, after)
    if not changes:
        return None
    return LogEntry.objects.log_create(after, action=LogEntry.Action.UPDATE, changes=changes)


def record_in_bulk(*, created: Iterable[models.Model] = (),
                   updated: Iterable[tuple[models.Model, dict]] = (), batch_size: int = 5000) -> None:
    """Record rows written in bulk (bulk_create, QuerySet.update(): no signals), a batch of entries per
    INSERT: `created` the new rows (with their ids), `updated` pairs of (row as it was, values set).
    The actor is the one of `acting_as`, else the system."""
    actor = _acting_user.get()
    entries = []
    for action, before, after in [
        *((LogEntry.Action.CREATE, None, row) for row in created),
        *((LogEntry.Action.UPDATE, row, _applied(row, values)) for row, values in updated),
    ]:
        if after.pk is None or not is_tracked(type(after)):
            continue
        changes = _diff(before, after)
        if changes:
            entries.append(LogEntry(
                content_type=ContentType.objects.get_for_model(after), object_pk=smart_str(after.pk),
                object_id=after.pk, object_repr=smart_str(after), action=action, changes=changes, actor=actor,
                actor_email=(actor.email or None) if actor is not None else None,
            ))
    LogEntry.objects.bulk_create(entries, batch_size=batch_size)


# --- who did it ------------------------------------------------------------------------------------

_acting_user: ContextVar = ContextVar("portal_audit_acting_user", default=None)


@contextmanager
def acting_as(user) -> Iterator[None]:
    """Record `user` as the actor of the entries written inside (work done on their behalf outside
    their request, e.g. by a Celery worker). Inside a request the request's user stays the actor."""
    token = _acting_user.set(user)
    try:
        yield
    finally:
        _acting_user.reset(token)


def _fill_actor(sender, instance, **kwargs) -> None:
    user = _acting_user.get()
    if user is not None and instance.actor_id is None:
        instance.actor = user
        instance.actor_email = user.email or None


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware, reading the actor when an entry is written rather than when the request
    arrives: DRF authenticates API tokens inside the view (and then sets the request's user), after
    every middleware has run. The client address is the one django-axes counts logins by."""

    @staticmethod
    def _get_actor(request):
        return SimpleLazyObject(lambda: getattr(request, "user", None))

    @staticmethod
    def _get_remote_addr(request):
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        return get_client_ip_address(request)


def connect() -> None:
    """Wire the actor of `acting_as` (called once from PortalConfig.ready)."""
    pre_save.connect(_fill_actor, sender=LogEntry, dispatch_uid="portal-audit-acting-user")


# --- who reads it ----------------------------------------------------------------------------------


def entries_for(model: type[models.Model], pk) -> QuerySet[LogEntry]:
    """The entries of one record (existing or deleted), newest first, with their actors."""
    return (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id=pk)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


def may_read_history(user, model: type[models.Model], pk) -> bool:
    """Whether `user` may read the audit trail of row `pk` of `model`: platform admins every record's;
    reviewers those of the records they see in their region's subtree, and of deleted records that lay
    there; nobody else any. Only tracked models have a trail."""
    if not is_tracked(model) or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role == Role.PLATFORM_ADMIN:
        return True
    if user.role != Role.GOV_REVIEWER:
        return False
    rows = model._base_manager.filter(pk=pk)
    if restrict(rows, user, HISTORY).exists():
        return True
    if rows.exists():
        return False
    return _may_read_deleted(user, model, pk)


def _may_read_deleted(user, model: type[models.Model], pk) -> bool:
    rule = rule_for(model)
    if rule.own_account:
        return False
    deletion = entries_for(model, pk).filter(action=LogEntry.Action.DELETE).first()
    if deletion is None:
        return False
    if rule.national:
        return True
    regions = (deletion.additional_data or {}).get("regions") or []
    return Region.objects.filter(region_subtree_q(user.region_id, ""), pk__in=regions).exists()


def may_read_any_history(user) -> bool:
    """Whether the user's role reads audit trails at all (platform admins and reviewers)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and user.role in (Role.PLATFORM_ADMIN, Role.GOV_REVIEWER))
