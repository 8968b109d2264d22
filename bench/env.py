"""Where the bench runs: its database, its settings, and the environment given to gunicorn.

The bench never reads DATABASE_URL: a developer's own database must not receive 100k
products (or be truncated by `--reset`). It uses BENCH_DATABASE_URL, or a dedicated
PostgreSQL database created on first use.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/comptoir_bench"
DEFAULT_SETTINGS = "config.settings.production"
# Not a secret: the bench server listens on loopback and holds generated data only.
BENCH_SECRET_KEY = "bench-only-key-not-for-production-0123456789abcdef"  # noqa: S105


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)


def is_postgres_url(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql", "pgsql", "postgis"}


def server_environment(url: str) -> dict[str, str]:
    """Production-like settings: DEBUG off, a SECRET_KEY, persistent connections."""
    return {
        "DJANGO_SETTINGS_MODULE": os.environ.get("BENCH_SETTINGS", DEFAULT_SETTINGS),
        "DATABASE_URL": url,
        "SECRET_KEY": BENCH_SECRET_KEY,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": "",
        "COMPTOIR_ALLOW_NO_REDIS": "true",  # one process per worker, tasks eager: no Redis
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "MEDIA_ROOT": str(ROOT / "var" / "bench-media"),
        # The checkout bench pays with the demo card gateway (off by default in production).
        "COMPTOIR_TEST_GATEWAY": "true",
    }


def ensure_postgres_database(url: str) -> bool:
    """Create the database named in `url` if it does not exist. True when it was created."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def configure(url: str) -> None:
    """Point this process at the bench database with the bench settings, then set Django up."""
    import django

    os.environ.update(server_environment(url))
    if is_postgres_url(url) and ensure_postgres_database(url):
        print(f"Created database {urlsplit(url).path.lstrip('/')}.")
    django.setup()


def migrate() -> None:
    """`comptoir migrate`, in-process."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
