"""The facts the timelines keep, column by column: a few bytes per fact instead of an object,
a datetime and a dict each (about 500 bytes). The timelines need a site's facts again only
when a fact changes its past (a correction, a back-dated fact) or its record times run
backwards; then ``van_site`` gives them back as ``Feit``, equal in everything the fold reads.

Per fact: position, version, kind (a small int), record time (microseconds since 1970 UTC),
business date (a day number), the index of the site's previous fact (the sites' facts form
chains, so a site costs no list) and its content: only the other fields the fold reads, a
single value where there is one (a status, an amount), else a tuple.
"""

from __future__ import annotations

import json
import re
import sys
from array import array
from datetime import UTC, date, datetime, timedelta
from itertools import repeat
from typing import Any

import orjson

from services.rapportage.domain import feiten as f
from services.rapportage.domain import planfeiten

# The fields the fold reads per kind of fact (``stap``, ``scheid_correcties``) besides its
# business date (``DATUMVELD``), which is kept as a day number.
VELDEN: dict[str, tuple[str, ...]] = {
    f.GEREGISTREERD: ("bevoegd_gezag", "gemeentecode", "naam", "status", "bodemtype"),
    **{soort: (veld,) for soort, veld in f.ENKEL.items()},
    f.RISICO: ("risicotype", "vastgesteld"),
    f.CORRECTIE: ("gecorrigeerde_versie", "correctie"),
    f.PLANNING: planfeiten.VELDEN,
}
# The kinds whose content is a single field (kept as its value), and that field.
ENKEL_VELD = {soort: velden[0] for soort, velden in VELDEN.items() if len(velden) == 1}
# Content that repeats across sites (a risk type and its outcome) is kept once.
GEDEELD = frozenset({f.RISICO})
EPOCHE = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECONDE = timedelta(microseconds=1)
# In the date column: the fact has no usable business date of its own; its content then
# holds the date field as it came.
GEEN_DATUM = 0


class _Ontbreekt:
    """A field the fact did not have (told apart from a field holding None)."""

    __slots__ = ()

    def __reduce__(self) -> str:
        return "ONTBREEKT"  # the one instance (``is`` tells it apart), also in a snapshot


ONTBREEKT = _Ontbreekt()
_ONTBREEKT = repeat(ONTBREEKT)


class _Ruw(dict[str, Any]):
    """The fields of a fact whose business date is missing or no ISO date, as they came."""

    __slots__ = ()


EPOCHE_DAG = EPOCHE.toordinal()
DAG_US = 86_400_000_000

# A fact as the start reads it from the log: position, site, version, kind, record time in
# microseconds since 1970 UTC, data.
Rij = tuple[int, str, int, str, int, dict[str, Any]]
# A fact with typed columns, as the read model gives it (no dict made for it): the same, but
# None for its data, then its business date as it came and its one field as text or integer
# (``getypeerd``; ``uit_getypeerd`` gives the data they stand for).
GetypeerdeRij = tuple[int, str, int, str, int, None, str, str | None, int | None]


# The typed columns of the read model's fact table (migration rapportage_0006): for a fact of a
# kind whose content is one field (``ENKEL_VELD``), its business date as it came and that field
# as text or as a 64-bit integer. The start then reads those instead of parsing the fact's JSON
# (two thirds of reading the log at national scale); a fact without them is read from its data.
Getypeerd = tuple[str, str | None, int | None]
_GROOTSTE = 2**63 - 1


def getypeerd(soort: str, data: dict[str, Any]) -> Getypeerd | None:
    """(business date, text, integer) for the typed columns, or None if the fact has none: its
    kind is not a single-field kind, its date field is no text, or its field is missing or
    neither text nor an integer (a bool is not kept as one)."""
    veld = ENKEL_VELD.get(soort)
    if veld is None or veld not in data:
        return None
    datum = data.get(f.DATUMVELD[soort])
    if type(datum) is not str:
        return None
    waarde = data[veld]
    if type(waarde) is str:
        return datum, waarde, None
    if type(waarde) is int and -_GROOTSTE - 1 <= waarde <= _GROOTSTE:
        return datum, None, waarde
    return None


def uit_getypeerd(soort: str, datum: str, tekst: str | None, getal: int | None) -> dict[str, Any]:
    """The data of a fact read from its typed columns: the two fields the fold reads of it
    (``VELDEN`` and ``DATUMVELD``), so equal to the whole data in everything the timelines
    keep."""
    return {ENKEL_VELD[soort]: getal if tekst is None else tekst, f.DATUMVELD[soort]: datum}


