"""Fixtures shared by the catalog tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.catalog.models import CategoryTranslation
from comptoir.catalog.tests.factories import CategoryFactory
from comptoir.channels.tests.factories import ChannelFactory


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Every catalog test writes its files (images, thumbnails, documents) to its own folder."""
    root: Path = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def staff(client: Client) -> Client:
    """A client logged in to the admin as a superuser."""
    client.force_login(StaffFactory.create())
    return client


@pytest.fixture
def channel() -> Any:
    return ChannelFactory()


@pytest.fixture
def tree() -> dict[str, Any]:
    outillage: Any = CategoryFactory(slug="outillage", name="Outillage", position=1)
    maison: Any = CategoryFactory(slug="maison", name="Maison", position=0)
    perceuses: Any = CategoryFactory(
        slug="perceuses", name="Perceuses", parent=outillage, position=2
    )
    scies: Any = CategoryFactory(slug="scies", name="Scies", parent=outillage, position=1)
    archive: Any = CategoryFactory(slug="archive", name="Archive", is_active=False)
    CategoryFactory(slug="sous-archive", name="Sous-archive", parent=archive)
    CategoryTranslation.objects.create(
        category=outillage, language="en", name="Tools", description="<p>All <b>tools</b></p>"
    )
    return {"outillage": outillage, "maison": maison, "perceuses": perceuses, "scies": scies}


@pytest.fixture
def clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()
