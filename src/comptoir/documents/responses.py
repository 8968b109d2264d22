"""The HTTP answer of a library document's file, shared by the API and the portal pages."""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

from django.http import FileResponse

from comptoir.documents.models import LibraryDocument


def document_file_response(document: LibraryDocument) -> FileResponse:
    """The document's file as an attachment, never kept by shared caches."""
    name = PurePath(str(document.file.name)).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
