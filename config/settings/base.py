"""Base settings. Every knob is read from the environment (see README.md, "Configuration")."""

import contextlib
import os
from pathlib import Path

import environ
from django.utils.csp import CSP

from comptoir.accounts.social_config import socialaccount_providers

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(environ.Env().str("COMPTOIR_VAR_DIR", default=str(BASE_DIR / "var")))
# Local state (SQLite database, media, collected static files) lives here; a fresh clone has none.
# A read-only install points COMPTOIR_VAR_DIR, MEDIA_ROOT and DATABASE_URL elsewhere.
with contextlib.suppress(OSError):
    (VAR_DIR / "static").mkdir(parents=True, exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Links in emails are built from this, never from the request's Host header.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # First, so that its `changepassword` command (which revokes API tokens) wins over auth's.
    "comptoir.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_countries",
    "django_htmx",
    "ninja",
    "comptoir.core",
    "comptoir.channels",
    "comptoir.taxes",
    "comptoir.catalog",
    "comptoir.search",
    "comptoir.inventory",
    "comptoir.companies",
    "comptoir.promotions",
    "comptoir.pricing",
    "comptoir.shipping",
    "comptoir.cart",
    "comptoir.orders",
    "comptoir.payments",
    "comptoir.checkout",
    "comptoir.quotes",
    "comptoir.approvals",
    "comptoir.invoicing",
    "comptoir.reviews",
    "comptoir.wishlists",
    "comptoir.requisitions",
    "comptoir.content",
    "comptoir.documents",
    "comptoir.storefront",
    # Social login only (docs/social-login.md): email login, registration and passwords are ours.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.apple",
    "allauth.socialaccount.providers.facebook",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.openid_connect",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "comptoir.core.middleware.PathLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "comptoir.core.middleware.ApiMethodNotAllowedMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "comptoir.storefront.middleware.AssistedShoppingMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "comptoir.storefront.context_processors.storefront",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'comptoir.sqlite3'}"),
}
# Persistent connections: a web worker keeps its connection between requests.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# PostgreSQL: server-side parameter binding, and statements prepared on their second run
# in a connection, so that PostgreSQL parses and plans a repeated query once per connection
# (the checkout bench spends a third less time in SQL). Turn it off
# (DATABASE_PREPARED_STATEMENTS=false) behind a pooler that cannot keep prepared statements
# (PgBouncer before 1.21 in transaction mode).
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_PREPARED_STATEMENTS", default=True
):
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "comptoir",
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["comptoir.accounts.backends.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "storefront:home"
LOGOUT_REDIRECT_URL = "storefront:home"
# Assisted shopping (docs/companies.md) uses django-hijack's session switch, not its
# notification (an inline script our CSP forbids): the storefront shows its own banner.
HIJACK_INSERT_BEFORE = None
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
# Login throttling: failures allowed per email and per client address in the window.
LOGIN_THROTTLE_ATTEMPTS = env.int("LOGIN_THROTTLE_ATTEMPTS", default=5)
LOGIN_THROTTLE_WINDOW = env.int("LOGIN_THROTTLE_WINDOW", default=900)
API_TOKEN_TTL = env.int("API_TOKEN_TTL", default=3600 * 24)

# Social login through django-allauth (docs/social-login.md). Providers come from
# COMPTOIR_SOCIAL_PROVIDERS and COMPTOIR_SOCIAL_<ID>_* (comptoir.accounts.social_config); none
# configured: no buttons, and the provider URLs answer 404.
SOCIALACCOUNT_PROVIDERS = socialaccount_providers(os.environ)
SOCIALACCOUNT_ADAPTER = "comptoir.accounts.social.SocialAccountAdapter"
ACCOUNT_ADAPTER = "comptoir.accounts.social.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
# A social signup needs an email the provider verified (the adapter refuses others), and an
# existing account is never joined by email: its owner logs in and connects the provider.
ACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_LOGIN_ON_GET = False  # a GET shows a confirmation page that POSTs
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("COMPTOIR_SOCIAL_TIMEOUT", default=10)

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="fr")
# Native names, as a language switch shows them whatever the current language.
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "src" / "comptoir" / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Files only reached through views that check who asks (library documents, quote
# attachments, invoices): never under MEDIA_URL, never served by the web server.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# EMAIL_URL (smtp://user:pass@host:587, smtp+tls://..., consolemail://) -> Django 6.1 MAILERS.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_email_options = (
    {
        key: _email[setting]
        for key, setting in [
            ("host", "EMAIL_HOST"),
            ("port", "EMAIL_PORT"),
            ("username", "EMAIL_HOST_USER"),
            ("password", "EMAIL_HOST_PASSWORD"),
            ("use_tls", "EMAIL_USE_TLS"),
            ("use_ssl", "EMAIL_USE_SSL"),
        ]
        if _email.get(setting) not in (None, "")
    }
    if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
    else {}
)
if _email_options:
    _email_options["timeout"] = env.int("EMAIL_TIMEOUT", default=10)
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Comptoir <no-reply@comptoir.test>")

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
# Without a broker (make demo), tasks run in-process.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# `comptoir worker` embeds beat; it keeps the last run times of the schedule here.
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule")
)

