"""Preloaded by the forkserver of the race tests: sets Django up once, in a fresh process
without threads or database connections, so that each forked child starts ready."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()
