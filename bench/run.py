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

from bench import eventstore_append, http_path, rapportage_schaal

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
    append_1 = eventstore_append.main(["--events", "10000", "--threads", "1"])
    append_4 = eventstore_append.main(["--events", "20000", "--threads", "4"])
    http = http_path.main(["--sites", "300", "--clients", "4"])
    schaal = [rapportage_schaal.main(["--schaal", s]) for s in ("1", "10", "50")]
    write(append_1, append_4, http, schaal)


def _row(r: dict[str, Any]) -> str:
    return (
        f"| {r['threads']} | {r['events']} | {r['eventsourcing']:.0f} | {r['ours']:.0f} "
        f"| {r['ratio']:.2f} | {r['ours_with_outbox']:.0f} | {r['ratio_with_outbox']:.2f} |"
    )


def _http_row(h: dict[str, Any]) -> str:
    return (
        f"| {h['status_changes']} | {h['status_changes_per_s']:.0f} | {h['events_on_kafka']} "
        f"| {h['latency_ms_p50']:.0f} | {h['latency_ms_p99']:.0f} | {h['latency_ms_max']:.0f} |"
    )


def write(
    append_1: dict[str, Any],
    append_4: dict[str, Any],
    http: dict[str, Any],
    schaal: list[dict[str, Any]],
) -> None:
    schaal_rijen = "\n".join(
        f"| {s['schaal']:g} | {s['sites']} | {s['facts']} | {s['fold_s']:.2f} "
        f"| {s['tijdlijnen_bouw_s']:.2f} | {s['tijdlijnen_peildatum_s']:.3f} "
        f"| {s['voortgang_s']:.2f} | {s['bevoegde-gezagen_s']:.2f} | {s['deadlines_s']:.2f} |"
        for s in schaal
    )
    per_feit_us = 1e6 * schaal[-1]["fold_s"] / schaal[-1]["facts"]
    extrapolatie_s = per_feit_us * 3.3e6 / 1e6
    tijdlijn_s = schaal[-1]["tijdlijnen_peildatum_s"] * 400_000 / schaal[-1]["sites"]
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = f"""# Benchmarks

Measured with `make bench` on {now}.
Machine: {machine()}.

Numbers from one run each on a shared 2-core machine: expect a spread of 10-20% between runs.
Benchmarks report; they never fail the build.

## Event store append throughput (events per second, PostgreSQL)

Each append is one transaction with one event of about 200 bytes, over
{append_1["streams"]} streams; writers in 1 and 4 threads. Both stores keep a gap-free global
order (the `eventsourcing` library's `PostgresApplicationRecorder` by a table lock, ours by the
position counter row). "with outbox" also writes the outbox row, as every command here does.

| threads | events | eventsourcing 9.5.6 | ours | ratio | ours with outbox | ratio |
| --- | --- | --- | --- | --- | --- | --- |
{_row(append_1)}
{_row(append_4)}

## HTTP path (locaties API on PostgreSQL, relay to Kafka)

{http["sites"]} sites each driven through {http["status_changes"] // http["sites"]} status changes
by {http["clients"]} concurrent clients (one uvicorn worker); latency is from sending the command
to its CloudEvent arriving at a Kafka consumer.

| status changes | per second | events on Kafka | p50 ms | p99 ms | max ms |
| --- | --- | --- | --- | --- | --- |
{_http_row(http)}

## Reports at scale (rapportage, in memory)

The demo history multiplied. *fold*: every site's state on a peildatum from all facts (used for
an explicit kennisdatum). *timelines*: per-site states after each business date on which the site
changed, built once (then only for sites with new facts); *per peildatum*: the state of all sites
on a new peildatum from them (one bisect per site). Then each report aggregates. Seconds, single
thread.

| scale | sites | facts | fold | timelines | per peildatum | voortgang | lijst | deadlines |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
{schaal_rijen}

The fold is linear in the facts (here {per_feit_us:.1f} µs each): at the scale of the ~400,000
possibly contaminated sites (3.3 million facts) a report "as known on" a new kennisdatum would take
about {extrapolatie_s:.0f} s (then cached). A new peildatum on current knowledge uses the timelines:
about {tijdlijn_s:.1f} s at that scale, extrapolated from the largest run.
"""
    (ROOT / "BENCHMARKS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
