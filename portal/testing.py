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
