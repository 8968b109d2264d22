"""Production settings: PostgreSQL, Redis and Celery; secrets must come from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *

DEBUG = False
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
# Without Redis the cache (login and reset throttles, memos) would be per process and tasks
# would run inside requests: refuse, unless a single-process setup says so explicitly.
if not REDIS_URL and not env.bool("COMPTOIR_ALLOW_NO_REDIS", default=False):
    raise ImproperlyConfigured(
        "REDIS_URL must be set in production (set COMPTOIR_ALLOW_NO_REDIS=true to run "
        "without Redis: per-process cache, in-memory broker)."
    )
# Tasks never run inside the request unless asked for (CELERY_TASK_ALWAYS_EAGER=true).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
LOGGING = {
    **LOGGING,
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Static files are served from `collectstatic`'s output (compressed, cacheable); the finders
# would serve the uncompressed sources and look through every app on each miss.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=False)

# The demo card gateway approves any valid card number: never on in production unless asked.
COMPTOIR_TEST_GATEWAY = env.bool("COMPTOIR_TEST_GATEWAY", default=False)
