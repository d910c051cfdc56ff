"""The outbox relay's own cost: CPU, statements and transactions per wake-up and per event.

Commits arrive as commands make them (one event per transaction, over many sites); the relay
then runs one round (seal, anchor when due, publish, mark) as its loop does after a wake-up.
Measured in the calling thread (``time.thread_time``: the relay's Python and driver CPU, not the
server's), with an in-memory publisher, so Kafka's client is left out: what is measured is what
the relay itself does per round. Two shapes: a wake-up per commit (``--per-ronde 1``, a quiet
system) and rounds of many events (``--per-ronde 100``, a busy one, or a relay that coalesced).
Runs against whatever ``shared.outbox`` is on the path, so an older checkout can be measured
with the same module (``PYTHONPATH=<checkout> python -m bench.relay_kosten``).
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event

from shared.db.engine import make_session_factory
from shared.eventstore import EventMetadata, NewEvent
from shared.eventstore.sql import SqlEventStore
from shared.messaging.publisher import InMemoryPublisher
from shared.outbox import OutboxRelay
from tests.support.infra import postgres_database

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


def meet(rondes: int, per_ronde: int, sites: int) -> dict[str, Any]:
    with postgres_database() as engine:
        relay = OutboxRelay(make_session_factory(engine), InMemoryPublisher(), SOURCE)
        teller = Teller(engine)
        versies: dict[str, int] = {}
        _commit(engine, versies, per_ronde, sites)
        relay.run_once()  # warm: store id, chain head, prepared paths
        cpu = wand = 0.0
        gepubliceerd = 0
        for _ in range(rondes):
            _commit(engine, versies, per_ronde, sites)
            teller.aan = True
            c0, w0 = time.thread_time(), time.perf_counter()
            gepubliceerd += relay.run_once()
            cpu += time.thread_time() - c0
            wand += time.perf_counter() - w0
            teller.aan = False
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


KOP = (
    "| events per round | rounds | CPU ms per round | CPU ms per event | wall ms per round "
    "| statements | transactions |\n" + "| --- " * 7 + "|"
)


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
    args = parser.parse_args(argv)
    uitslag = [
        meet(args.rondes if n == 1 else max(10, args.rondes // 10), n, args.sites)
        for n in args.per_ronde
    ]
    print(json.dumps(uitslag, indent=2))
    return uitslag


if __name__ == "__main__":
    main()
