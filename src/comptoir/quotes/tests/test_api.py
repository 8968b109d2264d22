"""The quotes API: the buyer's routes and the staff's, access (another company's quote is a
404, a role without the permission a 403), bad input, the PDF, pinned query counts."""

from __future__ import annotations

import json
import re
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from comptoir.accounts.tests.factories import UserFactory
from comptoir.companies.services import role_builtin
from comptoir.companies.tests.factories import CompanyFactory, CompanyMemberFactory
from comptoir.core.testing import clerk_api, problem
from comptoir.orders.models import Order
from comptoir.quotes.models import Quote, QuoteAttachment, QuoteState
from comptoir.quotes.pdf import quote_html
from comptoir.quotes.tests.conftest import ADDRESS, Caller, Shop, requested, sent

pytestmark = pytest.mark.django_db

S = QuoteState
BUYER_WRITES = ("submit", "accept", "decline", "renegotiate", "comments", "cancel")


@pytest.fixture
def buyer(client: Client, shop: Shop) -> Caller:
    return Caller(client, shop.buyer)


@pytest.fixture
def stranger(shop: Shop) -> Caller:
    """A buyer of the Belgian company."""
    return Caller(Client(), shop.belge_buyer)


@pytest.fixture
def staff_api(client: Client) -> Any:
    return clerk_api(client, "view_quote", "change_quote")


def _give_role(user: Any, code: str) -> None:
    member = user.company_membership
    member.role = role_builtin(company=member.company, code=code)
    member.save(update_fields=["role"])


def _accept(caller: Caller, number: str, key: str | None = "k1", **body: Any) -> Any:
    headers = {**caller.headers, **({"Idempotency-Key": key} if key else {})}
    return caller.client.post(
        f"/api/v1/quotes/{number}/accept",
        data=json.dumps({"payment_method": "on_account", **body}),
        content_type="application/json",
        headers=headers,
    )


# --- the buyer --------------------------------------------------------------------------------


