"""Collections: services (products by id or slug, SLUG_TAKEN, in use by a promotion), the
version bump the copy of the catalog promotions depends on, the staff API and the admin."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from comptoir.accounts.services import api_token_create
from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.catalog.models import Collection
from comptoir.catalog.services import collections as services
from comptoir.catalog.tests.factories import ProductFactory
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.memo import cache_version
from comptoir.promotions.selectors import active
from comptoir.promotions.tests.factories import PromotionFactory

pytestmark = pytest.mark.django_db

ADMIN = "/api/v1/admin"


def test_create_update_set_products_delete(django_capture_on_commit_callbacks: Any) -> None:
    drill, _saw, hammer = (ProductFactory.create(slug=s) for s in ("perceuse", "scie", "marteau"))
    before = cache_version(services.COLLECTIONS_VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        collection = services.collection_create(
            name="Rentrée", name_en="Back to school", products=[drill.pk, "scie"]
        )
    assert cache_version(services.COLLECTIONS_VERSION_KEY) == before + 1
    collection.refresh_from_db()
    assert (collection.slug, collection.name_en, collection.is_active) == (
        "rentree",
        "Back to school",
        True,
    )
    assert sorted(p.slug for p in collection.products.all()) == ["perceuse", "scie"]
    with django_capture_on_commit_callbacks(execute=True):
        services.collection_update(collection=collection, position=3, products=[hammer])
        services.collection_set_products(collection=collection, products=["marteau", "scie"])
    assert cache_version(services.COLLECTIONS_VERSION_KEY) == before + 3
    collection.refresh_from_db()
    assert collection.position == 3
    assert sorted(p.slug for p in collection.products.all()) == ["marteau", "scie"]
    with django_capture_on_commit_callbacks(execute=True):
        services.collection_delete(collection=collection)
    assert cache_version(services.COLLECTIONS_VERSION_KEY) == before + 4
    assert not Collection.objects.exists()


def test_a_collection_change_reaches_the_catalog_promotions(
    django_capture_on_commit_callbacks: Any,
) -> None:
    product = ProductFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        collection = services.collection_create(name="Saison")
    promotion = PromotionFactory.create(applies_to_all=False)
    promotion.collections.set([collection])
    active.promotions_version_bump()
    [loaded] = active.catalog_promotions(channel_id=1, customer_group_id=None)
    assert loaded.product_ids == frozenset()
    with django_capture_on_commit_callbacks(execute=True):
        services.collection_set_products(collection=collection, products=[product])
    [loaded] = active.catalog_promotions(channel_id=1, customer_group_id=None)
    assert loaded.product_ids == frozenset({product.pk})


def test_bad_input_changes_nothing() -> None:
    existing = services.collection_create(name="Saison")
    with pytest.raises(Conflict) as conflict:
        services.collection_create(name="Autre", slug="saison")
    assert conflict.value.code == "SLUG_TAKEN"
    for kwargs, code in (
        ({"name": "X", "products": ["inconnu"]}, "PRODUCT_NOT_FOUND"),
        ({"name": "X", "products": [999999]}, "PRODUCT_NOT_FOUND"),
        ({"name": ""}, "INVALID_INPUT"),
        ({"name": "X", "slug": "pas un slug"}, "INVALID_INPUT"),
        ({"name": "X\x00"}, "INVALID_TEXT"),
    ):
        with pytest.raises(InvalidInput) as caught:
            services.collection_create(**kwargs)
        assert caught.value.code == code
    with pytest.raises(Conflict):
        services.collection_update(
            collection=existing, slug=services.collection_create(name="B").slug
        )
    existing.refresh_from_db()
    assert existing.slug == "saison"
    assert Collection.objects.count() == 2


def test_a_collection_promotions_target_is_kept() -> None:
    collection = services.collection_create(name="Saison")
    PromotionFactory.create().collections.set([collection])
    with pytest.raises(Conflict) as caught:
        services.collection_delete(collection=collection)
    assert caught.value.code == "COLLECTION_IN_USE"
    assert Collection.objects.filter(pk=collection.pk).exists()


# --- API ----------------------------------------------------------------------------------


def call(user: Any, method: str, path: str, body: Any = None) -> Any:
    headers = {}
    if user is not None:
        raw, _token = api_token_create(user=user)
        headers["Authorization"] = f"Bearer {raw}"
    client = Client()
    if method in ("get", "delete"):
        return getattr(client, method)(f"{ADMIN}/{path}", headers=headers)
    return getattr(client, method)(
        f"{ADMIN}/{path}", data=json.dumps(body), content_type="application/json", headers=headers
    )


def problem(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code


def test_api_crud() -> None:
    staff = StaffFactory.create()
    ProductFactory.create(slug="perceuse")
    created = call(staff, "post", "collections", {"name": "Rentrée", "products": ["perceuse"]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body | {"id": 0} == {
        "id": 0,
        "slug": "rentree",
        "name": "Rentrée",
        "name_en": "",
        "is_active": True,
        "position": 0,
        "products": ["perceuse"],
    }
    pk = body["id"]
    listed = call(staff, "get", "collections").json()
    assert (listed["count"], listed["results"][0]["slug"]) == (1, "rentree")
    changed = call(staff, "patch", f"collections/{pk}", {"is_active": False, "products": []})
    assert (changed.json()["is_active"], changed.json()["products"]) == (False, [])
    assert call(staff, "get", f"collections/{pk}").json()["is_active"] is False
    assert call(staff, "delete", f"collections/{pk}").status_code == 204
    assert not Collection.objects.exists()


def test_api_bad_input_and_access() -> None:
    staff = StaffFactory.create()
    collection = services.collection_create(name="Saison")
    problem(call(staff, "post", "collections", {"name": "X", "slug": "saison"}), 409, "SLUG_TAKEN")
    problem(
        call(staff, "post", "collections", {"name": "X", "products": ["x"]}),
        400,
        "PRODUCT_NOT_FOUND",
    )
    problem(call(staff, "post", "collections", {"name": ""}), 422, "VALIDATION_ERROR")
    problem(
        call(staff, "patch", f"collections/{collection.pk}", {"name": None}), 400, "INVALID_INPUT"
    )
    problem(call(staff, "get", "collections/999999"), 404, "COLLECTION_NOT_FOUND")
    problem(call(staff, "delete", "collections/999999"), 404, "COLLECTION_NOT_FOUND")
    PromotionFactory.create().collections.set([collection])
    problem(call(staff, "delete", f"collections/{collection.pk}"), 409, "COLLECTION_IN_USE")
    problem(call(None, "get", "collections"), 401, "UNAUTHORIZED")
    problem(call(UserFactory.create(), "get", "collections"), 403, "PERMISSION_DENIED")
    reader = UserFactory.create(is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_collection"))
    assert call(reader, "get", f"collections/{collection.pk}").status_code == 200
    problem(
        call(reader, "patch", f"collections/{collection.pk}", {"position": 1}),
        403,
        "PERMISSION_DENIED",
    )
    problem(call(reader, "post", "collections", {"name": "Y"}), 403, "PERMISSION_DENIED")
    collection.refresh_from_db()
    assert (collection.name, collection.position) == ("Saison", 0)
    assert Collection.objects.count() == 1


# --- admin --------------------------------------------------------------------------------


def test_admin_pages_and_save_through_the_service(client: Client) -> None:
    client.force_login(StaffFactory.create())
    product = ProductFactory.create()
    assert client.get(reverse("admin:catalog_collection_changelist")).status_code == 200
    assert client.get(reverse("admin:catalog_collection_add")).status_code == 200
    response = client.post(
        reverse("admin:catalog_collection_add"),
        {
            "name": "Saison",
            "name_en": "",
            "slug": "saison",
            "is_active": "on",
            "position": "1",
            "products": [product.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    collection = Collection.objects.get()
    assert list(collection.products.all()) == [product]
    change = reverse("admin:catalog_collection_change", args=[collection.pk])
    assert client.get(change).status_code == 200
    response = client.post(
        change,
        {"name": "Saison 2", "name_en": "", "slug": "saison", "position": "1", "products": []},
    )
    assert response.status_code == 302
    collection.refresh_from_db()
    assert (collection.name, collection.is_active, collection.products.count()) == (
        "Saison 2",
        False,
        0,
    )
