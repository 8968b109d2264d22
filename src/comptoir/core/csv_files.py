"""Pieces shared by the CSV imports (a price list's entries, stock levels): the uploaded
bytes (a request body, the `file` field of a multipart form, the admin's upload), their
decoding, the delimiter, the header; and the two refusals, INVALID_CSV (400) and
CSV_TOO_LARGE (413). Each import keeps its own columns, limits and row checks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput

# The request body of an API import, for its OpenAPI operation (`openapi_extra`): the CSV
# as the body, or as the `file` field of a multipart form (`request_csv` reads either).
OPENAPI_REQUEST_BODY: Final[dict[str, Any]] = {
    "requestBody": {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        }
    }
}


def invalid_csv(message: str, errors: dict[str, list[str]] | None = None) -> InvalidInput:
    return InvalidInput(message, code="INVALID_CSV", errors=errors or {"file": [message]})


def empty_file(columns: Sequence[str]) -> InvalidInput:
    """INVALID_CSV for a file without a header line (`columns`: the expected ones)."""
    return invalid_csv(
        _("The file is empty: it needs a header line (%(columns)s).")
        % {"columns": ",".join(columns)}
    )


def unreadable(line: int, exc: Exception) -> InvalidInput:
    """INVALID_CSV for a `csv.Error` at `line` of the file (an unclosed quote...)."""
    message = _("Unreadable CSV at line %(line)s: %(reason)s") % {
        "line": line,
        "reason": str(exc),
    }
    return invalid_csv(message, {f"line {line}": [message]})


def too_large_message(max_bytes: int) -> str:
    return _("The file is larger than %(n)s MB.") % {"n": max_bytes >> 20}


def too_large(message: str) -> InvalidInput:
    return InvalidInput(message, code="CSV_TOO_LARGE", status=413, errors={"file": [message]})


def upload_read(upload: UploadedFile, *, max_bytes: int) -> bytes:
    """The bytes of an uploaded file; CSV_TOO_LARGE before reading one over `max_bytes`."""
    if upload.size is not None and upload.size > max_bytes:
        raise too_large(too_large_message(max_bytes))
    return upload.read()


def request_csv(request: HttpRequest, *, max_bytes: int) -> bytes:
    """The CSV bytes of an API request: the `file` part of a multipart/form-data body
    (INVALID_CSV without one), or the whole body."""
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise invalid_csv(_("Send the CSV file in the form field “file”."))
        return upload_read(upload, max_bytes=max_bytes)
    return request.body


def decode(data: bytes | str, *, max_bytes: int) -> str:
    """The text of a CSV file: UTF-8 with or without BOM, at most `max_bytes`, no NUL, no
    character a database column cannot store (a lone surrogate in a str)."""
    if isinstance(data, str):
        if len(data.encode("utf-8", "surrogatepass")) > max_bytes:
            raise too_large(too_large_message(max_bytes))
        text = data.removeprefix("\ufeff")
    else:
        if len(data) > max_bytes:
            raise too_large(too_large_message(max_bytes))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise invalid_csv(
                _("The file is not UTF-8 text (line %(line)s). Save it as “CSV UTF-8”.")
                % {"line": line}
            ) from None
    if "\x00" in text:
        raise invalid_csv(_("The file contains NUL characters: it is not a CSV text file."))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid_csv(_("The file contains characters that cannot be stored.")) from None
    return text


def delimiter(text: str) -> str:
    """`;` when the header line has semicolons and no commas (Excel in French), else `,`."""
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if ";" in header_line and "," not in header_line else ","


def header(
    cells: list[str], *, columns: Sequence[str], required: Sequence[str], key: str
) -> dict[str, int]:
    """Column name -> index of a header row (names trimmed, case-insensitive). INVALID_CSV
    with every problem under `key` ("line 1", "row 1") for unknown, repeated or missing
    columns."""
    names = [cell.strip().lower() for cell in cells]
    problems: list[str] = []
    if unknown := [n for n in names if n and n not in columns]:
        problems.append(
            _("Unknown columns: %(names)s. Expected: %(columns)s.")
            % {"names": ", ".join(unknown)[:200], "columns": ",".join(columns)}
        )
    if repeated := sorted({n for n in names if n and names.count(n) > 1}):
        problems.append(_("Repeated columns: %(names)s.") % {"names": ", ".join(repeated)})
    if missing := [n for n in required if n not in names]:
        problems.append(_("Missing columns: %(names)s.") % {"names": ", ".join(missing)})
    if problems:
        raise invalid_csv(problems[0], {key: problems})
    return {name: i for i, name in enumerate(names) if name}
