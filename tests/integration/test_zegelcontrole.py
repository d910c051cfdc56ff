"""A verifying consumer on a real database: links are checked in log order across partitions,
forgeries are dead-lettered without taking a position, nothing waits on them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine, select

from shared import integriteit
from shared.db.engine import make_session_factory
from shared.eventstore.tables import consumer_pending, dead_letters
from shared.messaging import zegelcontrole
from shared.messaging.consumer import ListDeadLetterSink, ProjectionProcessor
from tests.support import projection
from tests.support.rapportage import SOURCE, envelope, record, verzegel


@pytest.fixture
def engine(sql_engine: Engine) -> Engine:
    projection.test_metadata.create_all(sql_engine)
    return sql_engine


def _teller(position: int, stream: str, version: int, n: int = 1) -> bytes:
    return envelope(position, stream, version, "teller-opgehoogd", {"n": n})


def _log() -> list[bytes]:
    """Positions 1-6 over streams A and B: A1 B1 A2 B2 A3 B3."""
    return verzegel(*(_teller(p, "AB"[(p - 1) % 2], (p + 1) // 2, p) for p in range(1, 7)))


def _vervals(echt: bytes, **wijziging: Any) -> bytes:
    """A forgery with a correct hash over its (changed) content: only its links can tell."""
    doc = {**json.loads(echt), **wijziging}
    doc["hash"] = integriteit.event_hash(doc)
    return json.dumps(doc).encode()


def _processor(
    engine: Engine, sink: ListDeadLetterSink, voorsprong: int | None = None
) -> ProjectionProcessor:
    return ProjectionProcessor(
        "verifier",
        make_session_factory(engine),
        projection.apply,
        sink,
        source=SOURCE,
        voorsprong=voorsprong,
    )


def _tellers(engine: Engine) -> dict[object, tuple[object, object]]:
    """Per stream: how many events were applied and the sum of their ``n``."""
    return {r[0]: (r[1], r[2]) for r in projection.snapshot(engine)}


def test_partitions_out_of_order_are_applied_in_log_order(engine: Engine) -> None:
    a1, b1, a2, b2, a3, b3 = _log()
    sink = ListDeadLetterSink()
    proc = _processor(engine, sink)
    # Partition 0 holds A, partition 1 holds B; B arrives a batch late.
    proc.process([record(0, a1, 0), record(1, a2, 0), record(2, a3, 0)])
    assert _tellers(engine) == {"A": (1, 1)}  # A2 waits for B1, its prevhash
    proc.process([record(0, b1, 1), record(1, b2, 1), record(2, b3, 1)])
    assert _tellers(engine) == {"A": (3, 1 + 3 + 5), "B": (3, 2 + 4 + 6)}
    assert sink.letters == []
    with engine.connect() as conn:
        assert conn.execute(select(consumer_pending)).all() == []


def test_waiting_records_survive_a_restart(engine: Engine) -> None:
    a1, b1, a2, b2, *_ = _log()
    _processor(engine, ListDeadLetterSink()).process([record(0, a1, 0), record(1, a2, 0)])
    herstart = _processor(engine, ListDeadLetterSink())
    herstart.process([record(0, b1, 1), record(1, b2, 1)])
    assert _tellers(engine) == {"A": (2, 4), "B": (2, 6)}


def test_a_forged_next_event_with_a_made_up_prevhash_is_caught_when_its_predecessor_arrives(
    engine: Engine,
) -> None:
    a1, b1, a2, b2, a3, b3 = _log()
    vals = _vervals(
        a3, subject="C", sequence="1", streamprevhash=integriteit.NUL, prevhash="f" * 64
    )
    sink = ListDeadLetterSink()
    proc = _processor(engine, sink)
    proc.process([record(0, a1, 0), record(1, a2, 0), record(0, vals, 2)])
    assert sink.letters == []  # position 5's predecessor is still to come
    proc.process([record(0, b1, 1), record(1, b2, 1)])
    assert [d.record.value for d in sink.letters] == [vals]
    assert "prevhash" in sink.letters[0].reason
    assert "C" not in _tellers(engine)
    # The forgery took no position: the genuine event 5 and what follows still count.
    proc.process([record(2, a3, 0), record(2, b3, 1)])
    assert _tellers(engine) == {"A": (3, 9), "B": (3, 12)}
    assert len(sink.letters) == 1


def test_a_good_prevhash_with_a_wrong_streamprevhash_is_refused(engine: Engine) -> None:
    a1, b1, a2, *_ = _log()
    vals = _vervals(a2, data={"n": 1000}, streamprevhash="e" * 64)
    sink = ListDeadLetterSink()
    proc = _processor(engine, sink)
    proc.process([record(0, a1, 0), record(0, b1, 1), record(1, vals, 0), record(2, a2, 0)])
    assert [(d.record.offset, d.reason) for d in sink.letters] == [
        (1, "streamprevhash wijst niet naar versie 1 van A")
    ]
    assert _tellers(engine) == {"A": (2, 4), "B": (1, 2)}


def test_a_stream_version_out_of_line_is_refused(engine: Engine) -> None:
    a1, b1, a2, *_ = _log()
    vals = _vervals(a2, sequence="5")
    sink = ListDeadLetterSink()
    _processor(engine, sink).process([record(0, a1), record(1, b1), record(2, vals)])
    assert "versie 5 van A volgt niet op versie 1" in sink.letters[0].reason


def test_a_forger_who_copies_the_heads_hash_loses_to_the_event_the_chain_goes_on_from(
    engine: Engine,
) -> None:
    a1, b1, a2, b2, *_ = _log()
    # A correct extension of the chain at position 3, but a different event than the log's.
    vals = _vervals(a2, data={"n": 1000})
    sink = ListDeadLetterSink()
    proc = _processor(engine, sink)
    proc.process([record(0, a1, 0), record(0, b1, 1)])
    proc.process([record(0, vals, 2), record(1, a2, 0)])
    assert sink.letters == []  # two intact claims to position 3: wait for position 4
    proc.process([record(1, b2, 1)])
    assert [d.record.value for d in sink.letters] == [vals]
    assert "positie 3 is al ingenomen" in sink.letters[0].reason
    assert _tellers(engine) == {"A": (2, 4), "B": (2, 6)}


def test_a_copy_of_an_accepted_event_is_skipped_and_a_different_one_is_dead_lettered(
    engine: Engine,
) -> None:
    a1, b1, a2, *_ = _log()
    sink = ListDeadLetterSink()
    proc = _processor(engine, sink)
    proc.process([record(0, a1), record(1, b1), record(2, a2)])
    proc.process([record(3, a2), record(4, _vervals(a1, data={"n": 7}))])
    assert [(d.record.offset, d.reason) for d in sink.letters] == [
        (4, "positie 1 is al verwerkt met een andere gebeurtenis")
    ]
    assert _tellers(engine) == {"A": (2, 4), "B": (1, 2)}
    with engine.connect() as conn:
        assert len(conn.execute(select(dead_letters)).all()) == 1


def test_kept_records_are_read_back_window_by_window(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zegelcontrole, "VENSTER", 1)
    a1, b1, a2, b2, a3, b3 = _log()
    sink = ListDeadLetterSink()
    proc = _processor(engine, sink)
    proc.process([record(0, b1, 1), record(1, b2, 1), record(2, b3, 1)])
    proc.process([record(0, a2, 0), record(1, a3, 0)])
    assert _tellers(engine) == {}
    proc.process([record(2, a1, 2)])
    assert _tellers(engine) == {"A": (3, 9), "B": (3, 12)}
    assert sink.letters == []
    with engine.connect() as conn:
        assert conn.execute(select(consumer_pending)).all() == []


def _wachtend(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return sorted(r.position for r in conn.execute(select(consumer_pending)))


def test_a_forged_far_ahead_claim_is_dead_lettered_not_kept(engine: Engine) -> None:
    a1, b1, *_ = _log()
    vals = _vervals(a1, position=10**9, subject="C")
    sink = ListDeadLetterSink()
    proc = _processor(engine, sink)
    proc.process([record(0, a1, 0), record(1, vals, 0)])
    assert [(d.record.value, d.reason) for d in sink.letters] == [
        (vals, f"positie {10**9} ligt meer dan 100000 posities voorbij de laatst aanvaarde (1)")
    ]
    assert _wachtend(engine) == []
    proc.process([record(0, b1, 1)])
    assert _tellers(engine) == {"A": (1, 1), "B": (1, 2)}


def test_the_bound_counts_from_the_head_after_the_batch(engine: Engine) -> None:
    a1, b1, a2, b2, a3, _ = _log()
    sink = ListDeadLetterSink()
    proc = _processor(engine, sink, voorsprong=2)
    # Head 2 after this batch: position 4 may wait (2 + 2), position 5 may not.
    proc.process([record(0, a1, 0), record(0, b1, 1), record(1, b2, 1), record(1, a3, 0)])
    assert [(d.record.value, d.reason) for d in sink.letters] == [
        (a3, "positie 5 ligt meer dan 2 posities voorbij de laatst aanvaarde (2)")
    ]
    assert _wachtend(engine) == [4]
    proc.process([record(2, a2, 0)])
    assert _tellers(engine) == {"A": (2, 4), "B": (2, 6)}
    assert _wachtend(engine) == []


def test_records_no_producer_could_seal_are_dead_lettered_and_the_log_goes_on(
    engine: Engine,
) -> None:
    """Kafka input is untrusted: a lone surrogate (valid JSON, no UTF-8 text to hash) and a
    NUL byte (no JSON, and no PostgreSQL text for the dead letter as it came) are refused and
    kept as dead letters, and the genuine event after them is applied. Raised, either would
    roll back the consumer's batch and come back on every poll."""
    a1, b1, *_ = _log()
    doc = json.loads(a1)
    doc["data"] = {"n": "\udc80"}
    surrogaat = json.dumps(doc).encode()
    nul = a1.replace(b'"n": 1', b'"n": "\x00"')
    assert nul != a1
    sink = ListDeadLetterSink()
    proc = _processor(engine, sink)
    proc.process([record(0, surrogaat, 0), record(1, nul, 0), record(2, a1, 0)])
    proc.process([record(0, b1, 1)])
    assert [d.record.value for d in sink.letters] == [surrogaat, nul]
    assert _tellers(engine) == {"A": (1, 1), "B": (1, 2)}
    with engine.connect() as conn:
        bewaard = conn.execute(select(dead_letters.c.payload)).scalars().all()
    assert len(bewaard) == 2 and "\x00" not in bewaard[1], bewaard
