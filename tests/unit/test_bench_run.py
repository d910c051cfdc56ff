"""`make bench` runs every benchmark in one go and writes one dated section; a benchmark that
fails is reported, the others still run, and the run exits 0 (benchmarks never fail the
build). Stand-ins for the bench modules: this tests the orchestration, not the measurements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench import run

APPEND = [
    {"writers": 1, "eventsourcing": 500.0, "ours": 400.0, "ratio": 0.8},
    {"writers": 16, "eventsourcing": 700.0, "ours": 900.0, "ratio": 1.3},
]
HTTP = {"workers": 2, "clients": 32, "acknowledged": 300, "status_changes_per_s": 250.0}


def _vloerdeel(per_s: int, totaal: float, delen: dict[str, float]) -> dict[str, Any]:
    return {
        "events": 2400,
        "wand_s": 1.0,
        "events_per_s": per_s,
        "cpu_us_per_event": delen,
        "cpu_us_per_event_totaal": totaal,
        "events_per_s_op_2_kernen_hoogstens": round(2e6 / totaal),
    }


# ``bench.import_vloer``'s result as it returns it.
VLOER = {
    "events": 2400,
    "per_transactie": 1000,
    "gemiddeld": {"rij_json_bytes": 256, "cloudevent_bytes": 911},
    "load_voor": [1.0, 1.1, 1.2],
    "postgres": _vloerdeel(73000, 13.4, {"copy-draad": 2.9, "postgres backend": 9.0}),
    "zegel": _vloerdeel(577000, 1.6, {"hash-draad": 1.6}),
    "kafka": _vloerdeel(146000, 6.0, {"kafka-draad": 2.0, "broker (gedeeld)": 3.5}),
    "samen": _vloerdeel(34638, 27.7, {"copy-draad": 3.5, "postgres backend": 12.5}),
    "load_na": [1.3, 1.4, 1.5],
}


def _stand_ins(monkeypatch: pytest.MonkeyPatch, gedraaid: list[str]) -> None:
    def functie(module: str) -> Any:
        def main(argumenten: list[str]) -> Any:
            gedraaid.append(module)
            if module == "bulk_import":
                raise RuntimeError("Kafka niet bereikbaar")
            if module == "rapportage_schaal":
                raise SystemExit(2)
            if "--rate" in argumenten:  # the paced run: its rate as asked
                rate = float(argumenten[argumenten.index("--rate") + 1])
                return {**HTTP, "rate": rate, "behind_schedule_ms_max": 3.0}
            return {"eventstore_append": APPEND, "http_path": HTTP, "import_vloer": VLOER}[module]

        return main

    monkeypatch.setattr(run, "_functie", functie)


def test_one_run_writes_one_dated_section_and_never_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    gedraaid: list[str] = []
    _stand_ins(monkeypatch, gedraaid)
    uit = tmp_path / "BENCHMARKS.md"
    uit.write_text("# Benchmarks\n\nPreamble.\n\n## An earlier section\n\nold\n")
    assert run.main(["--quick", "--uit", str(uit)]) == 0
    assert gedraaid == [
        *("eventstore_append", "http_path", "http_path", "bulk_import", "bulk_import"),
        *("import_vloer", "rapportage_schaal"),
    ]
    tekst = uit.read_text()
    assert tekst.startswith("# Benchmarks\n\nPreamble.\n\n## `make bench` on ")
    assert tekst.count("## `make bench` on ") == 1
    assert tekst.index("`make bench` on") < tekst.index("## An earlier section")
    assert "cores" in tekst and "Load average" in tekst
    # The HTTP rate over the library's single-writer append of the same run: 250 / 500.
    assert "| 250 | 0.50 |" in tekst
    # The second HTTP run is the paced one, and says at what rate.
    assert "Commands due at 200/s" in tekst and "went out 3 ms after it was due" in tekst
    assert "**Not measured**: the benchmark failed (RuntimeError: Kafka niet bereikbaar)" in tekst
    assert "**Not measured**: the benchmark failed (SystemExit: 2)" in tekst
    # The import twice: in process (its stages) and as deployed (two workers, two parts).
    assert "### Bulk import\n" in tekst and "### Bulk import as deployed" in tekst
    assert "--modus workers --parallel 2" in tekst
    # Then the machine's floor under it, read from the module's own keys.
    assert "### The machine's floor under the import" in tekst
    assert (
        "| all three as a pipeline | 34,638 | 27.7 | copy-draad 3.5, postgres backend 12.5 |"
        in (tekst)
    )


def test_a_second_run_goes_above_the_first(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _stand_ins(monkeypatch, [])
    uit = tmp_path / "BENCHMARKS.md"
    run.main(["--quick", "--uit", str(uit)])
    eerste = uit.read_text()
    run.main(["--quick", "--uit", str(uit)])
    assert uit.read_text().count("## `make bench` on ") == 2
    assert uit.read_text().endswith(eerste[len("# Benchmarks\n\n") :])


def test_the_http_section_splits_time_and_cpu() -> None:
    """The HTTP section says where a status change's time and CPU went, from the module's
    own keys (a renamed key shows as "-", which this catches)."""
    tekst = run._http(
        {
            **HTTP,
            "answer_ms_p50": 21.0,
            "answer_ms_p99": 48.0,
            "answer_to_kafka_ms_p50": 6.0,
            "answer_to_kafka_ms_p99": 19.0,
            "workers_cpu_ms_per_command": 0.9,
            "relay_cpu_ms_per_command": 0.17,
            "relay_rounds": 40,
            "events_per_round": 7.5,
        },
        500.0,
    )
    assert "| command to 201 | 21 | 48 |" in tekst
    assert "| 201 to Kafka | 6 | 19 |" in tekst
    assert "| API workers | 0.900 |" in tekst
    assert "| relay process | 0.170 |" in tekst
    assert "| Kafka broker (shared) | - |" in tekst
    assert "Relay rounds: 40 (7.5 events a round)." in tekst


def test_each_step_after_the_first_waits_for_the_load_to_settle_and_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without ``--quick`` a step after the first waits until the 1-minute load average is at
    most RUST_LOAD (here: it falls by one per sleep), for at most RUST_MAX_S; its heading says
    how long it waited."""
    _stand_ins(monkeypatch, [])
    klein = run.plan
    monkeypatch.setattr(run, "plan", lambda quick, alles: klein(True, alles))
    klok = [0.0]
    load = [3.5]
    monkeypatch.setattr(run.time, "perf_counter", lambda: klok[0])

    def slaap(s: float) -> None:
        klok[0] += s
        load[0] = max(0.2, load[0] - 1.0)

    monkeypatch.setattr(run.time, "sleep", slaap)
    monkeypatch.setattr(run.os, "getloadavg", lambda: (load[0], 1.0, 1.0))
    uit = tmp_path / "BENCHMARKS.md"
    assert run.main(["--uit", str(uit)]) == 0
    tekst = uit.read_text()
    # The first step never waits; the second waits three sleeps of 5 s (3.5 -> 0.5).
    assert tekst.count("waiting for the load to settle") == 1
    assert "(began after 15 s waiting for the load to settle)" in tekst
    assert f"most {run.RUST_MAX_S:.0f} s) for the 1-minute load average" in tekst


