"""`comptoir demo`: load the demo store (idempotent; `make demo` runs it after migrate)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from comptoir.catalog.demo.loader import demo_load
from comptoir.content.demo import demo_content_load
from comptoir.pricing.demo import demo_pricing_load
from comptoir.requisitions.demo import demo_requisitions_load
from comptoir.reviews.demo import demo_reviews_load
from comptoir.search.services import search_index_ensure
from comptoir.storefront.demo import demo_buying_load
from comptoir.storefront.demo_b2b import demo_b2b_load


class Command(BaseCommand):
    help = (
        "Load the demo store: channels, demo accounts, a bilingual home-and-workshop catalog "
        "with images and documents, companies, price lists, promotions and coupons, "
        "warehouses and stock, shipping methods, a shipped order for Léa, Atelier Martin's requisition list, and the content pages. Safe to run "
        "again: only what is missing is added."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--products",
            type=int,
            default=None,
            help="Load only the first N products, spread over every category (default: all).",
        )

    def handle(self, *args: Any, products: int | None = None, **options: Any) -> None:
        verbose = options.get("verbosity", 1) >= 1
        summary = demo_load(
            limit=products, log=self.stdout.write if verbose else lambda message: None
        )
        demo_pricing_load(log=self.stdout.write if verbose else lambda message: None)
        demo_buying_load(log=self.stdout.write if verbose else lambda message: None)
        demo_requisitions_load(log=self.stdout.write if verbose else lambda message: None)
        demo_b2b_load(log=self.stdout.write if verbose else lambda message: None)
        demo_reviews_load(log=self.stdout.write if verbose else lambda message: None)
        # The demo writes through the services, whose outbox events the worker would turn
        # into index updates; `make demo` runs no worker, so the index is built here.
        indexed = search_index_ensure()
        if verbose and indexed:
            self.stdout.write(f"Search index: {indexed} products.")
        demo_content_load(log=self.stdout.write if verbose else lambda message: None)
        if verbose:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo store ready: {summary.created} products added, "
                    f"{summary.skipped} already present ({summary.seconds:.1f} s)."
                )
            )
