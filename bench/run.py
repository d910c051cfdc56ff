"""`make bench`: runs the benchmarks and writes BENCHMARKS.md with the machine and the date.

Benchmarks never fail on timing; they measure and report.
"""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import (
    audit_verify,
    bulk_import,
    eventstore_append,
    historische_lijst,
    http_path,
    rapportage_schaal,
    rapportage_start,
    relay_kosten,
    zegelcontrole_kosten,
)

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = int(
            next(
                line.split()[1]
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            )
        )
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        memory = "unknown memory"
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{model}, {os.cpu_count()} cores, {memory}; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; {pg or 'PostgreSQL'} "
        "(project cluster, default durability); Kafka 4.1.1 single node (KRaft)"
    )


def main() -> None:
    # Short runs (about 3 minutes for these two together): 5 s per store and writer count,
    # 500 sites x 6 status changes through the API.
    append = eventstore_append.main(["--writers", "1,16,64", "--seconds", "5"])
    http = http_path.main(["--sites", "500", "--clients", "32", "--workers", "2"])
    schaal = [rapportage_schaal.main(["--schaal", s]) for s in ("1", "10", "50")]
    start = rapportage_schaal.main(["--start", "--schaal", "242.4242424"])
    lijst = historische_lijst.main(["--sites", "400000"])
    verify = audit_verify.main(["--events", "300000"])
    zegels = zegelcontrole_kosten.main(["--events", "20000"])
    relay = relay_kosten.main([])
    # 5,000 sites (~40,000 events): a couple of minutes at most on this machine.
    bulk = bulk_import.main(["--sites", "5000"])
    write(append, http, schaal, lijst, verify, zegels)
    with (ROOT / "BENCHMARKS.md").open("a") as uit:
        uit.write(relay_kosten.sectie(relay))
        uit.write(rapportage_start.sectie(start))
        uit.write(bulk_import.sectie(bulk))


def _row(r: dict[str, Any]) -> str:
    return (
        f"| {r['writers']} | {r['eventsourcing']:.0f} | {r['ours']:.0f} | {r['ratio']:.2f} "
        f"| {r['ours_group']:.0f} | {r['ratio_group']:.2f} |"
    )


SCHAAL_KOLOMMEN = [
    *("scale", "sites", "facts", "fold", "timelines", "MB", "per peildatum", "per kennisdatum"),
    *("fold kennisdatum", "equal", "voortgang", "lijst", "deadlines"),
]
VERIFY_KOLOMMEN = [
    *("events", "wall s", "CPU s", "events/s wall", "events/s CPU", "load"),
    *("canonical json/s", "canonical orjson/s"),
]
LIJST_KOLOMMEN = ["current list", "on a past moment", "past moment, status filter"]


def _kop(kolommen: list[str]) -> str:
    """A Markdown table header."""
    return "| " + " | ".join(kolommen) + " |\n" + "| --- " * len(kolommen) + "|"


HTTP_KOLOMMEN = [
    *("workers", "clients", "acknowledged", "per second", "x library 1 writer"),
    *("on Kafka", "copies", "p50 ms", "p99 ms", "max ms", "service CPU ms/command"),
    *("load generator CPU", "load average"),
]


def _http_row(h: dict[str, Any], bibliotheek: float) -> str:
    return (
        f"| {h['workers']} | {h['clients']} | {h['acknowledged']} "
        f"| {h['status_changes_per_s']:.0f} | {h['status_changes_per_s'] / bibliotheek:.2f} "
        f"| {h['events_on_kafka']} | {h['copies_on_kafka']} | {h['latency_ms_p50']:.0f} "
        f"| {h['latency_ms_p99']:.0f} | {h['latency_ms_max']:.0f} "
        f"| {h['service_cpu_ms_per_command']:.2f} | {h['client_cpu_share']:.0%} "
        f"| {h['load_before']:.1f} |"
    )


