"""API rate limits that keep the API answering when their counter store is down.

DRF's throttles count requests in the cache, which is Redis in production. When Redis cannot be
reached, counting fails on every request; these throttles then let the request through (and log
it) instead of answering 500 to every API call. Password guessing stays bounded meanwhile by the
login lockout (django-axes), which counts failures in the database.
"""
from __future__ import annotations

import logging

from redis.exceptions import RedisError
from rest_framework import throttling

log = logging.getLogger(__name__)

CACHE_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError)


class FailOpenMixin:
    """Allow the request when the cache cannot count it."""

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as exc:
            log.warning("rate limit not applied (%s): the cache cannot be reached: %s", type(self).__name__, exc)
            return True


class AnonRateThrottle(FailOpenMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(FailOpenMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(FailOpenMixin, throttling.ScopedRateThrottle):
    pass
