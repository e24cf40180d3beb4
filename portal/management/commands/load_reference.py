"""manage.py load_reference: load regions and/or sectors from CSV files, all or nothing."""
from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.reference import REGIONS_CSV, SECTORS_CSV, ReferenceDataError, load_regions, load_sectors, read_csv


class Command(BaseCommand):
    help = (
        "Load regions (--regions) and/or sectors (--sectors) from UTF-8 CSV files, creating and updating by "
        "code; with neither option, reload the files shipped with the portal. Nothing changes if any row is bad."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--regions", type=Path, help="CSV with columns code,name,name_en,level,parent_code")
        parser.add_argument("--sectors", type=Path, help="CSV with columns code,name,name_en,parent_code")

    def handle(self, *args, regions: Path | None, sectors: Path | None, **options) -> None:
        if regions is None and sectors is None:
            regions, sectors = REGIONS_CSV, SECTORS_CSV
        jobs = [(_("regions"), load_regions, regions), (_("sectors"), load_sectors, sectors)]
        reports = []
        try:
            with transaction.atomic():  # both files or neither
                for label, loader, path in jobs:
                    if path is not None:
                        reports.append((label, path, loader(read_csv(path))))
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise CommandError(_("Cannot read the file: %(error)s") % {"error": exc}) from exc
        for label, path, result in reports:
            self.stdout.write(
                _("%(label)s from %(path)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged")
                % {"label": label, "path": path, "created": result.created, "updated": result.updated,
                   "unchanged": result.unchanged}
            )
