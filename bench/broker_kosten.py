"""The Kafka broker's CPU per relayed message, by round size and producer settings.

The relay sends a round's records and flushes (``shared.messaging.publisher``): one produce
request per round, with a batch per partition the round touches. This sends ~1 KB CloudEvent-
shaped records the same way to a topic of its own (6 partitions, as the services' topic) at a
steady number of rounds a second, optionally with a reader as ``bench/http_path.py``'s (its
fetches are the broker's work too), and reads the broker's CPU from ``/proc``. Each shape runs
for ``--seconden`` in turn with the others, ``--herhalingen`` times, next to an idle spell of the
same length: the broker is shared, so what others make it do is in every figure, and the idle
spell shows how much.

    python -m bench.broker_kosten --vormen idle:10:100 relay:5:200 relay:10:100 relay:40:25 \\
        lz4:10:100 --lezer

A shape is ``settings:records per round:rounds per second``; settings are ``relay`` (the relay's
own producer), ``lz4``/``zstd`` (with that compression), ``linger0`` (``linger.ms`` 0), ``idle``
(sends nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, Producer, TopicPartition

from shared.messaging.publisher import (
    POSITION_HEADER,
    STORE_HEADER,
    producer_config,
    relay_producer_config,
)
from tests.support.infra import kafka_as, scratch_topic

TICK = os.sysconf("SC_CLK_TCK")
INSTELLINGEN: dict[str, dict[str, Any] | None] = {
    "relay": {},
    "lz4": {"compression.type": "lz4"},
    "zstd": {"compression.type": "zstd"},
    "linger0": {"linger.ms": 0},
    "idle": None,
}
STORE = str(uuid.uuid4())


BROKER = [b"kafka.Kafka"]  # what the broker's command line holds (``--broker`` adds to it)


def _broker_cpu() -> float:
    totaal = 0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes()
            if not all(w in cmdline for w in BROKER):
                continue
            velden = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        totaal += int(velden[11]) + int(velden[12])
    return totaal / TICK


def _waarde(n: int) -> bytes:
    """A record as big as a status change's CloudEvent (~1 KB)."""
    return json.dumps(
        {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": "urn:nld:oin:00000001003214345000:systeem:bodemregie-locaties",
            "type": "nl.overheid.bodem.spoedlocatie-status-gewijzigd",
            "subject": f"ZH0513{n % 500:05d}",
            "time": "2026-12-01T00:00:00.123456Z",
            "datacontenttype": "application/json",
            "sequence": str(n),
            "occurredat": "2011-01-01T00:00:00Z",
            "position": n,
            "storeid": STORE,
            "streamtype": "spoedlocatie",
            "schemaversion": 1,
            "actor": "prs-" + "a" * 40,
            "organisation": "ZH",
            "role": "bevoegd-gezag",
            "correlationid": str(uuid.uuid4()),
            "hash": "a" * 64,
            "prevhash": "b" * 64,
            "streamprevhash": "c" * 64,
            "data": {"naar": "ernstig-spoed", "besluitdatum": "2011-01-01", "van": "onderzocht"},
        }
    ).encode()


def _lezer(topic: str, stop: threading.Event) -> threading.Thread:
    """A reader as the HTTP benchmark's: a fetch returns as soon as a record is there."""
    consumer = Consumer(
        {
            **producer_config(kafka_as()),
            "group.id": f"bench-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "fetch.wait.max.ms": 100,
            "fetch.min.bytes": 1,
        }
    )
    partities = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign(
        [
            TopicPartition(topic, p, consumer.get_watermark_offsets(TopicPartition(topic, p))[1])
            for p in partities
        ]
    )

    def lees() -> None:
        while not stop.is_set():
            if consumer.poll(0.1) is not None:
                consumer.consume(1000, 0)
        consumer.close()

    draad = threading.Thread(target=lees, daemon=True)
    draad.start()
    return draad


def vorm(topic: str, instelling: str, per: int, rate: float, seconden: float) -> dict[str, Any]:
    """One shape: rounds of ``per`` records (keys spread over the partitions as sites are),
    each flushed, ``rate`` rounds a second, for ``seconden``."""
    extra = INSTELLINGEN[instelling]
    producer = Producer({**relay_producer_config(kafka_as()), **(extra or {})})
    producer.list_topics(topic, timeout=10)
    waarden = [_waarde(n) for n in range(500)]
    rondes = int(seconden * rate)
    b0, t0, n = _broker_cpu(), time.perf_counter(), 0
    for r in range(rondes):
        for _ in range(0 if extra is None else per):
            sleutel = f"ZH0513{n % 500:05d}".encode()
            producer.produce(
                topic,
                waarden[n % 500],
                sleutel,
                headers=[(POSITION_HEADER, str(n).encode()), (STORE_HEADER, STORE.encode())],
            )
            n += 1
        producer.flush(30)
        if (wacht := t0 + (r + 1) / rate - time.perf_counter()) > 0:
            time.sleep(wacht)
    verstreken, broker = time.perf_counter() - t0, _broker_cpu() - b0
    producer.flush(30)
    return {
        "vorm": f"{instelling}:{per}:{rate:g}",
        "berichten_per_s": round(n / verstreken),
        "broker_cpu_aandeel": round(broker / verstreken, 3),
        # Per message of the rounds' (for idle: per message it would have sent).
        "broker_us_per_bericht": round(broker * 1e6 / (rondes * per)),
        "belasting": round(os.getloadavg()[0], 1),
    }


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vormen", nargs="+", default=["idle:10:100", "relay:10:100"])
    parser.add_argument("--seconden", type=float, default=4.0)
    parser.add_argument("--herhalingen", type=int, default=2)
    parser.add_argument("--lezer", action="store_true", help="with a reader on the topic")
    parser.add_argument(
        "--broker",
        default=None,
        help="count only the broker whose command line holds this (e.g. its directory, "
        "var/kafka-NAME, for a private broker at BODEMREGIE_TEST_KAFKA); default: every "
        "kafka.Kafka process on the machine",
    )
    args = parser.parse_args(argv)
    if args.broker:
        BROKER.append(args.broker.encode())
    with scratch_topic(6) as topic:
        return _vormen(args, topic)


def _vormen(args: argparse.Namespace, topic: str) -> list[dict[str, Any]]:
    stop = threading.Event()
    lezer = _lezer(topic, stop) if args.lezer else None
    uit = []
    try:
        for _ in range(args.herhalingen):
            for v in args.vormen:
                instelling, per, rate = v.split(":")
                uit.append(vorm(topic, instelling, int(per), float(rate), args.seconden))
                print(json.dumps(uit[-1]), flush=True)
    finally:
        stop.set()
        if lezer is not None:
            lezer.join(10)
    return uit


if __name__ == "__main__":
    main()
