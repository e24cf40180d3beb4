"""The one place that says who sees and who changes which rows.

Each app declares a `Rule` per model (in its own `rules.py`, registered from `AppConfig.ready`, so
this module never imports upward). `restrict(queryset, user, perm)` narrows any queryset to the rows
the user may see (`perm="view"`), change (`perm="change"`) or read the audit trail of
(`perm="history"`); `may_write(user, model, values)` says
whether a new or edited row would lie inside the user's change scope. The API, pages, exports and
dashboards all use these two functions.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

from .choices import Role

VIEW = "view"
CHANGE = "change"
DELETE = "delete"
HISTORY = "history"  # read the audit trail of a row


@dataclass(frozen=True)
class Rule:
    """Who sees and changes rows of one model.

    Paths lead from the model to a School (`school`), an Enterprise (`enterprise`) or a Region
    (`region`, matched with its sub-regions); "" means the row itself. A row is visible to a college
    admin when any school path reaches their school, to a liaison likewise by enterprise, to a
    reviewer when any region path lies in their region's subtree. `public` rows (True, or a Q) are
    visible to every signed-in user. `change` maps a role to (path to its organisation, allowed
    values): e.g. {"college_admin": ("partnership__school", {"party": {"school"}})}.
    """

    school: tuple[str, ...] = ()
    enterprise: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    public: bool | Q = False
    change: Mapping[str, tuple[str, Mapping[str, set]]] = field(default_factory=dict)
    own_account: bool = False  # users: everyone sees and changes their own account only
    deletable: bool = True  # False: the roles in `change` edit rows but only platform admins delete them
    # The audit trail: a reviewer reads the history of the rows they see that lie in their region's
    # subtree, found by these paths (as `region`; by default `region` itself). Public rows need them:
    # in `region` they would widen who sees the rows. `national` rows (evaluation runs) concern every
    # region, so every reviewer reads their history.
    located: tuple[str, ...] = ()
    national: bool = False

    @property
    def region_paths(self) -> tuple[str, ...]:
        """The paths from a row to the region(s) it lies in."""
        return self.located or self.region


_RULES: dict[type[models.Model], Rule] = {}


def register(model: type[models.Model], rule: Rule) -> None:
    _RULES[model] = rule


def rule_for(model: type[models.Model]) -> Rule:
    try:
        return _RULES[model]
    except KeyError:  # a model nobody declared is visible to platform admins only
        return Rule()


# --- building querysets ---------------------------------------------------------------------------


def _crosses_many(model: type[models.Model], path: str) -> bool:
    """Whether a lookup path walks a to-many relation (then joins could repeat rows)."""
    for name in filter(None, path.split("__")):
        rel = model._meta.get_field(name)
        if rel.many_to_many or rel.one_to_many:
            return True
        model = rel.related_model
    return False


def _path(path: str, suffix: str) -> str:
    return f"{path}__{suffix}" if path else suffix


def region_subtree_q(region_id: int, path: str = "region") -> Q:
    """Rows whose region (at `path`) is the region or lies below it (province → prefecture → county).

    Written as `region_id IN (the subtree's ids)`: the database reads the few ids of the subtree
    first and then uses the rows' region index, instead of joining every row to its parent and
    grandparent regions to test three columns (which scans whole tables at national scale)."""
    from .models import Region

    subtree = Region.objects.filter(Q(pk=region_id) | Q(parent_id=region_id) | Q(parent__parent_id=region_id))
    return Q(**{_path(path, "id__in"): subtree.values("pk")})


def _match(model: type[models.Model], path: str, condition: Q) -> Q:
    if _crosses_many(model, path):
        return Q(pk__in=model._base_manager.filter(condition).values("pk"))
    return condition


def _org_q(model: type[models.Model], role: str, path: str, user) -> Q:
    if role == Role.COLLEGE_ADMIN:
        return _match(model, path, Q(**{_path(path, "id"): user.school_id}))
    if role == Role.ENTERPRISE_LIAISON:
        return _match(model, path, Q(**{_path(path, "id"): user.enterprise_id}))
    if role == Role.GOV_REVIEWER:
        return _match(model, path, region_subtree_q(user.region_id, path))
    return Q(pk__in=[])


def _values_q(allowed: Mapping[str, set]) -> Q:
    q = Q()
    for name, values in allowed.items():
        q &= Q(**{f"{name}__in": sorted(values)})
    return q


NOTHING = Q(pk__in=[])


def visible_q(model: type[models.Model], user) -> Q | None:
    """The condition for rows `user` may see; None means every row."""
    if user.role == Role.PLATFORM_ADMIN:
        return None
    rule = rule_for(model)
    if rule.own_account:
        return Q(pk=user.pk)
    if rule.public is True:
        return None
    q = rule.public if isinstance(rule.public, Q) else NOTHING
    paths = {Role.COLLEGE_ADMIN: rule.school, Role.ENTERPRISE_LIAISON: rule.enterprise, Role.GOV_REVIEWER: rule.region}
    for path in paths.get(user.role, ()):
        q |= _org_q(model, user.role, path, user)
    return q


def changeable_q(model: type[models.Model], user, perm: str = CHANGE) -> Q | None:
    """The condition for rows `user` may change (or, with perm=DELETE, delete); None means every row."""
    if user.role == Role.PLATFORM_ADMIN:
        return None
    rule = rule_for(model)
    if rule.own_account:
        return NOTHING if perm == DELETE else Q(pk=user.pk)
    if user.role not in rule.change or (perm == DELETE and not rule.deletable):
        return NOTHING
    path, allowed = rule.change[user.role]
    return _org_q(model, user.role, path, user) & _values_q(allowed)


def history_q(model: type[models.Model], user) -> Q | None:
    """The rows whose audit trail `user` may read (None means every row): platform admins every row;
    reviewers the rows they see that lie in their region's subtree; nobody else any row."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.role == Role.PLATFORM_ADMIN:
        return None
    rule = rule_for(model)
    if user.role != Role.GOV_REVIEWER or rule.own_account:
        return NOTHING
    visible = visible_q(model, user)
    if rule.national:
        return visible
    if not rule.region_paths:
        return NOTHING
    located = reduce(or_, (_org_q(model, Role.GOV_REVIEWER, path, user) for path in rule.region_paths))
    return located if visible is None else visible & located


