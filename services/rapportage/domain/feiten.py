"""Facts read from the spoedlocatie events, and the state of every site on a peildatum.

A fact is one event, upcast to the current schema, with its global position. The state on a
peildatum is folded from the facts with a position up to the report's watermark: business dates
decide what had happened by the peildatum; corrections replace the values of the facts they
correct.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from operator import attrgetter
from sys import intern
from typing import Any

from services.rapportage.domain import planfeiten
from shared.bevoegde_gezagen import get as bevoegd_gezag
from shared.vocabulaire import AFGEHANDELD, BEVESTIGD_VANAF, Status

GEREGISTREERD = "spoedlocatie-geregistreerd"
STATUS = "spoedlocatie-status-gewijzigd"
RISICO = "spoedlocatie-risico-beoordeeld"
KNELPUNT = "spoedlocatie-knelpunt-vastgesteld"
BUDGET = "spoedlocatie-budget-toegekend"
KOSTEN = "spoedlocatie-kosten-geboekt"
OVERDRACHT = "spoedlocatie-bevoegd-gezag-overgedragen"
CORRECTIE = "spoedlocatie-registratie-gecorrigeerd"
PLANNING = planfeiten.PLANNING
BEKENDE_TYPES = frozenset(
    {GEREGISTREERD, STATUS, RISICO, KNELPUNT, BUDGET, KOSTEN, OVERDRACHT, CORRECTIE, PLANNING}
)

# The business date of each kind of fact is a field of its data.
DATUMVELD = {
    GEREGISTREERD: "registratiedatum",
    STATUS: "besluitdatum",
    RISICO: "beoordelingsdatum",
    KNELPUNT: "datum",
    BUDGET: "datum",
    KOSTEN: "datum",
    OVERDRACHT: "datum",
    PLANNING: "datum",
}

# The kinds whose content the fold reads is one field (besides the business date), and that
# field (``volgende_enkel``).
ENKEL = {
    STATUS: "naar",
    KNELPUNT: "knelpunt",
    BUDGET: "bedrag_euro",
    KOSTEN: "bedrag_euro",
    OVERDRACHT: "naar",
}

BEVESTIGD = BEVESTIGD_VANAF
# Status by its value without the enum's call machinery (the same members).
_STATUS: dict[str, Status] = {s.value: s for s in Status}


def status(waarde: str) -> Status:
    return (_STATUS.get(waarde) if type(waarde) is str else None) or Status(waarde)


@dataclass(frozen=True, slots=True)
class Feit:
    positie: int
    locatie_id: str
    versie: int
    soort: str
    vastgelegd_op: datetime
    data: dict[str, Any]

    def datum(self, data: dict[str, Any] | None = None) -> date | None:
        veld = DATUMVELD.get(self.soort)
        waarde = (data or self.data).get(veld) if veld else None
        return dag(waarde) if waarde else None


@lru_cache(maxsize=1 << 16)
def dag(waarde: str) -> date:
    """A business date from its ISO text; the same text gives the same object, so millions of
    timeline entries share a few thousand dates instead of each holding its own."""
    return date.fromisoformat(waarde)


# What does not change from one state of a site to the next (only a correction of the
# registration changes it): locatie_id, gemeentecode, naam, registratiedatum, bodemtype. One
# tuple per site, shared by all its states: four slots fewer per state (3.6 M states at
# national scale).
Basis = tuple[str, str, str, date, str]

# The fields of a state, in the order they are shown and compared (as the dataclass had them).
VELDEN = (
    "locatie_id",
    "bevoegd_gezag",
    "gemeentecode",
    "naam",
    "registratiedatum",
    "status",
    "status_sinds",
    "afgehandeld_op",
    "risicos",
    "eerste_beoordeling",
    "knelpunt",
    "budget_euro",
    "kosten_euro",
    "afgehandeld_vastgelegd_op",
    "planning",
    "bodemtype",
)


class Locatie:
    """A site as it stood on the peildatum. ``basis``, ``risicos`` and ``eerste_beoordeling``
    may be shared with other states of the site (``stap`` replaces them, never changes them):
    read only. Made by ``volgende`` (and ``kopie``) from its slots, in their order; shown and
    compared by its fields (``VELDEN``) as the dataclass it was."""

    # In the order ``__init__`` takes them (``__reduce__`` relies on it).
    __slots__ = (  # noqa: RUF023
        "basis",
        "bevoegd_gezag",
        "status",
        "status_sinds",
        "afgehandeld_op",
        "risicos",
        "eerste_beoordeling",
        "knelpunt",
        "budget_euro",
        "kosten_euro",
        "afgehandeld_vastgelegd_op",
        "planning",
    )

    def __init__(
        self,
        basis: Basis,
        bevoegd_gezag: str,
        status: Status,
        status_sinds: date | None,
        afgehandeld_op: date | None,
        risicos: dict[str, bool],
        eerste_beoordeling: dict[str, date],
        knelpunt: str | None,
        budget_euro: int,
        kosten_euro: int,
        # When the decision behind ``afgehandeld_op`` was put on record (its event, or the
        # latest correction of its date or outcome): far after the decision date means
        # back-dated.
        afgehandeld_vastgelegd_op: datetime | None,
        # The plan in force (planfeiten.Plantuple), None without one.
        planning: planfeiten.Plantuple | None,
    ) -> None:
        self.basis = basis
        self.bevoegd_gezag = bevoegd_gezag
        self.status = status
        self.status_sinds = status_sinds
        self.afgehandeld_op = afgehandeld_op
        self.risicos = risicos
        self.eerste_beoordeling = eerste_beoordeling
        self.knelpunt = knelpunt
        self.budget_euro = budget_euro
        self.kosten_euro = kosten_euro
        self.afgehandeld_vastgelegd_op = afgehandeld_vastgelegd_op
        self.planning = planning

    @property
    def locatie_id(self) -> str:
        return self.basis[0]

    @property
    def gemeentecode(self) -> str:
        return self.basis[1]

    @property
    def naam(self) -> str:
        return self.basis[2]

    @property
    def registratiedatum(self) -> date:
        return self.basis[3]

    @property
    def bodemtype(self) -> str:
        """Land or waterbodem: which budget envelope pays for it."""
        return self.basis[4]

    def velden(self) -> tuple[Any, ...]:
        """The values of ``VELDEN``, in their order."""
        b = self.basis
        return (
            b[0],
            self.bevoegd_gezag,
            b[1],
            b[2],
            b[3],
            self.status,
            self.status_sinds,
            self.afgehandeld_op,
            self.risicos,
            self.eerste_beoordeling,
            self.knelpunt,
            self.budget_euro,
            self.kosten_euro,
            self.afgehandeld_vastgelegd_op,
            self.planning,
            b[4],
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Locatie:
            return NotImplemented
        return self.velden() == other.velden()

    __hash__ = None  # type: ignore[assignment]  # changeable, as the dataclass was

    def __repr__(self) -> str:
        return "Locatie(" + ", ".join(map("{}={!r}".format, VELDEN, self.velden())) + ")"

    @property
    def provincie(self) -> str:
        gezag = bevoegd_gezag(self.bevoegd_gezag)
        return gezag.provincie if gezag else self.bevoegd_gezag

    @property
    def bevestigd(self) -> bool:
        return self.status in BEVESTIGD

    @property
    def humaan(self) -> bool:
        return self.risicos.get("humaan", False)

    @property
    def afgehandeld(self) -> bool:
        return self.status in AFGEHANDELD

    def risicotypes(self) -> list[str]:
        return sorted(k for k, v in self.risicos.items() if v)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as the call that makes it: a snapshot of the timelines holds millions of
        # states, and this loads a third faster than attribute by attribute. The basis is
        # one object per site within a part of the snapshot.
        return (Locatie, _SLOTS(self))


_SLOTS = attrgetter(*Locatie.__slots__)

# The one empty dict of every state without risks or assessments (read only, as every
# state's dicts: ``volgende`` replaces them, never changes them).
LEEG: dict[Any, Any] = {}

# The soil types, one string object each for all sites' states.
_BODEMTYPES = {"landbodem": "landbodem", "waterbodem": "waterbodem"}


def _bodemtype(waarde: Any) -> str:
    return _BODEMTYPES.get(waarde, "landbodem") if type(waarde) is str else "landbodem"


# A correction of these fields of a decision decides anew: the decision then counts as put on
# record when the correction was.
HERBESLUIT = frozenset({"besluitdatum", "naar"})


@dataclass(slots=True)
class Correctie:
    """The corrected values of one fact, and when its decision was last re-decided (if ever)."""

    waarden: dict[str, Any] = field(default_factory=dict)
    herbesloten_op: datetime | None = None


Correcties = dict[tuple[str, int], Correctie]


def scheid_correcties(feiten: Iterable[Feit]) -> tuple[list[Feit], Correcties]:
    """The ordinary facts, and per corrected (site, version) the corrected values (later
    corrections of the same fact win)."""
    gewone: list[Feit] = []
    correcties: Correcties = {}
    for feit in feiten:
        if feit.soort == CORRECTIE:
            sleutel = (feit.locatie_id, int(feit.data["gecorrigeerde_versie"]))
            c = correcties.setdefault(sleutel, Correctie())
            c.waarden = {**c.waarden, **feit.data["correctie"]}
            if HERBESLUIT & feit.data["correctie"].keys():
                c.herbesloten_op = max(c.herbesloten_op or feit.vastgelegd_op, feit.vastgelegd_op)
        else:
            gewone.append(feit)
    return gewone, correcties


def gecorrigeerd(feit: Feit, correcties: Correcties) -> tuple[dict[str, Any], datetime]:
    """A fact's values after its corrections, and when that content was put on record."""
    c = correcties.get((feit.locatie_id, feit.versie))
    if c is None:
        return feit.data, feit.vastgelegd_op
    return {**feit.data, **c.waarden}, max(
        feit.vastgelegd_op, c.herbesloten_op or feit.vastgelegd_op
    )


