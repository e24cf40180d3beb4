"""Warnings follow the published values: a run's breaches open warnings, keep (and update) those
still found, and resolve those no longer found. An open or acknowledged warning is never
duplicated; an acknowledgement survives re-runs while the warning holds."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from portal.audit import record_in_bulk
from portal.bulk import update_from_values

from .choices import UNRESOLVED_WARNING_STATUSES, WarningStatus
from .indicators.base import Row
from .models import EvaluationRun, Warning, subject_key
from .targets import Target

CHUNK = 5000


@dataclass(frozen=True)
class Breach:
    row: Row
    target: Target
    severity: str

    @property
    def key(self) -> tuple[str, str]:
        row = self.row
        return row.indicator, subject_key(
            row.level, program_id=row.program_id, school_id=row.school_id, consortium_id=row.consortium_id,
            region_id=row.region_id, sector_id=row.sector_id,
        )


UPDATED_FIELDS = ["value", "target", "target_upper", "severity", "last_seen_run", "updated_at"]


CHANGING_FIELDS = ("value", "target", "target_upper", "severity")


def sync_warnings(run: EvaluationRun, breaches: list[Breach]) -> tuple[int, int]:
    """Apply a run's breaches to the warnings of its year. Returns (opened, resolved).

    Warnings found again with the same value, target and severity (most of them, run after run)
    are touched together by one UPDATE per chunk of ids; only those whose figures changed are
    written row by row. Opening and resolving are in the warnings' history; refreshed values of
    warnings still found are not."""
    now = timezone.now()
    existing = {
        (w.indicator, w.subject_key): w
        for w in Warning.objects.filter(year=run.year, status__in=UNRESOLVED_WARNING_STATUSES)
    }
    new, changed, same = [], [], []
    for breach in breaches:
        row, target = breach.row, breach.target
        warning = existing.pop(breach.key, None)
        if warning is None:
            new.append(
                Warning(
                    indicator=row.indicator, level=row.level, year=row.year, subject_key=breach.key[1],
                    program_id=row.program_id, school_id=row.school_id, consortium_id=row.consortium_id,
                    region_id=row.region_id, sector_id=row.sector_id, status=WarningStatus.OPEN,
                    opened_by_run=run, created_at=now, value=row.value, target=target.target,
                    target_upper=target.upper, severity=breach.severity, last_seen_run=run, updated_at=now,
                )
            )
            continue
        figures = (row.value, target.target, target.upper, breach.severity)
        if figures == tuple(getattr(warning, name) for name in CHANGING_FIELDS):
            same.append(warning.pk)
            continue
        warning.value, warning.target, warning.target_upper, warning.severity = figures
        warning.last_seen_run = run
        warning.updated_at = now
        changed.append(warning)
    Warning.objects.bulk_create(new, batch_size=CHUNK)
    update_from_values(Warning, changed, UPDATED_FIELDS)
    for start in range(0, len(same), CHUNK):
        Warning.objects.filter(pk__in=same[start:start + CHUNK]).update(last_seen_run=run, updated_at=now)
    gone = [w.pk for w in existing.values()]
    resolution = {"status": WarningStatus.RESOLVED, "resolved_at": now, "updated_at": now}
    for start in range(0, len(gone), CHUNK):
        Warning.objects.filter(pk__in=gone[start:start + CHUNK]).update(**resolution)
    record_in_bulk(created=new, updated=[(warning, resolution) for warning in existing.values()], batch_size=CHUNK)
    return len(new), len(gone)
