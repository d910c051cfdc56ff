"""The HTTP path: status changes per second through the locaties API on PostgreSQL, and the
latency from sending the command to its event arriving on Kafka (p50/p99).

Starts the real service (uvicorn with uvloop and httptools, ``--workers`` processes,
``shared/http/workers.py``: by default a listening socket per worker and the kernel's hash,
``--spread parent`` its parent accepts and hands each connection to the worker with the fewest
open; ``connections_per_worker`` says how the clients' connections landed; relay on,
the service's own
settings: group commit on PostgreSQL) against a fresh PostgreSQL database and the Kafka broker
on localhost:9092, registers sites (not timed), then drives each through its lifecycle from
``--clients`` kept-alive connections (``bench/http_client.py``: one event loop, so the load
generator costs little of the cores it shares) while a consumer timestamps the arriving events
(``answer_ms``: to the 201; ``answer_to_kafka_ms``: from the 201 to Kafka, the relay's and the
broker's part). Every acknowledged command must arrive exactly once: ``events_on_kafka`` is
compared with the 201 answers and ``copies_on_kafka`` counts repeats.

CPU per command over the timed part (``/proc``): the workers, the relay process (and of it
librdkafka's threads), this database's PostgreSQL backends, PostgreSQL's background processes
and the broker (both shared with whatever else runs on the machine), and this process (the
clients and the Kafka reader); the service's and this process's also as a share of the machine.
The reader is librdkafka's consumer (see ``Reader``).

Two ways to drive it. Without ``--rate`` the clients send as fast as they are answered (a
closed loop): the service's capacity, and the latency at saturation, where by Little's law
each answer waits for the other clients' commands (``clients / rate`` on average). With
``--rate R`` the commands are due at a steady R a second over the same connections (an open
loop): the latency at that rate. Each command's latency counts from when it was due, not from
when a client got round to sending it, so a service that falls behind shows its whole delay
(no coordinated omission); ``behind_schedule_ms_max`` says how late the last sends were.

``BODEMREGIE_BENCH_RAW=FILE`` writes every command's times (sent, 201, on Kafka, marked by the
relay; seconds on this process's monotonic clock) as JSON, to see where in the run the slow
ones fall: a stall slows a whole group-commit batch (a worker's ~16 commands) at once, so a
run of 3,000 commands has its p99 in its two or three slowest batches.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from itertools import pairwise
from pathlib import Path
from typing import Any

import orjson
from confluent_kafka import Consumer, TopicPartition
from sqlalchemy import Engine, text

from bench import http_client
from bench.http_client import Connection
from shared.auth import Rol, mint_dev_token
from shared.messaging.acls import ADMIN
from shared.messaging.kafka_client import credentials_file
from shared.messaging.publisher import producer_config
from tests.support.infra import (
    KAFKA_BOOTSTRAP,
    KAFKA_CREDENTIALS,
    ROOT,
    kafka_as,
    postgres_database,
    scratch_topic,
)

SECRET = "bench-secret-" + "y" * 32
HOST = "127.0.0.1"
RELAY = "services.locaties.entrypoints.relay:main"
KETEN = ["onderzocht", "ernstig-spoed", "saneringsplan", "sanering-gestart", "gesaneerd", "nazorg"]
TICK = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    """A port free now: several benchmarks may run on one machine at once (a fixed port let
    one's clients reach another's service)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (uvicorn's supervisor and its workers)."""
    uit = [pid]
    for p in uit:
        for task in Path(f"/proc/{p}/task").glob("*"):
            with suppress(OSError):  # a thread that ended meanwhile
                uit += [int(c) for c in (task / "children").read_text().split()]
    return uit


def _cpu_s(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            velden = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(velden[11]) + int(velden[12])
    return total / TICK


def _threads_cpu_s(pid: int) -> dict[str, float]:
    """CPU per thread name of ``pid`` (librdkafka's threads are named ``rdk:...``)."""
    uit: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            naam = (task / "comm").read_text().strip()
            velden = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        uit[naam] = uit.get(naam, 0.0) + (int(velden[11]) + int(velden[12])) / TICK
    return uit


def _relay_pid(pids: list[int]) -> int | None:
    """The relay process among the service's: the one with librdkafka's threads (the workers
    produce nothing to Kafka)."""
    for pid in pids:
        if any(naam.startswith("rdk:") for naam in _threads_cpu_s(pid)):
            return pid
    return None


def _connections_per_worker(pids: list[int], port: int) -> list[int]:
    """How many established connections to ``port`` each of ``pids`` holds (``/proc``: the
    connections' socket inodes, and each process's descriptors), most first; processes holding
    none (the parent, the relay) left out."""
    inodes = set()
    for tabel in ("tcp", "tcp6"):
        with suppress(OSError):
            for line in Path(f"/proc/net/{tabel}").read_text().splitlines()[1:]:
                velden = line.split()
                if velden[3] == "01" and int(velden[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{velden[9]}]")
    uit = []
    for pid in pids:
        n = 0
        with suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with suppress(OSError):
                    n += os.readlink(fd) in inodes
        if n:
            uit.append(n)
    return sorted(uit, reverse=True)


def _cmdlines(*woorden: str, ook: str | None = None) -> list[int]:
    """This machine's processes whose command line holds one of ``woorden`` (and ``ook``)."""
    uit = []
    for proc in Path("/proc").glob("[0-9]*"):
        with suppress(OSError):
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if any(w in cmd for w in woorden) and (ook is None or ook in cmd):
                uit.append(int(proc.name))
    return uit


# PostgreSQL's background processes by their titles (shared by every database of the cluster).
PG_ACHTERGROND = (
    "postgres: walwriter",
    "postgres: checkpointer",
    "postgres: background writer",
    "postgres: autovacuum",
    "postgres: logical replication",
    "postgres: stats",
)


class Buren:
    """CPU of what serves the service besides its own processes, over the timed part: the
    benchmark database's PostgreSQL backends (their ``/proc``, found in ``pg_stat_activity``
    by database, named by ``application_name``), and, shared with whatever else runs on the
    machine, PostgreSQL's background processes (WAL writer, checkpointer, ...) and the broker."""

    def __init__(self, engine: Engine, broker: str | None = None) -> None:
        self._engine = engine
        self._broker = broker  # with it: only the broker whose command line holds it
        self._start = self._meet()

    def _backends(self) -> dict[int, str]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT pid, application_name FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).all()
        return {int(pid): str(naam) for pid, naam in rows}

    def _meet(self) -> dict[str, dict[int, float]]:
        backends = self._backends()
        return {
            "backend": {pid: _cpu_s([pid]) for pid in backends},
            "relay-backend": {
                pid: _cpu_s([pid]) for pid, naam in backends.items() if naam.endswith("-relay")
            },
            "pg-achtergrond": {pid: _cpu_s([pid]) for pid in _cmdlines(*PG_ACHTERGROND)},
            "broker": {pid: _cpu_s([pid]) for pid in _cmdlines("kafka.Kafka", ook=self._broker)},
        }

    def verschil(self) -> dict[str, float]:
        eind = self._meet()
        return {
            soort: sum(cpu - self._start[soort].get(pid, 0.0) for pid, cpu in per.items())
            for soort, per in eind.items()
        }


@contextmanager
def service(
    workers: int,
    topic: str,
    extra_env: dict[str, str],
    port: int,
    launcher: str = "reuseport",
    relay: str = "process",
    spread: str = "reuseport",
) -> Iterator[tuple[subprocess.Popen[bytes], Engine]]:
    """``launcher``: ``reuseport`` runs the workers with ``shared/http/workers.py`` (its
    ``--spread``: ``parent`` hands each connection to the worker with the fewest open,
    ``reuseport`` gives each worker a listening socket and the kernel spreads the connections),
    ``uvicorn`` with uvicorn's ``--workers`` (one shared socket). ``relay``: ``process`` runs
    the relay in a process of its own beside the workers (``reuseport`` only), ``thread`` in a
    thread of the worker that leads."""
    from services.locaties.bootstrap import VERSIONS

    with postgres_database([VERSIONS]) as engine:
        env = {
            **os.environ,
            "BODEMREGIE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "BODEMREGIE_JWT_SECRET": SECRET,
            "BODEMREGIE_KAFKA_BOOTSTRAP": KAFKA_BOOTSTRAP,
            # Its own topic has no service ACLs: the benchmark's relay logs in as admin.
            "BODEMREGIE_KAFKA_CREDENTIALS_FILE": str(credentials_file(ADMIN, KAFKA_CREDENTIALS)),
            "BODEMREGIE_SPOEDLOCATIES_TOPIC": topic,
            **extra_env,
        }
        module = "shared.http.workers" if launcher == "reuseport" else "uvicorn"
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", module, "services.locaties.entrypoints.app:create_app"),
                *("--factory", "--host", HOST, "--port", str(port), "--log-level", "warning"),
                *("--loop", "uvloop", "--http", "httptools", "--workers", str(workers)),
                # The relay in a process of its own beside the workers (reuseport only).
                *(("--relay", RELAY) if launcher == "reuseport" and relay == "process" else ()),
                *(("--spread", spread) if launcher == "reuseport" else ()),
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            yield server, engine
        finally:
            server.terminate()
            server.wait(30)


def run(
    sites: int,
    clients: int,
    workers: int,
    extra_env: dict[str, str],
    launcher: str = "reuseport",
    relay: str = "process",
    rate: float | None = None,
    spread: str = "reuseport",
    broker: str | None = None,
) -> dict[str, Any]:
    """``broker``: the broker's CPU only of the process whose command line holds it (a private
    broker's directory, with ``BODEMREGIE_TEST_KAFKA`` pointing the benchmark at it)."""
    # Its own topic, so the benchmark never mixes its events into a development log.
    port = _free_port()
    with (
        scratch_topic(6) as topic,
        service(workers, topic, extra_env, port, launcher, relay, spread) as (server, engine),
    ):
        return {
            "workers": workers,
            "launcher": launcher,
            "spread": spread if launcher == "reuseport" else None,
            "relay": relay if launcher == "reuseport" else "thread",
            "rate": rate,
            "load_before": os.getloadavg()[0],
            **http_client.run(
                _drive(sites, clients, topic, server.pid, engine, port, rate, broker)
            ),
            "load_after": os.getloadavg()[0],
        }


async def _ready(port: int) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            conn = await Connection(HOST, port).open()
            try:
                if (await conn.request("GET", "/v1/ready")).status == 200:
                    return
            finally:
                await conn.close()
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("service did not start")
        await asyncio.sleep(0.3)


def _auth(n: int) -> dict[str, str]:
    # The sites are Zuid-Holland's, and only a site's own bevoegd gezag writes it; each client
    # is its own official with its own token, as real clients are (the rate limit is per token).
    token = mint_dev_token(SECRET, f"bench{n}@zh.nl", Rol.BEVOEGD_GEZAG, "ZH")
    return {"Authorization": f"Bearer {token}"}


async def _registreer(sites: int, clients: int, port: int) -> list[str]:
    body = json.dumps(
        {
            "bevoegdGezag": "ZH",
            "gemeentecode": "0513",
            "naam": "bench",
            "registratiedatum": "2010-01-04",
        }
    ).encode()
    ids: list[str] = []

    async def client(n: int) -> None:
        conn = await Connection(HOST, port).open()
        for _ in range(n, sites, clients):
            answer = await conn.request("POST", "/v1/spoedlocaties", body, _auth(n))
            if answer.status != 201:
                raise RuntimeError(f"registration: {answer.status} {answer.body[:200]!r}")
            ids.append(json.loads(answer.body)["locatieId"])
        await conn.close()

    await asyncio.gather(*(client(n) for n in range(clients)))
    return ids


class Reader(threading.Thread):
    """Timestamps each status change's CloudEvent as it arrives on the topic.

    On librdkafka (confluent-kafka, as the relay's producer): records are fetched and decoded
    in C threads, and this thread only reads ``subject`` and ``sequence`` from each value
    (orjson), so the load generator takes little of the cores it shares with what it measures
    (kafka-python decoded every record batch in Python). What it checks is unchanged: each
    acknowledged command's event arrives, copies are counted, each event gets its own arrival
    time (the time the batch that carried it was handed over)."""

    def __init__(self, topic: str, wanted: set[str], expected: int) -> None:
        super().__init__(daemon=True)
        self.consumer = Consumer(
            {
                **producer_config(kafka_as()),
                "group.id": f"bench-{uuid.uuid4().hex[:8]}",
                "enable.auto.commit": False,
                "enable.partition.eof": False,
                # A fetch returns as soon as one record is there; when none is, the broker
                # holds it this long (each empty answer is a fetch round for the broker).
                "fetch.wait.max.ms": 100,
                "fetch.min.bytes": 1,
                "logger": logging.getLogger("bench.reader"),
            }
        )
        metadata = self.consumer.list_topics(topic, timeout=10).topics[topic]
        # From each partition's end now: what the run sends, not the registrations before it.
        self.consumer.assign(
            [
                TopicPartition(
                    topic,
                    p,
                    self.consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1],
                )
                for p in sorted(metadata.partitions)
            ]
        )
        self.wanted = wanted
        self.expected = expected
        self.received: dict[tuple[str, int], float] = {}
        # Per event, from the relay's produce call (the record's CreateTime, wall clock, in ms)
        # to its arrival here: the broker's and the reader's part of answer-to-Kafka.
        self.produce_to_reader_ms: list[float] = []
        self.copies = 0
        self.cpu_s = 0.0  # this thread's (librdkafka's own threads are in the process's)
        self.stop = threading.Event()

    def run(self) -> None:
        cpu = time.thread_time()
        poll, consume = self.consumer.poll, self.consumer.consume
        loads, now = orjson.loads, time.perf_counter
        wanted, received = self.wanted, self.received
        while not self.stop.is_set() and len(received) < self.expected:
            # ``consume(n, timeout)`` returns only when it has n records or the timeout passed
            # (which put ~50 ms on every arrival time): ``poll`` returns with the first record,
            # and what else is there already comes with it without waiting.
            first = poll(0.1)
            if first is None:
                continue
            records = [first, *consume(1000, 0)]
            t = now()
            wall_ms = time.time() * 1000
            for r in records:
                if r.error() is not None:
                    raise RuntimeError(f"reading the topic: {r.error()}")
                event = loads(r.value() or b"{}")
                # Status changes only: not the registrations, not the log's anchors.
                sequence = int(event.get("sequence", 0))
                if sequence > 1 and event["subject"] in wanted:
                    sleutel = (event["subject"], sequence)
                    if sleutel in received:
                        self.copies += 1
                    else:
                        received[sleutel] = t
                        self.produce_to_reader_ms.append(wall_ms - r.timestamp()[1])
        self.cpu_s = time.thread_time() - cpu
        self.consumer.close()


async def _drive(
    sites: int,
    clients: int,
    topic: str,
    server_pid: int,
    engine: Engine,
    port: int,
    rate: float | None = None,
    broker: str | None = None,
) -> dict[str, Any]:
    await _ready(port)
    ids = await _registreer(sites, clients, port)
    # Statistics, as a database in service has them: the new database's tables would otherwise
    # wait for autovacuum (a minute), and without statistics PostgreSQL plans scans of whole
    # (small) tables.
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    expected = sites * len(KETEN)
    reader = Reader(topic, set(ids), expected)
    reader.start()
    sent: dict[tuple[str, int], float] = {}
    answered: dict[tuple[str, int], float] = {}  # the 201's arrival
    acknowledged = 0
    queue = list(reversed(ids))
    slot = 0  # with a rate: the next command's place in the schedule
    achter = 0.0  # with a rate: how late a send went out, at most
    start = 0.0

    async def op_tijd() -> float:
        """When this command is due: now (closed loop) or its slot in the schedule."""
        nonlocal slot, achter
        if rate is None:
            return time.perf_counter()
        due = start + slot / rate
        slot += 1
        if (wacht := due - time.perf_counter()) > 0:
            await asyncio.sleep(wacht)
        else:
            achter = max(achter, -wacht)
        return due

    # Each command's body and If-Match, the same for every site (built once).
    stappen = [
        (
            version,
            f'{{"naar":"{naar}","besluitdatum":"{2010 + version}-01-01"}}'.encode(),
            b'If-Match: "%d"\r\n' % version,
        )
        for version, naar in enumerate(KETEN, start=1)
    ]
    now = time.perf_counter

    verbonden = 0  # clients with their connection open
    allen_verbonden = asyncio.Event()

    async def client(n: int) -> None:
        nonlocal acknowledged, verbonden
        auth = _auth(n)
        conn = await Connection(HOST, port).open()
        verbonden += 1
        if verbonden == clients:
            allen_verbonden.set()
        while queue:
            locatie_id = queue.pop()
            # The request up to its Content-Length, with this client's token: built per site.
            head = conn.head("POST", f"/v1/spoedlocaties/{locatie_id}/statuswijzigingen", auth)
            for version, body, if_match in stappen:
                sent[(locatie_id, version + 1)] = now() if rate is None else await op_tijd()
                status, answer = await conn.exchange(head, body, if_match)
                if status != 201:
                    raise RuntimeError(f"status change: {status} {answer[:300]!r}")
                answered[(locatie_id, version + 1)] = now()
                acknowledged += 1
        await conn.close()

    with engine.connect() as conn:
        vanaf = conn.execute(text("SELECT last_position FROM event_positions")).scalar_one()
    pids = _tree(server_pid)
    relay_pid = _relay_pid(pids)
    relay_threads = _threads_cpu_s(relay_pid) if relay_pid else {}
    per_process = {pid: _cpu_s([pid]) for pid in pids}
    buren = Buren(engine, broker)
    server_cpu, own_cpu = _cpu_s(pids), time.process_time()
    spreiding: list[int] = []

    async def meet_spreiding() -> None:
        await allen_verbonden.wait()
        # Once the workers took them all (a connection still in a listening socket's queue,
        # or on its way from the parent, is no worker's yet), or after 5 s what they took.
        for _ in range(50):
            await asyncio.sleep(0.1)
            spreiding[:] = _connections_per_worker(pids, port)
            if sum(spreiding) >= clients:
                return

    start = time.perf_counter()
    # Not awaited by the timing: once clients finished (and closed), the sum it waits for is
    # never reached, and up to 5 s of waiting would count as the run's (sites < clients).
    meting = asyncio.ensure_future(meet_spreiding())
    try:
        await asyncio.gather(*(client(n) for n in range(clients)))
    finally:
        meting.cancel()
    elapsed = time.perf_counter() - start
    server_cpu, own_cpu = _cpu_s(pids) - server_cpu, time.process_time() - own_cpu
    naast = buren.verschil()
    trace = os.environ.get("BODEMREGIE_GROUP_COMMIT_TRACE")
    # How the work spread over the processes (an idle worker shows a near-zero share).
    per_process = {pid: _cpu_s([pid]) - cpu for pid, cpu in per_process.items()}
    relay_cpu = per_process.get(relay_pid, 0.0) if relay_pid else 0.0
    relay_rdk = 0.0
    if relay_pid:
        relay_rdk = sum(
            cpu - relay_threads.get(naam, 0.0)
            for naam, cpu in _threads_cpu_s(relay_pid).items()
            if naam.startswith("rdk:")
        )
    reader.join(120)
    reader.stop.set()
    if trace:
        await asyncio.sleep(1.0)  # the writers' last batches reach their trace files
    with engine.connect() as conn:
        # The relay's rounds over the timed part: a round marks its rows with one timestamp.
        rondes = conn.execute(
            text("SELECT count(DISTINCT published_at) FROM outbox WHERE position > :p"),
            {"p": vanaf},
        ).scalar_one()
        # When the relay marked each event published: its round's timestamp, taken once the
        # broker confirmed the round (``OutboxRelay._commit``), as seconds since the epoch.
        gemarkeerd = {
            (stream, version): float(t)
            for stream, version, t in conn.execute(
                text(
                    "SELECT e.stream_id, e.version, extract(epoch FROM o.published_at)"
                    " FROM outbox o JOIN events e ON e.position = o.position"
                    " WHERE o.position > :p AND o.published_at IS NOT NULL"
                ),
                {"p": vanaf},
            )
        }
    latencies = [(reader.received[k] - sent[k]) * 1000 for k in sent if k in reader.received]
    in_order = sorted(sent, key=sent.__getitem__)
    first_round, warm = in_order[:clients], in_order[clients:]
    # Command to its 201 (the service's part), and 201 to Kafka (the relay's and the broker's).
    answers = [(answered[k] - sent[k]) * 1000 for k in answered]
    relay = [(reader.received[k] - answered[k]) * 1000 for k in answered if k in reader.received]
    machine = elapsed * (os.cpu_count() or 1)
    # The marks on this process's clock (wall clock minus the monotonic one, read together).
    klok = time.time() - time.perf_counter()
    gemarkeerd = {k: t - klok for k, t in gemarkeerd.items() if k in answered}
    tot_markering = [(t - answered[k]) * 1000 for k, t in gemarkeerd.items()]
    na_markering = [
        (reader.received[k] - t) * 1000 for k, t in gemarkeerd.items() if k in reader.received
    ]
    ruw = os.environ.get("BODEMREGIE_BENCH_RAW")
    if ruw:
        # Every command's times on this process's clock (s): sent, 201, on Kafka, marked.
        Path(ruw).write_bytes(
            orjson.dumps(
                [
                    [sent[k], answered.get(k), reader.received.get(k), gemarkeerd.get(k)]
                    for k in in_order
                ]
            )
        )
    return {
        "sites": sites,
        "clients": clients,
        "status_changes": expected,
        "acknowledged": acknowledged,
        "status_changes_per_s": expected / elapsed,
        # The clients' connections per worker, once all were open.
        "connections_per_worker": spreiding,
        "behind_schedule_ms_max": achter * 1000 if rate is not None else None,
        "events_on_kafka": len(latencies),
        "copies_on_kafka": reader.copies,
        "exactly_once": len(latencies) == acknowledged and reader.copies == 0,
        "latency_ms_p50": statistics.median(latencies),
        "latency_ms_p99": _percentile(latencies, 0.99),
        "latency_ms_max": max(latencies),
        # Without each client's first command (the first ``clients`` sent): those meet a
        # cold worker (the writer's connection opened, statements prepared on first use).
        "latency_ms_p99_after_first_round": _percentile(
            [(reader.received[k] - sent[k]) * 1000 for k in warm if k in reader.received], 0.99
        ),
        # Each client's first command alone: what a worker's start-up left cold (its
        # connections, prepared statements) shows here.
        "latency_ms_first_round_p50": statistics.median(
            [(reader.received[k] - sent[k]) * 1000 for k in first_round if k in reader.received]
        ),
        "answer_ms_first_round_max": max(
            [(answered[k] - sent[k]) * 1000 for k in first_round if k in answered]
        ),
        "answer_ms_p99_after_first_round": _percentile(
            [(answered[k] - sent[k]) * 1000 for k in warm if k in answered], 0.99
        ),
        "answer_ms_p50": statistics.median(answers),
        "answer_ms_p99": _percentile(answers, 0.99),
        "answer_to_kafka_ms_p50": statistics.median(relay),
        "answer_to_kafka_ms_p99": _percentile(relay, 0.99),
        # Of answer-to-Kafka: from the relay's produce call to the reader (1 ms resolution).
        "produce_to_reader_ms_p50": statistics.median(reader.produce_to_reader_ms),
        "produce_to_reader_ms_p99": _percentile(reader.produce_to_reader_ms, 0.99),
        # A diagnostic split of answer-to-Kafka at the relay's mark (its round's timestamp,
        # after the broker confirmed the round, from the relay's wall clock): the 201 to the
        # relay's confirmation (waiting for a round, reading and sealing, the produce and the
        # broker's acknowledgement), and from there to the reader (negative: read before the
        # relay's flush returned).
        "answer_to_marked_ms_p50": _p(tot_markering, 0.5),
        "answer_to_marked_ms_p99": _p(tot_markering, 0.99),
        "marked_to_reader_ms_p50": _p(na_markering, 0.5),
        "marked_to_reader_ms_p99": _p(na_markering, 0.99),
        "relay_rounds": rondes,
        "events_per_round": round(len(latencies) / max(1, rondes), 1),
        "service_cpu_ms_per_command": server_cpu / expected * 1000,
        # The split of the path's CPU per command over the timed part. The relay: its whole
        # process, and of that librdkafka's threads. PostgreSQL: this database's backends
        # (the relay's among them); its background processes and the broker also serve
        # whatever else runs on the machine.
        "workers_cpu_ms_per_command": (server_cpu - relay_cpu) / expected * 1000,
        "relay_cpu_ms_per_command": relay_cpu / expected * 1000,
        "relay_librdkafka_cpu_ms_per_command": relay_rdk / expected * 1000,
        "pg_backends_cpu_ms_per_command": naast["backend"] / expected * 1000,
        "pg_relay_backend_cpu_ms_per_command": naast["relay-backend"] / expected * 1000,
        "pg_background_cpu_ms_per_command_shared": naast["pg-achtergrond"] / expected * 1000,
        "broker_cpu_ms_per_command_shared": naast["broker"] / expected * 1000,
        "client_cpu_ms_per_command": own_cpu / expected * 1000,
        "reader_thread_cpu_ms_per_command": reader.cpu_s / expected * 1000,
        "service_cpu_share": server_cpu / machine,
        "client_cpu_share": own_cpu / machine,
        "process_cpu_shares": sorted(
            (round(cpu / elapsed, 2) for cpu in per_process.values() if cpu > 0), reverse=True
        ),
        "answer_ms_histogram": _histogram(answers, 5.0),
        **({"group_commit": _batches(trace, start, start + elapsed)} if trace else {}),
    }


def _p(values: list[float], q: float) -> float | None:
    return round(_percentile(values, q), 2) if values else None


def _histogram(values: Sequence[float], width: float) -> dict[str, int]:
    """How many values fall in each ``width``-wide bucket (named by its lower bound)."""
    counts: dict[int, int] = {}
    for v in values:
        counts[int(v // width)] = counts.get(int(v // width), 0) + 1
    return {f"{k * width:g}": counts[k] for k in sorted(counts)}


def _batches(directory: str, start: float, end: float) -> dict[str, Any]:
    """The group commit's batches per writer over the timed part, from the workers' traces
    (``BODEMREGIE_GROUP_COMMIT_TRACE``): batch sizes, each request's wait for its batch to be
    taken, and the batch's time from taken to answered."""
    per_writer: dict[str, Any] = {}
    for path in sorted(Path(directory).glob("*.json")):
        batches = [b for b in orjson.loads(path.read_bytes()) if start <= b[0] <= end]
        if not batches:
            continue
        sizes = [len(sent) for _, _, sent in batches]
        waits = [(taken - s) * 1000 for taken, _, sent in batches for s in sent]
        cycles = [(done - taken) * 1000 for taken, done, _ in batches]
        gaps = [(b[0] - a[1]) * 1000 for a, b in pairwise(batches)]
        per_writer[path.stem] = {
            "batches": len(batches),
            "size_mean": round(statistics.mean(sizes), 2),
            "size_histogram": _histogram(sizes, 1),
            "wait_ms_p50": round(statistics.median(waits), 2),
            "wait_ms_p99": round(_percentile(waits, 0.99), 2),
            "wait_ms_histogram": _histogram(waits, 2.0),
            "batch_ms_p50": round(statistics.median(cycles), 2),
            "batch_ms_p99": round(_percentile(cycles, 0.99), 2),
            "idle_between_ms_p50": round(statistics.median(gaps), 2),
            "idle_between_ms_p99": round(_percentile(gaps, 0.99), 2),
        }
    return per_writer


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        help="NAME=VALUE for the service, e.g. BODEMREGIE_GROUP_COMMIT=false",
    )
    parser.add_argument(
        "--launcher",
        choices=("reuseport", "uvicorn"),
        default="reuseport",
        help="shared/http/workers.py (its spread: --spread) or uvicorn's --workers",
    )
    parser.add_argument(
        "--spread",
        choices=("parent", "reuseport"),
        default="reuseport",
        help="with shared/http/workers.py: its parent hands each connection to the worker with "
        "the fewest open, or a listening socket per worker and the kernel's hash",
    )
    parser.add_argument(
        "--relay",
        choices=("process", "thread"),
        default="process",
        help="the outbox relay in a process of its own or in a thread of the leading worker",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="commands due per second over all clients (an open loop); default: as fast as "
        "answered (a closed loop)",
    )
    parser.add_argument(
        "--broker",
        default=None,
        help="count the CPU of the broker whose command line holds this only (e.g. a private "
        "broker's directory var/kafka-NAME, with BODEMREGIE_TEST_KAFKA=localhost:PORT); "
        "default: every kafka.Kafka process on the machine",
    )
    args = parser.parse_args(argv)
    extra = dict(e.split("=", 1) for e in args.env)
    result = run(
        args.sites,
        args.clients,
        args.workers,
        extra,
        args.launcher,
        args.relay,
        args.rate,
        args.spread,
        args.broker,
    )
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
