"""Report building at scale: the demo history multiplied, as facts in memory (no I/O), timing
the fold to a peildatum and each report on top of it.

The rapportage service keeps per-site bitemporal timelines (built once, then extended as facts
arrive) and answers any (peildatum, kennisdatum) with two bisects per site. This measures the
fold, the timelines (build, a peildatum, a kennisdatum, memory) and the reports on top.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time as klok
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from pydantic.alias_generators import to_snake

from services.locaties.domain.demo_scenario import scenario
from services.rapportage.domain import feiten as f
from services.rapportage.domain import rapporten
from services.rapportage.domain.tijdlijn import Tijdlijnen

BEGIN = datetime(2009, 1, 1, tzinfo=UTC)
SOORTEN = {
    "statuswijzigingen": f.STATUS,
    "risicobeoordelingen": f.RISICO,
    "knelpunten": f.KNELPUNT,
    "budgettoekenningen": f.BUDGET,
    "kostenboekingen": f.KOSTEN,
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


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schaal", type=float, default=10.0)
    args = parser.parse_args(argv)
    gc.collect()
    voor = _rss_mb()
    alle = feiten(args.schaal)
    gc.collect()
    na_feiten = _rss_mb()
    positie, peildatum = len(alle), date(2015, 12, 31)
    uitslag: dict[str, Any] = {
        "schaal": args.schaal,
        "facts": len(alle),
        "sites": sum(1 for x in alle if x.soort == f.GEREGISTREERD),
    }
    start = klok.perf_counter()
    lijnen = Tijdlijnen()
    lijnen.voeg_toe(alle)
    uitslag["tijdlijnen_bouw_s"] = klok.perf_counter() - start
    gc.collect()
    # Memory of what the service keeps: the facts and the timelines over them.
    uitslag["geheugen_mb"] = round(_rss_mb() - voor)
    uitslag["geheugen_feiten_mb"] = round(na_feiten - voor)
    start = klok.perf_counter()
    nu = rapporten.toestand_uit(alle, positie, None)(peildatum)
    uitslag["fold_s"] = klok.perf_counter() - start
    start = klok.perf_counter()
    lijnen.op(date(2014, 6, 30))
    uitslag["tijdlijnen_peildatum_s"] = klok.perf_counter() - start
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
