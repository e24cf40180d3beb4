"""The audit trail as people read it: each entry as who, when, what (created, changed, deleted) and
field: old → new, with the fields' names in the user's language, choices as their labels and related
records by name, and the pages that show it: a History section on records' pages and one page per
record, `/history/<app_label>/<model>/<pk>/`, which also serves records that have no page of their
own and records that were deleted. Platform admins and reviewers (for records in their region) read
it (portal.audit.may_read_history); other users get 403, records outside a reviewer's region 404.

Showing a page of entries costs the same queries whatever their number: one for the entries with
their actors, one per kind of related record named in their changes.
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views import generic

from . import audit
from .fields import ChoiceSetField

ACTION_LABELS = {
    LogEntry.Action.CREATE: _("created"),
    LogEntry.Action.UPDATE: _("changed"),
    LogEntry.Action.DELETE: _("deleted"),
}
PANEL_SIZE = 5  # entries in the History section of a record's page


@dataclass(frozen=True)
class FieldChange:
    """One changed field of an entry: old → new, or (many-to-many) the records added and removed."""

    name: str
    label: str
    old: Any = None
    new: Any = None
    hidden: bool = False  # a secret: it changed, the values are not shown
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def relation(self) -> bool:
        return bool(self.added or self.removed)


@dataclass(frozen=True)
class Entry:
    """One entry of a record's history, ready to show."""

    pk: int
    timestamp: datetime.datetime
    action: int
    action_label: str
    actor: str  # the user's name, or "system" for schedules and commands
    object_repr: str
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def is_creation(self) -> bool:  # the values it was created with, no "from"
        return self.action == LogEntry.Action.CREATE

    @property
    def is_deletion(self) -> bool:  # the values it had, no "to"
        return self.action == LogEntry.Action.DELETE


# --- presenting entries ----------------------------------------------------------------------------


def _field(model: type[models.Model] | None, name: str):
    if model is None:
        return None
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return model_field if isinstance(model_field, models.Field) else None  # not a reverse relation


def _is_pair(change) -> bool:
    return isinstance(change, list | tuple) and len(change) == 2


def _related_names(entries: Sequence[LogEntry]) -> dict[type[models.Model], dict[Any, str]]:
    """The names of every record a foreign key in these entries points to: one query per kind."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        for name, change in (entry.changes or {}).items():
            fk = _field(model, name)
            if fk is None or not (fk.many_to_one or fk.one_to_one) or not _is_pair(change):
                continue
            for value in change:
                try:
                    pk = fk.related_model._meta.pk.to_python(value)
                except ValidationError:
                    continue
                if pk is not None:
                    wanted[fk.related_model].add(pk)
    return {
        model: {pk: str(obj) for pk, obj in model._base_manager.in_bulk(sorted(pks)).items()}
        for model, pks in wanted.items()
    }


def _value(model_field, value, names: dict[type[models.Model], dict[Any, str]]) -> Any:
    """A stored value as the user reads it (None shows as a dash)."""
    if value is None or value == "" or value == [] or model_field is None:
        return None if value in (None, "", []) else value
    if isinstance(model_field, ChoiceSetField):
        labels = dict(model_field.item_choices)
        return ", ".join(str(labels.get(item, item)) for item in ChoiceSetField._to_list(value))
    if model_field.many_to_one or model_field.one_to_one:
        try:
            pk = model_field.related_model._meta.pk.to_python(value)
        except ValidationError:
            return value
        name = names.get(model_field.related_model, {}).get(pk)
        return name if name is not None else _("deleted record #%(pk)s") % {"pk": pk}
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(model_field, models.BooleanField):
        return _("yes") if value in (True, "True") else _("no")
    if isinstance(model_field, models.DateTimeField) and isinstance(value, str):
        try:  # auditlog keeps them in UTC without a zone
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)
    if isinstance(model_field, models.DateField) and isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _changes(entry: LogEntry, names) -> list[FieldChange]:
    model = entry.content_type.model_class()
    masked = audit.masked_fields(model) if model is not None else frozenset()
    result = []
    for name, change in (entry.changes or {}).items():
        model_field = _field(model, name)
        label = capfirst(model_field.verbose_name) if model_field is not None else name
        if isinstance(change, dict) and change.get("type") == "m2m":
            objects = tuple(str(o) for o in change.get("objects", ()))
            added, removed = (objects, ()) if change.get("operation") == "add" else ((), objects)
            result.append(FieldChange(name, label, added=added, removed=removed))
        elif name in masked:
            result.append(FieldChange(name, label, hidden=True))
        elif _is_pair(change):
            old, new = (_value(model_field, value, names) for value in change)
            if old is not None or new is not None:  # a creation's empty fields are no news
                result.append(FieldChange(name, label, old, new))
    return sorted(result, key=lambda c: str(c.label))


def actor_name(entry: LogEntry) -> str:
    if entry.actor is not None:
        return entry.actor.get_full_name() or entry.actor.get_username()
    if entry.actor_email:  # the account was deleted since
        return entry.actor_email
    return str(_("system"))


def present(entries: Iterable[LogEntry]) -> list[Entry]:
    """Entries (fetched with their actor and content type) as rows to show."""
    entries = list(entries)
    names = _related_names(entries)
    return [
        Entry(
            pk=entry.pk, timestamp=entry.timestamp, action=entry.action,
            action_label=str(ACTION_LABELS.get(entry.action, entry.get_action_display())),
            actor=actor_name(entry), object_repr=entry.object_repr, changes=_changes(entry, names),
        )
        for entry in entries
    ]


# --- links and the History section of a record's page ----------------------------------------------


def history_url(obj_or_model, pk=None) -> str:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return reverse("history", args=[model._meta.app_label, model._meta.model_name,
                                    obj_or_model.pk if pk is None else pk])


def history_panel(user, obj: models.Model) -> dict[str, Any] | None:
    """The latest entries of `obj` for its page, with a link to all of them; None when the user may
    not read its history."""
    if not audit.may_read_any_history(user) or not audit.may_read_history(user, type(obj), obj.pk):
        return None
    latest = list(audit.entries_for(type(obj), obj.pk)[:PANEL_SIZE + 1])
    return {"entries": present(latest[:PANEL_SIZE]), "more": len(latest) > PANEL_SIZE, "url": history_url(obj)}


# --- the page of one record's history --------------------------------------------------------------


class RecordHistoryView(LoginRequiredMixin, generic.TemplateView):
    """Every entry of one record, newest first, 25 a page."""

    template_name = "portal/history.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            model = apps.get_model(self.kwargs["app_label"], self.kwargs["model_name"])
        except LookupError:
            raise Http404 from None
        if not audit.is_tracked(model):
            raise Http404
        user, pk = self.request.user, self.kwargs["pk"]
        if not audit.may_read_any_history(user):
            raise PermissionDenied(_("Only platform administrators and reviewers read the history of records."))
        if not audit.may_read_history(user, model, pk):
            raise Http404
        page = Paginator(audit.entries_for(model, pk), self.paginate_by).get_page(self.request.GET.get("page"))
        entries = present(page.object_list)
        record = model._base_manager.filter(pk=pk).first()
        if record is None and not entries:
            raise Http404
        name = str(record) if record is not None else entries[0].object_repr
        context.update(
            title=_("History of %(record)s") % {"record": name},
            kind=capfirst(model._meta.verbose_name),
            record=record,
            entries=entries,
            page_obj=page,
            paginator=page.paginator,
            is_paginated=page.has_other_pages(),
            query_without_page="",
        )
        return context
