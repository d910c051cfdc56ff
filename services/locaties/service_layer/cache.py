"""Sites as this process last committed them, so a command need not replay the stream.

Safe because the append checks the version: a cached site is used only when it is at the
version the client names (If-Match), and when another process appended meanwhile the append
fails its version check (the message bus then judges the command again on the stored events).
A command takes its site out of the cache and only a durable commit puts it back, so a failed
or refused command (or a conflict) evicts it, and two requests never share one object.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

from shared.aggregate import Aggregate

A = TypeVar("A", bound=Aggregate)


class AggregateCache(Generic[A]):
    """Bounded (least recently used out) and thread-safe."""

    def __init__(self, capacity: int = 20_000) -> None:
        self._capacity = capacity
        self._items: OrderedDict[str, A] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, aggregate_id: str) -> A | None:
        with self._lock:
            return self._items.pop(aggregate_id, None)

    def put(self, aggregate: A) -> None:
        if aggregate.pending:
            raise ValueError("only a committed aggregate is cached")
        with self._lock:
            self._items[aggregate.id] = aggregate
            self._items.move_to_end(aggregate.id)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def discard(self, aggregate_id: str) -> None:
        with self._lock:
            self._items.pop(aggregate_id, None)

    def __len__(self) -> int:
        return len(self._items)
