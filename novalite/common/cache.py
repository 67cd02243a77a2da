"""Bounded in-process caches: a TTL cache with a size cap, and per-key locks that go away
when nobody holds them. Nothing a request can name may grow a process without bound
(a hostile run drove one ``novalite up`` past 22 GB), so every cache keyed by request
data is one of these."""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    """At most ``maxsize`` entries, each kept ``ttl`` seconds; the oldest go first."""

    def __init__(self, ttl: float, maxsize: int = 10000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.maxsize = maxsize
        self.clock = clock
        self._items: collections.OrderedDict[K, tuple[float, V]] = collections.OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] <= self.clock():
                del self._items[key]
                return None
            return item[1]

    def put(self, key: K, value: V, ttl: float | None = None) -> None:
        ttl = self.ttl if ttl is None else ttl
        if ttl <= 0:
            return
        with self._lock:
            now = self.clock()
            self._items.pop(key, None)
            self._items[key] = (now + ttl, value)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def discard_if(self, predicate: Callable[[K, V], bool]) -> None:
        with self._lock:
            for key in [k for k, (_, v) in self._items.items() if predicate(k, v)]:
                del self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class KeyedLocks:
    """A lock per key (an instance, an image), dropped once no thread holds or awaits it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (None, 0))
            if lock is None:
                lock = threading.Lock()
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                _, users = self._locks[key]
                if users <= 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)
