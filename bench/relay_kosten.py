"""The outbox relay's own cost: CPU, statements and transactions per wake-up and per event.

Commits arrive as commands make them (one event per transaction, over many sites); the relay
then runs one round (seal, anchor when due, publish, mark) as its loop does after a wake-up.
Measured in the calling thread (``time.thread_time``: the relay's Python and driver CPU, not the
server's), with an in-memory publisher, so Kafka's client is left out: what is measured is what
the relay itself does per round. Two shapes: a wake-up per commit (``--per-ronde 1``, a quiet
system) and rounds of many events (``--per-ronde 100``, a busy one, or a relay that coalesced).
Runs against whatever ``shared.outbox`` is on the path, so an older checkout can be measured
with the same module (``PYTHONPATH=<checkout> python -m bench.relay_kosten``). The relay gets
an engine of its own made as the relay process makes it (``engine_options``: no pre-ping;
``--pre-ping`` for the engine as before).

``--latentie RATE`` measures the other side, the relay as the HTTP path meets it: writers
commit one event per transaction at about RATE events/s for ``--seconden``, each commit wakes
the relay as a command's does, and the relay (in its own thread, coalescing wake-ups) seals and
publishes to a fresh topic on the project's broker through the real Kafka publisher. Reported:
the time from each COMMIT until Kafka confirmed its record (p50/p99/max), and the CPU per event
of the relay thread and of librdkafka's threads.

``--proces RATE`` measures the relay as it runs now: its own process
(``python -m services.locaties.entrypoints.relay``), elected and woken by the NOTIFY each commit
sends, publishing to a fresh topic through the real publisher, while writers commit one event
per transaction at about RATE events/s. Reported: the relay process's CPU per event (all its
threads, librdkafka's included, from ``/proc``), its rounds (the outbox's distinct publish
times), and the time from each event's record time to its outbox row's publish time (both
taken on this machine's clock: the writer's, then the relay's once Kafka confirmed).
``--profiel FILE`` also records it with py-spy (``--gil``, raw format) for the run.

``--vergelijk`` measures the round as before against the round as it is now, in one process and
in turn (one round of one, then one of the other, each on a database of its own), so that both
meet the same load on a shared machine: before is the round's statements one by one through
SQLAlchemy (the lock, the read, the seals' COPY, the marks, each a round trip, as on SQLite),
now is ``shared.relay_round`` (three round trips).

``--bulk EVENTS`` measures the relay as a bulk import meets it: EVENTS events (eight per site,
as ``bench/bulk_import.py`` writes them) committed at once by ``append_many``, then the relay's
rounds (as its loop runs them after a full round: at once, on its kept connection) until all is
sealed and confirmed by Kafka on a fresh topic, through the real publisher and a sealer as
deployed (an anchor every 1,000 events). Reported: CPU µs per event of the relay thread, of
librdkafka's threads and of the PostgreSQL backend, the rounds and the wall time.
``--profiel FILE`` records the relay thread with py-spy for it.

``--outbox BATCHES`` measures what the outbox rows cost PostgreSQL per event (the server's CPU,
from ``/proc`` of its backend): the group commit's append with and without outbox rows, in
turn, and the relay's marks (``--per-batch``, ``--per-mark``). This decided against a "published
up to position P" cursor for now: on this machine 15-55 µs per event (insert 7-17, mark 6-37,
noisy at 10 ms ticks under load 7-8), against ~560 µs of PostgreSQL backend CPU per HTTP status
change (``bench/http_path.py``), so 3-10 % of the server's share.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event, text

from services.locaties.entrypoints.relay import APPLICATION_NAME, engine_options
from shared.db.engine import make_engine, make_session_factory
from shared.eventstore import EventMetadata, NewEvent
from shared.eventstore.sql import SqlEventStore
from shared.leadership import notify_commit
from shared.messaging.acls import ADMIN
from shared.messaging.kafka_client import from_credentials_file
from shared.messaging.publisher import InMemoryPublisher, KafkaPublisher, OutgoingMessage
from shared.outbox import OutboxRelay, RelayThread
from tests.support.infra import KAFKA_BOOTSTRAP, ROOT, create_topic, login_file, postgres_database

META = EventMetadata(actor="prs-bench", organisation="ZH", correlation_id="c")
SOURCE = "urn:nld:oin:00000001003214345000:systeem:bench"


class Teller:
    """Statements and transactions the relay sends, through SQLAlchemy's events."""

    def __init__(self, engine: Engine) -> None:
        self.statements = 0
        self.transacties = 0
        self.aan = False
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)

    def _statement(self, *_: Any) -> None:
        self.statements += self.aan

    def _begin(self, *_: Any) -> None:
        self.transacties += self.aan


