"""WSGI entry point (gunicorn config.wsgi). Without DJANGO_SETTINGS_MODULE it runs the
production settings, which refuse to start without a SECRET_KEY: a server never falls back
to DEBUG and the committed development key."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
