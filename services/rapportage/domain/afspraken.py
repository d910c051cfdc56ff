"""The programme's agreements and envelopes in force, bitemporally: on a peildatum, as known on
a kennisdatum, the same two axes as the sites.

The facts are the programme's decisions (locaties' ``programma`` stream, on the sites' topic).
On a peildatum an agreement (a covenant deadline with its target) or an envelope (per bevoegd
gezag and purpose) is the one of the decision with the latest ``ingangsdatum`` on or before
the peildatum, among those on record by the end of the kennisdatum (and up to the report's
position); equal dates: the later recorded wins. With no such decision the covenant's own
deadlines apply, named as the 2009 covenant. Every report that measures against a deadline
names the decision it took it from (``Afspraak.als_json``).

:func:`afspraken_op` is the one accessor: pure, from the facts to an :class:`Afspraken`. The
planning reports (prognose, haalbaarheid, the fair ranking, the Kamerbrief annex) read the goals
as ``Afspraken.doelen`` (the humane and the total goal in force), the covenant's ``start`` for the
pro-rata path, and ``enveloppe_euro`` per bevoegd gezag.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.rapportage.domain.feiten import Feit, dag
from shared.tijd import kennismoment

PROGRAMMA = "programma"  # the subject of every programme decision
AFSPRAAK = "programma-afspraak-vastgesteld"
ENVELOP = "programma-envelop-vastgesteld"
TYPES = frozenset({AFSPRAAK, ENVELOP})
_BESLUIT = ("ingangsdatum", "besluit_id", "besluitdatum", "besluit_titel")
VERPLICHT: dict[str, tuple[str, ...]] = {
    AFSPRAAK: ("afspraak", "deadline", "doel_percentage", *_BESLUIT),
    ENVELOP: ("bevoegd_gezag", "doel", "bedrag_euro", *_BESLUIT),
}
DATUMVELDEN = {AFSPRAAK: ("deadline", *_BESLUIT[::2]), ENVELOP: _BESLUIT[::2]}

HUMAAN = "humaan"
ALLE = "alle"
OVERZICHT = "overzicht-spoedlocaties"
OVERZICHT_OVERIG = "overzicht-overig"
OMSCHRIJVING = {
    OVERZICHT: "overzicht van alle spoedlocaties",
    HUMAAN: "humane spoedlocaties gesaneerd of beheerst",
    OVERZICHT_OVERIG: "overzicht van de ecologische en verspreidingsrisico's",
    ALLE: "alle spoedlocaties gesaneerd of beheerst",
}
DOELEN = ("land", "waterbodem")
# The start of the covenant: the pro-rata path to a deadline runs from here.
START = date(2010, 1, 1)


@dataclass(frozen=True)
class Besluit:
    id: str
    datum: date
    titel: str

    def als_json(self) -> dict[str, str]:
        return {"id": self.id, "datum": self.datum.isoformat(), "titel": self.titel}


CONVENANT_2009 = Besluit(
    "convenant-2009",
    date(2009, 7, 10),
    "Convenant bodemontwikkelingsbeleid en aanpak spoedlocaties (2009)",
)


@dataclass(frozen=True)
class Afspraak:
    soort: str
    deadline: date
    doel_percentage: int
    ingangsdatum: date
    besluit: Besluit

    @property
    def omschrijving(self) -> str:
        return OMSCHRIJVING[self.soort]

    @property
    def sleutel(self) -> str:
        """The goal's key in the planning reports' tables (``humaan`` | ``alle``)."""
        return self.soort

    @property
    def humaan(self) -> bool:
        """Whether the goal counts only the sites with a humane risk."""
        return self.soort == HUMAAN

    @property
    def doelpercentage(self) -> int:
        return self.doel_percentage

    def gehaald(self, op_tijd: int, totaal: int) -> bool:
        """Whether ``op_tijd`` of ``totaal`` dealt with by the deadline meets the target."""
        return 100 * op_tijd >= self.doel_percentage * totaal

    def als_json(self) -> dict[str, Any]:
        return {
            "afspraak": self.soort,
            "omschrijving": self.omschrijving,
            "deadline": self.deadline.isoformat(),
            "doelPercentage": self.doel_percentage,
            "ingangsdatum": self.ingangsdatum.isoformat(),
            "besluit": self.besluit.als_json(),
        }


OORSPRONKELIJK: Mapping[str, Afspraak] = {
    soort: Afspraak(soort, deadline, 100, CONVENANT_2009.datum, CONVENANT_2009)
    for soort, deadline in (
        (OVERZICHT, date(2010, 12, 31)),
        (HUMAAN, date(2015, 12, 31)),
        (OVERZICHT_OVERIG, date(2015, 12, 31)),
        (ALLE, date(2020, 12, 31)),
    )
}


@dataclass(frozen=True)
class Envelop:
    bevoegd_gezag: str
    doel: str
    bedrag_euro: int
    ingangsdatum: date
    besluit: Besluit


@dataclass(frozen=True)
class Afspraken:
    """What was in force on ``peildatum`` as known on ``kennisdatum`` (None: everything)."""

    peildatum: date
    kennisdatum: date | None = None
    afspraken: Mapping[str, Afspraak] = field(default_factory=lambda: dict(OORSPRONKELIJK))
    enveloppen: Mapping[tuple[str, str], Envelop] = field(default_factory=dict)

    def __getitem__(self, soort: str) -> Afspraak:
        return self.afspraken[soort]

    def deadline(self, soort: str) -> date:
        return self.afspraken[soort].deadline

    @property
    def start(self) -> date:
        return START

    @property
    def doelen(self) -> tuple[Afspraak, Afspraak]:
        """The two remediation goals in force: the humane one and the one for all sites."""
        return (self.afspraken[HUMAAN], self.afspraken[ALLE])

    def envelop(self, bevoegd_gezag: str, doel: str) -> Envelop | None:
        return self.enveloppen.get((bevoegd_gezag, doel))

    def enveloppe_euro(self, bevoegd_gezag: str) -> int | None:
        """The authority's envelopes in force over all purposes (land and waterbodem) in euro;
        None when none is in force."""
        bedragen = [e.bedrag_euro for d in DOELEN if (e := self.envelop(bevoegd_gezag, d))]
        return sum(bedragen) if bedragen else None

    def enveloppe_besluiten(self, bevoegd_gezag: str) -> list[dict[str, str]]:
        """The decisions behind the authority's envelopes in force, as the reports name them."""
        return [e.besluit.als_json() for d in DOELEN if (e := self.envelop(bevoegd_gezag, d))]

    def als_json(self, *soorten: str) -> list[dict[str, Any]]:
        """The agreements a report used (default: all), as the report names them."""
        return [self.afspraken[s].als_json() for s in (soorten or OMSCHRIJVING)]


