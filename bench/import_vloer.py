"""The machine's floor under the bulk import: what storing, sealing and publishing an event cost
when nothing else is done, so that the import's rate (``bench/bulk_import.py``) can be read
against what this machine can do at all.

Issue #12 asks ≥20,000 events/s "into PostgreSQL with every event sealed and on Kafka". On two
cores that is 100 µs of CPU per event over every process, if all of them ran in parallel without
a moment's wait. This measures how much of those 100 µs the three things every imported event
needs take on their own, with the project's real tables and broker but none of its code on the
path:

- ``postgres``: the event rows and their seals by binary COPY (psycopg's C writer, one
  connection) into the store's own tables and indexes (``events``, ``event_seals``, the
  position counter), a transaction of ``--per-transactie`` events each, committed with the
  cluster's durability. No read models, outbox rows or line keys: only what the log is.
- ``zegel``: the hash chain, one SHA-256 per event over the previous hash and the event's
  CloudEvent bytes (``hashlib`` on bytes built beforehand: the least any chain costs).
- ``kafka``: the CloudEvent bytes produced with the relay's own producer settings
  (``relay_producer_config``: idempotent, ``acks=all``), keyed by stream, with the relay's two
  headers, flushed per transaction, to a topic of 6 partitions as the services'.
- ``samen``: all three at once, as a pipeline: one thread COPYs transaction after transaction;
  another hashes and produces each one once it committed. Its rate is the floor of "stored,
  sealed and on Kafka" on this machine.

The events are real ones: the import's own history (``bench.bulk_import.regels``) imported
untimed through the service into a scratch database (``--voorbeeld`` sites), its rows read back
and repeated under new stream ids and positions up to ``--sites`` sites. CPU per event is read
from ``/proc``: this process's threads (the COPY thread and the Kafka thread apart, librdkafka's
own), the PostgreSQL backend, PostgreSQL's background processes (WAL writer, checkpointer:
shared with whatever else runs) and the broker (shared too).

    python -m bench.import_vloer --sites 5000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from bench.bulk_import import SECRET, STAPPEN, broker_pid, draden_cpu, proces_cpu, regels
from bench.http_path import PG_ACHTERGROND, _cmdlines, _cpu_s
from services.locaties.config import LocatiesSettings
from services.locaties.entrypoints.app import create_app
from shared.auth import Rol, mint_dev_token
from shared.db.kopie import _kolommen
from shared.eventstore.tables import event_seals, events
from shared.messaging.acls import ADMIN
from shared.messaging.publisher import (
    POSITION_HEADER,
    STORE_HEADER,
    _Fouten,
    producer_config,
    relay_producer_config,
)
from shared.zegel import cloudevent
from tests.support.infra import KAFKA_BOOTSTRAP, create_topic, kafka_as, postgres_database

log = logging.getLogger(__name__)
_KOLOMMEN = tuple(events.c.keys())
_ZEGEL_KOLOMMEN = ("position", "hash", "prev_hash", "stream_prev_hash")
# The COPY statements and psycopg's type names as the store's own bulk append makes them
# (``shared/db/kopie.py``: a JSON value goes as its UTF-8 bytes).
_SQL, _TYPEN, _ = _kolommen(events, _KOLOMMEN)
_ZEGEL_SQL, _ZEGEL_TYPEN, _ = _kolommen(event_seals, _ZEGEL_KOLOMMEN)
_NUL = "0" * 64


def voorbeeld(sites: int) -> list[tuple[Any, ...]]:
    """The event rows of the import's history for ``sites`` sites, imported through the service
    (Kafka off) into a scratch database, as the store holds them (columns of ``events``)."""
    token = mint_dev_token(SECRET, "bench", Rol.BEVOEGD_GEZAG, "ZH")
    with postgres_database() as engine:
        cfg = LocatiesSettings(
            database_url=engine.url.render_as_string(hide_password=False),
            jwt_secret=SECRET,
            kafka_enabled=False,
            rate_limit_per_minute=1_000_000,
        )
        with TestClient(create_app(cfg)) as client:
            r = client.post(
                "/v1/spoedlocaties/import",
                content=b"".join(regels(sites)),
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/x-ndjson",
                },
            )
            if r.status_code != 200 or r.text.count('"status":201') != sites * (len(STAPPEN) + 1):
                raise RuntimeError(f"the sample import failed: {r.status_code} {r.text[:300]}")
        with engine.connect() as conn:
            kolommen = ", ".join(_KOLOMMEN)
            return [
                tuple(rij)
                for rij in conn.execute(text(f"SELECT {kolommen} FROM events ORDER BY position"))
            ]


class Gebeurtenis:
    """One event of the floor run: its row for COPY (JSON as bytes) and its CloudEvent bytes
    for Kafka, both built before anything is timed."""

    __slots__ = ("bericht", "positie", "rij", "stroom")

    def __init__(self, positie: int, stroom: str, rij: tuple[Any, ...], bericht: bytes) -> None:
        self.positie, self.stroom, self.rij, self.bericht = positie, stroom, rij, bericht


def vermenigvuldig(
    sjabloon: Sequence[tuple[Any, ...]], aantal: int, store_id: str
) -> list[Gebeurtenis]:
    """``aantal`` events: the sample's rows over and over, each round under new stream ids (the
    sample's id with a round number) and new event ids, positions from 1."""
    p = {k: i for i, k in enumerate(_KOLOMMEN)}
    uit: list[Gebeurtenis] = []
    ronde = 0
    while len(uit) < aantal:
        for rij in sjabloon:
            if len(uit) == aantal:
                break
            waarden = list(rij)
            positie = len(uit) + 1
            stroom = f"{rij[p['stream_id']]}-{ronde}"
            waarden[p["position"]] = positie
            waarden[p["stream_id"]] = stroom
            waarden[p["event_id"]] = str(uuid.uuid4())
            doc = cloudevent(waarden, "urn:bench:vloer", store_id, _NUL, _NUL)
            doc["hash"] = _NUL
            waarden[p["data"]] = orjson.dumps(waarden[p["data"]])
            waarden[p["event_metadata"]] = orjson.dumps(waarden[p["event_metadata"]])
            uit.append(Gebeurtenis(positie, stroom, tuple(waarden), orjson.dumps(doc)))
        ronde += 1
    return uit


