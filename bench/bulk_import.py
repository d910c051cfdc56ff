"""Bulk import throughput on PostgreSQL: events per second from the first request until every
event is sealed and on Kafka.

A history file of ``--sites`` sites, each a registration and seven commands (status changes,
a risk, budget, costs, a bottleneck: the demo's mix, ~8 events per site), goes through
``POST /v1/spoedlocaties/import`` in requests of ``--per-verzoek`` lines, in-process (httpx
through the ASGI app, as ``bodemregie import`` would over HTTP minus the socket), with the relay
sealing and publishing to a fresh topic on the project's broker as a thread of the import
process. ``--relay proces`` runs it in a process of its own, as deployed (the clock starts
once that process has started: until session 10 its start-up, ~2-3 s of CPU importing the
service's modules, fell in the timed part and was counted as ~40-50 µs per event of the
relay's); ``--parallel N`` sends the sites in N concurrent parts. The clock stops when
the outbox is empty (every event sealed and confirmed by Kafka). CPU is the import process's
and the relay's (app, relay and Kafka client; not PostgreSQL's or the broker's), so on a shared
machine read it next to the load average printed with it. The CPU is also split per thread
(import worker, librdkafka's threads, the relay when it is a thread, ...) from ``/proc``, and
the PostgreSQL backends' CPU is read the same way: per-stage CPU per event stays comparable on a
loaded machine, events/s do not.

``stadia_us_per_event`` splits the CPU by stage, each the CPU time (``time.thread_time``) of the
thread that runs it, measured around the stage's function in this process: reading and
validating the lines (``routes_import._lees_batch``), running them (``routes_import._voer_uit``:
the handlers, then ``Importeur._schrijf``: the events, COPY, read models, line keys), the
relay's sealing (``Verzegelaar.ronde`` and ``veranker``: reading the new events, the
CloudEvents, the hashes, the seals' COPY, the anchors) and its produce to Kafka
(``KafkaPublisher.publish``, flush included, CPU only), and the rest of the relay's rounds
(read, marks, commit). PostgreSQL's backends are split by who used them (the import's
connections, the relay's), and the broker's CPU (its process, from ``/proc``, when it runs
on this machine: shared with whatever else uses it meanwhile) is reported beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from collections import defaultdict
from contextlib import suppress
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text

from services.locaties.config import LocatiesSettings
from services.locaties.entrypoints import routes_import
from services.locaties.entrypoints.app import create_app
from services.locaties.service_layer.importeren import Importeur
from shared.auth import Rol, mint_dev_token
from shared.eventstore.tables import event_seals, events, outbox
from shared.messaging.acls import ADMIN
from shared.messaging.publisher import KafkaPublisher
from shared.zegel import Verzegelaar
from tests.support.infra import KAFKA_BOOTSTRAP, create_topic, login_file, postgres_database

SECRET = "bench-secret-" + "x" * 32
STAPPEN: list[tuple[str, dict[str, Any]]] = [
    ("statuswijzigingen", {"naar": "onderzocht", "besluitdatum": "2010-06-01"}),
    (
        "risicobeoordelingen",
        {
            "risicotype": "humaan",
            "vastgesteld": True,
            "criteria": ["ingestie-grond"],
            "beoordelingsdatum": "2010-07-01",
        },
    ),
    ("statuswijzigingen", {"naar": "ernstig-spoed", "besluitdatum": "2010-09-01"}),
    ("budgettoekenningen", {"bedragEuro": 250_000, "datum": "2011-01-01", "bron": "ISV"}),
    ("kostenboekingen", {"bedragEuro": 40_000, "datum": "2011-06-01", "omschrijving": "NO"}),
    ("knelpunten", {"knelpunt": "financieel", "datum": "2012-02-01"}),
    ("statuswijzigingen", {"naar": "saneringsplan", "besluitdatum": "2012-05-01"}),
]


def regels(sites: int) -> list[bytes]:
    """The history file's lines, site after site (as a soil information system exports)."""
    uit: list[dict[str, Any]] = []
    for n in range(1, sites + 1):
        locatie_id = f"ZH0513{n:05d}"
        uit.append(
            {
                "sleutel": f"{locatie_id}-1",
                "soort": "registratie",
                "locatieId": locatie_id,
                "body": {
                    "bevoegdGezag": "ZH",
                    "gemeentecode": "0513",
                    "naam": f"Locatie {n}",
                    "registratiedatum": "2010-03-15",
                    "geometrie": {"type": "Point", "coordinates": [4.7 + n % 100 / 1000, 52.01]},
                },
            }
        )
        for versie, (soort, body) in enumerate(STAPPEN, start=1):
            uit.append(
                {
                    "sleutel": f"{locatie_id}-{versie + 1}",
                    "soort": soort,
                    "locatieId": locatie_id,
                    "versie": versie,
                    "body": body,
                }
            )
    return [json.dumps(r).encode() + b"\n" for r in uit]


