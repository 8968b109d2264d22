"""Imported once by the forkserver of `comptoir.core.processes` (with the environment of
the test database): Django set up and the URLconf loaded (which imports every API router,
so every app's services) before any process is forked from it, so each process starts in
milliseconds. No database connection is opened here. Imported by tests only."""

import django

django.setup()

from django.urls import get_resolver  # noqa: E402 - needs the settings

get_resolver().url_patterns  # noqa: B018 - loads the URLconf now
