# Comptoir — the two commands: `make demo` and `make test`. See README.md.
PORT ?= 8000
HOST ?= 127.0.0.1
# Use uv from the PATH when it runs, else bootstrap it from PyPI into .tools/.
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo .tools/bin/uv)
RUN := $(UV) run --frozen
export UV_PYTHON_DOWNLOADS := never
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test install lint typecheck checks pytest bench messages serve clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

install: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --quiet

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

pytest: install
	$(RUN) pytest -q

test: lint typecheck checks pytest

# Refresh the committed artefacts: OpenAPI document and compiled message catalogs.
messages: install
	$(RUN) comptoir messages --settings=config.settings.test
	$(RUN) comptoir openapi --settings=config.settings.test

bench: install
	$(RUN) python -m bench $(BENCH_ARGS)

clean:
	rm -rf .venv .tools var/*.sqlite3* var/media var/static
