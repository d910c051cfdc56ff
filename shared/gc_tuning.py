"""Garbage collection tuned for a request-serving process.

With CPython's default thresholds a process holding many objects (the aggregate cache, the
person keys, pydantic's and SQLAlchemy's compiled state) runs a full collection every few
thousand requests, and each full collection walks every object: pauses of up to ~100 ms, a
latency cliff for whichever requests are in flight. After start-up nearly everything alive
stays alive, so it is frozen (moved out of the collector's sight), and the youngest generation
is collected less often: most request garbage is freed by reference counting anyway.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

GEN0 = 20_000
GEN1 = 20
GEN2 = 20

_done = threading.Event()


def after_warm_up() -> None:
    """Call once the process has started (imports done, caches and connections made). Only the
    first call in a process freezes: a process that builds many apps (the tests) would
    otherwise keep every earlier one alive for good."""
    if _done.is_set():
        return
    _done.set()
    gc.collect()
    gc.freeze()
    gc.set_threshold(GEN0, GEN1, GEN2)


# The youngest generation's threshold while bulk work runs (an import).
BULK_GEN0 = 200_000

_bulk_lock = threading.Lock()
_bulk_lopend = 0
_bulk_drempels: tuple[tuple[int, ...], tuple[int, ...]] | None = None  # (before, while)


@contextmanager
def bulk() -> Iterator[None]:
    """While bulk work runs (a bulk import), the youngest generation is collected ten times
    less often. A batch's objects (its lines, parsed bodies, commands, events, rows) live until
    the batch ends, ~50 for each of its thousand lines and as many for the batch read alongside
    it: with the request-serving threshold each was traced by a collection or two before
    reference counting freed it anyway. With a window larger than a batch most die untraced.
    Imports in parallel share it: the thresholds go back when the last one ends (unless
    someone set others meanwhile)."""
    global _bulk_lopend, _bulk_drempels
    with _bulk_lock:
        if _bulk_lopend == 0:
            voor = gc.get_threshold()
            # 0 is collection switched off (gc.set_threshold(0)): it stays off.
            tijdens = (max(voor[0], BULK_GEN0) if voor[0] else 0, *voor[1:])
            gc.set_threshold(*tijdens)
            _bulk_drempels = (voor, tijdens)
        _bulk_lopend += 1
    try:
        yield
    finally:
        with _bulk_lock:
            _bulk_lopend -= 1
            if _bulk_lopend == 0 and _bulk_drempels is not None:
                if gc.get_threshold() == _bulk_drempels[1]:
                    gc.set_threshold(*_bulk_drempels[0])
                _bulk_drempels = None
