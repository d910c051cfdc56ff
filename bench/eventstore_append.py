"""Append throughput: this project's event store against the ``eventsourcing`` library's
PostgreSQL application recorder, on the same PostgreSQL server, same events.

Each append is one event of ~200 bytes with its outbox row (ours; every command writes one),
as a command produces, committed (fsync on) before the writer goes on; both stores give every
event a global, gap-free order (theirs by a table lock, ours by the position counter row).
``--writers`` threads append to streams of their own for ``--seconds`` each. Ours runs twice:
one transaction per append, and through the group commit (``shared/eventstore/groepscommit.py``)
that the locaties service uses on PostgreSQL, where the appends waiting at the same moment share
one transaction.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import make_url

from shared.db.engine import make_engine, make_session_factory
from shared.eventstore import EventMetadata, NewEvent
from shared.eventstore.groepscommit import GroupCommitter, PendingAppend
from shared.eventstore.sql import SqlEventStore
from tests.support.infra import postgres_database

META = EventMetadata(actor="prs-bench", organisation="ZH", role="bevoegd-gezag", correlation_id="c")
TOPIC = "bench.topic"
WRITERS = (1, 16, 64)


def payload(i: int) -> dict[str, Any]:
    return {
        "van": "onderzocht",
        "naar": "ernstig-spoed",
        "besluitdatum": "2012-03-01",
        "toelichting": f"besluit {i:08d} " + "x" * 96,
    }


def timed(writers: int, seconds: float, append: Callable[[int, int], None]) -> float:
    """Appends per second: ``append(writer, i)`` in ``writers`` threads for ``seconds``."""
    counts = [0] * writers
    stop = threading.Event()

    def work(w: int) -> None:
        i = 0
        while not stop.is_set():
            append(w, i)
            i += 1
            counts[w] = i

    threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - start)


def bench_ours(writers: int, seconds: float, group: bool) -> float:
    with postgres_database() as plain:
        url = plain.url.render_as_string(hide_password=False)
        engine = make_engine(url, pool_size=writers + 2, max_overflow=0)
        sessions = make_session_factory(engine)
        committer = GroupCommitter(sessions) if group else None
        now = datetime.now(UTC)

        def append(w: int, i: int) -> None:
            event = NewEvent("spoedlocatie-status-gewijzigd", payload(i), now, META)
            if committer is not None:
                pending = PendingAppend(f"W{w}", "bench", i, [event], TOPIC)
                committer.commit([pending], datetime.now(UTC), None)
                return
            with sessions() as session, session.begin():
                SqlEventStore(session).append(f"W{w}", "bench", i, [event], TOPIC)

        try:
            return timed(writers, seconds, append)
        finally:
            if committer is not None:
                committer.close()
            engine.dispose()


def bench_eventsourcing(writers: int, seconds: float) -> float:
    from eventsourcing.persistence import StoredEvent
    from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

    with postgres_database() as engine:
        url = make_url(engine.url.render_as_string(hide_password=False))
        datastore = PostgresDatastore(
            dbname=str(url.database),
            host=str(url.host),
            port=int(url.port or 5432),
            user=str(url.username),
            password=url.password or "",
            pool_size=writers,
            max_overflow=0,
        )
        recorder = PostgresApplicationRecorder(datastore)
        recorder.create_table()
        ids = [uuid.uuid4() for _ in range(writers)]

        def append(w: int, i: int) -> None:
            state = json.dumps(
                {
                    "data": payload(i),
                    "metadata": META.to_dict(),
                    "occurred_at": "2012-03-01T00:00:00+00:00",
                }
            ).encode()
            recorder.insert_events(
                [StoredEvent(ids[w], i + 1, "spoedlocatie-status-gewijzigd", state)]
            )

        try:
            return timed(writers, seconds, append)
        finally:
            datastore.close()


def run(writers: int, seconds: float) -> dict[str, Any]:
    library = bench_eventsourcing(writers, seconds)
    plain = bench_ours(writers, seconds, group=False)
    group = bench_ours(writers, seconds, group=True)
    return {
        "writers": writers,
        "seconds": seconds,
        "eventsourcing": library,
        "ours": plain,
        "ours_group": group,
        "ratio": plain / library,
        "ratio_group": group / library,
    }


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writers", default=",".join(map(str, WRITERS)))
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    results = [run(int(w), args.seconds) for w in args.writers.split(",")]
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