def restrict(queryset: QuerySet, user, perm: str = VIEW) -> QuerySet:
    """Narrow `queryset` to the rows `user` may see (VIEW), change (CHANGE), delete (DELETE) or read
    the audit trail of (HISTORY). Anonymous or inactive users get nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if perm == VIEW:
        condition = visible_q(queryset.model, user)
    elif perm == HISTORY:
        condition = history_q(queryset.model, user)
    else:
        condition = changeable_q(queryset.model, user, perm)
    return queryset if condition is None else queryset.filter(condition)


# --- checking one new or edited row ---------------------------------------------------------------


def _resolve(values: Mapping[str, Any], instance, model, path: str):
    """Follow `path` from a row given as new values (falling back to the instance being edited)."""
    if not path:
        return instance
    first, *rest = path.split("__")
    if first in values:
        obj = values[first]
    elif instance is not None:
        obj = getattr(instance, first, None)
    else:
        return None
    for name in rest:
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


def _in_region(region, region_id: int) -> bool:
    for _ in range(3):
        if region is None:
            return False
        if region.pk == region_id:
            return True
        region = region.parent
    return False


def may_write(user, model: type[models.Model], values: Mapping[str, Any], instance=None) -> bool:
    """Whether a row of `model` with these (validated) values, replacing `instance` when editing,
    lies inside `user`'s change scope."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role == Role.PLATFORM_ADMIN:
        return True
    rule = rule_for(model)
    if rule.own_account:
        return instance is not None and instance.pk == user.pk
    if user.role not in rule.change:
        return False
    path, allowed = rule.change[user.role]
    target = _resolve(values, instance, model, path)
    if target is None and not path:
        target = instance
    if user.role == Role.COLLEGE_ADMIN:
        ok = target is not None and target.pk == user.school_id
    elif user.role == Role.ENTERPRISE_LIAISON:
        ok = target is not None and target.pk == user.enterprise_id
    else:
        ok = _in_region(target, user.region_id)
    for name, choices in allowed.items():
        current = values.get(name, getattr(instance, name, None) if instance is not None else None)
        if current is None:
            current = model._meta.get_field(name).get_default()
        ok = ok and current in choices
    return ok