def _delen(evs: list[Gebeurtenis], per: int) -> list[list[Gebeurtenis]]:
    return [evs[i : i + per] for i in range(0, len(evs), per)]


def _zegels(deel: Sequence[Gebeurtenis], vorige: str) -> tuple[list[tuple[Any, ...]], str]:
    """The chain over these events after ``vorige``: rows for ``event_seals`` and the new head.
    (Each event's previous in its own stream is taken as the chain's previous: the floor hashes
    once per event, as the chain does; which earlier hash goes in is no cost.)"""
    rijen = []
    sha = hashlib.sha256
    for e in deel:
        h = sha(vorige.encode() + e.bericht).hexdigest()
        rijen.append((e.positie, h, vorige, vorige))
        vorige = h
    return rijen, vorige


def _copy(engine: Engine) -> tuple[Callable[[list[Gebeurtenis], list[tuple[Any, ...]]], None], int]:
    """A function that stores one transaction's events and seals, and its backend's pid."""
    raw = engine.raw_connection()
    conn: Any = raw.driver_connection
    conn.autocommit = False
    pid = int(conn.info.backend_pid)

    def opslaan(deel: list[Gebeurtenis], zegels: list[tuple[Any, ...]]) -> None:
        with conn.cursor() as cur:
            if deel:
                cur.execute(
                    "UPDATE event_positions SET last_position = last_position + %s WHERE id = 1",
                    (len(deel),),
                )
                with cur.copy(_SQL) as copy:
                    copy.set_types(_TYPEN)
                    for e in deel:
                        copy.write_row(e.rij)
            if zegels:
                with cur.copy(_ZEGEL_SQL) as copy:
                    copy.set_types(_ZEGEL_TYPEN)
                    for z in zegels:
                        copy.write_row(z)
        conn.commit()

    return opslaan, pid