def test_the_settle_wait_ends_at_its_maximum(monkeypatch: pytest.MonkeyPatch) -> None:
    klok = [0.0]
    monkeypatch.setattr(run.time, "perf_counter", lambda: klok[0])
    monkeypatch.setattr(run.time, "sleep", lambda s: klok.__setitem__(0, klok[0] + s))
    monkeypatch.setattr(run.os, "getloadavg", lambda: (4.0, 4.0, 4.0))
    assert run._rust(12.0) == 15.0  # the last sleep of 5 s passes the maximum


def test_the_full_run_warms_the_broker_first_and_reports_only_that_it_did() -> None:
    """A broker started minutes before measures its own JIT compiling: the full run begins
    with one HTTP run whose figures go in a sentence, not in the tables."""
    assert [naam for naam, _, _ in run.plan(False, False)][:2] == ["opwarmen", "append"]
    assert "opwarmen" not in [naam for naam, _, _ in run.plan(True, False)]
    opwarmen = run.Stap("opwarmen", uitslag={**HTTP, "broker_cpu_ms_per_command_shared": 1.52})
    tekst = run.sectie({"opwarmen": opwarmen}, run.datetime.now(run.UTC), "1", "1", 60.0, False)
    assert "warmed the Kafka broker's JVM: 250/s, broker CPU 1.52 ms per status change" in tekst
    assert "| acknowledged |" not in tekst.replace(" ", " ")
    assert "HTTP status change (2 workers" not in tekst


def test_the_deployed_import_section_reads_the_modules_own_keys() -> None:
    """The section of ``bulk_import --modus workers`` from a result as that mode returns it: the
    rates, the total CPU and one row per process (a renamed key raises, which this catches)."""
    from bench import bulk_import

    uitslag: dict[str, Any] = {
        "modus": "shared.http.workers (2 workers) + relay-proces, HTTP",
        "sites": 5000,
        "regels": 40000,
        "parallel": 2,
        "events": 40040,
        "wand_s": 8.0,
        "events_per_s": 5005.0,
        "vastgelegd_per_s": 5500.0,
        "cpu_us_per_event_per_proces": {"worker 12": 48, "broker (gedeeld)": None},
        "cpu_us_per_event_totaal": 231,
        "pg_wachten": {
            "monsters": 700,
            "houder van een wachtend slot": {"idle in transaction": 3},
            "import": {"CPU": 150, "Lock:tuple (UPDATE event_positions SET)": 40},
        },
        "load_voor": [1.0, 1.1, 1.2],
        "load_na": [1.3, 1.4, 1.5],
    }
    tekst = bulk_import.sectie_workers(uitslag)
    assert "| 40040 | 5500 | 5005 | 8.0 | 231 |" in tekst
    assert "| worker 12 | 48 |" in tekst and "| broker (gedeeld) | - |" in tekst
    assert "in 2 parts" in tekst and "Lock:tuple" in tekst and "idle in transaction" not in tekst
    # Without the sampler (its default) no line about it.
    assert "sampled" not in bulk_import.sectie_workers({**uitslag, "pg_wachten": None})
