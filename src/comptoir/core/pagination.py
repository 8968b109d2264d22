"""Page-number pagination: `?page=&page_size=` -> {count, next, previous, results}."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from comptoir.core.errors import InvalidInput

DEFAULT_PAGE_SIZE = 24


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @classmethod
    def parse(cls, page: int | None, page_size: int | None) -> PageRequest:
        page = 1 if page is None else page
        page_size = DEFAULT_PAGE_SIZE if page_size is None else page_size
        max_size = settings.COMPTOIR_API_MAX_PAGE_SIZE
        errors: dict[str, list[str]] = {}
        if page < 1:
            errors["page"] = ["Must be 1 or more."]
        if not 1 <= page_size <= max_size:
            errors["page_size"] = [f"Must be between 1 and {max_size}."]
        if errors:
            raise InvalidInput("Invalid pagination.", code="INVALID_PAGINATION", errors=errors)
        return cls(page=page, page_size=page_size)


def page_links(
    *, path: str, query: dict[str, Any], request: PageRequest, count: int
) -> tuple[str | None, str | None]:
    """Absolute-path links to the next and previous pages, keeping the other query parameters."""

    def link(page: int) -> str:
        params = {k: v for k, v in query.items() if v not in (None, "")}
        params.update(page=page, page_size=request.page_size)
        return f"{path}?{urlencode(params, doseq=True)}"

    nxt = link(request.page + 1) if request.offset + request.page_size < count else None
    prev = link(request.page - 1) if request.page > 1 else None
    return nxt, prev
