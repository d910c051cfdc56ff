"""Per-site timelines: the state of every site after each business date on which it changed.

Built once per site (and again only for sites with new facts), so the state of all sites on a
new peildatum costs one bisect per site instead of a fold over every fact. Each timeline entry is
exactly ``toestand_op`` on that date (the same fold), which a test checks on the demo history.
For reports "as known on" an earlier kennisdatum the service still folds the facts known then.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from services.rapportage.domain.feiten import Feit, Locatie, fold, scheid_correcties


@dataclass(frozen=True)
class Tijdlijn:
    datums: list[date]
    standen: list[Locatie | None]

    def op(self, peildatum: date) -> Locatie | None:
        i = bisect_right(self.datums, peildatum) - 1
        return self.standen[i] if i >= 0 else None


def tijdlijn(feiten: list[Feit]) -> Tijdlijn:
    """The timeline of one site from all its facts (corrections included)."""
    gewone, correcties = scheid_correcties(feiten)
    gewone.sort(key=lambda f: f.versie)
    datums = sorted(
        {
            d
            for f in gewone
            if (d := f.datum({**f.data, **correcties.get((f.locatie_id, f.versie), {})}))
            is not None
        }
    )
    return Tijdlijn(datums, [fold(gewone, correcties, d) for d in datums])


class Tijdlijnen:
    """Timelines of all sites, kept up to date as facts arrive."""

    def __init__(self) -> None:
        self._feiten: dict[str, list[Feit]] = {}
        self._lijnen: dict[str, Tijdlijn] = {}

    def voeg_toe(self, nieuw: Iterable[Feit]) -> None:
        geraakt = set()
        for feit in nieuw:
            self._feiten.setdefault(feit.locatie_id, []).append(feit)
            geraakt.add(feit.locatie_id)
        for locatie_id in geraakt:
            self._lijnen[locatie_id] = tijdlijn(self._feiten[locatie_id])

    def op(self, peildatum: date) -> dict[str, Locatie]:
        uit = {}
        for locatie_id, lijn in self._lijnen.items():
            stand = lijn.op(peildatum)
            if stand is not None:
                uit[locatie_id] = stand
        return uit
