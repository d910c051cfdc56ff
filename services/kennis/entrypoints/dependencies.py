"""Dependencies shared by the kennis routes."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import uuid4

from fastapi import Depends, Path, Request

from services.kennis.bootstrap import Container
from shared.auth import CurrentPrincipal, Principal
from shared.eventstore import EventMetadata
from shared.privacy import is_pseudoniem
from shared.privacy.transactie import PersoonPrincipal

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


def als_pseudoniem(principal: CurrentPrincipal, services: Services) -> Principal:
    """The caller of a command as the kennis domain sees them: ``sub`` is their pseudonym from
    the person store, not their login. So the events name people by pseudonym only, and the
    domain's "same person" checks (the asker accepting, a participant evaluating, an expert
    matched to their answers) compare pseudonyms. This only looks the pseudonym up: a
    first-time caller gets a fresh one (matching nobody's questions) that the handler stores
    in the command's transaction once the policy allowed it, so a refused or invalid request
    stores nothing."""
    pseudoniem, nieuw = services.wie(principal.sub)
    return PersoonPrincipal(pseudoniem, principal.rol, principal.organisatie, nieuw)


PseudonymousPrincipal = Annotated[Principal, Depends(als_pseudoniem)]


def meta(principal: Principal) -> EventMetadata:
    if not is_pseudoniem(principal.sub):
        # A login in an event would be welded into the hash chain for good.
        raise RuntimeError("events name people by pseudonym: use PseudonymousPrincipal")
    return EventMetadata(
        actor=principal.sub,
        organisation=principal.organisatie,
        role=str(principal.rol),
        correlation_id=str(uuid4()),
    )
