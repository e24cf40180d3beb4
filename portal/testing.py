"""pytest plugin (loaded with `-p portal.testing` from pytest.ini): test-wide settings that must be
in place before any test module imports."""


def pytest_configure(config) -> None:
    from django.conf import settings

    # Tests render templates without running collectstatic first: plain static storage, no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Fast password hashing: the suite creates many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Login lockout (django-axes) off by default: Django's test `Client.login()` calls authenticate()
    # without a request, which axes' backend refuses outright. The lockout tests switch it on with
    # the `settings` fixture (portal/tests/test_lockout.py), so they run it exactly as in production.
    settings.AXES_ENABLED = False
