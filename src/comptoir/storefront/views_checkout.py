"""The one-page checkout, server-rendered, working without JavaScript.

GET shows the email (guests), delivery and billing addresses (a customer picks a saved
one), delivery methods, payment methods and the order review with its VAT breakdown. The
form carries a fresh Idempotency-Key (uuid4) per render: a double submit places one order
(`checkout.services.checkout_place` replays the first answer).

POST "update" saves the details and shows the page again; POST "place" saves them, checks
the total is still the one reviewed, then places the order: 201 -> the confirmation page;
202 -> the payment's second step (the test gateway's page), which returns to
`payment_return`; 402 -> this page again with the decline (no order exists); other
refusals (stock, a method no longer available) -> this page with the message.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from comptoir.accounts.models import Address
from comptoir.accounts.selectors import address_list
from comptoir.accounts.services import address_values
from comptoir.cart import selectors as cart_selectors
from comptoir.cart import services as cart_services
from comptoir.cart.models import Cart, CartStatus
from comptoir.checkout import services as checkout_services
from comptoir.companies.selectors import po_number_required
from comptoir.companies.web import assisting_staff
from comptoir.core.errors import Conflict, DomainError
from comptoir.orders.models import Order
from comptoir.payments import selectors as payment_selectors
from comptoir.payments import services as payment_services
from comptoir.payments.models import Payment, PaymentMethod
from comptoir.payments.settle import settle_if_decided
from comptoir.shipping.selectors import shipping_table
from comptoir.storefront.cart_display import ShownCart
from comptoir.storefront.forms import (
    NEW_ADDRESS,
    AddressForm,
    CheckoutForm,
    add_domain_errors,
)
from comptoir.storefront.shop import absolute_url, current_language
from comptoir.storefront.views_cart import cart_shown, remember_count
from comptoir.storefront.web_cart import forget_cart, signed_in, web_cart, with_cart_cookie

SESSION_CHECKOUT_CART = "storefront_checkout_cart"
# Refusals of a cart another submit of the same page is checking out.
REPLAYED = frozenset({"CART_LOCKED", "CART_NOT_FOUND"})
SESSION_PAYMENTS = "storefront_payments"
MAX_REMEMBERED_PAYMENTS = 10
# Card payments the page can take without JavaScript (Stripe needs Stripe.js: API clients).
WEB_METHODS = (PaymentMethod.TEST_CARD, PaymentMethod.BANK_TRANSFER, PaymentMethod.ON_ACCOUNT)
# The demo gateway's cards, shown next to the card field (docs/payments.md).
TEST_CARDS = (
    ("4242 4242 4242 4242", "approved"),
    ("4000 0025 0000 3155", "3ds"),
    ("4000 0000 0000 0002", "declined"),
    ("4000 0000 0000 9995", "insufficient_funds"),
    ("4000 0000 0000 0069", "expired_card"),
    ("4000 0000 0000 0119", "no_answer"),
)


def _test_cards() -> list[tuple[str, str]]:
    outcomes = {
        "approved": _("approved"),
        "3ds": _("asks for a second step (3-D Secure) on the gateway's page"),
        "declined": _("declined"),
        "insufficient_funds": _("declined: insufficient funds"),
        "expired_card": _("declined: expired card"),
        "no_answer": _("charged, but the gateway's answer is lost (confirmed later)"),
    }
    return [(number, outcomes[code]) for number, code in TEST_CARDS]


def _method_labels() -> dict[str, str]:
    return {
        PaymentMethod.TEST_CARD: _("Card (test gateway)"),
        PaymentMethod.BANK_TRANSFER: _("Bank transfer"),
        PaymentMethod.ON_ACCOUNT: _("On account, on your company's payment terms"),
    }


def _address_text(address: dict[str, Any] | Address) -> str:
    get = address.get if isinstance(address, dict) else (lambda key: getattr(address, key, ""))
    name = " ".join(str(get(key) or "") for key in ("first_name", "last_name")).strip()
    parts = [
        name,
        str(get("company_name") or ""),
        str(get("street_address_1") or ""),
        str(get("street_address_2") or ""),
        f"{get('postal_code') or ''} {get('city') or ''}".strip(),
        str(get("country") or ""),
    ]
    return ", ".join(part for part in parts if part)


class Page:
    """Everything the checkout page needs, loaded once per request."""

    def __init__(self, request: HttpRequest, cart: Cart) -> None:
        self.request = request
        self.cart = cart
        self.user = signed_in(request)
        self.language = current_language()
        self.saved = list(address_list(user=self.user)) if self.user is not None else []
        self.refresh()

    def refresh(self) -> None:
        """The cart priced now and its delivery options: its goods computed once (inside
        a caller's `goods_reused` block, those a service just chose the method on)."""
        with cart_selectors.goods_reused():
            self.shown: ShownCart = cart_shown(self.request, self.cart)
            _goods, self.options = cart_selectors.cart_shipping_options(
                cart=self.cart, user=self.user, language=self.language
            )
        view = self.shown.view
        available = payment_services.methods_available(
            channel=self.cart.channel, company_id=view.company_id
        )
        labels = _method_labels()
        self.methods = [(m, labels[m]) for m in WEB_METHODS if m in available]
        # The countries the channel delivers to (every country when it has no zone yet),
        # and those of the cart's addresses.
        codes = {
            c for zone in shipping_table().get(self.cart.channel_id, ()) for c in zone.countries
        }
        for address in (self.cart.shipping_address, self.cart.billing_address):
            if codes and address and address.get("country"):
                codes.add(str(address["country"]))
        self.country_codes = codes

    def address_form(self, data: Any = None, *, section: str, **kwargs: Any) -> AddressForm:
        return AddressForm(
            data, prefix=section, section=section, country_codes=self.country_codes, **kwargs
        )

    @property
    def guest(self) -> bool:
        return self.cart.user_id is None and self.user is None

    def form_kwargs(self) -> dict[str, Any]:
        return {
            "guest": self.guest,
            "company": self.shown.view.company_id is not None,
            "po_required": po_number_required(company_id=self.shown.view.company_id),
            "saved_addresses": [(str(a.pk), _address_text(a)) for a in self.saved],
            "shipping_methods": [(o.method_id, o.name) for o in self.options],
            "payment_methods": self.methods,
            "nothing_to_pay": bool(self.shown.view.lines) and self.shown.view.total.gross == 0,
        }

    def saved_id(self, address: dict[str, Any] | None) -> str:
        """The saved address the cart's address is a copy of, else NEW_ADDRESS."""
        if address:
            for saved in self.saved:
                values = address_values(saved)
                if values == {k: str(address.get(k) or "") for k in values}:
                    return str(saved.pk)
        return NEW_ADDRESS

    def blank_forms(self) -> tuple[CheckoutForm, AddressForm, AddressForm]:
        cart, view = self.cart, self.shown.view
        shipping, billing = cart.shipping_address, cart.billing_address
        default = next((a for a in self.saved if a.is_default_shipping), None)
        names: dict[str, Any] = {}
        if self.user is not None:
            names = {"first_name": self.user.first_name, "last_name": self.user.last_name}
        ship_choice = self.saved_id(shipping) if shipping else str(default.pk) if default else ""
        form = CheckoutForm(
            initial={
                "email": cart.email,
                "shipping_choice": ship_choice or NEW_ADDRESS,
                "billing_same": not billing or billing == shipping,
                "billing_choice": self.saved_id(billing) if billing else NEW_ADDRESS,
                "shipping_method": view.shipping_method_id,
                "payment_method": self.methods[0][0] if self.methods else "",
                "customer_note": cart.customer_note,
                "idempotency_key": str(uuid.uuid4()),
                "reviewed_total": view.total.gross,
            },
            **self.form_kwargs(),
        )
        ship_initial = shipping if shipping and self.saved_id(shipping) == NEW_ADDRESS else names
        bill_initial = billing if billing and self.saved_id(billing) == NEW_ADDRESS else names
        country = {"country": str(self.cart.channel.default_country or "FR")}
        return (
            form,
            self.address_form(section="shipping", initial={**country, **ship_initial}),
            self.address_form(section="billing", initial={**country, **bill_initial}),
        )

    def render(
        self,
        forms: tuple[CheckoutForm, AddressForm, AddressForm],
        *,
        status: int = 200,
        notice: str = "",
    ) -> HttpResponse:
        form, ship_form, bill_form = forms
        if form.is_bound:  # a new key for the next attempt; the rest as the customer typed
            data = self.request.POST.copy()
            data["idempotency_key"] = str(uuid.uuid4())
            data["reviewed_total"] = str(self.shown.view.total.gross)
            data["card_number"] = ""
            form.data = data
        self.request.session[SESSION_CHECKOUT_CART] = self.cart.token
        context = {
            "cart": self.shown,
            "form": form,
            "ship_form": ship_form,
            "bill_form": bill_form,
            "options": self.options,
            "methods": self.methods,
            "saved": self.saved,
            "test_cards": _test_cards() if PaymentMethod.TEST_CARD in dict(self.methods) else [],
            "notice": notice,
        }
        response = render(self.request, "storefront/checkout.html", context, status=status)
        response["Cache-Control"] = "no-store"
        return response


def _prefill(page: Page) -> None:
    """Fill what the customer has not chosen yet with the obvious choice, so the review
    shows the total they will pay: a customer's default address, and the first delivery
    method offered."""
    cart = page.cart
    if cart.status != CartStatus.OPEN:
        return
    try:
        default = next((a for a in page.saved if a.is_default_shipping), None)
        default = default or (page.saved[0] if page.saved else None)
        if cart.shipping_address is None and default is not None:
            page.cart = cart = cart_services.addresses_set(
                cart=cart, shipping_address_id=default.pk, same_as_shipping=True, user=page.user
            )
            page.refresh()  # the options for this address
        if cart.shipping_method_id is None and page.options and page.shown.lines:
            # The review shows the goods the service chose the method on.
            with cart_selectors.goods_reused():
                page.cart = cart_services.shipping_method_set(
                    cart=cart,
                    method_id=page.options[0].method_id,
                    user=page.user,
                    language=page.language,
                )
                page.refresh()
    except DomainError:
        pass


def _checkout_cart(request: HttpRequest) -> Cart | None:
    """The cart the page was rendered for (kept in the session: a double submit finds it
    even once the first submit completed it), else the browser's cart."""
    token = request.session.get(SESSION_CHECKOUT_CART)
    if isinstance(token, str) and token:
        try:
            return cart_selectors.cart_for(token=token, user=signed_in(request))
        except DomainError:
            pass
    return web_cart(request)


@never_cache
@with_cart_cookie
@require_http_methods(["GET", "HEAD", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    cart = _checkout_cart(request) if request.method == "POST" else web_cart(request)
    if cart is None:
        messages.info(request, _("Your cart is empty."))
        return redirect("storefront:cart")
    if request.method != "POST":
        return _show(request, cart)
    return _submit(request, cart)


def _show(request: HttpRequest, cart: Cart) -> HttpResponse:
    if cart.status == CartStatus.CHECKING_OUT:
        return _in_progress(request, cart)
    if cart.status != CartStatus.OPEN:
        forget_cart(request)
        return redirect("storefront:cart")
    page = Page(request, cart)
    if page.shown.empty:
        messages.info(request, _("Your cart is empty."))
        return redirect("storefront:cart")
    _prefill(page)
    return page.render(page.blank_forms())


def _bound_forms(request: HttpRequest, page: Page) -> tuple[CheckoutForm, AddressForm, AddressForm]:
    data = request.POST
    form = CheckoutForm(data, **page.form_kwargs())
    ship_form = page.address_form(data, section="shipping")
    bill_form = page.address_form(data, section="billing")
    if data.get("shipping_choice", NEW_ADDRESS) != NEW_ADDRESS:
        ship_form.make_optional()
    if data.get("billing_same") or data.get("billing_choice", NEW_ADDRESS) != NEW_ADDRESS:
        bill_form.make_optional()
    return form, ship_form, bill_form


def _saved_choice(choice: str) -> int | None:
    return int(choice) if choice.isdigit() and 0 < int(choice) < 2**63 else None


ADDRESS_ERRORS = {
    "shipping_address": "shipping_choice",
    "billing_address": "billing_choice",
    "shipping_address_id": "shipping_choice",
    "billing_address_id": "billing_choice",
    "method_id": "shipping_method",
    "code": "shipping_method",
}


def _address_errors(
    exc: DomainError, form: CheckoutForm, ship_form: AddressForm, bill_form: AddressForm
) -> None:
    """Errors named `shipping_address.city` go to the delivery address form's city, and so
    on; the others to the checkout form."""
    rest: dict[str, list[str]] = {}
    for name, errors in exc.errors.items():
        section, _dot, field = name.partition(".")
        target = {"shipping_address": ship_form, "billing_address": bill_form}.get(section)
        if target is not None and field in target.fields:
            for error in errors:
                target.add_error(field, error)
        else:
            rest[name] = errors
    if rest or not exc.errors:
        add_domain_errors(form, DomainError(exc.detail, errors=rest), fields=ADDRESS_ERRORS)


def _apply(page: Page, form: CheckoutForm, ship_form: AddressForm, bill_form: AddressForm) -> None:
    """Save the details on the cart (addresses and email, delivery method, note)."""
    data = form.cleaned_data
    ship_id = _saved_choice(data["shipping_choice"])
    bill_id = _saved_choice(data["billing_choice"])
    same = bool(data.get("billing_same"))
    page.cart = cart_services.addresses_set(
        cart=page.cart,
        shipping_address=None if ship_id is not None else ship_form.snapshot(),
        shipping_address_id=ship_id,
        billing_address=None if same or bill_id is not None else bill_form.snapshot(),
        billing_address_id=None if same else bill_id,
        same_as_shipping=same,
        email=data.get("email"),
        user=page.user,
    )
    method = data.get("shipping_method")
    if method is not None:
        page.cart = cart_services.shipping_method_set(
            cart=page.cart, method_id=method, user=page.user, language=page.language
        )


def _submit(request: HttpRequest, cart: Cart) -> HttpResponse:
    page = Page(request, cart)
    forms = _bound_forms(request, page)
    form = forms[0]
    checks = [each.is_valid() for each in forms]  # every form, for all the errors at once
    valid = all(checks)
    if cart.status != CartStatus.OPEN:
        # A second submit of a page whose order is placed or being paid: the same key
        # replays the first answer.
        place = valid and form.cleaned_data["action"] == "place"
        return _place(page, form) if place else _show(request, cart)
    if not valid:
        return page.render(forms, status=400)
    place = form.cleaned_data["action"] == "place"
    # The lines do not change: the review shows the goods the service chose the delivery
    # method on (computed once). Placing the order is outside the block: checkout prices
    # the cart again under its lock.
    with cart_selectors.goods_reused():
        refused = _save_details(page, forms)
        if refused is None and place:
            page.refresh()
    if refused is not None:
        return _refused(page, forms, refused)
    if not place:
        messages.success(
            request, _("Your details are saved. Check the total, then place your order.")
        )
        return redirect("storefront:checkout")
    refusal = _not_ready(page, form)
    if refusal is not None:
        return page.render(forms, status=refusal[0], notice=refusal[1])
    return _place(page, form)


def _save_details(
    page: Page, forms: tuple[CheckoutForm, AddressForm, AddressForm]
) -> DomainError | None:
    """Save the submitted details on the cart; the service's refusal, if any."""
    try:
        _apply(page, *forms)
    except DomainError as exc:
        return exc
    return None


def _refused(
    page: Page, forms: tuple[CheckoutForm, AddressForm, AddressForm], exc: DomainError
) -> HttpResponse:
    """The page with the errors of a refused save."""
    form, ship_form, bill_form = forms
    if exc.code in REPLAYED and form.cleaned_data["action"] == "place":
        # The same page submitted twice at once: the other submit is placing the order
        # (the cart is frozen, or already ordered); this one gets its answer.
        return _place(page, form)
    if isinstance(exc, Conflict):
        add_domain_errors(form, exc)
        return page.render(forms, status=exc.status)
    _address_errors(exc, form, ship_form, bill_form)
    page.refresh()
    return page.render(forms, status=exc.status)


def _not_ready(page: Page, form: CheckoutForm) -> tuple[int, str] | None:
    """Why the order cannot be placed with the details just saved (errors are added to
    the form), as the status and notice of the page to show; None when it can."""
    view = page.shown.view
    if form.cleaned_data.get("shipping_method") is None and view.shipping is None:
        form.add_error("shipping_method", _("Choose a delivery method."))
        return 400, ""
    if view.blockers:
        for problem in page.shown.problems:
            form.add_error(None, problem)
        return 400, ""
    reviewed = form.cleaned_data.get("reviewed_total")
    if reviewed is not None and reviewed != view.total.gross:
        notice = _(
            "The total changed with the details you entered: check it, then place your order."
        )
        return 409, notice
    return None


def _return_url(request: HttpRequest) -> str:
    """Where the payment's second step sends the customer back: this site as the browser
    reaches it (its host was checked against ALLOWED_HOSTS), else SITE_URL."""
    path = reverse("storefront:checkout_return")
    url = request.build_absolute_uri(path)
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:  # a host name providers refuse ("shop", "testserver")
        return absolute_url(path)
    return url


def _remember_payment(request: HttpRequest, reference: str) -> None:
    known = [r for r in request.session.get(SESSION_PAYMENTS, []) if r != reference]
    request.session[SESSION_PAYMENTS] = [*known, reference][-MAX_REMEMBERED_PAYMENTS:]


def _local(url: str) -> str:
    """A URL of this site as a path, so the browser stays on the host and port it uses
    (links built from SITE_URL may name another port in development)."""
    base = settings.SITE_URL
    return url[len(base) :] if url.startswith(f"{base}/") else url


def _placed(request: HttpRequest, token: str) -> HttpResponse:
    # The checkout's cart stays in the session: a second submit of the same page finds it
    # and gets the same answer.
    forget_cart(request)
    remember_count(request, 0)
    return redirect("storefront:order_confirmation", token=token)


def _place(page: Page, form: CheckoutForm) -> HttpResponse:
    request, data = page.request, form.cleaned_data
    body: dict[str, Any] = {
        "payment_method": data["payment_method"],
        "return_url": _return_url(request),
    }
    if data["payment_method"] == PaymentMethod.TEST_CARD:
        body["payment_source"] = data["card_number"]
    for name in ("po_number", "cost_centre"):
        if data.get(name):
            body[name] = data[name]
    if data.get("customer_note"):
        body["customer_note"] = data["customer_note"]
    forms = (form, *_bound_forms(request, page)[1:])
    try:
        status, answer = checkout_services.checkout_place(
            token=page.cart.token,
            user=page.user,
            idempotency_key=data["idempotency_key"],
            body=body,
            placed_by_staff=assisting_staff(request, page.user),
        )
    except DomainError as exc:
        add_domain_errors(
            form,
            exc,
            fields={"payment_source": "card_number", "cart": "__all__", **ADDRESS_ERRORS},
        )
        page.cart.refresh_from_db()
        page.refresh()
        return page.render(forms, status=exc.status)
    payment = answer.get("payment") or {}
    if status == 201:
        return _placed(request, answer["order"]["token"])
    if status == 202 and answer.get("status") == "approval_pending":
        # The company's rules apply: nothing to pay yet; the order waits for approval.
        url = reverse("storefront:account_approval", args=[answer["approval"]["id"]])
        return redirect(f"{url}?sent=1")
    if status == 202:
        _remember_payment(request, payment.get("reference", ""))
        if answer.get("status") == "requires_action" and payment.get("action_url"):
            return HttpResponseRedirect(_local(payment["action_url"]))
        return redirect(f"{reverse('storefront:checkout_return')}?payment={payment['reference']}")
    # 402: declined, no order; the cart is open again.
    field = "card_number" if data["payment_method"] == PaymentMethod.TEST_CARD else None
    form.add_error(field, answer.get("detail") or _("The payment was declined."))
    page.cart.refresh_from_db()
    page.refresh()
    return page.render(forms, status=402)


# --- a payment in progress ---------------------------------------------------------------


def _remembered_payment(request: HttpRequest, cart: Cart) -> Payment | None:
    """The latest payment this browser started for `cart` that is still open."""
    for reference in reversed(request.session.get(SESSION_PAYMENTS, [])):
        try:
            payment = payment_selectors.payment_get(reference=reference)
        except DomainError:
            continue
        draft = (payment.metadata or {}).get("draft") or {}
        if draft.get("cart_token") == cart.token and payment.is_open:
            return payment
    return None


def _in_progress(request: HttpRequest, cart: Cart) -> HttpResponse:
    payment = _remembered_payment(request, cart)
    context = {
        "payment": payment,
        "action_url": _local(payment.action_url) if payment and payment.action_url else "",
    }
    response = render(request, "storefront/checkout_pending.html", context)
    response["Cache-Control"] = "no-store"
    return response


@with_cart_cookie
@require_POST
def checkout_cancel_payment(request: HttpRequest) -> HttpResponse:
    """Give up the payment in progress (a second step left unfinished): it is voided, the
    stock and coupons it held go back, and the cart can be checked out again."""
    cart = web_cart(request)
    payment = _remembered_payment(request, cart) if cart is not None else None
    if payment is None:
        return redirect("storefront:checkout")
    try:
        payment = payment_services.payment_void(payment=payment)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("storefront:checkout")
    settle_if_decided(payment)
    messages.info(request, _("The payment was cancelled. Choose how to pay."))
    return redirect("storefront:checkout")


def _own(request: HttpRequest, payment: Payment, order: Order) -> bool:
    """Whether this browser may see the order's page (it started the payment, or the
    order is the signed-in customer's)."""
    user = signed_in(request)
    if user is not None and order.user_id == user.pk:
        return True
    return str(payment.reference) in request.session.get(SESSION_PAYMENTS, [])


@never_cache
@with_cart_cookie
@require_safe
def checkout_return(request: HttpRequest) -> HttpResponse:
    """Back from the payment's second step (`?payment=<reference>`): ask the provider, turn
    a settled payment into the order (or give the cart back after a failure) and go on."""
    try:
        payment = payment_selectors.payment_get(reference=request.GET.get("payment", ""))
    except DomainError:
        messages.error(request, _("This payment is unknown."))
        return redirect("storefront:cart")
    if payment.order_id is None and payment.is_open:
        with contextlib.suppress(DomainError):  # no answer: shown as still processing
            payment = payment_services.payment_sync(payment=payment)
    payment = settle_if_decided(payment)
    order = payment.order
    if order is not None:
        if _own(request, payment, order):
            return _placed(request, order.token)
        context: dict[str, Any] = {"payment": payment, "order": order}
        return render(request, "storefront/checkout_pending.html", context)
    if payment.is_failed:
        messages.error(
            request, _("The payment was not accepted and no order was placed. Try again.")
        )
        return redirect("storefront:checkout")
    response = render(
        request, "storefront/checkout_pending.html", {"payment": payment, "processing": True}
    )
    response["Refresh"] = "5"
    return response
