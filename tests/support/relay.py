"""Helpers for the relay's integration tests: a committed counter event and a leadership that
can be taken away."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import Engine

from shared.db.engine import make_session_factory
from shared.eventstore import EventMetadata, NewEvent
from shared.eventstore.sql import SqlEventStore
from shared.leadership import SoleLeader

META = EventMetadata(actor="prs-test")


def commit_teller(engine: Engine, stream: str, version: int, topic: str = "t") -> None:
    """One command's commit: a counter event after ``version`` of ``stream``, with its outbox
    row for ``topic``."""
    with make_session_factory(engine).begin() as session:
        SqlEventStore(session).append(
            stream,
            "teller",
            version,
            [NewEvent("geteld", {"n": version}, datetime.now(UTC), META)],
            topic,
        )


class Leiding(SoleLeader):
    """Leads, except while ``weg`` is set (``gezien``: the relay noticed)."""

    def __init__(self) -> None:
        super().__init__()
        self.weg = threading.Event()
        self.gezien = threading.Event()

    def am_leader(self) -> bool:
        if self.weg.is_set():
            self.gezien.set()
            return False
        return True
