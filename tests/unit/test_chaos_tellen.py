"""The chaos counts catch what they must: a lost, a doubled and a reordered record."""

from __future__ import annotations

from chaos.tellen import tel

ACKED = {"A": 3, "B": 2}
EXACT = [("A", 1), ("A", 2), ("B", 1), ("A", 3), ("B", 2)]


def test_exactly_once_in_order_is_exact() -> None:
    t = tel(ACKED, EXACT)
    assert (t.acknowledged, t.on_kafka, t.lost, t.doubled, t.order_kept) == (5, 5, 0, 0, True)
    assert t.exact


def test_a_planted_duplicate_is_counted() -> None:
    t = tel(ACKED, [*EXACT, ("A", 2)])
    assert (t.lost, t.doubled, t.exact) == (0, 1, False)


def test_a_missing_record_is_lost() -> None:
    t = tel(ACKED, [r for r in EXACT if r != ("B", 2)])
    assert (t.lost, t.doubled, t.exact) == (1, 0, False)


def test_a_stream_out_of_order_is_caught() -> None:
    t = tel(ACKED, [("A", 2), ("A", 1), ("A", 3), ("B", 1), ("B", 2)])
    assert (t.lost, t.doubled, t.order_kept, t.exact) == (0, 0, False, False)


def test_an_unacknowledged_commit_that_landed_is_neither_lost_nor_doubled() -> None:
    t = tel(ACKED, [*EXACT, ("B", 3)])
    assert (t.lost, t.doubled, t.unacknowledged, t.exact) == (0, 0, 1, True)
