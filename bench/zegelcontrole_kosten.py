"""What checking seals costs a consumer per event: the check of each record on arrival alone
(parse, source, seal, hash; CPU time), and rapportage's projection of a sealed log
(bench/verzegeld_logboek.py) on PostgreSQL, once without and once with the seal check, fed in
batches of 500 records drawn from 6 partitions in turn, as a Kafka poll delivers them (so
records regularly arrive ahead of the chain and wait in ``consumer_pending``)."""

from __future__ import annotations

import argparse
import time
import zlib
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from bench.verzegeld_logboek import SOURCE, logboek
from services.rapportage.adapters import projection
from services.rapportage.adapters.tables import feiten
from services.rapportage.bootstrap import VERSIONS
from shared.db.engine import make_session_factory
from shared.eventstore.tables import dead_letters
from shared.messaging.consumer import ListDeadLetterSink, ProjectionProcessor
from shared.messaging.record import Record
from shared.messaging.zegelcontrole import Zegelcontrole
from tests.support.infra import postgres_database

PARTITIES = 6
BATCH = 500


def batches(aantal: int) -> list[list[Record]]:
    """The log as a consumer polls it: per partition in offset order, partitions in turn."""
    partities: list[list[Record]] = [[] for _ in range(PARTITIES)]
    for ce in logboek(aantal, Ed25519PrivateKey.generate()):
        p = zlib.crc32(ce["subject"].encode()) % PARTITIES
        partities[p].append(
            Record("t", p, len(partities[p]), ce["subject"].encode(), orjson.dumps(ce))
        )
    uit: list[list[Record]] = []
    per_partitie = BATCH // PARTITIES
    for begin in range(0, max(len(p) for p in partities), per_partitie):
        batch = [r for p in partities for r in p[begin : begin + per_partitie]]
        uit.append(sorted(batch, key=lambda r: (r.partition, r.offset)))
    return uit


def _projecteer(invoer: list[list[Record]], source: str | None) -> tuple[float, int]:
    with postgres_database([VERSIONS]) as engine:
        sessions = make_session_factory(engine)
        processor = ProjectionProcessor(
            "bench",
            sessions,
            projection.verwerk,
            ListDeadLetterSink(),
            after_each=projection.markeer_verwerkt,
            source=source,
        )
        begin = time.perf_counter()
        for batch in invoer:
            processor.process(batch)
        duur = time.perf_counter() - begin
        with sessions() as session:
            assert session.execute(select(func.count()).select_from(dead_letters)).scalar() == 0
            return duur, int(session.execute(select(func.count()).select_from(feiten)).scalar_one())


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args(argv)
    invoer = batches(args.events)
    controle = Zegelcontrole("bench", SOURCE)
    begin = time.process_time()
    for batch in invoer:
        for r in batch:
            controle.ontvang(r)
    ontvang_s = time.process_time() - begin
    zonder, feiten_zonder = _projecteer(invoer, None)
    met, feiten_met = _projecteer(invoer, SOURCE)
    assert feiten_met == feiten_zonder > 0
    resultaat = {
        "events": args.events,
        "zonder_us": zonder / args.events * 1e6,
        "met_us": met / args.events * 1e6,
        "kosten_us": (met - zonder) / args.events * 1e6,
        "ontvang_us": ontvang_s / args.events * 1e6,
    }
    print(resultaat)
    return resultaat


if __name__ == "__main__":
    main()
