"""Both group-commit writers for one test: the writer thread (``GroupCommitter``) and the
writer on an event loop (``LoopGroupCommitter``, here on a loop running in a thread of its
own, so the tests' threads submit to it as a command that fell back to a worker thread
does, and tests that drive it from the loop itself use ``lus``)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from shared.eventstore.groepscommit import GroupCommitter
from shared.eventstore.groepscommit_lus import LoopGroupCommitter

Schrijver = GroupCommitter | LoopGroupCommitter
Maak = Callable[..., Schrijver]
SOORTEN = ["draad", "lus"]


class Lus:
    """An event loop in a thread of its own."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(30)
        self.loop.close()


@contextmanager
def schrijvers(soort: str) -> Iterator[Maak]:
    """Makes group committers of ``soort`` (``(sessions, **kwargs)`` as ``GroupCommitter``
    takes them); each one made is closed at the end. The fixture ``schrijver``
    (``tests/conftest.py``) runs a test with each kind."""
    gemaakt: list[Schrijver] = []
    lus: Lus | None = None

    def maak(sessions: sessionmaker[Session], **kwargs: Any) -> Schrijver:
        nonlocal lus
        committer: Schrijver
        if soort == "draad":
            committer = GroupCommitter(sessions, **kwargs)
        else:
            lus = lus or Lus()
            committer = LoopGroupCommitter(sessions.kw["bind"], lus.loop, **kwargs)
        gemaakt.append(committer)
        return committer

    try:
        yield maak
    finally:
        for committer in gemaakt:
            committer.close()
        if lus is not None:
            lus.stop()