def _commit(engine: Engine, versies: dict[str, int], n: int, sites: int) -> None:
    sessions = make_session_factory(engine)
    now = datetime.now(UTC)
    for _ in range(n):
        stream = f"ZH0513{len(versies) % sites:05d}" if len(versies) < sites else None
        stream = stream or min(versies, key=lambda s: versies[s])
        v = versies.get(stream, 0)
        with sessions() as s, s.begin():
            data = {"naar": "onderzocht", "besluitdatum": "2012-03-01", "toelichting": "x" * 96}
            SqlEventStore(s).append(
                stream,
                "spoedlocatie",
                v,
                [NewEvent("spoedlocatie-status-gewijzigd", data, now, META)],
                "bench.topic",
            )
        versies[stream] = v + 1


def meet(rondes: int, per_ronde: int, sites: int, pre_ping: bool = False) -> dict[str, Any]:
    with postgres_database() as engine:
        # The relay's own engine, as the relay process makes it (``pre_ping``: as before).
        url = engine.url.render_as_string(hide_password=False)
        relay_engine = make_engine(url, **{**engine_options(url), "pool_pre_ping": pre_ping})
        relay = OutboxRelay(make_session_factory(relay_engine), InMemoryPublisher(), SOURCE)
        teller = Teller(relay_engine)
        versies: dict[str, int] = {}
        _commit(engine, versies, per_ronde, sites)
        cpu = wand = 0.0
        gepubliceerd = 0
        with relay.keeping_connection():  # as its loop (``run``) does
            relay.run_once()  # warm: store id, chain head, prepared paths
            for _ in range(rondes):
                _commit(engine, versies, per_ronde, sites)
                teller.aan = True
                c0, w0 = time.thread_time(), time.perf_counter()
                gepubliceerd += relay.run_once()
                cpu += time.thread_time() - c0
                wand += time.perf_counter() - w0
                teller.aan = False
        relay_engine.dispose()
    events = rondes * per_ronde
    return {
        "per_ronde": per_ronde,
        "rondes": rondes,
        "gepubliceerd": gepubliceerd,
        "cpu_ms_per_ronde": cpu * 1000 / rondes,
        "cpu_ms_per_event": cpu * 1000 / events,
        "wand_ms_per_ronde": wand * 1000 / rondes,
        "statements_per_ronde": teller.statements / rondes,
        "transacties_per_ronde": teller.transacties / rondes,
    }