def toestand_op(feiten: Iterable[Feit], peildatum: date) -> dict[str, Locatie]:
    """Every site registered by ``peildatum`` as it stood then. ``feiten`` in position order."""
    gewone, correcties = scheid_correcties(feiten)
    per_locatie: dict[str, list[Feit]] = {}
    for feit in gewone:
        per_locatie.setdefault(feit.locatie_id, []).append(feit)
    uit: dict[str, Locatie] = {}
    for locatie_id, lijst in per_locatie.items():
        locatie = fold(sorted(lijst, key=lambda f: f.versie), correcties, peildatum)
        if locatie is not None:
            uit[locatie_id] = locatie
    return uit


def fold(feiten: list[Feit], correcties: Correcties, peildatum: date) -> Locatie | None:
    """One site's state on ``peildatum`` from its facts in version order."""
    locatie: Locatie | None = None
    for feit in feiten:
        data, vastgelegd_op = gecorrigeerd(feit, correcties)
        datum = feit.datum(data)
        if datum is None or datum > peildatum:
            continue
        locatie = stap(locatie, feit, data, datum, vastgelegd_op)
    return locatie


def stap(
    locatie: Locatie | None,
    feit: Feit,
    data: dict[str, Any],
    datum: date,
    vastgelegd_op: datetime | None = None,
) -> Locatie | None:
    """The state after one (corrected) fact dated ``datum`` and on record since
    ``vastgelegd_op`` (default: the fact's own record time); changes ``locatie`` in place."""
    return volgende(
        locatie, feit.soort, feit.locatie_id, data, datum, vastgelegd_op or feit.vastgelegd_op
    )


