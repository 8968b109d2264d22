"""Regressions found by fuzzing the collections API. A slug taken between the uniqueness
check and the save (another request creating or renaming a collection at the same time) is
the 409 SLUG_TAKEN the check gives, never an IntegrityError (a 500), and changes nothing:
simulated on one connection, and raced for real on PostgreSQL by two threads with their own
connections held by a barrier. A PATCH's refusal of null is in the caller's language."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connections
from django.test import Client

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.catalog.models import Collection
from comptoir.catalog.services import collections as services
from comptoir.core.errors import Conflict, DomainError
from comptoir.core.testing import api_for, problem

TIMEOUT = 30  # seconds; a deadlock fails the test instead of hanging it


def rival_after(monkeypatch: pytest.MonkeyPatch, name: str, slug: str) -> None:
    """Store a rival collection with `slug` after the next create's or update's checks,
    before its save (as another request would)."""

    def rival() -> None:
        Collection.objects.bulk_create([Collection(name="Rival", slug=slug)])

    validate, apply_changes = services.validate, services.apply_changes

    def validated(instance: Any, **kwargs: Any) -> None:
        validate(instance, **kwargs)
        rival()

    def applied(instance: Any, changes: Any, **kwargs: Any) -> None:
        apply_changes(instance, changes, **kwargs)
        rival()

    monkeypatch.setattr(services, name, {"validate": validated, "apply_changes": applied}[name])


@pytest.mark.django_db
def test_create_racing_another_is_slug_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    rival_after(monkeypatch, "validate", "rentree")

    with pytest.raises(Conflict) as caught:
        services.collection_create(name="Rentrée")

    assert caught.value.code == "SLUG_TAKEN"
    # The rival was stored in the service's transaction (one connection here): gone with it.
    assert not Collection.objects.exists()


@pytest.mark.django_db
def test_update_racing_another_is_slug_taken_and_leaves_the_collection_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    collection = services.collection_create(name="Été")
    rival_after(monkeypatch, "apply_changes", "hiver")

    with pytest.raises(Conflict) as caught:
        services.collection_update(collection=collection, name="Hiver", slug="hiver")

    assert caught.value.code == "SLUG_TAKEN"
    assert (collection.name, collection.slug) == ("Été", "ete")
    assert list(Collection.objects.values_list("name", "slug")) == [("Été", "ete")]


@pytest.mark.django_db
def test_api_create_racing_another_is_a_409(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = api_for(StaffFactory.create(), client)
    rival_after(monkeypatch, "validate", "rentree")

    problem(api.post("collections", {"name": "Rentrée"}), 409, "SLUG_TAKEN")
    assert not Collection.objects.exists()


@pytest.mark.django_db
def test_another_integrity_error_is_not_a_conflict(monkeypatch: pytest.MonkeyPatch) -> None:
    collection = services.collection_create(name="Été")

    def save(self: Collection, *args: Any, **kwargs: Any) -> None:
        raise IntegrityError("CHECK constraint failed: catalog_collection_something")

    monkeypatch.setattr(Collection, "save", save)

    with pytest.raises(IntegrityError):
        services.collection_update(collection=collection, name="Hiver")
    assert collection.name == "Été"


@pytest.mark.postgres
def test_two_creates_with_the_same_slug_on_postgresql(
    transactional_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    validate = services.validate

    def validated(instance: Any, **kwargs: Any) -> None:
        validate(instance, **kwargs)
        barrier.wait()  # both have passed the slug check

    monkeypatch.setattr(services, "validate", validated)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call: Callable[[], Any]) -> None:
        try:
            call()
            outcome = "ok"
        except DomainError as exc:
            outcome = exc.code
        except BaseException as exc:  # reported to the test, which fails on it
            outcome = repr(exc)
        finally:
            connections.close_all()  # this thread's connections only
        with lock:
            outcomes.append(outcome)

    def create() -> None:
        services.collection_create(name="Rentrée")

    threads = [threading.Thread(target=run, args=(create,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)

    assert not any(thread.is_alive() for thread in threads), "a create never finished"
    assert Counter(outcomes) == {"ok": 1, "SLUG_TAKEN": 1}
    assert list(Collection.objects.values_list("slug", flat=True)) == ["rentree"]


@pytest.mark.django_db
def test_null_in_a_patch_is_refused_in_the_callers_language(client: Client) -> None:
    api = api_for(StaffFactory.create(), client)
    collection = services.collection_create(name="Été")

    body = problem(api.patch(f"collections/{collection.pk}", {"name": None}), 400, "INVALID_INPUT")

    assert body["detail"] == "Ces champs ne peuvent pas valoir null : name"
    assert body["errors"] == {"name": ["Ne peut pas valoir null."]}
    assert Collection.objects.get().name == "Été"
