"""An anchor's leaves (the hashes of the seals since the last anchor) come from the relay's memory
when it holds them all, read back from the database otherwise (after it forgot its head, on
start, after a failure): either way every anchor's Merkle root is the one over the stored seals,
so the log verifies as before. Rounds of varying size, anchors inside and after rounds, and a
relay that forgets at odd moments."""

from __future__ import annotations

import contextlib
import random
from typing import Any

import pytest
from sqlalchemy import Engine, select

from shared import integriteit as i
from shared import zegel
from shared.db.engine import make_session_factory
from shared.eventstore.tables import event_seals, events
from shared.messaging.publisher import InMemoryPublisher
from shared.outbox import OutboxRelay
from shared.zegel import Verzegelaar
from tests.support.relay import commit_teller

SOURCE = "urn:nld:oin:00000001003214345000:systeem:test"


def _ankers_kloppen(engine: Engine) -> int:
    """Every anchor's root recomputed from the stored seals; returns how many anchors."""
    with engine.connect() as conn:
        hashes = dict(conn.execute(select(event_seals.c.position, event_seals.c.hash)).all())
        ankers = conn.execute(
            select(events.c.data).where(events.c.stream_id == i.ANKER_STREAM)
        ).scalars()
        root, n = i.NUL, 0
        for data in ankers:
            van, tot = int(data["vanafPositie"]), int(data["totEnMetPositie"])
            assert data["vorigeRoot"] == root
            root = i.anker_root(root, [hashes[p] for p in range(van, tot + 1)])
            assert data["merkleRoot"] == root, (van, tot)
            n += 1
    return n


@pytest.mark.parametrize("publisher", [True, False])
def test_anchors_from_memory_are_the_anchors_over_the_stored_seals(
    sql_engine: Engine, publisher: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    uit_geheugen: list[bool] = []
    echt = zegel._bladeren

    def bladeren(ronde: zegel.Ronde, na: int) -> list[str] | None:
        uitkomst = echt(ronde, na)
        uit_geheugen.append(uitkomst is not None)
        return uitkomst

    monkeypatch.setattr(zegel, "_bladeren", bladeren)
    sealer = Verzegelaar(SOURCE, anker_elke=7, anker_topic="t", batch=5)
    relay = OutboxRelay(
        make_session_factory(sql_engine),
        InMemoryPublisher() if publisher else None,
        SOURCE,
        batch_size=5,
        sealer=sealer,
    )
    rng = random.Random(12)
    versies: dict[str, int] = {}
    for ronde in range(60):
        for _ in range(rng.choice([0, 1, 3, 6, 13])):
            stroom = f"s{rng.randrange(5)}"
            commit_teller(sql_engine, stroom, versies.get(stroom, 0))
            versies[stroom] = versies.get(stroom, 0) + 1
        if ronde % 11 == 5:
            sealer.vergeet()  # as after a failure or a change of leader
        relay.run_once(force_anchor=ronde % 17 == 16)
        while relay._full:
            relay.run_once()
    relay.run_once(force_anchor=True)
    relay.run_once()
    assert _ankers_kloppen(sql_engine) >= 10
    # both ways were taken, memory most of the time
    assert uit_geheugen.count(False) >= 1
    assert uit_geheugen.count(True) > len(uit_geheugen) / 2


@pytest.mark.parametrize("publisher", [True, False])
def test_anchors_stay_the_stored_seals_when_two_relays_take_turns_and_rounds_fail(
    sql_engine: Engine, publisher: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two relays that each keep their head, and their leaves, in memory take turns without
    being told (a leader that lost its lock without noticing yet, fenced per round), and some
    rounds fail after their leaves were taken (rolled back): a relay whose memory went stale
    never anchors over leaves the database does not hold (the head it compares, or the anchor
    version the event store checks, sends it back to the database)."""
    uit_geheugen: list[bool] = []
    echt_bladeren, echte_root = zegel._bladeren, i.anker_root
    rng = random.Random(7)

    def bladeren(ronde: zegel.Ronde, na: int) -> list[str] | None:
        uitkomst = echt_bladeren(ronde, na)
        uit_geheugen.append(uitkomst is not None)
        return uitkomst

    def root(vorige: str, hashes: Any) -> str:
        if rng.random() < 0.1:
            raise RuntimeError("the round fails after it took its leaves")
        return echte_root(vorige, hashes)

    monkeypatch.setattr(zegel, "_bladeren", bladeren)
    monkeypatch.setattr(i, "anker_root", root)
    relays = [
        OutboxRelay(
            make_session_factory(sql_engine),
            InMemoryPublisher() if publisher else None,
            SOURCE,
            batch_size=5,
            sealer=Verzegelaar(SOURCE, anker_elke=4, anker_topic="t", batch=5),
        )
        for _ in range(2)
    ]
    versies: dict[str, int] = {}
    mislukt = 0
    for stap in range(240):
        for _ in range(rng.choice([0, 1, 2, 5])):
            stroom = f"s{rng.randrange(4)}"
            commit_teller(sql_engine, stroom, versies.get(stroom, 0))
            versies[stroom] = versies.get(stroom, 0) + 1
        try:
            relays[rng.randrange(2) if stap % 3 else stap % 2].run_once(
                force_anchor=rng.random() < 0.2
            )
        except Exception:
            mislukt += 1
    monkeypatch.setattr(i, "anker_root", echte_root)
    for relay in relays:  # each ends with a forced anchor over all
        for _ in range(3):
            with contextlib.suppress(Exception):
                relay.run_once(force_anchor=True)
                while relay._full:
                    relay.run_once()
    assert _ankers_kloppen(sql_engine) >= 10
    assert mislukt >= 10
    assert uit_geheugen.count(True) >= 10 and uit_geheugen.count(False) >= 1