def volgende(
    locatie: Locatie | None,
    soort: str,
    locatie_id: str,
    data: dict[str, Any],
    datum: date,
    vastgelegd_op: datetime | None,
) -> Locatie | None:
    """``stap`` on a fact's fields, for the start, which reads the log as rows and makes no
    ``Feit`` of them. ``vastgelegd_op`` is read only for a status change (the caller may
    leave it None for the other kinds)."""
    if soort == GEREGISTREERD:
        return geregistreerd(
            locatie_id,
            data["bevoegd_gezag"],
            data["gemeentecode"],
            data["naam"],
            data["status"],
            data.get("bodemtype"),
            datum,
        )
    if locatie is None:
        return None
    veld = ENKEL.get(soort)
    if veld is not None:
        return volgende_enkel(locatie, soort, data[veld], datum, vastgelegd_op)
    if soort == RISICO:
        risico(locatie, data["risicotype"], data["vastgesteld"], datum)
    elif soort == PLANNING:
        locatie.planning = planfeiten.uit_feit(data, datum)
    return locatie


def geregistreerd(
    locatie_id: str,
    gezag: Any,
    gemeentecode: Any,
    naam: Any,
    status_waarde: Any,
    bodemtype: Any,
    datum: date,
) -> Locatie:
    """The state after a registration, from its fields (``volgende``; the start reads them
    from the facts' content column, without a dict per fact)."""
    # Every new site starts with the one empty dict of risks and of first assessments
    # (``stap`` replaces them, never changes them): two dicts fewer per site.
    # The codes once for all sites (the content column keeps them so too).
    if type(gezag) is str and len(gezag) <= 16:
        gezag = intern(gezag)
    if type(gemeentecode) is str and len(gemeentecode) <= 16:
        gemeentecode = intern(gemeentecode)
    return Locatie(
        (locatie_id, gemeentecode, naam, datum, _bodemtype(bodemtype)),
        gezag,
        status(status_waarde),
        datum,
        None,
        LEEG,
        LEEG,
        None,
        0,
        0,
        None,
        None,
    )