def _rest(client: TestClient) -> tuple[int, int, int]:
    sessions = client.app.state.container.sessions  # type: ignore[attr-defined]
    with sessions() as s:
        return (
            int(s.execute(select(func.count()).select_from(events)).scalar_one()),
            int(s.execute(select(func.count()).select_from(event_seals)).scalar_one()),
            int(
                s.execute(
                    select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
                ).scalar_one()
            ),
        )


_TIK = os.sysconf("SC_CLK_TCK")


def _cpu_van(stat_pad: str) -> tuple[str, float]:
    """(comm, user+system CPU seconds) from a /proc stat file."""
    with open(stat_pad) as f:
        stat = f.read()
    velden = stat[stat.rindex(")") + 2 :].split()
    return stat[stat.index("(") + 1 : stat.rindex(")")], (int(velden[11]) + int(velden[12])) / _TIK


def _groep(naam: str) -> str:
    if "relay" in naam:
        return "relay"
    if naam.startswith("rdk:"):
        return "librdkafka"
    if naam.startswith("AnyIO worker"):
        return "import (worker threads)"
    if naam == "MainThread":
        return "client (main thread)"
    return naam


def draden_cpu() -> dict[str, float]:
    """CPU seconds so far of this process's live threads, per group."""
    namen = {t.native_id: t.name for t in threading.enumerate()}
    uit: dict[str, float] = defaultdict(float)
    for tid in os.listdir("/proc/self/task"):
        try:
            comm, cpu = _cpu_van(f"/proc/self/task/{tid}/stat")
        except OSError:
            continue
        uit[_groep(namen.get(int(tid)) or comm)] += cpu
    return uit


