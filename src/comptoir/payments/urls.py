"""Pages of payments, mounted at /payments/ (config/urls.py)."""

from django.urls import path

from comptoir.payments import views

app_name = "payments"
urlpatterns = [
    path("test-gateway/<str:reference>/", views.test_gateway_page, name="test_gateway"),
    path("<str:reference>/return/", views.payment_return, name="return"),
]
