"""Property-based tests of the quotes API (as the cart's, whose helpers this reuses):
Schemathesis generates valid and invalid requests for every quote route, buyer and staff,
and checks that none gets a server error and that every 4xx is a problem+json with a code.
Path parameters are often swapped for ones that exist (a requested and a sent quote, their
lines, an attachment), so requests reach the services."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from comptoir.accounts.services import api_token_create
from comptoir.accounts.tests.factories import StaffFactory
from comptoir.api import api
from comptoir.cart.tests.test_api_fuzz import (
    REAL_ID_RATE,
    _chooser,
    problem_json_for_client_errors,
    served,
)
from comptoir.quotes import services
from comptoir.quotes.tests.conftest import Shop, requested, sent

__all__ = ["served"]

schema = schemathesis.openapi.from_dict(api.get_openapi_schema()).include(
    path_regex=r"^/api/v1/(admin/)?quotes"
)
schema.app = get_wsgi_application()
schema.config.phases.coverage.enabled = False


@pytest.fixture
def world(db: None, shop: Shop) -> dict[str, Any]:
    staff_user = StaffFactory.create()
    staff, _token = api_token_create(user=staff_user)
    buyer, _token = api_token_create(user=shop.buyer)
    open_quote = requested(shop)
    sent_quote = sent(shop, staff_user)
    attachment = services.quote_attachment_add(
        quote=open_quote,
        user=shop.buyer,
        upload=SimpleUploadedFile("a.csv", b"sku;qty\n", content_type="text/csv"),
    )
    return {
        "tokens": {"staff": staff, "customer": buyer},
        "ids": {
            "number": [open_quote.number, sent_quote.number],
            "line_id": [line.pk for q in (open_quote, sent_quote) for line in q.lines.all()],
            "attachment_id": [attachment.pk],
        },
    }


@schema.parametrize()
@settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error(case: Any, served: dict[str, Any]) -> None:
    world = served
    pick = _chooser(case)
    for name in list(case.path_parameters or {}):
        if name in world["ids"] and pick.random() < REAL_ID_RATE:
            case.path_parameters[name] = pick.choice(world["ids"][name])
    caller: str | None = "staff" if "/admin/" in case.path else "customer"
    if pick.random() < 0.15:
        caller = None
    headers = {"Authorization": f"Bearer {world['tokens'][caller]}"} if caller else {}
    if case.headers and "Authorization" in case.headers:
        headers = {}
    if case.path.endswith("/accept") and pick.random() < 0.7:
        headers["Idempotency-Key"] = f"fuzz-{pick.random()}"
    case.call_and_validate(
        headers=headers, checks=[not_a_server_error, problem_json_for_client_errors]
    )
