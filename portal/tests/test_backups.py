"""Backups (`make backup` / `make restore`, portal.backups): on PostgreSQL a real round trip through
pg_dump and pg_restore on a scratch database of its own, data and uploaded documents alike; on SQLite
a clear refusal; media archives that would write outside MEDIA_ROOT are refused."""
from __future__ import annotations

import io
import os
import subprocess  # nosec B404: runs manage.py with fixed arguments
import sys
import tarfile
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from portal.backups import BackupError, archive_media, media_archive_for, restore_media

ROOT = Path(__file__).resolve().parents[2]
SERVER_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRESQL = SERVER_URL.startswith(("postgres://", "postgresql://"))


# --- SQLite and bad input -----------------------------------------------------------------------


@pytest.mark.skipif(ON_POSTGRESQL, reason="the SQLite refusal needs the default SQLite database")
def test_backup_and_restore_refuse_sqlite_and_say_what_to_do_instead(tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("backup", "--dir", str(tmp_path), stdout=io.StringIO())
    message = str(caught.value)
    assert "Backups are made with PostgreSQL's pg_dump" in message and "copy that file and the media folder" in message
    with pytest.raises(CommandError, match="pg_dump and pg_restore"):
        call_command("restore", str(tmp_path / "portal.dump"), "--noinput", "--no-media")
    assert list(tmp_path.iterdir()) == []


def test_the_media_archive_lies_beside_its_dump():
    dump = Path("backups/portal-20260101T020304Z.dump")
    assert media_archive_for(dump) == Path("backups/portal-20260101T020304Z-media.tar.gz")


def test_the_media_folder_is_archived_and_replaced_whole(tmp_path):
    media = tmp_path / "media"
    (media / "agreements" / "2025" / "09").mkdir(parents=True)
    (media / "agreements" / "2025" / "09" / "协议.pdf").write_bytes(b"%PDF-1.4 signed")
    archive = tmp_path / "m.tar.gz"
    archive_media(media, archive)
    (media / "agreements" / "2025" / "09" / "协议.pdf").write_bytes(b"changed")
    (media / "later.pdf").write_bytes(b"%PDF-1.4 added after the backup")
    restore_media(archive, media)
    files = sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())
    assert files == ["agreements/2025/09/协议.pdf"]
    assert (media / "agreements" / "2025" / "09" / "协议.pdf").read_bytes() == b"%PDF-1.4 signed"
    assert [path.name for path in media.iterdir()] == ["agreements"]  # no scratch folder left behind


def test_a_missing_media_folder_is_archived_as_an_empty_one(tmp_path):
    archive_media(tmp_path / "none", tmp_path / "m.tar.gz")
    restore_media(tmp_path / "m.tar.gz", tmp_path / "media")
    assert (tmp_path / "media").is_dir() and list((tmp_path / "media").iterdir()) == []


