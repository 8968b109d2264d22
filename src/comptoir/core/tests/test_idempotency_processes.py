"""Idempotency claims racing across PROCESSES (multiprocessing, spawn): each process sets
Django up against the test database and claims the same key at the same moment. Exactly
one owns it; the others wait for its response and replay it (or get a 409 for another
body).

Only the standard library and pytest are imported at the top: a spawned process imports
this module before it has set Django up."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.postgres

SCOPE = "checkout:race"
TIMEOUT = 60  # seconds; a hung process fails the test instead of hanging it


PROCESSES = 4


def _claimer(db_name: str, commands: Any, barrier: Any, results: Any) -> None:
    """One request per command (key, body, work seconds): claim, "work", complete; or
    replay. Runs in a spawned process, set up once for every round of the module."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db import connections, transaction

    connections["default"].settings_dict["NAME"] = db_name
    from comptoir.core.errors import Conflict
    from comptoir.core.idempotency import claim, complete, request_hash

    while (command := commands.get()) is not None:
        key, body, work_seconds = command
        try:
            barrier.wait(timeout=TIMEOUT)
            claimed = claim(scope=SCOPE, key=key, request_hash=request_hash(body), wait_seconds=20)
            if claimed.record is not None:
                time.sleep(work_seconds)  # the checkout's work, while the others poll
                response = {"owner": os.getpid(), "body": body}
                with transaction.atomic():
                    complete(record=claimed.record, status=201, body=response)
                results.put(("owner", 201, response))
            else:
                assert claimed.replay is not None
                status, replayed = claimed.replay
                results.put(("replay", status, replayed))
        except Conflict as exc:
            results.put((exc.code, 409, {}))
        except BaseException as exc:
            results.put(("error", 0, {"error": repr(exc)}))
        finally:
            connections.close_all()  # the test database is flushed between tests


Outcome = tuple[str, int, dict[str, Any]]


class Claimers:
    def __init__(self, db_name: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.barrier = context.Barrier(PROCESSES)
        self.results = context.Queue()
        self.commands = [context.Queue() for _ in range(PROCESSES)]
        self.processes = [
            context.Process(target=_claimer, args=(db_name, commands, self.barrier, self.results))
            for commands in self.commands
        ]
        for process in self.processes:
            process.start()

    def race(
        self, bodies: list[dict[str, Any]], *, key: str, work_seconds: float = 0.5
    ) -> list[Outcome]:
        """Each process claims `key` with its body, all released at once; their outcomes."""
        assert len(bodies) == PROCESSES
        for commands, body in zip(self.commands, bodies, strict=True):
            commands.put((key, body, work_seconds))
        return [self.results.get(timeout=TIMEOUT) for _ in self.processes]

    def stop(self) -> None:
        for commands in self.commands:
            commands.put(None)
        for process in self.processes:
            process.join(TIMEOUT)
            if process.is_alive():
                process.kill()


@pytest.fixture(scope="module")
def claimers(django_db_setup: None, django_db_blocker: Any) -> Iterator[Claimers]:
    from django.db import connection

    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
    started = Claimers(name)
    try:
        yield started
    finally:
        started.stop()


def test_one_process_owns_the_key_and_the_others_replay_its_response(
    transactional_db: None, claimers: Claimers
) -> None:
    from comptoir.core.models import IdempotencyRecord

    outcomes = claimers.race([{"payment_method": "card"}] * 4, key="same-key")

    assert Counter(kind for kind, _status, _body in outcomes) == {"owner": 1, "replay": 3}
    [owner] = [body for kind, _status, body in outcomes if kind == "owner"]
    assert all(
        (status, body) == (201, owner) for kind, status, body in outcomes if kind == "replay"
    )
    record = IdempotencyRecord.objects.get()
    assert (record.state, record.response_status, record.response_body) == ("completed", 201, owner)


def test_another_body_gets_a_conflict_while_the_same_body_replays(
    transactional_db: None, claimers: Claimers
) -> None:
    card, transfer = {"payment_method": "card"}, {"payment_method": "bank_transfer"}

    outcomes = claimers.race([card, card, transfer, transfer], key="mixed-key")

    # Whichever body won, its twin replays and the two others are refused.
    assert Counter(kind for kind, _status, _body in outcomes) == {
        "owner": 1,
        "replay": 1,
        "IDEMPOTENCY_KEY_REUSED": 2,
    }
    [owner] = [body for kind, _status, body in outcomes if kind == "owner"]
    assert [body for kind, _status, body in outcomes if kind == "replay"] == [owner]


def test_one_process_takes_over_an_abandoned_record(
    transactional_db: None, claimers: Claimers
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from comptoir.core.idempotency import request_hash
    from comptoir.core.models import IdempotencyRecord

    body = {"payment_method": "card"}
    crashed = IdempotencyRecord.objects.create(
        scope=SCOPE,
        key="crashed-key",
        request_hash=request_hash(body),
        locked_until=timezone.now() - timedelta(seconds=1),
    )

    outcomes = claimers.race([body] * 4, key="crashed-key")

    assert Counter(kind for kind, _status, _body in outcomes) == {"owner": 1, "replay": 3}
    record = IdempotencyRecord.objects.get()
    assert record.pk == crashed.pk
    assert record.state == "completed"
