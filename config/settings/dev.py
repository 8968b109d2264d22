"""Settings for `make demo` and local development: SQLite, in-process tasks, DEBUG on.

The built-in SECRET_KEY is public (it is in the repository): it is only accepted with DEBUG
on, so that dev settings picked by mistake for a real deployment fail to start."""

from django.core.exceptions import ImproperlyConfigured

from .base import *

_DEV_SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 - public on purpose, DEBUG only

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or _DEV_SECRET_KEY
if SECRET_KEY == _DEV_SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured(
        "The built-in development SECRET_KEY is only allowed with DEBUG on: set SECRET_KEY, "
        "or use config.settings.production."
    )

# Emails go to files under var/mail/ (one .log file per connection, read by the DEBUG-only
# mailbox page at /_dev/mail/), unless EMAIL_URL names a real server or the console.
if not env.str("EMAIL_URL", default=""):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
