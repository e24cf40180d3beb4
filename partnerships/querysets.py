"""Reusable reads of the cooperation models."""
from __future__ import annotations

from django.db import models
from django.db.models import Q

from portal.years import academic_year_bounds

from .choices import PartnershipStatus

# Partnerships that were agreed at some point: proposed and declined ones never count as cooperation.
AGREED_STATUSES = (PartnershipStatus.ACTIVE, PartnershipStatus.SUSPENDED, PartnershipStatus.ENDED)


def active_in_q(year: int, prefix: str = "") -> Q:
    """Partnerships active in academic year `year` (INDICATORS.md): agreed (active, suspended or
    ended) and their [start_date, end_date or open] overlaps the year. `prefix` reaches the
    partnership from another model, e.g. `Count("partnerships", filter=active_in_q(2025, "partnerships__"))`."""
    first, last = academic_year_bounds(year)
    return (
        Q(**{f"{prefix}status__in": [s.value for s in AGREED_STATUSES]})
        & Q(**{f"{prefix}start_date__lte": last})
        & (Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": first}))
    )


def dated_in_q(year: int, field: str = "date") -> Q:
    """Rows whose date `field` lies in academic year `year`."""
    first, last = academic_year_bounds(year)
    return Q(**{f"{field}__gte": first, f"{field}__lte": last})


class PartnershipQuerySet(models.QuerySet):
    def active_in(self, year: int) -> PartnershipQuerySet:
        """Partnerships active in academic year `year` (see active_in_q)."""
        return self.filter(active_in_q(year))
