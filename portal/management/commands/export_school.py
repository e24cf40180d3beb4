"""`manage.py export_school --school <id or code> --out file.zip`: a school's data archive (portal.archive)
for platform operators, e.g. to hand a college its data or to move it elsewhere."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from portal.archive import iter_archive, tables
from portal.models import School


class Command(BaseCommand):
    help = "Write one school's data (one XLSX per table, in a ZIP) to a file."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="The school's id or its 10-digit school code.")
        parser.add_argument("--out", required=True, type=Path, help="The ZIP file to write (replaced if it exists).")
        parser.add_argument("--language", default="en", help="Language of headings and titles: en or zh-hans.")

    def handle(self, *args, school: str, out: Path, language: str, **options):
        condition = Q(code=school) | Q(pk=int(school)) if school.isdigit() and len(school) < 10 else Q(code=school)
        found = School.objects.filter(condition).first()
        if found is None:
            raise CommandError(f"No school has the id or code {school!r}.")
        if not out.parent.is_dir():
            raise CommandError(f"The folder {out.parent} does not exist.")
        partial = out.with_name(out.name + ".part")
        try:
            with partial.open("wb") as file:
                for chunk in iter_archive(school=found, user=None, language=language):
                    file.write(chunk)
            partial.replace(out)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(f"Wrote {len(tables())} tables of {found.name} ({found.code}) to {out}.")