def verify_sectie(v: dict[str, Any]) -> str:
    """``bodemregie audit verify`` on a large log (bench/audit_verify.py)."""
    return f"""## Audit verify (`bodemregie audit verify LOG --publieke-sleutel KEY`)

A sealed log of {v["events"]:,} events ({v["ankers"]} signed anchors, {v["mb"]:.0f} MB of JSON
Lines) verified as the command does: every hash recomputed, both chains, every anchor's Merkle
root and signature; {v["werkers"]} worker processes read and hash, one checks the chains in
order. *wall*: events over elapsed time, which on a shared machine depends on the others (load
average during the run); *CPU*: over the CPU time of all processes together.
The canonical encoding alone, per CPU second: `json` as the hash is defined, and orjson where
its bytes are the same (the verifier's path).

{_kop(VERIFY_KOLOMMEN)}
| {v["events"]} | {v["wall_s"]:.1f} | {v["cpu_s"]:.1f} | {v["per_s_wall"]:,.0f} \
| {v["per_s_cpu"]:,.0f} | {v["load"]:.1f} | {v["hash_json_per_s"]:,.0f} \
| {v["hash_orjson_per_s"]:,.0f} |"""


def zegels_sectie(z: dict[str, Any]) -> str:
    """What the consumers' seal check costs per event (bench/zegelcontrole_kosten.py)."""
    return f"""## Seal check in the consumers (rapportage's projection, PostgreSQL)

{z["events"]:,} sealed events projected in batches of 500 drawn from 6 partitions in turn,
without and with the seal check (hash, prevhash, streamprevhash, source; records ahead of the
chain wait in `consumer_pending`). Microseconds per event, elapsed time; *on arrival*: the CPU
time of the checks a record gets alone (parse, source, seal, hash), the rest is a few queries
per batch. With the check the handler gets the events in log order, so the watermark keeps no
positions ahead of it: the difference can come out negative.

| events | without | with | difference | on arrival (CPU) |
| --- | --- | --- | --- | --- |
| {z["events"]} | {z["zonder_us"]:.0f} | {z["met_us"]:.0f} | {z["kosten_us"]:.0f} \
| {z["ontvang_us"]:.0f} |"""


