"""Celery tasks of the teaching app (workers discover them here)."""
from .imports import import_task  # noqa: F401  (saving a large confirmed spreadsheet import)
