"""Floor views for the API measurements: the same rows as an API page, with nothing but
`JsonResponse(list(queryset.values(...)))` on the same database.

Each floor view authenticates the same token the same way, narrows the resource's queryset with
the same scoping, orders it like the viewset and returns the first `page_size` rows of the
model's own columns. What the API spends beyond this (filters, pagination count, serializers,
related names, content negotiation) is what the ratio measures."""
from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse
from django.urls import path
from rest_framework.exceptions import AuthenticationFailed

from portal.api.authentication import ApiTokenAuthentication
from portal.scoping import VIEW, restrict

# The measured resources: route prefix → its viewset (read from the router, so the floor follows
# the API's own queryset and ordering).
RESOURCES = ("schools", "programs", "teachers", "partnerships", "indicator-values")


def viewset_for(prefix: str):
    from portal.urls import router

    for registered_prefix, viewset, _basename in router.registry:
        if registered_prefix == prefix:
            return viewset
    raise KeyError(prefix)


def floor_queryset(prefix: str, user):
    """The viewset's base queryset, scoped and ordered as the API lists it, without its extras."""
    viewset = viewset_for(prefix)
    queryset = viewset.queryset.all()
    ordering = getattr(viewset, "ordering", None) or queryset.model._meta.ordering or ["pk"]
    return restrict(queryset, user, VIEW).order_by(*ordering)


def columns(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def floor(request: HttpRequest, prefix: str) -> JsonResponse:
    if prefix not in RESOURCES:
        raise Http404
    try:
        authenticated = ApiTokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        authenticated = None
    if authenticated is None:
        return JsonResponse({"detail": "token required"}, status=401)
    user, _token = authenticated
    page_size = min(int(request.GET.get("page_size", 100)), 500)
    queryset = floor_queryset(prefix, user)
    rows = list(queryset.values(*columns(queryset.model))[:page_size])
    return JsonResponse(rows, safe=False)


def urlpatterns_with_floor():
    """The portal's URLs plus /bench/floor/<resource>/ (used only while benchmarking)."""
    from portal.urls import urlpatterns

    return [path("bench/floor/<str:prefix>/", floor, name="bench-floor"), *urlpatterns]
