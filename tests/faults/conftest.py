"""Faults made real for the tests of tests/faults: an unreachable Redis (broker and cache), a real Redis
broker on a database of its own, PostgreSQL for what needs concurrent sessions.

Celery reads its configuration once, so the broker is switched on the app itself (as the root
conftest's `celery_eager` does) and its connection pools are dropped, then everything is restored.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings

from portal.celery import app

# Nothing listens on port 1: connecting is refused at once, as when Redis is down.
UNREACHABLE = "redis://127.0.0.1:1/0"
# A real Redis, on a database no other test or service uses: a test's stray messages (and the
# redelivery of a killed worker's task) stay among the fault tests.
FAULTS_DB = 13


def real_redis_url() -> str:
    configured = os.environ.get("CELERY_BROKER_URL", "")
    base = configured if configured.startswith("redis://") else "redis://127.0.0.1:6379/0"
    parts = urlsplit(base)
    return f"redis://{parts.netloc}/{FAULTS_DB}"


def redis_reachable(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


needs_postgres = pytest.mark.skipif(not postgres(), reason="needs concurrent database sessions: run with a "
                                                           "PostgreSQL DATABASE_URL (SQLite serialises writers)")
needs_postgres_for_workers = pytest.mark.skipif(
    not postgres(), reason="a worker process needs a database it shares with the test: run with a PostgreSQL "
                           "DATABASE_URL (the test database on SQLite lives in this process's memory)")


def _drop_pools() -> None:
    """Forget the app's broker connections and queue declarations (cached on first use), so that the
    next task goes to the broker and queue configured now."""
    app._pool = None  # (not closed: kombu keeps one pool per broker URL for the whole process)
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
        amqp._rtable = None
        for cached in ("queues", "default_queue", "router", "default_exchange"):
            amqp.__dict__.pop(cached, None)


@contextmanager
def celery_broker(url: str, queue: str | None = None) -> Iterator[None]:
    """Send tasks to the broker at `url` (on `queue`), not in-process, until the block ends."""
    names = ("broker_url", "task_always_eager", "task_default_queue")
    saved = {name: app.conf[name] for name in names}
    saved_environment = os.environ.get("CELERY_BROKER_URL")
    # Celery prefers the CELERY_BROKER_URL environment variable (CI sets it) to its configuration.
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    if queue:
        app.conf.task_default_queue = queue
    _drop_pools()
    try:
        yield
    finally:
        if saved_environment is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_environment
        for name, value in saved.items():
            app.conf[name] = value
        _drop_pools()


def forget_queue(url: str, queue: str) -> None:
    """Remove a test's queue from Redis: its messages and its bindings."""
    client = redis.Redis.from_url(url)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


@pytest.fixture
def broker_down() -> Iterator[str]:
    with celery_broker(UNREACHABLE):
        yield UNREACHABLE


@pytest.fixture
def cache_down(settings):
    """The cache is the same Redis in production: point it at the closed port too."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": UNREACHABLE}}
    return UNREACHABLE


@pytest.fixture
def real_broker() -> str:
    url = real_redis_url()
    if not redis_reachable(url):
        pytest.skip(f"no Redis answers at {url}")
    return url
