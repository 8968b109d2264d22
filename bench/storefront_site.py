"""The demo store as a site for the browser runs (`make screenshots`, the product-page bench):

- data: `comptoir migrate` and `comptoir demo` on a SQLite database of its own under
  var/storefront-demo/ (media and collected static files there too), so a developer's
  `make demo` database and the PostgreSQL databases are never touched; loaded once, then
  reused (the demo loader is idempotent);
- server: gunicorn on a free loopback port with production settings (bench.web_settings:
  DEBUG off, compressed static files through WhiteNoise, media served by Django).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.env import BENCH_SECRET_KEY, ROOT
from bench.server import free_port, terminate

SITE_DIR = ROOT / "var" / "storefront-demo"


def environment(site_dir: Path = SITE_DIR) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.web_settings",
            "COMPTOIR_VAR_DIR": str(site_dir),
            "MEDIA_ROOT": str(site_dir / "media"),
            "SECRET_KEY": BENCH_SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "REDIS_URL": "",
            "COMPTOIR_ALLOW_NO_REDIS": "true",
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "COMPTOIR_TEST_GATEWAY": "true",
            # Plain http on loopback: the session and CSRF cookies must travel.
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "EMAIL_URL": "consolemail://",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def prepare(site_dir: Path = SITE_DIR) -> None:
    """Set Django up in this process on the demo site, then its database, demo data and
    collected static files (quick when they are already there). The process then reads the
    demo's data (slugs) and builds URLs with reverse()."""
    import django
    from django.core.management import call_command

    site_dir.mkdir(parents=True, exist_ok=True)
    print(f"Demo site in {site_dir}: migrate, demo data, static files", flush=True)
    os.environ.update(environment(site_dir))
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


@contextmanager
def demo_site(site_dir: Path = SITE_DIR, *, workers: int = 2) -> Iterator[str]:
    """`with demo_site() as url:` serves the prepared demo store at `url` (gunicorn)."""
    url = f"http://127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    command += ["--bind", url.removeprefix("http://"), "--workers", str(workers)]
    with (site_dir / "server.log").open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [*command, "--log-level", "warning"],
            cwd=ROOT,
            env=environment(site_dir),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not _answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the demo site did not start; see {site_dir / 'server.log'}")
            time.sleep(0.2)
        yield url
    finally:
        terminate(process)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310 - loopback
            return True
    except OSError:
        return False
