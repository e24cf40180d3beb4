"""`manage.py restore <file.dump>` (`make restore FILE=…`): put a backup made by `manage.py backup`
back, the database and (from the media archive beside the dump) the uploaded documents
(portal.backups). Asks for confirmation unless --noinput."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.backups import BackupError, describe_database, media_archive_for, restore


class Command(BaseCommand):
    help = "Restore a backup: the database from a .dump file and MEDIA_ROOT from the media archive beside it."

    def add_arguments(self, parser):
        parser.add_argument("dump", type=Path, help="The .dump file written by `manage.py backup`.")
        parser.add_argument("--media", type=Path, default=None,
                            help="The media archive (default: the -media.tar.gz beside the dump).")
        parser.add_argument("--no-media", action="store_true", help="Restore the database only.")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="Do not ask for confirmation.")

    def handle(self, *args, dump: Path, media: Path | None, no_media: bool, interactive: bool, **options):
        media = None if no_media else (media or media_archive_for(dump))
        try:
            target = describe_database()
            if media is not None and not media.is_file():
                raise BackupError(f"There is no media archive {media} beside the dump; name it with --media, "
                                  "or restore the database alone with --no-media.")
            if interactive:
                what = f"the database {target}" + ("" if media is None else f" and every file in {settings.MEDIA_ROOT}")
                self.stdout.write(f"This replaces {what} with the backup {dump}.\n"
                                  "Stop the portal first (web, worker and beat).")
                try:
                    answer = input("Type 'yes' to continue: ")
                except EOFError:  # no terminal to ask: say --noinput
                    answer = ""
                if answer.strip().lower() != "yes":
                    raise CommandError("Nothing was restored (answer 'yes', or pass --noinput).")
            restore(dump=dump, media=media)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Restored {target} from {dump}"
                                             + ("" if media is None else f" and {settings.MEDIA_ROOT} from {media}")))
