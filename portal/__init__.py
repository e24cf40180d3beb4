"""The portal project: settings, root urls, the Celery app and the tenancy every app builds on."""
from .celery import app as celery_app

__all__ = ("celery_app",)
