"""Running a command from a route: one hop to a worker thread for the handler (the unit of work
uses the synchronous database driver; SQLite has no other), the answer built there too."""

from __future__ import annotations

from functools import partial

from fastapi import Response
from starlette.concurrency import run_in_threadpool

from services.locaties.bootstrap import Container
from services.locaties.domain.commands import Commando
from services.locaties.domain.model import Spoedlocatie
from services.locaties.entrypoints.representation import van_aggregaat
from services.locaties.service_layer.unit_of_work import Actor

JSON = "application/json"
REGISTRATIE = "/v1/spoedlocaties/{id}"  # a registration's Location: the new site


def _antwoord(crs: str, location: str | None, locatie: Spoedlocatie) -> Response:
    """201 with the site as the command left it (in ``crs``), its ETag and ``Location`` (the
    new event's, or the site's for a registration). Serialised here, in the worker thread,
    by the response model's own serializer: FastAPI would validate the model once more."""
    body = van_aggregaat(locatie, crs).model_dump_json(by_alias=True).encode()
    return Response(
        body,
        status_code=201,
        media_type=JSON,
        headers={
            "Location": (location or "/v1/spoedlocaties/{id}/gebeurtenissen/{versie}").format(
                id=locatie.id, versie=locatie.version
            ),
            "ETag": f'"{locatie.version}"',
            "Content-Crs": crs,
        },
    )


async def voer_uit(
    services: Container, cmd: Commando, actor: Actor, crs: str, location: str | None = None
) -> Response:
    antwoord = partial(_antwoord, crs, location)
    return await run_in_threadpool(services.handle, cmd, actor, antwoord)
