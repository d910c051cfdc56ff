"""Scenario: two instances of rapportage (and of kennis) consume one topic as members of one
consumer group into one PostgreSQL database; one instance is SIGKILLed mid-batch five times
(and started again each time) while the other keeps going, partitions moving between them at
every rebalance. Afterwards the read model must be what one undisturbed instance builds from
the same log: the same report digests, every event applied once."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass

from fastapi.testclient import TestClient
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import ProgrammingError

from chaos.broker import drain_count, new_topic
from chaos.cluster import SECRET, Cluster, locaties_settings
from chaos.lezen import records
from chaos.tellen import Telling, tel
from chaos.uitkomst import Uitkomst
from services.locaties.entrypoints.app import create_app as locaties_app
from services.locaties.entrypoints.demo import vul
from shared.auth import Rol, mint_dev_token
from shared.eventstore.tables import consumer_offsets, consumer_streams
from shared.integriteit import ANKER_STREAM

Databases = Callable[[], AbstractContextManager[str]]


@dataclass(frozen=True)
class Log:
    topic: str
    ends: int  # records on the topic
    counts: dict[str, int]  # per site: versions on the topic
    found: list[tuple[str, int]]


def fill(
    cluster: Cluster,
    databases: Databases,
    schaal: float,
    topic: str = "",
    werkers: int = 2,
    tot: threading.Event | None = None,
    rondes: int = 1,
) -> Log:
    """The demo's national history at ``schaal`` through the locaties API onto ``topic`` (a
    new one by default): ``rondes`` times (each a new history of new sites), or with ``tot``
    until that is set (at most ``rondes``) after a round."""
    topic = topic or new_topic(cluster)
    with databases() as url:
        settings = locaties_settings(cluster, url, topic)
        with TestClient(locaties_app(settings)) as api:
            for ronde in range(rondes):
                vul(
                    api,
                    schaal=schaal,
                    werkers=werkers,
                    secret=SECRET,
                    seed=2010 + ronde,
                    toon_voortgang=False,
                )
                if tot is None or tot.is_set():
                    break
            drain_count(api.app.state.container.sessions)  # type: ignore[attr-defined]
    found = [(s, v) for s, v in records(cluster.access(), topic) if s != ANKER_STREAM]
    counts: dict[str, int] = {}
    for s, v in found:
        counts[s] = max(counts.get(s, 0), v)
    consumer = KafkaConsumer(**cluster.access().client_options())
    try:
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        ends = sum(consumer.end_offsets(tps).values())
    finally:
        consumer.close()
    return Log(topic, ends, counts, found)


def _env(cluster: Cluster, url: str, topic: str, group: str) -> dict[str, str]:
    return {
        **os.environ,
        "BODEMREGIE_DATABASE_URL": url,
        "BODEMREGIE_KAFKA_BOOTSTRAP": cluster.bootstrap,
        "BODEMREGIE_KAFKA_CREDENTIALS_FILE": str(cluster.credentials / "admin.json"),
        "BODEMREGIE_SPOEDLOCATIES_TOPIC": topic,
        "BODEMREGIE_CONSUMER_GROUP": group,
        "BODEMREGIE_JWT_SECRET": SECRET,
        "BODEMREGIE_LOG_JSON": "false",
    }


def _consumed(url: str, name: str, topic: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.coalesce(func.sum(consumer_offsets.c.next_offset), 0)).where(
                        consumer_offsets.c.consumer == name, consumer_offsets.c.topic == topic
                    )
                ).scalar_one()
            )
    except ProgrammingError:  # the instance has not created its tables yet
        return 0
    finally:
        engine.dispose()


def _instance(dienst: str, env: dict[str, str], sterf_na: int = 0) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "chaos.consumer_proces", dienst]
    if sterf_na:
        args += ["--sterf-na", str(sterf_na)]
    return subprocess.Popen(args, env=env, stderr=subprocess.DEVNULL)


def _wait_caught_up(url: str, name: str, log: Log, timeout_s: float = 300.0) -> None:
    deadline = time.monotonic() + timeout_s
    while _consumed(url, name, log.topic) < log.ends:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} did not catch up with {log.topic} in {timeout_s} s")
        time.sleep(0.5)


def _stop(*processes: subprocess.Popen[bytes]) -> None:
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in processes:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def _digest(dienst: str, url: str) -> str:
    """The service's own answer over its read model: rapportage's progress report digest,
    kennis's front-runners (koplopers) page."""
    if dienst == "rapportage":
        from services.rapportage.config import RapportageSettings
        from services.rapportage.entrypoints.app import create_app as rapportage_app

        settings = RapportageSettings(
            database_url=url, jwt_secret=SECRET, kafka_enabled=False, log_json=False
        )
        token = mint_dev_token(SECRET, "chaos", Rol.AUDITOR, None)
        with TestClient(rapportage_app(settings)) as api:
            deadline = time.monotonic() + 120
            while api.get("/v1/ready").status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
            body = api.get(
                "/v1/rapportages/voortgang",
                params={"peildatum": "2020-12-31"},
                headers={"Authorization": f"Bearer {token}"},
            ).json()
            return str(body["digest"])
    from services.kennis.config import KennisSettings
    from services.kennis.entrypoints.app import create_app as kennis_app

    ksettings = KennisSettings(
        database_url=url, jwt_secret=SECRET, kafka_enabled=False, log_json=False
    )
    token = mint_dev_token(SECRET, "chaos", Rol.UITVOERINGSPROGRAMMA, None)
    with TestClient(kennis_app(ksettings)) as api:
        response = api.get("/v1/koplopers", headers={"Authorization": f"Bearer {token}"})
        response.raise_for_status()
        return hashlib.sha256(response.content).hexdigest()


