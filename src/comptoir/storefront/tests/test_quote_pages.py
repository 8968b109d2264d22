"""The buyer's quote pages without JavaScript (docs/quotes.md "Pages"): the list, a request
by SKU lines and from the cart, a quote's page and its moves (submit, accept into exactly
one order, decline, renegotiate, withdraw, comment, files, PDF). Members of the company
only: consumers and other companies' members get a 404, visitors the sign-in page."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from comptoir.accounts.tests.factories import UserFactory
from comptoir.companies.services import role_builtin
from comptoir.companies.tests.factories import CompanyMemberFactory
from comptoir.orders.models import Order
from comptoir.quotes.models import Quote, QuoteComment, QuoteState
from comptoir.quotes.tests import conftest as quotes_conftest
from comptoir.quotes.tests.conftest import Shop, expire, requested, sent

pytestmark = pytest.mark.django_db

S = QuoteState
world = quotes_conftest.shop  # the quotes tests' priced world, under another name here
clerk = quotes_conftest.clerk


def key(html: str) -> str:
    found = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html)
    assert found, html
    return found.group(1)


def give_role(user: Any, code: str) -> None:
    member = user.company_membership
    member.role = role_builtin(company=member.company, code=code)
    member.save(update_fields=["role"])


@pytest.fixture
def buyer(client: Client, world: Shop) -> Client:
    client.force_login(world.buyer)
    return client


def state(quote: Quote) -> str:
    quote.refresh_from_db()
    return quote.state


# --- who sees what ---------------------------------------------------------------------------


def test_the_list_shows_the_quotes_with_state_and_total(
    buyer: Client, world: Shop, clerk: Any
) -> None:
    quote = sent(world, clerk, ("DRILL", 10), discount_percent="10")
    draft = requested(world, ("DRILL-XL", 6))
    response = buyer.get("/account/quotes/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store")
    html = response.content.decode()
    rows = re.findall(r'<a href="/account/quotes/(Q-\d+)/">', html)
    assert rows == [draft.number, quote.number]
    assert '<span class="status status--sent">Envoyé</span>' in html
    assert f"{quote.total_net}".replace(".", ",") in html
    # The account menu leads there, marked as the current page.
    assert 'href="/account/quotes/" aria-current="page"' in html
    assert 'href="/account/quotes/new/"' in html


def test_the_list_is_the_member_s_own_without_view_all(buyer: Client, world: Shop) -> None:
    colleague = UserFactory.create()
    CompanyMemberFactory.create(company=world.martin, user=colleague)
    mine = requested(world)
    theirs = requested(world, buyer=colleague)
    html = buyer.get("/account/quotes/").content.decode()
    assert re.findall(r'<a href="/account/quotes/(Q-\d+)/">', html) == [
        theirs.number,
        mine.number,
    ]
    give_role(world.buyer, "buyer")  # quotes.manage without quotes.view_all
    html = buyer.get("/account/quotes/").content.decode()
    assert re.findall(r'<a href="/account/quotes/(Q-\d+)/">', html) == [mine.number]
    assert buyer.get(f"/account/quotes/{theirs.number}/").status_code == 404


def test_consumers_and_other_companies_get_a_404(client: Client, world: Shop, clerk: Any) -> None:
    quote = sent(world, clerk)
    client.force_login(world.belge_buyer)
    assert client.get("/account/quotes/").status_code == 200  # their own (empty) list
    for path in (
        f"/account/quotes/{quote.number}/",
        f"/account/quotes/{quote.number}/pdf",
        "/account/quotes/Q-999999/",
        "/account/quotes/nope/",
    ):
        assert client.get(path).status_code == 404, path
    response = client.post(
        f"/account/quotes/{quote.number}/accept",
        {"payment_method": "on_account", "idempotency_key": "a" * 32},
    )
    assert response.status_code == 404
    assert client.post(f"/account/quotes/{quote.number}/decline").status_code == 404
    client.force_login(world.shopper)  # a consumer
    for path in ("/account/quotes/", "/account/quotes/new/", f"/account/quotes/{quote.number}/"):
        assert client.get(path).status_code == 404, path
    html = client.get("/account/").content.decode()
    assert 'href="/account/quotes/"' not in html
    assert state(quote) == S.SENT
    assert Order.objects.count() == 0


def test_visitors_are_sent_to_sign_in(client: Client, world: Shop) -> None:
    quote = requested(world)
    for path in ("/account/quotes/", f"/account/quotes/{quote.number}/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert client.post(f"/account/quotes/{quote.number}/cancel").status_code == 302
    assert state(quote) == S.REQUESTED


def test_the_list_costs_a_constant_number_of_queries(
    buyer: Client, world: Shop, django_assert_num_queries: Any
) -> None:
    requested(world)
    buyer.get("/account/quotes/")  # warm the process caches (channels, navigation)
    for _ in range(3):
        requested(world, ("DRILL", 10), ("DRILL-XL", 6))
    # session, user, membership (404 check and quotes.manage), the selector's membership
    # (the company and quotes.view_all at once), count, the page with its line counts, and
    # the navigation's permissions check (its B2B links)
    with django_assert_num_queries(7):
        response = buyer.get("/account/quotes/")
    assert len(re.findall(r'<a href="/account/quotes/(Q-\d+)/">', response.content.decode())) == 4


def test_the_list_pages_through_the_quotes(
    buyer: Client, world: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("comptoir.storefront.views_quotes.LIST_SIZE", 2)
    numbers = [requested(world).number for _ in range(3)]

    first = buyer.get("/account/quotes/").content.decode()
    second = buyer.get("/account/quotes/", {"page": "2"}).content.decode()

    assert re.findall(r'<a href="/account/quotes/(Q-\d+)/">', first) == numbers[:0:-1]
    assert re.findall(r'<a href="/account/quotes/(Q-\d+)/">', second) == numbers[:1]
    assert 'href="?page=2"' in first
    assert 'href="?page=1"' in second
    for bad in ("3", "0", "-1", "x", "1.5"):
        assert buyer.get("/account/quotes/", {"page": bad}).status_code == 404


# --- requesting ------------------------------------------------------------------------------


def test_request_from_lines_makes_a_draft(buyer: Client, world: Shop) -> None:
    response = buyer.get("/account/quotes/new/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_lines">' in html
    response = buyer.post(
        "/account/quotes/new/",
        {"lines": "DRILL 10 80,50\nDRILL-XL 12", "comment": "Livraison en mars"},
    )
    assert response.status_code == 302
    quote = Quote.objects.get()
    assert response["Location"] == f"/account/quotes/{quote.number}/"
    assert quote.state == S.DRAFT
    assert [(x.sku, x.quantity, x.target_unit_net) for x in quote.lines.all()] == [
        ("DRILL", 10, Decimal("80.50")),
        ("DRILL-XL", 12, None),
    ]
    assert [c.body for c in quote.comments.all()] == ["Livraison en mars"]


def test_bad_lines_are_said_with_their_line_and_nothing_is_made(buyer: Client, world: Shop) -> None:
    response = buyer.post("/account/quotes/new/", {"lines": "DRILL 10\n\nDRILL-XL x 1 2"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "<li>Certaines lignes du devis ne sont pas valides.</li>" in html
    assert "Ligne 3 (« DRILL-XL x 1 2 ») : Une quantité est un nombre entier." in html
    assert Quote.objects.count() == 0
    response = buyer.post("/account/quotes/new/", {"lines": "DRILL 10 abc\nNOPE 2\nDRILL-XL 0"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ligne 1 (« DRILL 10 abc ») : Un prix est un nombre décimal" in html
    response = buyer.post("/account/quotes/new/", {"lines": "DRILL 10\nNOPE 2"})
    html = response.content.decode()
    assert "Ligne 2 (« NOPE 2 ») : Référence (SKU) inconnue : NOPE." in html
    assert Quote.objects.count() == 0
    response = buyer.post("/account/quotes/new/", {"lines": ""})
    assert response.status_code == 400
    assert Quote.objects.count() == 0


def test_request_from_the_cart(buyer: Client, world: Shop) -> None:
    html = buyer.get("/quick-order/").content.decode()
    buyer.post("/quick-order/", {"lines": "DRILL 3", "idempotency_key": key(html)})
    html = buyer.get("/cart/").content.decode()
    assert 'action="/account/quotes/from-cart"' in html
    response = buyer.post("/account/quotes/from-cart")
    quote = Quote.objects.get()
    assert response["Location"] == f"/account/quotes/{quote.number}/"
    assert [(x.sku, x.quantity) for x in quote.lines.all()] == [("DRILL", 3)]
    assert quote.state == S.DRAFT


def test_a_role_without_quotes_manage_sees_but_cannot_act(
    buyer: Client, world: Shop, clerk: Any
) -> None:
    quote = sent(world, clerk)
    html = buyer.get("/quick-order/").content.decode()
    buyer.post("/quick-order/", {"lines": "DRILL 3", "idempotency_key": key(html)})
    give_role(world.buyer, "viewer")
    assert 'action="/account/quotes/from-cart"' not in buyer.get("/cart/").content.decode()
    assert buyer.post("/account/quotes/from-cart")["Location"] == "/cart/"
    html = buyer.get(f"/account/quotes/{quote.number}/").content.decode()
    assert "/accept" not in html
    assert 'href="/account/quotes/new/"' not in buyer.get("/account/quotes/").content.decode()
    response = buyer.post(f"/account/quotes/{quote.number}/decline")
    assert response.status_code == 403
    assert 'role="alert"' in response.content.decode()
    response = buyer.post("/account/quotes/new/", {"lines": "DRILL 1"})
    assert response.status_code == 403
    assert (state(quote), Quote.objects.count()) == (S.SENT, 1)


# --- a quote's page and its moves ------------------------------------------------------------


def test_the_page_shows_lines_prices_and_history(buyer: Client, world: Shop, clerk: Any) -> None:
    quote = sent(world, clerk, ("DRILL", 10))
    line = quote.lines.get()
    response = buyer.get(f"/account/quotes/{quote.number}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f">{quote.number}</li>" in html
    assert '<span class="status status--sent">Envoyé</span>' in html
    assert str(line.unit_net).replace(".", ",") in html
    assert "Version 1 envoyée le" in html
    assert f'href="/account/quotes/{quote.number}/pdf"' in html
    assert 'value="on_account"' in html
    pdf = buyer.get(f"/account/quotes/{quote.number}/pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")


def test_submit_a_draft(buyer: Client, world: Shop) -> None:
    buyer.post("/account/quotes/new/", {"lines": "DRILL 10"})
    quote = Quote.objects.get()
    assert "/submit" in buyer.get(f"/account/quotes/{quote.number}/").content.decode()
    response = buyer.post(f"/account/quotes/{quote.number}/submit")
    assert response.status_code == 302
    assert state(quote) == S.REQUESTED
    # Again: the move is refused on the page and nothing changes.
    response = buyer.post(f"/account/quotes/{quote.number}/submit")
    assert response.status_code == 409
    assert 'role="alert"' in response.content.decode()
    assert state(quote) == S.REQUESTED


def test_accept_makes_exactly_one_order(buyer: Client, world: Shop, clerk: Any) -> None:
    quote = sent(world, clerk, ("DRILL", 10))
    html = buyer.get(f"/account/quotes/{quote.number}/").content.decode()
    form = {"payment_method": "on_account", "po_number": "PO-77", "idempotency_key": key(html)}
    first = buyer.post(f"/account/quotes/{quote.number}/accept", form)
    assert first.status_code == 302, first.content
    again = buyer.post(f"/account/quotes/{quote.number}/accept", form)  # a double submit
    assert again.status_code == 302
    order = Order.objects.get()
    assert order.total_net == quote.total_net
    assert state(quote) == S.ORDERED
    html = buyer.get(f"/account/quotes/{quote.number}/").content.decode()
    assert f'href="/account/orders/{order.number}/"' in html
    assert "/accept" not in html
    # A new form (another key) is refused: the quote is ordered.
    response = buyer.post(
        f"/account/quotes/{quote.number}/accept", {**form, "idempotency_key": "b" * 32}
    )
    assert response.status_code == 409
    assert Order.objects.count() == 1


def test_bad_acceptances_change_nothing(buyer: Client, world: Shop, clerk: Any) -> None:
    quote = sent(world, clerk)
    html = buyer.get(f"/account/quotes/{quote.number}/").content.decode()
    response = buyer.post(
        f"/account/quotes/{quote.number}/accept",
        {"payment_method": "stripe", "idempotency_key": key(html)},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "L&#x27;acceptation n&#x27;est pas valide." in html
    assert "<li>Payez en compte ou par virement.</li>" in html
    response = buyer.post(
        f"/account/quotes/{quote.number}/accept", {"payment_method": "on_account"}
    )
    assert response.status_code == 400
    expire(quote)
    response = buyer.post(
        f"/account/quotes/{quote.number}/accept",
        {"payment_method": "on_account", "idempotency_key": "c" * 32},
    )
    assert response.status_code == 409
    assert state(quote) == S.SENT
    assert Order.objects.count() == 0


def test_decline_and_renegotiate(buyer: Client, world: Shop, clerk: Any) -> None:
    quote = sent(world, clerk)
    response = buyer.post(f"/account/quotes/{quote.number}/renegotiate", {"comment": " "})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert state(quote) == S.SENT
    response = buyer.post(
        f"/account/quotes/{quote.number}/renegotiate", {"comment": "Prix trop élevé"}
    )
    assert response.status_code == 302
    assert state(quote) == S.RENEGOTIATION_REQUESTED
    assert list(quote.comments.values_list("body", flat=True)) == ["Prix trop élevé"]
    other = sent(world, clerk)
    response = buyer.post(f"/account/quotes/{other.number}/decline", {"comment": ""})
    assert response.status_code == 302
    assert state(other) == S.DECLINED
    assert buyer.post(f"/account/quotes/{other.number}/decline").status_code == 409


def test_withdraw_comment_and_unknown_action(buyer: Client, world: Shop) -> None:
    quote = requested(world)
    response = buyer.post(f"/account/quotes/{quote.number}/comment", {"comment": "Bonjour"})
    assert response.status_code == 302
    assert buyer.post(f"/account/quotes/{quote.number}/comment", {"comment": ""}).status_code == 400
    assert buyer.post(f"/account/quotes/{quote.number}/explode").status_code == 400
    assert buyer.post(f"/account/quotes/{quote.number}/cancel").status_code == 302
    assert state(quote) == S.CANCELLED
    assert list(QuoteComment.objects.values_list("body", flat=True)) == ["Bonjour"]
    html = buyer.get(f"/account/quotes/{quote.number}/").content.decode()
    assert "Bonjour" in html
    assert "/comment" not in html  # closed: no more comments


def test_attach_and_download_a_file(buyer: Client, world: Shop) -> None:
    quote = requested(world)
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    response = buyer.post(f"/account/quotes/{quote.number}/attachments", {"file": upload})
    assert response.status_code == 302
    attachment = quote.attachments.get()
    download = buyer.get(f"/account/quotes/{quote.number}/attachments/{attachment.pk}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4\n%test\n"  # type: ignore[attr-defined]
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = buyer.post(f"/account/quotes/{quote.number}/attachments", {"file": bad})
    assert response.status_code == 400
    assert buyer.post(f"/account/quotes/{quote.number}/attachments").status_code == 400
    assert quote.attachments.count() == 1
    other = requested(world, buyer=world.belge_buyer)
    assert (
        buyer.get(f"/account/quotes/{other.number}/attachments/{attachment.pk}").status_code == 404
    )
    assert buyer.get(f"/account/quotes/{quote.number}/attachments/999999").status_code == 404


def test_the_pages_in_english(buyer: Client, world: Shop, clerk: Any) -> None:
    quote = sent(world, clerk)
    html = buyer.get(f"/en/account/quotes/{quote.number}/").content.decode()
    assert "Accept the quote" in html
    assert buyer.get("/en/account/quotes/").status_code == 200
