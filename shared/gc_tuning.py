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