def write(
    append: list[dict[str, Any]],
    http: dict[str, Any],
    schaal: list[dict[str, Any]],
    lijst: dict[str, Any],
    verify: dict[str, Any],
    zegels: dict[str, Any],
) -> None:
    schaal_rijen = "\n".join(
        f"| {s['schaal']:g} | {s['sites']} | {s['facts']} | {s['fold_s']:.2f} "
        f"| {s['tijdlijnen_bouw_s']:.2f} | {s['geheugen_mb']} "
        f"| {s['tijdlijnen_peildatum_s']:.3f} | {s['tijdlijnen_kennisdatum_s']:.3f} "
        f"| {s['fold_kennisdatum_s']:.2f} | {'yes' if s['kennisdatum_gelijk'] else 'NO'} "
        f"| {s['voortgang_s']:.2f} | {s['bevoegde-gezagen_s']:.2f} | {s['deadlines_s']:.2f} |"
        for s in schaal
    )
    bibliotheek = append[0]["eventsourcing"]  # the library's single-writer appends/s
    append_rijen = "\n".join(_row(r) for r in append)
    lijst_rij = (
        "| "
        + " | ".join(f"{lijst[k]:.2f}" for k in ("nu_s", "toen_s", "toen_status_s", "toen_diep_s"))
        + " |"
    )
    groot = schaal[-1]
    per_site_s = max(groot["tijdlijnen_peildatum_s"], groot["tijdlijnen_kennisdatum_s"])
    tijdlijn_s = per_site_s * 400_000 / groot["sites"]
    bouw_s = groot["tijdlijnen_bouw_s"] * 3.3e6 / groot["facts"]
    geheugen_gb = groot["geheugen_mb"] * 3.3e6 / groot["facts"] / 1024
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = f"""# Benchmarks

Measured with `make bench` on {now}.
Machine: {machine()}.

Numbers from one run each on a shared 2-core machine: expect a spread of 10-20% between runs.
Benchmarks report; they never fail the build.

## Event store append throughput (events per second, PostgreSQL)

Each append is one event of about 200 bytes (ours with its outbox row, as every command writes
one), committed before its writer goes on; {append[0]["seconds"]:.0f} s per store and number of
writers, each writer on streams of its own. Both stores keep a gap-free global order (the
`eventsourcing` library's `PostgresApplicationRecorder` by a table lock, ours by the position
counter row). *ours*: one transaction per append; *group commit*: through
`shared/eventstore/groepscommit.py`, as the locaties service appends on PostgreSQL (the appends
waiting at the same moment share one transaction and one fsync).

| writers | eventsourcing 9.5.6 | ours | ratio | ours, group commit | ratio |
| --- | --- | --- | --- | --- | --- |
{append_rijen}

## HTTP path (locaties API on PostgreSQL, relay to Kafka)

{http["sites"]} sites each driven through {http["status_changes"] // http["sites"]} status changes
(`POST .../statuswijzigingen` with If-Match) by {http["clients"]} kept-alive clients, each with
its own token, against {http["workers"]} uvicorn workers (uvloop, httptools; group commit on;
one relay leads and publishes to Kafka). Latency is from sending the command to its CloudEvent
arriving at a Kafka consumer. *x library 1 writer*: status changes per second over the
library's single-writer append rate above (same run). *on Kafka*: status changes that arrived,
to equal *acknowledged* (201 answers); *copies*: events that arrived more than once. *service
CPU*: the workers' CPU time (relay included) per status change; *load generator CPU*: the
benchmark process (clients and Kafka reader, one event loop) as a share of the machine's cores.

{_kop(HTTP_KOLOMMEN)}
{_http_row(http, bibliotheek)}

PostgreSQL, Kafka, the benchmark's clients and the service workers all share the two cores;
*load average* is the machine's at the start of the run.

## Reports at scale (rapportage, in memory)

The demo history multiplied, each fact recorded 0-44 days after its business date. *fold*: every
site's state on a peildatum from all facts (what the auditor's replay does). *timelines*: the
rapportage service's per-site bitemporal timelines (the state after each business date on which
a site changed, as known at the end of each record day on which it changed), built once at start
and then extended as facts arrive; *MB*: the growth of resident memory for the facts and the
timelines together (what the service keeps). *per peildatum* / *per kennisdatum*: the state of
all sites on a new peildatum on current knowledge, and on 31 Dec 2012 as known on 1 Feb 2013
(two bisects per site); *fold kennisdatum*: the same by folding the facts known then; *equal*:
both give the same sites. Then each report aggregates. Seconds, single thread.

{_kop(SCHAAL_KOLOMMEN)}
{schaal_rijen}

Extrapolated from the largest run to the ~400,000 possibly contaminated sites (3.3 million
facts): any (peildatum, kennisdatum) about {tijdlijn_s:.1f} s (then cached), timelines built in
about {bouw_s:.0f} s at start, about {geheugen_gb:.1f} GB of memory.

## Historic list (locaties, PostgreSQL)

`GET /v1/spoedlocaties?peildatum=2012-12-31&kennisdatum=2013-02-01`: the route's own count and
page queries over `spoedlocatie_standen`, filled with {lijst["sites"]:,} synthetic sites
({lijst["rijen"]:,} rows: 8 business-date intervals per site, one site in ten corrected later).
Median of 5, seconds.

{_kop([*LIJST_KOLOMMEN, f"past moment, page {lijst['sites'] // 40:,}"])}
{lijst_rij}

The count over all matching rows dominates; no stream is replayed.

{verify_sectie(verify)}

{zegels_sectie(zegels)}
"""
    (ROOT / "BENCHMARKS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