def microseconden(moment: datetime) -> int:
    if moment.tzinfo is None:  # read as local time, as ``astimezone`` does elsewhere
        moment = moment.astimezone(UTC)
    return (moment - EPOCHE) // MICROSECONDE


def dagnummer(microseconden: int) -> int:
    """The UTC day (as ``date.toordinal``) of a moment in microseconds since 1970."""
    return EPOCHE_DAG + microseconden // DAG_US


def _kort(waarde: Any) -> Any:
    # Codes and ISO dates repeat across millions of facts; names and texts do not.
    return sys.intern(waarde) if type(waarde) is str and len(waarde) <= 16 else waarde


class Feitkolommen:
    __slots__ = (
        "_gedeeld",
        "datum",
        "inhoud",
        "positie",
        "soort",
        "vastgelegd",
        "versie",
        "vorige",
    )

    def __init__(self) -> None:
        self.positie = array("q")
        self.versie = array("i")
        self.soort = array("B")
        self.vastgelegd = array("q")
        self.vorige = array("i")
        self.datum = array("i")
        self.inhoud: list[Any] = []
        self._gedeeld: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def __len__(self) -> int:
        return len(self.positie)

    def arrays(self) -> tuple[array[int], ...]:
        """The fixed-width columns, in the order ``uit`` takes them (for a snapshot)."""
        return self.positie, self.versie, self.soort, self.vastgelegd, self.vorige, self.datum

    @classmethod
    def uit(cls, arrays: tuple[array[int], ...], inhoud: list[Any]) -> Feitkolommen:
        """The columns of a snapshot (``arrays`` as ``arrays()`` gave them)."""
        kolommen = cls()
        verwacht = tuple(a.typecode for a in kolommen.arrays())
        if tuple(a.typecode for a in arrays) != verwacht or {len(a) for a in arrays} != {
            len(inhoud)
        }:
            raise ValueError("kolommen van ongelijke soort of lengte")
        (
            kolommen.positie,
            kolommen.versie,
            kolommen.soort,
            kolommen.vastgelegd,
            kolommen.vorige,
            kolommen.datum,
        ) = arrays
        kolommen.inhoud = inhoud
        return kolommen

    def voeg_toe(self, feit: f.Feit, vorige: int, vastgelegd: int, datum: date | None) -> int:
        """Keeps ``feit`` after the site's fact at index ``vorige`` (-1: its first), with its
        record time in microseconds and its business date (the caller has them already);
        returns its index."""
        return self.voeg_toe_rij(
            feit.positie, feit.versie, feit.soort, feit.data, vorige, vastgelegd, datum
        )

    def voeg_toe_rij(
        self,
        positie: int,
        versie: int,
        soort: str,
        data: dict[str, Any],
        vorige: int,
        vastgelegd: int,
        datum: date | None,
    ) -> int:
        """``voeg_toe`` on a fact's fields (a row of the log)."""
        self.datum.append(GEEN_DATUM if datum is None else datum.toordinal())
        self.positie.append(positie)
        self.versie.append(versie)
        self.soort.append(code(soort))
        self.vastgelegd.append(vastgelegd)
        self.vorige.append(vorige)
        self.inhoud.append(self.inhoud_van(soort, data, datum))
        return len(self.inhoud) - 1

    def inhoud_van(self, soort: str, data: dict[str, Any], datum: date | None) -> Any:
        """What the content column keeps of a fact (``datum``: its business date)."""
        velden = VELDEN.get(soort)
        inhoud: Any
        if velden is None:
            return dict(data)
        if datum is None and soort in f.DATUMVELD:
            return _Ruw({v: data[v] for v in (*velden, f.DATUMVELD[soort]) if v in data})
        if len(velden) == 1:
            inhoud = data.get(velden[0], ONTBREEKT)
            if type(inhoud) is str and len(inhoud) <= 16:  # ``_kort``, inlined: the hot path
                inhoud = sys.intern(inhoud)
            return inhoud
        # Registrations, risk assessments and plans are a third of the log: the values by
        # C-level calls of ``data.get``.
        inhoud = tuple(map(data.get, velden, _ONTBREEKT))
        if soort in GEDEELD:  # the whole tuple is kept once, so its texts need no interning
            try:  # noqa: SIM105 (``suppress`` makes a context manager per fact)
                inhoud = self._gedeeld.setdefault(inhoud, inhoud)
            except TypeError:  # an unhashable value: kept unshared
                pass
            return inhoud
        # ``_kort``, inlined.
        return tuple([sys.intern(w) if type(w) is str and len(w) <= 16 else w for w in inhoud])

    def voeg_toe_snede(self, snede: Any) -> None:
        """Every column of a slice (``snede.Snede``) at once: ``Tijdlijnen.voeg_toe_snede``
        then builds the states (``van_site`` may read a fact of the slice meanwhile)."""
        self.positie.extend(snede.positie)
        self.versie.extend(snede.versie)
        self.soort.extend(snede.soort)
        self.vastgelegd.extend(snede.vastgelegd)
        self.vorige.extend(snede.vorige)
        self.datum.extend(snede.datum)
        self.inhoud.extend(snede.inhoud)

    def kap_af(self, lengte: int) -> None:
        """Drops every column's entries from ``lengte`` on (a bulk add that failed halfway
        leaves the columns of equal length, as the facts it took in)."""
        for kolom in (*self.arrays(), self.inhoud):
            del kolom[lengte:]

    def vastgelegd_op(self, i: int) -> datetime:
        return EPOCHE + self.vastgelegd[i] * MICROSECONDE

    def feit(self, i: int, locatie_id: str) -> f.Feit:
        soort = SOORTEN[self.soort[i]]
        data = data_van(soort, self.inhoud[i])
        if (datum := self.datum[i]) != GEEN_DATUM:
            data[f.DATUMVELD[soort]] = date.fromordinal(datum).isoformat()
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


