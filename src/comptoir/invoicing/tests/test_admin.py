"""The invoicing back-office: staff issue an order's invoice by its number (once: a second
time leads to the same invoice), a bad number or an order that cannot be invoiced is a form
error that issues nothing, and each invoice links to its Factur-X PDF and UBL file; staff
without the permission are refused."""

from __future__ import annotations

import facturx
import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.companies.models import Company
from comptoir.companies.tests.factories import FrenchCompanyFactory
from comptoir.invoicing.models import Invoice
from comptoir.invoicing.tests.factories import account_for, order_for
from comptoir.orders.models import PaymentStatus

pytestmark = pytest.mark.django_db

ADD = reverse("admin:invoicing_invoice_add")


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def company() -> Company:
    company = FrenchCompanyFactory.create()
    account_for(company, limit=None)
    return company


def clerk(client: Client, *codenames: str) -> Client:
    user = StaffFactory.create(is_superuser=False)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


def test_staff_issue_an_order_invoice_once_and_download_it(
    client: Client, company: Company
) -> None:
    order = order_for(company)
    clerk(client, "add_invoice", "view_invoice")

    form = client.get(ADD)
    issued = client.post(ADD, {"order_number": order.number}, follow=True)
    again = client.post(ADD, {"order_number": f"  {order.number} "}, follow=True)

    assert form.status_code == 200
    assert b'name="order_number"' in form.content
    invoice = Invoice.objects.get()
    change = reverse("admin:invoicing_invoice_change", args=[invoice.pk])
    assert issued.redirect_chain == [(change, 302)]
    assert f"Invoice {invoice.number} issued." in issued.content.decode()
    assert again.redirect_chain == [(change, 302)]
    assert f"The order was already invoiced: {invoice.number}." in again.content.decode()
    assert Invoice.objects.count() == 1
    assert (invoice.order_id, invoice.issued_by_id) == (order.pk, issued.wsgi_request.user.pk)

    pdf_url = reverse("admin:invoicing_invoice_pdf", args=[invoice.pk])
    ubl_url = reverse("admin:invoicing_invoice_ubl", args=[invoice.pk])
    page = issued.content.decode()
    assert pdf_url in page
    assert ubl_url in page
    pdf = client.get(pdf_url)
    assert pdf["Content-Type"] == "application/pdf"
    name, xml = facturx.get_xml_from_pdf(pdf.content, check_xsd=True)
    assert name == "factur-x.xml"
    assert invoice.number.encode() in xml
    ubl = client.get(ubl_url)
    assert ubl["Content-Type"] == "application/xml"
    assert invoice.number.encode() in ubl.content


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "This field is required."),
        ("NOPE-1", "Unknown order."),
        ("x" * 33, "at most 32 characters"),
    ],
)
def test_a_bad_order_number_is_a_form_error(
    client: Client, company: Company, number: str, message: str
) -> None:
    order_for(company)
    clerk(client, "add_invoice", "view_invoice")

    response = client.post(ADD, {"order_number": number})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invoice.objects.exists()


def test_an_order_not_paid_nor_on_account_is_not_invoiced(client: Client, company: Company) -> None:
    order = order_for(company, on_account=False, payment_status=PaymentStatus.PENDING)
    clerk(client, "add_invoice", "view_invoice")

    response = client.post(ADD, {"order_number": order.number})

    assert response.status_code == 400
    assert "neither paid nor placed on account" in response.content.decode()
    assert not Invoice.objects.exists()


def test_staff_without_the_permissions_are_refused(client: Client, company: Company) -> None:
    order = order_for(company)
    clerk(client, "view_invoice")

    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {"order_number": order.number}).status_code == 403
    assert not Invoice.objects.exists()

    invoice_client = Client()
    clerk(invoice_client, "add_invoice", "view_invoice")
    invoice_client.post(ADD, {"order_number": order.number})
    invoice = Invoice.objects.get()
    pdf_url = reverse("admin:invoicing_invoice_pdf", args=[invoice.pk])
    assert client.get(pdf_url).status_code == 200  # viewing is enough to download

    blind = Client()
    clerk(blind, "view_order")
    assert blind.get(pdf_url).status_code == 403
    assert (
        invoice_client.get(reverse("admin:invoicing_invoice_pdf", args=[999999])).status_code == 404
    )
    customer = Client()
    assert customer.get(pdf_url).status_code == 302  # to the admin's login
