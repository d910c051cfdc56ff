"""The ``Actor`` of a command, as a FastAPI dependency every writing service shares."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends, Header, Request

from shared.auth import CurrentPrincipal
from shared.http.logs import CORRELATIE_PATROON
from shared.privacy import NieuwePersoon
from shared.unit_of_work import Actor


class KentPersonen(Protocol):
    """A service container that knows its callers' pseudonyms."""

    def wie(self, login: str) -> tuple[str, NieuwePersoon | None]: ...


def actor(
    request: Request,
    principal: CurrentPrincipal,
    correlatie: Annotated[
        str | None,
        Header(
            alias="X-Correlation-ID",
            max_length=100,
            pattern=CORRELATIE_PATROON,
            description="Staat in de metadata van elke gebeurtenis die dit verzoek vastlegt; "
            "zonder krijgt het verzoek een eigen id.",
        ),
    ] = None,
) -> Actor:
    """Who acts in a command. The events name them by pseudonym only (the login stays in the
    erasable person store), and the policy's "same person" checks (the asker accepting, a
    participant evaluating) compare pseudonyms. This only looks the pseudonym up: a first-time
    caller becomes a person in the command's transaction, after the policy allowed it
    (``Actor.new_person``), so a refused or invalid request stores nothing. ``X-Correlation-ID``
    (else a fresh id) ties the events to the request."""
    container: KentPersonen = request.app.state.container
    pseudoniem, nieuw = container.wie(principal.sub)
    return Actor.for_caller(principal, pseudoniem, nieuw, correlatie)


CurrentActor = Annotated[Actor, Depends(actor)]
