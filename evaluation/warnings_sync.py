"""Warnings follow the published values: a run's breaches open warnings, keep (and update) those
still found, and resolve those no longer found. An open or acknowledged warning is never
duplicated; an acknowledgement survives re-runs while the warning holds."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from portal.audit import record_in_bulk

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


def sync_warnings(run: EvaluationRun, breaches: list[Breach]) -> tuple[int, int]:
    """Apply a run's breaches to the warnings of its year. Returns (opened, resolved). Opening and
    resolving are in the warnings' history; refreshed values of warnings still found are not."""
    now = timezone.now()
    existing = {
        (w.indicator, w.subject_key): w
        for w in Warning.objects.filter(year=run.year, status__in=UNRESOLVED_WARNING_STATUSES)
    }
    new, kept = [], []
    for breach in breaches:
        row, target = breach.row, breach.target
        warning = existing.pop(breach.key, None)
        if warning is None:
            warning = Warning(
                indicator=row.indicator, level=row.level, year=row.year, subject_key=breach.key[1],
                program_id=row.program_id, school_id=row.school_id, consortium_id=row.consortium_id,
                region_id=row.region_id, sector_id=row.sector_id, status=WarningStatus.OPEN,
                opened_by_run=run, created_at=now,
            )
            new.append(warning)
        else:
            kept.append(warning)
        warning.value = row.value
        warning.target = target.target
        warning.target_upper = target.upper
        warning.severity = breach.severity
        warning.last_seen_run = run
        warning.updated_at = now
    Warning.objects.bulk_create(new, batch_size=CHUNK)
    Warning.objects.bulk_update(kept, UPDATED_FIELDS, batch_size=CHUNK)
    gone = [w.pk for w in existing.values()]
    resolution = {"status": WarningStatus.RESOLVED, "resolved_at": now, "updated_at": now}
    for start in range(0, len(gone), CHUNK):
        Warning.objects.filter(pk__in=gone[start:start + CHUNK]).update(**resolution)
    record_in_bulk(created=new, updated=[(warning, resolution) for warning in existing.values()], batch_size=CHUNK)
    return len(new), len(gone)
