"""System checks (`manage.py check`, run by `make check` and at every start) for settings whose
mistakes would expose data."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@register(Tags.security)
def media_outside_static(app_configs=None, **kwargs) -> list[Error]:
    """MEDIA_ROOT holds private documents: inside a static folder, WhiteNoise (or any web server
    serving the static tree) would hand them to anyone who guesses a path."""
    media = Path(settings.MEDIA_ROOT).resolve()
    static_folders = [Path(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    static_folders += [Path(entry[1] if isinstance(entry, (list, tuple)) else entry)
                       for entry in settings.STATICFILES_DIRS]
    errors = []
    for folder in static_folders:
        folder = folder.resolve()
        if _inside(media, folder):
            errors.append(Error(
                f"MEDIA_ROOT ({media}) lies inside the static folder {folder}: uploaded documents would be "
                "served to anyone.",
                hint="Set MEDIA_ROOT to a folder outside STATIC_ROOT and STATICFILES_DIRS.",
                id="portal.E001",
            ))
    return errors
