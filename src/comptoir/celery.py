"""The Celery application: `celery -A comptoir.celery worker`. Without a broker (make demo),
settings run tasks in-process (CELERY_TASK_ALWAYS_EAGER)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("comptoir")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
