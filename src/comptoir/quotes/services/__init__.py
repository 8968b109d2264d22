"""Quote writes (docs/quotes.md). Import from here: `from comptoir.quotes import services`."""

from comptoir.quotes.services.attachments import quote_attachment_add
from comptoir.quotes.services.expiry import quote_reminders_send, quotes_expire
from comptoir.quotes.services.placement import quote_accept, quote_order_place
from comptoir.quotes.services.requests import (
    quote_comment_add,
    quote_decline,
    quote_renegotiate,
    quote_request,
    quote_request_from_cart,
    quote_submit,
    quote_withdraw,
)
from comptoir.quotes.services.staff import (
    quote_cancel,
    quote_line_add,
    quote_line_delete,
    quote_line_update,
    quote_send,
    quote_update,
)

__all__ = [
    "quote_accept",
    "quote_attachment_add",
    "quote_cancel",
    "quote_comment_add",
    "quote_decline",
    "quote_line_add",
    "quote_line_delete",
    "quote_line_update",
    "quote_order_place",
    "quote_reminders_send",
    "quote_renegotiate",
    "quote_request",
    "quote_request_from_cart",
    "quote_send",
    "quote_submit",
    "quote_update",
    "quote_withdraw",
    "quotes_expire",
]
