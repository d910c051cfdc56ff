"""Rapportage commands: run the consumers on their own, or rebuild the read models from
offset 0 of every topic.

    python -m services.rapportage.entrypoints.cli consume
    python -m services.rapportage.entrypoints.cli rebuild     (stop the service first)
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time

from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import delete

from services.rapportage.bootstrap import kafka_consumers, migrate, stromen
from services.rapportage.config import RapportageSettings
from shared.db.engine import make_engine, make_session_factory
from shared.eventstore.tables import (
    consumer_offsets,
    consumer_pending,
    consumer_seals,
    consumer_streams,
    dead_letters,
)
from shared.messaging.kafka_client import KafkaAccess


def consume(settings: RapportageSettings) -> None:
    engine = make_engine(settings.database())
    migrate(engine)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threads = [
        threading.Thread(target=c.run, args=(stop,))
        for c in kafka_consumers(settings, make_session_factory(engine))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def end_offsets(kafka: KafkaAccess, topic: str) -> dict[int, int]:
    consumer = KafkaConsumer(**kafka.client_options(), group_id=None)
    try:
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return {tp.partition: off for tp, off in consumer.end_offsets(tps).items()}
    finally:
        consumer.close()


def rebuild(
    settings: RapportageSettings, toon_voortgang: bool = True, timeout_s: float = 3600
) -> int:
    """Drop the read models and replay every topic from offset 0; returns the events read."""
    engine = make_engine(settings.database())
    migrate(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        for stroom, _, groep in stromen(settings):
            for table in stroom.tabellen:
                session.execute(delete(table))
            for table in (
                consumer_offsets,
                consumer_streams,
                consumer_seals,
                consumer_pending,
                dead_letters,
            ):
                session.execute(delete(table).where(table.c.consumer == groep))
    doel = {topic: end_offsets(settings.kafka_access(), topic) for _, topic, _ in stromen(settings)}
    totaal = sum(sum(d.values()) for d in doel.values())
    consumers = kafka_consumers(settings, sessions)
    stop = threading.Event()
    threads = [threading.Thread(target=c.run, args=(stop,)) for c in consumers]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout_s
    gelezen = 0
    try:
        while time.monotonic() < deadline:
            gelezen = 0
            for consumer, (_, topic, _) in zip(consumers, stromen(settings), strict=True):
                stand = consumer.processor.stored_offsets(topic)
                gelezen += sum(min(stand.get(p, 0), eind) for p, eind in doel[topic].items())
            if toon_voortgang:
                balk = "#" * int(40 * gelezen / totaal) if totaal else "#" * 40
                print(f"\rherbouw [{balk:<40}] {gelezen}/{totaal}", end="", flush=True)
            if gelezen >= totaal:
                break
            time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        engine.dispose()
    if toon_voortgang:
        print()
    if gelezen < totaal:
        raise TimeoutError(f"herbouw niet klaar: {gelezen} van {totaal} gebeurtenissen")
    return gelezen


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["consume", "rebuild"])
    args = parser.parse_args(argv)
    settings = RapportageSettings()
    if args.command == "consume":
        consume(settings)
    else:
        print(f"{rebuild(settings)} gebeurtenissen opnieuw verwerkt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
