"""Quick order: many lines added to a cart at once, from JSON (`POST
carts/{token}/lines/bulk`) or from a CSV file or pasted text (`POST
carts/{token}/lines/import`). Each line is added or rejected with its number and reason
(see docs/quick-order.md); the answer carries both and the whole cart. An optional
`Idempotency-Key` makes a retry replay the first answer instead of adding again."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, Final

from django.http import HttpRequest
from ninja import Router

from comptoir.cart import services
from comptoir.cart.api.public import LOCKED, NOT_FOUND, _cart, cart_answer
from comptoir.cart.models import Cart
from comptoir.cart.presenters import bulk_out
from comptoir.cart.schemas import BulkIn, BulkOut
from comptoir.cart.services import BulkResult
from comptoir.core import idempotency
from comptoir.core.csv_files import OPENAPI_REQUEST_BODY, request_csv

# Mounted before the public routes (see `cart.api`).
bulk_router = Router(tags=["cart"])

IDEMPOTENCY_HEADER: Final[dict[str, Any]] = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "A retry with the same key and body replays the first answer.",
}
REJECTIONS: Final = (
    "Rejected lines (`rejected`, with `line`, `value`, `code`, `message`): `UNKNOWN_SKU`, "
    "`NOT_FOR_SALE` (not published or not priced in the channel), `INVALID_QUANTITY` "
    "(not a whole number from 1 to 9999), `QUANTITY_RULE` (the buyer's minimum, increment "
    "or maximum, on the quantity the cart line would hold), `INSUFFICIENT_STOCK`, "
    "`CART_FULL`. Lines of the same SKU merge (quantities add up). The valid lines are "
    "added in one transaction"
)
WHOLE: Final = (
    "400 `TOO_MANY_LINES` (over 500 lines), `IDEMPOTENCY_KEY_INVALID`; 409 "
    f"`IDEMPOTENCY_KEY_REUSED`; {LOCKED}; {NOT_FOUND}"
)


def bulk_answered(
    request: HttpRequest,
    *,
    scope: str,
    fingerprint: dict[str, Any],
    run: Callable[[], tuple[Cart, BulkResult]],
) -> dict[str, Any]:
    """The answer of a bulk addition (`run()`: the cart and what was added or rejected):
    `{added, rejected, cart}`, once per `Idempotency-Key` when the request has one (a retry
    replays it). Shared with the requisition lists and reorder endpoints."""

    def work() -> dict[str, Any]:
        cart, result = run()
        return {**bulk_out(result), "cart": cart_answer(request, cart)}

    return idempotency.run_once(
        key=request.headers.get(idempotency.HEADER),
        scope=scope,
        fingerprint=fingerprint,
        work=work,
    )


@bulk_router.post(
    "carts/{token}/lines/bulk",
    response=BulkOut,
    summary="Add many SKUs to the cart (quick order)",
    description=f"{REJECTIONS}. Refused as a whole: {WHOLE}; 422 `VALIDATION_ERROR`.",
    openapi_extra={"parameters": [IDEMPOTENCY_HEADER]},
)
def add_lines_bulk(request: HttpRequest, token: str, body: BulkIn) -> dict[str, Any]:
    cart, user = _cart(request, token)
    lines = [
        services.BulkLine(line=number, sku=given.sku, quantity=given.quantity)
        for number, given in enumerate(body.lines, start=1)
    ]
    return bulk_answered(
        request,
        scope=f"cart-bulk:{cart.token}",
        fingerprint=body.model_dump(),
        run=lambda: (cart, services.lines_add_bulk(cart=cart, lines=lines, user=user)),
    )


@bulk_router.post(
    "carts/{token}/lines/import",
    response=BulkOut,
    summary="Add the lines of a CSV file to the cart (quick order)",
    description=(
        "The CSV as the body (`text/csv`) or as the `file` field of a multipart form. Header "
        "`sku,quantity`, `,` or `;`, UTF-8 with or without BOM; line numbers are the "
        "file's (header = 1). With `Content-Type: text/plain`, the body is pasted text: "
        "one `SKU quantity` per line (space, tab, comma or semicolon; a SKU alone is 1 "
        f"unit). {REJECTIONS}. Refused as a whole: 400 `INVALID_CSV` (not UTF-8, NUL "
        f"characters, bad header, unreadable CSV), 413 `CSV_TOO_LARGE` (over 1 MB); {WHOLE}."
    ),
    openapi_extra={
        **OPENAPI_REQUEST_BODY,
        "parameters": [IDEMPOTENCY_HEADER],
    },
)
def import_lines(request: HttpRequest, token: str) -> dict[str, Any]:
    cart, user = _cart(request, token)
    data = request_csv(request, max_bytes=services.MAX_IMPORT_BYTES)
    if request.content_type == "text/plain":
        lines = services.lines_from_text(data)
    else:
        lines = services.lines_from_csv(data)
    return bulk_answered(
        request,
        scope=f"cart-import:{cart.token}",
        fingerprint={"sha256": hashlib.sha256(data).hexdigest(), "type": request.content_type},
        run=lambda: (cart, services.lines_add_bulk(cart=cart, lines=lines, user=user)),
    )
