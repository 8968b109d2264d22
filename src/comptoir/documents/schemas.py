"""Schemas of the document library API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class LibraryQuery(Schema):
    kind: str | None = Field(None, description="One of the document kinds.")
    product: int | None = Field(None, description="A product id: its documents only.")
    q: str | None = Field(None, description="Words of the title or description.")
    page: int | None = Field(None, description="1 or more.")
    page_size: int | None = Field(None, description="1 to 100, default 24.")


class LibraryDocumentOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    kind_label: str
    language: str
    size: int
    product_id: int | None
    product_name: str | None
    shared: bool = Field(description="True when shared with every business customer.")
    download_url: str
    created_at: datetime


class LibraryListOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[LibraryDocumentOut]


class LibraryDocumentIn(Schema):
    title: str
    kind: str = Field(examples=["technical_sheet"])
    description: str = ""
    language: str = "fr"
    company_id: int | None = Field(None, description="Empty: every business customer.")
    product_id: int | None = None
    external_ref: str | None = None


class LibraryDocumentPatch(Schema):
    title: str | None = None
    description: str | None = None
    kind: str | None = None
    language: str | None = None
    is_active: bool | None = None
    product_id: int | None = None
    metadata: dict[str, Any] | None = None


class LibraryDocumentAdminOut(LibraryDocumentOut):
    company_id: int | None
    is_active: bool
    external_ref: str | None
    metadata: dict[str, Any]


class LibraryAdminListOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[LibraryDocumentAdminOut]
