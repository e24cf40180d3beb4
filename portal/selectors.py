"""Reads of the tenancy models used by pages."""
from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Enterprise, Region, School


def region_subtree_q(region: Region, field: str = "region") -> Q:
    """Rows whose region is `region` or lies below it (province → prefecture → county)."""
    return Q(**{field: region}) | Q(**{f"{field}__parent": region}) | Q(**{f"{field}__parent__parent": region})


def organisation_counts(region: Region | None = None) -> dict[str, int]:
    """Schools and enterprises, all or within a region's subtree, in two queries."""
    schools: QuerySet = School.objects.all()
    enterprises: QuerySet = Enterprise.objects.all()
    if region is not None:
        schools = schools.filter(region_subtree_q(region))
        enterprises = enterprises.filter(region_subtree_q(region))
    return {"schools": schools.count(), "enterprises": enterprises.count()}