def postgres_cpu(engine: Engine) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to this database."""
    with engine.connect() as conn:
        pids = conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).scalars()
        uit = {}
        for pid in pids:
            try:
                uit[int(pid)] = _cpu_van(f"/proc/{pid}/stat")[1]
            except OSError:
                continue
        return uit


def proces_cpu(pid: int | None) -> float:
    """CPU seconds so far of another process (the relay's own), 0 when it is not there."""
    if pid is None:
        return 0.0
    try:
        return _cpu_van(f"/proc/{pid}/stat")[1]
    except OSError:
        return 0.0


class Stadia:
    """CPU seconds per stage, measured with ``time.thread_time`` around the stage's function
    (each wrapped on its class or module for one run), and the PostgreSQL backends each role
    used."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.pids: dict[str, set[int]] = defaultdict(set)
        self._lock = threading.Lock()
        self._terug: list[tuple[Any, str, Any]] = []

    def _wikkel(self, houder: Any, naam: str, stadium: str, pid: Any = None) -> None:
        oud = getattr(houder, naam)

        def gemeten(*args: Any, **kw: Any) -> Any:
            c0 = time.thread_time()
            try:
                return oud(*args, **kw)
            finally:
                cpu = time.thread_time() - c0
                with self._lock:
                    self.cpu[stadium] += cpu
                    if pid is not None:
                        with suppress(Exception):
                            self.pids[stadium.split(":")[0]].add(pid(*args, **kw))

        self._terug.append((houder, naam, oud))
        setattr(houder, naam, gemeten)

    def __enter__(self) -> Stadia:
        self._wikkel(routes_import, "_lees_batch", "import: lezen en valideren")
        self._wikkel(routes_import, "_voer_uit", "import: uitvoeren")
        self._wikkel(
            Importeur,
            "_schrijf",
            "import: schrijven",
            lambda _self, session, _nieuw: (
                session.connection().connection.driver_connection.info.backend_pid
            ),
        )
        # Sealing: the round's read of the new events, the CloudEvents, the hashes, the seals'
        # COPY, and the anchor (in the round, or after the publish: ``veranker``).
        self._wikkel(
            Verzegelaar,
            "ronde",
            "relay: verzegelen",
            lambda _self, _session, _store, *a, tx=None, **_kw: (
                (a[2] if len(a) > 2 else tx)._raw.info.backend_pid
            ),
        )
        if hasattr(Verzegelaar, "veranker"):
            self._wikkel(Verzegelaar, "veranker", "relay: verzegelen")
        self._wikkel(KafkaPublisher, "publish", "relay: produce")
        return self

    def __exit__(self, *_: Any) -> None:
        for houder, naam, oud in reversed(self._terug):
            setattr(houder, naam, oud)


def broker_pid() -> int | None:
    """The Kafka broker's process on this machine, if it runs here."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"kafka.Kafka" in f.read():
                    return int(pid)
        except OSError:
            continue
    return None


def wacht_tot_stil(pid: int | None, stil_s: float = 0.5, hoogstens_s: float = 60.0) -> float:
    """Wait until a process (the relay's own) has started: its CPU no longer grows for
    ``stil_s`` (it imports the service's modules, ~2-3 s of CPU, then waits for commits).
    Otherwise its start-up is counted as the import's relay CPU, and competes with the import
    for the cores, which a long-running relay does not. Returns the seconds waited."""
    if pid is None:
        return 0.0
    begin = time.perf_counter()
    vorige = proces_cpu(pid)
    while time.perf_counter() - begin < hoogstens_s:
        time.sleep(stil_s)
        nu = proces_cpu(pid)
        if nu - vorige < 0.02:
            break
        vorige = nu
    return time.perf_counter() - begin


def meet(
    sites: int,
    per_verzoek: int,
    relay_proces: bool = False,
    parallel: int = 1,
    anker_elke: int | None = None,
) -> dict[str, Any]:
    bestand = regels(sites)
    token = mint_dev_token(SECRET, "bench", Rol.BEVOEGD_GEZAG, "ZH")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=6)
    with postgres_database() as engine:
        cfg = LocatiesSettings(
            database_url=engine.url.render_as_string(hide_password=False),
            jwt_secret=SECRET,
            kafka_enabled=True,
            kafka_bootstrap=KAFKA_BOOTSTRAP,
            kafka_credentials_file=login_file(ADMIN),
            spoedlocaties_topic=topic,
            rate_limit_per_minute=1_000_000,
            relay_process=relay_proces,
        )
        if anker_elke is not None:
            cfg = cfg.model_copy(update={"anker_elke": anker_elke})
        with TestClient(create_app(cfg)) as client:
            relay = client.app.state.container.relay  # type: ignore[attr-defined]
            relay_pid = getattr(relay, "pid", None)
            opgestart_s = wacht_tot_stil(relay_pid)
            broker = broker_pid()
            stadia = Stadia().__enter__()
            load = os.getloadavg()
            pg0, d0, r0 = postgres_cpu(engine), draden_cpu(), proces_cpu(relay_pid)
            b0 = proces_cpu(broker)
            c0, w0 = time.process_time(), time.perf_counter()
            geweigerd = [0] * parallel

            def stuur(deel: int) -> None:
                # Sites split into ``parallel`` contiguous parts, each sent in its own requests
                # (a site's lines stay in one part, in order).
                per_site = len(STAPPEN) + 1
                van, tot = deel * sites // parallel, (deel + 1) * sites // parallel
                eigen = bestand[van * per_site : tot * per_site]
                for begin in range(0, len(eigen), per_verzoek):
                    r = client.post(
                        "/v1/spoedlocaties/import",
                        content=b"".join(eigen[begin : begin + per_verzoek]),
                        headers=headers,
                    )
                    geweigerd[deel] += sum(
                        1 for u in r.text.splitlines() if '"status":201' not in u
                    )

            stromen = [threading.Thread(target=stuur, args=(d,)) for d in range(parallel)]
            for stroom in stromen:
                stroom.start()
            for stroom in stromen:
                stroom.join()
            w_vastgelegd = time.perf_counter() - w0
            while True:
                aantal, verzegeld, open_ = _rest(client)
                if open_ == 0 and verzegeld >= aantal:
                    break
                time.sleep(0.05)
            wand = time.perf_counter() - w0
            proces = time.process_time() - c0
            d1, pg1, r1 = draden_cpu(), postgres_cpu(engine), proces_cpu(relay_pid)
            b1 = proces_cpu(broker)
            stadia.__exit__()
            cpu = proces + r1 - r0  # the relay's CPU, wherever it runs
    per_event = 1e6 / aantal
    pg_per_rol = {
        rol: round(sum(pg1.get(p, 0.0) - pg0.get(p, 0.0) for p in pids) * per_event)
        for rol, pids in sorted(stadia.pids.items())
    }
    pg_per_rol["anders"] = round(
        sum(
            c - pg0.get(p, 0.0)
            for p, c in pg1.items()
            if not any(p in x for x in stadia.pids.values())
        )
        * per_event
    )
    st = stadia.cpu
    stadia_us = {
        "1 import: lezen en valideren (thread CPU)": round(
            st["import: lezen en valideren"] * per_event, 1
        ),
        "2a import: handlers en domein": round(
            (st["import: uitvoeren"] - st["import: schrijven"]) * per_event, 1
        ),
        "2b import: events, COPY, read models, regels": round(
            st["import: schrijven"] * per_event, 1
        ),
        "3 PostgreSQL per rol": pg_per_rol,
        "4 relay: verzegelen (ankers incl.)": round(st["relay: verzegelen"] * per_event, 1),
        "5 relay: produce (Python + flush)": round(st["relay: produce"] * per_event, 1),
        "5b librdkafka threads": round(
            (d1.get("librdkafka", 0.0) - d0.get("librdkafka", 0.0)) * per_event, 1
        ),
        "6 broker (hele proces, gedeeld)": None
        if broker is None
        else round((b1 - b0) * per_event, 1),
    }
    if not relay_pid:
        stadia_us["4-5 relay: rest van de rondes (lezen, markeren, commit)"] = round(
            (
                d1.get("relay", 0.0)
                - d0.get("relay", 0.0)
                - st["relay: verzegelen"]
                - st["relay: produce"]
            )
            * per_event,
            1,
        )
    load_na = os.getloadavg()
    return {
        "sites": sites,
        "regels": len(bestand),
        "parallel": parallel,
        "geweigerd": sum(geweigerd),
        "events": aantal,
        "wand_s": wand,
        "vastgelegd_s": w_vastgelegd,
        "events_per_s": aantal / wand,
        "vastgelegd_per_s": aantal / w_vastgelegd,
        "cpu_s": cpu,
        "cpu_us_per_event": cpu * 1e6 / aantal,
        "import_process_cpu_us_per_event": proces * 1e6 / aantal,
        "cpu_us_per_event_per_thread": {
            k: round((d1[k] - d0.get(k, 0.0)) * 1e6 / aantal)
            for k in sorted(d1)
            if d1[k] - d0.get(k, 0.0) > 0
        },
        "relay": "own process" if relay_pid else "thread of the import process",
        "relay_process_cpu_us_per_event": round((r1 - r0) * 1e6 / aantal),
        "relay_process_opstart_gewacht_s": round(opgestart_s, 1),
        "postgres_cpu_us_per_event": round(
            sum(c - pg0.get(pid, 0.0) for pid, c in pg1.items()) * 1e6 / aantal
        ),
        "stadia_us_per_event": stadia_us,
        "load_voor": round(load[0], 2),
        "load_na": round(load_na[0], 2),
    }