class _Producent(Producer):
    """The relay's producer with its delivery reports (``fouten``), collected as the relay's
    publisher collects them (``_Fouten``: apart from the producer, a callback bound to the
    producer itself would make a cycle that keeps it and its threads alive)."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.fouten = _Fouten()
        super().__init__({**config, "on_delivery": self.fouten.rapport})


def _producer(principal: str = ADMIN) -> tuple[_Producent, str]:
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=6)
    return _Producent(
        relay_producer_config(kafka_as(principal), client_id="bodemregie-vloer")
    ), topic


def _weg(topic: str) -> None:
    """Delete a scratch topic: it was made as the services' are (kept for ever), and a full
    run leaves two of 40,000 records on the shared broker otherwise."""
    admin = AdminClient(producer_config(kafka_as(ADMIN)))
    try:
        for klaar in admin.delete_topics([topic], operation_timeout=30).values():
            klaar.result(60)
    except Exception as exc:  # a measurement is not lost for its clean-up
        log.warning("scratch topic %s not deleted: %s", topic, exc)


def _stuur(producer: _Producent, topic: str, deel: Sequence[Gebeurtenis], store_id: str) -> None:
    produce = producer.produce
    for e in deel:
        produce(
            topic,
            e.bericht,
            e.stroom,
            headers=[(POSITION_HEADER, str(e.positie)), (STORE_HEADER, store_id)],
        )
    if producer.flush(30) != 0 or producer.fouten.fout is not None:
        raise RuntimeError(f"Kafka did not confirm every record: {producer.fouten.fout}")


def _pg_achtergrond() -> dict[int, float]:
    """CPU seconds so far of each of PostgreSQL's background processes (WAL writer,
    checkpointer, ...; autovacuum's workers come and go, so per process)."""
    return {pid: _cpu_s([pid]) for pid in _cmdlines(*PG_ACHTERGROND)}


def _librdkafka() -> float:
    """CPU seconds so far of this process's librdkafka threads."""
    return draden_cpu().get("librdkafka", 0.0)


class Meting:
    """Wall time and CPU seconds of each party over one stage."""

    def __init__(self, backend: int | None) -> None:
        self._backend = backend
        self._broker = broker_pid()

    def __enter__(self) -> Meting:
        self._begin = self._lees()
        self._achtergrond = _pg_achtergrond()
        self._wand = time.perf_counter()
        return self

    def _lees(self) -> dict[str, float]:
        return {
            "postgres backend": proces_cpu(self._backend),
            "broker (gedeeld)": proces_cpu(self._broker),
            "librdkafka": _librdkafka(),
        }

    def __exit__(self, *exc: object) -> None:
        self.wand_s = time.perf_counter() - self._wand
        eind = self._lees()
        self.cpu_s = {k: eind[k] - self._begin[k] for k in eind}
        self.cpu_s["postgres achtergrond (gedeeld)"] = sum(
            cpu - self._achtergrond.get(pid, 0.0) for pid, cpu in _pg_achtergrond().items()
        )


