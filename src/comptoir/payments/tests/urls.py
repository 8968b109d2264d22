"""The project's URLs with the payments pages mounted at /payments/ (as config/urls.py is
asked to), for the tests of those pages."""

from django.urls import include, path

from config.urls import urlpatterns as project

urlpatterns = [path("payments/", include("comptoir.payments.urls")), *project]
