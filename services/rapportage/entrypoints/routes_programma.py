"""/v1/rapportages/budget: the programme's budget report, beside the other reports (same
parameters, formats and binding; ``routes`` holds what they share)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.rapportage.domain.queries import VraagRapport
from services.rapportage.entrypoints.routes import (
    RESPONSES,
    Formaat,
    Gezag,
    RapportOut,
    Services,
    Tijd,
    _antwoord,
)
from shared.auth import CurrentPrincipal

router = APIRouter(tags=["Rapportages"])


@router.get(
    "/rapportages/budget",
    response_model=RapportOut,
    responses=RESPONSES,
    summary="Budget per bevoegd gezag en bodemtype",
)
def budget(
    request: Request,
    services: Services,
    principal: CurrentPrincipal,
    tijd: Tijd,
    code: Gezag,
    soort: Formaat,
) -> Response:
    """Per bevoegd gezag en per bodemtype (land, waterbodem): de envelop van het Rijk die op de
    peildatum gold zoals bekend op de kennisdatum (met het besluit dat haar vaststelde), het
    budget toegekend aan de locaties, de geboekte kosten en wat van de envelop resteert
    (envelop min toegekend). Landelijk opgeteld."""
    vraag = VraagRapport("budget", *tijd, bevoegd_gezag=code)
    return _antwoord(services.rapportage.handle(vraag), soort, request)