# Outbox (comptoir.core.outbox, docs/events.md): handlers per topic, as dotted paths, so
# core imports no domain; "<prefix>.*" matches every topic of the prefix.
COMPTOIR_EVENT_HANDLERS: dict[str, list[str]] = {
    "order.placed": ["comptoir.orders.handlers.order_placed"],
    "order.paid": ["comptoir.orders.handlers.order_paid"],
    "order.shipped": [
        "comptoir.orders.handlers.order_shipped",
        "comptoir.invoicing.handlers.order_shipped",
    ],
    "invoice.overdue": ["comptoir.invoicing.handlers.invoice_overdue"],
    "catalog.product.changed": ["comptoir.search.handlers.product_changed"],
    "order.delivered": ["comptoir.reviews.handlers.order_delivered"],
    "quote.sent": ["comptoir.quotes.handlers.quote_sent"],
    "quote.expiring": ["comptoir.quotes.handlers.quote_expiring"],
}
# Product search: a backend class (dotted path; empty: the database's own engine) and how many
# products a search answers at most (docs/search.md).
COMPTOIR_SEARCH_BACKEND = env.str("COMPTOIR_SEARCH_BACKEND", default="")
COMPTOIR_SEARCH_MAX_HITS = env.int("COMPTOIR_SEARCH_MAX_HITS", default=1000)
COMPTOIR_DISPATCH_CUTOFF_HOUR = env.int("COMPTOIR_DISPATCH_CUTOFF_HOUR", default=14)
# Seconds a worker holds a claimed event (longer than its slowest handler may take).
COMPTOIR_OUTBOX_LEASE_SECONDS = env.int("COMPTOIR_OUTBOX_LEASE_SECONDS", default=300)
# A failed delivery is retried after base * 2^(attempts - 1) seconds, at most max.
COMPTOIR_OUTBOX_RETRY_BASE_SECONDS = env.int("COMPTOIR_OUTBOX_RETRY_BASE_SECONDS", default=30)
COMPTOIR_OUTBOX_RETRY_MAX_SECONDS = env.int("COMPTOIR_OUTBOX_RETRY_MAX_SECONDS", default=3600)
COMPTOIR_OUTBOX_BATCH_SIZE = env.int("COMPTOIR_OUTBOX_BATCH_SIZE", default=100)
# Every this many seconds beat re-drives pending events (retries come due, events emitted
# while no worker ran).
COMPTOIR_OUTBOX_REDRIVE_SECONDS = env.float("COMPTOIR_OUTBOX_REDRIVE_SECONDS", default=15.0)
COMPTOIR_OUTBOX_RETENTION_DAYS = env.int("COMPTOIR_OUTBOX_RETENTION_DAYS", default=30)
COMPTOIR_IDEMPOTENCY_RETENTION_HOURS = env.int("COMPTOIR_IDEMPOTENCY_RETENTION_HOURS", default=168)
# Quotes (docs/quotes.md): validity of a new quote, reminder before expiry, attachment size.
COMPTOIR_QUOTE_VALIDITY_DAYS = env.int("COMPTOIR_QUOTE_VALIDITY_DAYS", default=30)
COMPTOIR_QUOTE_REMINDER_DAYS = env.int("COMPTOIR_QUOTE_REMINDER_DAYS", default=3)
COMPTOIR_QUOTE_ATTACHMENT_MAX_BYTES = env.int(
    "COMPTOIR_QUOTE_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024
)
CELERY_BEAT_SCHEDULE = {
    "outbox-redrive": {
        "task": "core.outbox_deliver",
        "schedule": COMPTOIR_OUTBOX_REDRIVE_SECONDS,
        # A re-drive nobody ran in time is superseded by the next one.
        "options": {"expires": COMPTOIR_OUTBOX_REDRIVE_SECONDS * 4},
    },
    "housekeeping": {"task": "core.housekeeping", "schedule": 3600.0},
    # Stock held by abandoned checkouts goes back on sale.
    "inventory-reservations-expire": {"task": "inventory.reservations_expire", "schedule": 60.0},
    "inventory-ledger-check": {"task": "inventory.ledger_check", "schedule": 3600.0},
    # Payments whose answer was lost, or whose second step was abandoned, are settled once.
    "checkout-reconcile": {"task": "checkout.reconcile", "schedule": 60.0},
    # Sent quotes past their expiry expire; buyers are reminded before (docs/quotes.md).
    "quotes-expire": {"task": "quotes.expire", "schedule": 3600.0},
    # Approvals pending for COMPTOIR_APPROVAL_REMINDER_DAYS are reminded to their approvers.
    "approvals-remind": {"task": "approvals.approval_reminders_send", "schedule": 3600.0},
    # Reminders of overdue invoices, once per invoice and level (docs/invoicing.md).
    "invoicing-dunning": {"task": "invoicing.dunning", "schedule": 3600.0},
}

