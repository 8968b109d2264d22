import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Throttle counters live in the cache: every test starts with none."""
    cache.clear()
