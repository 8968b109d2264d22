"""The child side of the PostgreSQL race tests, started with the multiprocessing
'forkserver' context (no thread or connection inherited from the test process): it sets
Django up (already done when the server preloaded race_setup.py), points at the same
test database, and allocates once every child is ready. Nothing Django is imported at module level: the child imports this module before
Django is set up."""

from __future__ import annotations

import os
from typing import Any

TIMEOUT = 120  # seconds


def allocate(
    db_name: str, channel_id: int, lines: list[tuple[int, int]], barrier: Any, results: Any
) -> None:
    """Put "ok", a DomainError code, or the repr of any other exception on `results`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    from comptoir.channels.models import Channel
    from comptoir.core.errors import DomainError
    from comptoir.inventory import services

    settings.DATABASES["default"]["NAME"] = db_name  # the test database, before any query
    connections["default"].settings_dict["NAME"] = db_name
    outcome = "not run"
    try:
        channel = Channel.objects.get(pk=channel_id)  # connect before the barrier
        barrier.wait(TIMEOUT)
        services.stock_allocate(lines=lines, channel=channel)
        outcome = "ok"
    except DomainError as exc:
        outcome = exc.code
    except BaseException as exc:  # reported to the test, which fails on it
        outcome = f"error: {exc!r}"
    finally:
        connections.close_all()
        results.put(outcome)
