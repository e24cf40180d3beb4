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


def setting_under(env: dict, *names: str) -> dict:
    """The values of settings `names` with exactly `env` on top of a clean environment."""
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    clean.update(env, DJANGO_SETTINGS_MODULE="portal.settings")
    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}, default=str))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_sessions_end_when_the_browser_closes_unless_configured_otherwise():
    assert setting_under({}, "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SESSION_COOKIE_AGE") == {
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True, "SESSION_COOKIE_AGE": 28800,
    }
    assert setting_under({"SESSION_EXPIRE_AT_BROWSER_CLOSE": "false"}, "SESSION_EXPIRE_AT_BROWSER_CLOSE") == {
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": False,
    }


def test_login_lockout_limits_come_from_the_environment():
    assert setting_under({}, "AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME") == {
        "AXES_FAILURE_LIMIT": 5, "AXES_COOLOFF_TIME": "0:15:00",
    }
    assert setting_under({"LOGIN_FAILURE_LIMIT": "10", "LOGIN_LOCKOUT_MINUTES": "60"},
                         "AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME") == {
        "AXES_FAILURE_LIMIT": 10, "AXES_COOLOFF_TIME": "1:00:00",
    }


@pytest.mark.django_db
def test_the_session_cookie_has_no_expiry_when_it_ends_with_the_browser(client, settings, college_admin_a):
    from portal.tests.factories import PASSWORD

    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    response = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value and cookie["max-age"] == "" and cookie["expires"] == ""
    assert client.session.get_expire_at_browser_close() is True

    client.logout()
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = False
    response = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 28800


# What README's configuration table documents for production behind HTTPS.
PRODUCTION_ENV = {
    "SECRET_KEY": "k7Qe-2vZr9xLmN4pW8sT1yB6hJ3dF0gC5aU-oE7iR2nV9qXw3M",  # 50 characters, not the demo key
    "DEBUG": "false",
    "ALLOWED_HOSTS": "portal.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://portal.example.org",
    "SECURE": "true",
}
DEPLOY_VARS = (*CONFIG_VARS, "SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "CSRF_TRUSTED_ORIGINS")


def check_deploy(**env: str) -> subprocess.CompletedProcess:
    # Only the production environment: none of the test run's own DJANGO_* variables (e.g.
    # DJANGO_ALLOW_ASYNC_UNSAFE, which browser tests set and the deployment check rejects).
    clean = {k: v for k, v in os.environ.items() if k not in DEPLOY_VARS and not k.startswith("DJANGO_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="portal.settings")
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=clean, capture_output=True, text=True)


def test_the_documented_production_settings_pass_the_deployment_check_without_warnings():
    assert len(PRODUCTION_ENV["SECRET_KEY"]) == 50
    out = check_deploy(**PRODUCTION_ENV)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues (0 silenced)." in out.stdout
    assert "WARNING" not in out.stdout + out.stderr


def test_the_deployment_check_fails_without_https_or_with_the_demo_key():
    """The check above can fail: without SECURE, or with the demo key, Django warns."""
    out = check_deploy(**{**PRODUCTION_ENV, "SECURE": "false"})
    assert out.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in out.stderr  # HSTS, HTTPS redirect, secure session and CSRF cookies
    without_key = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    out = check_deploy(**without_key)
    assert out.returncode != 0 and "security.W009" in out.stderr
