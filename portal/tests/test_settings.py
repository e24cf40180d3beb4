"""Settings come from the environment only: SQLite and in-process Celery with none set, PostgreSQL,
a Redis cache and a real broker when configured (CI runs the suite with all three)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']), "
    "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'cache': s.CACHES['default']['BACKEND'], 'debug': s.DEBUG}))"
)
CONFIG_VARS = ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")


def settings_with(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    clean.update(env, DJANGO_SETTINGS_MODULE="portal.settings")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_with_no_environment_the_portal_runs_on_sqlite_with_tasks_in_process():
    probe = settings_with()
    assert probe["engine"] == "django.db.backends.sqlite3"
    assert probe["name"].endswith("db.sqlite3")
    assert probe["eager"] is True
    assert probe["cache"].endswith("LocMemCache")
    assert probe["debug"] is False


def test_database_url_broker_and_redis_url_switch_to_production_services():
    probe = settings_with(
        DATABASE_URL="postgres://portal:secret@db.internal:5432/portal",
        CELERY_BROKER_URL="redis://broker.internal:6379/0",
        REDIS_URL="redis://cache.internal:6379/1",
    )
    assert probe["engine"] == "django.db.backends.postgresql"
    assert probe["name"] == "portal"
    assert probe["eager"] is False
    assert probe["cache"].endswith("RedisCache")


def test_a_malformed_boolean_is_refused_with_a_clear_message():
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    env.update(DEBUG="maybe", DJANGO_SETTINGS_MODULE="portal.settings")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode != 0
    assert "DEBUG must be true or false" in out.stderr


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_database_url_names():
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set (CI sets it)")
def test_the_cache_round_trips_through_redis():
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    cache.set("portal-settings-probe", {"ok": 1}, 30)
    assert cache.get("portal-settings-probe") == {"ok": 1}
    cache.delete("portal-settings-probe")


@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="CELERY_BROKER_URL not set (CI sets it)")
def test_the_celery_broker_is_reachable():
    from portal.celery import app

    assert app.conf.task_always_eager is False
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=2)
        assert conn.connected
