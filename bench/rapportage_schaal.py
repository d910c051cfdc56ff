"""Report building at scale: the demo history multiplied, as facts in memory (no database),
timing the fold to a peildatum and each report on top of it.

The rapportage service keeps per-site bitemporal timelines (built once, then extended as facts
arrive) and answers any (peildatum, kennisdatum) with two bisects per site. This measures the
fold, the timelines (build, a peildatum, a kennisdatum, memory) and the reports on top.

Memory and start are measured as the service starts: a child process writes the facts to a
file in slices; this process, fresh, reads them back a slice at a time into the timelines (as the
service reads the log) and measures what stays resident (and the peak) and the seconds taken,
wall and CPU (the CPU seconds are what a quiet machine would take; this one is shared).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time as klok
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from pydantic.alias_generators import to_snake

from services.locaties.domain.demo_scenario import scenario
from services.rapportage.domain import feiten as f
from services.rapportage.domain import rapporten
from services.rapportage.domain.tijdlijn import Tijdlijnen
from services.rapportage.service_layer.rapportage import opbouw

PER_KEER = 50_000  # facts per slice, as the service reads the log

BEGIN = datetime(2009, 1, 1, tzinfo=UTC)
SOORTEN = {
    "statuswijzigingen": f.STATUS,
    "risicobeoordelingen": f.RISICO,
    "knelpunten": f.KNELPUNT,
    "budgettoekenningen": f.BUDGET,
    "kostenboekingen": f.KOSTEN,
    "planningen": f.PLANNING,
}


def feiten(schaal: float) -> list[f.Feit]:
    """The demo history as facts, each recorded 0-44 days after its business date (never
    before the site's previous fact), so the record days differ as in a real registry."""
    uit: list[f.Feit] = []
    for n, s in enumerate(scenario(schaal)):
        lid = f"{s.bevoegd_gezag}{s.registratie['gemeentecode']}{n:07d}"
        r = s.registratie
        vastgelegd = _vastgelegd(r["registratiedatum"], n, BEGIN)
        uit.append(
            f.Feit(
                len(uit) + 1,
                lid,
                1,
                f.GEREGISTREERD,
                vastgelegd,
                {
                    "bevoegd_gezag": r["bevoegdGezag"],
                    "gemeentecode": r["gemeentecode"],
                    "naam": r["naam"],
                    "status": "potentieel-spoed",
                    "registratiedatum": r["registratiedatum"],
                },
            )
        )
        for versie, stap in enumerate(s.stappen, start=2):
            data = {to_snake(k): v for k, v in stap.body.items()}
            data.setdefault("van", "?")
            datum = data.get("besluitdatum") or data.get("beoordelingsdatum") or data["datum"]
            vastgelegd = _vastgelegd(datum, n + versie, vastgelegd)
            uit.append(f.Feit(len(uit) + 1, lid, versie, SOORTEN[stap.pad], vastgelegd, data))
    uit.sort(key=lambda x: x.vastgelegd_op)
    return [replace(x, positie=i) for i, x in enumerate(uit, start=1)]


def _vastgelegd(datum: str, n: int, vorige: datetime) -> datetime:
    moment = datetime.combine(date.fromisoformat(datum), time(9), tzinfo=UTC)
    return max(vorige, moment + timedelta(days=(n * 7) % 45, minutes=n % 600))


def _rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _piek_mb() -> float:
    """The highest resident memory of this process so far (VmHWM)."""
    for regel in Path("/proc/self/status").read_text().splitlines():
        if regel.startswith("VmHWM:"):
            return int(regel.split()[1]) / 1024
    return 0.0


def schrijf(schaal: float, pad: Path) -> None:
    """The facts at ``schaal``, pickled a slice at a time."""
    alle = feiten(schaal)
    with pad.open("wb") as uit:
        for begin in range(0, len(alle), PER_KEER):
            pickle.dump(alle[begin : begin + PER_KEER], uit, pickle.HIGHEST_PROTOCOL)


def lees(pad: Path) -> Iterator[list[f.Feit]]:
    with pad.open("rb") as bron:
        while True:
            try:
                yield pickle.load(bron)  # our own file, written just now
            except EOFError:
                return


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schaal", type=float, default=10.0)
    parser.add_argument("--schrijf", type=Path, help="only write the facts to this file")
    parser.add_argument(
        "--feiten", type=Path, help="keep the facts in this file; reuse it if it exists"
    )
    parser.add_argument(
        "--start",
        action="store_true",
        help="measure the service's start from a database and a snapshot (rapportage_start)",
    )
    parser.add_argument("--staart", type=int, default=20_000, help="with --start: facts after it")
    parser.add_argument(
        "--map",
        type=Path,
        help="with --start: keep the database in this directory; reuse it if it is there",
    )
    args = parser.parse_args(argv)
    if args.start:
        from bench import rapportage_start  # it imports this module

        return rapportage_start.meet(args.schaal, args.staart, args.map)
    if args.schrijf:
        schrijf(args.schaal, args.schrijf)
        return {}
    with tempfile.TemporaryDirectory() as map_:
        pad = args.feiten or Path(map_) / "feiten.pickle"
        if not pad.exists():
            subprocess.run(
                [
                    *(sys.executable, "-m", "bench.rapportage_schaal"),
                    *("--schaal", str(args.schaal), "--schrijf", str(pad)),
                ],
                check=True,
            )
        return _meet(args.schaal, pad)


def _meet(schaal: float, pad: Path) -> dict[str, Any]:
    gc.collect()
    voor = _rss_mb()
    start, cpu = klok.perf_counter(), klok.process_time()
    lijnen = Tijdlijnen()
    with opbouw():  # as the service builds them at start
        for deel in lees(pad):
            lijnen.voeg_toe(deel)
            del deel
    uitslag: dict[str, Any] = {"schaal": schaal}
    uitslag["tijdlijnen_bouw_s"] = klok.perf_counter() - start
    uitslag["tijdlijnen_bouw_cpu_s"] = klok.process_time() - cpu
    gc.collect()
    # What the service keeps: the timelines (with the facts in columns); the peak includes
    # the slice being read.
    uitslag["geheugen_mb"] = round(_rss_mb() - voor)
    uitslag["geheugen_piek_mb"] = round(_piek_mb() - voor)
    uitslag["geheugen_proces_mb"] = round(_rss_mb())
    alle = [x for deel in lees(pad) for x in deel]
    positie, peildatum = len(alle), date(2015, 12, 31)
    uitslag["facts"] = len(alle)
    uitslag["sites"] = sum(1 for x in alle if x.soort == f.GEREGISTREERD)
    start = klok.perf_counter()
    nu = rapporten.toestand_uit(alle, positie, None)(peildatum)
    uitslag["fold_s"] = klok.perf_counter() - start
    start = klok.perf_counter()
    lijnen.op(date(2014, 6, 30))
    uitslag["tijdlijnen_peildatum_s"] = klok.perf_counter() - start
    uitslag["tijdlijnen_peildatum_gelijk"] = lijnen.op(peildatum) == nu
    # "What did we tell parliament on 1 February 2013 about 31 December 2012?"
    kennisdatum, peildatum_toen = date(2013, 2, 1), date(2012, 12, 31)
    start = klok.perf_counter()
    toen = lijnen.op(peildatum_toen, kennisdatum)
    uitslag["tijdlijnen_kennisdatum_s"] = klok.perf_counter() - start
    start = klok.perf_counter()
    gevouwen = rapporten.toestand_uit(alle, positie, kennisdatum)(peildatum_toen)
    uitslag["fold_kennisdatum_s"] = klok.perf_counter() - start
    uitslag["kennisdatum_gelijk"] = toen == gevouwen
    for naam in ("voortgang", "bevoegde-gezagen", "deadlines"):
        start = klok.perf_counter()
        rapporten.bouw(naam, lambda _: nu, positie, peildatum)
        uitslag[f"{naam}_s"] = klok.perf_counter() - start
    print(json.dumps(uitslag, indent=2))
    return uitslag


if __name__ == "__main__":
    main()