def risico(locatie: Locatie, risicotype: Any, vastgesteld: Any, datum: date) -> None:
    """A risk assessment's change of ``locatie`` (a copy: ``volgende``), from its fields."""
    # New dicts rather than changed ones: a copy's dicts are shared with the original.
    vastgesteld = bool(vastgesteld)
    if locatie.risicos.get(risicotype) is not vastgesteld:
        locatie.risicos = {**locatie.risicos, risicotype: vastgesteld}
    if risicotype not in locatie.eerste_beoordeling:
        locatie.eerste_beoordeling = {**locatie.eerste_beoordeling, risicotype: datum}


def volgende_enkel(
    locatie: Locatie | None,
    soort: str,
    waarde: Any,
    datum: date,
    vastgelegd_op: datetime | None,
) -> Locatie | None:
    """``volgende`` for a kind whose content is one field (``ENKEL``), on that field's value:
    the start reads these facts from typed columns, without a dict per fact."""
    if locatie is None:
        return None
    if soort == STATUS:
        locatie.status = status(waarde)
        locatie.status_sinds = datum
        if locatie.status in AFGEHANDELD and locatie.afgehandeld_op is None:
            locatie.afgehandeld_op = datum
            locatie.afgehandeld_vastgelegd_op = vastgelegd_op
    elif soort == KNELPUNT:
        locatie.knelpunt = None if waarde == "geen" else waarde
    elif soort == BUDGET:
        locatie.budget_euro += int(waarde)
    elif soort == KOSTEN:
        locatie.kosten_euro += int(waarde)
    elif soort == OVERDRACHT:
        locatie.bevoegd_gezag = waarde
    return locatie


def kopie(l: Locatie) -> Locatie:  # noqa: E741
    """A copy that ``stap`` may change without touching the original (it shares the basis and
    the dicts, which ``stap`` replaces rather than changes). Spelled out, slot by slot on a
    bare object: ``copy.copy`` took most of the time of building the timelines, and calling
    ``Locatie`` with its twelve values twice this (once per fact at start)."""
    n = _nieuw(Locatie)
    n.basis = l.basis
    n.bevoegd_gezag = l.bevoegd_gezag
    n.status = l.status
    n.status_sinds = l.status_sinds
    n.afgehandeld_op = l.afgehandeld_op
    n.risicos = l.risicos
    n.eerste_beoordeling = l.eerste_beoordeling
    n.knelpunt = l.knelpunt
    n.budget_euro = l.budget_euro
    n.kosten_euro = l.kosten_euro
    n.afgehandeld_vastgelegd_op = l.afgehandeld_vastgelegd_op
    n.planning = l.planning
    return n


_nieuw = object.__new__
