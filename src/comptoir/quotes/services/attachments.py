"""Files attached to a quote (a specification, a drawing, a bill of quantities): PDF, PNG,
JPEG, CSV or XLSX, at most COMPTOIR_QUOTE_ATTACHMENT_MAX_BYTES (10 MB), stored under
MEDIA_ROOT/quotes/. The type is checked by the name's extension, the declared content
type and the file's first bytes: a renamed executable is refused."""

from __future__ import annotations

import os
from typing import Any, Final

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.validation import text_check
from comptoir.quotes.models import Quote, QuoteAttachment
from comptoir.quotes.services._common import event, quote_locked
from comptoir.quotes.transitions import OPEN

MAX_ATTACHMENTS: Final = 20
# extension -> (accepted content types, a check of the first bytes)
KINDS: Final[dict[str, tuple[frozenset[str], bytes | None]]] = {
    ".pdf": (frozenset({"application/pdf"}), b"%PDF-"),
    ".png": (frozenset({"image/png"}), b"\x89PNG\r\n\x1a\n"),
    ".jpg": (frozenset({"image/jpeg", "image/jpg"}), b"\xff\xd8\xff"),
    ".jpeg": (frozenset({"image/jpeg", "image/jpg"}), b"\xff\xd8\xff"),
    ".csv": (frozenset({"text/csv", "text/plain", "application/vnd.ms-excel"}), None),
    ".xlsx": (
        frozenset(
            {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/octet-stream",
                "application/zip",
            }
        ),
        b"PK\x03\x04",
    ),
}


def max_bytes() -> int:
    return int(getattr(settings, "COMPTOIR_QUOTE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def _refuse(message: str, code: str = "ATTACHMENT_INVALID") -> InvalidInput:
    return InvalidInput(message, code=code, errors={"file": [message]})


def _checked(upload: UploadedFile) -> tuple[str, str]:
    """(name, content type) of an acceptable upload; ATTACHMENT_TOO_LARGE or
    ATTACHMENT_TYPE (400) otherwise."""
    name = os.path.basename(str(upload.name or "")).strip()[:200]
    text_check(file=name)
    if not name:
        raise _refuse(_("The file has no name."))
    size = upload.size or 0
    if size <= 0:
        raise _refuse(_("The file is empty."))
    if size > max_bytes():
        raise _refuse(
            _("A file is at most %(mb)d MB.") % {"mb": max_bytes() // (1024 * 1024)},
            "ATTACHMENT_TOO_LARGE",
        )
    extension = os.path.splitext(name)[1].lower()
    kind = KINDS.get(extension)
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    message = _("Attach a PDF, PNG, JPEG, CSV or XLSX file.")
    if kind is None or content_type not in kind[0]:
        raise _refuse(message, "ATTACHMENT_TYPE")
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    magic = kind[1]
    if magic is not None and not head.startswith(magic):
        raise _refuse(message, "ATTACHMENT_TYPE")
    if magic is None and b"\x00" in head:  # a CSV is text
        raise _refuse(message, "ATTACHMENT_TYPE")
    return name, content_type


@transaction.atomic
def quote_attachment_add(*, quote: Quote, user: Any, upload: UploadedFile) -> QuoteAttachment:
    """Attach `upload` to an open quote (409 QUOTE_CLOSED otherwise; 409
    TOO_MANY_ATTACHMENTS past MAX_ATTACHMENTS)."""
    name, content_type = _checked(upload)
    locked = quote_locked(quote_id=quote.pk)
    if locked.state not in OPEN:
        raise Conflict(_("This quote is closed."), code="QUOTE_CLOSED")
    if locked.attachments.count() >= MAX_ATTACHMENTS:
        raise Conflict(
            _("A quote has at most %(n)d files.") % {"n": MAX_ATTACHMENTS},
            code="TOO_MANY_ATTACHMENTS",
        )
    attachment = QuoteAttachment(
        quote=locked, author=user, name=name, content_type=content_type, size=upload.size or 0
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    event(locked, actor=user, kind="attached", name=name, size=attachment.size)
    return attachment
