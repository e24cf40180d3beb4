"""Writing a seed plan: every planned row is found by its natural key or bulk-created; nothing is
ever updated, so a second run creates nothing and changes nothing.

A plan row is a dict of field values in which a foreign key holds the *natural key* of its target
(a tuple) or None. Keys of existing rows are read in one query per model and their foreign keys
translated through the targets' key maps, which are loaded first (models are written in dependency
order).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from evaluation.models import Feedback, FeedbackScore
from partnerships.models import (
    Consortium,
    ConsortiumMember,
    Contribution,
    EnterpriseProject,
    Partnership,
    Patent,
    ProjectAdoption,
    TalentDemand,
    TechnicalService,
    TrainingBase,
    TrainingBaseUsage,
)
from portal.models import Enterprise, Region, School, Sector
from programs.models import Course, Program, ProgramYear, Teacher, TeacherPlacement

User = get_user_model()
PartnershipProgram = Partnership.programs.through

Key = tuple
Values = dict[str, Any]

# The natural key of every model the seed touches (foreign keys stand for their target's key).
KEY_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Region: ("code",),
    Sector: ("code",),
    User: ("username",),
    School: ("code",),
    Enterprise: ("credit_code",),
    Consortium: ("name",),
    ConsortiumMember: ("consortium", "school", "enterprise", "other_name"),
    Program: ("school", "code"),
    Course: ("program", "code"),
    ProgramYear: ("program", "year"),
    Teacher: ("school", "staff_no"),
    TeacherPlacement: ("teacher", "enterprise", "start_date"),
    Partnership: ("school", "title"),
    PartnershipProgram: ("partnership", "program"),
    Contribution: ("partnership", "party", "kind", "date"),
    EnterpriseProject: ("enterprise", "title"),
    ProjectAdoption: ("project", "course", "year"),
    TalentDemand: ("enterprise", "position", "region", "year"),
    TrainingBase: ("name",),
    TrainingBaseUsage: ("base", "year"),
    TechnicalService: ("school", "title", "year"),
    Patent: ("number",),
    Feedback: ("enterprise", "evaluator", "partnership", "program", "year"),
    FeedbackScore: ("feedback", "dimension"),
}

ORGANISATIONS = [School, Enterprise]
# Everything else, parents before children.
COOPERATION_AND_TEACHING = [
    Consortium, ConsortiumMember, Program, Course, ProgramYear, Teacher, TeacherPlacement, Partnership,
    PartnershipProgram, Contribution, EnterpriseProject, ProjectAdoption, TalentDemand, TrainingBase,
    TrainingBaseUsage, TechnicalService, Patent, Feedback, FeedbackScore,
]
SEEDED_MODELS = [*ORGANISATIONS, *COOPERATION_AND_TEACHING]


def key_of(model: type[models.Model], values: Values) -> Key:
    return tuple(values.get(name) for name in KEY_FIELDS[model])


class DuplicateKey(ValueError):
    pass


class Plan:
    """The rows the seed wants, per model, by natural key (insertion order is kept)."""

    def __init__(self) -> None:
        self.rows: dict[type[models.Model], dict[Key, Values]] = defaultdict(dict)

    def add(self, model: type[models.Model], **values: Any) -> Key:
        key = key_of(model, values)
        if key in self.rows[model]:
            raise DuplicateKey(f"{model._meta.label} {key} planned twice")
        self.rows[model][key] = values
        return key

    def has(self, model: type[models.Model], key: Key) -> bool:
        return key in self.rows[model]

    def get(self, model: type[models.Model], key: Key) -> Values:
        return self.rows[model][key]


@dataclass
class Tally:
    """What a run did for one model: planned rows created now or found from before."""

    label: str
    created: int = 0
    found: int = 0
    total: int = 0  # rows in the database afterwards (the seed's and anybody else's)


class Store:
    """Key maps of the database (natural key <-> pk) and the writer of plans."""

    def __init__(self, *, batch_size: int = 500) -> None:
        self.batch_size = batch_size
        self.pk_by_key: dict[type[models.Model], dict[Key, int]] = {}
        self.key_by_pk: dict[type[models.Model], dict[int, Key]] = {}
        self.tallies: dict[type[models.Model], Tally] = {}

    def load(self, model: type[models.Model]) -> dict[Key, int]:
        """Read the natural key of every row of the model (one query)."""
        columns, targets = [], []
        for name in KEY_FIELDS[model]:
            field = model._meta.get_field(name)
            columns.append(field.attname)
            targets.append(field.related_model if field.many_to_one else None)
        by_key: dict[Key, int] = {}
        for pk, *raw in model._default_manager.order_by().values_list("pk", *columns).iterator(chunk_size=2000):
            key = []
            for value, target in zip(raw, targets):
                if target is not None and value is not None:
                    value = self.key_by_pk[target].get(value)
                    if value is None:  # points at a row the seed does not know: not a seed row
                        break
                key.append(value)
            else:
                by_key[tuple(key)] = pk
        self._remember(model, by_key)
        return by_key

    def _remember(self, model: type[models.Model], by_key: dict[Key, int]) -> None:
        self.pk_by_key[model] = by_key
        self.key_by_pk[model] = {pk: key for key, pk in by_key.items()}

    def pk(self, model: type[models.Model], key: Key) -> int | None:
        return self.pk_by_key[model].get(key)

    def persist(self, plan: Plan, model_list: list[type[models.Model]]) -> None:
        for model in model_list:
            self._persist_model(plan, model)

    def _persist_model(self, plan: Plan, model: type[models.Model]) -> None:
        existing = self.load(model)
        tally = self.tallies.setdefault(model, Tally(model._meta.label))
        relations = {
            field.name: field for field in model._meta.concrete_fields if field.many_to_one
        }
        new_objects, new_keys = [], []
        for key, values in plan.rows[model].items():
            if key in existing:
                tally.found += 1
                continue
            kwargs = {}
            for name, value in values.items():
                field = relations.get(name)
                if field is None:
                    kwargs[name] = value
                    continue
                target_pk = None if value is None else self.pk(field.related_model, value)
                if value is not None and target_pk is None and not field.null:
                    raise LookupError(f"{model._meta.label}.{name}: no {field.related_model._meta.label} {value}")
                kwargs[field.attname] = target_pk
            new_objects.append(model(**kwargs))
            new_keys.append(key)
        if new_objects:
            model._default_manager.bulk_create(new_objects, batch_size=self.batch_size)
            tally.created += len(new_objects)
            if all(obj.pk is not None for obj in new_objects):
                existing.update({key: obj.pk for key, obj in zip(new_keys, new_objects)})
                self._remember(model, existing)
            else:  # a backend that does not return primary keys from bulk inserts
                self.load(model)