class Wachten(threading.Thread):
    """Samples what the benchmark database's backends wait on (``pg_stat_activity``, with the
    lock they wait for from ``pg_locks``) every ``elk_s`` while the import runs: per role
    (``import``: the workers' backends, ``relay``), how many samples found a backend active,
    and on what it waited (``CPU`` when on none). A backend in a Lock wait on the position
    counter shows ``Lock:transactionid`` (it waits for the transaction that holds the row) or
    ``Lock:tuple`` with the statement (``UPDATE event_positions``)."""

    def __init__(self, engine: Engine, elk_s: float = 0.01) -> None:
        super().__init__(name="wachten", daemon=True)
        self._engine = engine
        self._elk_s = elk_s
        self.stop = threading.Event()
        self.monsters = 0
        # Its backend, whose CPU the caller takes out of PostgreSQL's.
        self.backend_pid: int | None = None
        self.per_rol: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        # What the backend a Lock wait waits for was doing meanwhile ("idle in transaction":
        # its process works between statements, the lock held).
        self.houders: dict[str, int] = defaultdict(int)

    def run(self) -> None:
        vraag = text(
            "SELECT a.application_name, a.wait_event_type, a.wait_event, l.locktype,"
            " left(a.query, 40), b.state, b.wait_event_type, b.wait_event, left(b.query, 40)"
            " FROM pg_stat_activity a LEFT JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted"
            " LEFT JOIN LATERAL (SELECT * FROM pg_stat_activity h"
            "  WHERE l.pid IS NOT NULL AND h.pid = (pg_blocking_pids(a.pid))[1]) b ON true"
            " WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()"
            " AND a.backend_type = 'client backend' AND a.state = 'active'"
        )
        with self._engine.connect() as conn:
            self.backend_pid = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
            conn.rollback()
            while not self.stop.is_set():
                self.monsters += 1
                for naam, soort, wacht, slot, query, *houder in conn.execute(vraag):
                    rol = "relay" if str(naam).endswith("-relay") else "import"
                    if soort is None:
                        sleutel = "CPU"
                    elif soort == "Lock":
                        sleutel = f"Lock:{slot or wacht} ({' '.join(str(query).split()[:3])})"
                        self.houders[_houder(*houder)] += 1
                    else:
                        sleutel = f"{soort}:{wacht}"
                    self.per_rol[rol][sleutel] += 1
                conn.rollback()
                self.stop.wait(self._elk_s)

    def uitslag(self) -> dict[str, Any]:
        return {
            "monsters": self.monsters,
            "houder van een wachtend slot": dict(sorted(self.houders.items(), key=lambda x: -x[1])),
            **{
                rol: dict(sorted(w.items(), key=lambda x: -x[1]))
                for rol, w in sorted(self.per_rol.items())
            },
        }