# Reviews, questions and answers (docs/reviews.md): posts allowed per user, per client
# address (web forms) and window in seconds, counted in the cache (Redis in production).
COMPTOIR_REVIEWS_RATE_LIMITS: dict[str, tuple[int, int, int]] = {
    "review": (
        env.int("COMPTOIR_REVIEWS_PER_HOUR", default=10),
        env.int("COMPTOIR_REVIEWS_PER_HOUR_PER_IP", default=30),
        3600,
    ),
    "question": (
        env.int("COMPTOIR_QUESTIONS_PER_HOUR", default=10),
        env.int("COMPTOIR_QUESTIONS_PER_HOUR_PER_IP", default=30),
        3600,
    ),
    "answer": (
        env.int("COMPTOIR_ANSWERS_PER_HOUR", default=20),
        env.int("COMPTOIR_ANSWERS_PER_HOUR_PER_IP", default=60),
        3600,
    ),
}

COMPTOIR_DEFAULT_CHANNEL = env.str("COMPTOIR_DEFAULT_CHANNEL", default="boutique-france")
COMPTOIR_API_MAX_PAGE_SIZE = 100
# The seller: its country decides domestic VAT, reverse charge and exports.
COMPTOIR_SELLER_COUNTRY = env.str("COMPTOIR_SELLER_COUNTRY", default="FR")
COMPTOIR_SELLER_VAT_NUMBER = env.str("COMPTOIR_SELLER_VAT_NUMBER", default="FR40303265045")
# The seller's identity printed on invoices and in their Factur-X XML (docs/invoicing.md).
COMPTOIR_SELLER_LEGAL_NAME = env.str("COMPTOIR_SELLER_LEGAL_NAME", default="Comptoir SAS")
COMPTOIR_SELLER_ADDRESS = env.str("COMPTOIR_SELLER_ADDRESS", default="10 rue de Rivoli")
COMPTOIR_SELLER_POSTAL_CODE = env.str("COMPTOIR_SELLER_POSTAL_CODE", default="75004")
COMPTOIR_SELLER_CITY = env.str("COMPTOIR_SELLER_CITY", default="Paris")
COMPTOIR_SELLER_SIREN = env.str("COMPTOIR_SELLER_SIREN", default="303265045")
COMPTOIR_SELLER_LEGAL_FORM = env.str(
    "COMPTOIR_SELLER_LEGAL_FORM", default="SAS au capital de 10 000 EUR, RCS Paris"
)
COMPTOIR_SELLER_IBAN = env.str("COMPTOIR_SELLER_IBAN", default="FR7630006000011234567890189")
COMPTOIR_SELLER_BIC = env.str("COMPTOIR_SELLER_BIC", default="AGRIFRPP")
COMPTOIR_SELLER_EMAIL = env.str("COMPTOIR_SELLER_EMAIL", default="factures@comptoir.example")
# Invoices: series prefixes, the late-payment penalty rate (% a year) and the fixed
# recovery indemnity (French Commercial Code L441-10 and D441-5).
COMPTOIR_INVOICE_SERIES = env.str("COMPTOIR_INVOICE_SERIES", default="F")
COMPTOIR_CREDIT_NOTE_SERIES = env.str("COMPTOIR_CREDIT_NOTE_SERIES", default="AV")
COMPTOIR_LATE_PENALTY_RATE = env.str("COMPTOIR_LATE_PENALTY_RATE", default="12.00")
COMPTOIR_RECOVERY_INDEMNITY = env.str("COMPTOIR_RECOVERY_INDEMNITY", default="40.00")
# A company's order paid or on account is invoiced when its first parcel ships.
COMPTOIR_INVOICE_ON_SHIPMENT = env.bool("COMPTOIR_INVOICE_ON_SHIPMENT", default=True)
# Dunning: reminders of an unpaid invoice this many days after its due date.
COMPTOIR_DUNNING_DAYS = env.list("COMPTOIR_DUNNING_DAYS", cast=int, default=[7, 15, 30])
# Checkout: how long stock stays reserved for an open checkout (payment second step).
COMPTOIR_RESERVATION_SECONDS = env.int("COMPTOIR_RESERVATION_SECONDS", default=900)
# How many items a customer's wishlist holds (WISHLIST_FULL beyond).
COMPTOIR_WISHLIST_MAX_ITEMS = env.int("COMPTOIR_WISHLIST_MAX_ITEMS", default=100)
# VAT numbers are always checked for format and checksum (python-stdnum); the VIES check
# against the EU service runs in a worker, never on the request path, when enabled.
COMPTOIR_VIES_CHECK = env.bool("COMPTOIR_VIES_CHECK", default=False)
# Where an invited person accepts a company invitation ({site}: SITE_URL, {token}).
COMPTOIR_COMPANY_INVITATION_URL = env.str(
    "COMPTOIR_COMPANY_INVITATION_URL", default="{site}/account/company/invitations/{token}/"
)
# Messages a company member may send their account manager per hour (docs/b2b-portal.md).
COMPTOIR_CONTACT_PER_HOUR = env.int("COMPTOIR_CONTACT_PER_HOUR", default=5)
# Days before a pending order approval is reminded to its approvers (docs/approvals.md).
COMPTOIR_APPROVAL_REMINDER_DAYS = env.int("COMPTOIR_APPROVAL_REMINDER_DAYS", default=2)
COMPTOIR_VIES_TIMEOUT = env.float("COMPTOIR_VIES_TIMEOUT", default=10.0)
COMPTOIR_VIES_URL = env.str(
    "COMPTOIR_VIES_URL", default="https://ec.europa.eu/taxation_customs/vies/rest-api"
)

