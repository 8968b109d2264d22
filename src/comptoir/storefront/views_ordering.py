"""B2B ordering tools in the store: quick order (pasted SKUs or a CSV file), requisition
lists (account area) and reorder from a past order.

Plain forms (POST, then a redirect, or the page again with its errors), so everything works
without JavaScript. Quick order adds through the cart's bulk service: the lines it could not
add are listed with their line number, what was given and why, in an error summary the
focus can reach, and put back in the text box to fix. A form is sent once: its
Idempotency-Key (a uuid4 rendered in it) makes a double submit replay the first answer.
Another company's list, a colleague's personal list, another customer's order: 404."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.cart import services as cart_services
from comptoir.cart.models import Cart
from comptoir.cart.presenters import bulk_out
from comptoir.cart.services import BulkResult
from comptoir.core import csv_files, idempotency
from comptoir.core.errors import DomainError
from comptoir.core.pagination import PageRequest
from comptoir.requisitions import selectors as requisition_selectors
from comptoir.requisitions import services as requisition_services
from comptoir.storefront.shop import current_language
from comptoir.storefront.views_account import not_found_is_404, render_private
from comptoir.storefront.views_cart import cart_shown
from comptoir.storefront.web_cart import web_cart, with_cart_cookie

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
MAX_TEXT = 200_000  # characters of the text box (the file takes up to 1 MB)


class QuickOrderForm(forms.Form):
    lines = forms.CharField(
        label=gettext_lazy("SKUs and quantities"),
        help_text=gettext_lazy(
            "One product per line: the SKU, then the quantity, separated by a space, a tab, "
            "a comma or a semicolon (e.g. “VIS-4X40 200”). A SKU alone orders 1."
        ),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(
            attrs={"rows": 8, "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("Or a CSV file"),
        help_text=gettext_lazy(
            "Columns “sku” and “quantity” (comma or semicolon), UTF-8, at most 500 lines and 1 MB."
        ),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("lines", "").strip() and not data.get("file"):
            self.add_error("lines", _("Enter SKUs and quantities, or choose a CSV file."))
        return data


def _fresh_key() -> str:
    return uuid.uuid4().hex


def _lines(form: QuickOrderForm) -> list[cart_services.BulkLine]:
    upload = form.cleaned_data.get("file")
    if upload:
        data = csv_files.upload_read(upload, max_bytes=cart_services.MAX_IMPORT_BYTES)
        return cart_services.lines_from_csv(data)
    return cart_services.lines_from_text(form.cleaned_data["lines"])


def _summary(request: HttpRequest, answer: dict[str, Any]) -> None:
    """The outcome of a bulk addition as messages (for pages that redirect)."""
    units = sum(a["quantity"] for a in answer["added"])
    if answer["added"]:
        messages.success(
            request,
            ngettext(
                "%(lines)d line added to your cart (%(units)d units).",
                "%(lines)d lines added to your cart (%(units)d units).",
                len(answer["added"]),
            )
            % {"lines": len(answer["added"]), "units": units},
        )
    for rejected in answer["rejected"]:
        messages.error(request, f"{rejected['sku'] or rejected['value']}: {rejected['message']}")


def _bulk(
    request: HttpRequest, *, key: str, scope: str, fingerprint: dict[str, Any], run: Any
) -> dict[str, Any]:
    """`run()` (a BulkResult) once per form submission (see the module docstring)."""

    def work() -> dict[str, Any]:
        result: BulkResult = run()
        return bulk_out(result)

    return idempotency.run_once(key=key, scope=f"web:{scope}", fingerprint=fingerprint, work=work)


@never_cache
@with_cart_cookie
@require_http_methods(["GET", "HEAD", "POST"])
def quick_order(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"current_page": "quick_order"}
    status = 200
    if request.method != "POST":
        context |= {"form": QuickOrderForm(), "idempotency_key": _fresh_key()}
        return render_private(request, "storefront/quick_order.html", context)
    form = QuickOrderForm(request.POST, request.FILES)
    answer: dict[str, Any] | None = None
    if form.is_valid():
        try:
            lines = _lines(form)
            cart = web_cart(request, create=True)
            if cart is None:
                raise DomainError(_("Nothing is sold here yet."))
            answer = _bulk(
                request,
                key=form.cleaned_data["idempotency_key"],
                scope=f"quick-order:{cart.token}",
                fingerprint={"key": form.cleaned_data["idempotency_key"]},
                run=lambda: cart_services.lines_add_bulk(cart=cart, lines=lines, user=request.user),
            )
        except DomainError as exc:
            field = "file" if form.cleaned_data.get("file") else "lines"
            form.add_error(field, exc.detail)
            status = exc.status
        else:
            cart_shown(request, cart)  # the header's count
            if not answer["rejected"]:
                _summary(request, answer)
                return redirect("storefront:cart")
    else:
        status = 400
    if answer is not None:
        # What could not be added goes back in the box, to fix and send again.
        form = QuickOrderForm(initial={"lines": "\n".join(r["value"] for r in answer["rejected"])})
        status = 200 if answer["added"] else 400
    # Sent again after a fix, the form is a new submission: a new key.
    context |= {"form": form, "answer": answer, "idempotency_key": _fresh_key()}
    return render_private(request, "storefront/quick_order.html", context, status=status)


# --- requisition lists --------------------------------------------------------------------


class ListForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    shared = forms.BooleanField(label=gettext_lazy("Share with my company"), required=False)


class ListLineForm(forms.Form):
    sku = forms.CharField(label=gettext_lazy("SKU"), max_length=64)
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"), min_value=1, max_value=9999, initial=1
    )
    note = forms.CharField(label=gettext_lazy("Note (optional)"), max_length=255, required=False)


def _list_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 18:
        raise Http404(_("Requisition list not found."))
    return int(raw)


def _member(request: HttpRequest) -> None:
    with not_found_is_404():
        requisition_selectors.member_company(request.user)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def requisition_lists(request: HttpRequest) -> HttpResponse:
    _member(request)
    form = ListForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rlist = requisition_services.requisition_list_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    shared=form.cleaned_data["shared"],
                )
            except DomainError as exc:
                form.add_error("shared" if exc.status == 403 else "name", exc.detail)
                status = exc.status
            else:
                messages.success(request, _("List “%(name)s” created.") % {"name": rlist.name})
                return redirect("storefront:requisition_list", rlist.pk)
        else:
            status = 400
    rows, count = requisition_selectors.requisition_lists_page(
        user=request.user, page=PageRequest(page=1, page_size=100)
    )
    context = {"lists": rows, "count": count, "form": form, "current_page": "requisitions"}
    return render_private(
        request, "storefront/account/requisition_lists.html", context, status=status
    )


def _detail_page(
    request: HttpRequest, list_id: int, *, status: int = 200, **extra: Any
) -> HttpResponse:
    with not_found_is_404():
        detail = requisition_selectors.requisition_list_detail(
            user=request.user, list_id=list_id, language=current_language()
        )
    context = {
        "detail": detail,
        "rlist": detail.summary,
        "line_form": extra.pop("line_form", None) or ListLineForm(),
        "rename_form": extra.pop("rename_form", None)
        or ListForm(initial={"name": detail.summary.name, "shared": detail.summary.shared}),
        "idempotency_key": _fresh_key(),
        "current_page": "requisitions",
        **extra,
    }
    return render_private(
        request, "storefront/account/requisition_list.html", context, status=status
    )


@login_required
@never_cache
@with_cart_cookie
@require_http_methods(["GET", "HEAD", "POST"])
def requisition_list(request: HttpRequest, list_id: str) -> HttpResponse:
    """The list; POST `action` = `save` (the quantities and notes of the form, fields
    `quantity-<line id>` and `note-<line id>`), `cart` (the ticked lines, `line`, else all)."""
    pk = _list_id(list_id)
    if request.method != "POST":
        return _detail_page(request, pk)
    action = request.POST.get("action", "")
    if action == "save":
        return _save_lines(request, pk)
    if action == "cart":
        return _to_cart(request, pk)
    return _detail_page(request, pk, status=400, error=_("Choose what to do."))


def _save_lines(request: HttpRequest, pk: int) -> HttpResponse:
    with not_found_is_404():
        detail = requisition_selectors.requisition_list_detail(user=request.user, list_id=pk)
    errors: dict[int, str] = {}
    for line in detail.lines:
        raw = request.POST.get(f"quantity-{line.id}", "").strip()
        note = request.POST.get(f"note-{line.id}", line.note)[:1000]
        # Not a number: refused by the service as INVALID_QUANTITY, said next to the line.
        quantity = int(raw) if raw.isdigit() and len(raw) <= 5 else 0
        if quantity == line.quantity and note == line.note:
            continue
        try:
            requisition_services.requisition_line_update(
                user=request.user, list_id=pk, line_id=line.id, quantity=quantity, note=note
            )
        except DomainError as exc:
            errors[line.id] = exc.detail
            if exc.status in (403, 404):
                break
    if errors:
        return _detail_page(request, pk, status=400, line_errors=errors)
    messages.success(request, _("List saved."))
    return redirect("storefront:requisition_list", pk)


def _to_cart(request: HttpRequest, pk: int) -> HttpResponse:
    ids = [int(v) for v in request.POST.getlist("line") if v.isdigit() and len(v) <= 18]
    key = request.POST.get("idempotency_key", "")[:64] or None
    try:
        cart: Cart | None = web_cart(request, create=True)
        if cart is None:
            raise DomainError(_("Nothing is sold here yet."))
        with not_found_is_404():
            answer = _bulk(
                request,
                key=key or _fresh_key(),
                scope=f"requisition:{pk}:{cart.token}",
                fingerprint={"lines": ids},
                run=lambda: requisition_services.requisition_list_to_cart(
                    user=request.user, list_id=pk, cart=cart, line_ids=ids or None
                ),
            )
    except DomainError as exc:
        return _detail_page(request, pk, status=exc.status, error=exc.detail)
    cart_shown(request, cart)
    if answer["rejected"]:
        return _detail_page(request, pk, answer=answer, status=200 if answer["added"] else 400)
    _summary(request, answer)
    return redirect("storefront:cart")


def _list_write(
    request: HttpRequest, pk: int, call: Any, success: str, *, then: Any = None
) -> HttpResponse:
    """Run `call()`: a refusal shows the list with it; done, `success` is said and the
    browser goes to `then(result)` (a URL or a view name and args), else back to the list."""
    try:
        with not_found_is_404():
            result = call()
    except DomainError as exc:
        return _detail_page(request, pk, status=exc.status, error=exc.detail)
    messages.success(request, success % {"name": getattr(result, "name", "")})
    if then is None:
        return redirect("storefront:requisition_list", pk)
    return redirect(*then(result))


@login_required
@require_POST
def requisition_line_add(request: HttpRequest, list_id: str) -> HttpResponse:
    pk = _list_id(list_id)
    form = ListLineForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, pk, status=400, line_form=form)
    data = form.cleaned_data
    try:
        with not_found_is_404():
            requisition_services.requisition_line_add(
                user=request.user,
                list_id=pk,
                sku=data["sku"],
                quantity=data["quantity"],
                note=data["note"],
            )
    except DomainError as exc:
        field = "quantity" if exc.code == "INVALID_QUANTITY" else "sku"
        form.add_error(None if exc.status == 403 else field, exc.detail)
        return _detail_page(request, pk, status=exc.status, line_form=form)
    messages.success(request, _("%(sku)s added to the list.") % {"sku": data["sku"]})
    return redirect("storefront:requisition_list", pk)


@login_required
@require_POST
def requisition_line_remove(request: HttpRequest, list_id: str, line_id: str) -> HttpResponse:
    pk = _list_id(list_id)
    return _list_write(
        request,
        pk,
        lambda: requisition_services.requisition_line_delete(
            user=request.user, list_id=pk, line_id=_list_id(line_id)
        ),
        _("Line removed."),
    )


@login_required
@require_POST
def requisition_list_rename(request: HttpRequest, list_id: str) -> HttpResponse:
    pk = _list_id(list_id)
    form = ListForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, pk, status=400, rename_form=form)
    return _list_write(
        request,
        pk,
        lambda: requisition_services.requisition_list_update(
            user=request.user,
            list_id=pk,
            name=form.cleaned_data["name"],
            shared=form.cleaned_data["shared"],
        ),
        _("List saved."),
    )


@login_required
@require_POST
def requisition_list_delete(request: HttpRequest, list_id: str) -> HttpResponse:
    pk = _list_id(list_id)
    return _list_write(
        request,
        pk,
        lambda: requisition_services.requisition_list_delete(user=request.user, list_id=pk),
        _("List deleted."),
        then=lambda _result: ("storefront:requisition_lists",),
    )


@login_required
@require_POST
def requisition_list_copy(request: HttpRequest, list_id: str) -> HttpResponse:
    pk = _list_id(list_id)
    return _list_write(
        request,
        pk,
        lambda: requisition_services.requisition_list_copy(user=request.user, list_id=pk),
        _("Copied into “%(name)s”."),
        then=lambda copy: ("storefront:requisition_list", copy.pk),
    )


@login_required
@with_cart_cookie
@require_POST
def requisition_list_from_cart(request: HttpRequest) -> HttpResponse:
    """A new personal list holding the cart's lines (the cart does not change)."""
    _member(request)
    cart = web_cart(request)
    if cart is None:
        messages.error(request, _("Your cart is empty."))
        return redirect("storefront:cart")
    try:
        rlist = requisition_services.requisition_list_create(user=request.user, name=_("My cart"))
        requisition_services.lines_from_cart(user=request.user, list_id=rlist.pk, cart=cart)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("storefront:cart")
    messages.success(
        request, _("Your cart was saved as the list “%(name)s”.") % {"name": rlist.name}
    )
    return redirect("storefront:requisition_list", rlist.pk)