def _uitslag(
    meting: Meting, n: int, draden: dict[str, float], extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    cpu = {**draden, **meting.cpu_s}
    us = {k: round(v / n * 1e6, 1) for k, v in cpu.items() if v > 0 or k in draden}
    totaal = sum(cpu.values()) / n * 1e6
    return {
        "events": n,
        "wand_s": round(meting.wand_s, 2),
        "events_per_s": round(n / meting.wand_s),
        "cpu_us_per_event": us,
        "cpu_us_per_event_totaal": round(totaal, 1),
        # Were every party's work spread over both cores without a wait.
        "events_per_s_op_2_kernen_hoogstens": round(2e6 / totaal) if totaal else None,
        **(extra or {}),
    }


def postgres(evs: list[Gebeurtenis], per: int) -> dict[str, Any]:
    delen = _delen(evs, per)
    zegels = [_zegels(d, _NUL)[0] for d in delen]  # hashed beforehand: only the store is timed
    with postgres_database() as engine:
        opslaan, pid = _copy(engine)
        with Meting(pid) as m:
            c0 = time.thread_time()
            for deel, z in zip(delen, zegels, strict=True):
                opslaan(deel, z)
            draad = time.thread_time() - c0
        return _uitslag(m, len(evs), {"copy-draad": draad})


def zegel(evs: list[Gebeurtenis], per: int) -> dict[str, Any]:
    delen = _delen(evs, per)
    with Meting(None) as m:
        c0 = time.thread_time()
        vorige = _NUL
        for deel in delen:
            _, vorige = _zegels(deel, vorige)
        draad = time.thread_time() - c0
    return _uitslag(m, len(evs), {"hash-draad": draad})


def kafka(evs: list[Gebeurtenis], per: int, store_id: str) -> dict[str, Any]:
    delen = _delen(evs, per)
    producer, topic = _producer()
    try:
        _stuur(producer, topic, evs[:10], store_id)  # the connection and metadata, untimed
        with Meting(None) as m:
            c0 = time.thread_time()
            for deel in delen:
                _stuur(producer, topic, deel, store_id)
            draad = time.thread_time() - c0
    finally:
        _weg(topic)
    return _uitslag(m, len(evs), {"kafka-draad": draad})


def samen(evs: list[Gebeurtenis], per: int, store_id: str) -> dict[str, Any]:
    """The pipeline: the COPY thread stores and commits each transaction's events (with the
    seals the Kafka thread hashed since its last commit, as the relay seals what committed
    before), the Kafka thread hashes and produces each committed transaction. The clock stops
    when every event is stored, sealed, its seal stored, and on Kafka: the seals still waiting
    when the last events committed (the last transaction's at least, more when the Kafka
    thread fell behind) are stored in one more transaction, as the relay's next round would."""
    producer, topic = _producer()
    try:
        return _samen(evs, per, store_id, producer, topic)
    finally:
        _weg(topic)


def _samen(
    evs: list[Gebeurtenis], per: int, store_id: str, producer: _Producent, topic: str
) -> dict[str, Any]:
    delen = _delen(evs, per)
    _stuur(producer, topic, evs[:10], store_id)
    gedaan: queue.Queue[int | None] = queue.Queue()
    # Each committed transaction's seals; None: the Kafka thread is done (or failed).
    zegels: queue.Queue[list[tuple[Any, ...]] | None] = queue.Queue()
    cpu: dict[str, float] = {}
    fouten: list[BaseException] = []
    with postgres_database() as engine:
        opslaan, pid = _copy(engine)

        def schrijver() -> None:
            c0 = time.thread_time()
            klaar = False  # the Kafka thread's None came
            try:
                for i, deel in enumerate(delen):
                    if fouten:
                        return
                    z: list[tuple[Any, ...]] = []
                    while not klaar and not zegels.empty():
                        if (volgende := zegels.get_nowait()) is None:
                            klaar = True
                        else:
                            z.extend(volgende)
                    opslaan(deel, z)
                    gedaan.put(i)
                gedaan.put(None)
                rest: list[tuple[Any, ...]] = []
                while not klaar:
                    if (volgende := zegels.get()) is None:
                        klaar = True
                    else:
                        rest.extend(volgende)
                if rest and not fouten:
                    opslaan([], rest)
            except BaseException as exc:
                fouten.append(exc)
            finally:
                gedaan.put(None)  # a second None is never read
                cpu["copy-draad"] = time.thread_time() - c0

        def zender() -> None:
            c0 = time.thread_time()
            vorige = _NUL
            try:
                while (i := gedaan.get()) is not None:
                    z, vorige = _zegels(delen[i], vorige)
                    _stuur(producer, topic, delen[i], store_id)
                    zegels.put(z)
            except BaseException as exc:
                fouten.append(exc)
            finally:
                zegels.put(None)
                cpu["hash-en-kafka-draad"] = time.thread_time() - c0

        with Meting(pid) as m:
            draden = [threading.Thread(target=schrijver), threading.Thread(target=zender)]
            for d in draden:
                d.start()
            for d in draden:
                d.join()
        if fouten:
            raise fouten[0]
        with engine.connect() as conn:
            opgeslagen = tuple(
                int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())
                for t in ("events", "event_seals")
            )
        if opgeslagen != (len(evs), len(evs)):
            raise RuntimeError(f"the pipeline stored {opgeslagen} events and seals of {len(evs)}")
        return _uitslag(m, len(evs), cpu)


