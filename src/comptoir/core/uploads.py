"""Reading uploaded files safely: a size limit checked before the bytes are read, and the
client's file name. Used by every service that stores an upload (product media, library
documents, quote attachments)."""

from __future__ import annotations

from typing import Any

from django.core.files.base import File
from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput


def too_large(max_bytes: int, *, code: str, field: str) -> InvalidInput:
    message = _("The file is larger than %(n)s MB.") % {"n": max_bytes >> 20}
    return InvalidInput(message, code=code, errors={field: [message]})


def read_upload(file: File[Any] | bytes, *, max_bytes: int, code: str, field: str) -> bytes:
    """The bytes of an upload, refusing anything larger than `max_bytes` before reading it,
    and an empty file."""
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        size = getattr(file, "size", None)
        if size is not None and size > max_bytes:
            raise too_large(max_bytes, code=code, field=field)
        file.seek(0)
        data = file.read(max_bytes + 1)
        if isinstance(data, str):
            data = data.encode()
    if len(data) > max_bytes:
        raise too_large(max_bytes, code=code, field=field)
    if not data:
        message = _("The file is empty.")
        raise InvalidInput(message, code=code, errors={field: [message]})
    return data


def upload_name(file: File[Any] | bytes, filename: str) -> str:
    """The client's file name: `filename` when given, else the uploaded file's own name."""
    if filename:
        return filename
    if isinstance(file, bytes | bytearray):
        return ""
    return str(getattr(file, "name", "") or "")
