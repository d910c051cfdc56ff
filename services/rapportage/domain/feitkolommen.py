"""The facts the timelines keep, column by column: a few bytes per fact instead of an object,
a datetime and a dict each (about 500 bytes). The timelines need a site's facts again only
when a fact changes its past (a correction, a back-dated fact) or its record times run
backwards; then ``van_site`` gives them back as ``Feit``, equal in everything the fold reads.

Per fact: position, version, kind (a small int), record time (microseconds since 1970 UTC),
the index of the site's previous fact (the sites' facts form chains, so a site costs no list)
and its content: only the fields the fold reads, as a tuple of shared values.
"""

from __future__ import annotations

import sys
from array import array
from datetime import UTC, datetime, timedelta
from typing import Any

from services.rapportage.domain import feiten as f

# The fields the fold reads per kind of fact (``stap``, ``Feit.datum``, ``scheid_correcties``).
VELDEN: dict[str, tuple[str, ...]] = {
    f.GEREGISTREERD: ("bevoegd_gezag", "gemeentecode", "naam", "status", "registratiedatum"),
    f.STATUS: ("naar", "besluitdatum"),
    f.RISICO: ("risicotype", "vastgesteld", "beoordelingsdatum"),
    f.KNELPUNT: ("knelpunt", "datum"),
    f.BUDGET: ("bedrag_euro", "datum"),
    f.KOSTEN: ("bedrag_euro", "datum"),
    f.OVERDRACHT: ("naar", "datum"),
    f.CORRECTIE: ("gecorrigeerde_versie", "correctie"),
}
# Content that repeats across sites (a status and a date, a risk, an amount and a date) is
# kept once; a registration (with the site's name) and a correction (a dict) are not.
GEDEELD = frozenset({f.STATUS, f.RISICO, f.KNELPUNT, f.BUDGET, f.KOSTEN, f.OVERDRACHT})
EPOCHE = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECONDE = timedelta(microseconds=1)


class _Ontbreekt:
    """A field the fact did not have (told apart from a field holding None)."""

    __slots__ = ()


ONTBREEKT = _Ontbreekt()


def microseconden(moment: datetime) -> int:
    if moment.tzinfo is None:  # read as local time, as ``astimezone`` does elsewhere
        moment = moment.astimezone(UTC)
    return (moment - EPOCHE) // MICROSECONDE


def _kort(waarde: Any) -> Any:
    # Codes and ISO dates repeat across millions of facts; names and texts do not.
    return sys.intern(waarde) if type(waarde) is str and len(waarde) <= 16 else waarde


class Feitkolommen:
    __slots__ = ("_gedeeld", "inhoud", "positie", "soort", "vastgelegd", "versie", "vorige")

    def __init__(self) -> None:
        self.positie = array("q")
        self.versie = array("q")
        self.soort = array("B")
        self.vastgelegd = array("q")
        self.vorige = array("q")
        self.inhoud: list[Any] = []
        self._gedeeld: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def __len__(self) -> int:
        return len(self.positie)

    def voeg_toe(self, feit: f.Feit, vorige: int) -> int:
        """Keeps ``feit`` after the site's fact at index ``vorige`` (-1: its first); returns
        its index."""
        code = _code(feit.soort)
        velden = VELDEN.get(feit.soort)
        inhoud: Any
        if velden is None:
            inhoud = dict(feit.data)
        else:
            data = feit.data
            inhoud = tuple([_kort(data.get(veld, ONTBREEKT)) for veld in velden])
            if feit.soort in GEDEELD:
                inhoud = self._gedeeld.setdefault(inhoud, inhoud)
        self.positie.append(feit.positie)
        self.versie.append(feit.versie)
        self.soort.append(code)
        self.vastgelegd.append(microseconden(feit.vastgelegd_op))
        self.vorige.append(vorige)
        self.inhoud.append(inhoud)
        return len(self.inhoud) - 1

    def vastgelegd_op(self, i: int) -> datetime:
        return EPOCHE + self.vastgelegd[i] * MICROSECONDE

    def feit(self, i: int, locatie_id: str) -> f.Feit:
        soort = SOORTEN[self.soort[i]]
        inhoud = self.inhoud[i]
        velden = VELDEN.get(soort)
        if velden is None:
            data = dict(inhoud)
        else:
            data = {v: w for v, w in zip(velden, inhoud, strict=True) if w is not ONTBREEKT}
        return f.Feit(
            self.positie[i], locatie_id, self.versie[i], soort, self.vastgelegd_op(i), data
        )

    def van_site(self, laatste: int, locatie_id: str) -> list[f.Feit]:
        """The site's facts in the order they were added, from the index of its last one."""
        uit = []
        i = laatste
        while i >= 0:
            uit.append(self.feit(i, locatie_id))
            i = self.vorige[i]
        uit.reverse()
        return uit


SOORTEN: list[str] = [
    f.GEREGISTREERD,
    f.STATUS,
    f.RISICO,
    f.KNELPUNT,
    f.BUDGET,
    f.KOSTEN,
    f.OVERDRACHT,
    f.CORRECTIE,
]
_CODES = {s: i for i, s in enumerate(SOORTEN)}


def _code(soort: str) -> int:
    code = _CODES.get(soort)
    if code is None:  # a kind the fold ignores; kept as it came
        if len(SOORTEN) > 255:
            raise ValueError(f"te veel soorten feiten: {soort}")
        code = _CODES[soort] = len(SOORTEN)
        SOORTEN.append(soort)
    return code
