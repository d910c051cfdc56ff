"""Commands per second through the locaties handlers and unit of work on PostgreSQL, with and
without group commit: ``--writers`` threads each book costs on sites of their own (one event,
the read model and the bitemporal rows per command, as a status change; costs because a
site's lifecycle allows only a few status changes). Reports; never fails on timing."""

from __future__ import annotations

import argparse
import threading
import time
from datetime import UTC, date, datetime, timedelta

from services.locaties import bootstrap
from services.locaties.domain import commands
from services.locaties.service_layer import handlers
from services.locaties.service_layer.unit_of_work import SqlLocatiesUnitOfWork
from shared.auth import Principal, Rol
from shared.db.engine import make_engine, make_session_factory
from shared.eventstore import EventMetadata, NewEvent
from shared.eventstore.groepscommit import GroupCommitter, PendingAppend
from shared.eventstore.sql import SqlEventStore
from tests.support.infra import postgres_database

ACTOR = handlers.Actor(Principal("bench", Rol.BEVOEGD_GEZAG, "ZH"))


def run(
    writers: int, seconds: float, group: bool, sites_each: int = 4
) -> tuple[float, float, float]:
    """Returns commands/s, the mean batch size and this process's CPU ms per command."""
    with postgres_database() as plain:
        bootstrap.migrate(plain)
        url = plain.url.render_as_string(hide_password=False)
        engine = make_engine(url, pool_size=writers + 4, max_overflow=0)
        sessions = make_session_factory(engine)
        committer = GroupCommitter(sessions) if group else None
        sites: list[list[str]] = []
        for w in range(writers):
            eigen = []
            for s in range(sites_each):
                cmd = commands.RegistreerSpoedlocatie(
                    "ZH", "0513", f"L{w}-{s}", "landbodem", ("pak",), None, date(2011, 1, 3)
                )
                uow = SqlLocatiesUnitOfWork(sessions, ACTOR)
                eigen.append(handlers.handle(cmd, uow).id)
            sites.append(eigen)
        counts = [0] * writers
        stop = threading.Event()

        def work(w: int) -> None:
            versions = dict.fromkeys(sites[w], 1)
            i = 0
            while not stop.is_set():
                lid = sites[w][i % sites_each]
                cmd = commands.BoekKosten(
                    lid, versions[lid], 100, date(2011, 2, 1) + timedelta(days=i), "x"
                )
                uow = SqlLocatiesUnitOfWork(sessions, ACTOR, committer=committer)
                versions[lid] = handlers.handle(cmd, uow).version
                counts[w] += 1
                i += 1

        threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
        start, cpu = time.perf_counter(), time.process_time()
        for t in threads:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        batches = committer.batch_sizes if committer else [1]
        if committer:
            committer.close()
        engine.dispose()
    done = sum(counts)
    return done / elapsed, sum(batches) / max(len(batches), 1), cpu / done * 1000


def run_store(writers: int, seconds: float, group: bool) -> tuple[float, float]:
    """Bare appends (one event with its outbox row per transaction or request), no read
    models: what the store's commit path alone sustains. Returns appends/s, mean batch."""
    with postgres_database() as plain:
        url = plain.url.render_as_string(hide_password=False)
        engine = make_engine(url, pool_size=writers + 4, max_overflow=0)
        sessions = make_session_factory(engine)
        committer = GroupCommitter(sessions) if group else None
        counts = [0] * writers
        stop = threading.Event()
        meta = EventMetadata(actor="bench", organisation="ZH")

        def work(w: int) -> None:
            version = 0
            while not stop.is_set():
                event = NewEvent("bench", {"i": version, "x": "x" * 150}, datetime.now(UTC), meta)
                if committer is not None:
                    append = PendingAppend(f"S{w}", "bench", version, [event], "bench.topic")
                    committer.commit([append], datetime.now(UTC), None)
                else:
                    with sessions() as session, session.begin():
                        SqlEventStore(session).append(
                            f"S{w}", "bench", version, [event], "bench.topic"
                        )
                version += 1
                counts[w] += 1

        threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        batches = committer.batch_sizes if committer else [1]
        if committer:
            committer.close()
        engine.dispose()
    return sum(counts) / elapsed, sum(batches) / max(len(batches), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--store", action="store_true", help="bare appends, no handlers")
    args = parser.parse_args()
    if args.store:
        for group in (False, True):
            rate, batch = run_store(args.writers, args.seconds, group)
            name = "group commit" if group else "plain"
            print(
                f"{name:12s} {args.writers} writers: {rate:7.0f} appends/s, mean batch {batch:.1f}"
            )
        return
    for group in (False, True):
        rate, batch, cpu = run(args.writers, args.seconds, group)
        name = "group commit" if group else "plain"
        print(
            f"{name:12s} {args.writers} writers: {rate:7.0f} commands/s, "
            f"{cpu:.1f} ms CPU/command in Python, mean batch {batch:.1f}"
        )


if __name__ == "__main__":
    main()
