"""A site's state, folded from its recorded events: now, and on any peildatum (business time).

One pure step, ``stap(stand, event) -> stand``, as rapportage's ``feiten.stap``: the aggregate
folds it over its events for the state its decisions need, and the projection folds it for the
read model, the bitemporal ``spoedlocatie_standen`` rows and the single read on a peildatum.
Corrections (``RegistratieGecorrigeerd``) are applied to the event they correct before it is
folded, so every view shows the corrected history.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.locaties.domain import events as ev
from services.locaties.domain.fouten import OngeldigeTransitie, OngeldigeWaarde
from shared.vocabulaire import TRANSITIES, Knelpunt, RisicoType, Status


@dataclass(frozen=True)
class Risico:
    vastgesteld: bool
    criteria: tuple[str, ...]
    beoordelingsdatum: date


@dataclass(frozen=True)
class Statusregel:
    status: Status
    datum: date


@dataclass(frozen=True)
class Planning:
    """The plan in force: the planned milestones and when it was set; ``revisie`` counts the
    plans before it (0 for the first)."""

    onderzoek_gereed: date | None
    start_sanering: date | None
    afgehandeld: date | None
    datum: date
    revisie: int = 0


@dataclass(frozen=True)
class Toestand:
    """The state of a site after some of its events; never changed, ``stap`` makes a new one."""

    bevoegd_gezag: str = ""
    gemeentecode: str = ""
    naam: str = ""
    bodemtype: str = ""
    verontreinigingsgroepen: tuple[str, ...] = ()
    geometrie: dict[str, Any] | None = None
    registratiedatum: date | None = None
    status: Status = Status.POTENTIEEL_SPOED
    statushistorie: tuple[Statusregel, ...] = ()
    risicos: Mapping[RisicoType, Risico] = field(default_factory=dict)
    knelpunt: Knelpunt | None = None
    budget_euro: int = 0
    kosten_euro: int = 0
    budgetregels: tuple[tuple[date, int], ...] = ()
    planning: Planning | None = None


_VELDEN = frozenset(f.name for f in dataclasses.fields(Toestand))


def _met(stand: Toestand, **wijziging: Any) -> Toestand:
    """``dataclasses.replace`` for a Toestand, without its per-call field listing and
    ``__init__`` (Toestand checks nothing there): a copy of the fields with these changed. A
    command folds a site's events through ``stap`` and the read model folds them again, so
    this runs several times per event."""
    if not wijziging.keys() <= _VELDEN:
        raise TypeError(f"Toestand heeft geen veld {sorted(wijziging.keys() - _VELDEN)}")
    nieuw = object.__new__(Toestand)
    velden = nieuw.__dict__
    velden.update(stand.__dict__)
    velden.update(wijziging)
    return nieuw


def stap(stand: Toestand, event: Any, controleer: bool = False) -> Toestand:
    """The state after ``event``. With ``controleer`` (folding a corrected history) a status
    change that the lifecycle does not allow fails, as the command would have."""
    match event:
        case ev.SpoedlocatieGeregistreerd():
            status = Status(event.status)
            return _met(
                stand,
                bevoegd_gezag=event.bevoegd_gezag,
                gemeentecode=event.gemeentecode,
                naam=event.naam,
                bodemtype=event.bodemtype,
                verontreinigingsgroepen=tuple(event.verontreinigingsgroepen),
                geometrie=event.geometrie,
                registratiedatum=event.registratiedatum,
                status=status,
                statushistorie=(Statusregel(status, event.registratiedatum),),
            )
        case ev.StatusGewijzigd():
            naar = Status(event.naar)
            if controleer and naar not in TRANSITIES[stand.status]:
                raise OngeldigeTransitie(stand.status, naar)
            if controleer and event.besluitdatum < stand.statushistorie[-1].datum:
                raise OngeldigeWaarde(
                    "besluitdatum",
                    f"{event.besluitdatum} ligt voor het "
                    f"vorige besluit ({stand.statushistorie[-1].datum})",
                )
            return _met(
                stand,
                status=naar,
                statushistorie=(*stand.statushistorie, Statusregel(naar, event.besluitdatum)),
            )
        case ev.RisicoBeoordeeld():
            risico = Risico(event.vastgesteld, tuple(event.criteria), event.beoordelingsdatum)
            risicos = {**stand.risicos, RisicoType(event.risicotype): risico}
            return _met(stand, risicos=risicos)
        case ev.KnelpuntVastgesteld():
            return _met(stand, knelpunt=Knelpunt(event.knelpunt))
        case ev.BudgetToegekend():
            return _met(
                stand,
                budget_euro=stand.budget_euro + event.bedrag_euro,
                budgetregels=(*stand.budgetregels, (event.datum, event.bedrag_euro)),
            )
        case ev.KostenGeboekt():
            return _met(stand, kosten_euro=stand.kosten_euro + event.bedrag_euro)
        case ev.BevoegdGezagOvergedragen():
            return _met(stand, bevoegd_gezag=event.naar)
        case ev.PlanningVastgesteld():
            revisie = 0 if stand.planning is None else stand.planning.revisie + 1
            planning = Planning(
                event.onderzoek_gereed,
                event.start_sanering,
                event.afgehandeld,
                event.datum,
                revisie,
            )
            return _met(stand, planning=planning)
        case _:
            raise TypeError(f"unknown event {type(event).__name__}")


_DATUMVELDEN = ("besluitdatum", "registratiedatum", "beoordelingsdatum", "datum")
# Per event class the first of _DATUMVELDEN its instances have, remembered only where every
# instance has the same one: a dataclass field set on every instance, with no field searched
# before it (such a field may be unset on some instances: init=False without a default).
_DATUMVELD: dict[type[Any], str] = {}


def bedrijfsdatum_van(event: Any) -> date:
    """The business date of an event: when it happened, as opposed to when it was recorded."""
    veld = _DATUMVELD.get(type(event))
    if veld is not None:
        waarde: date = getattr(event, veld)
        return waarde
    for n, veld in enumerate(_DATUMVELDEN):
        if hasattr(event, veld):
            if _altijd_het_eerste(type(event), n):
                _DATUMVELD[type(event)] = veld
            waarde = getattr(event, veld)
            return waarde
    raise TypeError(f"{type(event).__name__} heeft geen bedrijfsdatum")


def _altijd_het_eerste(cls: type[Any], n: int) -> bool:
    """Whether every instance of ``cls`` has ``_DATUMVELDEN[n]`` as its first date field."""
    if not dataclasses.is_dataclass(cls):
        return False
    velden = {f.name: f for f in dataclasses.fields(cls)}
    veld = velden.get(_DATUMVELDEN[n])
    return (
        veld is not None
        and (
            veld.init
            or veld.default is not dataclasses.MISSING
            or veld.default_factory is not dataclasses.MISSING
        )
        and not any(eerder in velden for eerder in _DATUMVELDEN[:n])
    )


Correcties = Mapping[int, Sequence[dict[str, Any]]]


def correcties(history: Iterable[Any]) -> Correcties:
    """Per corrected version the corrections of it in ``history``, in the order recorded."""
    uit: dict[int, list[dict[str, Any]]] = {}
    for event in history:
        if isinstance(event, ev.RegistratieGecorrigeerd):
            uit.setdefault(event.gecorrigeerde_versie, []).append(event.correctie)
    return uit


def met_correcties(event: Any, correcties_ervan: Iterable[dict[str, Any]]) -> Any:
    """``event`` with its corrections applied, through the registry as it is stored (so a
    correction is held to the stored form)."""
    for correctie in correcties_ervan:
        name, schema, data = ev.registry.encode(event)
        event = ev.registry.decode(name, schema, {**data, **correctie})
    return event


def gecorrigeerd(history: Sequence[Any]) -> Iterator[tuple[int, Any]]:
    """(version, event) for every event that is not a correction, corrections applied."""
    per_versie = correcties(history)
    for versie, event in enumerate(history, start=1):
        if not isinstance(event, ev.RegistratieGecorrigeerd):
            yield versie, met_correcties(event, per_versie.get(versie, ()))


def huidig(history: Sequence[Any]) -> Toestand:
    """The state after all of ``history`` (decoded events in version order)."""
    stand = Toestand()
    if not any(isinstance(event, ev.RegistratieGecorrigeerd) for event in history):
        for event in history:
            stand = stap(stand, event)
        return stand
    for _, event in gecorrigeerd(history):
        stand = stap(stand, event, controleer=True)
    return stand


def peildata(history: Sequence[Any]) -> list[date]:
    """The business dates on which the state changed (corrections applied), ascending."""
    return sorted({bedrijfsdatum_van(event) for _, event in gecorrigeerd(history)})


def op_peildatum(history: Sequence[Any], peildatum: date) -> Toestand | None:
    """The state on ``peildatum``: the events dated on or before it (corrections applied) in
    the order recorded; None when the site was not registered yet on that date."""
    stand: Toestand | None = None
    for versie, event in gecorrigeerd(history):
        if versie == 1:
            if bedrijfsdatum_van(event) > peildatum:
                return None
            stand = Toestand()
        if stand is not None and bedrijfsdatum_van(event) <= peildatum:
            stand = stap(stand, event, controleer=True)
    return stand
