"""Backups of a production portal: the PostgreSQL database and the uploaded documents.

`backup(folder=…)` writes `portal-<UTC time>.dump` (pg_dump's custom format: compressed, restorable
table by table) and, beside it, `portal-<UTC time>-media.tar.gz` (MEDIA_ROOT, where partnership
agreements live: the database names those files, so the two belong together). `restore(dump=…)`
puts both back: pg_restore --clean --if-exists in a single transaction (all or nothing), then the
media folder is replaced by the archive's. `make backup` and `make restore FILE=…` run them through
`manage.py backup` / `manage.py restore`.

The connection comes from settings (DATABASE_URL) and is handed to pg_dump / pg_restore in PG*
environment variables, so the password never shows in a process list. SQLite installations are
refused with what to do instead (copy the database file and the media folder while the portal is
stopped): pg_dump cannot read them, and a half-working "backup" would be worse than none.
"""
from __future__ import annotations

import datetime
import os
import shutil
import subprocess  # nosec B404: runs pg_dump / pg_restore with argument lists, never a shell
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

DUMP_SIGNATURE = b"PGDMP"  # the first bytes of every pg_dump custom-format archive
MEDIA_SUFFIX = "-media.tar.gz"
MEDIA_FOLDER = "media"  # the archive's top folder
SCRATCH_PREFIX = ".restore-"


class BackupError(Exception):
    """A backup or restore cannot be made; the message says why and what to do."""


@dataclass(frozen=True)
class Backup:
    dump: Path
    media: Path


def _database() -> dict:
    database = settings.DATABASES["default"]
    if "postgresql" not in database["ENGINE"]:
        raise BackupError(
            "Backups are made with PostgreSQL's pg_dump and pg_restore, and this portal runs on SQLite "
            f"({database['NAME']}). To back up a SQLite installation, stop the portal and copy that file and "
            f"the media folder ({settings.MEDIA_ROOT}); to restore, copy them back. For production, set "
            "DATABASE_URL=postgres://… and use `make backup`."
        )
    return database


def describe_database() -> str:
    database = _database()
    return f"{database['NAME']} on {database.get('HOST') or 'localhost'}:{database.get('PORT') or 5432}"


