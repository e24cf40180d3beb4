"""The four checks every app's constraint tests run over its own tables of cases: a valid record
saves; a bad one is refused by full_clean() with the field named, by a direct write and by an
update, and nothing is written."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.tests.factories import build_unsaved


def _build(factory_class, bad):
    return build_unsaved(factory_class, **(bad() if callable(bad) else bad))


def assert_valid_record_saves(factory_class, overrides) -> None:
    instance = build_unsaved(factory_class, **overrides)
    instance.full_clean()
    instance.save()
    assert type(instance).objects.filter(pk=instance.pk).exists()


def assert_full_clean_names_the_field(factory_class, bad, field: str) -> None:
    instance = _build(factory_class, bad)
    model = type(instance)
    before = model.objects.count()
    with pytest.raises(ValidationError) as exc:
        instance.full_clean()
        instance.save()
    assert field in exc.value.message_dict, exc.value.message_dict
    assert model.objects.count() == before


def assert_database_refuses_the_write(factory_class, bad, write: str) -> None:
    instance = _build(factory_class, bad)
    model = type(instance)
    before = model.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        instance.save() if write == "save" else model.objects.bulk_create([instance])
    assert model.objects.count() == before


def assert_database_refuses_the_update(factory_class, changes) -> None:
    row = factory_class()
    rows = type(row).objects.filter(pk=row.pk)
    before = rows.values().get()
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(**changes)
    assert rows.values().get() == before
