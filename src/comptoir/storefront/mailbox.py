"""The development mailbox: the emails Django's file backend wrote under `var/mail/`.

Development settings send mail to files (`config/settings/dev.py`) so that a demo user can
read the order confirmation at `/_dev/mail/` (DEBUG only). Each `.log` file is one
connection's output: messages as bytes, each followed by a line of 79 dashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
SEPARATOR = b"\n" + b"-" * 79 + b"\n"
# Message ids are "<file stem>.<index in the file>"; file stems are the backend's
# "<YYYYmmdd-HHMMSS>-<number>" (anything else is refused before touching the disk).
_ID = re.compile(r"^(?P<stem>[A-Za-z0-9_-]{1,100})\.(?P<index>[0-9]{1,4})$")
MAX_LISTED = 200
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class MailSummary:
    id: str
    to: str
    subject: str
    sender: str
    date: datetime | None


@dataclass(frozen=True, slots=True)
class Mail:
    summary: MailSummary
    text: str
    html: str
    attachments: list[str]


def mail_dir() -> Path | None:
    """Where the default mailer writes files, or None when mail goes elsewhere."""
    mailer = getattr(settings, "MAILERS", {}).get("default", {})
    if mailer.get("BACKEND") != FILE_BACKEND:
        return None
    path = mailer.get("OPTIONS", {}).get("file_path")
    return Path(path) if path else None


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    files = [p for p in folder.glob("*.log") if p.is_file() and _ID.match(f"{p.stem}.0")]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def _messages(path: Path) -> list[EmailMessage]:
    if path.stat().st_size > MAX_FILE_BYTES:
        return []
    chunks = [c for c in path.read_bytes().split(SEPARATOR) if c.strip()]
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(chunk.rstrip(b"\n") + b"\n") for chunk in chunks]


def _date(message: EmailMessage) -> datetime | None:
    raw = message.get("Date")
    if not raw:
        return None
    try:
        return parsedate_to_datetime(str(raw))
    except (TypeError, ValueError):
        return None


def _summary(message: EmailMessage, message_id: str) -> MailSummary:
    return MailSummary(
        id=message_id,
        to=str(message.get("To", "")),
        subject=str(message.get("Subject", "")),
        sender=str(message.get("From", "")),
        date=_date(message),
    )


def mail_list(*, limit: int = MAX_LISTED) -> list[MailSummary]:
    """The newest messages first."""
    folder = mail_dir()
    if folder is None:
        return []
    found: list[MailSummary] = []
    for path in _files(folder):
        messages = _messages(path)
        for index in range(len(messages) - 1, -1, -1):
            found.append(_summary(messages[index], f"{path.stem}.{index}"))
            if len(found) >= limit:
                return found
    return found


def _part(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return ""
    content = part.get_content()
    return content if isinstance(content, str) else ""


def mail_get(message_id: str) -> Mail | None:
    """One message by its id from `mail_list`, or None."""
    folder = mail_dir()
    match = _ID.match(message_id)
    if folder is None or match is None:
        return None
    path = folder / f"{match['stem']}.log"
    if not path.is_file():
        return None
    messages = _messages(path)
    index = int(match["index"])
    if index >= len(messages):
        return None
    message = messages[index]
    attachments = [
        part.get_filename() or part.get_content_type() for part in message.iter_attachments()
    ]
    return Mail(
        summary=_summary(message, message_id),
        text=_part(message, "plain"),
        html=_part(message, "html"),
        attachments=attachments,
    )
