"""The outbox relay as a process of its own beside the locaties API, in the shapes the service
runs in: a relay process started beside an API that runs none (``make run``, compose's
``locaties-relay``: ``BODEMREGIE_RELAY_ENABLED=false``), and an API that starts its relay as a
child process (``BODEMREGIE_RELAY_PROCESS=true``, e.g. under ``uvicorn --workers``). Either way
the API process runs no relay thread, and the relay process publishes every committed event
exactly once, also when it is SIGKILLed and another takes over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import Engine, func, select, text

from services.locaties.bootstrap import RELAY_MODULE
from services.locaties.config import LocatiesSettings
from services.locaties.entrypoints.relay import APPLICATION_NAME
from shared.eventstore.tables import event_seals, events, outbox
from shared.messaging.publisher import POSITION_HEADER, STORE_HEADER
from shared.outbox import RelayProcess, RelayThread
from tests.support.infra import (
    KAFKA_BOOTSTRAP,
    ROOT,
    advisory_lock_holders,
    create_topic,
    kafka_as,
    login_file,
)
from tests.support.locaties import NIEUW, SECRET, locaties_client, token

RELAY = [sys.executable, "-m", "services.locaties.entrypoints.relay"]


def _wait_for(check: Callable[[], bool], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.05)


def _relay_threads() -> list[str]:
    """Threads of this (the API's) process that run a relay."""
    return [
        t.name for t in threading.enumerate() if "relay" in t.name and t.name != "relay-process"
    ]


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _unpublished(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            ).scalar_one()
        )


def _on_topic(topic: str) -> Counter[tuple[str, int]]:
    """How often each (store, position) is on the topic."""
    consumer = KafkaConsumer(**kafka_as().client_options(), group_id=None)
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ends = consumer.end_offsets(tps)
        seen: Counter[tuple[str, int]] = Counter()
        deadline = time.monotonic() + 60
        while any(consumer.position(tp) < ends[tp] for tp in tps):
            assert time.monotonic() < deadline, "could not read the topic"
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    headers = dict(record.headers)
                    seen[(headers[STORE_HEADER].decode(), int(headers[POSITION_HEADER]))] += 1
        return seen
    finally:
        consumer.close()


def _register(api: TestClient, n: int) -> None:
    for i in range(n):
        r = api.post("/v1/spoedlocaties", json={**NIEUW, "naam": f"apart {i}"}, headers=token())
        assert r.status_code == 201, r.text


@contextmanager
def _relay_process(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(RELAY, cwd=ROOT, env=env)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(60)


@pytest.mark.kafka
@pytest.mark.postgres
def test_a_relay_process_publishes_what_the_api_commits_once_also_when_killed(
    pg_engine: Engine,
) -> None:
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=3)
    url = pg_engine.url.render_as_string(hide_password=False)
    env = {
        **os.environ,
        "BODEMREGIE_DATABASE_URL": url,
        "BODEMREGIE_JWT_SECRET": SECRET,
        "BODEMREGIE_KAFKA_BOOTSTRAP": KAFKA_BOOTSTRAP,
        "BODEMREGIE_KAFKA_CREDENTIALS_FILE": login_file("admin"),
        "BODEMREGIE_SPOEDLOCATIES_TOPIC": topic,
        "BODEMREGIE_LOG_JSON": "false",
    }
    with locaties_client(pg_engine, relay_enabled=False, spoedlocaties_topic=topic) as api:
        assert api.app.state.container.relay is None  # type: ignore[attr-defined]
        assert _relay_threads() == []
        _register(api, 5)  # committed before any relay runs: they wait in the outbox
        with _relay_process(env) as eerste:
            _wait_for(lambda: _unpublished(pg_engine) == 0)
            # The lead is the relay process's, not the API's.
            assert advisory_lock_holders(pg_engine) == [APPLICATION_NAME]
            _register(api, 5)
            _wait_for(lambda: _unpublished(pg_engine) == 0)
            os.kill(eerste.pid, signal.SIGKILL)
            eerste.wait(30)
        _register(api, 5)  # while no relay runs
        with _relay_process(env):
            _register(api, 5)
            _wait_for(lambda: _unpublished(pg_engine) == 0)
        assert _relay_threads() == []
    # Every committed event (and the anchor the graceful stop appended) is sealed and on the
    # topic exactly once.
    with pg_engine.connect() as conn:
        store = conn.execute(text("SELECT store_id FROM store_identity")).scalar_one()
        positions = list(conn.execute(select(events.c.position)).scalars())
    assert _count(pg_engine, event_seals) == len(positions)
    found = _on_topic(topic)
    assert sorted(p for (s, p) in found if s == store) == sorted(positions)
    assert max(found.values()) == 1, {k: n for k, n in found.items() if n > 1}


def test_the_api_with_relay_process_starts_a_child_and_no_thread(sqlite_engine: Engine) -> None:
    with locaties_client(sqlite_engine, relay_process=True) as api:
        relay = api.app.state.container.relay  # type: ignore[attr-defined]
        assert isinstance(relay, RelayProcess)
        assert not isinstance(relay, RelayThread)
        assert _relay_threads() == []
        child = relay.pid
        assert child is not None and Path(f"/proc/{child}").exists()
        _register(api, 3)
        # Sealed by the child, which sees the API's commits through the position counter.
        _wait_for(lambda: _count(sqlite_engine, event_seals) == 3)
    # The API's shutdown stopped the child gracefully: it anchored what it sealed.
    _wait_for(lambda: not Path(f"/proc/{child}").exists() or _zombie(child), timeout=30)
    assert _count(sqlite_engine, event_seals) == _count(sqlite_engine, events) == 4


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


def _settings_json(engine: Engine) -> bytes:
    url = engine.url.render_as_string(hide_password=False)
    return (
        LocatiesSettings(database_url=url, jwt_secret=SECRET, kafka_enabled=False, log_json=False)
        .model_dump_json()
        .encode()
    )


def test_a_relay_child_that_dies_is_replaced(sqlite_engine: Engine) -> None:
    relay = RelayProcess(RELAY_MODULE, _settings_json(sqlite_engine), restart_wait=0.1)
    relay.start()
    try:
        first = relay.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        _wait_for(lambda: relay.pid not in (None, first))
        second = relay.pid
        assert second is not None and Path(f"/proc/{second}").exists()
    finally:
        relay.stop()
    assert relay.pid is None


def test_a_relay_child_ends_when_its_parent_is_killed(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """A SIGKILLed API process (no shutdown runs) leaves no relay behind."""
    script = (
        "import sys, time\n"
        "from shared.outbox import RelayProcess\n"
        f"r = RelayProcess({RELAY_MODULE!r}, sys.stdin.buffer.read())\n"
        "r.start()\n"
        "print(r.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert parent.stdin is not None and parent.stdout is not None
    parent.stdin.write(_settings_json(sqlite_engine))
    parent.stdin.close()
    child = int(parent.stdout.readline())
    try:
        assert Path(f"/proc/{child}").exists()
        parent.kill()
        parent.wait(30)
        _wait_for(lambda: not Path(f"/proc/{child}").exists() or _zombie(child), timeout=60)
    finally:
        if Path(f"/proc/{child}").exists() and not _zombie(child):
            os.kill(child, signal.SIGKILL)
