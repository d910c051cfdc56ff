"""Commands to the locaties service: what a user asks for, already validated for shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.locaties.domain.geometrie import RD
from shared.vocabulaire import Knelpunt, RisicoType, Status


@dataclass(frozen=True)
class RegistreerSpoedlocatie:
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
    locatie_id: str
    verwachte_versie: int
    naar: Status
    besluitdatum: date
    toelichting: str


@dataclass(frozen=True)
class BeoordeelRisico:
    locatie_id: str
    verwachte_versie: int
    risicotype: RisicoType
    vastgesteld: bool
    criteria: tuple[str, ...]
    beoordelingsdatum: date
    toelichting: str


@dataclass(frozen=True)
class StelKnelpuntVast:
    locatie_id: str
    verwachte_versie: int
    knelpunt: Knelpunt
    datum: date
    toelichting: str


@dataclass(frozen=True)
class KenBudgetToe:
    locatie_id: str
    verwachte_versie: int
    bedrag_euro: int
    datum: date
    bron: str


@dataclass(frozen=True)
class BoekKosten:
    locatie_id: str
    verwachte_versie: int
    bedrag_euro: int
    datum: date
    omschrijving: str


@dataclass(frozen=True)
class DraagOver:
    locatie_id: str
    verwachte_versie: int
    naar: str
    datum: date
    reden: str


@dataclass(frozen=True)
class Corrigeer:
    """``correctie`` as the API sent it (camelCase names, JSON values, a geometry in
    ``geometrie_crs``) when a ``Correctiecontrole`` translates it, else in the event's own
    form (its field names, stored values, RD)."""

    locatie_id: str
    verwachte_versie: int
    gecorrigeerde_versie: int
    correctie: dict[str, Any]
    reden: str
    geometrie_crs: str = RD
