"""HTTP answers shared by the quotes API and the storefront's quote pages."""

from __future__ import annotations

from django.http import FileResponse

from comptoir.quotes.models import QuoteAttachment


def attachment_response(attachment: QuoteAttachment) -> FileResponse:
    """The attached file as a download, in its checked type, never kept by shared caches."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
