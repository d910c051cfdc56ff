"""``python -m shared.http.workers ... --relay services.locaties.entrypoints.relay:main``: the
outbox relay runs in a process of its own beside the request workers, elected through the same
leadership and woken by the commits' NOTIFY; the workers run none; SIGTERM stops it gracefully
(it anchors what it sealed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select

from services.locaties.bootstrap import VERSIONS
from services.locaties.entrypoints.relay import APPLICATION_NAME
from shared.auth import Rol, mint_dev_token
from shared.eventstore.tables import event_seals, events
from shared.integriteit import ANKER_STREAM
from shared.privacy import VERSIONS as PERSONEN_VERSIONS
from tests.integration.test_workers import _free_port, _worker_pids
from tests.support.infra import ROOT, advisory_lock_holders, postgres_database

pytestmark = pytest.mark.postgres
SECRET = "relay-proces-" + "z" * 32


def _wait_for(check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except (httpx.HTTPError, GeenEnkeleRelay):
            pass
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.1)


def _relay_pid(parent: int) -> int:
    """The parent's child that is neither a worker (by the name workers give themselves) nor
    multiprocessing's resource tracker."""
    workers = _worker_pids(parent)
    kandidaten = []
    for task in Path(f"/proc/{parent}/task").glob("*"):
        for kind in (task / "children").read_text().split():
            if b"resource_tracker" in Path(f"/proc/{kind}/cmdline").read_bytes():
                continue
            if int(kind) not in workers:
                kandidaten.append(int(kind))
    if len(kandidaten) != 1:  # between a relay's end and its replacement's start: none
        raise GeenEnkeleRelay(kandidaten)
    return kandidaten[0]


class GeenEnkeleRelay(Exception):
    """Not exactly one relay process among the parent's children (yet)."""


def _count(engine: Engine, query: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())  # type: ignore[call-overload]


def test_the_relay_runs_in_its_own_process_is_replaced_and_anchors_when_stopped() -> None:
    port = _free_port()
    with postgres_database([VERSIONS, PERSONEN_VERSIONS]) as engine:
        env = {
            **os.environ,
            "BODEMREGIE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "BODEMREGIE_JWT_SECRET": SECRET,
            "BODEMREGIE_KAFKA_ENABLED": "false",
            # Only the relay's final anchor, not one every few events.
            "BODEMREGIE_ANKER_ELKE": "100000",
        }
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "shared.http.workers"),
                *("services.locaties.entrypoints.app:create_app", "--factory"),
                *("--port", str(port), "--workers", "2", "--log-level", "warning"),
                *("--relay", "services.locaties.entrypoints.relay:main"),
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(lambda: httpx.get(f"{base}/v1/ready", timeout=5).status_code == 200)
            token = mint_dev_token(SECRET, "a@zh.nl", Rol.BEVOEGD_GEZAG, "ZH")
            antwoord = httpx.post(
                f"{base}/v1/spoedlocaties",
                json={
                    "bevoegdGezag": "ZH",
                    "gemeentecode": "0513",
                    "naam": "proces",
                    "registratiedatum": "2010-01-04",
                },
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            assert antwoord.status_code == 201, antwoord.text
            # Sealed, and the one lead is held by the relay's own process, not by a worker.
            _wait_for(lambda: _count(engine, select(func.count()).select_from(event_seals)) == 1)
            assert advisory_lock_holders(engine) == [APPLICATION_NAME]
            # A relay process that dies is replaced, and the new one takes the lead and seals.
            # Ready is one worker's answer: the other may still be starting, not yet named a
            # worker, and would be taken for a second relay (a run failed on that once).
            _wait_for(lambda: len(_worker_pids(server.pid)) == 2)
            dood = _relay_pid(server.pid)
            os.kill(dood, signal.SIGKILL)
            _wait_for(lambda: _relay_pid(server.pid) != dood)
            antwoord = httpx.post(
                f"{base}/v1/spoedlocaties",
                json={
                    "bevoegdGezag": "ZH",
                    "gemeentecode": "0513",
                    "naam": "proces twee",
                    "registratiedatum": "2010-01-05",
                },
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            assert antwoord.status_code == 201, antwoord.text
            _wait_for(lambda: _count(engine, select(func.count()).select_from(event_seals)) == 2)
            assert advisory_lock_holders(engine) == [APPLICATION_NAME]
        finally:
            server.terminate()
            server.wait(60)
        # A graceful stop: the relay anchored what it had sealed before it ended.
        ankers = select(func.count()).select_from(events).where(events.c.stream_id == ANKER_STREAM)
        assert _count(engine, ankers) == 1
        assert advisory_lock_holders(engine) == []
