"""`comptoir worker`: a Celery worker on the configured broker, with beat embedded (the
periodic outbox re-drive and housekeeping), for production and for local runs with Redis.

    REDIS_URL=redis://127.0.0.1:6379/0 comptoir worker --concurrency 2

It refuses to start on the in-memory broker (no REDIS_URL): there, tasks run in-process
(CELERY_TASK_ALWAYS_EAGER) and a worker would never receive anything. Run beat once per
deployment: start extra workers with --no-beat."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

LOG_LEVELS = ["debug", "info", "warning", "error", "critical"]


def worker_argv(*, concurrency: int | None, loglevel: str, beat: bool) -> list[str]:
    argv = ["worker", f"--loglevel={loglevel.upper()}"]
    if concurrency is not None:
        argv.append(f"--concurrency={concurrency}")
    if beat:
        argv += ["--beat", f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}"]
    return argv


class Command(BaseCommand):
    help = "Run a Celery worker with embedded beat on the configured broker (REDIS_URL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--concurrency",
            type=int,
            default=None,
            help="Worker processes (default: one per CPU).",
        )
        parser.add_argument("--loglevel", choices=LOG_LEVELS, default="info")
        parser.add_argument(
            "--no-beat",
            action="store_true",
            help="Do not embed beat (for every worker but one).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        broker = str(settings.CELERY_BROKER_URL or "")
        if not broker or broker.lower().startswith("memory"):
            raise CommandError(
                "No message broker is configured: set REDIS_URL (or CELERY_BROKER_URL) to "
                "run a worker. Without one (make demo), tasks run in-process and no worker is "
                "needed."
            )
        concurrency = options["concurrency"]
        if concurrency is not None and concurrency < 1:
            raise CommandError("--concurrency must be at least 1.")
        from comptoir.celery import app

        app.worker_main(
            worker_argv(
                concurrency=concurrency, loglevel=options["loglevel"], beat=not options["no_beat"]
            )
        )
