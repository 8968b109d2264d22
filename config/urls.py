from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path

from comptoir.api import api, api_not_found
from comptoir.core.views import healthz
from comptoir.pricing.views import price_simulator

# Under /api/ Django's own error answers are problem+json too; HTML pages elsewhere.
handler400 = "comptoir.core.views.bad_request"
handler403 = "comptoir.core.views.permission_denied"
handler404 = "comptoir.core.views.page_not_found"
handler500 = "comptoir.core.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
    path("admin/pricing/simulator/", price_simulator, name="pricing_simulator"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("comptoir.accounts.urls")),
    path("payments/", include("comptoir.payments.urls")),
    path("", include("comptoir.storefront.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