@pytest.mark.parametrize("name", ["../escaped.txt", "/etc/escaped.txt", "other/escaped.txt", "media/../../x.txt"])
def test_a_media_archive_with_entries_outside_the_media_folder_is_refused(tmp_path, name):
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo(name)
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    media = tmp_path / "media"
    media.mkdir()
    (media / "kept.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(BackupError, match="entry outside the media folder"):
        restore_media(archive, media)
    assert [path.name for path in media.iterdir()] == ["kept.pdf"]
    assert not (tmp_path / "escaped.txt").exists()


def test_a_media_archive_with_a_link_out_of_the_folder_is_refused(tmp_path):
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        link = tarfile.TarInfo("media/passwd")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    with pytest.raises(BackupError):
        restore_media(archive, tmp_path / "media")


# --- the round trip on PostgreSQL ---------------------------------------------------------------


def manage(*arguments: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess:
    completed = subprocess.run(  # nosec B603: this interpreter and manage.py with fixed arguments
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True,
        timeout=600, check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


SEED = """
from portal.models import Region, School
province = Region.objects.create(code="990000", name="备份省", level="province")
School.objects.create(code="9900000001", name="备份职业技术学院", level="higher_vocational", region=province)
School.objects.create(code="9900000002", name="第二学院", level="higher_vocational", region=province)
"""
CHANGE = """
from portal.models import School
School.objects.filter(code="9900000001").update(name="改过的名字")
School.objects.filter(code="9900000002").delete()
School.objects.create(code="9900000003", name="备份之后才加的学院", level="higher_vocational",
                      region=School.objects.get(code="9900000001").region)
"""
READ = """
from portal.models import School
print(sorted(School.objects.values_list("code", "name")))
"""


@pytest.fixture
def scratch_database():
    """A fresh PostgreSQL database of this test alone on the server of DATABASE_URL, dropped afterwards."""
    import psycopg2
    from psycopg2 import sql

    server = dj_database_url.parse(SERVER_URL)
    name = f"portal_backup_test_{os.getpid()}"
    admin = psycopg2.connect(dbname="postgres", user=server["USER"] or None, password=server["PASSWORD"] or None,
                             host=server["HOST"] or None, port=server["PORT"] or None)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield SERVER_URL.rsplit("/", 1)[0].split("?")[0] + f"/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


@pytest.mark.skipif(not ON_POSTGRESQL, reason="backups are made with pg_dump and pg_restore: they need "
                    "DATABASE_URL=postgres://… (the round trip runs on a scratch database of its own)")
def test_a_backup_restores_the_data_and_documents_as_they_were(scratch_database, tmp_path):
    env = {**os.environ, "DATABASE_URL": scratch_database, "MEDIA_ROOT": str(tmp_path / "media"),
           "BACKUP_DIR": str(tmp_path / "backups")}
    manage("migrate", "--noinput", env=env)
    manage("shell", "-c", SEED, env=env)
    document = tmp_path / "media" / "agreements" / "2025" / "09" / "协议.pdf"
    document.parent.mkdir(parents=True)
    document.write_bytes(b"%PDF-1.4 signed")
    before = manage("shell", "-c", READ, env=env).stdout

    output = manage("backup", env=env).stdout
    dumps = sorted((tmp_path / "backups").glob("portal-*.dump"))
    assert len(dumps) == 1 and dumps[0].name.endswith("Z.dump") and str(dumps[0]) in output
    assert dumps[0].read_bytes().startswith(b"PGDMP")
    assert media_archive_for(dumps[0]).is_file()
    assert not list((tmp_path / "backups").glob("*.part"))

    manage("shell", "-c", CHANGE, env=env)
    document.write_bytes(b"overwritten")
    (tmp_path / "media" / "later.pdf").write_bytes(b"%PDF-1.4 added after the backup")
    assert manage("shell", "-c", READ, env=env).stdout != before

    refused = subprocess.run(  # nosec B603: the confirmation guards the restore
        [sys.executable, "manage.py", "restore", str(dumps[0])], cwd=ROOT, env=env, input="no\n",
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert refused.returncode != 0 and "Nothing was restored" in refused.stderr
    assert manage("shell", "-c", READ, env=env).stdout != before

    manage("restore", str(dumps[0]), env=env, stdin="yes\n")
    assert manage("shell", "-c", READ, env=env).stdout == before
    assert document.read_bytes() == b"%PDF-1.4 signed"
    assert not (tmp_path / "media" / "later.pdf").exists()
    manage("migrate", "--check", env=env)  # the restored schema is the current one


@pytest.mark.skipif(not ON_POSTGRESQL, reason="restore needs DATABASE_URL=postgres://…")
def test_restore_refuses_a_file_that_is_not_a_dump_and_changes_nothing(tmp_path):
    fake = tmp_path / "portal-20260101T000000Z.dump"
    fake.write_bytes(b"-- SQL text, not a pg_dump archive")
    with pytest.raises(CommandError, match="is not a backup made by `make backup`"):
        call_command("restore", str(fake), "--noinput", "--no-media")
    with pytest.raises(CommandError, match="There is no media archive"):
        call_command("restore", str(fake), "--noinput")
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
