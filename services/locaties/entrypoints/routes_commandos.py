"""The commands on a spoedlocatie: one sub-resource each, all with the same contract.

Each POST needs If-Match (428 without, 412 when stale), answers 201 with the updated site, its
new ETag and a Location pointing at the new event; 409 on a refused transition, 403 for another
bevoegd gezag's site. Each route turns its body into its command; the handler is found by the
command's type (service_layer/handlers.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import singledispatch
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from services.locaties.domain import commands
from services.locaties.entrypoints import schemas
from services.locaties.entrypoints.commandoverzoek import Commandoroute, Verzoek, verzoek
from services.locaties.entrypoints.routes_spoedlocaties import COMMAND_ERRORS, LocatieId
from shared import beleid

router = APIRouter(prefix="/spoedlocaties", tags=["Spoedlocaties"], route_class=Commandoroute)


Commandoverzoek = Annotated[Verzoek, Depends(verzoek)]


@singledispatch
def commando(body: BaseModel, locatie_id: str, versie: int, crs: str) -> commands.Commando:
    """The command a body asks for, on the site ``locatie_id`` at ``versie`` (If-Match), with
    ``crs`` the body's coordinate system (Content-Crs)."""
    raise TypeError(f"geen commando voor {type(body).__name__}")


@commando.register
def _(b: schemas.Statuswijziging, i: str, v: int, crs: str) -> commands.Commando:
    return commands.WijzigStatus(i, v, b.naar, b.besluitdatum, b.toelichting)


@commando.register
def _(b: schemas.Risicobeoordeling, i: str, v: int, crs: str) -> commands.Commando:
    criteria = tuple(b.criteria)
    return commands.BeoordeelRisico(
        i, v, b.risicotype, b.vastgesteld, criteria, b.beoordelingsdatum, b.toelichting
    )


@commando.register
def _(b: schemas.KnelpuntIn, i: str, v: int, crs: str) -> commands.Commando:
    return commands.StelKnelpuntVast(i, v, b.knelpunt, b.datum, b.toelichting)


@commando.register
def _(b: schemas.Budgettoekenning, i: str, v: int, crs: str) -> commands.Commando:
    return commands.KenBudgetToe(i, v, b.bedrag_euro, b.datum, b.bron)


@commando.register
def _(b: schemas.Kostenboeking, i: str, v: int, crs: str) -> commands.Commando:
    return commands.BoekKosten(i, v, b.bedrag_euro, b.datum, b.omschrijving)


@commando.register
def _(b: schemas.Overdracht, i: str, v: int, crs: str) -> commands.Commando:
    return commands.DraagOver(i, v, b.naar, b.datum, b.reden)


@commando.register
def _(b: schemas.Planning, i: str, v: int, crs: str) -> commands.Commando:
    return commands.StelPlanningVast(
        i, v, b.onderzoek_gereed, b.start_sanering, b.afgehandeld, b.datum, b.reden
    )


@commando.register
def _(b: schemas.Correctie, i: str, v: int, crs: str) -> commands.Commando:
    return commands.Corrigeer(i, v, b.gecorrigeerde_versie, b.correctie, b.reden, crs)


def _commando(
    pad: str, samenvatting: str, commando: type[commands.Commando]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """POST /spoedlocaties/{locatieId}/<pad>, guarded by the command's rule in the policy."""
    return router.post(
        f"/{{locatieId}}/{pad}",
        status_code=201,
        response_model=schemas.SpoedlocatieOut,
        summary=samenvatting,
        responses=COMMAND_ERRORS,
        openapi_extra=beleid.openapi_extra(commando.OPERATIE),
    )


@_commando("statuswijzigingen", "Wijzig de status", commands.WijzigStatus)
async def statuswijzigingen(
    locatie_id: LocatieId, body: schemas.Statuswijziging, v: Commandoverzoek
) -> Response:
    """Legt een besluit vast dat de status verandert. Alleen overgangen die de levenscyclus
    toestaat; een 409 noemt de toegestane vervolgstatussen. Vereist If-Match."""
    return await v.voer_uit(commando(body, locatie_id, v.versie, v.crs_in))


@_commando("risicobeoordelingen", "Beoordeel een risico", commands.BeoordeelRisico)
async def risicobeoordelingen(
    locatie_id: LocatieId, body: schemas.Risicobeoordeling, v: Commandoverzoek
) -> Response:
    """Legt vast of een humaan, ecologisch of verspreidingsrisico is vastgesteld, met de
    criteria uit de SIKB0101-lijst. Vereist If-Match."""
    return await v.voer_uit(commando(body, locatie_id, v.versie, v.crs_in))


@_commando("knelpunten", "Stel een knelpunt vast", commands.StelKnelpuntVast)
async def knelpunten(
    locatie_id: LocatieId, body: schemas.KnelpuntIn, v: Commandoverzoek
) -> Response:
    """Het knelpunt om de convenantsdeadline te halen (of 'geen'). Vereist If-Match."""
    return await v.voer_uit(commando(body, locatie_id, v.versie, v.crs_in))


@_commando("budgettoekenningen", "Ken budget toe", commands.KenBudgetToe)
async def budgettoekenningen(
    locatie_id: LocatieId, body: schemas.Budgettoekenning, v: Commandoverzoek
) -> Response:
    """Kent budget toe, of trekt het in met een negatief bedrag. Vereist If-Match."""
    return await v.voer_uit(commando(body, locatie_id, v.versie, v.crs_in))


@_commando("kostenboekingen", "Boek kosten", commands.BoekKosten)
async def kostenboekingen(
    locatie_id: LocatieId, body: schemas.Kostenboeking, v: Commandoverzoek
) -> Response:
    """Boekt gemaakte kosten op de locatie. Vereist If-Match."""
    return await v.voer_uit(commando(body, locatie_id, v.versie, v.crs_in))


@_commando("overdrachten", "Draag over aan een ander gezag", commands.DraagOver)
async def overdrachten(
    locatie_id: LocatieId, body: schemas.Overdracht, v: Commandoverzoek
) -> Response:
    """Draagt de locatie over aan een ander bevoegd gezag. Vereist If-Match."""
    return await v.voer_uit(commando(body, locatie_id, v.versie, v.crs_in))


@_commando("planningen", "Leg de planning vast", commands.StelPlanningVast)
async def planningen(locatie_id: LocatieId, body: schemas.Planning, v: Commandoverzoek) -> Response:
    """Legt de geplande datums van de volgende mijlpalen vast (onderzoek gereed, start
    sanering, afgehandeld), in die volgorde en niet voor de datum van de planning. Een nieuwe
    planning herziet de vorige en noemt dan de reden; eerdere planningen blijven vastgelegd.
    Vereist If-Match."""
    return await v.voer_uit(commando(body, locatie_id, v.versie, v.crs_in))


@_commando("correcties", "Corrigeer een eerdere registratie", commands.Corrigeer)
async def correcties(
    locatie_id: LocatieId, body: schemas.Correctie, v: Commandoverzoek
) -> Response:
    """Corrigeert velden van een eerdere gebeurtenis met een reden. Elke waarde moet voldoen
    aan dezelfde regels als in het commando dat de gebeurtenis vastlegde, en de
    gecorrigeerde historie moet een geldige levenscyclus blijven; anders een 400 die het
    veld noemt. De oorspronkelijke gebeurtenis blijft staan; de correctie is een eigen
    gebeurtenis. Vereist If-Match."""
    return await v.voer_uit(commando(body, locatie_id, v.versie, v.crs_in))