@login_required
@never_cache
@require_POST
def requisition_item_add(request: HttpRequest) -> HttpResponse:
    """ "Add to a requisition list" from the product page (`sku`, `quantity`, `product`):
    without `list` or `new_name`, a page to choose the list (or name a new one); with them,
    the SKU goes into the list and the browser back to the product."""
    _member(request)
    sku = request.POST.get("sku", "")[:64]
    raw = request.POST.get("quantity", "1").strip()
    quantity = int(raw) if raw.isdigit() and len(raw) <= 5 else 0
    product = request.POST.get("product", "")[:160]
    chosen, new_name = request.POST.get("list", ""), request.POST.get("new_name", "").strip()
    error, status = "", 200
    if chosen or new_name:
        try:
            with not_found_is_404():
                if new_name:
                    list_id = requisition_services.requisition_list_create(
                        user=request.user, name=new_name[:1000]
                    ).pk
                else:
                    list_id = _list_id(chosen)
                requisition_services.requisition_line_add(
                    user=request.user, list_id=list_id, sku=sku, quantity=quantity
                )
        except DomainError as exc:
            error, status = exc.detail, exc.status
        else:
            messages.success(request, _("%(sku)s added to the list.") % {"sku": sku})
            if product and _SLUG.fullmatch(product):
                return redirect("storefront:product", product)
            return redirect("storefront:requisition_list", list_id)
    rows, _count = requisition_selectors.requisition_lists_page(
        user=request.user, page=PageRequest(page=1, page_size=100)
    )
    context = {
        "lists": [r for r in rows if r.editable],
        "sku": sku,
        "quantity": quantity or 1,
        "product": product,
        "new_name": new_name,
        "error": error,
        "current_page": "requisitions",
    }
    return render_private(
        request, "storefront/account/requisition_add.html", context, status=status
    )


# --- reorder ------------------------------------------------------------------------------


@login_required
@with_cart_cookie
@require_POST
def order_reorder(request: HttpRequest, number: str) -> HttpResponse:
    """The order's lines into the cart at today's prices; what is no longer sold is said."""
    key = request.POST.get("idempotency_key", "")[:64] or _fresh_key()
    try:
        cart = web_cart(request, create=True)
        if cart is None:
            raise DomainError(_("Nothing is sold here yet."))
        with not_found_is_404():
            answer = _bulk(
                request,
                key=key,
                scope=f"reorder:{number[:64]}:{cart.token}",
                fingerprint={"number": number[:64]},
                run=lambda: requisition_services.order_reorder(
                    user=request.user, number=number, cart=cart
                )[1],
            )
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("storefront:account_order", number)
    cart_shown(request, cart)
    _summary(request, answer)
    return redirect("storefront:cart")
