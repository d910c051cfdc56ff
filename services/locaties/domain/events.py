"""Events of the Spoedlocatie aggregate. Business dates travel as ``occurred_at`` of the event;
the payload repeats the decision date where the decision has one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from shared.aggregate import EventRegistry

registry = EventRegistry()


@registry.register
@dataclass(frozen=True)
class SpoedlocatieGeregistreerd:
    TYPE: ClassVar[str] = "spoedlocatie-geregistreerd"
    locatie_id: str
    bevoegd_gezag: str
    gemeentecode: str
    naam: str
    bodemtype: str
    verontreinigingsgroepen: tuple[str, ...]
    geometrie: dict[str, Any] | None  # GeoJSON in RD New (EPSG:28992), the national system
    status: str
    registratiedatum: date


@registry.register
@dataclass(frozen=True)
class StatusGewijzigd:
    TYPE: ClassVar[str] = "spoedlocatie-status-gewijzigd"
    van: str
    naar: str
    besluitdatum: date
    toelichting: str


@registry.register
@dataclass(frozen=True)
class RisicoBeoordeeld:
    TYPE: ClassVar[str] = "spoedlocatie-risico-beoordeeld"
    risicotype: str
    vastgesteld: bool
    criteria: tuple[str, ...]
    beoordelingsdatum: date
    toelichting: str


@registry.register
@dataclass(frozen=True)
class KnelpuntVastgesteld:
    TYPE: ClassVar[str] = "spoedlocatie-knelpunt-vastgesteld"
    knelpunt: str
    datum: date
    toelichting: str


@registry.register
@dataclass(frozen=True)
class BudgetToegekend:
    TYPE: ClassVar[str] = "spoedlocatie-budget-toegekend"
    bedrag_euro: int
    datum: date
    bron: str


@registry.register
@dataclass(frozen=True)
class KostenGeboekt:
    TYPE: ClassVar[str] = "spoedlocatie-kosten-geboekt"
    bedrag_euro: int
    datum: date
    omschrijving: str


@registry.register
@dataclass(frozen=True)
class BevoegdGezagOvergedragen:
    TYPE: ClassVar[str] = "spoedlocatie-bevoegd-gezag-overgedragen"
    van: str
    naar: str
    datum: date
    reden: str


@registry.register
@dataclass(frozen=True)
class PlanningVastgesteld:
    """The bevoegd gezag's plan for the site's next milestones, set on ``datum``; a later plan
    revises it (with a ``reden``), the earlier one stays on record. A date left out is not
    planned (yet)."""

    TYPE: ClassVar[str] = "spoedlocatie-planning-vastgesteld"
    onderzoek_gereed: date | None
    start_sanering: date | None
    afgehandeld: date | None
    datum: date
    reden: str


@registry.register
@dataclass(frozen=True)
class RegistratieGecorrigeerd:
    """Corrects fields of an earlier event of this stream; the earlier event is never edited.
    Rebuilding applies the corrected values in place of the original ones."""

    TYPE: ClassVar[str] = "spoedlocatie-registratie-gecorrigeerd"
    gecorrigeerde_versie: int
    correctie: dict[str, Any]
    reden: str