_NAMEN = {
    "postgres": "store: events and seals by COPY",
    "zegel": "seal: the hash chain",
    "kafka": "publish: the relay's producer",
    "samen": "all three as a pipeline",
}


def sectie(r: dict[str, Any]) -> str:
    """The BENCHMARKS.md section (appended by ``bench/run.py``), to read the import's own rate
    and CPU per event against."""
    rijen = "\n".join(
        f"| {naam} | {r[deel]['events_per_s']:,} | {r[deel]['cpu_us_per_event_totaal']} | "
        + ", ".join(f"{k} {v}" for k, v in r[deel]["cpu_us_per_event"].items())
        + f" | {r[deel]['events_per_s_op_2_kernen_hoogstens']:,} |"
        for deel, naam in _NAMEN.items()
    )
    g = r["gemiddeld"]
    return f"""
## The machine's floor under the import (`bench/import_vloer.py`)

{r["events"]} real events of the import's history (its rows as the store holds them, JSON
{g["rij_json_bytes"]} bytes a row; CloudEvents of {g["cloudevent_bytes"]} bytes), stored,
sealed and published with none of the project's code on the path: binary COPY of the rows and
their seals into the store's own tables ({r["per_transactie"]} a transaction), one SHA-256 per
event, the relay's producer settings. What any import on this machine costs at least.

| part | events/s | CPU µs per event | of it | events/s were it spread over 2 cores |
| --- | --- | --- | --- | --- |
{rijen}

Load before/after: {r["load_voor"]} / {r["load_na"]}. Compare the import's CPU per event over
all processes (above) with the pipeline's: the difference is what the project adds per event
(parsing and validating each line, the read models, the line keys, the outbox, the relay's
read-back and CloudEvents, HTTP).
"""


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=5000)
    parser.add_argument("--voorbeeld", type=int, default=100, help="sites imported as sample")
    parser.add_argument("--per-transactie", type=int, default=1000)
    args = parser.parse_args(argv)
    per_site = len(STAPPEN) + 1
    aantal = args.sites * per_site
    store_id = str(uuid.uuid4())
    evs = vermenigvuldig(voorbeeld(args.voorbeeld), aantal, store_id)
    gemiddeld = {
        "rij_json_bytes": round(sum(len(e.rij[7]) + len(e.rij[8]) for e in evs) / len(evs)),
        "cloudevent_bytes": round(sum(len(e.bericht) for e in evs) / len(evs)),
    }
    uit: dict[str, Any] = {
        "events": aantal,
        "per_transactie": args.per_transactie,
        "gemiddeld": gemiddeld,
        "load_voor": [round(x, 2) for x in os.getloadavg()],
    }
    uit["postgres"] = postgres(evs, args.per_transactie)
    uit["zegel"] = zegel(evs, args.per_transactie)
    uit["kafka"] = kafka(evs, args.per_transactie, store_id)
    uit["samen"] = samen(evs, args.per_transactie, store_id)
    uit["load_na"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(uit, indent=2))
    return uit


if __name__ == "__main__":
    main()
