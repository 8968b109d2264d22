"""Imported once by the forkserver of the process races (see work.run_together): Django is
set up and the services imported before any process is forked from it, so each process
starts in milliseconds instead of importing Django on its own. No database connection is
opened here."""

import django

django.setup()

from comptoir.inventory.tests import work  # noqa: E402, F401 - imported for the forks
