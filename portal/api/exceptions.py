"""API errors: Django validation errors and database constraint violations become 400, never 500."""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback


def django_errors(exc: DjangoValidationError) -> dict:
    detail = as_serializer_error(exc)
    if "__all__" in detail:
        detail["non_field_errors"] = detail.pop("__all__")
    return detail


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response(django_errors(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        set_rollback()
        return Response(
            {"non_field_errors": [_("This record is still referred to by other records and cannot be deleted.")]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, (OverflowError, DataError)):
        # e.g. ?school=100000000000000000000: a number no database column can hold.
        set_rollback()
        return Response(
            {"non_field_errors": [_("A value in the request is out of range.")]}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, IntegrityError):
        set_rollback()
        return Response(
            {"non_field_errors": [_("This change conflicts with existing data (a duplicate or a broken rule).")]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return drf_exception_handler(exc, context)