def _houder(toestand: Any, soort: Any, wacht: Any, query: Any) -> str:
    if toestand is None:
        return "?"
    bezig = "CPU" if soort is None else f"{soort}:{wacht}"
    return f"{toestand} {bezig} (last: {' '.join(str(query).split()[:3])})"


def broker_op_poort(poort: int) -> int | None:
    """The process listening on ``poort`` (the project's broker: another broker may run on
    this machine, e.g. a cluster's, whose CPU is not this import's); None when not found."""
    inodes = set()
    for tabel in ("tcp", "tcp6"):
        with suppress(OSError), open(f"/proc/net/{tabel}") as f:
            for regel in f.read().splitlines()[1:]:
                velden = regel.split()
                if velden[3] == "0A" and int(velden[1].rsplit(":", 1)[1], 16) == poort:
                    inodes.add(f"socket:[{velden[9]}]")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        with suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                        return int(pid)
    return None


def _wacht_tot_stil(pids: list[int], stil_s: float = 1.0, hoogstens_s: float = 90.0) -> None:
    """Until these processes together used under 2 % of a core for ``stil_s`` (the workers'
    start-up and warm-up, the relay's imports)."""
    from bench.http_path import _cpu_s

    begin, vorige = time.perf_counter(), _cpu_s(pids)
    while time.perf_counter() - begin < hoogstens_s:
        time.sleep(stil_s)
        nu = _cpu_s(pids)
        if nu - vorige < 0.02 * stil_s:
            return
        vorige = nu


