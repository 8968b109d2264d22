"""What the review and question services share: cleaning customer text, the author's shown
name, the posting rate limit, and the verified-purchase check."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput, Throttled
from comptoir.core.ratelimit import window_hit
from comptoir.core.validation import text_check
from comptoir.orders.models import OrderLine, OrderStatus
from comptoir.reviews.models import AUTHOR_MAX, ModerationStatus

# Orders whose goods the customer has: paid, (partly) shipped or delivered.
PURCHASED = (
    OrderStatus.PAID,
    OrderStatus.PARTIALLY_FULFILLED,
    OrderStatus.FULFILLED,
    OrderStatus.DELIVERED,
)
# Invisible characters that reorder or hide text (bidi overrides and isolates).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BLANK_LINES = re.compile(r"\n{3,}")


def text_clean(value: object, *, field: str, limit: int, multiline: bool) -> str:
    """Customer text as stored: a string without control characters (newlines kept in
    `multiline` text, at most one blank line in a row) nor bidi overrides, stripped, not
    empty, at most `limit` characters. INVALID_TEXT for text no column can hold (lone
    surrogates), TEXT_REQUIRED or TEXT_TOO_LONG naming `field` otherwise. HTML is not
    interpreted: the text is stored as typed and escaped wherever it is shown."""
    if not isinstance(value, str):
        raise InvalidInput(
            _("Enter a text."), code="TEXT_REQUIRED", errors={field: [_("Enter a text.")]}
        )
    text_check(**{field: value.replace("\x00", "")})
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for char in value:
        if char == "\n" and multiline:
            kept.append(char)
        elif char == "\t":
            kept.append(" ")
        elif unicodedata.category(char) not in {"Cc", "Cs"}:
            kept.append(char)
        elif char == "\n":
            kept.append(" ")
    text = _BIDI.sub("", "".join(kept))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", text).strip()
    if not multiline:
        text = " ".join(text.split())
    if not text:
        raise InvalidInput(
            _("This field is required."),
            code="TEXT_REQUIRED",
            errors={field: [_("This field is required.")]},
        )
    if len(text) > limit:
        message = _("Enter at most %(n)d characters.") % {"n": limit}
        raise InvalidInput(message, code="TEXT_TOO_LONG", errors={field: [message]})
    return text


def author_name(user: Any) -> str:
    """How a customer signs: first name and the initial of the last name ("Léa D."),
    never the email address; empty when the account has no name (shown as "A customer")."""
    first = " ".join(str(user.first_name or "").split())
    last = " ".join(str(user.last_name or "").split())
    name = f"{first} {last[0]}." if first and last else first
    return text_clean(name, field="name", limit=AUTHOR_MAX, multiline=False) if name else ""


def has_purchased(*, user_id: int, product_id: int) -> bool:
    """Whether the user has a paid, shipped or delivered order of a variant of the product."""
    return OrderLine.objects.filter(
        order__user_id=user_id, order__status__in=PURCHASED, variant__product_id=product_id
    ).exists()


def status_check(status: object) -> str:
    if status not in ModerationStatus.values:
        raise InvalidInput(
            _("Unknown moderation status."),
            code="INVALID_STATUS",
            errors={"status": [_("Choose pending, approved or rejected.")]},
        )
    return str(status)


# --- rate limits --------------------------------------------------------------------------


def rate_limit_hit(*, action: str, user_id: int, client_ip: str | None = None) -> None:
    """Count one post of `action` ("review", "question", "answer") by the user and, for
    the web forms, by the client address, in fixed windows kept in the Django cache (Redis
    in production: the counters are shared by every web process). Raises Throttled
    (RATE_LIMITED, with the seconds until the window ends) past the limits of
    settings.COMPTOIR_REVIEWS_RATE_LIMITS[action] = (per user, per address, window)."""
    per_user, per_ip, window = settings.COMPTOIR_REVIEWS_RATE_LIMITS[action]
    counted = [(f"user:{user_id}", per_user)]
    if client_ip:
        counted.append((f"ip:{client_ip}", per_ip))
    waits = [  # every counter counts the post, even when an earlier one is over
        window_hit(scope=f"reviews:{action}", who=who, limit=limit, window=window)
        for who, limit in counted
    ]
    over = [wait for wait in waits if wait is not None]
    if over:
        raise Throttled(
            _("You are posting too often. Please try again later."),
            code="RATE_LIMITED",
            retry_after=max(over),
        )
