"""Settings for `make demo` and local development: SQLite, in-process tasks, DEBUG on."""

from .base import *

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-change-me"
