# Comptoir — the two commands: `make demo` and `make test`. See README.md.
PORT ?= 8000
HOST ?= 127.0.0.1
# Use uv from the PATH when it runs, else bootstrap it from PyPI into .tools/.
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo .tools/bin/uv)
RUN := $(UV) run --frozen
export UV_PYTHON_DOWNLOADS := never
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test install vendor chromium lint typecheck checks pytest bench screenshots messages serve clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

install: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --quiet
	@$(MAKE) --no-print-directory vendor

# Front-end files from the npm registry, pinned in package-lock.json, installed with `npm ci`
# and copied into the static files (git-ignored): served by the app, never fetched from a CDN.
VENDOR := src/comptoir/storefront/static/storefront/vendor
MODEL_VIEWER := node_modules/@google/model-viewer
vendor: $(VENDOR)/model-viewer.min.js

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make: npm (Node.js) is needed to install the front-end files of package-lock.json: apt-get install -y nodejs npm" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(VENDOR)/model-viewer.min.js: node_modules/.package-lock.json
	cp $(MODEL_VIEWER)/dist/model-viewer.min.js $@
	cp $(MODEL_VIEWER)/LICENSE $(VENDOR)/model-viewer.LICENSE.txt
	cp node_modules/three/LICENSE $(VENDOR)/three.LICENSE.txt

# The browser tests drive Debian's Chromium: installed here when missing (as root with apt),
# else a clear message. See docs/browser-tests.md.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else \
	    echo "make: the browser tests need Debian's chromium on the PATH and it cannot be installed here (needs root and apt-get): run 'sudo apt-get install chromium'. See docs/browser-tests.md." >&2; \
	    exit 1; \
	  fi; }

demo: install
	DJANGO_SETTINGS_MODULE=config.settings.dev $(RUN) comptoir migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.dev $(RUN) comptoir demo
	DJANGO_SETTINGS_MODULE=config.settings.dev $(RUN) comptoir demo_banner --port $(PORT) --host $(HOST)
	DJANGO_SETTINGS_MODULE=config.settings.dev $(RUN) comptoir runserver $(HOST):$(PORT) --noreload

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: install
	$(RUN) mypy src config bench

checks: install
	$(RUN) comptoir makemigrations --check --dry-run --settings=config.settings.test
	$(RUN) lint-imports
	$(RUN) comptoir openapi --check --settings=config.settings.test
	$(RUN) comptoir messages --check --settings=config.settings.test

pytest: install chromium
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(RUN) pytest -q

test: lint typecheck checks pytest

# Refresh the committed artefacts: OpenAPI document and compiled message catalogs.
messages: install
	$(RUN) comptoir messages --settings=config.settings.test
	$(RUN) comptoir openapi --settings=config.settings.test

bench: install chromium
	$(RUN) python -m bench $(BENCH_ARGS)

# Full-page PNGs of the main pages at phone and desktop widths, under var/screenshots/.
screenshots: install chromium
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(RUN) python -m bench.screenshots $(SCREENSHOTS_ARGS)

clean:
	rm -rf .venv .tools node_modules var/*.sqlite3* var/media var/static $(VENDOR)/model-viewer.min.js $(VENDOR)/*three.LICENSE.txt $(VENDOR)/model-viewer.LICENSE.txt
