"""Event history per site and the global feed, as CloudEvents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from services.locaties.entrypoints import schemas
from services.locaties.entrypoints.dependencies import CurrentActor, Services
from services.locaties.entrypoints.routes_spoedlocaties import ERRORS, LocatieId
from shared.aggregate import NotFound
from shared.envelope import from_recorded
from shared.eventstore import RecordedEvent
from shared.http.problems import ProblemError
from shared.outbox import store_id

router = APIRouter(tags=["Gebeurtenissen"])


def _envelopes(events: list[RecordedEvent], source: str, store: str) -> list[dict[str, Any]]:
    return [from_recorded(e, source, store).to_dict() for e in events]


@router.get(
    "/spoedlocaties/{locatieId}/gebeurtenissen",
    response_model=schemas.Gebeurtenissen,
    summary="Historie van een locatie",
    responses=ERRORS,
)
def historie(
    locatie_id: LocatieId, services: Services, actor: CurrentActor
) -> schemas.Gebeurtenissen:
    """Alle gebeurtenissen van de locatie, oudste eerst, met besluitdatum (occurredat) en
    registratiemoment (time)."""
    with services.uow() as uow:
        events = uow.events.load(locatie_id)
        if not events:
            raise NotFound(locatie_id)
        store = store_id(uow.session)
    return schemas.Gebeurtenissen(
        gebeurtenissen=_envelopes(events, services.source, store),
        links={
            "self": schemas.Link(href=f"/v1/spoedlocaties/{locatie_id}/gebeurtenissen"),
            "locatie": schemas.Link(href=f"/v1/spoedlocaties/{locatie_id}"),
        },
    )


@router.get(
    "/spoedlocaties/{locatieId}/gebeurtenissen/{versie}",
    response_model=dict[str, Any],
    summary="Eén gebeurtenis van een locatie",
    responses=ERRORS,
)
def gebeurtenis(
    locatie_id: LocatieId,
    versie: Annotated[int, Path(ge=1)],
    services: Services,
    actor: CurrentActor,
) -> dict[str, Any]:
    """Eén gebeurtenis als CloudEvent."""
    with services.uow() as uow:
        events = [
            e for e in uow.events.load(locatie_id, up_to_version=versie) if e.version == versie
        ]
        if not events:
            raise ProblemError(404, f"Locatie {locatie_id} heeft geen versie {versie}.")
        return _envelopes(events, services.source, store_id(uow.session))[0]


@router.get(
    "/gebeurtenissen",
    response_model=schemas.Gebeurtenissen,
    summary="Landelijke gebeurtenissenstroom",
    responses={401: ERRORS[401]},
)
def feed(
    services: Services,
    actor: CurrentActor,
    vanaf_positie: Annotated[int, Query(alias="vanafPositie", ge=1)] = 1,
    limiet: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> schemas.Gebeurtenissen:
    """Alle gebeurtenissen in de volgorde van vastleggen, vanaf een positie (inclusief). Een
    lezer die doorgaat bij de positie in de next-link mist niets en leest niets dubbel: de
    posities lopen zonder gaten op. Bedoeld voor bijlezen en voor auditors."""
    with services.uow() as uow:
        events = uow.events.read_all(vanaf_positie - 1, limiet)
        store = store_id(uow.session)
    volgende = events[-1].position + 1 if events else vanaf_positie
    return schemas.Gebeurtenissen(
        gebeurtenissen=_envelopes(events, services.source, store),
        links={
            "self": schemas.Link(href=f"/v1/gebeurtenissen?vanafPositie={vanaf_positie}"),
            "next": schemas.Link(href=f"/v1/gebeurtenissen?vanafPositie={volgende}"),
        },
    )
