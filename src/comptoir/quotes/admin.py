"""Back-office for quotes: the list (filters by state, search by number or company), each
quote with its lines, revisions (what the buyer was sent), comments and its audit trail
(who changed what). Staff with `quotes.change_quote` negotiate here: line quantities and
negotiated unit prices, the discount, shipping method and price, the expiry, and "Send to
the buyer" (an action on the list, a button on the page), all through the services, like
the staff API (docs/quotes.md); a refusal is shown on the form, nothing is saved."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.core.errors import DomainError
from comptoir.core.service_admin import (
    ReadOnlyMixin,
    ServiceAdmin,
    ServiceInline,
    adopt,
    fresh,
    request_actor,
)
from comptoir.quotes import services
from comptoir.quotes.models import (
    QUOTE_TOTALS,
    Quote,
    QuoteComment,
    QuoteEvent,
    QuoteLine,
    QuoteRevision,
)


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class ServiceCheckedForm(forms.ModelForm):
    def validate_constraints(self) -> None:
        """The table's checks (discount range, positive quantity) are the service's to say, with its own
        message on the field (quote_update); the database still enforces them."""


class QuoteLineInline(ServiceInline):
    """Quantities and negotiated unit prices (excl. tax) through `quote_line_update`; a
    line is removed through `quote_line_delete`. Lines are added through the staff API."""

    model = QuoteLine
    form = ServiceCheckedForm
    fields = (
        "sku",
        "product_name",
        "quantity",
        "list_unit_net",
        "target_unit_net",
        "unit_net",
        "tax_rate",
        "total_net",
    )
    readonly_fields = (
        "sku",
        "product_name",
        "list_unit_net",
        "target_unit_net",
        "tax_rate",
        "total_net",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # Lines follow the quote's permissions (a line is part of the quote).
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("quotes.view_quote") or self.has_change_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("quotes.change_quote")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("quotes.change_quote")

    def service_save(self, parent: Quote, form: Any, *, created: bool) -> QuoteLine:
        names = {"quantity": "quantity", "unit_net": "unit_price"}
        changes = {names[f]: form.cleaned_data[f] for f in form.changed_data if f in names}
        return services.quote_line_update(
            quote=parent, actor=self.actor, line_id=form.instance.pk, changes=changes
        )

    def service_delete(self, parent: Quote, instance: QuoteLine) -> None:
        services.quote_line_delete(quote=parent, actor=self.actor, line_id=instance.pk)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        self.actor = request_actor(request)
        return super().get_formset(request, obj, **kwargs)


class QuoteRevisionInline(ReadOnlyInline):
    model = QuoteRevision
    fields = readonly_fields = ("version", "author", "comment", "created_at", "snapshot")


class QuoteCommentInline(ReadOnlyInline):
    model = QuoteComment
    fields = readonly_fields = ("author", "by_staff", "body", "created_at")


class QuoteEventInline(ReadOnlyInline):
    model = QuoteEvent
    fields = readonly_fields = ("created_at", "actor", "kind", "data")


# The quote's fields staff change, and the name `quote_update` knows each by.
EDITABLE = {
    "discount_percent": "discount_percent",
    "shipping_method_code": "shipping_method",
    "shipping_net": "shipping_price",
    "expires_at": "expires_at",
}


HEAD = ("number", "company", "requested_by", "channel", "currency", "state", "version", "order")
TOTALS = tuple(name for name in QUOTE_TOTALS if name != "shipping_net")
FIELDS = (
    *HEAD,
    "expires_at",
    "discount_percent",
    "shipping_method_code",
    "shipping_method_name",
    "shipping_net",
    "tax_treatment",
    *TOTALS,
)


@admin.register(Quote)
class QuoteAdmin(ServiceAdmin):
    list_display = ("number", "company", "state", "total_net", "expires_at", "version")
    list_filter = ("state",)
    list_select_related = ("company",)
    search_fields = ("number", "company__legal_name")
    fields = FIELDS
    readonly_fields = tuple(f for f in FIELDS if f not in EDITABLE)
    inlines = (QuoteLineInline, QuoteRevisionInline, QuoteCommentInline, QuoteEventInline)
    form = ServiceCheckedForm
    actions = ("send_to_buyer",)
    change_form_template = "admin/quotes/quote/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Quote, form: Any, change: bool) -> None:
        changes = {EDITABLE[f]: form.cleaned_data[f] for f in form.changed_data if f in EDITABLE}
        if changes.get("shipping_method") is None and "shipping_method" in changes:
            changes["shipping_method"] = ""
        if changes:
            adopt(
                obj,
                services.quote_update(
                    quote=fresh(obj), actor=request_actor(request), changes=changes
                ),
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if "_send" in request.POST:
            # In the same transaction as the changes: a refused send saves nothing.
            services.quote_send(quote=form.instance, actor=request_actor(request))
            self.message_user(
                request,
                _("Quote %(number)s sent to the buyer.") % {"number": form.instance.number},
            )

    @admin.action(description=gettext_lazy("Send to the buyer"), permissions=["change"])
    def send_to_buyer(self, request: HttpRequest, queryset: QuerySet[Quote]) -> HttpResponse | None:
        """Each selected quote sent (a new version); one refused does not stop the others."""
        for quote in queryset.order_by("pk"):
            try:
                services.quote_send(quote=quote, actor=request_actor(request))
            except DomainError as exc:
                self.message_user(request, f"{quote.number}: {exc.detail}", level=messages.ERROR)
            else:
                self.message_user(
                    request, _("Quote %(number)s sent to the buyer.") % {"number": quote.number}
                )
        return None