def data_van(soort: str, inhoud: Any) -> dict[str, Any]:
    """The data of a fact from what the content column keeps of it (``inhoud_van``), but its
    business date: equal to the fact's data in every field the fold reads."""
    velden = VELDEN.get(soort)
    if velden is None or type(inhoud) is _Ruw:
        return dict(inhoud)
    waarden = (inhoud,) if len(velden) == 1 else inhoud
    return {v: w for v, w in zip(velden, waarden, strict=True) if w is not ONTBREEKT}


SOORTEN: list[str] = [
    f.GEREGISTREERD,
    f.STATUS,
    f.RISICO,
    f.KNELPUNT,
    f.BUDGET,
    f.KOSTEN,
    f.OVERDRACHT,
    f.CORRECTIE,
    f.PLANNING,
]
_CODES = {s: i for i, s in enumerate(SOORTEN)}


def codes_gelijk(soorten: list[str]) -> bool:
    """Gives the kinds of facts the codes a snapshot used (a kind the fold ignores gets the
    next free code when it is first seen, so they depend on the log); False if this process
    gave one of those codes to another kind already."""
    return all(_code(soort) == code for code, soort in enumerate(soorten))


def code(soort: str) -> int:
    """The small int a kind of fact is kept as."""
    c = _CODES.get(soort)
    return _code(soort) if c is None else c


def _code(soort: str) -> int:
    code = _CODES.get(soort)
    if code is None:  # a kind the fold ignores; kept as it came
        if len(SOORTEN) > 255:
            raise ValueError(f"te veel soorten feiten: {soort}")
        code = _CODES[soort] = len(SOORTEN)
        SOORTEN.append(soort)
    return code


# orjson reads an integer beyond 64 bits as a float; ``json`` (which the projection wrote
# with) as the integer. Such a number has at least 19 digits.
_LANG_GETAL = re.compile(r"\d{19}")


def json_data(tekst: str) -> Any:
    """A fact's data from its JSON text, as ``json.loads`` reads it (fast: orjson)."""
    # Searching every text for such a number cost more than parsing it; a float in what
    # orjson read is rare (amounts are integers), so only then is the text searched.
    waarde = orjson.loads(tekst)
    if _met_float(waarde) and _LANG_GETAL.search(tekst):
        return json.loads(tekst)
    return waarde


def _met_float(waarde: Any) -> bool:
    soort = type(waarde)
    if soort is float:
        return True
    if soort is dict:
        waarde = waarde.values()
    elif soort is not list:
        return False
    for w in waarde:
        s = type(w)
        if s is float or ((s is dict or s is list) and _met_float(w)):
            return True
    return False
