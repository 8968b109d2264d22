"""Write the OpenAPI document to docs/api/openapi.json, or check that the committed one is current."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

OPENAPI_PATH = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.json"


def render_openapi() -> str:
    from comptoir.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Write docs/api/openapi.json from the API (or --check that it is up to date)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Fail if the committed file differs."
        )

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        document = render_openapi()
        if check:
            current = OPENAPI_PATH.read_text(encoding="utf-8") if OPENAPI_PATH.exists() else ""
            if current != document:
                raise CommandError(
                    f"{OPENAPI_PATH} is out of date: run `make messages` and commit the result."
                )
            self.stdout.write("OpenAPI document is up to date.")
            return
        OPENAPI_PATH.parent.mkdir(parents=True, exist_ok=True)
        OPENAPI_PATH.write_text(document, encoding="utf-8")
        self.stdout.write(f"Wrote {OPENAPI_PATH}")
