"""Which settings run when DJANGO_SETTINGS_MODULE is missing, when dev and production settings
refuse to start, and how production runs tasks. Each case runs in a fresh interpreter
(settings are read once per process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
PRINT_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.SETTINGS_MODULE, settings.DEBUG, settings.SECRET_KEY)"
)


def run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `code` with a clean configuration environment plus `env`."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DJANGO_SETTINGS_MODULE",
            "DEBUG",
            "SECRET_KEY",
            "DATABASE_URL",
            "REDIS_URL",
            "COMPTOIR_ALLOW_NO_REDIS",
            "CELERY_BROKER_URL",
            "CELERY_TASK_ALWAYS_EAGER",
        }
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi"])
def test_servers_default_to_production_settings(module: str) -> None:
    result = run(
        f"import {module}; {PRINT_SETTINGS}",
        SECRET_KEY="from-the-environment",
        REDIS_URL="redis://127.0.0.1:6379/14",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.production", "False", "from-the-environment"]


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi"])
def test_servers_without_secret_key_refuse_to_start(module: str) -> None:
    result = run(f"import {module}")

    assert result.returncode == 1
    assert "ImproperlyConfigured: SECRET_KEY must be set in production." in result.stderr


def test_cli_still_defaults_to_dev_settings() -> None:
    code = (
        "import sys; from comptoir.cli import main; "
        "sys.argv = ['comptoir', 'shell', '--no-imports', '-c', 'from django.conf import settings; "
        "print(settings.SETTINGS_MODULE, settings.DEBUG)']; main()"
    )

    result = run(code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.dev", "True"]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ["True", "dev-only-insecure-key-change-me"]),
        ({"DEBUG": "true"}, ["True", "dev-only-insecure-key-change-me"]),
        ({"DEBUG": "false", "SECRET_KEY": "a-real-secret"}, ["False", "a-real-secret"]),
    ],
)
def test_dev_settings_run_with_debug_or_a_real_key(
    env: dict[str, str], expected: list[str]
) -> None:
    result = run(PRINT_SETTINGS, DJANGO_SETTINGS_MODULE="config.settings.dev", **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.dev", *expected]


@pytest.mark.parametrize("secret", [None, "dev-only-insecure-key-change-me"])
def test_dev_settings_refuse_the_built_in_key_without_debug(secret: str | None) -> None:
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.dev", "DEBUG": "false"}
    if secret is not None:
        env["SECRET_KEY"] = secret

    result = run(PRINT_SETTINGS, **env)

    assert result.returncode == 1
    assert "ImproperlyConfigured" in result.stderr
    assert "built-in development SECRET_KEY" in result.stderr


PRINT_BACKENDS = (
    "from django.conf import settings; "
    "print(settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1], "
    "settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER)"
)
PRODUCTION = {"DJANGO_SETTINGS_MODULE": "config.settings.production", "SECRET_KEY": "a-real-secret"}


def test_production_refuses_to_start_without_redis() -> None:
    result = run(PRINT_BACKENDS, **PRODUCTION)

    assert result.returncode == 1
    assert "ImproperlyConfigured: REDIS_URL must be set in production" in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"REDIS_URL": "redis://cache:6379/0"}, ["RedisCache", "redis://cache:6379/0", "False"]),
        (
            {"REDIS_URL": "redis://cache:6379/0", "CELERY_TASK_ALWAYS_EAGER": "true"},
            ["RedisCache", "redis://cache:6379/0", "True"],
        ),
        ({"COMPTOIR_ALLOW_NO_REDIS": "true"}, ["LocMemCache", "memory://", "False"]),
        (
            {"COMPTOIR_ALLOW_NO_REDIS": "true", "CELERY_TASK_ALWAYS_EAGER": "true"},
            ["LocMemCache", "memory://", "True"],
        ),
    ],
)
def test_production_never_runs_tasks_eagerly_unless_told(
    env: dict[str, str], expected: list[str]
) -> None:
    result = run(PRINT_BACKENDS, **PRODUCTION, **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected


def test_production_allow_no_redis_false_still_refuses() -> None:
    result = run(PRINT_BACKENDS, **PRODUCTION, COMPTOIR_ALLOW_NO_REDIS="false")

    assert result.returncode == 1
    assert "REDIS_URL must be set in production" in result.stderr
