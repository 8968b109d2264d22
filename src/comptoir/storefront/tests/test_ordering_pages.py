"""B2B ordering pages without JavaScript: quick order (text and CSV, per-line errors in an
error summary, the lines to fix back in the box), requisition lists (create, add, edit
quantities, add to cart, another company's list is a 404) and reorder from an order page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from comptoir.cart.models import CartLine
from comptoir.cart.tests import conftest as cart_conftest
from comptoir.cart.tests.conftest import Shop
from comptoir.orders.tests.factories import make_order
from comptoir.requisitions import services as requisitions
from comptoir.requisitions.models import RequisitionList, RequisitionListLine

pytestmark = pytest.mark.django_db

world = cart_conftest.shop  # the cart tests' priced world, under another name here


def key(html: str) -> str:
    found = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html)
    assert found, html
    return found.group(1)


def cart_lines(user: Any) -> dict[str, int]:
    return dict(CartLine.objects.filter(cart__user=user).values_list("variant__sku", "quantity"))


@pytest.fixture
def buyer(client: Client, world: Shop) -> Client:
    client.force_login(world.buyer)
    return client


def test_quick_order_page_renders_for_a_company_member(buyer: Client) -> None:
    response = buyer.get("/quick-order/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="id_lines">' in html
    assert 'aria-describedby="id_lines_helptext"' in html
    # The account menu leads there, and to the requisition lists.
    assert 'href="/quick-order/" aria-current="page"' in html
    assert 'href="/account/requisition-lists/"' in html
    assert buyer.get("/en/quick-order/").status_code == 200


def test_quick_order_all_added_redirects_to_the_cart(buyer: Client, world: Shop) -> None:
    html = buyer.get("/quick-order/").content.decode()
    response = buyer.post(
        "/quick-order/", {"lines": "DRILL 2\nDRILL-XL;6", "idempotency_key": key(html)}
    )
    assert response.status_code == 302
    assert response["Location"] == "/cart/"
    assert cart_lines(world.buyer) == {"DRILL": 2, "DRILL-XL": 6}


def test_quick_order_shows_each_rejected_line(buyer: Client, world: Shop) -> None:
    html = buyer.get("/quick-order/").content.decode()
    sent = key(html)
    data = {"lines": "DRILL 2\nNOPE 1\nDRILL-XL 4\nDRILL x", "idempotency_key": sent}
    response = buyer.post("/quick-order/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert 'href="#rejected-2"' in html
    assert 'href="#rejected-3"' in html
    assert "Référence (SKU) inconnue : NOPE." in html
    assert "DRILL-XL est vendu à partir de 6, par 6." in html
    # The lines to fix are back in the box; the added one is in the cart once.
    assert ">NOPE 1\nDRILL-XL 4\nDRILL x</textarea>" in html
    assert cart_lines(world.buyer) == {"DRILL": 2}
    # The same form sent again (a double click) adds nothing more.
    assert buyer.post("/quick-order/", data).status_code == 200
    assert cart_lines(world.buyer) == {"DRILL": 2}


def test_quick_order_csv_upload(buyer: Client, world: Shop) -> None:
    html = buyer.get("/quick-order/").content.decode()
    upload = SimpleUploadedFile("c.csv", "\ufeffsku;quantity\nDRILL;3\n".encode(), "text/csv")
    response = buyer.post("/quick-order/", {"file": upload, "idempotency_key": key(html)})
    assert response.status_code == 302
    assert cart_lines(world.buyer) == {"DRILL": 3}


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"sku,qty\nDRILL,1\n", 400, "Colonnes inconnues"),
        (b"sku,quantity\nPERCEUSE-\xe9,1\n", 400, "UTF-8"),
        (b"sku,quantity\n" + b"DRILL,1\n" * 501, 400, "500"),
    ],
)
def test_quick_order_bad_files(
    buyer: Client, world: Shop, data: bytes, status: int, message: str
) -> None:
    html = buyer.get("/quick-order/").content.decode()
    upload = SimpleUploadedFile("c.csv", data, "text/csv")
    response = buyer.post("/quick-order/", {"file": upload, "idempotency_key": key(html)})
    assert response.status_code == status
    html = response.content.decode()
    assert 'href="#id_file"' in html
    assert message in html
    assert cart_lines(world.buyer) == {}


def test_quick_order_empty_form(buyer: Client) -> None:
    html = buyer.get("/quick-order/").content.decode()
    response = buyer.post("/quick-order/", {"lines": "  ", "idempotency_key": key(html)})
    assert response.status_code == 400
    assert 'href="#id_lines"' in response.content.decode()


def test_requisition_list_flow(buyer: Client, world: Shop) -> None:
    response = buyer.post("/account/requisition-lists/", {"name": "Atelier", "shared": "on"})
    rlist = RequisitionList.objects.get()
    assert response["Location"] == f"/account/requisition-lists/{rlist.pk}/"
    assert (rlist.name, rlist.shared) == ("Atelier", True)
    url = f"/account/requisition-lists/{rlist.pk}/"
    response = buyer.post(f"{url}lines", {"sku": "DRILL", "quantity": "4", "note": "bac"})
    assert response.status_code == 302
    response = buyer.post(f"{url}lines", {"sku": "NOPE", "quantity": "1"})
    assert response.status_code == 400
    assert "Référence (SKU) inconnue : NOPE." in response.content.decode()
    line = RequisitionListLine.objects.get()
    page = buyer.get(url).content.decode()
    assert f'name="quantity-{line.pk}"' in page
    response = buyer.post(
        url, {"action": "save", f"quantity-{line.pk}": "10", f"note-{line.pk}": "bac 2"}
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.quantity, line.note) == (10, "bac 2")
    response = buyer.post(url, {"action": "save", f"quantity-{line.pk}": "0"})
    assert response.status_code == 400
    line.refresh_from_db()
    assert line.quantity == 10
    response = buyer.post(url, {"action": "cart", "idempotency_key": key(page)})
    assert response["Location"] == "/cart/"
    assert cart_lines(world.buyer) == {"DRILL": 10}
    response = buyer.post(f"{url}delete")
    assert response["Location"] == "/account/requisition-lists/"
    assert not RequisitionList.objects.exists()


def test_requisition_list_to_cart_reports_rejected_lines(buyer: Client, world: Shop) -> None:
    rlist = requisitions.requisition_list_create(user=world.buyer, name="Atelier")
    requisitions.requisition_line_add(
        user=world.buyer, list_id=rlist.pk, sku="DRILL-XL", quantity=4
    )
    url = f"/account/requisition-lists/{rlist.pk}/"
    response = buyer.post(url, {"action": "cart", "idempotency_key": "k1"})
    assert response.status_code == 400
    assert "DRILL-XL est vendu à partir de 6, par 6." in response.content.decode()
    assert cart_lines(world.buyer) == {}


def test_another_companys_list_is_a_404(client: Client, world: Shop) -> None:
    rlist = requisitions.requisition_list_create(user=world.buyer, name="Atelier", shared=True)
    client.force_login(world.belge_buyer)
    url = f"/account/requisition-lists/{rlist.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(f"{url}lines", {"sku": "DRILL", "quantity": "1"}).status_code == 404
    assert client.post(url, {"action": "cart"}).status_code == 404
    assert client.post(f"{url}delete").status_code == 404
    assert RequisitionList.objects.count() == 1
    client.force_login(world.shopper)  # of no company
    assert client.get("/account/requisition-lists/").status_code == 404


def test_reorder_button(buyer: Client, world: Shop) -> None:
    order = make_order(items=[(world.drill, 2)], channel=world.b2b, user=world.buyer)
    page = buyer.get(f"/account/orders/{order.number}/").content.decode()
    assert f'action="/account/orders/{order.number}/reorder"' in page
    response = buyer.post(f"/account/orders/{order.number}/reorder", {"idempotency_key": key(page)})
    assert response["Location"] == "/cart/"
    assert cart_lines(world.buyer) == {"DRILL": 2}


def test_reorder_of_another_customers_order_is_a_404(client: Client, world: Shop) -> None:
    order = make_order(items=[(world.drill, 2)], channel=world.b2b, user=world.buyer)
    client.force_login(world.belge_buyer)
    assert client.post(f"/account/orders/{order.number}/reorder").status_code == 404
    assert CartLine.objects.count() == 0


def test_add_to_a_requisition_list_from_the_product_page(buyer: Client, world: Shop) -> None:
    page = buyer.get("/p/perceuse/").content.decode()
    assert 'formaction="/account/requisition-lists/add-item"' in page
    rlist = requisitions.requisition_list_create(user=world.buyer, name="Atelier")
    data = {"sku": "DRILL", "quantity": "2", "product": "perceuse"}
    chooser = buyer.post("/account/requisition-lists/add-item", data)
    assert chooser.status_code == 200
    assert f'value="{rlist.pk}"' in chooser.content.decode()
    response = buyer.post("/account/requisition-lists/add-item", {**data, "list": str(rlist.pk)})
    assert response["Location"] == "/p/perceuse/"
    response = buyer.post("/account/requisition-lists/add-item", {**data, "new_name": "Chantier"})
    assert response["Location"] == "/p/perceuse/"
    assert sorted(
        RequisitionListLine.objects.values_list(
            "requisition_list__name", "variant__sku", "quantity"
        )
    ) == [("Atelier", "DRILL", 2), ("Chantier", "DRILL", 2)]
    response = buyer.post(
        "/account/requisition-lists/add-item", {**data, "sku": "NOPE", "list": str(rlist.pk)}
    )
    assert response.status_code == 400
    assert "Référence (SKU) inconnue : NOPE." in response.content.decode()


def test_the_product_page_offers_no_list_to_a_consumer(client: Client, world: Shop) -> None:
    client.force_login(world.shopper)
    assert "requisition-lists/add-item" not in client.get("/p/perceuse/").content.decode()
    data = {"sku": "DRILL", "quantity": "1", "list": "1"}
    assert client.post("/account/requisition-lists/add-item", data).status_code == 404


def test_save_the_cart_as_a_requisition_list(buyer: Client, world: Shop) -> None:
    html = buyer.get("/quick-order/").content.decode()
    buyer.post("/quick-order/", {"lines": "DRILL 2", "idempotency_key": key(html)})
    cart_page = buyer.get("/cart/").content.decode()
    assert 'action="/account/requisition-lists/from-cart"' in cart_page
    response = buyer.post("/account/requisition-lists/from-cart")
    rlist = RequisitionList.objects.get()
    assert response["Location"] == f"/account/requisition-lists/{rlist.pk}/"
    assert (rlist.name, rlist.shared) == ("Mon panier", False)
    assert list(RequisitionListLine.objects.values_list("variant__sku", "quantity")) == [
        ("DRILL", 2)
    ]
    assert cart_lines(world.buyer) == {"DRILL": 2}
