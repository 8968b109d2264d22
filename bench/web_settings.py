"""Settings of the demo site behind `make screenshots` and the product-page bench
(bench/storefront_site.py): production settings (DEBUG off, static files compressed and
served by WhiteNoise), on the demo's SQLite database, with media served by Django."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.web_urls"
# Static files from the collected, compressed copies only (gzip), as a deployment that runs
# collectstatic serves them: with the finders on, WhiteNoise serves the uncompressed sources.
WHITENOISE_USE_FINDERS = False
