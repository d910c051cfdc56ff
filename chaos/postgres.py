"""A private PostgreSQL for the scenarios that restart it (deploy/postgres/pg.sh with its own
name, port and data directory: never the shared one on :5433), and the scenario itself: the
locaties service takes registrations over HTTP from several clients while PostgreSQL is
restarted with a fast shutdown. Every answer is a 201 or a 503 with Retry-After (never a 500);
/v1/ready says 503 while the database is away; every acknowledged registration is on Kafka
once; the read model holds exactly the registrations the event store holds."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import Engine, create_engine, select, text

from chaos.bediend import bediend
from chaos.broker import drain_count, new_topic
from chaos.cluster import SECRET, Cluster, locaties_settings
from chaos.lezen import records
from chaos.tellen import tel
from chaos.uitkomst import Uitkomst
from services.locaties.entrypoints.app import create_app
from shared.auth import Rol, mint_dev_token
from shared.eventstore.tables import events
from shared.integriteit import ANKER_STREAM

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "deploy" / "postgres" / "pg.sh"
# Longer than any answer PostgreSQL's absence may delay (the pool's wait, a batch's retries).
REQUEST_TIMEOUT_S = 60.0
NIEUW = {
    "bevoegdGezag": "ZH",
    "gemeentecode": "0513",
    "naam": "Voormalige gasfabriek",
    "bodemtype": "landbodem",
    "verontreinigingsgroepen": ["pak"],
    "registratiedatum": "2010-03-15",
}


class PrivatePostgres:
    def __init__(self, name: str = "postgres-chaos", port: int = 15433) -> None:
        self.env = {**os.environ, "PG_NAME": name, "PGPORT": str(port)}
        self.admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, action: str) -> None:
        subprocess.run([str(SCRIPT), action], env=self.env, check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        self._run("start")

    def stop(self) -> None:
        """Fast shutdown: open transactions are rolled back, clients disconnected."""
        self._run("stop")

    def crash(self) -> None:
        """Immediate shutdown (SIGQUIT to this server's postmaster): every process quits at
        once, without a checkpoint and without writing what is still in the WAL buffers, so
        asynchronous commits not yet flushed are lost, as in a crash; the next start recovers
        from the WAL on disk. The postmaster is found as the parent of a backend of this
        server's own (its port), never another's."""
        with psycopg.connect(
            self.admin_url.replace("postgresql+psycopg", "postgresql"), autocommit=True
        ) as conn:
            backend = conn.execute("SELECT pg_backend_pid()").fetchone()
            assert backend is not None
            # Read while the connection is open: its backend exits as soon as it closes.
            stat = Path(f"/proc/{backend[0]}/stat").read_text()
        postmaster = int(stat.rsplit(")", 1)[1].split()[1])
        os.kill(postmaster, signal.SIGQUIT)
        deadline = time.monotonic() + 30
        while Path(f"/proc/{postmaster}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    @contextmanager
    def database(self) -> Iterator[str]:
        name = f"chaos_{uuid.uuid4().hex[:10]}"
        # Pre-pinged: the scenario restarts the server under this pool's connection.
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield self.admin_url.rsplit("/", 1)[0] + f"/{name}"
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def _read_model_digest(engine: Engine) -> tuple[str, str]:
    """(digest of the registered sites in the event store, digest of the read model's sites)."""
    with engine.connect() as conn:
        store = conn.execute(
            select(events.c.stream_id)
            .where(events.c.stream_id != ANKER_STREAM, events.c.version == 1)
            .order_by(events.c.stream_id)
        ).scalars()
        gelezen = conn.execute(
            text("SELECT locatie_id FROM spoedlocaties ORDER BY locatie_id")
        ).scalars()
        return (
            hashlib.sha256(repr(list(store)).encode()).hexdigest(),
            hashlib.sha256(repr(list(gelezen)).encode()).hexdigest(),
        )


def _server_error(code: str) -> bool:
    return code.startswith("5") and code != "503"


def postgres_restarted(
    cluster: Cluster,
    pg: PrivatePostgres,
    clients: int = 3,
    before_s: float = 3.0,
    down_s: float = 3.0,
    after_s: float = 3.0,
    crash: bool = False,
) -> Uitkomst:
    """``crash``: an immediate shutdown (``PrivatePostgres.crash``) instead of a fast one."""
    topic = new_topic(cluster)
    token = {"Authorization": f"Bearer {mint_dev_token(SECRET, 'chaos', Rol.BEVOEGD_GEZAG, 'ZH')}"}
    with pg.database() as url:
        settings = locaties_settings(cluster, url, topic)
        answers: Counter[str] = Counter()
        acknowledged: dict[str, int] = {}
        ready_while_down: Counter[int] = Counter()
        first_201_after: list[float] = []
        stop = threading.Event()
        down = threading.Event()
        restarted_at: list[float] = []
        lock = threading.Lock()
        unexpected: dict[int, str] = {}
        app = create_app(settings)
        with bediend(app) as base, httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S) as api:

            def client() -> None:
                while not stop.is_set():
                    try:
                        r = api.post("/v1/spoedlocaties", json=NIEUW, headers=token)
                    except httpx.TransportError as exc:
                        # A hang or a dropped connection: a failure the scenario reports (a
                        # client thread that died of it would go unnoticed).
                        with lock:
                            answers[f"no answer ({type(exc).__name__})"] += 1
                        continue
                    with lock:
                        if r.status_code == 201:
                            answers["201"] += 1
                            acknowledged[r.headers["location"].rsplit("/", 1)[-1]] = 1
                            if restarted_at and not first_201_after:
                                first_201_after.append(time.monotonic())
                        elif r.status_code == 503 and r.headers.get("retry-after"):
                            answers["503"] += 1
                        else:
                            answers[str(r.status_code)] += 1
                            unexpected.setdefault(r.status_code, r.text[:300])
                    if r.status_code == 503:
                        time.sleep(0.2)
                    if down.is_set():
                        try:
                            status = api.get("/v1/ready").status_code
                        except httpx.TransportError as exc:
                            with lock:
                                answers[f"no answer ({type(exc).__name__})"] += 1
                            continue
                        if down.is_set():  # not a probe that PostgreSQL's return overtook
                            ready_while_down[status] += 1

            # The caller's first command creates its pseudonym; three first commands at once
            # would answer 409 (and be retried) for a reason that has nothing to do with this.
            first = api.post("/v1/spoedlocaties", json=NIEUW, headers=token)
            assert first.status_code == 201, first.text
            acknowledged[first.headers["location"].rsplit("/", 1)[-1]] = 1
            # Stopped in ``finally``: a failure in between (the crash, the restart) ends the
            # scenario, never leaves clients posting for ever.
            threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
            for t in threads:
                t.start()
            try:
                time.sleep(before_s)
                stopped = time.monotonic()
                if crash:
                    pg.crash()
                else:
                    pg.stop()
                down.set()
                time.sleep(down_s)
                pg.start()
                down.clear()
                restarted_at.append(time.monotonic())
                time.sleep(after_s)
            finally:
                stop.set()
                for t in threads:
                    t.join(REQUEST_TIMEOUT_S + 30)
            ready_after = api.get("/v1/ready").status_code
            engine = app.state.container.engine
            drain_count(app.state.container.sessions)
            store_digest, read_digest = _read_model_digest(engine)
        found = [(s, v) for s, v in records(cluster.access(), topic) if s != ANKER_STREAM]
    # From PostgreSQL accepting connections again to the first command acknowledged after it.
    recover = (first_201_after[0] if first_201_after else time.monotonic()) - restarted_at[0]
    # A 4xx is the API judging a request (none expected here); a 5xx other than 503, or no answer
    # at all, is a bug.
    bad = sum(
        n for code, n in answers.items() if code.startswith("no answer") or _server_error(code)
    )
    hoe = "crashed (immediate shutdown)" if crash else "stopped (fast shutdown)"
    return Uitkomst(
        scenario=f"PostgreSQL {hoe} for {down_s:.0f} s and started, {clients} clients registering",
        telling=tel(acknowledged, found),
        digests_equal=store_digest == read_digest,
        answered_503=answers["503"],
        answered_500=bad,
        recover_s=recover,
        note=f"PostgreSQL away {restarted_at[0] - stopped:.1f} s; time to recover: from its "
        "restart to the first 201; "
        f"/v1/ready while down: {dict(ready_while_down)}, after: {ready_after}; "
        f"answers {dict(answers)}" + (f"; unexpected: {unexpected}" if unexpected else ""),
    )
