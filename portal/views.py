"""The health check, and a helper for pages that link to pages of other areas.

The role home page is a dashboard and lives in evaluation (evaluation.pages.home); the root urls
name it "home"."""
from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import NoReverseMatch, reverse


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the app answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def optional_url(name: str, *args, query: str = "") -> str | None:
    """The URL of a page by name, or None while that page does not exist (yet): blocks link to list
    pages of other areas as soon as those land."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url
