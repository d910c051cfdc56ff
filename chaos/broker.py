"""Scenario: the broker that leads the most partitions of the topic is SIGKILLed while commands
are accepted, then started again. The relay, a process of its own as in a deployment
(``chaos.relay_proces --blijf``), keeps one copy of every event on the topic (idempotent
producer, acks=all, min.insync.replicas=2, reconciling after every failure)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
import uuid
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from chaos.cluster import Cluster
from chaos.last import Last
from chaos.lezen import records
from chaos.tellen import tel
from chaos.uitkomst import Uitkomst
from shared.eventstore.tables import events, outbox
from shared.messaging.topics import TopicSpec, ensure_topics

SOURCE = "urn:nld:oin:00000001003214345000:systeem:chaos"


def new_topic(cluster: Cluster, partitions: int = 6) -> str:
    topic = f"chaos.{uuid.uuid4().hex[:10]}"
    ensure_topics(cluster.access(), (TopicSpec(topic, partitions),), replicas=3)
    return topic


def drain_count(sessions: sessionmaker[Session], timeout_s: float = 300.0) -> None:
    """Wait until a running relay (in a service) has published every outbox row."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with sessions() as s:
            if (
                s.execute(
                    select(outbox.c.position).where(outbox.c.published_at.is_(None)).limit(1)
                ).first()
                is None
            ):
                return
        time.sleep(0.2)


def published_beyond(sessions: sessionmaker[Session], position: int) -> bool:
    with sessions() as s:
        return (
            s.execute(
                select(outbox.c.position)
                .where(outbox.c.position > position, outbox.c.published_at.is_not(None))
                .limit(1)
            ).first()
            is not None
        )


def max_position(sessions: sessionmaker[Session]) -> int:
    with sessions() as s:
        rows = s.execute(select(events.c.position).order_by(events.c.position.desc()).limit(1))
        return int(rows.scalar_one_or_none() or 0)


def store_digest(sessions: sessionmaker[Session], prefix: str) -> str:
    """sha256 over (stream, version) of the store's events, in stream order."""
    with sessions() as s:
        rows = s.execute(
            select(events.c.stream_id, events.c.version)
            .where(events.c.stream_id.startswith(prefix))
            .order_by(events.c.stream_id, events.c.version)
        ).all()
    return hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()


def topic_digest(found: list[tuple[str, int]]) -> str:
    return hashlib.sha256(repr(sorted(set(found))).encode()).hexdigest()


def relay_process(cluster: Cluster, sessions: sessionmaker[Session]) -> subprocess.Popen[bytes]:
    """The relay in a process of its own on the scenario's database, until terminated."""
    engine = sessions.kw["bind"]
    url = engine.url.render_as_string(hide_password=False)
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "chaos.relay_proces", "--blijf"),
            *("--database", url, "--bootstrap", cluster.bootstrap),
            *("--inlog", str(cluster.credentials / "admin.json")),
            *("--batch", "500", "--levertijd-ms", "20000"),
        ]
    )


def stop_relay(relay: subprocess.Popen[bytes]) -> None:
    relay.terminate()
    try:
        relay.wait(60)
    except subprocess.TimeoutExpired:
        relay.kill()
        relay.wait()


def leader_killed(
    cluster: Cluster, sessions: sessionmaker[Session], commands: int = 10_000, threads: int = 4
) -> Uitkomst:
    topic = new_topic(cluster)
    prefix = f"B{uuid.uuid4().hex[:6]}-"
    relay = relay_process(cluster, sessions)
    last = Last(sessions, topic, commands, threads=threads, prefix=prefix)
    last.start()
    try:
        last.wait_until(lambda: last.accepted >= commands * 0.3)
        leaders = Counter(cluster.leaders(topic).values())
        victim = leaders.most_common(1)[0][0]
        at_kill = max_position(sessions)
        killed = time.monotonic()
        cluster.kill(victim)
        last.wait_until(lambda: published_beyond(sessions, at_kill), timeout_s=300)
        recovered = time.monotonic() - killed
        last.wait_until(lambda: last.accepted >= commands * 0.7)
        cluster.start_node(victim)
        last.join()
        drain_count(sessions)
    finally:
        stop_relay(relay)
    found = records(cluster.access(), topic, prefix)
    telling = tel(last.acknowledged, found)
    return Uitkomst(
        scenario=f"partition leader (broker {victim}) SIGKILLed under {commands:,} commands, "
        "then restarted",
        telling=telling,
        digests_equal=topic_digest(found) == store_digest(sessions, prefix),
        answered_503=None,
        answered_500=None,
        recover_s=recovered,
        note=f"{len(last.failures)} commands failed" if last.failures else "",
    )
