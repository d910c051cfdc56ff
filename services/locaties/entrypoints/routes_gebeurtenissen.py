"""Event history per site and the global feed, as CloudEvents. Pure reads: only the relay
seals (``shared/zegel.py``), so the feed serves the sealed prefix of the log and a history shows
an event not yet sealed without its seal fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query

from services.locaties.entrypoints import schemas
from services.locaties.entrypoints.dependencies import Services, Tijdreis
from services.locaties.entrypoints.representation import BASE
from services.locaties.entrypoints.routes_spoedlocaties import ERRORS, LocatieId
from shared.aggregate import NotFound
from shared.auth import CurrentPrincipal
from shared.http.problems import ProblemError
from shared.outbox import store_id
from shared.tijd import kennismoment
from shared.zegel import historie as stroom_historie
from shared.zegel import verzegelde

router = APIRouter(tags=["Gebeurtenissen"])


def _stroom(services: Services, locatie_id: str) -> list[dict[str, Any]]:
    with services.sessions() as session:
        events = stroom_historie(session, services.source, store_id(session), locatie_id)
    if not events:
        raise NotFound(locatie_id)
    return events


@router.get(
    "/spoedlocaties/{locatieId}/gebeurtenissen",
    response_model=schemas.Gebeurtenissen,
    summary="Historie van een locatie",
    responses=ERRORS,
)
def historie(
    locatie_id: LocatieId, services: Services, principal: CurrentPrincipal, tijd: Tijdreis
) -> schemas.Gebeurtenissen:
    """Alle gebeurtenissen van de locatie, oudste eerst, met besluitdatum (occurredat),
    registratiemoment (time) en hun plaats in de hashketen (hash, prevhash, streamprevhash).
    Een gebeurtenis die net is vastgelegd staat er meteen in; de zegel volgt binnen enkele
    milliseconden (tot dan ontbreken hash, prevhash en streamprevhash). Lezen verandert niets.
    Met `kennisdatum` alleen wat aan het eind van die dag was vastgelegd, met `peildatum` alleen
    wat op of voor die datum gebeurde (een correctie gebeurt op het moment van vastleggen)."""
    peildatum, kennisdatum = tijd
    events = _stroom(services, locatie_id)
    if kennisdatum is not None:
        grens = kennismoment(kennisdatum)
        events = [e for e in events if _moment(e["time"]) < grens]
    if peildatum is not None:
        events = [e for e in events if _moment(e["occurredat"]).date() <= peildatum]
    if not events:
        raise ProblemError(404, f"Van {locatie_id} was toen nog niets bekend.")
    momenten = {"peildatum": peildatum, "kennisdatum": kennisdatum}
    query = urlencode({k: v.isoformat() for k, v in momenten.items() if v})
    achter = f"?{query}" if query else ""
    return schemas.Gebeurtenissen(
        gebeurtenissen=events,
        links={
            "self": schemas.Link(href=f"{BASE}/{locatie_id}/gebeurtenissen{achter}"),
            "locatie": schemas.Link(href=f"{BASE}/{locatie_id}{achter}"),
        },
    )


def _moment(waarde: str) -> datetime:
    return datetime.fromisoformat(waarde.replace("Z", "+00:00"))


@router.get(
    "/spoedlocaties/{locatieId}/gebeurtenissen/{versie}",
    response_model=dict[str, Any],
    summary="Eén gebeurtenis van een locatie",
    responses=ERRORS,
)
def gebeurtenis(
    locatie_id: LocatieId,
    versie: Annotated[int, Path(ge=1, le=2**31 - 1)],
    services: Services,
    principal: CurrentPrincipal,
) -> dict[str, Any]:
    """Eén gebeurtenis als CloudEvent (zonder hash, prevhash en streamprevhash zolang ze nog
    niet is verzegeld)."""
    for event in _stroom(services, locatie_id):
        if event["sequence"] == str(versie):
            return event
    raise ProblemError(404, f"Locatie {locatie_id} heeft geen versie {versie}.")


@router.get(
    "/gebeurtenissen",
    response_model=schemas.Gebeurtenissen,
    summary="Landelijke gebeurtenissenstroom",
    responses={401: ERRORS[401]},
)
def feed(
    services: Services,
    principal: CurrentPrincipal,
    vanaf_positie: Annotated[int, Query(alias="vanafPositie", ge=1, le=2**63 - 1)] = 1,
    limiet: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> schemas.Gebeurtenissen:
    """Alle gebeurtenissen in de volgorde van vastleggen, vanaf een positie (inclusief), met
    hun zegel in de hashketen en de ankers. Een lezer die doorgaat bij de positie in de
    next-link mist niets en leest niets dubbel: de posities lopen zonder gaten op. Bedoeld voor
    bijlezen en voor auditors (`bodemregie audit export --api ...`).

    De stroom bevat alleen verzegelde gebeurtenissen: een begin van het verzegelde logboek,
    zonder gaten. Een gebeurtenis die is vastgelegd maar nog niet verzegeld (dat doet de relay
    binnen enkele milliseconden na vastleggen) staat er nog niet in en verschijnt bij een
    volgende lezing op haar eigen positie. Lezen verandert niets."""
    with services.sessions() as session:
        events = verzegelde(session, services.source, store_id(session), vanaf_positie - 1, limiet)
    volgende = int(events[-1]["position"]) + 1 if events else vanaf_positie
    return schemas.Gebeurtenissen(
        gebeurtenissen=events,
        links={
            "self": schemas.Link(href=f"/v1/gebeurtenissen?vanafPositie={vanaf_positie}"),
            "next": schemas.Link(href=f"/v1/gebeurtenissen?vanafPositie={volgende}"),
        },
    )
