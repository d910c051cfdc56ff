"""Counting what a scenario acknowledged against what is on the topic: lost, doubled, order.

A record is identified by its stream (CloudEvent ``subject``) and stream version (``sequence``);
every acknowledged command appended exactly one version, so the versions of a stream on the topic
must be 1..n exactly once and in that order (one stream, one key, one partition)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Telling:
    acknowledged: int
    on_kafka: int
    lost: int
    doubled: int
    order_kept: bool
    unacknowledged: int = 0

    @property
    def exact(self) -> bool:
        return self.lost == 0 and self.doubled == 0 and self.order_kept


def tel(acknowledged: Mapping[str, int], records: Iterable[tuple[str, int]]) -> Telling:
    """``acknowledged``: per stream the number of versions whose command was acknowledged;
    ``records``: (stream, version) in topic order per partition (partitions concatenated)."""
    seen: dict[str, list[int]] = defaultdict(list)
    for stream, version in records:
        seen[stream].append(version)
    lost = doubled = unacknowledged = 0
    order_kept = True
    for stream in acknowledged.keys() | seen.keys():
        versions = seen.get(stream, [])
        expected = set(range(1, acknowledged.get(stream, 0) + 1))
        counts = Counter(versions)
        lost += len(expected - counts.keys())
        doubled += sum(c - 1 for c in counts.values())
        # Versions beyond the acknowledged ones: a commit whose answer was lost (the database
        # went away after COMMIT). Not a loss and not a double; counted apart.
        unacknowledged += len(counts.keys() - expected)
        firsts = list(dict.fromkeys(versions))
        if firsts != sorted(firsts):
            order_kept = False
    return Telling(
        acknowledged=sum(acknowledged.values()),
        on_kafka=sum(len(v) for v in seen.values()),
        lost=lost,
        doubled=doubled,
        order_kept=order_kept,
        unacknowledged=unacknowledged,
    )
