"""Commands to the locaties service: what a user asks for, already validated for shape.

Each names its rule in the one authorisation policy (``OPERATIE``, shared/beleid.py); the
handlers dispatch on the command's type (service_layer/handlers.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Protocol

from services.locaties.domain.geometrie import RD
from shared.vocabulaire import Knelpunt, RisicoType, Status


@dataclass(frozen=True)
class RegistreerSpoedlocatie:
    OPERATIE: ClassVar[str] = "locaties.registreer"

    bevoegd_gezag: str
    gemeentecode: str
    naam: str
    bodemtype: str
    verontreinigingsgroepen: tuple[str, ...]
    geometrie_rd: dict[str, Any] | None
    registratiedatum: date
    locatie_id: str | None = None


@dataclass(frozen=True)
class WijzigStatus:
    OPERATIE: ClassVar[str] = "locaties.wijzig_status"

    locatie_id: str
    verwachte_versie: int
    naar: Status
    besluitdatum: date
    toelichting: str


@dataclass(frozen=True)
class BeoordeelRisico:
    OPERATIE: ClassVar[str] = "locaties.beoordeel_risico"

    locatie_id: str
    verwachte_versie: int
    risicotype: RisicoType
    vastgesteld: bool
    criteria: tuple[str, ...]
    beoordelingsdatum: date
    toelichting: str


@dataclass(frozen=True)
class StelKnelpuntVast:
    OPERATIE: ClassVar[str] = "locaties.stel_knelpunt_vast"

    locatie_id: str
    verwachte_versie: int
    knelpunt: Knelpunt
    datum: date
    toelichting: str


@dataclass(frozen=True)
class KenBudgetToe:
    OPERATIE: ClassVar[str] = "locaties.ken_budget_toe"

    locatie_id: str
    verwachte_versie: int
    bedrag_euro: int
    datum: date
    bron: str


@dataclass(frozen=True)
class BoekKosten:
    OPERATIE: ClassVar[str] = "locaties.boek_kosten"

    locatie_id: str
    verwachte_versie: int
    bedrag_euro: int
    datum: date
    omschrijving: str


@dataclass(frozen=True)
class DraagOver:
    OPERATIE: ClassVar[str] = "locaties.draag_over"

    locatie_id: str
    verwachte_versie: int
    naar: str
    datum: date
    reden: str


@dataclass(frozen=True)
class StelPlanningVast:
    OPERATIE: ClassVar[str] = "locaties.stel_planning_vast"

    locatie_id: str
    verwachte_versie: int
    onderzoek_gereed: date | None
    start_sanering: date | None
    afgehandeld: date | None
    datum: date
    reden: str


@dataclass(frozen=True)
class Corrigeer:
    """``correctie`` as the API sent it (camelCase names, JSON values, a geometry in
    ``geometrie_crs``) when a ``Correctiecontrole`` translates it, else in the event's own
    form (its field names, stored values, RD)."""

    OPERATIE: ClassVar[str] = "locaties.corrigeer"

    locatie_id: str
    verwachte_versie: int
    gecorrigeerde_versie: int
    correctie: dict[str, Any]
    reden: str
    geometrie_crs: str = RD


class Wijziging(Protocol):
    """What every command on an existing site has: the site and the version it changes."""

    OPERATIE: ClassVar[str]

    @property
    def locatie_id(self) -> str: ...

    @property
    def verwachte_versie(self) -> int: ...


Commando = (
    RegistreerSpoedlocatie
    | WijzigStatus
    | BeoordeelRisico
    | StelKnelpuntVast
    | KenBudgetToe
    | BoekKosten
    | DraagOver
    | StelPlanningVast
    | Corrigeer
)