def meet_workers(
    sites: int,
    per_verzoek: int,
    parallel: int = 1,
    workers: int = 2,
    wachten_elk_s: float | None = None,
) -> dict[str, Any]:
    """The import as deployed: ``shared.http.workers`` with ``workers`` uvicorn workers
    (SO_REUSEPORT: the kernel spreads the connections) and the relay in a process of its own,
    fed over HTTP by ``bodemregie import``'s own client (``bodemregie.importeren.importeer``)
    in ``parallel`` parts, from this process. The clock runs from the first request until every
    event is sealed and confirmed by Kafka; CPU per event per process from ``/proc``: each
    worker, the relay, the client (this process), PostgreSQL's backends (the workers', the
    relay's) and background processes, and the broker (both shared with whatever else runs)."""
    import io
    import tempfile
    import uuid
    from pathlib import Path

    import httpx

    from bench.http_path import (
        HOST,
        Buren,
        _cpu_s,
        _free_port,
        _relay_pid,
        _tree,
        service,
    )
    from bench.http_path import (
        SECRET as HTTP_SECRET,
    )
    from bodemregie.importeren import importeer
    from shared.http.workers import WORKER_NAME
    from shared.messaging.topics import TopicSpec, ensure_topics
    from tests.support.infra import kafka_as

    token = mint_dev_token(HTTP_SECRET, "bench", Rol.BEVOEGD_GEZAG, "ZH")
    topic = f"bench.{uuid.uuid4().hex[:10]}"
    ensure_topics(kafka_as(), (TopicSpec(topic, 6),))
    port = _free_port()
    url = f"http://{HOST}:{port}"
    env = {"BODEMREGIE_RATE_LIMIT_PER_MINUTE": "1000000"}
    with (
        tempfile.TemporaryDirectory() as tmp,
        service(workers, topic, env, port, "reuseport", "process") as (server, engine),
    ):
        bestand = Path(tmp) / "historie.ndjson"
        bestand.write_bytes(b"".join(regels(sites)))
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/v1/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("service did not start")
            time.sleep(0.3)
        pids = _tree(server.pid)
        _wacht_tot_stil(pids)
        # Off unless asked: sampling every 10 ms its backend took about as much PostgreSQL CPU
        # as the import's own backends (27-34 against 27-31 µs per event, 1,000 sites, 2
        # parts), on the cores the import runs on; left out of the CPU figures, not out of
        # what the import could use meanwhile.
        wachten = Wachten(engine, wachten_elk_s) if wachten_elk_s else None
        buren = Buren(engine)
        broker = broker_op_poort(int(KAFKA_BOOTSTRAP.rsplit(":", 1)[1]))
        b0 = proces_cpu(broker)
        per_proces = {pid: _cpu_s([pid]) for pid in pids}
        load = os.getloadavg()
        # The sampler started and connected before the clock: its start-up is not the import's.
        sampler0 = draad0 = 0.0
        if wachten is not None:
            wachten.start()
            while wachten.backend_pid is None and wachten.is_alive():
                time.sleep(0.01)
            sampler0 = proces_cpu(wachten.backend_pid)
            draad0 = _cpu_van(f"/proc/self/task/{wachten.native_id}/stat")[1]
        c0, w0 = time.process_time(), time.perf_counter()
        geweigerd = io.StringIO()
        telling = importeer(
            bestand,
            url,
            token,
            geweigerd,
            per_verzoek,
            voortgang=False,
            parallel=parallel,
        )
        w_vastgelegd = time.perf_counter() - w0
        # Less the sampler thread's CPU meanwhile.
        client_cpu = time.process_time() - c0
        sampler_draad = (
            0.0
            if wachten is None
            else _cpu_van(f"/proc/self/task/{wachten.native_id}/stat")[1] - draad0
        )
        client_cpu -= sampler_draad
        with engine.connect() as conn:
            while True:
                aantal, verzegeld, open_ = (
                    int(conn.execute(select(func.count()).select_from(events)).scalar_one()),
                    int(conn.execute(select(func.count()).select_from(event_seals)).scalar_one()),
                    int(
                        conn.execute(
                            select(func.count())
                            .select_from(outbox)
                            .where(outbox.c.published_at.is_(None))
                        ).scalar_one()
                    ),
                )
                conn.rollback()
                if open_ == 0 and verzegeld >= aantal:
                    break
                time.sleep(0.05)
        wand = time.perf_counter() - w0
        sampler_pg = 0.0
        if wachten is not None:
            sampler_pg = proces_cpu(wachten.backend_pid) - sampler0
            wachten.stop.set()
            wachten.join()
        per_proces = {pid: _cpu_s([pid]) - cpu for pid, cpu in per_proces.items()}
        # Named now: the relay is the process with librdkafka's threads (made at its first
        # publish).
        relay_pid = _relay_pid(pids)
        namen = {}
        for pid in pids:
            with suppress(OSError), open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
                namen[pid] = (
                    "relay"
                    if pid == relay_pid
                    else "parent"
                    if pid == server.pid
                    else f"worker {pid}"
                    if comm == WORKER_NAME
                    else f"{comm} {pid}"
                )
        naast = buren.verschil()
        broker_cpu = proces_cpu(broker) - b0
        load_na = os.getloadavg()
    per_event = 1e6 / aantal
    processen = {namen.get(p, str(p)): round(c * per_event) for p, c in sorted(per_proces.items())}
    backends = naast["backend"] - sampler_pg
    return {
        "modus": f"shared.http.workers ({workers} workers) + relay-proces, HTTP",
        "sites": sites,
        "regels": sites * (len(STAPPEN) + 1),
        "parallel": parallel,
        "per_verzoek": per_verzoek,
        "geweigerd": telling["geweigerd"],
        "events": aantal,
        "wand_s": wand,
        "vastgelegd_s": w_vastgelegd,
        "events_per_s": aantal / wand,
        "vastgelegd_per_s": aantal / w_vastgelegd,
        "cpu_us_per_event_per_proces": {
            **processen,
            "client (bodemregie import)": round(client_cpu * per_event),
            "postgres backends (import)": round((backends - naast["relay-backend"]) * per_event),
            "postgres backends (relay)": round(naast["relay-backend"] * per_event),
            "postgres achtergrond (gedeeld)": round(naast["pg-achtergrond"] * per_event),
            "broker (gedeeld)": None if broker is None else round(broker_cpu * per_event),
        },
        "cpu_us_per_event_totaal": round(
            (sum(per_proces.values()) + client_cpu + backends + broker_cpu) * per_event
        ),
        # Left out of the figures above, shown to judge how much the sampling disturbed.
        "sampler_cpu_us_per_event": {
            "draad (import-proces, tot vastgelegd)": round(sampler_draad * per_event),
            "postgres backend": round(sampler_pg * per_event),
        },
        "pg_wachten": None if wachten is None else wachten.uitslag(),
        "load_voor": [round(x, 2) for x in load],
        "load_na": [round(x, 2) for x in load_na],
    }


