"""ASGI entry point (uvicorn config.asgi:application). Without DJANGO_SETTINGS_MODULE it
runs the production settings, which refuse to start without a SECRET_KEY."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_asgi_application()
