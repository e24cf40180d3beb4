"""Home page, health check and navigation."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .choices import Role
from .models import Region, Sector
from .selectors import organisation_counts


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the app answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: who you are, what you work for, where to go next."""
    user = request.user
    context = {"role_label": Role(user.role).label if user.role in Role.values else "", "scope": user.scope}
    if user.role == Role.GOV_REVIEWER:
        context["counts"] = organisation_counts(user.region)
    elif user.role == Role.PLATFORM_ADMIN:
        context["counts"] = {
            **organisation_counts(),
            "regions": Region.objects.count(),
            "sectors": Sector.objects.count(),
        }
    return render(request, "portal/home.html", context)