def sectie(r: dict[str, Any]) -> str:
    """The BENCHMARKS.md section (appended by ``bench/run.py``)."""
    return f"""
## Bulk import (`bench/bulk_import.py`, PostgreSQL + Kafka)

A history of {r["sites"]} sites ({r["regels"]} lines, ~8 events a site) through
`POST /v1/spoedlocaties/import`, until every event is sealed and confirmed by Kafka.
CPU is the import process's and the relay's (app, relay, Kafka client), not PostgreSQL's or
the broker's.

| events | recorded/s | sealed and on Kafka/s | wall s | CPU µs per event | load before/after |
| --- | --- | --- | --- | --- | --- |
| {r["events"]} | {r["vastgelegd_per_s"]:.0f} | {r["events_per_s"]:.0f} | {r["wand_s"]:.1f} \
| {r["cpu_us_per_event"]:.0f} | {r["load_voor"]} / {r["load_na"]} |

Goal (issue #12): at least 20,000 events/s.
"""


def sectie_workers(r: dict[str, Any]) -> str:
    """The BENCHMARKS.md section of ``--modus workers`` (appended by ``bench/run.py``): the
    rates, and the CPU per event of every process the import used, PostgreSQL's and the
    broker's included (so the total is the machine's cost of an event, against the 100 µs that
    20,000/s on 2 cores allows)."""
    per_proces = r["cpu_us_per_event_per_proces"]
    rijen = "\n".join(
        f"| {naam} | {'-' if us is None else us} |" for naam, us in per_proces.items()
    )
    wachten = {
        rol: w
        for rol, w in (r.get("pg_wachten") or {}).items()
        if rol not in ("monsters", "houder van een wachtend slot")
    }
    # Sampled only with --wachten-elk-s (the sampler's backend costs the shared cores).
    regel_wachten = (
        "\nPostgreSQL's backends sampled, by role and what they were doing or waiting for: "
        f"`{json.dumps(wachten, ensure_ascii=False)}`.\n"
        if wachten
        else ""
    )
    return f"""
## Bulk import as deployed (`bench/bulk_import.py --modus workers`)

A history of {r["sites"]} sites ({r["regels"]} lines) through {r["modus"]}, sent by
`bodemregie import`'s client in {r["parallel"]} parts, until every event is sealed and
confirmed by Kafka.

| events | recorded/s | sealed and on Kafka/s | wall s | CPU µs per event, all processes \
| load before/after |
| --- | --- | --- | --- | --- | --- |
| {r["events"]} | {r["vastgelegd_per_s"]:.0f} | {r["events_per_s"]:.0f} | {r["wand_s"]:.1f} \
| {r["cpu_us_per_event_totaal"]} | {r["load_voor"]} / {r["load_na"]} |

| CPU per event | µs |
| --- | --- |
{rijen}
{regel_wachten}
Goal (issue #12): at least 20,000 events/s.
"""


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=5000)
    parser.add_argument("--per-verzoek", type=int, default=4000)
    parser.add_argument(
        "--relay",
        choices=("proces", "draad"),
        default="draad",
        help="the relay as a thread of the import process (default, as measured before), or in "
        "a process of its own as deployed (make run, compose)",
    )
    parser.add_argument(
        "--parallel", type=int, default=1, help="concurrent requests, each a part of the sites"
    )
    parser.add_argument(
        "--modus",
        choices=("inproc", "workers"),
        default="inproc",
        help="inproc: the import in this process (httpx through the ASGI app, as measured "
        "before); workers: as deployed, shared.http.workers with --workers workers and the "
        "relay process, over HTTP with bodemregie import's client in --parallel parts",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--wachten-elk-s",
        type=float,
        default=0.0,
        help="workers: sample what PostgreSQL's backends wait on every so many seconds "
        "(0: not; the sampling competes for the cores it measures)",
    )
    parser.add_argument(
        "--anker-elke",
        type=int,
        default=None,
        help="anchor every N events (default: the service's setting, 1000); an experiment's "
        "knob, to see what anchoring costs the import",
    )
    args = parser.parse_args(argv)
    if args.modus == "workers":
        uitslag = meet_workers(
            args.sites, args.per_verzoek, args.parallel, args.workers, args.wachten_elk_s
        )
        print(json.dumps(uitslag, indent=2))
        return uitslag
    uitslag = meet(
        args.sites, args.per_verzoek, args.relay == "proces", args.parallel, args.anker_elke
    )
    print(json.dumps(uitslag, indent=2))
    return uitslag


if __name__ == "__main__":
    main()