def oorspronkelijk(peildatum: date, kennisdatum: date | None = None) -> Afspraken:
    """No decision recorded: the covenant's own deadlines and no envelopes."""
    return Afspraken(peildatum, kennisdatum)


def is_programmafeit(feit: Feit) -> bool:
    return feit.soort in TYPES


def controleer(soort: str, data: Mapping[str, Any]) -> list[str]:
    """The required fields ``data`` misses; raises ValueError on an impossible date."""
    ontbreekt = [v for v in VERPLICHT[soort] if v not in data]
    if not ontbreekt:
        for veld in DATUMVELDEN[soort]:
            dag(str(data[veld]))
    return ontbreekt


def _besluit(data: Mapping[str, Any]) -> Besluit:
    return Besluit(str(data["besluit_id"]), dag(data["besluitdatum"]), str(data["besluit_titel"]))


def afspraken_op(
    feiten: Iterable[Feit],
    peildatum: date,
    kennisdatum: date | None = None,
    positie: int | None = None,
) -> Afspraken:
    """The agreements and envelopes in force on ``peildatum`` as known on ``kennisdatum``, from
    the programme's facts up to ``positie`` (other facts are ignored, so any list will do)."""
    grens = kennismoment(kennisdatum) if kennisdatum is not None else None
    gekozen: dict[tuple[str, ...], tuple[date, int, Feit]] = {}
    for feit in feiten:
        if feit.soort not in TYPES or (positie is not None and feit.positie > positie):
            continue
        if grens is not None and feit.vastgelegd_op >= grens:
            continue
        ingang = dag(feit.data["ingangsdatum"])
        if ingang > peildatum:
            continue
        d = feit.data
        sleutel = (
            (AFSPRAAK, d["afspraak"])
            if feit.soort == AFSPRAAK
            else (
                ENVELOP,
                d["bevoegd_gezag"],
                d["doel"],
            )
        )
        kandidaat = (ingang, feit.positie, feit)
        if sleutel not in gekozen or kandidaat[:2] > gekozen[sleutel][:2]:
            gekozen[sleutel] = kandidaat
    afspraken = dict(OORSPRONKELIJK)
    enveloppen: dict[tuple[str, str], Envelop] = {}
    for soort, (ingang, _, feit) in ((k[0], v) for k, v in gekozen.items()):
        d = feit.data
        if soort == AFSPRAAK:
            if d["afspraak"] in OMSCHRIJVING:
                afspraken[d["afspraak"]] = Afspraak(
                    d["afspraak"],
                    dag(d["deadline"]),
                    int(d["doel_percentage"]),
                    ingang,
                    _besluit(d),
                )
        else:
            enveloppen[(d["bevoegd_gezag"], d["doel"])] = Envelop(
                d["bevoegd_gezag"], d["doel"], int(d["bedrag_euro"]), ingang, _besluit(d)
            )
    return Afspraken(peildatum, kennisdatum, afspraken, enveloppen)