def _facts(url: str) -> list[tuple[str, int]]:
    from services.rapportage.adapters.tables import feiten

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(feiten.c.locatie_id, feiten.c.versie).order_by(feiten.c.positie)
            ).all()
        return [(str(s), int(v)) for s, v in rows]
    finally:
        engine.dispose()


def _streams_telling(url: str, name: str, log: Log) -> Telling:
    """Kennis keeps per stream the last version it applied (consumer_streams), not a row per
    event: a version short of the topic's is lost; a double cannot show here, only in the
    digest."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(consumer_streams.c.stream_id, consumer_streams.c.version).where(
                    consumer_streams.c.consumer == name
                )
            ).all()
    finally:
        engine.dispose()
    applied = {str(s): int(v) for s, v in rows}
    lost = sum(max(0, n - applied.get(s, 0)) for s, n in log.counts.items())
    return Telling(
        acknowledged=sum(log.counts.values()),
        on_kafka=len(log.found),
        lost=lost,
        doubled=0,
        order_kept=all(applied.get(s, 0) <= n for s, n in log.counts.items()),
    )


def _name(dienst: str, group: str) -> str:
    return group if dienst == "rapportage" else "kennis-voortgang"


def undisturbed(cluster: Cluster, databases: Databases, dienst: str, log: Log) -> str:
    group = f"chaos-{dienst}-{uuid.uuid4().hex[:6]}"
    with databases() as url:
        one = _instance(dienst, _env(cluster, url, log.topic, group))
        try:
            _wait_caught_up(url, _name(dienst, group), log)
        finally:
            _stop(one)
        return _digest(dienst, url)


@dataclass
class _Dienst:
    name: str
    group: str
    url: str
    env: dict[str, str]
    steady: subprocess.Popen[bytes]
    victim: subprocess.Popen[bytes] | None = None
    killed: int = 0


def instances_killed(
    cluster: Cluster,
    databases: Databases,
    diensten: tuple[str, ...] = ("rapportage", "kennis"),
    schaal: float = 0.06,
    kills: int = 5,
    seed: int = 16,
) -> list[Uitkomst]:
    """Per service two instances in one group on one database, started before the log is
    written; while locaties writes it (the demo's history at ``schaal``), one instance per
    service is SIGKILLed in the middle of a batch (after a random 2-20 events, inside the
    batch's transaction) and started again, ``kills`` times. Then both catch up, and one
    undisturbed instance per service reads the same log into a database of its own."""
    rng = random.Random(seed)
    topic = new_topic(cluster)
    uitkomsten = []
    with ExitStack() as stack:
        running: list[_Dienst] = []
        for dienst in diensten:
            url = stack.enter_context(databases())
            group = f"chaos-{dienst}-{uuid.uuid4().hex[:6]}"
            env = _env(cluster, url, topic, group)
            d = _Dienst(_name(dienst, group), group, url, env, _instance(dienst, env))
            d.victim = _instance(dienst, env, sterf_na=rng.randint(2, 20))
            running.append(d)
        started = time.monotonic()
        log: list[Log] = []
        # The log grows for as long as the kills take (a new history of new sites per round),
        # as under a steady load.
        genoeg = threading.Event()
        writer = threading.Thread(
            target=lambda: log.append(
                fill(cluster, databases, schaal, topic, werkers=1, tot=genoeg, rondes=20)
            )
        )
        writer.start()
        deadline = time.monotonic() + 90 * kills
        try:
            while time.monotonic() < deadline:
                for dienst, d in zip(diensten, running, strict=True):
                    if d.victim is not None and d.victim.poll() is not None:
                        if d.victim.returncode == -signal.SIGKILL:
                            d.killed += 1
                        d.victim = (
                            _instance(dienst, d.env, sterf_na=rng.randint(2, 20))
                            if d.killed < kills
                            else None
                        )
                if all(d.killed >= kills for d in running):
                    break
                if not writer.is_alive():
                    break
                time.sleep(0.2)
            genoeg.set()
            writer.join()
            log_complete = time.monotonic()
            for dienst, d in zip(diensten, running, strict=True):
                if d.victim is not None:
                    _stop(d.victim)
                d.victim = _instance(dienst, d.env)
            for d in running:
                _wait_caught_up(d.url, d.name, log[0])
            recovered = time.monotonic() - log_complete
        finally:
            for d in running:
                _stop(d.steady, *([d.victim] if d.victim else []))
            genoeg.set()
        for dienst, d in zip(diensten, running, strict=True):
            reference = undisturbed(cluster, databases, dienst, log[0])
            digest = _digest(dienst, d.url)
            telling = (
                tel(log[0].counts, _facts(d.url))
                if dienst == "rapportage"
                else _streams_telling(d.url, d.name, log[0])
            )
            uitkomsten.append(
                Uitkomst(
                    scenario=f"a {dienst} instance (of two in one group) SIGKILLed mid-batch "
                    f"{d.killed} times",
                    telling=telling,
                    digests_equal=digest == reference,
                    answered_503=None,
                    answered_500=None,
                    recover_s=recovered,
                    note=f"{log[0].ends:,} records written in {log_complete - started:.0f} s "
                    "while the kills went on; time to recover: from the last record written "
                    "until both groups had read all of it (a killed member's partitions wait "
                    "for its 10 s session timeout)"
                    + ("" if dienst == "rapportage" else "; doubles show in the digest only"),
                )
            )
    return uitkomsten


def _all_consumed(running: list[_Dienst], log: list[Log]) -> bool:
    return bool(log) and all(_consumed(d.url, d.name, log[0].topic) >= log[0].ends for d in running)
