"""Reads of the tenancy models used by pages."""
from __future__ import annotations

from django.db.models import QuerySet

from .models import Enterprise, Region, School
from .scoping import region_subtree_q


def organisation_counts(region: Region | None = None) -> dict[str, int]:
    """Schools and enterprises, all or within a region's subtree, in two queries."""
    schools: QuerySet = School.objects.all()
    enterprises: QuerySet = Enterprise.objects.all()
    if region is not None:
        schools = schools.filter(region_subtree_q(region.pk))
        enterprises = enterprises.filter(region_subtree_q(region.pk))
    return {"schools": schools.count(), "enterprises": enterprises.count()}
