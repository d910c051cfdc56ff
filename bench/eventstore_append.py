"""Append throughput: this project's event store against the ``eventsourcing`` library's
PostgreSQL application recorder, on the same PostgreSQL server, same events.

Each append is one transaction holding one event of ~200 bytes, as a command produces;
both stores give every event a global, gap-free order (theirs by a table lock, ours by the
position counter row). Writers run in ``--threads`` threads over distinct streams.
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

from shared.db.engine import make_session_factory
from shared.eventstore import EventMetadata, NewEvent
from shared.eventstore.sql import SqlEventStore
from tests.support.infra import postgres_database

META = EventMetadata(actor="bench@bodemregie.nl", organisation="ZH", correlation_id="c")


def payload(i: int) -> dict[str, Any]:
    return {
        "van": "onderzocht",
        "naar": "ernstig-spoed",
        "besluitdatum": "2012-03-01",
        "toelichting": f"besluit {i:08d} " + "x" * 96,
    }


def run_threads(threads: int, work: Callable[[int], None]) -> None:
    ts = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def bench_ours(events: int, streams: int, threads: int, outbox: bool) -> float:
    with postgres_database() as engine:
        sessions = make_session_factory(engine)
        per_thread = events // threads
        now = datetime.now(UTC)

        def work(t: int) -> None:
            versions: dict[str, int] = {}
            for i in range(per_thread):
                stream = f"T{t}-S{i % (streams // threads)}"
                v = versions.get(stream, 0)
                with sessions() as s, s.begin():
                    SqlEventStore(s).append(
                        stream,
                        "bench",
                        v,
                        [NewEvent("spoedlocatie-status-gewijzigd", payload(i), now, META)],
                        "bench.topic" if outbox else None,
                    )
                versions[stream] = v + 1

        start = time.perf_counter()
        run_threads(threads, work)
        elapsed = time.perf_counter() - start
    return per_thread * threads / elapsed


def bench_eventsourcing(events: int, streams: int, threads: int) -> float:
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
            pool_size=threads,
        )
        recorder = PostgresApplicationRecorder(datastore)
        recorder.create_table()
        per_thread = events // threads

        def work(t: int) -> None:
            ids = [uuid.uuid4() for _ in range(streams // threads)]
            versions: dict[uuid.UUID, int] = {}
            for i in range(per_thread):
                oid = ids[i % len(ids)]
                v = versions.get(oid, 0) + 1
                state = json.dumps(
                    {
                        "data": payload(i),
                        "metadata": META.to_dict(),
                        "occurred_at": "2012-03-01T00:00:00+00:00",
                    }
                ).encode()
                recorder.insert_events(
                    [StoredEvent(oid, v, "spoedlocatie-status-gewijzigd", state)]
                )
                versions[oid] = v

        start = time.perf_counter()
        run_threads(threads, work)
        elapsed = time.perf_counter() - start
        datastore.close()
    return per_thread * threads / elapsed


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--streams", type=int, default=4_000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {
        "events": args.events,
        "streams": args.streams,
        "threads": args.threads,
    }
    results["eventsourcing"] = bench_eventsourcing(args.events, args.streams, args.threads)
    results["ours"] = bench_ours(args.events, args.streams, args.threads, outbox=False)
    results["ours_with_outbox"] = bench_ours(args.events, args.streams, args.threads, outbox=True)
    results["ratio"] = results["ours"] / results["eventsourcing"]
    results["ratio_with_outbox"] = results["ours_with_outbox"] / results["eventsourcing"]
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
