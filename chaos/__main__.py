"""``python -m chaos`` (``make chaos``): starts the three-broker cluster and a private
PostgreSQL, runs every scenario, prints the table (Markdown, for RELIABILITY.md) with the
machine and the date, and stops what it started. Bounded: about ten minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from chaos.broker import leader_killed
from chaos.cluster import Cluster
from chaos.consumers import instances_killed
from chaos.postgres import PrivatePostgres, postgres_restarted
from chaos.relay import relay_killed
from chaos.uitkomst import Uitkomst, tabel
from shared.db import migrations
from shared.db.engine import make_engine, make_session_factory

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}; "
        f"load average at the start {load}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m chaos", description=__doc__)
    p.add_argument("--commands", type=int, default=10_000, help="broker scenario's commands")
    p.add_argument("--schaal", type=float, default=0.06, help="demo scale of the consumer log")
    p.add_argument("--kills", type=int, default=5)
    p.add_argument("--keep", action="store_true", help="leave the cluster and PostgreSQL running")
    p.add_argument("--out", default=str(ROOT / "var" / "chaos.md"))
    args = p.parse_args(argv)
    started = time.monotonic()
    header = f"`make chaos`, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, on {machine()}"
    print(header, flush=True)
    cluster = Cluster()
    pg = PrivatePostgres()
    print("starting the cluster and the private PostgreSQL ...", flush=True)
    cluster.start()
    pg.start()
    results: list[Uitkomst] = []
    try:
        with pg.database() as url:
            engine = make_engine(url)
            migrations.upgrade(engine)
            sessions = make_session_factory(engine)
            print("1. partition leader SIGKILLed under load ...", flush=True)
            results.append(leader_killed(cluster, sessions, commands=args.commands))
            print(tabel(results[-1:]), flush=True)
            print("2. relay process SIGKILLed between publish and mark ...", flush=True)
            results.append(relay_killed(cluster, engine, commands=5000, kills=args.kills))
            print(tabel(results[-1:]), flush=True)
            engine.dispose()
        print("3. rapportage and kennis instances SIGKILLed mid-batch ...", flush=True)
        results.extend(instances_killed(cluster, pg.database, schaal=args.schaal, kills=args.kills))
        print(tabel(results[-2:]), flush=True)
        print("4. PostgreSQL restarted under load ...", flush=True)
        results.append(postgres_restarted(cluster, pg, clients=4, before_s=5, down_s=5))
        print(tabel(results[-1:]), flush=True)
        print("5. PostgreSQL crashed (immediate shutdown) under load ...", flush=True)
        results.append(postgres_restarted(cluster, pg, clients=4, before_s=5, down_s=5, crash=True))
        print(tabel(results[-1:]), flush=True)
    finally:
        if not args.keep:
            cluster.stop()
            pg.stop()
    minutes = (time.monotonic() - started) / 60
    report = f"{header}; {minutes:.1f} minutes in all.\n\n{tabel(results)}\n"
    for u in results:
        if u.note:
            report += f"\n- {u.scenario}: {u.note}"
    print("\n" + report)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report + "\n", encoding="utf-8")
    print(f"\n(also in {args.out})")
    return 0 if all(u.passed for u in results) else 1


if __name__ == "__main__":
    sys.exit(main())