class _Klokpublisher(KafkaPublisher):
    """The real publisher, noting when Kafka confirmed each position."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.bevestigd: dict[int, float] = {}

    def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        super().publish(messages)
        nu = time.perf_counter()
        for m in messages:
            self.bevestigd[m.position] = nu


def latentie(rate: float, seconden: float, schrijvers: int = 4) -> dict[str, Any]:
    """Commit-to-Kafka latency with the relay thread and the real publisher at ``rate``."""
    from bench.bulk_import import draden_cpu

    topic = create_topic(KAFKA_BOOTSTRAP, partitions=6)
    with postgres_database() as engine:
        sessions = make_session_factory(engine)
        publisher = _Klokpublisher(from_credentials_file(KAFKA_BOOTSTRAP, login_file(ADMIN)))
        relay = RelayThread(OutboxRelay(sessions, publisher, SOURCE), name="bench-relay")
        relay.start()
        data = {"naar": "onderzocht", "besluitdatum": "2012-03-01", "toelichting": "x" * 96}
        # Warm up: the first publish connects, logs in and reconciles; not what is measured.
        with sessions() as s, s.begin():
            SqlEventStore(s).append(
                "ZH059999999",
                "spoedlocatie",
                0,
                [NewEvent("spoedlocatie-status-gewijzigd", data, datetime.now(UTC), META)],
                topic,
            )
        relay.wake()
        while not publisher.bevestigd:
            time.sleep(0.05)
        gecommit: dict[int, float] = {}
        stop = time.perf_counter() + seconden

        def schrijf(n: int) -> None:
            versies: dict[str, int] = {}
            interval = schrijvers / rate
            volgende = time.perf_counter()
            k = 0
            while (nu := time.perf_counter()) < stop:
                if nu < volgende:
                    time.sleep(volgende - nu)
                volgende += interval
                stream = f"ZH05{n:02d}{k % 500:05d}"
                k += 1
                v = versies.get(stream, 0)
                with sessions() as s, s.begin():
                    [e] = SqlEventStore(s).append(
                        stream,
                        "spoedlocatie",
                        v,
                        [NewEvent("spoedlocatie-status-gewijzigd", data, datetime.now(UTC), META)],
                        topic,
                    )
                gecommit[e.position] = time.perf_counter()
                versies[stream] = v + 1
                relay.wake()

        d0 = draden_cpu()
        w0 = time.perf_counter()
        draden = [threading.Thread(target=schrijf, args=(n,)) for n in range(schrijvers)]
        for t in draden:
            t.start()
        for t in draden:
            t.join()
        geschreven = time.perf_counter() - w0
        einde = time.monotonic() + 60
        while set(gecommit) - publisher.bevestigd.keys() and time.monotonic() < einde:
            time.sleep(0.05)
        d1 = draden_cpu()
        relay.stop()
        publisher.close()
    wachten = sorted(publisher.bevestigd[p] - t for p, t in gecommit.items())
    n = len(wachten)

    def pct(q: float) -> float:
        return round(wachten[min(n - 1, int(q * n))] * 1000, 1)

    return {
        "rate_gevraagd": rate,
        "rate_gehaald": round(n / geschreven),
        "events": n,
        "latentie_ms": {"p50": pct(0.5), "p99": pct(0.99), "max": pct(1.0)},
        "cpu_us_per_event": {
            k: round((d1[k] - d0.get(k, 0.0)) * 1e6 / n) for k in ("relay", "librdkafka") if k in d1
        },
    }


def _proces_cpu(pid: int) -> dict[str, float]:
    """CPU seconds so far of process ``pid``: in all (``totaal``) and per thread group
    (``python``: the relay's own threads; ``librdkafka``: the producer's ``rdk:`` threads)."""
    uit = {"totaal": 0.0, "python": 0.0, "librdkafka": 0.0}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as fh:
                kop, _, rest = fh.read().rpartition(")")
        except OSError:
            continue
        velden = rest.split()
        cpu = (int(velden[11]) + int(velden[12])) / os.sysconf("SC_CLK_TCK")
        uit["totaal"] += cpu
        uit["librdkafka" if kop.split("(", 1)[1].startswith("rdk:") else "python"] += cpu
    return uit


def proces(rate: float, seconden: float, schrijvers: int = 4, profiel: str = "") -> dict[str, Any]:
    """The relay process's CPU per event at ``rate`` commits/s, woken by their NOTIFYs."""
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=6)
    with postgres_database() as engine:
        sessions = make_session_factory(engine)
        env = {
            **os.environ,
            "BODEMREGIE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "BODEMREGIE_KAFKA_BOOTSTRAP": KAFKA_BOOTSTRAP,
            "BODEMREGIE_KAFKA_CREDENTIALS_FILE": login_file(ADMIN),
            "BODEMREGIE_SPOEDLOCATIES_TOPIC": topic,
            "BODEMREGIE_LOG_JSON": "false",
        }
        relay = subprocess.Popen(
            [sys.executable, "-m", "services.locaties.entrypoints.relay"], cwd=ROOT, env=env
        )
        data = {"naar": "onderzocht", "besluitdatum": "2012-03-01", "toelichting": "x" * 96}

        def commit(stream: str, versie: int) -> None:
            with sessions() as s, s.begin():
                SqlEventStore(s).append(
                    stream,
                    "spoedlocatie",
                    versie,
                    [NewEvent("spoedlocatie-status-gewijzigd", data, datetime.now(UTC), META)],
                    topic,
                )
                notify_commit(s)

        def onverzonden() -> int:
            with engine.connect() as conn:
                return int(
                    conn.execute(
                        text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                    ).scalar_one()
                )

        try:
            # Warm up: start, migrate, lead, connect to Kafka and reconcile; not measured.
            commit("ZH059999999", 0)
            einde = time.monotonic() + 120
            while onverzonden() and time.monotonic() < einde:
                time.sleep(0.1)
            c0 = _proces_cpu(relay.pid)
            spy = None
            if profiel and (py_spy := shutil.which("py-spy")):
                spy = subprocess.Popen(
                    [
                        *(py_spy, "record", "--pid", str(relay.pid), "--gil", "--format", "raw"),
                        *("-r", "200", "-o", profiel, "--duration", str(int(seconden) + 2)),
                    ],
                    stdout=subprocess.DEVNULL,
                )
            stop = time.perf_counter() + seconden
            aantal = [0] * schrijvers

            def schrijf(n: int) -> None:
                interval = schrijvers / rate
                volgende = time.perf_counter()
                versies: dict[str, int] = {}
                k = 0
                while (nu := time.perf_counter()) < stop:
                    if nu < volgende:
                        time.sleep(volgende - nu)
                    volgende += interval
                    stream = f"ZH05{n:02d}{k % 500:05d}"
                    k += 1
                    commit(stream, versies.get(stream, 0))
                    versies[stream] = versies.get(stream, 0) + 1
                    aantal[n] += 1

            draden = [threading.Thread(target=schrijf, args=(n,)) for n in range(schrijvers)]
            w0 = time.perf_counter()
            for t in draden:
                t.start()
            for t in draden:
                t.join()
            geschreven = time.perf_counter() - w0
            einde = time.monotonic() + 120
            while onverzonden() and time.monotonic() < einde:
                time.sleep(0.05)
            c1 = _proces_cpu(relay.pid)
            if spy is not None:
                spy.wait()
            with engine.connect() as conn:
                rondes, p50, p99 = conn.execute(
                    text(
                        "SELECT count(DISTINCT o.published_at),"
                        " percentile_cont(0.5) WITHIN GROUP (ORDER BY o.published_at - t),"
                        " percentile_cont(0.99) WITHIN GROUP (ORDER BY o.published_at - t)"
                        " FROM outbox o JOIN (SELECT position, recorded_at AS t FROM events) e"
                        " USING (position) WHERE e.position > 1"
                    )
                ).one()
        finally:
            relay.terminate()
            relay.wait(60)
    n = sum(aantal)
    return {
        "rate_gevraagd": rate,
        "rate_gehaald": round(n / geschreven),
        "events": n,
        "rondes": int(rondes),
        "events_per_ronde": round(n / max(1, int(rondes)), 1),
        "cpu_us_per_event": {k: round((c1[k] - c0[k]) * 1e6 / n) for k in c1},
        "commit_tot_gemarkeerd_ms": {
            "p50": round(p50.total_seconds() * 1000, 1),
            "p99": round(p99.total_seconds() * 1000, 1),
        },
    }


