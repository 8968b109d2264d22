from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_page

from comptoir.api import api, api_not_found
from comptoir.core.views import healthz, set_language
from comptoir.pricing.views import price_simulator
from comptoir.storefront.sitemaps import SITEMAP_CACHE_SECONDS, SITEMAPS, robots_txt, sitemap_index

# Under /api/ Django's own error answers are problem+json too; HTML pages elsewhere.
handler400 = "comptoir.core.views.bad_request"
handler403 = "comptoir.core.views.permission_denied"
handler404 = "comptoir.core.views.page_not_found"
handler500 = "comptoir.core.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap_index, name="sitemap_index"),
    path(
        "sitemap-<section>.xml",
        cache_page(SITEMAP_CACHE_SECONDS)(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
    path("admin/pricing/simulator/", price_simulator, name="pricing_simulator"),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("payments/", include("comptoir.payments.urls")),
]
# Shopper-facing pages have one URL per language: French (the default) at the root, English
# under /en/. The language comes from the path there, never from a cookie or header, so each
# URL is one page that search engines can index (hreflang links join the two).
urlpatterns += i18n_patterns(
    path("accounts/social/", include("comptoir.accounts.social_urls")),  # docs/social-login.md
    path("accounts/", include("comptoir.accounts.urls")),
    path("", include("comptoir.storefront.urls")),
    prefix_default_language=False,
)
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
