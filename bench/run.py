"""`make bench`: the benchmarks of issue #12 side by side in one run, written to BENCHMARKS.md as
one dated section with the machine (CPU model, cores, memory) and its load before and after.

In one run, in this order: the event store's append (outbox included) against the
`eventsourcing` library's PostgreSQL recorder with 1, 16 and 64 writers; the HTTP status change
through two workers with the relay publishing to Kafka, 32 clients, also as a ratio to the
library's single-writer append rate of the same run; the bulk import (events/s sealed and on
Kafka); the rapportage's first start and restart at 400,000 sites (memory, CPU and wall
seconds, answer times). About 10 minutes on an idle 2-core machine, most of it filling the
rapportage's database with 3.3 million facts.

``--quick`` runs the same with small sizes (a minute or two: proves the run, measures little);
``--alles`` adds the other bench modules (historic list, audit verify, seal check, relay round).
Benchmarks report; they never fail the build: a benchmark that fails is reported as such and
the run goes on, and the exit code is 0.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"
NATIONAAL = "242.4242424"  # the demo history x 242.4: 400,000 sites, 3.61 million facts


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
    try:
        pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        pg = ""
    return (
        f"{model}, {os.cpu_count()} cores, {memory}; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; {pg or 'PostgreSQL'} "
        "(project cluster, default durability); Kafka 4.1.1 single node (KRaft)"
    )


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


@dataclass
class Stap:
    """One benchmark of the run: what it returned (or why it failed), with its moment."""

    naam: str
    uitslag: Any = None
    fout: str | None = None
    wand_s: float = 0.0
    load_voor: str = ""
    load_na: str = ""
    gewacht_s: float = 0.0  # waited for the machine to settle before this step
    argumenten: list[str] = field(default_factory=list)


# Before each step after the first, the run waits until the 1-minute load average is at most
# RUST_LOAD (what the step before left behind: its processes' ends, PostgreSQL's autovacuum and
# checkpoint) or RUST_MAX_S has passed; each step says how long it waited and at what load it
# began, so a step measured on a busy machine is seen as such.
RUST_LOAD = 1.0
RUST_MAX_S = 90.0


def _rust(maximum_s: float, drempel: float = RUST_LOAD) -> float:
    """Seconds waited for the 1-minute load average to fall to ``drempel`` (at most
    ``maximum_s``)."""
    begin = time.perf_counter()
    while os.getloadavg()[0] > drempel and time.perf_counter() - begin < maximum_s:
        time.sleep(min(5.0, maximum_s))
    return time.perf_counter() - begin


def _meet(
    naam: str, functie: Callable[[list[str]], Any], argumenten: list[str], rust_s: float = 0.0
) -> Stap:
    gewacht = _rust(rust_s) if rust_s > 0 else 0.0
    stap = Stap(naam, argumenten=argumenten, load_voor=_load(), gewacht_s=gewacht)
    start = time.perf_counter()
    print(f"== {naam} {' '.join(argumenten)} (load {stap.load_voor})", flush=True)
    try:
        stap.uitslag = functie(argumenten)
    except (Exception, SystemExit) as exc:  # a benchmark reports; it never fails the build
        traceback.print_exc()
        stap.fout = f"{type(exc).__name__}: {exc}".strip()
    stap.wand_s = time.perf_counter() - start
    stap.load_na = _load()
    return stap


# The HTTP path once more at the goal's rate (an open loop, ``bench.http_path --rate``): the
# closed loop above measures capacity, and its latency is that of a saturated service.
HTTP_TEMPO = ["--clients", "32", "--workers", "2"]

# Before anything is measured: one HTTP run whose figures are not reported, to warm the Kafka
# broker's JVM. On a broker started minutes before (a new machine, CI) the first run measured
# the broker's JIT compiling: 1.52 ms of broker CPU per status change and 508/s, against
# 0.36-0.49 ms and 810-890/s three runs later (2026-12-02). A production broker is warm.
# 12,000 status changes were not enough after a restart: 0.80 ms in the warm-up, then 0.57
# and 0.45 in the two measured runs (0.15-0.34 after an hour's work); hence 36,000.
OPWARMEN = ["--sites", "6000", "--clients", "32", "--workers", "2"]

# The import as deployed beside the in-process one (which splits the CPU by stage): two workers
# and the relay process, over HTTP with ``bodemregie import``'s client in its default two parts.
IMPORT_WORKERS = ["--modus", "workers", "--parallel", "2"]


def plan(quick: bool, alles: bool) -> list[tuple[str, str, list[str]]]:
    """(name, bench module, its arguments), in the order they run."""
    if quick:
        stappen = [
            ("append", "eventstore_append", ["--writers", "1,16,64", "--seconds", "1"]),
            ("http", "http_path", ["--sites", "60", "--clients", "32", "--workers", "2"]),
            ("http-tempo", "http_path", [*HTTP_TEMPO, "--sites", "60", "--rate", "200"]),
            ("import", "bulk_import", ["--sites", "300"]),
            ("import-workers", "bulk_import", ["--sites", "300", *IMPORT_WORKERS]),
            ("import-vloer", "import_vloer", ["--sites", "300", "--voorbeeld", "20"]),
            ("rapportage", "rapportage_schaal", ["--start", "--schaal", "3", "--staart", "500"]),
        ]
    else:
        stappen = [
            ("opwarmen", "http_path", OPWARMEN),
            ("append", "eventstore_append", ["--writers", "1,16,64", "--seconds", "5"]),
            ("http", "http_path", ["--sites", "500", "--clients", "32", "--workers", "2"]),
            ("http-tempo", "http_path", [*HTTP_TEMPO, "--sites", "1000", "--rate", "1000"]),
            ("import", "bulk_import", ["--sites", "5000"]),
            ("import-workers", "bulk_import", ["--sites", "5000", *IMPORT_WORKERS]),
            ("import-vloer", "import_vloer", ["--sites", "5000"]),
            ("rapportage", "rapportage_schaal", ["--start", "--schaal", NATIONAAL]),
        ]
    if alles:
        stappen += [
            ("lijst", "historische_lijst", ["--sites", "4000" if quick else "400000"]),
            ("verify", "audit_verify", ["--events", "3000" if quick else "300000"]),
            ("zegels", "zegelcontrole_kosten", ["--events", "500" if quick else "20000"]),
            ("relay", "relay_kosten", ["--rondes", "5"] if quick else []),
        ]
    return stappen


def _functie(module: str) -> Callable[[list[str]], Any]:
    import importlib

    main: Callable[[list[str]], Any] = importlib.import_module(f"bench.{module}").main
    return main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: proves the run")
    parser.add_argument("--alles", action="store_true", help="also the other bench modules")
    parser.add_argument("--uit", type=Path, default=BENCHMARKS, help="the file to write to")
    args = parser.parse_args(argv)
    begin = datetime.now(UTC)
    load_voor = _load()
    start = time.perf_counter()
    rust_s = 0.0 if args.quick else RUST_MAX_S
    stappen = {
        naam: _meet(naam, _functie(module), argumenten, rust_s=rust_s if i else 0.0)
        for i, (naam, module, argumenten) in enumerate(plan(args.quick, args.alles))
    }
    tekst = sectie(stappen, begin, load_voor, _load(), time.perf_counter() - start, args.quick)
    schrijf_in(args.uit, tekst)
    print(tekst)
    return 0


def schrijf_in(pad: Path, tekst: str) -> None:
    """Puts the run's section above the earlier ones (after the file's title and preamble)."""
    oud = pad.read_text() if pad.exists() else "# Benchmarks\n"
    eerste = re.search(r"^## ", oud, re.MULTILINE)
    if eerste is None:
        pad.write_text(oud.rstrip("\n") + "\n\n" + tekst)
    else:
        pad.write_text(oud[: eerste.start()] + tekst + "\n" + oud[eerste.start() :])


def _kop(kolommen: list[str]) -> str:
    """A Markdown table header."""
    return "| " + " | ".join(kolommen) + " |\n" + "| --- " * len(kolommen) + "|"


def _getal(waarde: Any, formaat: str = ",.0f") -> str:
    return "-" if waarde is None else format(waarde, formaat)


def _append(rijen: list[dict[str, Any]]) -> str:
    kolommen = ["writers", "eventsourcing", "ours", "ratio", "ours, group commit", "ratio"]
    regels = [
        f"| {r.get('writers')} | {_getal(r.get('eventsourcing'))} | {_getal(r.get('ours'))} "
        f"| {_getal(r.get('ratio'), '.2f')} | {_getal(r.get('ours_group'))} "
        f"| {_getal(r.get('ratio_group'), '.2f')} |"
        for r in rijen
    ]
    return "\n".join([_kop(kolommen), *regels])


def bibliotheek_een_schrijver(append: Stap) -> float | None:
    """The library's single-writer appends/s of this run."""
    if append.fout is not None:
        return None
    for r in append.uitslag:
        if r.get("writers") == 1:
            return float(r["eventsourcing"])
    return None


