"""From read-model rows and aggregates to API representations."""

from __future__ import annotations

from typing import Any

from services.locaties.adapters.projection import rij, stand_rij
from services.locaties.domain.geometrie import RD, transformeer
from services.locaties.domain.model import Spoedlocatie
from services.locaties.domain.standen import Toestand
from services.locaties.entrypoints.schemas import Link, RisicoOut, SpoedlocatieOut

BASE = "/v1/spoedlocaties"


def links(locatie_id: str) -> dict[str, Link]:
    return {
        "self": Link(href=f"{BASE}/{locatie_id}"),
        "gebeurtenissen": Link(href=f"{BASE}/{locatie_id}/gebeurtenissen"),
    }


def van_rij(r: dict[str, Any], crs: str) -> SpoedlocatieOut:
    geometrie = r["geometrie_rd"]
    if geometrie is not None:
        geometrie = transformeer(geometrie, RD, crs)
    return SpoedlocatieOut(
        locatie_id=r["locatie_id"],
        bevoegd_gezag=r["bevoegd_gezag"],
        provincie=r["provincie"],
        gemeentecode=r["gemeentecode"],
        naam=r["naam"],
        bodemtype=r["bodemtype"],
        status=r["status"],
        status_sinds=r["status_sinds"],
        registratiedatum=r["registratiedatum"],
        afgehandeld_op=r["afgehandeld_op"],
        risicos=[RisicoOut.model_validate(x) for x in r["risicos"]],
        knelpunt=r["knelpunt"],
        budget_euro=r["budget_euro"],
        kosten_euro=r["kosten_euro"],
        verontreinigingsgroepen=list(r["verontreinigingsgroepen"]),
        geometrie=geometrie,
        versie=r["versie"],
        links=links(r["locatie_id"]),
    )


def van_aggregaat(locatie: Spoedlocatie, crs: str) -> SpoedlocatieOut:
    return van_rij(rij(locatie), crs)


def van_stand(locatie_id: str, versie: int, stand: Toestand, crs: str) -> SpoedlocatieOut:
    return van_rij(stand_rij(locatie_id, versie, stand), crs)
