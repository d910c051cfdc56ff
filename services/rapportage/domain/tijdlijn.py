"""Bitemporal per-site timelines: every site's state after each business date on which it
changed, as known at the end of every record day on which it changed.

A report on (peildatum, kennisdatum) then costs two bisects per site: the record day picks the
timeline as it was known then, the peildatum its entry. No fold over millions of facts per
request, for any combination of the two dates. Each entry is exactly ``toestand_op`` on the facts
known then (the same fold), which the tests check on the demo history with corrections and late
registrations, for many combinations.

While facts arrive in business-date order (the common case) a site's timeline grows in place and
an earlier record day keeps only how many of its entries it knew. A fact that changes the past (a
correction, a fact dated before the last one, a second fact on the last date) gives the site a new
timeline; earlier record days keep the old one.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date

from services.rapportage.domain.feiten import (
    CORRECTIE,
    Feit,
    Locatie,
    fold,
    gecorrigeerd,
    kopie,
    scheid_correcties,
    stap,
)
from shared.tijd import kennismoment


@dataclass(frozen=True)
class Tijdlijn:
    datums: list[date]
    standen: list[Locatie | None]

    def op(self, peildatum: date, lengte: int | None = None) -> Locatie | None:
        """The state on ``peildatum`` among the first ``lengte`` entries (default: all)."""
        i = bisect_right(self.datums, peildatum, 0, len(self.datums) if lengte is None else lengte)
        return self.standen[i - 1] if i else None


def tijdlijn(feiten: list[Feit]) -> Tijdlijn:
    """The timeline of one site from all its facts (corrections included)."""
    gewone, correcties = scheid_correcties(feiten)
    gewone.sort(key=lambda f: f.versie)
    datums = sorted(
        {d for f in gewone if (d := f.datum(gecorrigeerd(f, correcties)[0])) is not None}
    )
    return Tijdlijn(datums, [fold(gewone, correcties, d) for d in datums])


def registratiedag(feit: Feit) -> date:
    """The record day: a fact counts as known on a kennisdatum from this day on."""
    return feit.vastgelegd_op.astimezone(UTC).date()


class _Site:
    """One site: its facts in version order, and per record day its timeline as known then."""

    __slots__ = ("dagen", "feiten", "lengtes", "lijnen", "op_volgorde")

    def __init__(self) -> None:
        self.feiten: list[Feit] = []
        self.dagen: list[date] = []
        self.lijnen: list[Tijdlijn] = []
        self.lengtes: list[int] = []
        # False once a fact was recorded on an earlier day than the one before it (clocks of
        # two writers apart): what was known on a day is then no prefix, so it is folded.
        self.op_volgorde = True

    def voeg_toe(self, feit: Feit) -> None:
        self.feiten.append(feit)
        lijn = self._na(feit)
        dag = registratiedag(feit)
        if self.dagen and dag <= self.dagen[-1]:
            self.op_volgorde = self.op_volgorde and dag == self.dagen[-1]
            self.lijnen[-1], self.lengtes[-1] = lijn, len(lijn.datums)
        else:
            self.dagen.append(dag)
            self.lijnen.append(lijn)
            self.lengtes.append(len(lijn.datums))

    def _na(self, feit: Feit) -> Tijdlijn:
        """The timeline after ``feit`` (the site's newest version)."""
        datum = feit.datum() if feit.soort != CORRECTIE else None
        if datum is not None:
            huidig = self.lijnen[-1] if self.lijnen else Tijdlijn([], [])
            laatste = huidig.datums[-1] if huidig.datums else None
            vorige = huidig.standen[-1] if huidig.standen else None
            # The newest fact is applied last in every fold dated on or after its date, so the
            # state on its date is the state on the last date plus this fact.
            if laatste is None or datum > laatste:
                huidig.datums.append(datum)
                huidig.standen.append(stap(vorige and kopie(vorige), feit, feit.data, datum))
                return huidig
            if datum == laatste:
                standen = huidig.standen[:-1]
                standen.append(stap(vorige and kopie(vorige), feit, feit.data, datum))
                return Tijdlijn(huidig.datums[:], standen)
        return tijdlijn(self.feiten)

    def op(self, peildatum: date, kennisdatum: date | None) -> Locatie | None:
        if kennisdatum is None:
            return self.lijnen[-1].op(peildatum) if self.lijnen else None
        if not self.op_volgorde:
            grens = kennismoment(kennisdatum)
            gewone, correcties = scheid_correcties(
                f for f in self.feiten if f.vastgelegd_op < grens
            )
            return fold(gewone, correcties, peildatum)
        j = bisect_right(self.dagen, kennisdatum) - 1
        return self.lijnen[j].op(peildatum, self.lengtes[j]) if j >= 0 else None


class Tijdlijnen:
    """Timelines of all sites, kept up to date as facts arrive (in position order)."""

    def __init__(self) -> None:
        self._sites: dict[str, _Site] = {}

    def voeg_toe(self, nieuw: Iterable[Feit]) -> None:
        for feit in nieuw:
            site = self._sites.get(feit.locatie_id)
            if site is None:
                site = self._sites[feit.locatie_id] = _Site()
            site.voeg_toe(feit)

    def op(self, peildatum: date, kennisdatum: date | None = None) -> dict[str, Locatie]:
        """Every site registered by ``peildatum`` as it stood then, as known at the end of
        ``kennisdatum`` (default: everything added). The hot path of every report: inlined."""
        uit = {}
        zoek = bisect_right
        for locatie_id, site in self._sites.items():
            if kennisdatum is None:
                lijn = site.lijnen[-1]
                i = zoek(lijn.datums, peildatum)
            elif site.op_volgorde:
                j = zoek(site.dagen, kennisdatum) - 1
                if j < 0:
                    continue
                lijn = site.lijnen[j]
                i = zoek(lijn.datums, peildatum, 0, site.lengtes[j])
            else:
                stand = site.op(peildatum, kennisdatum)
                if stand is not None:
                    uit[locatie_id] = stand
                continue
            if i and (stand := lijn.standen[i - 1]) is not None:
                uit[locatie_id] = stand
        return uit
