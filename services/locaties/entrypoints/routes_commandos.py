"""The commands on a spoedlocatie: one sub-resource each, all with the same contract.

Each POST needs If-Match (428 without, 412 when stale), answers 201 with the updated site, its
new ETag and a Location pointing at the new event; 409 on a refused transition, 403 for another
bevoegd gezag's site. The table below is the single place that says which body becomes which
command and which handler runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel

from services.locaties.domain import commands
from services.locaties.domain.model import Spoedlocatie
from services.locaties.entrypoints import correcties, schemas
from services.locaties.entrypoints.dependencies import (
    AcceptCrs,
    ContentCrs,
    CurrentActor,
    ExpectedVersion,
    Services,
)
from services.locaties.entrypoints.routes_spoedlocaties import (
    COMMAND_ERRORS,
    LocatieId,
    aangemaakt,
)
from services.locaties.service_layer import handlers
from shared import beleid
from shared.http.idempotentie import IdempotenteRoute

router = APIRouter(prefix="/spoedlocaties", tags=["Spoedlocaties"], route_class=IdempotenteRoute)


@dataclass(frozen=True)
class Commando:
    pad: str
    body: type[BaseModel]
    samenvatting: str
    uitleg: str
    maak: Callable[[str, int, Any, str], Any]  # (locatieId, If-Match, body, Content-Crs)
    handler: Callable[[Any, Any, handlers.Actor], Spoedlocatie]
    operatie: str  # the handler's rule in the one policy (shared/beleid.py), named in OpenAPI


COMMANDOS = (
    Commando(
        "statuswijzigingen",
        schemas.Statuswijziging,
        "Wijzig de status",
        "Legt een besluit vast dat de status verandert. Alleen overgangen die de "
        "levenscyclus toestaat; een 409 noemt de toegestane vervolgstatussen.",
        lambda i, v, b, _: commands.WijzigStatus(i, v, b.naar, b.besluitdatum, b.toelichting),
        handlers.wijzig_status,
        "locaties.wijzig_status",
    ),
    Commando(
        "risicobeoordelingen",
        schemas.Risicobeoordeling,
        "Beoordeel een risico",
        "Legt vast of een humaan, ecologisch of verspreidingsrisico is vastgesteld, met de "
        "criteria uit de SIKB0101-lijst.",
        lambda i, v, b, _: commands.BeoordeelRisico(
            i, v, b.risicotype, b.vastgesteld, tuple(b.criteria), b.beoordelingsdatum, b.toelichting
        ),
        handlers.beoordeel_risico,
        "locaties.beoordeel_risico",
    ),
    Commando(
        "knelpunten",
        schemas.KnelpuntIn,
        "Stel een knelpunt vast",
        "Het knelpunt om de convenantsdeadline te halen (of 'geen').",
        lambda i, v, b, _: commands.StelKnelpuntVast(i, v, b.knelpunt, b.datum, b.toelichting),
        handlers.stel_knelpunt_vast,
        "locaties.stel_knelpunt_vast",
    ),
    Commando(
        "budgettoekenningen",
        schemas.Budgettoekenning,
        "Ken budget toe",
        "Kent budget toe, of trekt het in met een negatief bedrag.",
        lambda i, v, b, _: commands.KenBudgetToe(i, v, b.bedrag_euro, b.datum, b.bron),
        handlers.ken_budget_toe,
        "locaties.ken_budget_toe",
    ),
    Commando(
        "kostenboekingen",
        schemas.Kostenboeking,
        "Boek kosten",
        "Boekt gemaakte kosten op de locatie.",
        lambda i, v, b, _: commands.BoekKosten(i, v, b.bedrag_euro, b.datum, b.omschrijving),
        handlers.boek_kosten,
        "locaties.boek_kosten",
    ),
    Commando(
        "overdrachten",
        schemas.Overdracht,
        "Draag over aan een ander gezag",
        "Draagt de locatie over aan een ander bevoegd gezag.",
        lambda i, v, b, _: commands.DraagOver(i, v, b.naar, b.datum, b.reden),
        handlers.draag_over,
        "locaties.draag_over",
    ),
    Commando(
        "correcties",
        schemas.Correctie,
        "Corrigeer een eerdere registratie",
        "Corrigeert velden van een eerdere gebeurtenis met een reden. Elke waarde moet voldoen "
        "aan dezelfde regels als in het commando dat de gebeurtenis vastlegde, en de "
        "gecorrigeerde historie moet een geldige levenscyclus blijven; anders een 400 die het "
        "veld noemt. De oorspronkelijke gebeurtenis blijft staan; de correctie is een eigen "
        "gebeurtenis.",
        lambda i, v, b, crs: commands.Corrigeer(
            i, v, b.gecorrigeerde_versie, b.correctie, b.reden, crs
        ),
        lambda cmd, uow, actor: handlers.corrigeer(cmd, uow, actor, correcties.valideer),
        "locaties.corrigeer",
    ),
)


def _registreer(c: Commando) -> None:
    def endpoint(
        locatie_id: LocatieId,
        body: BaseModel,
        response: Response,
        services: Services,
        actor: CurrentActor,
        versie: ExpectedVersion,
        crs: AcceptCrs,
        crs_in: ContentCrs,
    ) -> schemas.SpoedlocatieOut:
        locatie = c.handler(c.maak(locatie_id, versie, body, crs_in), services.uow(), actor)
        return aangemaakt(response, locatie, crs)

    # FastAPI reads the body model from the annotation, so each endpoint gets its own.
    endpoint.__annotations__ = {**endpoint.__annotations__, "body": c.body}
    endpoint.__name__ = c.pad.replace("-", "_")
    endpoint.__doc__ = f"{c.uitleg} Vereist If-Match."
    router.post(
        f"/{{locatieId}}/{c.pad}",
        status_code=201,
        response_model=schemas.SpoedlocatieOut,
        summary=c.samenvatting,
        responses=COMMAND_ERRORS,
        openapi_extra=beleid.openapi_extra(c.operatie),
    )(endpoint)


for _commando in COMMANDOS:
    _registreer(_commando)
