"""Export the event log to JSON Lines (one CloudEvent per line, in position order)."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import httpx
from kafka import KafkaConsumer, TopicPartition

from shared.integriteit import lees_json
from shared.messaging.kafka_client import KafkaAccess


def voortgang(gedaan: int, totaal: int | None, uit: TextIO = sys.stderr) -> None:
    if totaal:
        balk = "#" * int(40 * gedaan / totaal)
        print(f"\r[{balk:<40}] {gedaan}/{totaal}", end="", file=uit, flush=True)
    else:
        print(f"\r{gedaan} gebeurtenissen", end="", file=uit, flush=True)


class TopicOnleesbaar(Exception):
    """The topic has no partitions this login can see: missing, or not granted."""


def uit_kafka(kafka: KafkaAccess, topic: str, toon: bool = True) -> list[dict[str, Any]]:
    """Every record of the topic from offset 0, ordered by global position (partitions are
    interleaved on the topic); exact duplicates are kept once."""
    consumer = KafkaConsumer(**kafka.client_options(), group_id=None, enable_auto_commit=False)
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not tps:
            # The broker hides a topic the login may not describe: both read as "no partitions".
            raise TopicOnleesbaar(
                f"topic {topic} bestaat niet of deze Kafka-login mag het niet lezen"
            )
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        einde = consumer.end_offsets(tps)
        totaal = sum(einde.values())
        regels: list[dict[str, Any]] = []
        while any(consumer.position(tp) < einde[tp] for tp in tps):
            for records in consumer.poll(timeout_ms=1000, max_records=5000).values():
                regels.extend(json.loads(r.value) for r in records)
            if toon:
                voortgang(len(regels), totaal)
    finally:
        consumer.close()
    if toon:
        print(file=sys.stderr)
    return _op_positie(regels)


def uit_api(
    url: str, token: str, toon: bool = True, client: httpx.Client | None = None
) -> list[dict[str, Any]]:
    """The global feed of a service, page by page."""
    eigen = client is None
    client = client or httpx.Client(base_url=url, timeout=60)
    regels: list[dict[str, Any]] = []
    try:
        vanaf = 1
        while True:
            antwoord = client.get(
                "/v1/gebeurtenissen",
                params={"vanafPositie": vanaf, "limiet": 1000},
                headers={"Authorization": f"Bearer {token}"},
            )
            antwoord.raise_for_status()
            pagina = antwoord.json()["gebeurtenissen"]
            if not pagina:
                break
            regels.extend(pagina)
            vanaf = int(pagina[-1]["position"]) + 1
            if toon:
                voortgang(len(regels), None)
    finally:
        if eigen:
            client.close()
    if toon:
        print(file=sys.stderr)
    return regels


def _op_positie(regels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    uniek: dict[str, dict[str, Any]] = {}
    for regel in regels:
        uniek.setdefault(json.dumps(regel, sort_keys=True), regel)
    return sorted(uniek.values(), key=lambda r: (int(r.get("position", 0)), r.get("id", "")))


def schrijf(regels: list[dict[str, Any]], uit: TextIO) -> None:
    for regel in regels:
        uit.write(json.dumps(regel, ensure_ascii=False, separators=(",", ":")) + "\n")


@contextmanager
def zonder_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a log is read or checked: its events are trees
    (JSON has no cycles), and its passes over a heap of millions of them cost a quarter of the
    time of ``audit verify``. Reference counting still frees everything."""
    was_aan = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_aan:
            gc.enable()


def lees(pad: str) -> Iterator[dict[str, Any]]:
    # orjson: parsing is most of the time of ``audit verify``; the standard library reads what
    # orjson refuses or would read differently, so the same files read the same.
    with zonder_gc(), open(pad, "rb") as fh:
        for nummer, regel in enumerate(fh, start=1):
            if not regel.isspace():
                try:
                    yield lees_json(regel)
                except ValueError as exc:
                    raise ValueError(f"regel {nummer} is geen JSON: {exc}") from exc
