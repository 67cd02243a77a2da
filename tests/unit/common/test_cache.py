"""The bounded caches: a TTL cache that never holds more than its cap, per-key locks that
are dropped once released."""

from __future__ import annotations

import threading

from novalite.common.cache import KeyedLocks, TTLCache


def test_ttl_cache_expires_and_stays_bounded() -> None:
    now = [0.0]
    cache: TTLCache[str, int] = TTLCache(10, maxsize=3, clock=lambda: now[0])
    for index in range(100):
        cache.put(f"k{index}", index)
    assert len(cache) == 3
    assert cache.get("k99") == 99 and cache.get("k0") is None
    now[0] = 11
    assert cache.get("k99") is None
    cache.put("short", 1, ttl=0)
    assert cache.get("short") is None
    cache.put("a", 1)
    cache.discard_if(lambda key, value: key == "a")
    assert cache.get("a") is None


def test_keyed_locks_serialize_and_are_dropped() -> None:
    locks = KeyedLocks()
    order: list[str] = []
    started = threading.Event()
    release = threading.Event()

    def first() -> None:
        with locks.hold("i1"):
            started.set()
            release.wait(5)
            order.append("first")

    thread = threading.Thread(target=first)
    thread.start()
    started.wait(5)
    with locks.hold("i2"):  # another key is not blocked
        order.append("other")
    release.set()
    thread.join(5)
    with locks.hold("i1"):
        order.append("second")
    assert order == ["other", "first", "second"]
    assert len(locks) == 0
    for index in range(1000):
        with locks.hold(f"instance-{index}"):
            pass
    assert len(locks) == 0
