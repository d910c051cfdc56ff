"""Bulk import throughput on PostgreSQL: events per second from the first request until every
event is sealed and on Kafka.

A history file of ``--sites`` sites, each a registration and seven commands (status changes,
a risk, budget, costs, a bottleneck: the demo's mix, ~8 events per site), goes through
``POST /v1/spoedlocaties/import`` in requests of ``--per-verzoek`` lines, in-process (httpx
through the ASGI app, as ``bodemregie import`` would over HTTP minus the socket), with the relay
sealing and publishing to a fresh topic on the project's broker as a thread of the import
process. ``--relay proces`` runs it in a process of its own, as deployed (on the shared 2-core
machine that gained no events/s and cost the relay ~90 instead of ~50 µs of CPU per event, in
smaller rounds); ``--parallel N`` sends the sites in N concurrent parts. The clock stops when
the outbox is empty (every event sealed and confirmed by Kafka). CPU is the import process's
and the relay's (app, relay and Kafka client; not PostgreSQL's or the broker's), so on a shared
machine read it next to the load average printed with it. The CPU is also split per thread
(import worker, librdkafka's threads, the relay when it is a thread, ...) from ``/proc``, and
the PostgreSQL backends' CPU is read the same way: per-stage CPU per event stays comparable on a
loaded machine, events/s do not.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from collections import defaultdict
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text

from services.locaties.config import LocatiesSettings
from services.locaties.entrypoints.app import create_app
from shared.auth import Rol, mint_dev_token
from shared.eventstore.tables import event_seals, events, outbox
from shared.messaging.acls import ADMIN
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


def meet(
    sites: int, per_verzoek: int, relay_proces: bool = False, parallel: int = 1
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
        with TestClient(create_app(cfg)) as client:
            relay = client.app.state.container.relay  # type: ignore[attr-defined]
            relay_pid = getattr(relay, "pid", None)
            load = os.getloadavg()
            pg0, d0, r0 = postgres_cpu(engine), draden_cpu(), proces_cpu(relay_pid)
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
            cpu = proces + r1 - r0  # the relay's CPU, wherever it runs
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
        "postgres_cpu_us_per_event": round(
            sum(c - pg0.get(pid, 0.0) for pid, c in pg1.items()) * 1e6 / aantal
        ),
        "load_voor": round(load[0], 2),
        "load_na": round(load_na[0], 2),
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
    args = parser.parse_args(argv)
    uitslag = meet(args.sites, args.per_verzoek, args.relay == "proces", args.parallel)
    print(json.dumps(uitslag, indent=2))
    return uitslag


if __name__ == "__main__":
    main()
