"""Back-office of invoicing. Issued invoices and credit notes never change (corrections
are credit notes, issued through the staff API); the only write here is issuing an
order's invoice ("Add invoice" asks for the order number and calls the service). Each
invoice links to its Factur-X PDF and UBL file. Billing accounts change through the staff
API, which keeps who changed them (docs/invoicing.md). Payment terms are reference data,
read here too."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comptoir.core.errors import DomainError
from comptoir.core.service_admin import ReadOnlyMixin
from comptoir.invoicing import services
from comptoir.invoicing.models import (
    BillingAccount,
    BillingAccountChange,
    Invoice,
    PaymentAllocation,
    PaymentTerms,
    ReceivedPayment,
)
from comptoir.invoicing.responses import invoice_pdf_response, invoice_ubl_response
from comptoir.orders import selectors as orders


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


@admin.register(PaymentTerms)
class PaymentTermsAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "net_days", "end_of_month", "discount_percent", "discount_days")


class ChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = BillingAccountChange
    fields = ("changed_at", "changed_by", "terms_code", "on_account_allowed", "credit_limit")
    readonly_fields = fields
    extra = 0


@admin.register(BillingAccount)
class BillingAccountAdmin(ReadOnlyAdmin):
    list_display = ("company", "terms", "on_account_allowed", "credit_limit", "changed_by")
    list_select_related = ("company", "terms", "changed_by")
    search_fields = ("company__legal_name",)
    inlines = (ChangeInline,)


class IssueInvoiceForm(forms.Form):
    order_number = forms.CharField(
        label=_("Order number"),
        max_length=32,
        help_text=_(
            "The order's invoice is issued now, numbered in its series; an order already "
            "invoiced leads to its invoice."
        ),
    )


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "status", "company", "issue_date", "due_date", "total_gross")
    list_filter = ("kind", "status")
    list_select_related = ("company",)
    search_fields = ("number", "order_number", "po_number", "company__legal_name")
    date_hierarchy = "issue_date"
    readonly_fields = ("downloads",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm("invoicing.add_invoice"))

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/pdf/", view(self.pdf_view), name="invoicing_invoice_pdf"),
            path("<int:pk>/ubl/", view(self.ubl_view), name="invoicing_invoice_ubl"),
            *super().get_urls(),
        ]

    @admin.display(description=_("Documents"))
    def downloads(self, invoice: Invoice) -> str:
        if invoice.pk is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:invoicing_invoice_pdf", args=[invoice.pk]),
            gettext("PDF (Factur-X)"),
            reverse("admin:invoicing_invoice_ubl", args=[invoice.pk]),
            gettext("UBL (Peppol)"),
        )

    def _viewable(self, request: HttpRequest, pk: int) -> Invoice:
        if not self.has_view_permission(request):
            raise PermissionDenied
        invoice = Invoice.objects.filter(pk=pk).first()
        if invoice is None:
            raise Http404("No such invoice.")
        return invoice

    def pdf_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return invoice_pdf_response(self._viewable(request, pk))

    def ubl_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return invoice_ubl_response(self._viewable(request, pk))

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        """Issue an order's invoice: the order number, then `invoice_issue` (idempotent)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = IssueInvoiceForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                order = orders.order_staff_find(number=form.cleaned_data["order_number"])
                invoice, created = services.invoice_issue(order=order, actor=request.user)
            except DomainError as exc:
                form.add_error("order_number", exc.detail)
            else:
                text = (
                    gettext("Invoice %(number)s issued.")
                    if created
                    else gettext("The order was already invoiced: %(number)s.")
                )
                level = messages.SUCCESS if created else messages.WARNING
                self.message_user(request, text % {"number": invoice.number}, level=level)
                url = reverse("admin:invoicing_invoice_change", args=[invoice.pk])
                return HttpResponseRedirect(url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Issue an order's invoice"),
            "form": form,
            "has_view_permission": self.has_view_permission(request),
            **(extra_context or {}),
        }
        status = 400 if form.is_bound else 200
        return TemplateResponse(
            request, "admin/invoicing/invoice/issue.html", context, status=status
        )


class AllocationInline(ReadOnlyMixin, admin.TabularInline):
    model = PaymentAllocation
    fields = ("invoice", "amount")
    readonly_fields = fields
    extra = 0


@admin.register(ReceivedPayment)
class ReceivedPaymentAdmin(ReadOnlyAdmin):
    list_display = ("reference", "company", "received_on", "amount", "unallocated", "method")
    list_select_related = ("company",)
    search_fields = ("reference", "company__legal_name")
    inlines = (AllocationInline,)
