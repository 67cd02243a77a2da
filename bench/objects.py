"""Versioned objects: the cost of an Instance round trip (object -> primitive -> JSON ->
object), novalite's objects against oslo.versionedobjects (when it is installed) with
the same fields. This is the measurement behind novalite's own small implementation.
Prints JSON.

usage: python bench/objects.py [--rounds N]   (from the repository root)
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from novalite.objects import Instance, ObjectSerializer

try:  # not a dependency: installed only to compare
    from oslo_versionedobjects import base as ovo_base
    from oslo_versionedobjects import fields as ovo_fields
except ImportError:  # pragma: no cover - the comparison is then left out
    ovo_base = None


def _time(fn: Callable[[], Any], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        before = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - before) * 1e6)
    return round(statistics.median(samples), 1)


def _novalite(rounds: int) -> dict[str, float]:
    from rpc import sample_instance  # bench/ is on the path: python bench/objects.py

    serializer = ObjectSerializer()
    instance = sample_instance()

    def round_trip() -> None:
        serializer.deserialize_entity(None, json.loads(json.dumps(
            serializer.serialize_entity(None, instance))))

    return {"round_trip_p50_us": _time(round_trip, rounds),
            "fields": len(Instance.obj_fields())}


def _ovo(rounds: int) -> dict[str, float] | None:
    if ovo_base is None:
        return None
    from rpc import sample_instance  # bench/ is on the path: python bench/objects.py

    mapping: dict[str, Any] = {}
    for name, value in sample_instance().obj_to_dict().items():
        if isinstance(value, bool):
            mapping[name] = ovo_fields.BooleanField(nullable=True)
        elif isinstance(value, int):
            mapping[name] = ovo_fields.IntegerField(nullable=True)
        elif hasattr(value, "isoformat"):
            mapping[name] = ovo_fields.DateTimeField(nullable=True, tzinfo_aware=False)
        elif isinstance(value, list) and name == "tags":
            mapping[name] = ovo_fields.ListOfStringsField(nullable=True)
        elif isinstance(value, dict) and name in ("metadata", "system_metadata"):
            mapping[name] = ovo_fields.DictOfStringsField(nullable=True)
        elif isinstance(value, str) or value is None:
            mapping[name] = ovo_fields.StringField(nullable=True)
        else:  # flavor, network_info ...: JSON text, as Nova's info cache keeps it
            mapping[name] = ovo_fields.StringField(nullable=True)

    @ovo_base.VersionedObjectRegistry.register
    class BenchInstance(ovo_base.VersionedObject):  # type: ignore[misc]
        VERSION = "1.0"
        fields = mapping

    values = {}
    for name, value in sample_instance().obj_to_dict().items():
        values[name] = json.dumps(value) if isinstance(value, dict | list) and not isinstance(
            mapping[name], ovo_fields.ListOfStringsField | ovo_fields.DictOfStringsField
        ) else value
    obj = BenchInstance(**values)
    serializer = ovo_base.VersionedObjectSerializer()

    def round_trip() -> None:
        serializer.deserialize_entity(None, json.loads(json.dumps(
            serializer.serialize_entity(None, obj))))

    return {"round_trip_p50_us": _time(round_trip, rounds), "fields": len(mapping)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5000)
    args = parser.parse_args()
    print(json.dumps({"benchmark": "versioned_object_round_trip",
                      "novalite": _novalite(args.rounds),
                      "oslo_versionedobjects": _ovo(args.rounds)}, indent=2))


if __name__ == "__main__":
    main()