def bulk(aantal: int, profiel: str = "") -> dict[str, Any]:
    """The relay's rounds over a backlog of ``aantal`` events committed at once."""
    from bench.bulk_import import _cpu_van, draden_cpu
    from shared import gc_tuning
    from shared.eventstore.bulk import append_many
    from shared.zegel import Verzegelaar

    topic = create_topic(KAFKA_BOOTSTRAP, partitions=6)
    load = os.getloadavg()[0]
    with postgres_database() as engine:
        sessions = make_session_factory(engine)
        now = datetime.now(UTC)

        def schrijf(van: int, tot: int) -> None:
            with sessions() as s, s.begin():
                append_many(
                    s,
                    [
                        (
                            f"ZH0513{n:06d}",
                            "spoedlocatie",
                            0,
                            [
                                NewEvent(
                                    "spoedlocatie-status-gewijzigd",
                                    {"naar": "onderzocht", "besluitdatum": f"2012-03-0{k + 1}"},
                                    now,
                                    META,
                                )
                                for k in range(8)
                            ],
                            now,
                        )
                        for n in range(van, tot)
                    ],
                    topic,
                )

        url = engine.url.render_as_string(hide_password=False)
        relay_engine = make_engine(url, **engine_options(url))
        publisher = KafkaPublisher(from_credentials_file(KAFKA_BOOTSTRAP, login_file(ADMIN)))
        relay = OutboxRelay(
            make_session_factory(relay_engine),
            publisher,
            SOURCE,
            sealer=Verzegelaar(SOURCE, 1000, None, topic),
        )
        with relay.keeping_connection():
            schrijf(0, 1)  # warm: store id, head, connect, log in and reconcile
            while relay.run_once() or relay._full:
                pass
            for van in range(1, aantal // 8 + 1, 500):
                schrijf(van, min(aantal // 8 + 1, van + 500))
            gc_tuning.after_warm_up()  # as the relay process and the app do
            with engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
                backend = conn.execute(
                    text(
                        "SELECT pid FROM pg_stat_activity WHERE application_name = :n"
                        " AND datname = current_database()"
                    ),
                    {"n": APPLICATION_NAME},
                ).scalar()
            spy = None
            if profiel and (py_spy := shutil.which("py-spy")):
                spy = subprocess.Popen(
                    [
                        *(py_spy, "record", "--pid", str(os.getpid()), "--gil", "--idle"),
                        *("--format", "raw", "-r", "500", "-o", profiel),
                    ],
                    stdout=subprocess.DEVNULL,
                )
                time.sleep(1.0)
            d0, pg0 = draden_cpu(), _cpu_van(f"/proc/{backend}/stat")[1]
            c0, w0 = time.thread_time(), time.perf_counter()
            rondes = gepubliceerd = 0
            while True:
                n = relay.run_once()
                rondes += 1
                gepubliceerd += n
                if not n and not relay._full:
                    break
            cpu, wand = time.thread_time() - c0, time.perf_counter() - w0
            d1, pg1 = draden_cpu(), _cpu_van(f"/proc/{backend}/stat")[1]
            if spy is not None:
                spy.send_signal(2)
                spy.wait()
            open_ = relay.pending()
        publisher.close()
        relay_engine.dispose()
    n = aantal // 8 * 8
    return {
        "events": n,
        "gepubliceerd": gepubliceerd,
        "open": open_,
        "rondes": rondes,
        "wand_s": round(wand, 2),
        "events_per_s": round(n / wand),
        "cpu_us_per_event": {
            "relay": round(cpu * 1e6 / n, 1),
            "librdkafka": round((d1["librdkafka"] - d0.get("librdkafka", 0.0)) * 1e6 / n, 1),
            "postgres": round((pg1 - pg0) * 1e6 / n, 1),
        },
        "load": [round(load, 2), round(os.getloadavg()[0], 2)],
    }


def vergelijk(rondes: int, per_ronde: int, sites: int) -> dict[str, Any]:
    """CPU per round of the relay as before (``direct=False``) and now, rounds in turn."""
    cpu = [0.0, 0.0]
    load = os.getloadavg()[0]
    with postgres_database() as e0, postgres_database() as e1:
        writers = (e0, e1)
        url = [e.url.render_as_string(hide_password=False) for e in writers]
        engines = [make_engine(u, **engine_options(u)) for u in url]
        relays = [
            OutboxRelay(make_session_factory(e), InMemoryPublisher(), SOURCE, direct=d)
            for e, d in zip(engines, (False, True), strict=True)
        ]
        versies: list[dict[str, int]] = [{}, {}]
        with relays[0].keeping_connection(), relays[1].keeping_connection():  # as ``run``
            for k in (0, 1):
                _commit(writers[k], versies[k], per_ronde, sites)
                relays[k].run_once()  # warm: store id, chain head, prepared statements
            for _ in range(rondes):
                for k in (0, 1):
                    _commit(writers[k], versies[k], per_ronde, sites)
                    c0 = time.thread_time()
                    relays[k].run_once()
                    cpu[k] += time.thread_time() - c0
        for e in engines:
            e.dispose()
    return {
        "per_ronde": per_ronde,
        "rondes": rondes,
        "cpu_ms_per_ronde": {"voor": cpu[0] * 1000 / rondes, "nu": cpu[1] * 1000 / rondes},
        "cpu_us_per_event": {
            "voor": cpu[0] * 1e6 / rondes / per_ronde,
            "nu": cpu[1] * 1e6 / rondes / per_ronde,
        },
        "load": [load, os.getloadavg()[0]],
    }


KOP = (
    "| events per round | rounds | CPU ms per round | CPU ms per event | wall ms per round "
    "| statements | transactions |\n" + "| --- " * 7 + "|"
)


def _backend_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        velden = fh.read().rpartition(")")[2].split()
    return (int(velden[11]) + int(velden[12])) / os.sysconf("SC_CLK_TCK")


def outbox_kosten(batches: int, per_batch: int, per_mark: int) -> dict[str, Any]:
    """PostgreSQL's CPU per event for the outbox, on a database of its own: group-commit
    batches of ``per_batch`` events (``shared.eventstore.groepscommit``'s append statement) with
    their outbox rows against the same without (no topic: no outbox row), in turn, chunk by
    chunk; then the relay's marks of those rows, ``per_mark`` at a time (its UPDATE). Measured
    from ``/proc`` of the one backend (this machine's PostgreSQL), so only the server's work
    counts. ``synchronous_commit`` is off for this session only: the WAL is written all the
    same, the wait for its flush is left out (the same for both)."""
    from shared.db.direct import json_rows
    from shared.eventstore.groepscommit import _APPEND

    with postgres_database() as engine, engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        conn.commit()
        raw.autocommit = True
        cur = raw.cursor()
        cur.execute("SET synchronous_commit = off")
        pid = int(cur.execute("SELECT pg_backend_pid()").fetchone()[0])
        nu = datetime.now(UTC).isoformat()
        meta = json.dumps({"actor": "prs-bench", "organisation": "ZH", "correlation_id": "c"})
        data = json.dumps({"naar": "onderzocht", "besluitdatum": "2012-03-01"})
        stream = 0

        def batch(topic: str | None) -> None:
            nonlocal stream
            rows = []
            for i in range(per_batch):
                stream += 1
                rows.append(
                    (
                        i,
                        str(uuid.uuid4()),
                        f"ZH{stream:09d}",
                        "spoedlocatie",
                        1,
                        "spoedlocatie-status-gewijzigd",
                        1,
                        data,
                        meta,
                        nu,
                        nu,
                        topic,
                    )
                )
            cur.execute("BEGIN")
            cur.execute(_APPEND, (per_batch, json_rows(rows)), prepare=True)
            cur.execute("COMMIT")

        for _ in range(50):  # warm: plans, caches
            batch("bench.topic")
            batch(None)
        cpu = {"met": 0.0, "zonder": 0.0}
        stuk = 50
        for _ in range(max(1, batches // stuk)):
            for soort, topic in (("met", "bench.topic"), ("zonder", None)):
                c0 = _backend_cpu(pid)
                for _ in range(stuk):
                    batch(topic)
                cpu[soort] += _backend_cpu(pid) - c0
        events_per_soort = max(1, batches // stuk) * stuk * per_batch
        posities = [
            int(r[0])
            for r in cur.execute(
                "SELECT position FROM outbox WHERE published_at IS NULL ORDER BY position"
            ).fetchall()
        ]
        c0 = _backend_cpu(pid)
        for k in range(0, len(posities), per_mark):
            deel = ",".join(map(str, posities[k : k + per_mark]))
            cur.execute(
                "BEGIN; UPDATE outbox SET published_at = now()"
                f" WHERE position = ANY('{{{deel}}}'::bigint[]); COMMIT"
            )
        markeren = _backend_cpu(pid) - c0
        met = cpu["met"] / events_per_soort * 1e6
        zonder = cpu["zonder"] / events_per_soort * 1e6
        return {
            "events_per_soort": events_per_soort,
            "per_batch": per_batch,
            "per_mark": per_mark,
            "append_met_outbox_us_per_event": met,
            "append_zonder_outbox_us_per_event": zonder,
            "outbox_insert_us_per_event": met - zonder,
            "outbox_mark_us_per_event": markeren / len(posities) * 1e6,
            "outbox_us_per_event": met - zonder + markeren / len(posities) * 1e6,
        }


def sectie(uitslag: list[dict[str, Any]]) -> str:
    """The BENCHMARKS.md section (appended by ``bench/run.py``)."""
    rijen = "\n".join(
        f"| {r['per_ronde']} | {r['rondes']} | {r['cpu_ms_per_ronde']:.2f} "
        f"| {r['cpu_ms_per_event']:.3f} | {r['wand_ms_per_ronde']:.1f} "
        f"| {r['statements_per_ronde']:.1f} | {r['transacties_per_ronde']:.1f} |"
        for r in uitslag
    )
    return f"""
## Outbox relay cost per round (`bench/relay_kosten.py`, PostgreSQL)

One round as the relay runs it after a wake-up: seal what was committed, anchor when due, publish
(to an in-memory publisher: Kafka's client is left out) and mark. CPU is the relay thread's own
(`time.thread_time`); statements and transactions are counted with SQLAlchemy events.

{KOP}
{rijen}
"""


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rondes", type=int, default=200)
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--per-ronde", type=int, nargs="+", default=[1, 100])
    parser.add_argument("--latentie", type=float, default=0.0, metavar="RATE")
    parser.add_argument("--seconden", type=float, default=10.0)
    parser.add_argument("--schrijvers", type=int, default=4)
    parser.add_argument(
        "--pre-ping", action="store_true", help="the relay's engine pings at each checkout"
    )
    parser.add_argument("--proces", type=float, default=0.0, metavar="RATE")
    parser.add_argument("--profiel", default="", metavar="FILE", help="py-spy raw profile")
    parser.add_argument(
        "--vergelijk", action="store_true", help="the round as before against now, in turn"
    )
    parser.add_argument(
        "--outbox",
        type=int,
        default=0,
        metavar="BATCHES",
        help="PostgreSQL's CPU per event for the outbox rows (insert and mark)",
    )
    parser.add_argument("--per-batch", type=int, default=8)
    parser.add_argument("--per-mark", type=int, default=30)
    parser.add_argument("--bulk", type=int, default=0, metavar="EVENTS")
    args = parser.parse_args(argv)
    if args.bulk:
        b = bulk(args.bulk, args.profiel)
        print(json.dumps(b, indent=2))
        return [b]
    if args.outbox:
        kosten = outbox_kosten(args.outbox, args.per_batch, args.per_mark)
        print(json.dumps(kosten, indent=2))
        return [kosten]
    if args.vergelijk:
        paren = [
            vergelijk(args.rondes if n == 1 else max(10, args.rondes // 10), n, args.sites)
            for n in args.per_ronde
        ]
        print(json.dumps(paren, indent=2))
        return paren
    if args.proces:
        uit = proces(args.proces, args.seconden, args.schrijvers, args.profiel)
        print(json.dumps(uit, indent=2))
        return [uit]
    if args.latentie:
        lat = latentie(args.latentie, args.seconden, args.schrijvers)
        print(json.dumps(lat, indent=2))
        return [lat]
    uitslag = [
        meet(args.rondes if n == 1 else max(10, args.rondes // 10), n, args.sites, args.pre_ping)
        for n in args.per_ronde
    ]
    print(json.dumps(uitslag, indent=2))
    return uitslag


if __name__ == "__main__":
    main()
