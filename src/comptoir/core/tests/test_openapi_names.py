"""Schema names are unique across apps: django-ninja names a component after its class and
keeps the last one registered, so two classes of one name would document one of them
under the other's routes."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

import comptoir.api  # noqa: F401 - registers every router and so imports every schema


def _subclasses(cls: type[Schema]) -> list[type[Schema]]:
    found: list[type[Schema]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def test_no_two_schemas_share_a_name() -> None:
    shapes: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("comptoir.") and cls.model_fields:
            # Identical shapes may share a name (they document the same thing).
            shape = sorted((name, str(f.annotation)) for name, f in cls.model_fields.items())
            shapes[cls.__name__].add(repr(shape))
    assert {name: found for name, found in shapes.items() if len(found) > 1} == {}