def _environment(database: dict) -> dict[str, str]:
    """The PG* variables libpq reads: the same connection as Django's, the password out of argv."""
    environment = dict(os.environ)
    for variable, value in (
        ("PGHOST", database.get("HOST")),
        ("PGPORT", database.get("PORT")),
        ("PGUSER", database.get("USER")),
        ("PGPASSWORD", database.get("PASSWORD")),
        ("PGDATABASE", database.get("NAME")),
        ("PGSSLMODE", (database.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            environment[variable] = str(value)
        else:
            environment.pop(variable, None)
    return environment


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed. Install PostgreSQL's client tools of the server's major version or newer "
            "(Debian: apt-get install postgresql-client)."
        )
    return found


def _run(command: list[str], database: dict) -> None:
    result = subprocess.run(  # noqa: S603  # nosec B603: fixed program, arguments from settings and the operator
        command, env=_environment(database), capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        program = Path(command[0]).name
        raise BackupError(f"{program} failed (exit code {result.returncode}): {result.stderr.strip()}")


def backup(*, folder: Path, now: datetime.datetime | None = None) -> Backup:
    """Dump the database and archive the media folder into `folder`, named by the UTC time. Both are
    written under temporary names first, so a file with a final name is always complete."""
    database = _database()
    pg_dump = _program("pg_dump")
    now = now or datetime.datetime.now(datetime.UTC)
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder.mkdir(parents=True, exist_ok=True)
    made = Backup(dump=folder / f"portal-{stamp}.dump", media=folder / f"portal-{stamp}{MEDIA_SUFFIX}")
    if made.dump.exists() or made.media.exists():
        raise BackupError(f"A backup named portal-{stamp} already exists in {folder}; try again in a second.")
    partial_dump = made.dump.with_name(made.dump.name + ".part")
    partial_media = made.media.with_name(made.media.name + ".part")
    try:
        _run([pg_dump, "--format=custom", "--no-password", f"--file={partial_dump}"], database)
        archive_media(Path(settings.MEDIA_ROOT), partial_media)
        partial_dump.replace(made.dump)
        partial_media.replace(made.media)
    finally:
        partial_dump.unlink(missing_ok=True)
        partial_media.unlink(missing_ok=True)
    return made


def media_archive_for(dump: Path) -> Path:
    """The media archive written beside a dump (portal-<time>.dump → portal-<time>-media.tar.gz)."""
    return dump.with_name(dump.name.removesuffix(".dump") + MEDIA_SUFFIX)


def restore(*, dump: Path, media: Path | None) -> None:
    """Put a backup back: the database from `dump` (every table replaced, in one transaction), then,
    when given, MEDIA_ROOT from `media`. Both files are checked before anything is changed."""
    database = _database()
    pg_restore = _program("pg_restore")
    if not dump.is_file():
        raise BackupError(f"There is no file {dump}.")
    with dump.open("rb") as file:
        if file.read(len(DUMP_SIGNATURE)) != DUMP_SIGNATURE:
            raise BackupError(f"{dump} is not a backup made by `make backup` (a pg_dump custom-format archive).")
    if media is not None:
        check_media_archive(media)
    _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
          "--exit-on-error", "--no-password", f"--dbname={database['NAME']}", str(dump)], database)
    if media is not None:
        restore_media(media, Path(settings.MEDIA_ROOT))


# --- the media folder ---------------------------------------------------------------------------


def archive_media(media_root: Path, target: Path) -> None:
    """MEDIA_ROOT as a tar.gz whose entries all lie under `media/` (an empty folder if there is none
    yet). Symbolic links are stored as links, never followed."""
    with tarfile.open(target, "w:gz") as archive:
        if media_root.is_dir():
            archive.add(media_root, arcname=MEDIA_FOLDER, filter=_not_scratch)
        else:
            folder = tarfile.TarInfo(MEDIA_FOLDER)
            folder.type, folder.mode = tarfile.DIRTYPE, 0o755
            archive.addfile(folder)


def _not_scratch(member: tarfile.TarInfo) -> tarfile.TarInfo | None:
    """Leave out what an interrupted restore left behind."""
    parts = Path(member.name).parts
    return None if len(parts) > 1 and parts[1].startswith(SCRATCH_PREFIX) else member


def check_media_archive(media: Path) -> None:
    """Refuse a media archive that is missing, unreadable, or has an entry outside `media/` or that
    is not a plain file, folder or link inside it (nothing may be written outside MEDIA_ROOT)."""
    if not media.is_file():
        raise BackupError(f"There is no media archive {media}.")
    try:
        with tarfile.open(media, "r:gz") as archive:
            for member in archive.getmembers():
                inside = member.name == MEDIA_FOLDER or member.name.startswith(MEDIA_FOLDER + "/")
                if not inside or ".." in Path(member.name).parts or not (member.isfile() or member.isdir()
                                                                          or member.issym()):
                    raise BackupError(f"{media} has an entry outside the media folder: {member.name!r}.")
                tarfile.data_filter(member, "/nonexistent-root")  # raises for absolute or escaping links
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{media} is not a readable media archive: {exc}") from exc


def restore_media(media: Path, media_root: Path) -> None:
    """Replace the contents of `media_root` by the archive's media folder. The archive is unpacked
    first (Python's "data" filter: no absolute paths, no escaping links, no devices) into a scratch
    folder inside `media_root`, so a failure while unpacking leaves the current files as they were
    and the swap is a set of renames on one file system (MEDIA_ROOT may be a mounted volume)."""
    check_media_archive(media)
    media_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX, dir=media_root) as scratch_name:
        scratch = Path(scratch_name)
        with tarfile.open(media, "r:gz") as archive:
            archive.extractall(scratch / "new", filter="data")
        unpacked = scratch / "new" / MEDIA_FOLDER
        unpacked.mkdir(parents=True, exist_ok=True)
        previous = scratch / "previous"
        previous.mkdir()
        for entry in media_root.iterdir():
            if entry != scratch:
                entry.replace(previous / entry.name)
        for entry in unpacked.iterdir():
            entry.replace(media_root / entry.name)
