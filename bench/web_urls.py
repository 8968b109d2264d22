"""The project's URLs, plus uploaded media served by Django as in development: for the
browser tests (DEBUG off, so config.urls leaves media out) and the demo site of the
screenshots and the product-page bench (bench/storefront_site.py)."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from config.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    *urlpatterns,
]