def test_request_submit_and_read(buyer: Caller) -> None:
    response = buyer.post(
        "quotes",
        {
            "lines": [{"sku": "DRILL", "quantity": 10, "target_unit_price": "12.00"}],
            "comment": "Pour le chantier de Lyon",
            "shipping_address": ADDRESS,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["channel"], body["total_net"], body["total_gross"]) == (
        "draft",
        "comptoir-pro",
        "140.00",
        "168.00",
    )
    assert body["lines"][0]["target_unit_net"] == "12.00"
    assert body["lines"][0]["list_rule"] == "tier:10"
    assert [c["body"] for c in body["comments"]] == ["Pour le chantier de Lyon"]
    number = body["number"]
    response = buyer.post(f"quotes/{number}/submit")
    assert response.json()["state"] == "requested"
    assert buyer.get(f"quotes/{number}").json()["state"] == "requested"
    problem(buyer.post(f"quotes/{number}/submit"), 409, "INVALID_QUOTE_TRANSITION")


def test_request_from_the_cart(buyer: Caller, shop: Shop) -> None:
    cart = buyer.post("carts", {"channel": "comptoir-pro"}).json()
    buyer.post(f"carts/{cart['token']}/lines", {"sku": "DRILL", "quantity": 4})
    response = buyer.post("quotes", {"cart": cart["token"]})
    assert response.status_code == 201, response.content
    assert [(x["sku"], x["quantity"]) for x in response.json()["lines"]] == [("DRILL", 4)]
    problem(buyer.post("quotes", {"cart": "x" * 43}), 400, "CART_NOT_FOUND")
    other = Caller(Client(), shop.belge_buyer).post("carts", {"channel": "comptoir-pro"}).json()
    problem(buyer.post("quotes", {"cart": other["token"]}), 400, "CART_NOT_FOUND")


def test_bad_requests_create_nothing(buyer: Caller) -> None:
    body = problem(
        buyer.post(
            "quotes",
            {"lines": [{"sku": "NOPE", "quantity": 1}, {"sku": "DRILL-XL", "quantity": 4}]},
        ),
        400,
        "QUOTE_LINES_INVALID",
    )
    assert sorted(body["errors"]) == ["lines.0.sku", "lines.1.quantity"]
    problem(buyer.post("quotes", {"lines": []}), 400, "QUOTE_LINES_INVALID")
    problem(buyer.post("quotes", {}), 400, "QUOTE_LINES_INVALID")
    problem(buyer.post("quotes", {"lines": [{"sku": "DRILL"}]}), 422, "VALIDATION_ERROR")
    problem(buyer.post("quotes", {"colour": "red"}), 422, "VALIDATION_ERROR")
    problem(buyer.post("quotes", "{not json"), 400, "BAD_REQUEST")
    problem(
        buyer.post("quotes", {"lines": [{"sku": "DRILL", "quantity": 1}], "comment": "x" * 4001}),
        400,
        "INVALID_COMMENT",
    )
    problem(
        buyer.post(
            "quotes",
            {"lines": [{"sku": "DRILL", "quantity": 1}], "shipping_address": {"city": "Paris"}},
        ),
        400,
        "ADDRESS_INVALID",
    )
    problem(
        buyer.post("quotes", {"lines": [{"sku": "DRILL", "quantity": 1}], "channel": "nope"}),
        400,
        "CHANNEL_NOT_FOUND",
    )
    assert Quote.objects.count() == 0


def test_anonymous_and_non_members(client: Client, shop: Shop) -> None:
    anonymous = Caller(client)
    problem(anonymous.get("quotes"), 401, "UNAUTHORIZED")
    problem(anonymous.post("quotes", {"lines": []}), 401, "UNAUTHORIZED")
    alone = Caller(Client(), UserFactory.create())
    assert alone.get("quotes").json()["count"] == 0
    problem(
        alone.post("quotes", {"lines": [{"sku": "DRILL", "quantity": 1}]}),
        404,
        "NOT_A_COMPANY_MEMBER",
    )


def test_another_companys_quote_is_a_404_everywhere(
    shop: Shop, clerk: Any, stranger: Caller
) -> None:
    quote = sent(shop, clerk)
    number = quote.number
    problem(stranger.get(f"quotes/{number}"), 404, "QUOTE_NOT_FOUND")
    problem(stranger.get(f"quotes/{number}.pdf"), 404, "QUOTE_NOT_FOUND")
    for action in BUYER_WRITES:
        if action == "accept":
            response = _accept(stranger, number)
        else:
            response = stranger.post(
                f"quotes/{number}/{action}",
                {"comment": "x"} if action != "comments" else {"body": "x"},
            )
        problem(response, 404, "QUOTE_NOT_FOUND")
    upload = stranger.client.post(
        f"/api/v1/quotes/{number}/attachments",
        {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", content_type="application/pdf")},
        headers=stranger.headers,
    )
    problem(upload, 404, "QUOTE_NOT_FOUND")
    assert stranger.get("quotes").json()["count"] == 0
    problem(stranger.get("quotes/Q-999999"), 404, "QUOTE_NOT_FOUND")
    problem(stranger.get("quotes/not-a-number"), 404, "QUOTE_NOT_FOUND")
    quote.refresh_from_db()
    assert (quote.state, quote.comments.count()) == (S.SENT, 0)


def test_own_quotes_only_without_view_all(
    shop: Shop, buyer: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    colleague = UserFactory.create()
    CompanyMemberFactory.create(company=shop.martin, user=colleague)
    mine = requested(shop)
    theirs = requested(shop, buyer=colleague)
    assert [r["number"] for r in buyer.get("quotes").json()["results"]] == [
        theirs.number,
        mine.number,
    ]
    _give_role(shop.buyer, "buyer")  # quotes.manage without quotes.view_all
    assert [r["number"] for r in buyer.get("quotes").json()["results"]] == [mine.number]
    problem(buyer.get(f"quotes/{theirs.number}"), 404, "QUOTE_NOT_FOUND")


def test_a_role_without_quotes_manage_gets_a_403(
    shop: Shop, clerk: Any, buyer: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    quote = sent(shop, clerk)
    _give_role(shop.buyer, "viewer")  # quotes.view_all without quotes.manage
    assert buyer.get(f"quotes/{quote.number}").status_code == 200
    problem(
        buyer.post("quotes", {"lines": [{"sku": "DRILL", "quantity": 1}]}),
        403,
        "COMPANY_PERMISSION_DENIED",
    )
    problem(_accept(buyer, quote.number), 403, "COMPANY_PERMISSION_DENIED")
    problem(buyer.post(f"quotes/{quote.number}/decline", {}), 403, "COMPANY_PERMISSION_DENIED")
    quote.refresh_from_db()
    assert quote.state == S.SENT


def test_accept_through_the_api(shop: Shop, clerk: Any, buyer: Caller) -> None:
    quote = sent(shop, clerk)
    problem(_accept(buyer, quote.number, key=None), 400, "IDEMPOTENCY_KEY_REQUIRED")
    problem(_accept(buyer, quote.number, payment_method="stripe"), 400, "INVALID_INPUT")
    first = _accept(buyer, quote.number, po_number="PO-1")
    assert first.status_code == 201, first.content
    order = Order.objects.get()
    assert first.json()["order"]["number"] == order.number
    replay = _accept(buyer, quote.number, po_number="PO-1")
    assert (replay.status_code, replay.json()) == (201, first.json())
    problem(_accept(buyer, quote.number, key="k2"), 409, "INVALID_QUOTE_TRANSITION")
    body = buyer.get(f"quotes/{quote.number}").json()
    assert (body["state"], body["order"]) == ("ordered", order.number)
    assert Order.objects.count() == 1


def test_expired_quote_through_the_api(shop: Shop, clerk: Any, buyer: Caller) -> None:
    from comptoir.quotes.tests.conftest import expire

    quote = sent(shop, clerk)
    expire(quote)
    problem(_accept(buyer, quote.number), 409, "QUOTE_EXPIRED")
    assert buyer.get(f"quotes/{quote.number}").json()["state"] == "sent"


def test_the_buyer_withdraws_a_request(shop: Shop, clerk: Any, buyer: Caller) -> None:
    quote = requested(shop)
    body = buyer.post(f"quotes/{quote.number}/cancel", {"comment": "Plus besoin"}).json()
    assert body["state"] == "cancelled"
    assert [c["body"] for c in body["comments"]] == ["Plus besoin"]
    problem(buyer.post(f"quotes/{quote.number}/cancel", {}), 409, "INVALID_QUOTE_TRANSITION")
    ordered = sent(shop, clerk)
    assert _accept(buyer, ordered.number).status_code == 201
    problem(buyer.post(f"quotes/{ordered.number}/cancel", {}), 409, "INVALID_QUOTE_TRANSITION")


def test_decline_renegotiate_and_comment(shop: Shop, clerk: Any, buyer: Caller) -> None:
    quote = sent(shop, clerk)
    problem(buyer.post(f"quotes/{quote.number}/renegotiate", {}), 400, "COMMENT_REQUIRED")
    response = buyer.post(f"quotes/{quote.number}/renegotiate", {"comment": "13 € ?"})
    assert response.json()["state"] == "renegotiation_requested"
    problem(buyer.post(f"quotes/{quote.number}/decline", {}), 409, "INVALID_QUOTE_TRANSITION")
    problem(buyer.post(f"quotes/{quote.number}/comments", {"body": ""}), 400, "COMMENT_REQUIRED")
    problem(buyer.post(f"quotes/{quote.number}/comments", {"body": 3}), 400, "INVALID_COMMENT")
    response = buyer.post(f"quotes/{quote.number}/comments", {"body": "Merci"})
    assert response.status_code == 201
    assert [c["body"] for c in buyer.get(f"quotes/{quote.number}").json()["comments"]] == [
        "13 € ?",
        "Merci",
    ]


ATTACHMENTS = [
    ("spec.pdf", b"%PDF-1.7 ok", "application/pdf", None),
    ("plan.png", b"\x89PNG\r\n\x1a\n....", "image/png", None),
    ("photo.jpg", b"\xff\xd8\xff\xe0....", "image/jpeg", None),
    ("lines.csv", b"sku;qty\nDRILL;4\n", "text/csv", None),
    (
        "bom.xlsx",
        b"PK\x03\x04....",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        None,
    ),
    ("virus.exe", b"MZ....", "application/octet-stream", "ATTACHMENT_TYPE"),
    ("fake.pdf", b"MZ....", "application/pdf", "ATTACHMENT_TYPE"),
    ("fake.png", b"%PDF-", "application/pdf", "ATTACHMENT_TYPE"),
    ("bin.csv", b"a\x00b", "text/csv", "ATTACHMENT_TYPE"),
    ("empty.pdf", b"", "application/pdf", "ATTACHMENT_INVALID"),
]


@pytest.mark.parametrize("case", ATTACHMENTS, ids=[case[0] for case in ATTACHMENTS])
def test_attachments(shop: Shop, buyer: Caller, case: tuple[str, bytes, str, str | None]) -> None:
    name, content, content_type, code = case
    quote = requested(shop)
    response = buyer.client.post(
        f"/api/v1/quotes/{quote.number}/attachments",
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        headers=buyer.headers,
    )
    if code is None:
        assert response.status_code == 201, response.content
        assert (response.json()["name"], response.json()["size"]) == (name, len(content))
        stored = QuoteAttachment.objects.get()
        assert str(stored.file.name).startswith("quotes/")
        assert stored.file.read() == content
    else:
        problem(response, 400, code)
        assert QuoteAttachment.objects.count() == 0


def test_attachments_are_downloaded_by_members_and_staff(
    shop: Shop, buyer: Caller, stranger: Caller, staff_api: Any
) -> None:
    quote = requested(shop)
    created = buyer.client.post(
        f"/api/v1/quotes/{quote.number}/attachments",
        {"file": SimpleUploadedFile("plan.pdf", b"%PDF-1.7 plan", content_type="application/pdf")},
        headers=buyer.headers,
    ).json()
    path = f"quotes/{quote.number}/attachments/{created['id']}"
    for response in (buyer.get(path), staff_api.get(path)):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
        assert b"".join(response.streaming_content) == b"%PDF-1.7 plan"
    problem(stranger.get(path), 404, "QUOTE_NOT_FOUND")
    other = requested(shop)
    problem(
        buyer.get(f"quotes/{other.number}/attachments/{created['id']}"), 404, "ATTACHMENT_NOT_FOUND"
    )
    problem(staff_api.get(f"quotes/{quote.number}/attachments/999999"), 404, "ATTACHMENT_NOT_FOUND")


def test_an_attachment_over_the_limit(shop: Shop, buyer: Caller, settings: Any) -> None:
    settings.COMPTOIR_QUOTE_ATTACHMENT_MAX_BYTES = 1024
    quote = requested(shop)
    response = buyer.client.post(
        f"/api/v1/quotes/{quote.number}/attachments",
        {
            "file": SimpleUploadedFile(
                "big.pdf", b"%PDF-" + b"x" * 1024, content_type="application/pdf"
            )
        },
        headers=buyer.headers,
    )
    problem(response, 400, "ATTACHMENT_TOO_LARGE")
    missing = buyer.client.post(
        f"/api/v1/quotes/{quote.number}/attachments", {}, headers=buyer.headers
    )
    problem(missing, 422, "VALIDATION_ERROR")
    assert QuoteAttachment.objects.count() == 0


def _pdf_language(pdf: bytes) -> bytes:
    """The /Lang of a PDF's catalog (weasyprint writes it from <html lang>), found in its
    compressed object streams."""
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, flags=re.DOTALL):
        try:
            text = zlib.decompress(stream)
        except zlib.error:
            continue
        found = re.search(rb"/Lang \((\w+)\)", text)
        if found:
            return found.group(1)
    found = re.search(rb"/Lang \((\w+)\)", pdf)
    return found.group(1) if found else b""


def test_the_pdf_in_french_and_english(shop: Shop, clerk: Any, buyer: Caller) -> None:
    quote = sent(shop, clerk, shipping_method="messagerie", shipping_price="15.00")
    for language in ("en", "fr"):
        response = buyer.client.get(
            f"/api/v1/quotes/{quote.number}.pdf",
            headers={**buyer.headers, "Accept-Language": language},
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'inline; filename="{quote.number}.pdf"'
        assert response.content.startswith(b"%PDF-")
        assert _pdf_language(response.content) == language.encode()
    english = quote_html(quote=quote, language="en")
    french = quote_html(quote=quote, language="fr")
    assert "Unit price excl. tax" in english
    assert "€14.00" in english
    assert "€186.00" in english
    assert "Prix unitaire HT" in french
    assert "14,00\u00a0€" in french
    assert "186,00\u00a0€" in french


def test_the_list_costs_a_constant_number_of_queries(
    shop: Shop, buyer: Caller, django_assert_num_queries: Any
) -> None:
    for _ in range(3):
        requested(shop, ("DRILL", 10), ("DRILL-XL", 6))
    # token (read, last use), the membership (the scope and quotes.view_all at once), count,
    # the page with its line counts
    with django_assert_num_queries(5):
        body = buyer.get("quotes").json()
    assert body["count"] == 3
    assert [r["line_count"] for r in body["results"]] == [2, 2, 2]


# --- staff ------------------------------------------------------------------------------------


def test_staff_negotiate_and_send(shop: Shop, staff_api: Any, buyer: Caller) -> None:
    quote = requested(shop)
    listed = staff_api.get("quotes", {"state": "requested"}).json()
    assert [r["number"] for r in listed["results"]] == [quote.number]
    line_id = quote.lines.get().pk
    response = staff_api.patch(f"quotes/{quote.number}/lines/{line_id}", {"unit_price": "12.00"})
    assert response.status_code == 200, response.content
    response = staff_api.post(f"quotes/{quote.number}/lines", {"sku": "DRILL-XL", "quantity": 6})
    assert response.status_code == 201, response.content
    xl = next(x for x in response.json()["lines"] if x["sku"] == "DRILL-XL")
    staff_api.delete(f"quotes/{quote.number}/lines/{xl['id']}")
    response = staff_api.patch(
        f"quotes/{quote.number}",
        {"discount_percent": "5", "shipping_method": "messagerie", "shipping_price": "10.00"},
    )
    assert response.status_code == 200, response.content
    body = staff_api.post(f"quotes/{quote.number}/send", {"comment": "Offre spéciale"}).json()
    assert (body["state"], body["version"], body["total_net"]) == ("sent", 1, "124.00")
    assert [e["kind"] for e in body["events"]] == [
        "created",
        "submitted",
        "line_changed",
        "line_added",
        "line_removed",
        "updated",
        "sent",
    ]
    assert body["revisions"][0]["snapshot"]["total_net"] == "124.00"
    seen = buyer.get(f"quotes/{quote.number}").json()
    assert (seen["state"], seen["total_net"], seen["revisions"][0]["comment"]) == (
        "sent",
        "124.00",
        "Offre spéciale",
    )
    assert "events" not in seen
    problem(
        staff_api.patch(f"quotes/{quote.number}", {"discount_percent": "1"}),
        409,
        "INVALID_QUOTE_TRANSITION",
    )


def test_staff_bad_input(shop: Shop, staff_api: Any) -> None:
    quote = requested(shop)
    line_id = quote.lines.get().pk
    n = quote.number
    problem(
        staff_api.patch(f"quotes/{n}/lines/{line_id}", {"quantity": 0}), 400, "INVALID_QUANTITY"
    )
    problem(
        staff_api.patch(f"quotes/{n}/lines/{line_id}", {"unit_price": "-3"}), 400, "INVALID_PRICE"
    )
    problem(
        staff_api.patch(f"quotes/{n}/lines/{line_id}", {"quantity": None}), 400, "INVALID_INPUT"
    )
    problem(
        staff_api.patch(f"quotes/{n}/lines/999999", {"quantity": 2}), 404, "QUOTE_LINE_NOT_FOUND"
    )
    problem(staff_api.delete(f"quotes/{n}/lines/{line_id}"), 409, "QUOTE_NEEDS_A_LINE")
    problem(
        staff_api.post(f"quotes/{n}/lines", {"sku": "NOPE", "quantity": 1}),
        400,
        "QUOTE_LINES_INVALID",
    )
    problem(staff_api.patch(f"quotes/{n}", {"discount_percent": "200"}), 400, "INVALID_DISCOUNT")
    problem(
        staff_api.patch(f"quotes/{n}", {"expires_at": "2001-01-01T00:00:00Z"}),
        400,
        "INVALID_EXPIRY",
    )
    problem(
        staff_api.patch(f"quotes/{n}", {"shipping_method": "colissimo"}),
        400,
        "SHIPPING_METHOD_UNAVAILABLE",
    )
    problem(staff_api.get("quotes", {"state": "nope"}), 400, "INVALID_FILTER")
    problem(staff_api.get("quotes", {"colour": "red"}), 400, "UNKNOWN_PARAMETER")
    problem(staff_api.get("quotes/Q-999999"), 404, "QUOTE_NOT_FOUND")
    problem(staff_api.post("quotes/Q-999999/send", {}), 404, "QUOTE_NOT_FOUND")
    quote.refresh_from_db()
    assert (quote.state, quote.total_net) == (S.REQUESTED, quote.total_net)
    assert quote.events.count() == 2


def test_staff_permissions(client: Client, shop: Shop) -> None:
    quote = requested(shop)
    reader = clerk_api(Client(), "view_quote")
    assert reader.get(f"quotes/{quote.number}").status_code == 200
    problem(reader.post(f"quotes/{quote.number}/send", {}), 403, "PERMISSION_DENIED")
    problem(reader.post(f"quotes/{quote.number}/cancel", {}), 403, "PERMISSION_DENIED")
    nobody = clerk_api(Client())
    problem(nobody.get("quotes"), 403, "PERMISSION_DENIED")
    buyer_as_staff = Caller(Client(), shop.buyer)
    problem(
        buyer_as_staff.client.get("/api/v1/admin/quotes", headers=buyer_as_staff.headers),
        403,
        "PERMISSION_DENIED",
    )
    quote.refresh_from_db()
    assert quote.state == S.REQUESTED


def test_staff_cancel_and_comment(shop: Shop, staff_api: Any, buyer: Caller) -> None:
    quote = requested(shop)
    response = staff_api.post(f"quotes/{quote.number}/comments", {"body": "On regarde"})
    assert response.status_code == 201
    body = staff_api.post(f"quotes/{quote.number}/cancel", {"comment": "Produit arrêté"}).json()
    assert body["state"] == "cancelled"
    problem(staff_api.post(f"quotes/{quote.number}/cancel", {}), 409, "INVALID_QUOTE_TRANSITION")
    comments = buyer.get(f"quotes/{quote.number}").json()["comments"]
    assert [(c["by_staff"], c["body"]) for c in comments] == [
        (True, "On regarde"),
        (True, "Produit arrêté"),
    ]


def test_staff_list_query_count(shop: Shop, staff_api: Any, django_assert_num_queries: Any) -> None:
    other = CompanyFactory.create()
    for _ in range(3):
        requested(shop)
    del other
    # token (read, last use), user and group permissions, count, page
    with django_assert_num_queries(6):
        body = staff_api.get("quotes").json()
    assert body["count"] == 3
