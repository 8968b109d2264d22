"""The cart view as the API shows it: amounts as strings with the currency's digits, price
objects `{net, tax, gross, currency, rule}`, rates in percent."""

from __future__ import annotations

from typing import Any

from comptoir.cart.models import Cart
from comptoir.cart.records import CartView, ViewLine
from comptoir.cart.services.bulk import BulkResult
from comptoir.pricing.records import Price, minor_str
from comptoir.shipping.records import ShippingOption
from comptoir.taxes.calc import rate_percent


def _amounts(price: Price, digits: int) -> dict[str, str]:
    return {
        "net": minor_str(price.net, digits),
        "tax": minor_str(price.tax, digits),
        "gross": minor_str(price.gross, digits),
    }


def price_out(price: Price | None, view: CartView, rule: str) -> dict[str, Any] | None:
    if price is None:
        return None
    return {**_amounts(price, view.digits), "currency": view.currency, "rule": rule}


def total_out(price: Price, view: CartView) -> dict[str, Any]:
    return {**_amounts(price, view.digits), "currency": view.currency}


def _rate(units: int) -> str:
    return str(rate_percent(units))


def line_out(line: ViewLine, view: CartView) -> dict[str, Any]:
    unit = None
    if line.unit is not None:
        unit = {
            **_amounts(line.unit, view.digits),
            "currency": view.currency,
            "rule": line.rule,
            "tax_rate": _rate(line.tax_rate),
            "undiscounted": None
            if line.undiscounted_unit is None
            else _amounts(line.undiscounted_unit, view.digits),
        }
    return {
        "id": line.line_id,
        "sku": line.sku,
        "variant_id": line.variant_id,
        "product_id": line.product_id,
        "product_name": line.product_name,
        "variant_name": line.variant_name,
        "quantity": line.quantity,
        "saved_for_later": line.saved_for_later,
        "unit": unit,
        "subtotal": price_out(line.subtotal, view, line.rule),
        "discount": None if line.discount_price is None else total_out(line.discount_price, view),
        "total": price_out(line.total, view, line.rule),
        "rule": line.rule,
        "tax_rate": _rate(line.tax_rate),
        "available": max(line.available or 0, 0),
        "backorder": line.backorder,
        "weight_grams": line.weight_grams,
        "problem": line.problem,
    }


def cart_out(view: CartView, cart: Cart) -> dict[str, Any]:
    applied = {d.coupon_code for d in view.discounts if d.coupon_code}
    shipping = view.shipping
    return {
        "token": view.token,
        "status": view.status,
        "channel": cart.channel.code,
        "currency": view.currency,
        "prices_include_tax": view.display_gross,
        "tax_treatment": view.tax_treatment,
        "legal_mention": view.legal_mention or None,
        "email": view.email,
        "language": cart.language,
        "shipping_address": view.shipping_address,
        "billing_address": view.billing_address,
        "shipping_method_id": view.shipping_method_id,
        "lines": [line_out(line, view) for line in view.lines],
        "saved_for_later": [line_out(line, view) for line in view.saved],
        "discounts": [
            {
                "promotion": d.promotion_code,
                "coupon": d.coupon_code or None,
                "label": d.label,
                "amount": price_out(
                    d.price or Price(0, 0, 0), view, f"promotion:{d.promotion_code}"
                ),
                "free_shipping": d.free_shipping,
            }
            for d in view.discounts
        ],
        "coupons": [
            {"code": code, "applied": code in applied, "problem": problem}
            for code, problem in view.coupons
        ],
        "subtotal": total_out(view.subtotal, view),
        "shipping": None
        if shipping is None
        else {
            "method_id": shipping.method_id,
            "code": shipping.code,
            "name": shipping.name,
            "kind": shipping.kind,
            "price": price_out(shipping.price, view, f"shipping:{shipping.code}"),
            "tax_rate": _rate(shipping.tax_rate),
            "pickup_warehouse_id": shipping.pickup_warehouse_id,
        },
        "total": total_out(view.total, view),
        "tax_breakdown": [
            {
                "rate": _rate(bucket.rate),
                "net": minor_str(bucket.net, view.digits),
                "tax": minor_str(bucket.tax, view.digits),
                "currency": view.currency,
            }
            for bucket in view.tax_breakdown
        ],
        "weight_grams": view.weight_grams,
        "blockers": list(view.blockers),
        "updated_at": cart.updated_at,
    }


def option_out(option: ShippingOption, currency: str, digits: int) -> dict[str, Any]:
    return {
        "method_id": option.method_id,
        "code": option.code,
        "name": option.name,
        "description": option.description,
        "kind": option.kind,
        "price": {
            **_amounts(option.price, digits),
            "currency": currency,
            "rule": f"shipping:{option.code}",
        },
        "tax_rate": _rate(option.tax_rate),
        "free": option.free,
        "delivery_days_min": option.delivery_days_min,
        "delivery_days_max": option.delivery_days_max,
        "pickup_warehouse_id": option.pickup_warehouse_id,
    }


def bulk_out(result: BulkResult) -> dict[str, Any]:
    """The added and rejected lines of a bulk addition (without the cart)."""
    return {
        "added": [
            {
                "lines": list(a.lines),
                "sku": a.sku,
                "quantity": a.quantity,
                "line_id": a.line_id,
                "line_quantity": a.line_quantity,
            }
            for a in result.added
        ],
        "rejected": [
            {
                "line": r.lines[0],
                "lines": list(r.lines),
                "value": r.value,
                "sku": r.sku,
                "quantity": r.quantity,
                "code": r.code,
                "message": r.message,
            }
            for r in result.rejected
        ],
    }
