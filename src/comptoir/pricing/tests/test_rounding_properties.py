"""Property-based tests of the engine's rounding (hypothesis), without the database: lines
are rounded once, half-up at the cent; totals are sums of lines; the display mode never
changes amounts; a tax-included and a tax-excluded channel agree to the cent."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.pricing.engine import Engine, PricingContext, VariantRow
from comptoir.pricing.records import total_of
from comptoir.promotions.selectors.active import CatalogPromotion
from comptoir.taxes.rules import Treatment
from comptoir.taxes.selectors import RateTable

# Tax classes 1..4 with the French rates, in thousandths of a percent.
RATES = RateTable(
    class_codes={1: "standard", 2: "intermediate", 3: "reduced", 4: "super-reduced"},
    standard_id=1,
    rates={("FR", 1): 20_000, ("FR", 2): 10_000, ("FR", 3): 5_500, ("FR", 4): 2_100},
)
PERCENT = {1: Decimal("0.20"), 2: Decimal("0.10"), 3: Decimal("0.055"), 4: Decimal("0.021")}
CENT = Decimal("0.01")


def context(*, entered_gross: bool, display_gross: bool | None = None) -> PricingContext:
    return PricingContext(
        channel_id=1,
        currency="EUR",
        digits=2,
        entered_gross=entered_gross,
        display_gross=entered_gross if display_gross is None else display_gross,
        entry_country="FR",
        destination_country="FR",
        seller_country="FR",
        treatment=Treatment.DOMESTIC,
        rates=RATES,
        promotions=(),
        now=datetime(2026, 11, 27, tzinfo=UTC),
    )


def row(i: int, amount: int, tax_class: int) -> VariantRow:
    return VariantRow(
        variant_id=i,
        sku=f"S{i}",
        product_id=i,
        category_id=1,
        tax_class_id=tax_class,
        for_sale=True,
        base=amount,
    )


lines_strategy = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=10_000_000),  # unit price in cents
        st.integers(min_value=1, max_value=10_000),  # quantity
        st.sampled_from([1, 2, 3, 4]),  # tax class
    ),
    min_size=1,
    max_size=30,
)


def half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@settings(max_examples=300, deadline=None)
@given(lines=lines_strategy, entered_gross=st.booleans())
def test_lines_are_exact_and_totals_are_their_sums(
    lines: list[tuple[int, int, int]], entered_gross: bool
) -> None:
    engine = Engine(context(entered_gross=entered_gross))
    priced = [engine.price(row(i, a, c), q) for i, (a, q, c) in enumerate(lines)]
    for line, (amount, quantity, tax_class) in zip(priced, lines, strict=True):
        assert line.total is not None
        assert line.total.net + line.total.tax == line.total.gross
        entered = Decimal(amount) * quantity / 100
        rate = PERCENT[tax_class]
        if entered_gross:
            # The shopper pays exactly the shown price times the quantity.
            assert Decimal(line.total.gross) / 100 == entered
            assert Decimal(line.total.tax) / 100 == half_up(entered * rate / (1 + rate))
        else:
            assert Decimal(line.total.net) / 100 == entered
            assert Decimal(line.total.tax) / 100 == half_up(entered * rate)
    total = total_of(priced)
    assert total.net == sum(line.total.net for line in priced if line.total)
    assert total.tax == sum(line.total.tax for line in priced if line.total)
    assert total.gross == sum(line.total.gross for line in priced if line.total)
    assert total.net + total.tax == total.gross


@settings(max_examples=200, deadline=None)
@given(lines=lines_strategy, entered_gross=st.booleans())
def test_display_mode_never_changes_amounts(
    lines: list[tuple[int, int, int]], entered_gross: bool
) -> None:
    shown_gross = Engine(context(entered_gross=entered_gross, display_gross=True))
    shown_net = Engine(context(entered_gross=entered_gross, display_gross=False))
    for i, (amount, quantity, tax_class) in enumerate(lines):
        a = shown_gross.price(row(i, amount, tax_class), quantity)
        b = shown_net.price(row(i, amount, tax_class), quantity)
        assert (a.unit, a.total) == (b.unit, b.total)


@settings(max_examples=300, deadline=None)
@given(
    gross=st.integers(min_value=1, max_value=10_000_000),
    quantity=st.integers(min_value=1, max_value=10_000),
    tax_class=st.sampled_from([1, 2, 3, 4]),
)
def test_tax_included_and_tax_excluded_channels_agree_to_the_cent(
    gross: int, quantity: int, tax_class: int
) -> None:
    # The same article, entered tax-included in one channel and, in the other, at the net
    # the first one shows for it.
    b2c = Engine(context(entered_gross=True)).price(row(1, gross, tax_class), quantity)
    assert b2c.unit is not None
    assert b2c.total is not None
    b2b = Engine(context(entered_gross=False)).price(row(1, b2c.unit.net, tax_class), quantity)
    assert b2b.unit is not None
    assert b2b.total is not None
    assert b2b.unit.net == b2c.unit.net
    assert abs(b2b.unit.gross - b2c.unit.gross) <= 1
    assert abs(b2b.unit.tax - b2c.unit.tax) <= 1
    # Over a line, each unit may differ by at most that cent, never more.
    assert abs(b2b.total.gross - b2c.total.gross) <= quantity


@settings(max_examples=300, deadline=None)
@given(
    variants=st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(min_value=1, max_value=100_000)),  # base
            st.one_of(st.none(), st.integers(min_value=1, max_value=100_000)),  # contract
            st.integers(min_value=1, max_value=20),  # minimum quantity of the entry
            st.lists(
                st.tuples(
                    st.integers(min_value=2, max_value=30),
                    st.integers(min_value=1, max_value=100_000),
                ),
                max_size=3,
                unique_by=lambda t: t[0],
            ),
        ),
        min_size=1,
        max_size=5,
    ),
    allows=st.booleans(),
    percent=st.sampled_from(["0", "10", "33.33"]),
    entered_gross=st.booleans(),
)
def test_the_cheapest_variant_is_the_lowest_priced_line(
    variants: list[tuple[int | None, int | None, int, list[tuple[int, int]]]],
    allows: bool,
    percent: str,
    entered_gross: bool,
) -> None:
    from dataclasses import replace

    from comptoir.pricing.engine import EntryData, ListRef
    from comptoir.pricing.records import QuantityRule

    promotions: tuple[CatalogPromotion, ...] = ()
    if percent != "0":
        promotions = (
            CatalogPromotion(
                id=1,
                code="p",
                name="P",
                name_en="",
                priority=0,
                exclusive=False,
                percentage=True,
                value=Decimal(percent),
                currency="",
                starts_at=None,
                ends_at=None,
                channel_ids=frozenset(),
                group_ids=frozenset(),
                product_ids=None,
                category_ids=frozenset(),
            ),
        )
    ctx = replace(
        context(entered_gross=entered_gross),
        contract=ListRef(id=7, code="c", allows_promotions=allows),
        promotions=promotions,
    )
    engine = Engine(ctx)
    rows = []
    for i, (base, unit, minimum, tiers) in enumerate(variants):
        r = row(i, base or 0, 1)
        r.base = base
        if unit is not None:
            # As `entry_check` allows them: every tier starts above the minimum.
            r.entries[7] = EntryData(
                unit=unit,
                rule=QuantityRule(minimum=minimum),
                tiers=tuple(sorted(((q, a) for q, a in tiers if q > minimum), reverse=True)),
            )
        rows.append(r)
    found = engine.cheapest(rows)
    lines = [
        engine.price(r, r.entries[7].rule.minimum if 7 in r.entries else 1)
        for r in rows
        if r.base is not None or 7 in r.entries
    ]
    if not lines:
        assert found is None
        return
    assert found is not None
    best, quantity = found
    chosen = engine.price(best, quantity)
    assert chosen.unit is not None
    lowest = min(line.unit.shown(entered_gross) for line in lines if line.unit is not None)
    assert chosen.unit.shown(entered_gross) == lowest
