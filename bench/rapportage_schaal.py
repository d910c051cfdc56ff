"""Report building at scale: the demo history multiplied, as facts in memory (no I/O), timing
the fold to a peildatum and each report on top of it.

The rapportage service keeps per-site timelines (built once, then only for sites with new facts)
and answers a new peildatum with one bisect per site; for an explicit kennisdatum it folds the
facts known then. This measures the fold, the timelines and the reports on top.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, date, datetime
from typing import Any

from pydantic.alias_generators import to_snake

from services.locaties.domain.demo_scenario import scenario
from services.rapportage.domain import feiten as f
from services.rapportage.domain import rapporten
from services.rapportage.domain.tijdlijn import Tijdlijnen

T = datetime(2020, 1, 1, tzinfo=UTC)
SOORTEN = {
    "statuswijzigingen": f.STATUS,
    "risicobeoordelingen": f.RISICO,
    "knelpunten": f.KNELPUNT,
    "budgettoekenningen": f.BUDGET,
    "kostenboekingen": f.KOSTEN,
}


def feiten(schaal: float) -> list[f.Feit]:
    uit: list[f.Feit] = []
    for n, s in enumerate(scenario(schaal)):
        lid = f"{s.bevoegd_gezag}{s.registratie['gemeentecode']}{n:07d}"
        r = s.registratie
        uit.append(
            f.Feit(
                len(uit) + 1,
                lid,
                1,
                f.GEREGISTREERD,
                T,
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
            uit.append(f.Feit(len(uit) + 1, lid, versie, SOORTEN[stap.pad], T, data))
    return uit


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schaal", type=float, default=10.0)
    args = parser.parse_args(argv)
    alle = feiten(args.schaal)
    positie, peildatum = len(alle), date(2015, 12, 31)
    uitslag: dict[str, Any] = {
        "schaal": args.schaal,
        "facts": len(alle),
        "sites": sum(1 for x in alle if x.soort == f.GEREGISTREERD),
    }
    start = time.perf_counter()
    nu = rapporten.toestand_uit(alle, positie, None)(peildatum)
    uitslag["fold_s"] = time.perf_counter() - start
    start = time.perf_counter()
    lijnen = Tijdlijnen()
    lijnen.voeg_toe(alle)
    uitslag["tijdlijnen_bouw_s"] = time.perf_counter() - start
    start = time.perf_counter()
    lijnen.op(date(2014, 6, 30))
    uitslag["tijdlijnen_peildatum_s"] = time.perf_counter() - start
    for naam in ("voortgang", "bevoegde-gezagen", "deadlines"):
        start = time.perf_counter()
        rapporten.bouw(naam, lambda _: nu, positie, peildatum)
        uitslag[f"{naam}_s"] = time.perf_counter() - start
    print(json.dumps(uitslag, indent=2))
    return uitslag


if __name__ == "__main__":
    main()