def _http(h: dict[str, Any], bibliotheek: float | None) -> str:
    per_s = h.get("status_changes_per_s")
    verhouding = per_s / bibliotheek if per_s is not None and bibliotheek else None
    kolommen = [
        *("workers", "clients", "acknowledged", "per second", "x library 1 writer"),
        *("on Kafka", "copies", "p50 ms", "p99 ms", "max ms", "service CPU ms/command"),
        "load generator CPU",
    ]
    waarden = [
        str(h.get("workers")),
        str(h.get("clients")),
        str(h.get("acknowledged")),
        _getal(per_s),
        _getal(verhouding, ".2f"),
        str(h.get("events_on_kafka")),
        str(h.get("copies_on_kafka")),
        _getal(h.get("latency_ms_p50")),
        _getal(h.get("latency_ms_p99")),
        _getal(h.get("latency_ms_max")),
        _getal(h.get("service_cpu_ms_per_command"), ".2f"),
        _getal(h.get("client_cpu_share"), ".0%"),
    ]
    return _kop(kolommen) + "\n| " + " | ".join(waarden) + " |\n\n" + _http_uitsplitsing(h)


def _http_uitsplitsing(h: dict[str, Any]) -> str:
    """Where the time and the CPU of a status change went: the answer (command to 201) and the
    relay's part (201 to Kafka); CPU per command by process (PostgreSQL's background and the
    broker also serve whatever else runs on the machine)."""
    tijden = (
        ("command to 201", "answer_ms"),
        ("201 to Kafka", "answer_to_kafka_ms"),
        ("relay's produce to the reader", "produce_to_reader_ms"),
    )
    regels = ["| part | p50 ms | p99 ms |", "| --- | --- | --- |"]
    regels += [
        f"| {naam} | {_getal(h.get(f'{k}_p50'))} | {_getal(h.get(f'{k}_p99'))} |"
        for naam, k in tijden
    ]
    cpu = (
        ("API workers", "workers_cpu_ms_per_command"),
        ("relay process", "relay_cpu_ms_per_command"),
        ("PostgreSQL backends of this database", "pg_backends_cpu_ms_per_command"),
        ("PostgreSQL background (shared)", "pg_background_cpu_ms_per_command_shared"),
        ("Kafka broker (shared)", "broker_cpu_ms_per_command_shared"),
        ("load generator and reader", "client_cpu_ms_per_command"),
    )
    regels += ["", "| CPU per command | ms |", "| --- | --- |"]
    regels += [f"| {naam} | {_getal(h.get(k), '.3f')} |" for naam, k in cpu]
    rondes = h.get("relay_rounds")
    regels += ["", f"Relay rounds: {rondes} ({h.get('events_per_round')} events a round)."]
    return "\n".join(regels)