# Payments (docs/payments.md). Stripe is offered only when its secret key is set;
# COMPTOIR_STRIPE_API_BASE points the library at another server (a local fake in tests).
COMPTOIR_STRIPE_SECRET_KEY = env.str("COMPTOIR_STRIPE_SECRET_KEY", default="")
COMPTOIR_STRIPE_WEBHOOK_SECRET = env.str("COMPTOIR_STRIPE_WEBHOOK_SECRET", default="")
COMPTOIR_STRIPE_API_BASE = env.str("COMPTOIR_STRIPE_API_BASE", default="")
COMPTOIR_STRIPE_TIMEOUT = env.float("COMPTOIR_STRIPE_TIMEOUT", default=20.0)
# The demo card gateway (test card numbers): turn it off in production.
COMPTOIR_TEST_GATEWAY = env.bool("COMPTOIR_TEST_GATEWAY", default=True)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (Django's built-in CSP): scripts only from this site, never inline.
# <model-viewer> (product pages with a 3D model) compiles WebAssembly ('wasm-unsafe-eval',
# which allows no JavaScript eval), reads the GLB with fetch and decodes its textures through
# blob: URLs (connect-src, img-src, worker-src). Inline styles stay allowed
# for the HTML emails shown by the development mailbox and the self-contained 500 page.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.WASM_UNSAFE_EVAL],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "connect-src": [CSP.SELF, "data:", "blob:"],
    "worker-src": [CSP.SELF, "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
