"""`manage.py backup` (`make backup`): dump the PostgreSQL database and archive the uploaded documents
into BACKUP_DIR (portal.backups)."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.backups import BackupError, backup, describe_database


class Command(BaseCommand):
    help = "Back up the PostgreSQL database (pg_dump -Fc) and the media folder into BACKUP_DIR."

    def add_arguments(self, parser):
        parser.add_argument("--dir", dest="folder", type=Path, default=None,
                            help="Where to write the backup (default: BACKUP_DIR, else ./backups).")

    def handle(self, *args, folder: Path | None, **options):
        folder = folder or Path(settings.BACKUP_DIR)
        try:
            self.stdout.write(f"Backing up the database {describe_database()} and {settings.MEDIA_ROOT} …")
            made = backup(folder=folder)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Database: {made.dump}"))
        self.stdout.write(self.style.SUCCESS(f"Uploaded documents: {made.media}"))
        self.stdout.write(f"Restore both with: make restore FILE={made.dump}")
