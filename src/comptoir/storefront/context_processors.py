from typing import Any

from django.http import HttpRequest


def storefront(request: HttpRequest) -> dict[str, Any]:
    return {}
