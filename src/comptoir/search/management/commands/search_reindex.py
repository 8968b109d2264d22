from typing import Any

from django.core.management.base import BaseCommand

from comptoir.search.services import search_reindex_all


class Command(BaseCommand):
    help = "Rebuild the product search index from the catalog."

    def handle(self, *args: Any, **options: Any) -> None:
        written = search_reindex_all()
        self.stdout.write(f"{written} product documents indexed.")
