"""From read-model rows and aggregates to API representations."""

from __future__ import annotations

from typing import Any

import orjson

from services.locaties.adapters.projection import rij, stand_rij
from services.locaties.domain.geometrie import RD, transformeer
from services.locaties.domain.model import Spoedlocatie
from services.locaties.domain.standen import Toestand
from services.locaties.entrypoints.schemas import Link, RisicoOut, SpoedlocatieOut
from shared import bevoegde_gezagen
from shared.vocabulaire import AFGEHANDELD

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


def stand_json(locatie_id: str, versie: int, stand: Toestand, crs: str) -> bytes:
    """``van_stand(...).model_dump_json(by_alias=True)``, byte for byte (a test holds them
    equal over generated histories), without validating the service's own state again: the
    201 answer of every command. Building and validating the model cost about as much as the
    rest of the answer; here the keys are written in the model's order under its aliases and
    orjson writes the values as pydantic's serializer does (dates ISO, None as null, enums
    as their value, the same escapes and float digits). ``SpoedlocatieOut`` stays the
    documented schema. A value orjson cannot write (an integer beyond 64 bits) goes the
    model's way."""
    gezag = bevoegde_gezagen.get(stand.bevoegd_gezag)
    geometrie = stand.geometrie
    if geometrie is not None:
        geometrie = transformeer(geometrie, RD, crs)
    self = f"{BASE}/{locatie_id}"
    try:
        return orjson.dumps(
            {
                "locatieId": locatie_id,
                "bevoegdGezag": stand.bevoegd_gezag,
                "provincie": gezag.provincie if gezag else stand.bevoegd_gezag,
                "gemeentecode": stand.gemeentecode,
                "naam": stand.naam,
                "bodemtype": stand.bodemtype,
                "status": stand.status,
                "statusSinds": stand.statushistorie[-1].datum,
                "registratiedatum": stand.registratiedatum,
                "afgehandeldOp": next(
                    (r.datum for r in stand.statushistorie if r.status in AFGEHANDELD), None
                ),
                "risicos": [
                    {
                        "risicotype": soort,
                        "vastgesteld": r.vastgesteld,
                        "criteria": r.criteria,
                        "beoordelingsdatum": r.beoordelingsdatum,
                    }
                    for soort, r in sorted(stand.risicos.items())
                ],
                "knelpunt": stand.knelpunt or None,
                "budgetEuro": stand.budget_euro,
                "kostenEuro": stand.kosten_euro,
                "verontreinigingsgroepen": stand.verontreinigingsgroepen,
                "geometrie": geometrie,
                "versie": versie,
                "_links": {
                    "self": {"href": self},
                    "gebeurtenissen": {"href": f"{self}/gebeurtenissen"},
                },
            }
        )
    except orjson.JSONEncodeError:
        return van_stand(locatie_id, versie, stand, crs).model_dump_json(by_alias=True).encode()
