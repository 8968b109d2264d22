"""Pages of payments: the demo gateway's second-step page (3-D Secure stand-in) and the
page a customer comes back to after a provider's second step when the client gave no
return URL of its own."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from comptoir.core.errors import NotFound
from comptoir.payments import selectors, services
from comptoir.payments.models import Payment, PaymentMethod
from comptoir.payments.providers import test_gateway
from comptoir.payments.settle import settle_if_decided


def _payment(reference: str) -> Payment:
    try:
        return selectors.payment_get(reference=reference)
    except NotFound:
        raise Http404 from None


def _with_reference(url: str, reference: str) -> str:
    """`url` with `payment=<reference>` added to its query, so the client knows which
    payment to confirm."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), ("payment", reference)]
    return urlunsplit(parts._replace(query=urlencode(query)))


@require_http_methods(["GET", "HEAD", "POST"])
def test_gateway_page(request: HttpRequest, reference: str) -> HttpResponse:
    """The demo gateway's page: Approve or Fail the second step of a test card payment
    (CSRF-protected form). Then back to the client's return URL, or to our return page."""
    payment = _payment(reference)
    charge = test_gateway.pending_action(payment.reference)
    if payment.method != PaymentMethod.TEST_CARD or charge is None:
        return render(request, "payments/test_gateway.html", {"payment": payment}, status=404)
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("approve", "fail"):
            return render(
                request,
                "payments/test_gateway.html",
                {"payment": payment, "charge": charge, "invalid": True},
                status=400,
            )
        test_gateway.complete_action(payment.reference, approve=action == "approve")
        ref = str(payment.reference)
        if payment.return_url:
            return HttpResponseRedirect(_with_reference(payment.return_url, ref))
        return HttpResponseRedirect(reverse("payments:return", args=[ref]))
    return render(request, "payments/test_gateway.html", {"payment": payment, "charge": charge})


@require_safe
def payment_return(request: HttpRequest, reference: str) -> HttpResponse:
    """Back from a provider's second step: ask the provider, hand a decided payment to
    checkout (its order is made, or its checkout released), and say how it went."""
    payment = services.payment_sync(payment=_payment(reference))
    payment = settle_if_decided(payment)
    return render(request, "payments/return.html", {"payment": payment})