def _onder(tekst: str) -> str:
    """A bench module's own section, one heading level down (inside the run's section)."""
    return re.sub(r"^## ", "#### ", tekst.strip(), flags=re.MULTILINE)


def _deel(stap: Stap, titel: str, inhoud: Callable[[Any], str]) -> str:
    kop = (
        f"### {titel}\n\n`python -m bench.{_MODULES.get(stap.naam, stap.naam)} "
        f"{' '.join(stap.argumenten)}`: {stap.wand_s:.0f} s wall, load {stap.load_voor} "
        f"before, {stap.load_na} after"
        + (
            f" (began after {stap.gewacht_s:.0f} s waiting for the load to settle)."
            if stap.gewacht_s >= 1
            else "."
        )
    )
    if stap.fout is not None:
        return f"{kop}\n\n**Not measured**: the benchmark failed ({stap.fout[:300]})."
    try:
        return f"{kop}\n\n{inhoud(stap.uitslag)}"
    except Exception as exc:  # the module's output changed: report it raw
        rauw = f"```\n{stap.uitslag!r}\n```"
        return f"{kop}\n\n({type(exc).__name__} formatting it; as returned:)\n\n{rauw}"


_MODULES = {
    "append": "eventstore_append",
    "http": "http_path",
    "http-tempo": "http_path",
    "import": "bulk_import",
    "import-workers": "bulk_import",
    "import-vloer": "import_vloer",
    "rapportage": "rapportage_schaal",
    "lijst": "historische_lijst",
    "verify": "audit_verify",
    "zegels": "zegelcontrole_kosten",
    "relay": "relay_kosten",
}


