"""The event store's reads for a unit of work that runs on the event loop, in a greenlet
(``sqlalchemy.util.greenlet_spawn``): ``load`` awaits the prepared statement on an async
connection (``shared/db/direct_async.py``) while the loop serves other requests, and returns
the same events as ``SqlEventStore.load`` on PostgreSQL (same statement, same row mapping).

It writes nothing: such a unit of work commits through the group commit
(``shared/eventstore/groepscommit.py``), whose writer thread appends.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from sqlalchemy.util import await_

from shared.db.direct_async import AsyncStatements
from shared.eventstore.model import NewEvent, RecordedEvent
from shared.eventstore.sql import _LOAD, _LOAD_TOT, _from_row

# A stream id no stream has (the warm-up's loads find nothing).
GEEN = ""


class AwaitedReads:
    """An ``EventStore`` whose ``load`` is awaited on the loop; it appends nothing."""

    def __init__(self, statements: AsyncStatements) -> None:
        self._statements = statements

    def load(self, stream_id: str, up_to_version: int | None = None) -> list[RecordedEvent]:
        rows = await_(
            self._statements.rows(_LOAD, (stream_id,))
            if up_to_version is None
            else self._statements.rows(_LOAD_TOT, (stream_id, up_to_version))
        )
        return [_from_row(r) for r in rows]

    async def opwarmen(self) -> None:
        """Opens the reads' connections and prepares both loads on each (of a stream id no
        stream has: nothing is read), at start-up instead of in a worker's first commands."""
        await self._statements.opwarmen([(_LOAD, (GEEN,)), (_LOAD_TOT, (GEEN, 0))])

    def append(
        self,
        stream_id: str,
        stream_type: str,
        expected_version: int,
        new_events: Sequence[NewEvent],
        topic: str | None = None,
    ) -> NoReturn:
        raise _alleen_lezen()

    def read_all(self, after_position: int = 0, limit: int = 1000) -> NoReturn:
        raise _alleen_lezen()

    def last_position(self) -> NoReturn:
        raise _alleen_lezen()


def _alleen_lezen() -> RuntimeError:
    return RuntimeError("AwaitedReads only loads streams: commit through the group commit")
