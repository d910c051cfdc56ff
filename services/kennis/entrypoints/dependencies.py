"""Dependencies shared by the kennis routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Path, Request

from services.kennis.bootstrap import Container
from shared.auth import CurrentPrincipal
from shared.unit_of_work import Actor

VraagId = Annotated[str, Path(alias="vraagId", pattern=r"^kv-[0-9a-f]{12}$")]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Geen of een ongeldig token"},
    403: {"description": "Alleen de vrager (of het programma) mag dit"},
    404: {"description": "Kennisvraag niet gevonden"},
    409: {"description": "Niet mogelijk in de huidige toestand van de vraag"},
}


def container(request: Request) -> Container:
    c: Container = request.app.state.container
    return c


Services = Annotated[Container, Depends(container)]


def actor(
    principal: CurrentPrincipal,
    services: Services,
    correlatie: Annotated[str | None, Header(alias="X-Correlation-ID", max_length=100)] = None,
) -> Actor:
    """The caller of a command as the kennis domain sees them: ``sub`` is their pseudonym from
    the person store, not their login. So the events name people by pseudonym only, and the
    domain's "same person" checks (the asker accepting, a participant evaluating, an expert
    matched to their answers) compare pseudonyms. This only looks the pseudonym up: a
    first-time caller gets a fresh one (matching nobody's questions) that the handler stores
    in the command's transaction once the policy allowed it, so a refused or invalid request
    stores nothing. ``X-Correlation-ID`` (else a fresh id) ties the events to the request."""
    pseudoniem, nieuw = services.wie(principal.sub)
    return Actor.for_caller(principal, pseudoniem, nieuw, correlatie)


CurrentActor = Annotated[Actor, Depends(actor)]