def sectie(
    stappen: dict[str, Stap],
    begin: datetime,
    load_voor: str,
    load_na: str,
    wand_s: float,
    quick: bool,
) -> str:
    from bench import bulk_import, import_vloer, rapportage_start, relay_kosten

    bibliotheek = bibliotheek_een_schrijver(stappen["append"]) if "append" in stappen else None
    delen = []
    if "append" in stappen:
        delen.append(
            _deel(
                stappen["append"],
                "Event store append (events/s, PostgreSQL, outbox included)",
                lambda u: (
                    _append(u)
                    + "\n\nGoal (issue #12): ours with group commit at least 2x at 16 writers "
                    "and more."
                ),
            )
        )
    if "http" in stappen:
        delen.append(
            _deel(
                stappen["http"],
                "HTTP status change (2 workers, relay to Kafka, 32 clients)",
                lambda u: (
                    _http(u, bibliotheek)
                    + "\n\n*x library 1 writer*: status changes/s over the library's "
                    "single-writer append rate of this run. Goal (issue #12): at least 1,000/s, "
                    "p99 at most 50 ms from command to Kafka, zero copies."
                ),
            )
        )
    if "http-tempo" in stappen:
        delen.append(
            _deel(
                stappen["http-tempo"],
                "HTTP status change at a steady rate (open loop, 2 workers, 32 connections)",
                lambda u: (
                    _http(u, bibliotheek)
                    + f"\n\nCommands due at {_getal(u.get('rate'))}/s; latency counts from when "
                    "a command was due, so a service that falls behind shows its whole delay "
                    f"(the latest send went out {_getal(u.get('behind_schedule_ms_max'))} ms "
                    "after it was due). Goal (issue #12): p99 at most 50 ms from command to "
                    "Kafka at 1,000/s, zero copies."
                ),
            )
        )
    if "import" in stappen:
        delen.append(
            _deel(stappen["import"], "Bulk import", lambda u: _onder(bulk_import.sectie(u)))
        )
    if "import-workers" in stappen:
        delen.append(
            _deel(
                stappen["import-workers"],
                "Bulk import as deployed (2 workers, relay process, 2 parts over HTTP)",
                lambda u: _onder(bulk_import.sectie_workers(u)),
            )
        )
    if "import-vloer" in stappen:
        delen.append(
            _deel(
                stappen["import-vloer"],
                "The machine's floor under the import",
                lambda u: _onder(import_vloer.sectie(u)),
            )
        )
    if "rapportage" in stappen:
        delen.append(
            _deel(
                stappen["rapportage"],
                "Rapportage first start and restart",
                lambda u: (
                    _onder(rapportage_start.sectie(u))
                    + "\n\nGoal (issue #12): start at most 30 s, memory at most 1.5 GB, answers "
                    "under 1 s."
                ),
            )
        )
    for naam, titel in (
        ("lijst", "Historic list"),
        ("verify", "Audit verify"),
        ("zegels", "Seal check"),
        ("relay", "Relay round"),
    ):
        if naam in stappen:
            delen.append(_deel(stappen[naam], titel, _overige(naam, relay_kosten)))
    opwarmen = ""
    if "opwarmen" in stappen:
        u = stappen["opwarmen"].uitslag or {}
        opwarmen = (
            f" First, unreported, one HTTP run (`{' '.join(OPWARMEN)}`) warmed the Kafka "
            f"broker's JVM: {_getal(u.get('status_changes_per_s'))}/s, broker CPU "
            f"{_getal(u.get('broker_cpu_ms_per_command_shared'), '.2f')} ms per status change."
        )
    soort = (
        " (`--quick`: small sizes that prove the run; these numbers are not comparable)"
        if quick
        else ""
    )
    return f"""## `make bench` on {begin:%Y-%m-%d %H:%M} UTC{soort}

Machine: {machine()}. Load average (1, 5, 15 min) before the run {load_voor}, after it
{load_na}; the run took {wand_s / 60:.1f} min.{opwarmen}
On a shared machine wall seconds are inflated by the others' load; CPU seconds much less.
Before each step after the first the run waits (at
most {RUST_MAX_S:.0f} s) for the 1-minute load average to fall to {RUST_LOAD:.1f}. Benchmarks
report; they never fail the build.

{chr(10).join(chr(10) + d + chr(10) for d in delen)}"""


def _overige(naam: str, relay_kosten: Any) -> Callable[[Any], str]:
    if naam == "relay":
        return lambda u: _onder(relay_kosten.sectie(u))
    return lambda u: "```\n" + "\n".join(f"{k}: {v}" for k, v in u.items()) + "\n```"


if __name__ == "__main__":
    raise SystemExit(main())
