"""The rules of the domain for each kind of event, on the state of the site before it.

Commands check the event they are about to record with them, and a correction checks every
event of the corrected history with them, so a value is held to the same rules however it
arrives. Texts must already be as the request schemas leave them (shared/tekst.py).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from services.locaties.domain.datums import bedrijfsdatum, plandatum
from services.locaties.domain.events import (
    BevoegdGezagOvergedragen,
    BudgetToegekend,
    KnelpuntVastgesteld,
    KostenGeboekt,
    PlanningVastgesteld,
    RisicoBeoordeeld,
    SpoedlocatieGeregistreerd,
    StatusGewijzigd,
)
from services.locaties.domain.fouten import OngeldigeTransitie, OngeldigeWaarde
from services.locaties.domain.geometrie import OngeldigeGeometrie, controleer_rd
from shared import bevoegde_gezagen, tekst
from shared.vocabulaire import (
    AFGEHANDELD,
    CRITERIA,
    TRANSITIES,
    VAN_DE_LIJST,
    Bodemtype,
    Knelpunt,
    RisicoType,
    Status,
    Verontreinigingsgroep,
)

if TYPE_CHECKING:
    from services.locaties.domain.model import Toestand


def controleer(t: Toestand, event: Any) -> None:
    """The rules of the domain for ``event`` on the state before it. Commands check their
    new event with it and a correction checks every event of the corrected history, so a
    value is held to the same rules however it arrives."""
    match event:
        case SpoedlocatieGeregistreerd():
            gezag = bevoegde_gezagen.get(event.bevoegd_gezag)
            if gezag is None:
                raise OngeldigeWaarde(
                    "bevoegdGezag", f"onbekend bevoegd gezag {event.bevoegd_gezag!r}"
                )
            if event.gemeentecode not in gezag.gemeentecodes:
                raise OngeldigeWaarde(
                    "gemeentecode",
                    f"gemeente {event.gemeentecode} valt niet onder bevoegd gezag "
                    f"{event.bevoegd_gezag}",
                )
            _datum("registratiedatum", event.registratiedatum)
            _tekst("naam", event.naam, leeg=False)
            _keuze("bodemtype", event.bodemtype, Bodemtype)
            for groep in event.verontreinigingsgroepen:
                _keuze("verontreinigingsgroepen", groep, Verontreinigingsgroep)
            if event.geometrie is not None:
                try:
                    controleer_rd(event.geometrie)
                except (OngeldigeGeometrie, AttributeError, TypeError) as exc:
                    raise OngeldigeWaarde("geometrie", str(exc)) from exc
        case StatusGewijzigd():
            naar = _keuze("naar", event.naar, Status)
            if naar not in TRANSITIES[t.status]:
                raise OngeldigeTransitie(t.status, naar)
            _na_vorige_besluit(t, "besluitdatum", event.besluitdatum)
            _tekst("toelichting", event.toelichting)
        case RisicoBeoordeeld():
            risicotype = _keuze("risicotype", event.risicotype, RisicoType)
            if not isinstance(event.vastgesteld, bool):
                raise OngeldigeWaarde("vastgesteld", "waar of onwaar")
            onbekend = sorted(set(event.criteria) - CRITERIA[risicotype])
            if onbekend:
                raise OngeldigeWaarde(
                    "criteria",
                    f"geen criteria voor {risicotype}: "
                    f"{', '.join(map(str, onbekend))}; kies uit "
                    f"{', '.join(sorted(CRITERIA[risicotype]))}",
                )
            if event.vastgesteld and not event.criteria:
                raise OngeldigeWaarde(
                    "criteria", "een vastgesteld risico noemt minstens één criterium"
                )
            _na_registratie(t, "beoordelingsdatum", event.beoordelingsdatum)
            _tekst("toelichting", event.toelichting)
        case KnelpuntVastgesteld():
            _keuze("knelpunt", event.knelpunt, Knelpunt)
            _na_registratie(t, "datum", event.datum)
            _tekst("toelichting", event.toelichting)
        case BudgetToegekend():
            bedrag = _bedrag(event.bedrag_euro)
            if bedrag == 0:
                raise OngeldigeWaarde("bedragEuro", "een toekenning van 0 euro verandert niets")
            _na_registratie(t, "datum", event.datum)
            # Never negative, at the end of any business date: a withdrawal dated before
            # the grant it withdraws would make the site's (and the nation's) budget
            # negative on the dates in between.
            regels = sorted([*t.budgetregels, (event.datum, bedrag)])
            totaal = 0
            for i, (datum, b) in enumerate(regels):
                totaal += b
                einde_dag = i + 1 == len(regels) or regels[i + 1][0] != datum
                if totaal < 0 and einde_dag:
                    raise OngeldigeWaarde(
                        "bedragEuro",
                        f"het toegekende budget kan niet negatief worden (op {datum})",
                    )
            _tekst("bron", event.bron)
        case KostenGeboekt():
            if _bedrag(event.bedrag_euro) <= 0:
                raise OngeldigeWaarde(
                    "bedragEuro",
                    "kosten zijn een positief bedrag; corrigeer "
                    "een verkeerde boeking met een correctie",
                )
            _na_registratie(t, "datum", event.datum)
            _tekst("omschrijving", event.omschrijving)
        case BevoegdGezagOvergedragen():
            if bevoegde_gezagen.get(event.naar) is None:
                raise OngeldigeWaarde("naar", f"onbekend bevoegd gezag {event.naar!r}")
            if event.naar == t.bevoegd_gezag:
                raise OngeldigeWaarde("naar", f"de locatie valt al onder {event.naar}")
            _na_registratie(t, "datum", event.datum)
        case PlanningVastgesteld():
            _planning(t, event)
        case _:
            raise TypeError(f"unknown event {type(event).__name__}")


# The milestones of a plan in the order a site passes them (API names).
MIJLPALEN = (
    ("onderzoek_gereed", "onderzoekGereed"),
    ("start_sanering", "startSanering"),
    ("afgehandeld", "afgehandeld"),
)


def _planning(t: Toestand, event: PlanningVastgesteld) -> None:
    _na_registratie(t, "datum", event.datum)
    gepland: list[tuple[str, date]] = []
    for veld, api in MIJLPALEN:
        waarde = getattr(event, veld)
        if waarde is None:
            continue
        if not isinstance(waarde, date) or isinstance(waarde, datetime):
            raise OngeldigeWaarde(api, f"{waarde!r} is geen datum")
        try:
            plandatum(waarde)
        except ValueError as exc:
            raise OngeldigeWaarde(api, str(exc)) from exc
        if waarde < event.datum:
            raise OngeldigeWaarde(
                api, f"{waarde} ligt voor de datum van de planning ({event.datum})"
            )
        for eerder_api, eerder in gepland:
            if waarde < eerder:
                raise OngeldigeWaarde(api, f"{waarde} ligt voor {eerder_api} ({eerder})")
        gepland.append((api, waarde))
    if not gepland:
        raise OngeldigeWaarde("afgehandeld", "een planning noemt minstens één geplande datum")
    if t.status in AFGEHANDELD or t.status in VAN_DE_LIJST:
        raise OngeldigeWaarde("datum", f"er valt niets meer te plannen: de status is {t.status}")
    _tekst("reden", event.reden)
    if t.planning is not None and not event.reden:
        raise OngeldigeWaarde(
            "reden",
            f"een herziening van de planning van {t.planning.datum} noemt de reden",
        )


def _na_registratie(t: Toestand, veld: str, datum: date) -> None:
    _datum(veld, datum)
    if t.registratiedatum and datum < t.registratiedatum:
        raise OngeldigeWaarde(veld, f"{datum} ligt voor de registratie ({t.registratiedatum})")


def _na_vorige_besluit(t: Toestand, veld: str, datum: date) -> None:
    _datum(veld, datum)
    vorige = t.statushistorie[-1].datum
    if datum < vorige:
        raise OngeldigeWaarde(veld, f"{datum} ligt voor het vorige besluit ({vorige})")


def _datum(veld: str, datum: Any) -> None:
    if not isinstance(datum, date) or isinstance(datum, datetime):
        raise OngeldigeWaarde(veld, f"{datum!r} is geen datum")
    try:
        bedrijfsdatum(datum)
    except ValueError as exc:
        raise OngeldigeWaarde(veld, str(exc)) from exc


def _tekst(veld: str, waarde: Any, leeg: bool = True) -> None:
    """Texts as the request schemas leave them (shared/tekst.py): already normalised."""
    if not isinstance(waarde, str):
        raise OngeldigeWaarde(veld, f"{str(waarde)[:40]!r} is geen tekst")
    try:
        genormaliseerd = tekst.optionele_tekst(waarde) if leeg else tekst.naam(waarde)
    except ValueError as exc:
        raise OngeldigeWaarde(veld, str(exc)) from exc
    if genormaliseerd != waarde:
        raise OngeldigeWaarde(veld, "niet genormaliseerd (NFC, zonder witruimte eromheen)")


K = TypeVar("K", bound=StrEnum)


def _keuze(veld: str, waarde: Any, soort: type[K]) -> K:
    try:
        return soort(waarde)
    except ValueError as exc:
        raise OngeldigeWaarde(
            veld, f"{str(waarde)[:40]!r} is geen keuze; kies uit {', '.join(soort)}"
        ) from exc


def _bedrag(waarde: Any) -> int:
    if isinstance(waarde, bool) or not isinstance(waarde, int):
        raise OngeldigeWaarde("bedragEuro", f"{str(waarde)[:40]!r} is geen bedrag in hele euro")
    return waarde
