from decimal import Decimal

import pytest
from django.test import Client

from comptoir.core.html import sanitize_html
from comptoir.core.money import Money, quantize


def test_quantize_rounds_half_up_at_minor_unit() -> None:
    assert quantize(Decimal("0.125"), "EUR") == Decimal("0.13")
    assert quantize(Decimal("0.124"), "EUR") == Decimal("0.12")
    assert quantize(Decimal("12.5"), "JPY") == Decimal("13")


def test_money_refuses_floats_and_mixed_currencies() -> None:
    with pytest.raises(TypeError):
        Money(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mix"):
        Money(Decimal(1), "EUR") + Money(Decimal(1), "USD")
    assert (Money(Decimal("1.005"), "EUR") * 3).as_str() == "3.02"


def test_sanitize_html_drops_scripts_and_handlers() -> None:
    dirty = '<p onclick="x()">Hi<script>alert(1)</script><a href="javascript:x">l</a></p>'
    assert sanitize_html(dirty) == '<p>Hi<a rel="noopener noreferrer nofollow">l</a></p>'


@pytest.mark.django_db
def test_healthz_reports_database_ok(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_unknown_api_path_is_problem_json(client: Client) -> None:
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("value", "storable"),
    [("Perceuse à percussion", True), ("a\x00b", False), ("\ud800", False), ("", True)],
)
def test_text_storable(value: str, storable: bool) -> None:
    from comptoir.core.text import text_storable

    assert text_storable(value) is storable
