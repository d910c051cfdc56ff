"""Scenario: the relay's process is SIGKILLed between publish and mark, five times. Each time the
records of its last round are on Kafka while their outbox rows are unmarked; the next relay must
not send them again (it reconciles against the last record per partition)."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

from sqlalchemy import Engine

from chaos.broker import new_topic, store_digest, topic_digest
from chaos.cluster import Cluster
from chaos.last import Last
from chaos.lezen import records
from chaos.tellen import tel
from chaos.uitkomst import Uitkomst
from shared.db.engine import make_session_factory


def relay_killed(
    cluster: Cluster,
    engine: Engine,
    commands: int = 3000,
    kills: int = 5,
    reconcile: bool = True,
) -> Uitkomst:
    sessions = make_session_factory(engine)
    topic = new_topic(cluster)
    prefix = f"R{uuid.uuid4().hex[:6]}-"
    last = Last(sessions, topic, commands, threads=2, prefix=prefix)
    last.start()
    last.join()
    url = engine.url.render_as_string(hide_password=False)
    base = [
        sys.executable,
        "-m",
        "chaos.relay_proces",
        "--database",
        url,
        "--bootstrap",
        cluster.bootstrap,
        "--inlog",
        str(cluster.credentials / "admin.json"),
        "--batch",
        str(max(1, commands // (kills * 3))),
        *([] if reconcile else ["--zonder-reconciliatie"]),
    ]
    durations = []
    killed = 0
    for _ in range(kills):
        started = time.monotonic()
        # Each run dies after its second publish: the first landed and was marked, the second
        # landed and was not.
        done = subprocess.run([*base, "--sterf-na", "2"], check=False)
        durations.append(time.monotonic() - started)
        if done.returncode == -9:
            killed += 1
    started = time.monotonic()
    subprocess.run(base, check=True)
    durations.append(time.monotonic() - started)
    found = records(cluster.access(), topic, prefix)
    return Uitkomst(
        scenario=f"relay process SIGKILLed between publish and mark, {killed} times"
        + ("" if reconcile else " (reconciliation OFF: must double)"),
        telling=tel(last.acknowledged, found),
        digests_equal=topic_digest(found) == store_digest(sessions, prefix),
        answered_503=None,
        answered_500=None,
        recover_s=sum(durations) / len(durations),
        note="time to recover: a new relay process up to its first round",
    )
